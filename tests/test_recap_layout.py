"""The recap's positions come from its layout object, its formulas from calc.

A recap written by the product is read back at the positions :mod:`recap_layout` names: headers
where the layout puts them, the exports' columns the long tables' keys, every formula of
Ringkasan and Grafik the text :mod:`xlkinerja.workbook.calc` makes for those positions, with
the cached value calc's Python twin gives.
"""

from __future__ import annotations

import csv

import openpyxl
import pytest

from xlkinerja.consolidation import ConsolidateOptions, consolidate
from xlkinerja.consolidation.figures import BUDGET_COLUMNS, INDICATOR_COLUMNS
from xlkinerja.consolidation.recap_layout import (INDIKATOR, LONG_TABLES, RINCIAN, SHEET_GRAFIK,
                                                  SHEET_RINGKASAN, SHEET_STATUS, TEMUAN, GrafikLayout,
                                                  TIDAK_DIHITUNG, RecapLayout, StatusLayout,
                                                  indikator_table)
from xlkinerja.consolidation.run import FINDING_COLUMNS
from xlkinerja.form.model import QUARTERS, ROMAN
from xlkinerja.workbook import calc
from xlkinerja.workbook.layout import LAST_PRINTED_COL, Q, a1, printed_col, sheet_ref


@pytest.fixture(scope="module")
def recap(tmp_path_factory, filled_xlsx, blank_xlsx):
    root = tmp_path_factory.mktemp("tata")
    masuk = root / "masuk"
    masuk.mkdir()
    (masuk / "terisi.xlsx").write_bytes(filled_xlsx.read_bytes())
    (masuk / "salinan.xlsx").write_bytes(filled_xlsx.read_bytes())  # a duplicate: a finding
    (masuk / "rusak.xlsx").write_bytes(b"bukan berkas excel")  # rejected: a finding
    out = root / "rekap.xlsx"
    consolidate([masuk], ConsolidateOptions(output=out, csv_dir=root / "csv", jobs=1))
    return out, root / "csv"


def test_exports_and_long_sheets_share_their_columns(recap):
    out, csv_dir = recap
    assert BUDGET_COLUMNS == RINCIAN.keys and INDICATOR_COLUMNS == INDIKATOR.keys
    assert FINDING_COLUMNS == TEMUAN.keys
    wb = openpyxl.load_workbook(out)
    # the seed's file fills TW IV: the running value is "Realisasi Setahun"
    indikator = indikator_table(4)
    assert indikator.headers[INDIKATOR.col("realisasi_akhir")] == "Realisasi Setahun"
    for name, table in (("rincian_anggaran", RINCIAN), ("indikator", indikator),
                        ("temuan_validasi", TEMUAN)):
        with open(csv_dir / f"{name}.csv", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == table.keys
        assert len(rows) > 1 and {len(r) for r in rows} == {len(table.columns)}, name
        ws = wb[table.sheet]
        header = [ws.cell(table.header_row + 1, c + 1).value for c in range(len(table.columns))]
        assert header == table.headers
        assert ws.cell(table.header_row + 1, table.last_col + 2).value is None
        assert list(ws.tables.values())[0].ref.startswith(a1(table.header_row, 0) + ":")
        assert ws.column_dimensions["A"].width == pytest.approx(table.widths[0], abs=1)
    assert set(LONG_TABLES) == {RINCIAN.sheet, INDIKATOR.sheet, TIDAK_DIHITUNG.sheet, TEMUAN.sheet}


def test_rincian_percent_is_calcs_formula_at_the_layouts_columns(recap):
    out, _ = recap
    ws = openpyxl.load_workbook(out)[RINCIAN.sheet]
    pct, real, pagu = RINCIAN.percent_cols()
    assert (pct, real, pagu) == (RINCIAN.col("persen"), RINCIAN.col("realisasi"), RINCIAN.col("pagu"))
    r = RINCIAN.first_row
    assert ws.cell(r + 1, pct + 1).value == "=" + calc.percent_formula(a1(r, real), a1(r, pagu))


def test_ringkasan_and_grafik_formulas_are_calcs(recap):
    out, _ = recap
    wb = openpyxl.load_workbook(out)
    values = openpyxl.load_workbook(out, data_only=True)
    L = RecapLayout
    ws, cached = wb[SHEET_RINGKASAN], values[SHEET_RINGKASAN]
    assert [ws.cell(L.header_row + 1, c + 1).value for c in range(len(L.columns))] == L.headers
    n = 1  # one OPD
    r, t = L.first_row, L.total_row(n)

    def formula(row, col):
        return ws.cell(row + 1, col + 1).value

    def value(row, col):
        return cached.cell(row + 1, col + 1).value

    assert formula(r, L.TOTAL) == "=" + calc.sum_formula([f"{a1(r, L.TW1)}:{a1(r, L.TW4)}"])
    assert formula(r, L.PERSEN) == "=" + calc.percent_formula(a1(r, L.TOTAL), a1(r, L.PAGU))
    column = {c: [f"{a1(L.first_row, c)}:{a1(L.last_opd_row(n), c)}"] for c in range(len(L.columns))}
    assert formula(t, L.PAGU) == "=" + calc.plain_sum_formula(column[L.PAGU])
    for c in (*L.TW, L.TOTAL):
        assert formula(t, c) == "=" + calc.sum_formula(column[c])
    assert formula(t, L.CAPAIAN) == "=" + calc.average_formula(column[L.CAPAIAN])
    for c in (L.N_IND, L.N_UKUR, L.GALAT, L.PERINGATAN):
        assert formula(t, c) == "=" + calc.plain_sum_formula(column[c])
    # the cached values are the Python twins' of the OPD row above
    tw = [value(r, c) for c in L.TW]
    assert value(r, L.TOTAL) == calc.blank_sum(tw)
    assert value(r, L.PERSEN) == pytest.approx(calc.budget_percent(calc.blank_sum(tw), value(r, L.PAGU)))
    assert value(t, L.TOTAL) == value(r, L.TOTAL) and value(t, L.PAGU) == value(r, L.PAGU)
    g, G = wb[SHEET_GRAFIK], GrafikLayout
    for q, col in zip(QUARTERS, L.TW):
        assert g.cell(G.quarter_row(q) + 1, G.LABEL + 1).value == f"TW {ROMAN[q]}"
        assert g.cell(G.quarter_row(q) + 1, G.VALUE + 1).value == "=" + sheet_ref(SHEET_RINGKASAN, t, col)


def test_status_pengiriman_at_the_layouts_positions(recap):
    out, _ = recap
    ws = openpyxl.load_workbook(out)[SHEET_STATUS]
    S = StatusLayout
    for q in QUARTERS:
        assert ws.cell(S.header_top + 1, S.block(q) + 1).value == f"TRIWULAN {ROMAN[q]}"
        for j, text in enumerate(S.block_headers):
            assert ws.cell(S.header_bottom + 1, S.block(q) + j + 1).value == text
    assert S.last_col() == S.block(QUARTERS[-1]) + len(S.block_headers) - 1
    title = S.files_title_row(1)
    assert ws.cell(title + 1, 1).value == "SEMUA BERKAS YANG DIBACA"
    assert [ws.cell(title + 2, c + 1).value for c in range(len(S.files_headers))] == list(S.files_headers)
    assert ws.cell(title + 3 + 2, S.F_BERKAS + 1).value is not None  # three files read


def test_adding_a_column_is_one_edit_in_the_layout():
    """A column put into a long table's list moves the others and their formula with it."""
    from dataclasses import replace

    from xlkinerja.consolidation.recap_layout import Col

    cols = list(RINCIAN.columns)
    cols.insert(RINCIAN.col("pagu"), Col("pagu_murni", "Pagu Murni", 17))
    wider = replace(RINCIAN, columns=tuple(cols))
    assert wider.percent_cols() == tuple(c + 1 for c in RINCIAN.percent_cols())
    assert wider.last_col == RINCIAN.last_col + 1 and wider.keys[RINCIAN.col("pagu")] == "pagu_murni"


def test_average_formula_stays_an_average_past_excels_argument_limit():
    refs = [f"A{i}" for i in range(1, 451)]
    text = calc.average_formula(refs)
    assert "AVERAGE" not in text and text.count("COUNT(") == 6  # SUM/COUNT, each in 3 chunks
    assert calc.average_formula(["A1:A9"]) == 'IF(COUNT(A1:A9)=0,"",AVERAGE(A1:A9))'
    assert calc.blank_average([None, 1, 2]) == 1.5 and calc.blank_average([None]) is None
    assert calc.blank_sum([None, None]) is None and calc.blank_sum([0, None]) == 0


def test_printed_column_numbers_are_the_layouts(blank_xlsx):
    ws = openpyxl.load_workbook(blank_xlsx)["TW I"]
    from xlkinerja.workbook.layout import QuarterLayout

    row = QuarterLayout.number_row
    assert [ws.cell(row + 1, c + 1).value for c in range(LAST_PRINTED_COL + 1)] == \
        [printed_col(c) for c in Q if c <= LAST_PRINTED_COL]
    # the seed's form prints 8 and 13; the cumulative REALISASI s.d. TW (13, 14) moved KETERANGAN
    assert (printed_col(Q.IND_KET), printed_col(Q.REAL_SD), printed_col(Q.KET)) == (8, 13, 15)
    with pytest.raises(ValueError):
        printed_col(Q.ROW_ID)
