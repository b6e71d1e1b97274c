"""xlkinerja: the quarterly Formulir Pengukuran Kinerja Perangkat Daerah as a locked,
self-checking Excel workbook, and the consolidation of the files that come back."""

from xlkinerja.base.version import __version__
