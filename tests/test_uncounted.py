"""No amount lost quietly, values that cannot be right refused, and the template's last slips.

Entries are typed into generated workbooks the way staff do (openpyxl, like any program that
does not recalculate): amounts as text with Indonesian separators or "Rp", a percent typed
without its % sign. The formulir itself (recalculated by LibreOffice) counts what no total
counts, validation says it is not counted, the recap lists every such entry with its cell.
"""

from __future__ import annotations

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import lo
from people import Cells, edited
from xlkinerja.base.numbers import guess_amount_text, parse_number_text
from xlkinerja.consolidation import ConsolidateOptions, consolidate
from xlkinerja.consolidation.recap_layout import (INDIKATOR, SHEET_INDIKATOR, SHEET_TIDAK_DIHITUNG,
                                                  RecapLayout)
from xlkinerja.findings import Severity
from xlkinerja.form.nip import parse_nip
from xlkinerja.validation.rules import validate_file
from xlkinerja.workbook.layout import Q, R, SHEET_REKAP, WorkbookLayout

TEXT_A = "Pengelolaan Administrasi Kewilayahan"  # two sub kegiatan of the seed
TEXT_B = "Fasilitasi Kerja Sama Dalam Negeri"


@pytest.fixture(scope="module")
def typed(filled_xlsx, form, tmp_path_factory):
    """The seed's filled form with, on TW II, two amounts typed as text and, on TW IV, the
    BUMD/BLUD percent typed as 66.5 (6.650 %) instead of 66,5 %."""
    c = Cells(form)
    base = tmp_path_factory.mktemp("ketik")
    bumd = next(i for _, i in form.indicators() if i.unit == "%")

    def change(wb):
        wb["TW II"][c.realisasi(TEXT_A)] = "1.250.000"
        wb["TW II"][c.realisasi(TEXT_B)] = "Rp 95.000.000"
        wb["TW IV"][c.ind_realisasi(bumd.text)] = 66.5

    path = edited(filled_xlsx, base / "2024_4.01_setda.xlsx", change)
    return path, c, bumd, base


def test_parse_and_hints_for_the_ways_rupiah_is_written():
    assert parse_number_text("537.500.000,-").value == 537_500_000
    assert parse_number_text("Rp. 1.000.000,00").value == 1_000_000
    assert parse_number_text("1.250.000,-").value == 1_250_000
    assert parse_number_text("1,25 M") is None  # never counted: only a hint
    assert guess_amount_text("1,25 M") == 1_250_000_000
    assert guess_amount_text("Rp 1,5 jt") == 1_500_000
    assert guess_amount_text("lima juta") is None


def test_validate_says_text_amounts_are_not_counted(typed):
    path, c, bumd, _ = typed
    report = validate_file(path)
    texts = [f for f in report.findings if f.code == "ENTRY_NOT_NUMBER"]
    assert sorted(f.cell for f in texts) == sorted([c.realisasi(TEXT_A), c.realisasi(TEXT_B)])
    for f in texts:
        assert f.severity is Severity.ERROR and f.sheet == "TW II"
        assert "tidak dihitung dalam jumlah" in f.message
    by_cell = {f.cell: f.message for f in texts}
    assert "kemungkinan maksudnya 1.250.000" in by_cell[c.realisasi(TEXT_A)]
    assert "kemungkinan maksudnya 95.000.000" in by_cell[c.realisasi(TEXT_B)]


def test_a_percent_on_the_wrong_scale_is_an_error_not_counted(typed):
    path, c, bumd, _ = typed
    report = validate_file(path)
    (f,) = [f for f in report.findings if f.code == "ENTRY_PERCENT_SCALE"]
    assert f.severity is Severity.ERROR and f.sheet == "TW IV" and f.cell == c.ind_realisasi(bumd.text)
    assert "6.650%" in f.message and "66,5%" in f.message and "tidak dihitung" in f.message
    # and the entries every figure is made of leave it out
    from xlkinerja.workbook import calc

    entry = report.submission.entries()[4].indikator[bumd.id]
    assert calc.indicator_value(entry.realisasi, bumd) is None


@pytest.mark.libreoffice
def test_the_formulir_counts_and_marks_what_no_total_counts(typed, form, soffice):
    path, c, bumd, base = typed
    out = lo.recalculate([path], base / "recalc", soffice=soffice)[0]
    book = CalamineWorkbook.from_path(str(out))
    L = WorkbookLayout(form)
    tw2 = book.get_sheet_by_name("TW II").to_python()
    assert tw2[L.quarter.total_row][Q.KET] == "2 isian tidak terhitung"
    tw1 = book.get_sheet_by_name("TW I").to_python()
    assert tw1[L.quarter.total_row][Q.KET] == ""
    # the wrong-scale percent gives no capaian on TW IV and is blank in Rekap Tahunan
    r = L.quarter.indicator_rows[bumd.id]
    tw4 = book.get_sheet_by_name("TW IV").to_python()
    assert tw4[r][Q.IND_REAL] == 66.5 and tw4[r][Q.CAPAIAN] == ""
    rekap = book.get_sheet_by_name(SHEET_REKAP).to_python()
    assert rekap[L.rekap.indicator_rows[bumd.id]][R.TW4] == ""
    # the red mark: one rule over exactly the realisasi cells of the sub kegiatan
    ws = openpyxl.load_workbook(out)["TW II"]
    rules = [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules
             if rule.formula and "ISBLANK" in rule.formula[0]]
    assert len(rules) == 1
    sqref, rule = rules[0]
    covered = set()
    for part in sqref.split():
        lo_, _, hi = part.partition(":")
        first, last = int(lo_[1:]), int((hi or lo_)[1:])
        assert lo_[0] == "K"
        covered |= set(range(first, last + 1))
    assert covered == {L.quarter.budget_rows[leaf.id] + 1 for leaf in form.leaves()}


def test_the_recap_lists_every_entry_not_counted(typed, tmp_path):
    path, c, bumd, _ = typed
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    (inbox / path.name).write_bytes(path.read_bytes())
    summary = consolidate([inbox], ConsolidateOptions(output=tmp_path / "rekap.xlsx", progress=False))
    assert summary.n_uncounted == 3
    wb = openpyxl.load_workbook(tmp_path / "rekap.xlsx")
    rows = [r for r in wb[SHEET_TIDAK_DIHITUNG].iter_rows(min_row=5, values_only=True) if r[0]]
    got = {(r[3], r[4], r[5], r[6], r[8]) for r in rows}
    assert got == {("TW II", "TW II", c.realisasi(TEXT_A), "Anggaran", "1.250.000"),
                   ("TW II", "TW II", c.realisasi(TEXT_B), "Anggaran", "Rp 95.000.000"),
                   ("TW IV", "TW IV", c.ind_realisasi(bumd.text), "Indikator", "66,5")}
    assert all(r[0] == "4.01" and r[2] == path.name for r in rows)
    # the 6650 is not in the recap's Indikator sheet
    ind = [r for r in wb[SHEET_INDIKATOR].iter_rows(min_row=5, values_only=True)
           if r[INDIKATOR.col("id")] == bumd.id]
    assert ind and ind[0][INDIKATOR.col("tw_iv")] is None
    L = RecapLayout
    assert wb["Ringkasan"].cell(L.header_row + 1, L.TOTAL + 1).value == "REALISASI SETAHUN"


def test_nip_with_sequence_000_is_refused():
    nip, why = parse_nip("196611071985121000")
    assert nip is None and "000" in why and "15 digit" in why
    assert parse_nip("196611071985121001")[0].sequence == 1


def test_master_kode_opd_mistyped_on_one_line_holds_back_the_real_opd(tmp_path):
    """1.1 typed for 1.01 on one budget line whose Nama OPD is 1.01's: "mungkin maksudnya
    1.01", and 1.01 is not generated (its form would be one sub kegiatan and 2,6 M short)."""
    from test_master_mistakes import ANGGARAN, INDIKATOR, OPD, Planted, budget, good_indicator, \
        good_lines, opd, run
    from xlkinerja.form.master import read_master
    from xlkinerja.workbook.masterwriter import write_master_xlsx

    p = Planted()
    p.add(OPD, opd("1.01", "Dinas Pendidikan"))
    p.add(OPD, opd("1.02", "Dinas Kesehatan"))
    good_lines(p, "1.01")
    p.add(ANGGARAN, budget("1.1", "Sub B", "Sub Kegiatan", 2_600_000_000, nama_opd="Dinas Pendidikan"))
    good_lines(p, "1.02")
    good_indicator(p, "1.01")
    good_indicator(p, "1.02")
    path = write_master_xlsx(p.rows, tmp_path / "master.xlsx")
    master = read_master([path])
    by_code = {o.code: o for o in master.opds}
    assert by_code["1.02"].spec is not None
    assert by_code["1.01"].spec is None
    (held,) = by_code["1.01"].problems
    assert held.cell == "Anggaran!A5"
    assert "mungkin maksudnya 1.01" in held.message and "2.600.000.000" in held.message
    unknown = by_code["1.1"].problems[0]
    assert "mungkin maksudnya 1.01" in unknown.message and unknown.cell == "Anggaran!A5"
    proc = run("generate", "--master", str(path), "--out", str(tmp_path / "keluar"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert [x.name for x in (tmp_path / "keluar").iterdir()] == ["2024_1.02_dinas-kesehatan.xlsx"]
    assert "mungkin maksudnya 1.01" in proc.stderr


def test_a_form_issued_with_template_1_is_still_read(form, entries):
    """tests/data/formulir_v1_terisi.xlsx: the seed's filled form as xlkinerja wrote it before
    the cumulative columns (template 1: KETERANGAN in column 13, no capaian note row). Its
    entries are read by identity at their old places, one info says formulas are not checked."""
    from pathlib import Path

    path = Path(__file__).parent / "data" / "formulir_v1_terisi.xlsx"
    report = validate_file(path)
    codes = [f.code for f in report.findings]
    assert "IDENTITY_OLD_TEMPLATE" in codes and not report.has_errors, codes
    assert not any(c.startswith("INTEGRITY_") for c in codes), codes
    got = report.submission.entries()
    for q in (1, 2, 3, 4):
        for ident, e in entries[q].budget.items():
            assert got[q].budget[ident].realisasi == e.realisasi, (q, ident)
            assert got[q].budget[ident].keterangan == e.keterangan, (q, ident)
        for ident, e in entries[q].indikator.items():
            assert got[q].indikator[ident].keterangan == e.keterangan, (q, ident)
        assert got[q].uraian_permasalahan == entries[q].uraian_permasalahan
