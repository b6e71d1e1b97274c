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

from xlkinerja.consolidation.recap_layout import RINCIAN
from xlkinerja.workbook import calc
from xlkinerja.workbook.formulas import FormulaMap
from xlkinerja.workbook.layout import WorkbookLayout
from xlkinerja.reading.reader import number_value
from xlkinerja.testing import synthetic_entries, synthetic_form
from xlkinerja.workbook.xlsxkit import CLASSIC_FUNCTIONS, ClassicFormulaSheet


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
    from xlkinerja.workbook.generate import seed_spec

    out = []
    for form in (seed_spec().form, synthetic_form(3, programs=2, kegiatan=2, subs=2)):
        fm = FormulaMap(form, WorkbookLayout(form))
        out += ["=" + f for q in (1, 2, 3, 4) for f in fm.quarter_map(q).values()]
        out += ["=" + f for f in fm.rekap.values()]
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
        from xlkinerja.workbook.generate import seed_spec

        form = seed_spec().form
    fm = FormulaMap(form, WorkbookLayout(form))
    cells = fm.quarter_cells
    assert all(cells == list(fm.quarter_map(q)) for q in (1, 2, 3, 4))
    assert FormulaMap(form, WorkbookLayout(form)).quarter_cells == cells  # either order of use


@pytest.mark.parametrize("form", FORMS)
def test_budget_figures_carry_each_rows_pagu(form):
    for entries in (None, synthetic_entries(form)[2]):
        figures = calc.budget_figures(form, entries)
        for row in form.budget_rows():
            assert figures[row.id].pagu == row.pagu
            assert type(figures[row.id].pagu) is type(row.pagu)
        assert calc.total_figure(form, figures).pagu == form.total_pagu


@pytest.mark.parametrize("level", ["program", "kegiatan", "sub_kegiatan", "x", "", None, 3, ["a"],
                                   {"a": 1}, "Program"])
def test_form_from_dict_levels_as_enum_lookup(level):
    from xlkinerja.form.model import Form, Level

    form = synthetic_form(4, programs=1, kegiatan=1, subs=1)
    data = form.to_dict()
    data["programs"][0]["level"] = level
    try:
        want = Level(level)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            Form.from_dict(data)
    else:
        assert Form.from_dict(data).programs[0].level is want


# -- cell XML: ClassicFormulaSheet._write_cell == xlsxwriter's ------------------------------------

def _parts(path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _all_kinds_of_cells(path, constant_memory=False):
    import datetime as dt

    from xlkinerja.workbook.xlsxkit import Formats, ProtectedWorkbook

    wb = ProtectedWorkbook(str(path), {"constant_memory": constant_memory,
                                       "strings_to_numbers": False})
    f = Formats(wb)
    ws = wb.add_worksheet("Semua")
    ws.set_row(5, None, f(bold=True))
    ws.set_column(7, 7, 12, f(italic=True))
    fmt = f(num_format="#,##0")
    r = 0
    for value in (0, 1, -3, 2**53 + 1, 1e300, 1.5, 0.1 + 0.2, -1e-300, 123456789012345678):
        ws.write_number(r, 0, value, fmt)
        ws.write_number(r, 1, value)
        r += 1
    for text in ("", "a", " spasi ", 'kutip "ganda" & <tag>', "baris\nbaru", "4.01.02", "=A1", "ü·€"):
        ws.write_string(r, 0, text, fmt)
        ws.write_string(r, 1, text)
        r += 1
    for value in (0, 2.5, "", "-", "teks", "#N/A", "#DIV/0!", True, False, None, 10**20):
        ws.write_formula(r, 0, '=IF(A1>0,"a&b<c>",1)', fmt, value)
        ws.write_formula(r, 1, "=SUM(A1:A3)", None, value)
        r += 1
    ws.write_blank(r, 0, None, fmt)
    ws.write_blank(r, 1, None)
    ws.write_boolean(r, 2, True, fmt)
    ws.write_datetime(r, 3, dt.datetime(2024, 5, 6, 7, 8), f(num_format="yyyy-mm-dd"))
    ws.write_rich_string(r, 4, "a", f(bold=True), "b", fmt)
    ws.write_array_formula(r, 5, r, 5, "{=SUM(A1:A2*B1:B2)}", fmt, 3)
    ws.write_dynamic_array_formula(r, 6, r, 6, "=FILTER(A1:A9,B1:B9>0)", fmt, 1)
    ws.write_url(r, 7, "https://example.org/?a=1&b=2", fmt)
    ws.write(5, 3, 7)  # row format
    ws.write(8, 7, "kolom")  # column format
    ws.merge_range(r + 2, 0, r + 3, 2, "gabung", fmt)
    wb.close()
    return path


def test_direct_cell_xml_is_used_with_this_xlsxwriter():
    from xlkinerja.workbook import xlsxkit

    # the byte-for-byte tests below compare something: the fast path is on here
    assert xlsxkit.FAST_PATH and xlsxkit.FAST_CELL_XML and xlsxkit.fast_path_problems() == []
    assert len(xlsxkit.fast_path_internals()) >= 20


def _changed_internals():
    """(internal, how a release could change it): each must turn the fast paths off."""
    import collections

    import xlsxwriter.format as xf
    import xlsxwriter.sharedstrings as xs
    import xlsxwriter.utility as xu
    import xlsxwriter.worksheet as xw

    return [
        ("CellNumberTuple", xw, "CellNumberTuple",
         collections.namedtuple("Number", "number, format, extra")),
        ("CellStringTuple", xw, "CellStringTuple", collections.namedtuple("Text", "string, format")),
        ("CellFormulaTuple", xw, "CellFormulaTuple",
         collections.namedtuple("Formula", "formula, format, value, extra")),
        ("_escape_data", xw.Worksheet, "_escape_data", None),
        ("_get_xf_index", xf.Format, "_get_xf_index", None),
        ("_write_cell", xw.Worksheet, "_write_cell", lambda self, cell: None),
        ("_write_row", xw.Worksheet, "_write_row", lambda self, row, row_info=None: None),
        ("_check_dimensions", xw.Worksheet, "_check_dimensions", lambda self, cell: 0),
        ("_calculate_spans", xw.Worksheet, "_calculate_spans", lambda self, blocks: None),
        ("_write_rows", xw.Worksheet, "_write_rows", lambda self, first: None),
        ("_get_shared_string_index", xs.SharedStringTable, "_get_shared_string_index", None),
        ("xl_col_to_name", xu, "xl_col_to_name", lambda col: "A"),
        ("xl_rowcol_to_cell_fast", xu, "xl_rowcol_to_cell_fast", lambda row, col: "$A$1"),
        ("_prepare_formula", xw.Worksheet, "_prepare_formula", lambda self, formula: formula),
        ("_xml_formula_element", xw.Worksheet, "_xml_formula_element", lambda self, f, r: None),
        # the XML itself: a release that wrote numbers with another precision
        ("XML", xw.Worksheet, "_xml_number_element",
         lambda self, number, attributes=(): self.fh.write(f"<c><v>{number:.15G}</v></c>")),
        ("XML", xw.Worksheet, "_xml_string_element",
         lambda self, index, attributes=(): self.fh.write(f'<c t="s"><v>{index}</v></c>')),
    ]


@pytest.mark.parametrize("case", range(len(_changed_internals())))
def test_any_changed_internal_turns_the_fast_paths_off(monkeypatch, case):
    from xlkinerja.workbook import xlsxkit

    name, owner, attribute, replacement = _changed_internals()[case]
    monkeypatch.setattr(owner, attribute, replacement)
    problems = xlsxkit.fast_path_problems()
    assert len(problems) >= 1
    assert any((name in p) if name != "XML" else ("XML" in p) for p in problems), problems


def test_pyproject_bounds_xlsxwriter_below_the_next_release_not_checked():
    import tomllib
    from pathlib import Path

    import xlsxwriter

    from xlkinerja.workbook import xlsxkit

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    spec = next(d for d in project["project"]["dependencies"] if d.lower().startswith("xlsxwriter"))
    major, minor, *_ = (int(x) for x in xlsxkit.XLSXWRITER_CHECKED.split("."))
    assert f"<{major}.{minor + 1}" in spec.replace(" ", ""), spec
    assert xlsxwriter.__version__ == xlsxkit.XLSXWRITER_CHECKED  # the one the tests here run on


_SWITCH_SCRIPT = """
import datetime as dt, hashlib, json, sys, zipfile
from xlkinerja.workbook import xlsxkit
from xlkinerja.workbook.generate import seed_entries, seed_spec
from xlkinerja.workbook.writer import FormulirWriter
import xlsxwriter.worksheet as xw
calls = []
original = xw.Worksheet._write_cell
xw.Worksheet._write_cell = lambda self, *a: (calls.append(1), original(self, *a))[1]
form = seed_spec().form
path = sys.argv[1]
FormulirWriter(form, entries=seed_entries(form), generated_at=dt.datetime(2024, 12, 20, 10, 0)).write(path)
with zipfile.ZipFile(path) as z:
    parts = {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}
print(json.dumps({"fast": xlsxkit.FAST_PATH, "xlsxwriter_cells": len(calls), "parts": parts}))
"""


@pytest.mark.parametrize("value", ["1", "ya"])
def test_the_environment_switch_turns_the_fast_paths_off_for_the_same_file(tmp_path, value):
    import json
    import os
    import subprocess
    import sys

    from xlkinerja.workbook import xlsxkit

    def run(name, env):
        proc = subprocess.run([sys.executable, "-c", _SWITCH_SCRIPT, str(tmp_path / name)],
                              env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    env = {k: v for k, v in os.environ.items() if k != xlsxkit.NO_FAST_PATH_ENV}
    fast = run("cepat.xlsx", env)
    plain = run("biasa.xlsx", {**env, xlsxkit.NO_FAST_PATH_ENV: value})
    assert fast["fast"] is True and plain["fast"] is False
    assert plain["xlsxwriter_cells"] > 4 * fast["xlsxwriter_cells"] + 1000  # every cell, not some
    assert plain["parts"] == fast["parts"]
    off = run("mati.xlsx", {**env, xlsxkit.NO_FAST_PATH_ENV: "0"})
    assert off["fast"] is True and off["parts"] == fast["parts"]


def test_without_the_fast_path_cells_go_through_xlsxwriter(tmp_path, monkeypatch):
    from xlkinerja.workbook import xlsxkit

    fast = _parts(_all_kinds_of_cells(tmp_path / "cepat.xlsx"))
    calls = []
    original = Worksheet._write_cell
    monkeypatch.setattr(Worksheet, "_write_cell", lambda self, *a: (calls.append(a), original(self, *a)))
    monkeypatch.setattr(xlsxkit, "FAST_CELL_XML", False)
    assert _parts(_all_kinds_of_cells(tmp_path / "biasa.xlsx")) == fast
    assert len(calls) > 40


@pytest.mark.parametrize("constant_memory", [False, True])
def test_cells_are_written_as_xlsxwriter_writes_them(tmp_path, monkeypatch, constant_memory):
    fast = _parts(_all_kinds_of_cells(tmp_path / "cepat.xlsx", constant_memory))
    monkeypatch.setattr(ClassicFormulaSheet, "_write_cell", Worksheet._write_cell)
    plain = _parts(_all_kinds_of_cells(tmp_path / "biasa.xlsx", constant_memory))
    assert fast == plain


def test_the_formulir_is_written_byte_for_byte_as_before(tmp_path, monkeypatch):
    import datetime as dt

    from xlkinerja.workbook.generate import seed_entries, seed_spec
    from xlkinerja.workbook.writer import write_workbook

    form = seed_spec().form
    when = dt.datetime(2024, 1, 2, 3, 4, 5)

    def both(name):
        return (_parts(write_workbook(form, tmp_path / f"{name}_kosong.xlsx", generated_at=when)),
                _parts(write_workbook(form, tmp_path / f"{name}_isi.xlsx", entries=seed_entries(form),
                                      generated_at=when)))

    fast = both("cepat")
    monkeypatch.setattr(ClassicFormulaSheet, "_write_cell", Worksheet._write_cell)
    monkeypatch.setattr(ClassicFormulaSheet, "_prepare_formula", Worksheet._prepare_formula)
    assert fast == both("biasa")


# -- no reference cycles on the hot paths; the CLI's collector settings ----------------------------

def test_reading_a_workbook_and_its_figures_make_no_reference_cycles(filled_xlsx, form, entries):
    """Cycles would be freed only by the cyclic collector, which the CLI runs rarely."""
    import gc

    from xlkinerja.consolidation.records import read_file
    from xlkinerja.workbook.formulas import quarter_values, rekap_values
    from xlkinerja.form.model import Form
    from xlkinerja.validation.rules import ValidationOptions

    read_file(filled_xlsx, ValidationOptions(check_formulas=False))  # imports, caches
    gc.collect()
    gc.disable()
    try:
        result = read_file(filled_xlsx, ValidationOptions(check_formulas=False))
        assert result.readable
        copy = Form.from_dict(form.to_dict())
        fm = FormulaMap(copy, WorkbookLayout(copy))
        for q in (1, 2, 3, 4):
            calc.budget_figures(copy, entries[q])
            quarter_values(fm, entries, q)
        rekap_values(fm, entries)
        del result, copy, fm
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_cli_restores_the_collector_settings(tmp_path, filled_xlsx):
    import gc

    from xlkinerja import cli

    before = gc.get_threshold()
    assert cli.main(["validate", "--cepat", str(filled_xlsx)]) in (0, 1)
    assert gc.get_threshold() == before


# -- long tables: ClassicFormulaSheet.write_long_rows == xlsxwriter's own calls --------------------

def _long_table(path, rows, formula=True):
    from xlkinerja.workbook.xlsxkit import Formats, ProtectedWorkbook

    wb = ProtectedWorkbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                       "strings_to_urls": False})
    f = Formats(wb)
    ws = wb.add_worksheet("Panjang")
    ws.merge_range(0, 0, 0, 4, "Judul", f(bold=True))
    ws.write_string(1, 1, "di atas tabel", f(italic=True))
    ws.set_row(1, 30)
    headers = ["Teks", "Angka", "Lain", "Pagu", "%"]
    top = 3
    cell, num = f(border=0), f(num_format="#,##0")
    n = ws.write_long_rows(top + 1, iter(rows), [cell, num, cell, num, f(num_format="0.00%")],
                           (4, lambda r: f'IF(AND(ISNUMBER(B{r + 1}),ISNUMBER(D{r + 1}),D{r + 1}<>0),B{r + 1}/D{r + 1},"")')
                           if formula else None)
    ws.add_table(top, 0, max(top + n, top + 1), 4, {"columns": [{"header": h} for h in headers],
                                                    "name": "Panjang", "autofilter": True})
    ws.freeze_panes(top + 1, 0)
    wb.close()
    return n


LONG_ROWS = [
    ("a", 1, None, 10, 0.1),
    ("kutip \"ganda\" & <tag> {kurawal}", 2.5, True, 0, None),
    ("", -3, False, 1e300, True),
    (" spasi ", 2**53 + 1, "=A1", 123456789012345678, "#N/A"),
    ("x" * 40_000, 0.1 + 0.2, "ü·€", -0.0, "teks"),
    ("baris\nbaru", 0, 7, 5, ""),
] + [(f"baris {i}", i * 1000, f"kode {i % 7}", i * 3000 + 1, i / 3) for i in range(60)]


@pytest.mark.parametrize("formula", [True, False])
def test_long_rows_are_written_as_xlsxwriter_writes_them(tmp_path, monkeypatch, formula):
    from xlkinerja.workbook import xlsxkit

    assert _long_table(tmp_path / "cepat.xlsx", LONG_ROWS, formula) == len(LONG_ROWS)
    fast = _parts(tmp_path / "cepat.xlsx")
    monkeypatch.setattr(xlsxkit, "FAST_CELL_XML", False)
    assert _long_table(tmp_path / "biasa.xlsx", LONG_ROWS, formula) == len(LONG_ROWS)
    assert _parts(tmp_path / "biasa.xlsx") == fast
    sheet = fast["xl/worksheets/sheet1.xml"].decode()
    assert sheet.count("<row ") == 3 + len(LONG_ROWS) and 'spans="1:5"' in sheet


def test_long_rows_with_nothing_in_them_and_guards(tmp_path, monkeypatch):
    assert _long_table(tmp_path / "kosong.xlsx", []) == 0
    from xlkinerja.workbook import xlsxkit
    from xlkinerja.workbook.xlsxkit import ProtectedWorkbook

    wb = ProtectedWorkbook(str(tmp_path / "jalur.xlsx"))
    ws = wb.add_worksheet()
    ws.write_long_rows(1, [("a", 1)], [wb.add_format(), wb.add_format()])
    assert ws._long is not None  # kept as templates
    monkeypatch.setattr(xlsxkit, "FAST_CELL_XML", False)
    ws = wb.add_worksheet()
    ws.write_long_rows(1, [("a", 1)], [wb.add_format(), wb.add_format()])
    assert ws._long is None and ws.table[1][0].__class__.__name__ == "String"  # xlsxwriter's own cells
    wb.close()
    monkeypatch.undo()

    wb = ProtectedWorkbook(str(tmp_path / "salah.xlsx"))
    ws = wb.add_worksheet()
    ws.write_long_rows(1, [("a", 1)], [wb.add_format(), wb.add_format()])
    ws.write_string(5, 0, "di bawah tabel")  # the long rows must be the sheet's last
    with pytest.raises(RuntimeError, match="below or among the long rows"):
        wb.close()
    wb = ProtectedWorkbook(str(tmp_path / "nan.xlsx"))
    ws = wb.add_worksheet()
    with pytest.raises(TypeError):
        ws.write_long_rows(1, [(float("nan"),)], [wb.add_format()])


def test_a_recap_is_written_byte_for_byte_as_with_xlsxwriters_own_calls(tmp_path, monkeypatch,
                                                                         filled_xlsx):
    import datetime as dt

    from xlkinerja.workbook import xlsxkit
    from xlkinerja.consolidation import ConsolidateOptions, consolidate, recap

    class Fixed(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2024, 12, 20, 10, 0, 0, tzinfo=dt.timezone.utc)

    monkeypatch.setattr(recap.dt, "datetime", Fixed)
    monkeypatch.setattr("xlkinerja.consolidation.run.dt.datetime", Fixed)
    masuk = tmp_path / "masuk"
    masuk.mkdir()
    for i in range(3):  # the same OPD three times: one accepted, two duplicates
        (masuk / f"kiriman_{i}.xlsx").write_bytes(filled_xlsx.read_bytes())

    def run(name):
        consolidate([masuk], ConsolidateOptions(output=tmp_path / name / "rekap.xlsx",
                                                ledger=tmp_path / name / "l.sqlite", jobs=1))
        parts = _parts(tmp_path / name / "rekap.xlsx")
        return {k: v.replace(str(tmp_path / name).encode(), b"X") for k, v in parts.items()}

    used = []
    real = xlsxkit._write_long_rows
    monkeypatch.setattr(xlsxkit, "_write_long_rows", lambda ws, *a: (used.append(ws.name), real(ws, *a))[1])
    fast = run("cepat")
    assert used == ["Rincian Anggaran", "Indikator", "Tidak Dihitung", "Temuan Validasi"]  # the fast path
    monkeypatch.setattr(xlsxkit, "FAST_CELL_XML", False)
    plain = run("biasa")
    assert len(used) == 4  # and not without it
    assert fast.keys() == plain.keys()
    assert [k for k in fast if fast[k] != plain[k]] == []
    assert fast["xl/tables/table1.xml"].count(b"<tableColumn ") == len(RINCIAN.columns)  # Rincian Anggaran
