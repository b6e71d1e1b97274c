"""The shortcuts taken for speed give exactly what the general code gives.

Each fast path in the product (formula preparation when writing, number recognition, the cells a
reader collects, budget figures) is checked here against the general code it stands in for.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.worksheet import Worksheet

from xlkinerja import calc
from xlkinerja.formulas import FormulaMap
from xlkinerja.layout import WorkbookLayout
from xlkinerja.reader import number_value
from xlkinerja.testing import synthetic_entries, synthetic_form
from xlkinerja.xlsxkit import CLASSIC_FUNCTIONS, ClassicFormulaSheet


# -- formulas: ClassicFormulaSheet._prepare_formula == xlsxwriter's -----------------------------

def _rewritten_names() -> set[str]:
    """Every function name xlsxwriter's _prepare_formula rewrites (read from its source)."""
    source = inspect.getsource(Worksheet._prepare_formula)
    return set(re.findall(r'r"\\[bS]([A-Z0-9._]+)\\\(', source))


def test_classic_functions_are_never_rewritten_by_xlsxwriter():
    names = _rewritten_names()
    assert len(names) > 100  # the source was read: dynamic and future functions
    assert "FILTER" in names and "XLOOKUP" in names
    assert not CLASSIC_FUNCTIONS & names
    assert not any("INGLE" in name for name in CLASSIC_FUNCTIONS)  # its \SINGLE\( pattern


def _both(formula: str, future: bool = False) -> tuple[str, str]:
    fast, plain = ClassicFormulaSheet(), Worksheet()
    fast.use_future_functions = plain.use_future_functions = future
    return fast._prepare_formula(formula), plain._prepare_formula(formula)


def _product_formulas() -> list[str]:
    from xlkinerja.generate import seed_spec

    out = []
    for form in (seed_spec().form, synthetic_form(3, programs=2, kegiatan=2, subs=2)):
        fm = FormulaMap(form, WorkbookLayout(form))
        out += ["=" + f for f in fm.quarter.values()] + ["=" + f for f in fm.rekap.values()]
    return out


def test_every_formula_of_the_formulir_is_prepared_as_xlsxwriter_does():
    formulas = _product_formulas()
    assert len(formulas) > 500
    for formula in formulas:
        fast, plain = _both(formula)
        assert fast == plain, formula


@pytest.mark.parametrize("formula", [
    "=SUM(A1:A3)", "SUM(A1,B2)", "{=SUM(A1:A3*B1:B3)}", '=IF(A1="FILTER(x)",1,0)',
    "=FILTER(A1:A9,B1:B9>0)", "=_xlfn.XLOOKUP(A1,B:B,C:C)", "=XLOOKUP(A1,B:B,C:C)",
    "=A1+INGLE(B2)", "=SINGLE(A1)", "=X.SORT(A1:A3)", "=sum(a1:a3)", "=filter(A1:A9,B1:B9)",
    "=IF(ISNUMBER(A1),SORTBY(A1:A3,B1:B3),0)", "=STDEV.S(A1:A9)", "=CONCAT(A1,B1)",
    "=IFS(A1>1,1,TRUE,0)", "=HYPERLINK(\"#'TW I'!A1\",\"TW I\")", "=IF (A1 > 0, MAX (A1, 1), \"\")",
    "=LET(x,1,x+1)", "=A1", "=1+2", "=TEXTJOIN(\",\",TRUE,A1:A3)",
])
@pytest.mark.parametrize("future", [False, True])
def test_formulas_with_and_without_newer_functions(formula, future):
    fast, plain = _both(formula, future)
    assert fast == plain


@given(st.lists(st.sampled_from(sorted(CLASSIC_FUNCTIONS | _rewritten_names() | {"FOO", "x"})),
                min_size=0, max_size=4),
       st.sampled_from(["", "=", "{=", " "]), st.sampled_from(["", "}", " "]),
       st.sampled_from(["A1", '"FILTER("', "1", "$B$2", "'TW I'!K12"]))
@settings(max_examples=300, deadline=None)
def test_any_mix_of_function_names(names, head, tail, arg):
    formula = head + "".join(f"{name}({arg}," for name in names) + arg + ")" * len(names) + tail
    for future in (False, True):
        fast, plain = _both(formula, future)
        assert fast == plain, formula


# -- number_value ---------------------------------------------------------------------------------

def _number_value_reference(value):
    """number_value as it was written before its fast path."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class _MyInt(int):
    pass


class _MyFloat(float):
    pass


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(),
                 st.text(max_size=5), st.none(), st.datetimes(), st.dates(),
                 st.integers().map(_MyInt), st.floats().map(_MyFloat),
                 st.sampled_from([2.0**53, -2.0**53, 2.0**53 - 1, 1e300, -0.0, 0.5, math.pi,
                                  dt.time(1, 2), dt.timedelta(3)])))
@settings(max_examples=500, deadline=None)
def test_number_value_is_unchanged(value):
    got, want = number_value(value), _number_value_reference(value)
    assert type(got) is type(want)
    assert got == want or (got is None and want is None)


# -- cells the reader collects, budget figures ----------------------------------------------------

FORMS = [synthetic_form(1), synthetic_form(2, programs=1, kegiatan=1, subs=1, indicators=1),
         synthetic_form(3, programs=5, kegiatan=6, subs=9, indicators=8)]


@pytest.mark.parametrize("form", FORMS + ["seed"])
def test_quarter_cells_are_the_formula_cells_in_order(form):
    if form == "seed":
        from xlkinerja.generate import seed_spec

        form = seed_spec().form
    fm = FormulaMap(form, WorkbookLayout(form))
    cells = fm.quarter_cells
    assert cells == list(fm.quarter)
    assert FormulaMap(form, WorkbookLayout(form)).quarter_cells == cells  # either order of use


@pytest.mark.parametrize("form", FORMS)
def test_budget_figures_carry_each_rows_pagu(form):
    for entries in (None, synthetic_entries(form)[2]):
        figures = calc.budget_figures(form, entries)
        for row in form.budget_rows():
            assert figures[row.id].pagu == row.pagu
            assert type(figures[row.id].pagu) is type(row.pagu)
        assert calc.total_figure(form, figures).pagu == form.total_pagu
