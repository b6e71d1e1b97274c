"""The formulas compute the seed's printed figures in a real spreadsheet engine.

The workbook is written with every cached formula result set to 0 and recalculated by
LibreOffice headless; the figures read back must equal what the four printed forms of Setda
Kota Jambi 2024 show, row by row: pagu, realisasi and % of every program, kegiatan and sub
kegiatan, Total Anggaran, and the indicators' capaian.
"""

from __future__ import annotations

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xlkinerja.workbook.layout import QUARTER_SHEETS, Q, R, SHEET_REKAP, WorkbookLayout
from xlkinerja.base.numbers import parse_number_text

pytestmark = pytest.mark.libreoffice


def _amount(text: str) -> int:
    return int(parse_number_text(text).value)


def _percent_text(value) -> str:
    """A computed fraction as the form prints it: 0.17749... -> '17,75%'."""
    return f"{value * 100:.2f}".replace(".", ",") + "%"


def _rows_by_name(form):
    return {row.name: row for row in form.budget_rows()}


@pytest.fixture(scope="module")
def recalc_values(recalculated_filled):
    return openpyxl.load_workbook(recalculated_filled, data_only=True)


@pytest.mark.parametrize("q", [1, 2, 3, 4])
def test_every_printed_budget_figure_is_computed(q, form, printed, recalc_values):
    layout = WorkbookLayout(form)
    ws = recalc_values[QUARTER_SHEETS[q - 1]]
    by_name = _rows_by_name(form)
    rows = printed["quarters"][["I", "II", "III", "IV"][q - 1]]["anggaran"]
    assert len(rows) >= 34
    checked = 0
    for p in rows:
        row = by_name[p["uraian"]]
        r = layout.quarter.budget_rows[row.id] + 1
        pagu, real, pct = (ws.cell(r, Q.PAGU + 1).value, ws.cell(r, Q.REAL + 1).value,
                           ws.cell(r, Q.PERSEN + 1).value)
        assert pagu == _amount(p["pagu"]), (q, p["uraian"], "pagu")
        assert real == _amount(p["realisasi"]), (q, p["uraian"], "realisasi")
        assert _percent_text(pct) == p["persen"], (q, p["uraian"], pct)
        checked += 1
    assert checked == len(rows)


def test_named_examples_from_the_issue(form, recalc_values):
    layout = WorkbookLayout(form)
    tw1 = recalc_values["TW I"]
    program = next(p for p in form.programs if p.name == "Program Pemerintahan dan Kesejahteraan Rakyat")
    r = layout.quarter.budget_rows[program.id] + 1
    assert tw1.cell(r, Q.REAL + 1).value == 4_497_357_736
    assert _percent_text(tw1.cell(r, Q.PERSEN + 1).value) == "17,75%"
    tw4 = recalc_values["TW IV"]
    t = layout.quarter.total_row + 1
    assert tw4.cell(t, Q.PAGU + 1).value == 71_845_569_394
    assert tw4.cell(t, Q.REAL + 1).value == 19_804_788_314
    assert _percent_text(tw4.cell(t, Q.PERSEN + 1).value) == "27,57%"


def test_total_anggaran_printed_on_tw_iv(form, printed, recalc_values):
    layout = WorkbookLayout(form)
    ws = recalc_values["TW IV"]
    t = layout.quarter.total_row + 1
    total = printed["quarters"]["IV"]["total_anggaran"]
    assert ws.cell(t, Q.PAGU + 1).value == _amount(total["pagu"])
    assert ws.cell(t, Q.REAL + 1).value == _amount(total["realisasi"])
    assert _percent_text(ws.cell(t, Q.PERSEN + 1).value) == total["persen"]


@pytest.mark.parametrize("q", [1, 2, 3, 4])
def test_indicator_capaian_as_printed(q, form, printed, recalc_values):
    layout = WorkbookLayout(form)
    ws = recalc_values[QUARTER_SHEETS[q - 1]]
    inds = {i.text: i for _, i in form.indicators()}
    for p in printed["quarters"][["I", "II", "III", "IV"][q - 1]]["indikator"]:
        ind = inds[p["indikator"]]
        r = layout.quarter.indicator_rows[ind.id] + 1
        capaian = ws.cell(r, Q.CAPAIAN + 1).value
        if p["capaian"]:
            assert f"{round(capaian * 100)}%" == p["capaian"], (q, ind.text, capaian)
        else:  # "-" or not yet available: no capaian, and no error either
            assert capaian in (None, ""), (q, ind.text, capaian)


def test_rekap_tahunan_sums_the_quarters(form, entries, recalc_values):
    layout = WorkbookLayout(form)
    ws = recalc_values[SHEET_REKAP]
    for row in form.leaves():
        r = layout.rekap.budget_rows[row.id] + 1
        quarters = [entries[q].budget.get(row.id) for q in (1, 2, 3, 4)]
        values = [e.realisasi for e in quarters if e is not None and e.realisasi is not None]
        assert ws.cell(r, R.TOTAL + 1).value == sum(values), row.name
        assert ws.cell(r, R.SISA + 1).value == row.pagu - sum(values), row.name
    t = layout.rekap.budget_total_row + 1
    year = ws.cell(t, R.TOTAL + 1).value
    assert ws.cell(t, R.PAGU + 1).value == 71_845_569_394
    tw = [ws.cell(t, c + 1).value for c in (R.TW1, R.TW2, R.TW3, R.TW4)]
    assert tw[3] == 19_804_788_314
    assert year == sum(tw)
    assert 0 < ws.cell(t, R.PERSEN + 1).value < 1
    # indicators: the year's realisasi is TW IV's for these yearly indices; capaian capped at 100 %
    sakip = next(i for _, i in form.indicators() if i.text == "Nilai SAKIP")
    r = layout.rekap.indicator_rows[sakip.id] + 1
    assert ws.cell(r, R.TOTAL + 1).value == pytest.approx(68.64)
    assert ws.cell(r, R.SISA + 1).value == 1  # shown, capped
    assert ws.cell(r, R.PERSEN + 1).value == pytest.approx(68.64 / 68.35)  # raw, kept
    bumd = next(i for _, i in form.indicators() if i.unit == "%")
    r = layout.rekap.indicator_rows[bumd.id] + 1
    assert round(ws.cell(r, R.SISA + 1).value * 100) == 89


def test_cached_results_match_the_engine(filled_xlsx, recalculated_filled, form):
    """What the generator caches (shown by viewers that do not recalculate, read by calamine)
    equals what LibreOffice computes, cell by cell, on every quarter sheet and the rekap."""
    cached = CalamineWorkbook.from_path(str(filled_xlsx))
    engine = CalamineWorkbook.from_path(str(recalculated_filled))
    for name in (*QUARTER_SHEETS, SHEET_REKAP):
        a = cached.get_sheet_by_name(name).to_python()
        b = engine.get_sheet_by_name(name).to_python()
        assert len(a) == len(b), name
        for r, (ra, rb) in enumerate(zip(a, b)):
            for c, (va, vb) in enumerate(zip(ra, rb)):
                if isinstance(va, float) or isinstance(vb, float):
                    assert va == pytest.approx(vb, rel=1e-12, abs=1e-9), (name, r + 1, c + 1, va, vb)
                else:
                    assert va == vb, (name, r + 1, c + 1, va, vb)
