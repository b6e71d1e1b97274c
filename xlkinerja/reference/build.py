"""Rebuild the reference data files from the raw sources kept beside them.

Run ``python -m xlkinerja.reference.build`` after changing a file in ``sources/``; it rewrites
``data/`` (and prints what it found). A test rebuilds into a temporary folder and compares, so the
shipped data never drifts from its sources. Nothing here is corrected silently: a category that
disagrees with the bands, a total far from the mean of its components and a name printed
differently from the official one are kept as printed and flagged in their own columns.

Sources (see ``sources/README.md``):

- ``kepmenpanrb-659-2024.txt``: the decree's text as extracted from its PDF (tabs between cells).
- ``kemenpanrb-akip-kota-jambi-2024.txt``: the AKIP evaluation letter B/144/AA.05/2024.
- ``idn-area-data-4.0.1/``: provinces and regencies with their Kepmendagri codes (ODbL 1.0).
- ``nama-alias.csv``: names the decree prints differently from the official list, mapped by hand.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
DATA = HERE / "data"

IPP_RAW = "kepmenpanrb-659-2024.txt"
AKIP_RAW = "kemenpanrb-akip-kota-jambi-2024.txt"
AREA_DIR = "idn-area-data-4.0.1"

#: the columns of every source table (``data/<source>.csv``); components come between
ROW_HEAD = ["tingkat", "bagian", "no", "nama_tertulis", "nama", "kode_wilayah", "kode_provinsi",
            "provinsi"]
ROW_TAIL = ["nilai", "kategori", "kategori_pita", "kategori_sesuai", "rerata_komponen",
            "selisih_rerata"]

IPP_COMPONENTS = {  # column key -> header as printed
    "ipp_dinas_sosial": "IPP DINAS SOSIAL",
    "ipp_rsud": "IPP RSUD",
    "ipp_samsat_bappenda": "IPP SAMSAT/BAPPENDA",
    "ipp_disdukcapil": "IPP DISDUKCAPIL",
}
#: which components each level's table prints (third column differs)
IPP_LEVEL_COMPONENTS = {
    "provinsi": ["ipp_dinas_sosial", "ipp_rsud", "ipp_samsat_bappenda"],
    "kota": ["ipp_dinas_sosial", "ipp_rsud", "ipp_disdukcapil"],
    "kabupaten": ["ipp_dinas_sosial", "ipp_rsud", "ipp_disdukcapil"],
}
SECTIONS = {"A": "provinsi", "B": "kota", "C": "kabupaten", "D": None}
#: a total further than this from the plain mean of its components is flagged (not corrected)
MEAN_TOLERANCE = 0.05

SAKIP_COMPONENTS = {
    "perencanaan_kinerja": ("Perencanaan Kinerja", 30),
    "pengukuran_kinerja": ("Pengukuran Kinerja", 30),
    "pelaporan_kinerja": ("Pelaporan Kinerja", 15),
    "evaluasi_akuntabilitas_kinerja_internal": ("Evaluasi Akuntabilitas Kinerja Internal", 25),
}

#: PermenPANRB 88/2021: predikat of the AKIP score (lower bound exclusive except for D)
SAKIP_PREDIKAT = [
    ("AA", 90, 100, False, "Sangat Memuaskan"),
    ("A", 80, 90, False, "Memuaskan"),
    ("BB", 70, 80, False, "Sangat Baik"),
    ("B", 60, 70, False, "Baik"),
    ("CC", 50, 60, False, "Cukup"),
    ("C", 30, 50, False, "Kurang"),
    ("D", 0, 30, True, "Sangat Kurang"),
]

_ROW = re.compile(r"^(\d+)\.\t([^\t]+)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
_SECTION = re.compile(r"^([A-D])\. (.+)$")
_BAND = re.compile(r"^(\d+,\d+)-(\d+,\d+)\t(\S+)$")


class BuildError(Exception):
    pass


# -- values as printed -------------------------------------------------------------------------

def printed_value(cell: str) -> str:
    """A cell as the data file keeps it: a number with a dot, or the printed mark (NA, *NA, -)."""
    cell = cell.strip()
    if cell in ("NA", "*NA", "-"):
        return cell
    if not re.fullmatch(r"\d+(,\d+)?", cell):
        raise BuildError(f"nilai tidak dikenal: {cell!r}")
    return cell.replace(",", ".")


def number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def fmt(x: float) -> str:
    text = f"{x + 0.0:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# -- names and region codes --------------------------------------------------------------------

def squash(name: str) -> str:
    """The key names are matched on: lower case, no punctuation, no spaces ("Pare-Pare" =
    "Parepare", "Tanjungbalai" = "Tanjung Balai")."""
    name = name.lower().replace("kab,", "kabupaten ").replace("kab.", "kabupaten ")
    return re.sub(r"[^a-z0-9]", "", name)


@dataclass(frozen=True)
class Region:
    code: str
    province_code: str
    name: str
    level: str  # provinsi / kota / kabupaten


def load_regions() -> dict[tuple[str, str], Region]:
    """(level, squashed name) -> region, from the kept idn-area-data slice."""
    out: dict[tuple[str, str], Region] = {}
    with open(SOURCES / AREA_DIR / "provinces.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            r = Region(row["code"], row["code"], f"Provinsi {row['name']}", "provinsi")
            out[("provinsi", squash(r.name))] = r
    with open(SOURCES / AREA_DIR / "regencies.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            level = "kota" if row["name"].startswith("Kota ") else "kabupaten"
            key = (level, squash(row["name"]))
            if key in out:
                raise BuildError(f"nama wilayah ganda pada {AREA_DIR}: {row['name']}")
            out[key] = Region(row["code"], row["province_code"], row["name"], level)
    return out


def load_aliases() -> dict[str, str]:
    """Printed name -> official name, for names the squash does not match."""
    with open(SOURCES / "nama-alias.csv", encoding="utf-8", newline="") as f:
        return {row["nama_tertulis"]: row["nama_resmi"] for row in csv.DictReader(f)}


def level_of_name(name: str) -> str:
    low = name.lower()
    if low.startswith(("provinsi", "pemerintah provinsi")):
        return "provinsi"
    if low.startswith("kota"):
        return "kota"
    if low.startswith(("kabupaten", "kab,", "kab.")):
        return "kabupaten"
    raise BuildError(f"tingkat pemerintah daerah tidak dikenali dari namanya: {name!r}")


# -- the decree --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    category: str
    low: float
    high: float
    low_inclusive: bool = True

    def holds(self, x: float) -> bool:
        above = x >= self.low if self.low_inclusive else x > self.low
        return above and x <= self.high


def parse_bands(text: str) -> list[Band]:
    bands = []
    for line in text.splitlines():
        m = _BAND.match(line.strip())
        if m:
            bands.append(Band(m.group(3), float(m.group(1).replace(",", ".")),
                              float(m.group(2).replace(",", "."))))
    if not bands:
        raise BuildError(f"{IPP_RAW}: tabel KATEGORI tidak ditemukan")
    return bands


def band_categories(bands: list[Band], x: float | None) -> list[str]:
    return [] if x is None else [b.category for b in bands if b.holds(x)]


def parse_ipp(text: str, regions, aliases, bands) -> list[dict]:
    rows = []
    section = None
    started = False
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _SECTION.match(line.strip())
        if m and m.group(1) in SECTIONS:
            section = m.group(1)
            started = True
            continue
        if not started or line.startswith("No\t"):
            continue
        m = _ROW.match(line.rstrip("\n"))
        if not m:
            continue
        no, printed, c1, c2, c3, total, category = m.groups()
        level = SECTIONS[section] or level_of_name(printed)
        comps = IPP_LEVEL_COMPONENTS[level]
        values = {k: "" for k in IPP_COMPONENTS}
        for key, cell in zip(comps, (c1, c2, c3)):
            values[key] = printed_value(cell)
        official = aliases.get(printed.strip(), printed.strip())
        if official.lower().startswith("pemerintah provinsi"):
            official = official[len("Pemerintah "):]
        region = regions.get((level, squash(official)))
        if region is None:
            raise BuildError(f"{IPP_RAW} baris {lineno}: {printed!r} tidak ditemukan pada daftar "
                             f"wilayah {AREA_DIR}; tambahkan ke sources/nama-alias.csv")
        rows.append(_finish_row(dict(
            tingkat=level, bagian=section, no=no, nama_tertulis=printed, nama=region.name,
            kode_wilayah=region.code, kode_provinsi=region.province_code,
            provinsi=_province_name(regions, region.province_code), **values,
            nilai=printed_value(total), kategori=category.strip()), comps, bands))
    return rows


def _province_name(regions, code: str) -> str:
    for (level, _), r in regions.items():
        if level == "provinsi" and r.code == code:
            return r.name
    raise BuildError(f"kode provinsi {code} tidak ada di {AREA_DIR}/provinces.csv")


def _finish_row(row: dict, comps: list[str], bands: list[Band]) -> dict:
    total = number_or_none(row["nilai"])
    cats = band_categories(bands, total)
    row["kategori_pita"] = "/".join(cats)
    row["kategori_sesuai"] = "" if total is None else ("1" if row["kategori"] in cats else "0")
    parts = [number_or_none(row[k]) for k in comps]
    parts = [p for p in parts if p is not None]
    if parts and total is not None:
        mean = sum(parts) / len(parts)
        row["rerata_komponen"] = fmt(round(mean, 4))
        row["selisih_rerata"] = fmt(round(total - mean, 4))
    else:
        row["rerata_komponen"] = row["selisih_rerata"] = ""
    return row


# -- the AKIP letter ---------------------------------------------------------------------------

def parse_akip(text: str, regions) -> dict[int, dict]:
    """The letter's component table: year -> row (one row, the pemda the letter is addressed to)."""
    m = re.search(r"hasil evaluasi AKIP tahun (\d{4}) pada (Pemerintah (Kota|Kabupaten|Provinsi) "
                  r"[A-Z][A-Za-z ]+?),", text)
    if not m:
        raise BuildError(f"{AKIP_RAW}: pemda yang dievaluasi tidak ditemukan")
    pemda = m.group(2)[len("Pemerintah "):]
    level = level_of_name(pemda)
    region = regions[(level, squash(pemda))]
    years = None
    values: dict[str, list[str]] = {}
    labels = {label: key for key, (label, _) in SAKIP_COMPONENTS.items()}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if cells[-2:] and all(re.fullmatch(r"\d{4}", c) for c in cells[-2:]) and len(cells) > 2:
            years = [int(c) for c in cells[-2:]]
        elif len(cells) >= 5 and cells[1] in labels:
            weight = int(cells[2])
            if weight != SAKIP_COMPONENTS[labels[cells[1]]][1]:
                raise BuildError(f"{AKIP_RAW}: bobot {cells[1]} {weight} berbeda dari "
                                 "PermenPANRB 88/2021")
            values[labels[cells[1]]] = [printed_value(cells[3]), printed_value(cells[4])]
        elif cells[0] == "Nilai Hasil Evaluasi":
            values["nilai"] = [printed_value(cells[-2]), printed_value(cells[-1])]
        elif cells[0] == "Tingkat Akuntabilitas Kinerja":
            values["kategori"] = [c for c in cells[1:] if c][-2:]
    if years is None or len(values) != len(SAKIP_COMPONENTS) + 2:
        raise BuildError(f"{AKIP_RAW}: tabel komponen tidak lengkap ({sorted(values)})")
    bands = [Band(c, lo, hi, inc) for c, lo, hi, inc, _ in SAKIP_PREDIKAT]
    out = {}
    for i, year in enumerate(years):
        row = dict(tingkat=level, bagian="", no="1", nama_tertulis=m.group(2), nama=region.name,
                   kode_wilayah=region.code, kode_provinsi=region.province_code,
                   provinsi=_province_name(regions, region.province_code),
                   **{k: values[k][i] for k in SAKIP_COMPONENTS},
                   nilai=values["nilai"][i], kategori=values["kategori"][i])
        row = _finish_row(row, [], bands)
        parts = sum(float(values[k][i]) for k in SAKIP_COMPONENTS)
        row["rerata_komponen"] = ""  # the AKIP score is a sum of weighted components
        row["selisih_rerata"] = fmt(round(float(row["nilai"]) - parts, 4))
        out[year] = row
    return out


# -- writing -----------------------------------------------------------------------------------

def csv_text(header: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def build() -> dict[str, str]:
    """Every data file's name and text, built from the sources."""
    regions = load_regions()
    aliases = load_aliases()
    ipp_text = (SOURCES / IPP_RAW).read_text(encoding="utf-8")
    bands = parse_bands(ipp_text)
    ipp_rows = parse_ipp(ipp_text, regions, aliases, bands)
    akip = parse_akip((SOURCES / AKIP_RAW).read_text(encoding="utf-8"), regions)

    files = {}
    files["ipp-2024.csv"] = csv_text(ROW_HEAD + list(IPP_COMPONENTS) + ROW_TAIL, ipp_rows)
    files["ipp-kategori-2024.csv"] = csv_text(
        ["kategori", "bawah", "atas", "bawah_termasuk"],
        [dict(kategori=b.category, bawah=fmt(b.low), atas=fmt(b.high), bawah_termasuk="1")
         for b in bands])
    files["sakip-predikat.csv"] = csv_text(
        ["kategori", "bawah", "atas", "bawah_termasuk", "arti"],
        [dict(kategori=c, bawah=fmt(lo), atas=fmt(hi), bawah_termasuk="1" if inc else "0", arti=a)
         for c, lo, hi, inc, a in SAKIP_PREDIKAT])
    for year, row in sorted(akip.items()):
        files[f"sakip-{year}.csv"] = csv_text(ROW_HEAD + list(SAKIP_COMPONENTS) + ROW_TAIL, [row])
    files["sumber.json"] = json.dumps(_registry(sorted(akip)), ensure_ascii=False, indent=1) + "\n"
    return files


def _registry(akip_years: list[int]) -> dict:
    ipp = {
        "keluarga": "ipp", "tahun": 2024, "berkas": "ipp-2024.csv",
        "kategori": "ipp-kategori-2024.csv",
        "singkat": "KepmenPANRB 659/2024",
        "judul": ("Keputusan Menteri PANRB Nomor 659 Tahun 2024 tentang Hasil Pemantauan dan "
                  "Evaluasi Kinerja Penyelenggaraan Pelayanan Publik pada Lingkup Pemerintah "
                  "Daerah Tahun 2024"),
        "nilai": "Indeks Pelayanan Publik (IPP)", "desimal": 2, "mentah": f"sources/{IPP_RAW}",
        "komponen": {k: v.title().replace("Ipp", "IPP").replace("Rsud", "RSUD")
                     .replace("Samsat/Bappenda", "Samsat/Bappenda")
                     for k, v in IPP_COMPONENTS.items()},
        "catatan_kategori": ("pita 2,00-2,51 (C-) dan 2,51-3,00 (C) tumpang tindih pada 2,51: "
                             "nilai 2,51 masuk keduanya"),
    }
    out = {"ipp-2024": ipp}
    for year in akip_years:
        out[f"sakip-{year}"] = {
            "keluarga": "sakip", "tahun": year, "berkas": f"sakip-{year}.csv",
            "kategori": "sakip-predikat.csv",
            "singkat": "Surat KemenPANRB B/144/AA.05/2024 (evaluasi AKIP)",
            "judul": ("Hasil Evaluasi Akuntabilitas Kinerja Instansi Pemerintah (AKIP) Tahun 2024, "
                      "surat Deputi Bidang RB, Akuntabilitas Aparatur dan Pengawasan KemenPANRB "
                      "Nomor B/144/AA.05/2024, 3 September 2024; predikat menurut PermenPANRB "
                      "88/2021"),
            "nilai": "Nilai SAKIP (hasil evaluasi AKIP)", "desimal": 2, "mentah": f"sources/{AKIP_RAW}",
            "komponen": {k: f"{label} (bobot {w})" for k, (label, w) in SAKIP_COMPONENTS.items()},
        }
    return out


def write(target: Path = DATA) -> dict[str, str]:
    files = build()
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8", newline="")
    return files


def main(argv: list[str] | None = None) -> int:
    try:
        files = write()
    except BuildError as exc:
        print(f"Gagal membangun data rujukan: {exc}", file=sys.stderr)
        return 1
    for name, text in files.items():
        print(f"{DATA / name}: {max(text.count(chr(10)) - 1, 0)} baris")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
