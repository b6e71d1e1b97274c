"""A pemda against its peers in a published source: rank, national and provincial figures.

Peers are the rows of the same level (cities with cities, regencies with regencies, provinces
with provinces). A value printed as ``NA``, ``*NA`` or ``-`` is left out of every mean, median
and rank, and counted so the reader is told how many. The provincial figure is the mean of the
kabupaten/kota of the pemda's province (by the Kepmendagri code's first two digits) that have a
value, beside the province's own published value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from statistics import mean, median

from xlkinerja.reference.tables import Published, Source, find, regions_of, rows, source

__all__ = ["Benchmark", "benchmark", "distribution", "COLUMNS"]


@dataclass(frozen=True)
class Benchmark:
    """One measure (the total or a component) of one source for one pemda."""

    sumber: str  # source id
    rujukan: str  # short citation
    ukuran: str  # "nilai" or a component key
    nama_ukuran: str
    pemda: str
    tingkat: str
    kode_wilayah: str
    nilai: float | None
    tanda: str  # NA, *NA, - when there is no value
    kategori: str  # published category (total only)
    peringkat: int | None
    jumlah_pembanding: int  # peers with a value (the pemda included)
    jumlah_tanpa_nilai: int  # peers left out: NA, *NA or -
    tanpa_nilai_na: int
    tanpa_nilai_bintang: int  # *NA
    tanpa_nilai_kosong: int  # "-"
    rerata_nasional: float | None
    median_nasional: float | None
    provinsi: str
    rerata_kabkota_provinsi: float | None
    jumlah_kabkota_provinsi: int
    kabkota_provinsi_tanpa_nilai: int
    kabkota_provinsi_tidak_tercantum: str  # kab/kota of the province the source does not list
    nilai_provinsi: float | None
    kategori_provinsi: str

    def to_dict(self) -> dict:
        return asdict(self)


COLUMNS = [f for f in Benchmark.__dataclass_fields__]


def _measure(row: Published, key: str):
    return row.value if key == "nilai" else row.components.get(key)


def _marks(values) -> tuple[int, int, int]:
    marks = [v.mark if v is not None else "" for v in values if v is None or not v.counted]
    return marks.count("NA"), marks.count("*NA"), marks.count("-") + marks.count("")


def benchmark(source_id: str, pemda: str) -> list[Benchmark]:
    """The total first, then each component the pemda's level has."""
    src = source(source_id)
    me = find(source_id, pemda)
    all_rows = rows(source_id)
    peers = [r for r in all_rows if r.level == me.level]
    local = [r for r in all_rows if r.level in ("kota", "kabupaten")
             and r.province_code == me.province_code]
    province = next((r for r in all_rows if r.level == "provinsi"
                     and r.region_code == me.province_code), None)
    listed = {r.region_code for r in local}
    absent = ", ".join(name for code, name in regions_of(me.province_code) if code not in listed)
    keys = ["nilai"] + [k for k in src.components if k in me.components]
    out = []
    for key in keys:
        values = [_measure(r, key) for r in peers]
        counted = [v.number for v in values if v is not None and v.counted]
        na, star, dash = _marks(values)
        mine = _measure(me, key)
        others = len(counted) - (1 if mine is not None and mine.counted else 0)
        rank = None
        if mine is not None and mine.counted and others:
            rank = 1 + sum(1 for x in counted if x > mine.number)
        if not others:  # the source holds this pemda alone: nothing to compare with
            counted = []
        local_values = [_measure(r, key) for r in local]
        local_counted = [v.number for v in local_values if v is not None and v.counted]
        if len(local_counted) < 2 and me in local:
            local_counted = []
        pv = _measure(province, key) if province is not None else None
        out.append(Benchmark(
            sumber=src.id, rujukan=src.short, ukuran=key,
            nama_ukuran=src.value_label if key == "nilai" else src.components[key],
            pemda=me.name, tingkat=me.level, kode_wilayah=me.region_code,
            nilai=mine.number if mine is not None else None,
            tanda="" if mine is not None and mine.counted else (mine.mark if mine else "-"),
            kategori=me.category if key == "nilai" else "",
            peringkat=rank, jumlah_pembanding=len(counted),
            jumlah_tanpa_nilai=na + star + dash, tanpa_nilai_na=na, tanpa_nilai_bintang=star,
            tanpa_nilai_kosong=dash,
            rerata_nasional=mean(counted) if counted else None,
            median_nasional=median(counted) if counted else None,
            provinsi=me.province,
            rerata_kabkota_provinsi=mean(local_counted) if local_counted else None,
            jumlah_kabkota_provinsi=len(local_counted),
            kabkota_provinsi_tanpa_nilai=len(local_values) - len(local_counted),
            kabkota_provinsi_tidak_tercantum=absent if local_counted else "",
            nilai_provinsi=pv.number if pv is not None else None,
            kategori_provinsi=province.category if province is not None and key == "nilai" else ""))
    return out


def distribution(source_id: str, pemda: str, key: str = "nilai") -> list[tuple[str, float, bool]]:
    """The peers' values of one measure, highest first: (name, value, is the pemda)."""
    me = find(source_id, pemda)
    pairs = [(r.name, _measure(r, key), r.region_code == me.region_code)
             for r in rows(source_id) if r.level == me.level]
    pairs = [(n, v.number, m) for n, v, m in pairs if v is not None and v.counted]
    return sorted(pairs, key=lambda p: (-p[1], p[0]))


def source_of(source_id: str) -> Source:
    return source(source_id)
