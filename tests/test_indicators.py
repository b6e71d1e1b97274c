"""Every kind of indicator gives the figures its definition says, in LibreOffice and in Python.

A Dinas Kesehatan form with one indicator of each kind (polarity higher / lower / range; the year
as last, sum, average or "tidak turun"; with and without quarter targets; target 0 both ways),
filled for TW I..III. The expected capaian below are worked out by hand from the definitions in
docs/jenis-indikator.md, not by xlkinerja: the workbook is written without cached results,
recalculated by LibreOffice, and must show them; the generator's cached values and validation
must agree.
"""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

import lo
from xlkinerja.form.spec import parse_fill, parse_spec
from xlkinerja.workbook import calc
from xlkinerja.workbook.formulas import FormulaMap, quarter_values, rekap_values
from xlkinerja.workbook.layout import QUARTER_SHEETS, Q, R, SHEET_REKAP, WorkbookLayout
from xlkinerja.workbook.writer import write_workbook

SPEC = """\
format: xlkinerja-spec/1
opd: {code: "1.02", name: Dinas Kesehatan Kota Contoh}
year: 2024
signatory: {jabatan: KEPALA DINAS, name: dr. Contoh, pangkat: Pembina, nip: "197203151998032002"}
sasaran:
  - text: Meningkatnya derajat kesehatan masyarakat
    indikator:
      - {id: ibu, text: Jumlah kematian ibu, target: 0, unit: kasus, cara_pengukuran: jumlah,
         polarity: lower, annual_value: sum}
      - {id: akb, text: Angka Kematian Bayi, target: 12, unit: kasus, cara_pengukuran: jumlah,
         polarity: lower, annual_value: sum}
      - {id: akb-tw, text: Kematian bayi dengan target triwulan, target: 12, unit: kasus,
         cara_pengukuran: jumlah, polarity: lower, annual_value: sum, quarter_targets: [3, 3, 3, 3]}
      - {id: imunisasi, text: Cakupan imunisasi dasar lengkap, target: 95, unit: "%",
         cara_pengukuran: persen, annual_value: tidak turun, quarter_targets: [25, 50, 75, 95]}
      - {id: tunggu, text: Rata-rata waktu tunggu, target: 30, unit: menit, cara_pengukuran: rata,
         polarity: lower, annual_value: average}
      - {id: kunjungan, text: Rata-rata kunjungan, target: 100, unit: orang, cara_pengukuran: rata,
         annual_value: average, quarter_targets: [90, 100, 110, 100]}
      - {id: kepuasan, text: Indeks kepuasan, target: 80, unit: indeks, cara_pengukuran: survei}
      - {id: rasio, text: Rasio dokter, target: [10, 15], unit: rasio, cara_pengukuran: rasio,
         polarity: range}
      - {id: nol, text: Dokumen nol, target: 0, unit: dokumen, cara_pengukuran: jumlah}
program:
  - name: Program Kesehatan
    kegiatan:
      - name: Kegiatan A
        sub_kegiatan:
          - {id: a1, name: Sub A1, pagu: 100000000}
          - {id: a2, name: Sub A2, pagu: 50000000}
"""

FILL = """\
format: xlkinerja-isian/1
triwulan:
  I:
    anggaran: {a1: 10000000, a2: 5000000}
    indikator: {ibu: 0, akb: 3, akb-tw: 3, imunisasi: 30, tunggu: 40, kunjungan: 95,
                kepuasan: 70, rasio: 8, nol: 1}
  II:
    anggaran: {a1: 20000000}
    indikator: {ibu: 1, akb: 4, akb-tw: 4, imunisasi: 45, tunggu: 20, kunjungan: 100,
                kepuasan: 85, rasio: 16, nol: 1}
  III:
    anggaran: {a1: 30000000, a2: 10000000}
    indikator: {ibu: 0, akb: 2, akb-tw: 5, imunisasi: 40, tunggu: 33, kunjungan: 120,
                kepuasan: 82, rasio: 12, nol: 0}
"""

# capaian shown on the quarter sheets (capped at 100 %), by hand:
QUARTER_CAPAIAN = {
    # lower, target 0, sum: the value so far 0 is the best result; any death is 0 %
    "ibu": (1.0, 0.0, 0.0),
    # lower, sum, no quarter targets: so far 3, 7, 9 against 12: (24 - x) / 12 = 175 %, 142 %, 125 %
    "akb": (1.0, 1.0, 1.0),
    # with quarter targets 3: the quarter's own value: (6 - 3) / 3, (6 - 4) / 3, (6 - 5) / 3
    "akb-tw": (1.0, 2 / 3, 1 / 3),
    # percent, quarter targets 25, 50, 75: 30 / 25 (capped), 45 / 50, 40 / 75
    "imunisasi": (1.0, 0.9, 40 / 75),
    # lower, average, no quarter targets: average so far 40, 30, 31 against 30
    "tunggu": ((60 - 40) / 30, 1.0, (60 - 31) / 30),
    # average with quarter targets: 95 / 90 (capped), 100 / 100, 120 / 110 (capped)
    "kunjungan": (1.0, 1.0, 1.0),
    "kepuasan": (70 / 80, 1.0, 1.0),
    # range 10..15: below 8 / 10; above (30 - 16) / 15; inside
    "rasio": (0.8, 14 / 15, 1.0),
    "nol": (None, None, None),  # higher-is-better with target 0: no capaian
}

# Rekap Tahunan after TW III: (realisasi s.d. TW III, target it is compared with, raw capaian)
REKAP = {
    "ibu": (1, 0, 0.0),
    "akb": (9, 12, (24 - 9) / 12),
    "akb-tw": (12, 9, (18 - 12) / 9),  # the quarter targets so far: 3 + 3 + 3
    "imunisasi": (0.45, 0.75, 45 / 75),  # highest so far against the highest target so far
    "tunggu": (31, 30, (60 - 31) / 30),
    "kunjungan": (105, 100, 105 / 100),  # average of values and of the quarter targets so far
    "kepuasan": (82, 80, 82 / 80),
    "rasio": (12, None, 1.0),
    "nol": (0, 0, None),
}


@pytest.fixture(scope="module")
def dinkes():
    spec = parse_spec(SPEC, "dinkes.yaml")
    return spec, parse_fill(FILL, spec.form, "dinkes.isian.yaml")


@pytest.fixture(scope="module")
def recalculated(dinkes, tmp_path_factory, soffice):
    spec, entries = dinkes
    base = tmp_path_factory.mktemp("dinkes")
    cached = write_workbook(spec.form, base / "dinkes.xlsx", entries=entries)
    nocache = write_workbook(spec.form, base / "dinkes_tanpa_cache.xlsx", entries=entries,
                             cached_results=False)
    out = lo.recalculate([nocache], base / "recalc", soffice=soffice)[0]
    grid = lambda path: {name: CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
                         for name in (*QUARTER_SHEETS, SHEET_REKAP)}
    return grid(cached), grid(out)


def test_spec_notes_where_capaian_cannot_be_defined_or_misleads(dinkes):
    spec, _ = dinkes
    notes = [(n.line, n.message) for n in spec.notes]
    assert any("target 0 dengan polaritas naik" in m for _, m in notes)  # "nol"
    assert any("jumlah tanpa target triwulan" in m and "(12)" in m for _, m in notes)  # "akb"
    # the target-0 sum (every death is 0 %) and the indicators with quarter targets are fine
    assert len(notes) == 2, notes
    bad = SPEC.replace("quarter_targets: [3, 3, 3, 3]", "quarter_targets: [3, 3, 3, 2]")
    notes = parse_spec(bad, "x.yaml").notes
    assert any("jumlah target TW I..IV (11) tidak sama dengan target tahunan (12)" in n.message
               for n in notes)


@pytest.mark.libreoffice
@pytest.mark.parametrize("q", [1, 2, 3])
def test_quarter_capaian_of_every_kind_in_libreoffice(q, dinkes, recalculated):
    spec, _ = dinkes
    L = WorkbookLayout(spec.form).quarter
    cached, engine = recalculated
    for ident, want in QUARTER_CAPAIAN.items():
        r = L.indicator_rows[ident]
        for grid in (engine, cached):
            got = grid[QUARTER_SHEETS[q - 1]][r][Q.CAPAIAN]
            if want[q - 1] is None:
                assert got == "", (ident, q, got)
            else:
                assert got == pytest.approx(want[q - 1], abs=1e-12), (ident, q, got)


@pytest.mark.libreoffice
def test_rekap_tahunan_of_every_kind_in_libreoffice(dinkes, recalculated):
    spec, _ = dinkes
    K = WorkbookLayout(spec.form).rekap
    cached, engine = recalculated
    for grid in (engine, cached):
        ws = grid[SHEET_REKAP]
        assert ws[K.indicator_header_top][R.TOTAL] == "REALISASI s.d. TW III"
        assert ws[K.budget_header_top][R.TOTAL] == "REALISASI s.d. TW III"
        for ident, (final, target, raw) in REKAP.items():
            r = K.indicator_rows[ident]
            assert ws[r][R.TOTAL] == pytest.approx(final), ident
            if target is not None:
                assert ws[r][R.PAGU] == pytest.approx(target), ident
            if raw is None:
                assert ws[r][R.PERSEN] == "", ident
            else:
                assert ws[r][R.PERSEN] == pytest.approx(raw, abs=1e-12), ident
                assert ws[r][R.SISA] == pytest.approx(min(raw, 1.0), abs=1e-12), ident


@pytest.mark.libreoffice
def test_cumulative_columns_are_the_sums_of_the_quarters(dinkes, recalculated):
    spec, entries = dinkes
    form = spec.form
    L = WorkbookLayout(form).quarter
    cached, engine = recalculated
    for q in (1, 2, 3, 4):
        for grid in (engine, cached):
            ws = grid[QUARTER_SHEETS[q - 1]]
            assert ws[L.header_top][Q.REAL_SD] == f"REALISASI s.d. TW {['I', 'II', 'III', 'IV'][q - 1]}"
            for row in form.leaves():
                r = L.budget_rows[row.id]
                # the sum of what the quarter sheets TW I..q show in REALISASI
                quarters = [grid[QUARTER_SHEETS[k]][r][Q.REAL] for k in range(q)]
                total = sum(v for v in quarters if isinstance(v, float))
                assert ws[r][Q.REAL_SD] == total, (q, row.name)
                assert ws[r][Q.PERSEN_SD] == pytest.approx(total / row.pagu)
            t = L.total_row
            totals = [grid[QUARTER_SHEETS[k]][t][Q.REAL] for k in range(q)]
            assert ws[t][Q.REAL_SD] == sum(v for v in totals if isinstance(v, float))
    tw3 = engine[QUARTER_SHEETS[2]]
    assert tw3[L.total_row][Q.REAL_SD] == 75_000_000 and tw3[L.total_row][Q.PERSEN_SD] == 0.5


def test_python_twins_and_validation_use_the_same_definition(dinkes):
    spec, entries = dinkes
    form = spec.form
    fm = FormulaMap(form, WorkbookLayout(form))
    L, K = fm.layout.quarter, fm.layout.rekap
    for q in (1, 2, 3):
        values = quarter_values(fm, entries, q)
        for ident, want in QUARTER_CAPAIAN.items():
            got = values[(L.indicator_rows[ident], Q.CAPAIAN)]
            assert got == (None if want[q - 1] is None else pytest.approx(want[q - 1])), (ident, q)
    rekap = rekap_values(fm, entries)
    for ident, (_, _, raw) in REKAP.items():
        got = rekap[(K.indicator_rows[ident], R.PERSEN)]
        assert got == (None if raw is None else pytest.approx(raw)), ident


def test_target_zero_both_polarities():
    from xlkinerja.form.model import CapaianSettings, Indikator, LowerFormula, Polarity

    pmk, inverse = CapaianSettings(), CapaianSettings(lower_formula=LowerFormula.INVERSE)
    lower = Indikator("x", "x", 0, "kasus", "x", polarity=Polarity.LOWER)
    higher = Indikator("y", "y", 0, "dokumen", "y", polarity=Polarity.HIGHER)
    for settings in (pmk, inverse):
        assert calc.capaian_raw(0, lower, settings) == 1.0
        assert calc.capaian_raw(2, lower, settings) == 0.0
    assert calc.capaian_raw(0, higher, pmk) is None and calc.capaian_raw(3, higher, pmk) is None
    zero_range = Indikator("z", "z", 0, "kasus", "z", polarity=Polarity.RANGE, target_high=0)
    assert calc.capaian_raw(0, zero_range, pmk) == 1.0 and calc.capaian_raw(1, zero_range, pmk) == 0.0


def test_running_labels():
    assert calc.running_label(None) == "REALISASI s.d. TW I"
    assert calc.running_label(2) == "REALISASI s.d. TW II"
    assert calc.running_label(4) == "REALISASI SETAHUN"


def test_docs_table_of_jenis_indikator_matches_the_code():
    """docs/jenis-indikator.md names every kind, and its worked examples are what calc gives."""
    from pathlib import Path

    from xlkinerja.form.formcheck import ANNUAL, POLARITY
    from xlkinerja.form.model import Annual, CapaianSettings, Indikator, LowerFormula, Polarity

    doc = (Path(__file__).resolve().parents[1] / "docs" / "jenis-indikator.md").read_text("utf-8")
    assert "## Tabel jenis indikator" in doc
    for word in ("naik", "turun", "rentang", "terakhir", "jumlah", "rata-rata", "tidak turun"):
        assert f"| {word}" in doc and word in {**POLARITY, **ANNUAL}, word
    pmk, inverse = CapaianSettings(display_cap=None), CapaianSettings(
        display_cap=None, lower_formula=LowerFormula.INVERSE)
    lower = Indikator("x", "x", 8, "bulan", "x", polarity=Polarity.LOWER)
    assert round(calc.capaian_raw(9, lower, pmk), 3) == 0.875
    assert round(calc.capaian_raw(9, lower, inverse), 3) == 0.889
    rng = Indikator("r", "r", 10, "rasio", "r", polarity=Polarity.RANGE, target_high=15)
    assert [round(calc.capaian_raw(v, rng, pmk), 3) for v in (8, 12, 16)] == [0.8, 1.0, 0.933]
    values = [3, 4, 2]
    assert [calc.annual_realisasi(values, a) for a in
            (Annual.LAST, Annual.SUM, Annual.AVERAGE, Annual.NONDECREASING)] == [2, 9, 3, 4]
    assert "6.650 %" in doc and "1.000 %" in doc and '"2 isian tidak terhitung"' in doc
