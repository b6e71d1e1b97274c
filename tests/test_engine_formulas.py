"""Formulas every engine evaluates, and cached results every reader reads right.

- No formula of any workbook we write calls a function that Excel, LibreOffice, Gnumeric or
  Apache POI's evaluator lacks (POI has no N(): it failed every % and capaian cell before).
- A formula whose cached result is blank stores it as text (t="str", as Excel does), so readers
  that show cached results (previewers, POI, pandas) see a blank, not 0.
- Forms issued with the earlier N() formulas are not reported as "formula changed".
"""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest

from kinds import KINDS, formula_cells, write_every_kind
from xlkinerja.validation.rules import validate_file
from xlkinerja.workbook.formulas import FormulaMap, normalize_formula
from xlkinerja.workbook.layout import WorkbookLayout
from xlkinerja.testing import synthetic_form

# Functions implemented by all four: Excel 2007+, LibreOffice 7.4, Gnumeric 1.12 and Apache POI's
# FormulaEvaluator (org.apache.poi.ss.formula.eval.FunctionEval). Add one only after checking all.
EVERY_ENGINE = frozenset({"IF", "AND", "OR", "NOT", "ISNUMBER", "ISTEXT", "ISBLANK", "SUM", "COUNT",
                          "COUNTA", "AVERAGE", "MIN", "MAX", "ROUND", "ABS", "LEN",
                          # the recap's senders-only row (issue 19); POI: FunctionEval index 228
                          "SUMPRODUCT"})
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")


def _functions(formula: str) -> set[str]:
    outside_strings = re.sub(r'"[^"]*"', '""', formula)
    return {name.upper() for name in _CALL.findall(outside_strings)}


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    return write_every_kind(tmp_path_factory.mktemp("soorten"))


@pytest.mark.parametrize("kind", KINDS)
def test_every_formula_uses_only_functions_every_engine_has(kinds, kind):
    used: set[str] = set()
    n = 0
    for _, _, formula, _ in formula_cells(kinds[kind]):
        used |= _functions(formula)
        n += 1
    if kind != "master":  # the master has no formula cells, only validation rules
        assert n > 0
    assert used <= EVERY_ENGINE, f"{kinds[kind].name}: {sorted(used - EVERY_ENGINE)}"


@pytest.mark.parametrize("kind", KINDS)
def test_blank_cached_results_are_stored_as_text(kinds, kind):
    blank = untyped = 0
    for part, attrs, formula, value in formula_cells(kinds[kind]):
        if value == "":
            blank += 1
            if 't="str"' not in attrs:
                untyped += 1
    if kind in ("blank", "filled", "macro"):
        assert blank > 0  # the seed's formulir has blank % and capaian cells: the check bites
    assert untyped == 0


def test_formula_map_has_no_n_function_for_any_form(form):
    for f in (form, synthetic_form(1, indicators=8)):
        fm = FormulaMap(f, WorkbookLayout(f))
        for formula in (*(f for q in (1, 2, 3, 4) for f in fm.quarter_map(q).values()),
                        *fm.rekap.values()):
            assert "N" not in _functions(formula), formula


def _legacy(formula: str) -> str:
    """The formula as xlkinerja wrote it before N() was dropped."""
    formula = re.sub(r"AND\(ISNUMBER\(([^()]+)\),ISNUMBER\(([^()]+)\),\2&lt;&gt;0\)",
                     r"AND(ISNUMBER(\1),N(\2)&lt;&gt;0)", formula)
    formula = re.sub(r"IF\(AND\(ISNUMBER\(([^()]+)\),\1&lt;&gt;0\),", r"IF(N(\1)&lt;&gt;0,", formula)
    return re.sub(r"-SUM\(([A-Z]+[0-9]+)\)$", r"-N(\1)", formula)


def test_forms_issued_with_the_earlier_n_formulas_are_not_reported_changed(filled_xlsx, tmp_path):
    old = tmp_path / "formulir_lama.xlsx"
    rewritten = 0
    with zipfile.ZipFile(filled_xlsx) as src, zipfile.ZipFile(old, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                new = re.sub(r"<f>(.*?)</f>", lambda m: f"<f>{_legacy(m.group(1))}</f>", text)
                rewritten += text.count("<f>") and sum(a != b for a, b in zip(
                    re.findall(r"<f>(.*?)</f>", text), re.findall(r"<f>(.*?)</f>", new)))
                data = new.encode("utf-8")
            dst.writestr(item, data)
    assert rewritten > 250  # every %, capaian and sisa cell of the seed (276) has its old N() text
    codes = {f.code for f in validate_file(old).findings}
    assert "INTEGRITY_FORMULA_CHANGED" not in codes
    # and a formula really changed is still caught
    broken = tmp_path / "rumus_diubah.xlsx"
    shutil.copyfile(old, broken)
    with zipfile.ZipFile(old) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"N(", b"0*N(", 1)
            dst.writestr(item, data)
    assert "INTEGRITY_FORMULA_CHANGED" in {f.code for f in validate_file(broken).findings}


def test_legacy_forms_normalize_to_todays(form):
    fm = FormulaMap(form, WorkbookLayout(form))
    for formula in (*(f for q in (1, 2, 3, 4) for f in fm.quarter_map(q).values()),
                    *fm.rekap.values()):
        old = _legacy(formula.replace("<>", "&lt;&gt;")).replace("&lt;&gt;", "<>")
        assert normalize_formula(old) == normalize_formula(formula)
