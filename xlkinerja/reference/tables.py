"""The shipped reference tables, read: sources, published rows, pemda names, category bands.

Every source is one entry of ``data/sumber.json`` and one CSV table of the same columns (see
:mod:`.build`); a new source (another year's decree, another index) is a new CSV and a new entry,
not new code. Values keep the printed marks apart: ``NA`` (not enough to compute), ``*NA`` (no
locus, disaster area) and ``-`` (printed empty) are never numbers and never counted.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

__all__ = ["Value", "Band", "Source", "Published", "sources", "source", "resolve_source",
           "rows", "find", "squash", "LEVEL_LABEL", "UnknownPemda"]

LEVEL_LABEL = {"provinsi": "provinsi", "kota": "kota", "kabupaten": "kabupaten"}
PEERS_LABEL = {"provinsi": "provinsi", "kota": "kota", "kabupaten": "kabupaten"}


class UnknownPemda(LookupError):
    """A pemda name that no row of a source matches (the message says what was looked for)."""


@dataclass(frozen=True)
class Value:
    """A published cell: a number, or the mark printed instead (``NA``, ``*NA``, ``-``)."""

    number: float | None
    mark: str = ""

    @classmethod
    def parse(cls, text: str) -> "Value":
        text = (text or "").strip()
        if not text:
            return cls(None, "")
        try:
            return cls(float(text), "")
        except ValueError:
            return cls(None, text)

    @property
    def counted(self) -> bool:
        return self.number is not None


@dataclass(frozen=True)
class Band:
    category: str
    low: float
    high: float
    low_inclusive: bool = True
    meaning: str = ""

    def holds(self, x: float) -> bool:
        above = x >= self.low if self.low_inclusive else x > self.low
        return above and x <= self.high


@dataclass(frozen=True)
class Source:
    id: str
    family: str  # "ipp", "sakip": what a spec may name without the year
    year: int
    short: str  # "KepmenPANRB 659/2024": what a message cites
    title: str
    value_label: str
    decimals: int
    components: dict[str, str]  # column key -> label
    table: str
    categories_file: str
    raw: str
    category_note: str = ""

    @property
    def bands(self) -> list[Band]:
        return _bands(self.categories_file)

    def categories_of(self, x: float | None) -> list[str]:
        return [] if x is None else [b.category for b in self.bands if b.holds(x)]


@dataclass(frozen=True)
class Published:
    """One row of a source: one pemda's published result."""

    source_id: str
    level: str  # provinsi / kota / kabupaten
    section: str
    no: int
    printed_name: str
    name: str  # the official name (Kepmendagri), e.g. "Kota Jambi"
    region_code: str  # e.g. "15.71"
    province_code: str
    province: str
    components: dict[str, Value] = field(default_factory=dict)
    value: Value = Value(None)
    category: str = ""  # as published
    band_categories: tuple[str, ...] = ()
    category_matches: bool | None = None  # None where there is no value
    mean_difference: float | None = None  # total minus the plain mean of the components

    @property
    def category_disagrees(self) -> bool:
        return self.category_matches is False


def squash(name: str) -> str:
    """Lower case, no punctuation, no spaces: "Pare-Pare" = "Parepare", "kab," = "kabupaten"."""
    name = name.lower().replace("kab,", "kabupaten ").replace("kab.", "kabupaten ")
    name = re.sub(r"^pemerintah\s+", "", name.strip())
    return re.sub(r"[^a-z0-9]", "", name)


def _data(name: str):
    return resources.files("xlkinerja.reference").joinpath("data", name)


@lru_cache(maxsize=None)
def sources() -> dict[str, Source]:
    """Every shipped source by id, e.g. ``ipp-2024``, ``sakip-2024``."""
    reg = json.loads(_data("sumber.json").read_text(encoding="utf-8"))
    return {sid: Source(id=sid, family=d["keluarga"], year=int(d["tahun"]), short=d["singkat"],
                        title=d["judul"], value_label=d["nilai"], decimals=int(d.get("desimal", 2)),
                        components=dict(d.get("komponen", {})), table=d["berkas"],
                        categories_file=d["kategori"], raw=d.get("mentah", ""),
                        category_note=d.get("catatan_kategori", ""))
            for sid, d in reg.items()}


def source(source_id: str) -> Source:
    return sources()[source_id]


def resolve_source(name: str, year: int | None = None) -> Source | None:
    """A source by id (``ipp-2024``) or by family (``ipp``, ``sakip``): the family's source of
    ``year`` when there is one, else None (a family has no "latest" that a form silently takes)."""
    key = (name or "").strip().lower()
    found = sources().get(key)
    if found is not None:
        return found
    family = [s for s in sources().values() if s.family == key]
    if year is not None:
        family = [s for s in family if s.year == year]
    return family[0] if len(family) == 1 else None


@lru_cache(maxsize=None)
def _bands(filename: str) -> list[Band]:
    with _data(filename).open(encoding="utf-8", newline="") as f:
        return [Band(r["kategori"], float(r["bawah"]), float(r["atas"]), r["bawah_termasuk"] == "1",
                     r.get("arti", "")) for r in csv.DictReader(f)]


@lru_cache(maxsize=None)
def rows(source_id: str) -> tuple[Published, ...]:
    """Every row of a source, in the printed order."""
    src = source(source_id)
    out = []
    with _data(src.table).open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            diff = r.get("selisih_rerata", "")
            match = r.get("kategori_sesuai", "")
            out.append(Published(
                source_id=source_id, level=r["tingkat"], section=r["bagian"], no=int(r["no"]),
                printed_name=r["nama_tertulis"], name=r["nama"], region_code=r["kode_wilayah"],
                province_code=r["kode_provinsi"], province=r["provinsi"],
                components={k: Value.parse(r[k]) for k in src.components if r.get(k, "") != ""},
                value=Value.parse(r["nilai"]), category=r["kategori"],
                band_categories=tuple(c for c in r["kategori_pita"].split("/") if c),
                category_matches=None if match == "" else match == "1",
                mean_difference=float(diff) if diff else None))
    return tuple(out)


def find(source_id: str, pemda: str) -> Published:
    """The row of ``pemda`` (official or printed name, with or without "Pemerintah", or its
    region code, e.g. "15.71") in a source; :class:`UnknownPemda` when none matches."""
    key = squash(pemda)
    code = (pemda or "").strip()
    for r in rows(source_id):
        if code == r.region_code or key in (squash(r.name), squash(r.printed_name)):
            return r
    src = source(source_id)
    raise UnknownPemda(f"{pemda!r} tidak ada pada {src.short}: tulis nama resmi, mis. "
                       "'Kota Jambi', 'Kabupaten Muaro Jambi' atau 'Provinsi Jambi', atau kode "
                       "wilayahnya (mis. 15.71)")


@lru_cache(maxsize=None)
def regions_of(province_code: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every kabupaten/kota of a province in the kept region list
    (idn-area-data, Kepmendagri codes)."""
    path = resources.files("xlkinerja.reference").joinpath("sources", "idn-area-data-4.0.1",
                                                          "regencies.csv")
    with path.open(encoding="utf-8", newline="") as f:
        return tuple((r["code"], r["name"]) for r in csv.DictReader(f)
                     if r["province_code"] == province_code)


@lru_cache(maxsize=None)
def _all_regions() -> tuple[tuple[str, str], ...]:
    """(code, official name) of every province ("Provinsi ...") and kabupaten/kota."""
    base = resources.files("xlkinerja.reference").joinpath("sources", "idn-area-data-4.0.1")
    out = []
    with base.joinpath("provinces.csv").open(encoding="utf-8", newline="") as f:
        out += [(r["code"], f"Provinsi {r['name']}") for r in csv.DictReader(f)]
    with base.joinpath("regencies.csv").open(encoding="utf-8", newline="") as f:
        out += [(r["code"], r["name"]) for r in csv.DictReader(f)]
    return tuple(out)


def official_name(pemda: str) -> str | None:
    """The official name of a pemda written by name (as printed in a source, or officially) or
    by its Kepmendagri code; None when neither a source nor the region list knows it."""
    row = known_pemda(pemda)
    if row is not None:
        return row.name
    key, code = squash(pemda or ""), (pemda or "").strip()
    for c, name in _all_regions():
        if code == c or key == squash(name):
            return name
    return None


def known_pemda(pemda: str) -> Published | None:
    """``pemda``'s row in any source (its official name and code), None when no source has it."""
    for sid in sources():
        try:
            return find(sid, pemda)
        except UnknownPemda:
            continue
    return None
