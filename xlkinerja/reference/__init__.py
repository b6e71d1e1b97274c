"""Official reference data: published results (IPP, SAKIP) and the regions they belong to.

Owns the raw sources kept in ``sources/`` (the decree and letter text as extracted, the region
list with its licence), the parser that turns them into ``data/`` (:mod:`.build`, re-runnable),
the reader of those tables (:mod:`.tables`) and the benchmark of a pemda against its peers
(:mod:`.benchmark`). It knows no form and no workbook: the form names a source by id
(``sumber: ipp-2024``), validation compares a reported realisasi with :func:`find`, and the recap
and the ``pembanding`` command show :func:`benchmark`. A new source is a data file plus an entry
in ``data/sumber.json`` (docs/data-rujukan.md).
"""

from xlkinerja.reference.benchmark import Benchmark, benchmark, distribution
from xlkinerja.reference.tables import (Published, Source, UnknownPemda, Value, find, known_pemda,
                                        official_name, resolve_source, rows, source, sources,
                                        squash)

__all__ = ["Benchmark", "benchmark", "distribution", "Published", "Source", "UnknownPemda",
           "Value", "find", "known_pemda", "official_name", "resolve_source", "rows", "source", "sources", "squash"]
