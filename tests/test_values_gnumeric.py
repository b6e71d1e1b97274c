"""The formulas compute the seed's printed figures in Gnumeric too.

The filled seed example is written with every cached formula result set to 0 and recalculated
by Gnumeric (``ssconvert --recalc``): the same checks as tests/test_values_libreoffice.py, figure
by figure against the four printed forms, then every formula cell of every TW sheet and the
Rekap Tahunan against what the generator caches.
"""

from __future__ import annotations

import math

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import gnumeric
from test_values_libreoffice import (test_every_printed_budget_figure_is_computed,  # noqa: F401
                                     test_indicator_capaian_as_printed, test_named_examples_from_the_issue,
                                     test_rekap_tahunan_sums_the_quarters,
                                     test_total_anggaran_printed_on_tw_iv)
from xlkinerja.workbook.formulas import FormulaMap
from xlkinerja.workbook.layout import QUARTER_SHEETS, SHEET_REKAP, WorkbookLayout
from xlkinerja.workbook.writer import write_workbook

pytestmark = pytest.mark.gnumeric


@pytest.fixture(scope="module")
def gnumeric_filled(tmp_path_factory, form, entries):
    if not gnumeric.find_ssconvert():
        pytest.fail("Gnumeric (ssconvert) tidak ditemukan: pasang paket gnumeric, atau jalankan "
                    "pytest -m 'not gnumeric' untuk melewati uji ini secara sadar.")
    root = tmp_path_factory.mktemp("gnumeric")
    src = write_workbook(form, root / "tanpa_cache.xlsx", entries=entries, cached_results=False)
    return gnumeric.recalculate(src, root / "dihitung_gnumeric.xlsx")


@pytest.fixture(scope="module")
def recalc_values(gnumeric_filled):
    return openpyxl.load_workbook(gnumeric_filled, data_only=True)


def test_the_caches_were_zero_before(tmp_path, form, entries):
    """Nothing right in Gnumeric's output can come from the file: every formula cached 0."""
    src = write_workbook(form, tmp_path / "nol.xlsx", entries=entries, cached_results=False)
    ws = openpyxl.load_workbook(src, data_only=True)["TW I"]
    fm = FormulaMap(form, WorkbookLayout(form))
    assert {ws.cell(r + 1, c + 1).value for r, c in fm.quarter_map(1)} == {0}


def test_every_formula_cell_as_the_generator_caches_it(filled_xlsx, gnumeric_filled, form):
    fm = FormulaMap(form, WorkbookLayout(form))
    cached = CalamineWorkbook.from_path(str(filled_xlsx))
    engine = CalamineWorkbook.from_path(str(gnumeric_filled))
    checked = 0
    for name, cells in [*((sheet, fm.quarter_map(q)) for q, sheet in enumerate(QUARTER_SHEETS, 1)),
                        (SHEET_REKAP, fm.rekap)]:
        a = cached.get_sheet_by_name(name).to_python()
        b = engine.get_sheet_by_name(name).to_python()
        for r, c in cells:
            va = a[r][c] if r < len(a) and c < len(a[r]) else ""
            vb = b[r][c] if r < len(b) and c < len(b[r]) else ""
            if isinstance(va, (int, float)) and not isinstance(va, bool):
                assert isinstance(vb, (int, float)) and math.isclose(va, vb, rel_tol=1e-12, abs_tol=1e-9), \
                    (name, r + 1, c + 1, va, vb)
            else:
                assert va == vb, (name, r + 1, c + 1, va, vb)
            checked += 1
    assert checked > 600  # 680 in the seed: every %, capaian, parent sum, total and rekap cell
