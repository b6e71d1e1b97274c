"""The recap's benchmarks: every indicator that names an official source, against its peers.

For each OPD's indicator with ``sumber`` (and the form's ``pemda``, or the run's ``--pemda``
when the form has none), :func:`xlkinerja.reference.benchmark` gives the published value, rank,
national mean and median, and the provincial figures; the rows follow
:data:`~.recap_layout.PEMBANDING` (the sheet's and the exports' columns). A pemda or source the
reference data does not have becomes a row that says so, never a silent gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlkinerja import reference
from xlkinerja.consolidation.recap_layout import PEMBANDING

__all__ = ["Pembanding", "PEMBANDING_COLUMNS", "collect"]

PEMBANDING_COLUMNS = PEMBANDING.keys


@dataclass
class Pembanding:
    """The benchmark rows of a run, and the distributions the sheet charts."""

    rows: list[tuple] = field(default_factory=list)
    #: (source id, pemda) -> (source, pemda's benchmark of the total, peers highest first)
    blocks: dict[tuple[str, str], tuple] = field(default_factory=dict)

    def add(self, figs, fallback_pemda: str | None = None) -> None:
        form = figs.form
        if form is None:
            return
        for line in figs.indicators:
            ind = line.ind
            if not ind.sumber:
                continue
            self.rows.extend(self._rows(form, ind, line.final, form.pemda or fallback_pemda))

    def _rows(self, form, ind, reported, pemda: str | None) -> list[tuple]:
        src = reference.resolve_source(ind.sumber, form.year)
        head = {"kode_opd": form.opd_code, "nama_opd": form.opd_name, "indikator": ind.text,
                "sumber": src.id if src else ind.sumber, "rujukan": src.short if src else ind.sumber}
        if src is None or not pemda:
            why = (f"sumber {ind.sumber!r} tidak ada pada data rujukan versi ini" if src is None
                   else "pemerintah daerah belum diisi (pemda: pada spesifikasi, kolom Pemerintah "
                        "Daerah pada master, atau --pemda)")
            return [self._row({**head, "ukuran": why})]
        try:
            marks = reference.benchmark(src.id, pemda)
        except reference.UnknownPemda as exc:
            return [self._row({**head, "pemda": pemda, "ukuran": str(exc)})]
        total = marks[0]
        key = (src.id, total.pemda)
        if key not in self.blocks:
            self.blocks[key] = (src, total, reference.distribution(src.id, total.pemda))
        out = []
        for b in marks:
            out.append(self._row({
                **head, "ukuran": b.nama_ukuran, "pemda": b.pemda,
                "dilaporkan": reported if b.ukuran == "nilai" else None,
                "nilai": b.nilai if b.nilai is not None else (b.tanda or None),
                "kategori": b.kategori or None, "peringkat": b.peringkat,
                "jumlah_pembanding": b.jumlah_pembanding, "tanpa_nilai": b.jumlah_tanpa_nilai,
                "tanpa_nilai_na": b.tanpa_nilai_na, "tanpa_nilai_bintang": b.tanpa_nilai_bintang,
                "rerata_nasional": b.rerata_nasional, "median_nasional": b.median_nasional,
                "provinsi": b.provinsi, "rerata_kabkota_provinsi": b.rerata_kabkota_provinsi,
                "jumlah_kabkota_provinsi": b.jumlah_kabkota_provinsi,
                "kabkota_provinsi_tidak_tercantum": b.kabkota_provinsi_tidak_tercantum or None,
                "nilai_provinsi": b.nilai_provinsi, "kategori_provinsi": b.kategori_provinsi or None}))
        return out

    @staticmethod
    def _row(values: dict) -> tuple:
        return tuple(values.get(k) for k in PEMBANDING_COLUMNS)


def collect(figures, fallback_pemda: str | None = None) -> Pembanding:
    out = Pembanding()
    for figs in figures:
        out.add(figs, fallback_pemda)
    return out
