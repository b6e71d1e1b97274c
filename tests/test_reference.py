"""Reference data (KepmenPANRB 659/2024, the AKIP letter): the shipped tables against the raw
text they come from, the benchmark's figures computed here independently, and what validation,
the recap, the exports and the command show of them."""

from __future__ import annotations

import csv
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xlkinerja import reference
from xlkinerja.findings import Severity
from xlkinerja.form.spec import DocumentError, parse_spec
from xlkinerja.reference import build
from xlkinerja.validation.rules import validate_file
from xlkinerja.workbook.layout import QUARTER_SHEETS, Q, WorkbookLayout, a1

from people import edited

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "xlkinerja" / "reference" / "sources" / "kepmenpanrb-659-2024.txt"
DOC = ROOT / "docs" / "data-rujukan.md"
SEED_SPEC = ROOT / "workbook_templates" / "setda_kota_jambi_2024.yaml"


# -- the raw text, read here without the build script's code ----------------------------------

def raw_rows() -> dict[str, list[list[str]]]:
    """Section letter -> the printed rows (cells split on tabs), straight from the text."""
    out: dict[str, list[list[str]]] = {}
    section = None
    for line in RAW.read_text(encoding="utf-8").splitlines():
        if line[:3] in ("A. ", "B. ", "C. ", "D. "):
            section = line[0]
            out[section] = []
        elif section and line[:1].isdigit() and "\t" in line:
            cells = line.split("\t")
            if len(cells) == 7:
                out[section].append(cells)
    return out


def num(cell: str) -> float | None:
    return float(cell.replace(",", ".")) if re.fullmatch(r"\d+(,\d+)?", cell) else None


def raw_bands() -> list[tuple[float, float, str]]:
    text = RAW.read_text(encoding="utf-8")
    return [(num(a), num(b), c) for a, b, c in re.findall(r"^(\d,\d\d)-(\d,\d\d)\t(\S+)$", text, re.M)]


RAW_ROWS = raw_rows()
LEVEL = {"A": "provinsi", "B": "kota", "C": "kabupaten"}


def test_parsed_counts_are_the_printed_counts():
    assert {k: len(v) for k, v in RAW_ROWS.items()} == {"A": 33, "B": 97, "C": 360, "D": 37}
    rows = reference.rows("ipp-2024")
    assert len(rows) == 33 + 97 + 360 + 37
    by_section = {s: sum(1 for r in rows if r.section == s) for s in "ABCD"}
    assert by_section == {"A": 33, "B": 97, "C": 360, "D": 37}
    # the D block (not evaluated) holds one province, one city and 35 regencies, all NA
    d = [r for r in rows if r.section == "D"]
    assert [sum(1 for r in d if r.level == lv) for lv in ("provinsi", "kota", "kabupaten")] == [1, 1, 35]
    assert all(r.value.mark == "NA" and r.category == "NA" for r in d)


def test_every_row_is_the_printed_row():
    rows = {(r.section, r.no): r for r in reference.rows("ipp-2024")}
    for section, printed in RAW_ROWS.items():
        for no, name, c1, c2, c3, total, category in printed:
            r = rows[(section, int(no.rstrip(".")))]
            assert r.printed_name == name
            assert r.category == category
            assert r.value.number == num(total)
            if num(total) is None:
                assert r.value.mark == total
            parts = list(r.components.values())
            assert [p.number for p in parts] == [num(c) for c in (c1, c2, c3)]
            assert [p.mark for p in parts] == ["" if num(c) is not None else c for c in (c1, c2, c3)]


def test_na_and_star_na_stay_distinct():
    papua_barat = reference.find("ipp-2024", "Provinsi Papua Barat")
    assert papua_barat.components["ipp_dinas_sosial"] == reference.Value(None, "*NA")
    ternate = reference.find("ipp-2024", "Kota Ternate")
    assert ternate.components["ipp_dinas_sosial"] == reference.Value(None, "NA")
    talaud = reference.find("ipp-2024", "Kabupaten Kepulauan Talaud")
    assert talaud.components["ipp_rsud"] == reference.Value(None, "-")


def test_kota_jambi_as_published():
    r = reference.find("ipp-2024", "Kota Jambi")
    assert (r.no, r.level, r.region_code, r.province_code, r.province) == (
        70, "kota", "15.71", "15", "Provinsi Jambi")
    assert r.value.number == 3.96 and r.category == "B" and r.category_matches
    assert [v.number for v in r.components.values()] == [3.89, 3.45, 4.55]
    assert reference.find("ipp-2024", "Pemerintah Kota Jambi") == r
    assert reference.find("ipp-2024", "15.71") == r
    assert reference.find("ipp-2024", "kota  JAMBI") == r
    with pytest.raises(reference.UnknownPemda, match="Kota Atlantis"):
        reference.find("ipp-2024", "Kota Atlantis")


def test_region_codes_and_provinces():
    rows = reference.rows("ipp-2024")
    assert all(re.fullmatch(r"\d\d(\.\d\d)?", r.region_code) for r in rows)
    assert all(r.region_code.startswith(r.province_code) for r in rows)
    assert len({r.region_code for r in rows}) == len(rows)  # no two rows on one region
    # names printed unlike the official list are mapped, the printed name kept
    pemalang = reference.find("ipp-2024", "Kabupaten Pematang")
    assert (pemalang.name, pemalang.printed_name, pemalang.province_code) == (
        "Kabupaten Pemalang", "Kabupaten Pematang", "33")
    assert reference.find("ipp-2024", "Kab, Seram Bagian Barat").name == "Kabupaten Seram Bagian Barat"
    assert reference.find("ipp-2024", "Provinsi NTB").region_code == "52"


def test_categories_against_the_bands_flagged_not_corrected():
    bands = raw_bands()
    assert len(bands) == 9 and ("C-" in [c for lo, hi, c in bands if lo <= 2.51 <= hi])
    assert [c for lo, hi, c in bands if lo <= 2.51 <= hi] == ["C", "C-"]  # the overlap
    src = reference.source("ipp-2024")
    assert src.categories_of(2.51) == ["C", "C-"]
    disagree = set()
    for section, printed in RAW_ROWS.items():
        for no, name, *_, total, category in printed:
            x = num(total)
            if x is not None and category not in [c for lo, hi, c in bands if lo <= x <= hi]:
                disagree.add((section, int(no.rstrip("."))))
    assert len(disagree) == 13
    flagged = {(r.section, r.no) for r in reference.rows("ipp-2024") if r.category_disagrees}
    assert flagged == disagree
    kept = [r for r in reference.rows("ipp-2024") if r.category_disagrees]
    assert {r.category for r in kept} == {"A", "B-"}  # as printed, not the bands' A-/C
    doc = DOC.read_text(encoding="utf-8")
    for r in kept:
        assert r.printed_name in doc, f"{r.printed_name} missing from {DOC.name}"


def test_totals_far_from_the_mean_of_components_are_counted():
    far = []
    for printed in RAW_ROWS.values():
        for no, name, c1, c2, c3, total, category in printed:
            parts = [num(c) for c in (c1, c2, c3) if num(c) is not None]
            if parts and num(total) is not None and abs(num(total) - sum(parts) / len(parts)) > 0.05:
                far.append(name)
    assert len(far) == 19
    shipped = [r.printed_name for r in reference.rows("ipp-2024")
               if r.mean_difference is not None and abs(r.mean_difference) > 0.05]
    assert sorted(shipped) == sorted(far)
    doc = DOC.read_text(encoding="utf-8")
    assert all(name in doc for name in far)


def test_rank_and_national_and_provincial_figures_of_kota_jambi():
    cities = [(c[1], num(c[5])) for c in RAW_ROWS["B"]] + \
             [(c[1], num(c[5])) for c in RAW_ROWS["D"] if c[1].startswith("Kota")]
    values = [v for _, v in cities if v is not None]
    assert len(values) == 97 and len(cities) - len(values) == 1  # Kota Sawahlunto: NA
    rank = 1 + sum(1 for v in values if v > 3.96)
    # the province's kabupaten/kota, named here from the Kepmendagri list
    jambi = {"Kota Jambi", "Kota Sungaipenuh", "Kabupaten Batanghari", "Kabupaten Bungo",
             "Kabupaten Merangin", "Kabupaten Muaro Jambi", "Kabupaten Sarolangun",
             "Kabupaten Tanjung Jabung Barat", "Kabupaten Tanjung Jabung Timur", "Kabupaten Tebo"}
    local = [num(c[5]) for s in "BC" for c in RAW_ROWS[s] if c[1] in jambi]
    assert len(local) == 10
    b = reference.benchmark("ipp-2024", "Kota Jambi")[0]
    assert (b.nilai, b.kategori, b.peringkat, b.jumlah_pembanding) == (3.96, "B", rank, 97)
    assert rank == 70
    assert (b.jumlah_tanpa_nilai, b.tanpa_nilai_na, b.tanpa_nilai_bintang) == (1, 1, 0)
    assert b.rerata_nasional == pytest.approx(statistics.mean(values))
    assert round(b.rerata_nasional, 3) == 4.057
    assert b.median_nasional == statistics.median(values) == 4.26
    assert b.rerata_kabkota_provinsi == pytest.approx(statistics.mean(local))
    assert b.jumlah_kabkota_provinsi == 10
    assert b.kabkota_provinsi_tidak_tercantum == "Kabupaten Kerinci"
    assert (b.nilai_provinsi, b.kategori_provinsi) == (3.67, "B")


def test_components_leave_na_out_of_rank_and_mean():
    rsud = {m.ukuran: m for m in reference.benchmark("ipp-2024", "Kota Jambi")}["ipp_rsud"]
    printed = [c[3] for c in RAW_ROWS["B"]] + [c[3] for c in RAW_ROWS["D"] if c[1].startswith("Kota")]
    values = [num(c) for c in printed if num(c) is not None]
    assert rsud.jumlah_pembanding == len(values) == 92
    assert (rsud.tanpa_nilai_na, rsud.tanpa_nilai_bintang) == (1, 5)
    assert rsud.peringkat == 1 + sum(1 for v in values if v > 3.45)
    assert rsud.rerata_nasional == pytest.approx(statistics.mean(values))


def test_sakip_from_the_akip_letter():
    r24 = reference.find("sakip-2024", "Kota Jambi")
    r23 = reference.find("sakip-2023", "Kota Jambi")
    assert (r24.value.number, r24.category, r23.value.number, r23.category) == (68.64, "B", 68.35, "B")
    assert [v.number for v in r24.components.values()] == [23.09, 19.51, 10.75, 15.29]
    assert [v.number for v in r23.components.values()] == [23.01, 19.35, 10.73, 15.26]
    assert sum(v.number for v in r24.components.values()) == pytest.approx(68.64)
    src = reference.source("sakip-2024")
    assert src.categories_of(68.64) == ["B"] and src.categories_of(70) == ["B"]
    assert src.categories_of(70.01) == ["BB"] and src.categories_of(0) == ["D"]
    assert reference.resolve_source("sakip", 2024).id == "sakip-2024"
    assert reference.resolve_source("sakip", 2023).id == "sakip-2023"
    assert reference.resolve_source("sakip") is None  # two years: a form's year decides
    # one pemda only: nothing to rank against, said rather than "1 of 1"
    b = reference.benchmark("sakip-2024", "Kota Jambi")[0]
    assert b.peringkat is None and b.rerata_nasional is None


def test_shipped_data_is_what_the_build_script_makes(tmp_path):
    files = build.write(tmp_path)
    for name, text in files.items():
        assert (build.DATA / name).read_text(encoding="utf-8") == text, name
    assert sorted(p.name for p in build.DATA.iterdir()) == sorted(files)


def test_build_refuses_a_name_it_cannot_place(tmp_path, monkeypatch):
    text = RAW.read_text(encoding="utf-8").replace("Kota Jambi\t3,89", "Kota Jambu\t3,89")
    regions, aliases = build.load_regions(), build.load_aliases()
    with pytest.raises(build.BuildError, match="Kota Jambu.*nama-alias.csv"):
        build.parse_ipp(text, regions, aliases, build.parse_bands(text))


# -- the spec names its sources ---------------------------------------------------------------

def test_seed_spec_names_its_sources_and_pemda(spec):
    form = spec.form
    assert form.pemda == "Kota Jambi"
    sourced = {i.text: i.sumber for _, i in form.indicators() if i.sumber}
    assert sourced == {"Nilai SAKIP": "sakip", "Indeks Pelayanan Publik": "ipp-2024"}


@pytest.mark.parametrize("old,new,message", [
    ("pemda: Kota Jambi", "pemda: Kota Jambu", "'Kota Jambu' tidak dikenal"),
    ("sumber: ipp-2024", "sumber: ipp-2019", "sumber 'ipp-2019' tidak dikenal"),
    ("pemda: Kota Jambi", "pemda: Kabupaten Kerinci", "Kabupaten Kerinci tidak ada pada"),
])
def test_spec_source_mistakes_are_located(old, new, message):
    text = SEED_SPEC.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(DocumentError) as exc:
        parse_spec(text.replace(old, new, 1), "spec.yaml")
    assert message in str(exc.value) and "baris" in str(exc.value)


def test_a_source_without_pemda_is_a_problem():
    text = re.sub(r"^pemda:.*\n", "", SEED_SPEC.read_text(encoding="utf-8"), flags=re.M)
    with pytest.raises(DocumentError, match="memerlukan 'pemda'"):
        parse_spec(text, "spec.yaml")


# -- validation ------------------------------------------------------------------------------

def test_demo_validation_reports_sakip_and_ipp_as_matching(filled_xlsx):
    rep = validate_file(filled_xlsx)
    found = [f for f in rep.findings if f.code.startswith("REFERENCE_")]
    assert [(f.code, f.severity, f.quarter, f.ident) for f in found] == [
        ("REFERENCE_MATCH", Severity.INFO, 4, "nilai-sakip"),
        ("REFERENCE_MATCH", Severity.INFO, 4, "indeks-pelayanan-publik")]
    ipp = found[1]
    assert "3,96 sesuai KepmenPANRB 659/2024" in ipp.message and ipp.sheet == QUARTER_SHEETS[3]


def test_a_different_value_is_a_warning_naming_both(tmp_path, filled_xlsx, form):
    row = WorkbookLayout(form).quarter.indicator_rows["indeks-pelayanan-publik"]

    def change(wb):
        wb[QUARTER_SHEETS[3]][a1(row, Q.IND_REAL)] = 3.9

    path = edited(filled_xlsx, tmp_path / "ipp_lain.xlsx", change)
    found = [f for f in validate_file(path).findings if f.ident == "indeks-pelayanan-publik"
             and f.code.startswith("REFERENCE_")]
    assert len(found) == 1
    f = found[0]
    assert (f.code, f.severity, f.cell) == ("REFERENCE_MISMATCH", Severity.WARNING, a1(row, Q.IND_REAL))
    assert "3,9 berbeda" in f.message and "KepmenPANRB 659/2024" in f.message
    assert "3,96" in f.message and "Kota Jambi" in f.message


# -- recap, exports, command ----------------------------------------------------------------

@pytest.fixture(scope="module")
def recap(tmp_path_factory, filled_xlsx):
    out = tmp_path_factory.mktemp("rekap")
    subprocess.run([sys.executable, "-m", "xlkinerja", "consolidate", str(filled_xlsx),
                    "-o", str(out / "rekap.xlsx"), "--csv", str(out / "csv"),
                    "--parquet", str(out / "rekap.parquet")], check=True, capture_output=True)
    return out


def test_recap_has_pembanding_with_its_chart(recap):
    from xlkinerja.consolidation.recap_layout import PEMBANDING, SHEET_PEMBANDING, PembandingLayout

    wb = openpyxl.load_workbook(recap / "rekap.xlsx")
    ws = wb[SHEET_PEMBANDING]
    header = [c.value for c in ws[PEMBANDING.header_row + 1]][: len(PEMBANDING.columns)]
    assert header == PEMBANDING.headers
    rows = [dict(zip(PEMBANDING.keys, r)) for r in ws.iter_rows(
        min_row=PEMBANDING.first_row + 1, max_row=PEMBANDING.first_row + 10, values_only=True)]
    ipp = next(r for r in rows if r["ukuran"] == "Indeks Pelayanan Publik (IPP)")
    assert (ipp["pemda"], ipp["nilai"], ipp["kategori"], ipp["peringkat"],
            ipp["jumlah_pembanding"], ipp["tanpa_nilai"], ipp["median_nasional"],
            ipp["nilai_provinsi"]) == ("Kota Jambi", 3.96, "B", 70, 97, 1, 4.26, 3.67)
    assert ipp["dilaporkan"] == 3.96
    assert len(ws._charts) == 1  # IPP: the peers; SAKIP has none to chart (said in a line)
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("tidak ada pembanding" in t for t in texts)
    assert any("97 kota bernilai" in t and "1 kota tanpa nilai" in t for t in texts)
    first = PembandingLayout.first_block_row(len([r for r in ws.iter_rows(
        min_row=PEMBANDING.first_row + 1, values_only=True) if r[0] and r[1]]))
    assert first > PEMBANDING.first_row


def test_exports_carry_the_same_rows(recap):
    from xlkinerja.consolidation.recap_layout import PEMBANDING

    with open(recap / "csv" / "pembanding.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == PEMBANDING.keys
    ipp = next(r for r in rows if r["ukuran"] == "Indeks Pelayanan Publik (IPP)")
    assert (ipp["nilai"], ipp["peringkat"], ipp["jumlah_pembanding"]) == ("3.96", "70", "97")
    import pyarrow.parquet as pq

    table = pq.read_table(recap / "rekap_pembanding.parquet").to_pylist()
    assert len(table) == len(rows)
    p = next(r for r in table if r["ukuran"] == "Indeks Pelayanan Publik (IPP)")
    assert (p["nilai"], p["peringkat"], p["rerata_kabkota_provinsi"]) == (3.96, 70, pytest.approx(2.94))


def test_pembanding_command():
    run = subprocess.run([sys.executable, "-m", "xlkinerja", "pembanding", "Kota Jambi",
                          "--sumber", "ipp-2024"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "3,96 (B); peringkat 70 dari 97 kota" in run.stdout
    assert "rerata nasional 4,057, median 4,26" in run.stdout
    assert "nilai provinsi 3,67 (B)" in run.stdout
    as_json = subprocess.run([sys.executable, "-m", "xlkinerja", "pembanding", "15.71", "--json"],
                             capture_output=True, text=True)
    rows = json.loads(as_json.stdout)
    assert {r["sumber"] for r in rows} == {"ipp-2024", "sakip-2023", "sakip-2024"}
    bad = subprocess.run([sys.executable, "-m", "xlkinerja", "pembanding", "Kota Atlantis"],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "'Kota Atlantis' tidak ada pada data rujukan" in bad.stderr + bad.stdout
