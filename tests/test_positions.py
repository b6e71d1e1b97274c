"""Only the layout modules know a row or a column.

Every other module of the package asks a layout object where a cell is: this test reads each
one and fails on a literal row or column number given to a sheet call (``ws.write(5, 3, ...)``,
``merge_range(0, 0, ...)``, ``cell(grid, 4, 1)``) and on a literal A1 address in a string
(``"B7"``, ``"=SUM(D5:D9)"``, ``f"$A$2:..."``). Docstrings are prose; the few user texts that
name a cell as an example are listed below with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "xlkinerja"

#: the modules that own positions: the formulir's and the recap's layouts
LAYOUT_MODULES = {"workbook/layout.py", "consolidation/recap_layout.py"}

#: how many leading positional arguments of each sheet call are positions (xlsxwriter,
#: openpyxl, xlwings and our own helpers)
POSITION_ARGS = {
    "write": 2, "write_string": 2, "write_number": 2, "write_blank": 2, "write_formula": 2,
    "write_boolean": 2, "write_datetime": 2, "write_url": 2, "write_rich_string": 2,
    "write_array_formula": 4, "write_dynamic_array_formula": 4, "write_row": 2,
    "write_column": 2, "write_comment": 2, "write_long_rows": 1, "merge_range": 4, "set_row": 1,
    "set_column": 2, "set_row_pixels": 1, "set_column_pixels": 2, "freeze_panes": 4,
    "split_panes": 2, "repeat_rows": 2, "repeat_columns": 2, "insert_chart": 2, "insert_image": 2,
    "insert_textbox": 2, "insert_button": 2, "conditional_format": 4, "data_validation": 4,
    "add_table": 4, "print_area": 4, "autofilter": 4, "set_selection": 4, "set_top_left_cell": 2,
    "range": 4,
}
#: calls whose positions follow a first argument (a grid or a sheet): ``cell(grid, row, col)``
POSITION_ARGS_AFTER_FIRST = {"cell": 2}
POSITION_KEYWORDS = {"row", "column", "col", "min_row", "max_row", "min_col", "max_col",
                     "first_row", "last_row", "first_col", "last_col"}
A1 = re.compile(r"(?<![A-Za-z0-9_#])\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}(?![A-Za-z0-9_(])")

#: (module, address) of texts that name a cell as an example for the reader, not a position
ALLOWED_ADDRESSES = {
    # the master's Petunjuk tells planners how problems are reported ("mis. Anggaran!F12")
    ("workbook/masterwriter.py", "F12"),
    # the note on the hidden xlwings.conf sheet says xlwings reads its settings "dari A1"
    ("workbook/vba.py", "A1"),
}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def _is_number(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, int)
            and not isinstance(node.value, bool))


def positions_in(source: str, module: str) -> list[str]:
    """What in ``source`` (module ``module``) writes a position by hand."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            args: list[ast.AST] = []
            if isinstance(func, ast.Attribute) and name in POSITION_ARGS:
                args = node.args[:POSITION_ARGS[name]]
            elif name in POSITION_ARGS_AFTER_FIRST:
                args = node.args[1:1 + POSITION_ARGS_AFTER_FIRST[name]]
            if name in POSITION_ARGS or name in POSITION_ARGS_AFTER_FIRST:
                args = [*args, *(k.value for k in node.keywords if k.arg in POSITION_KEYWORDS)]
            if any(_is_number(a) for a in args):
                found.append(f"{module}:{node.lineno}: {ast.unparse(node)[:100]}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            for m in A1.finditer(node.value):
                if (module, m.group().replace("$", "")) not in ALLOWED_ADDRESSES:
                    found.append(f"{module}:{node.lineno}: {m.group()!r} in {node.value[:60]!r}")
    return found


def test_only_the_layouts_know_a_row_or_column():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if module not in LAYOUT_MODULES:
            found += positions_in(path.read_text(encoding="utf-8"), module)
    assert found == [], "positions outside the layout modules (ask the layout):\n" + "\n".join(found)


def test_the_check_sees_a_hand_written_position():
    """The test can fail: each of these is caught, and their layout-asking forms are not."""
    caught = [
        "ws.write(5, 3, 'x')",
        "ws.write_number(r, 4, 1.5)",
        "ws.merge_range(0, 0, 0, L.LAST, 'judul')",
        "ws.freeze_panes(4, 0)",
        "ws.set_row(3, 30)",
        "value = cell(grid, 4, 1)",
        "sheet.cell(row=7, column=L.PAGU)",
        "ws.write_formula(r, c, '=SUM(D5:D9)')",
        "ref = 'B7'",
        "ref = f\"='{sheet}'!$A$2:$A${n}\"",
    ]
    for line in caught:
        assert positions_in(line, "consolidation/recap.py"), line
    fine = [
        "ws.write(r, L.PAGU, 1000)",  # a value, not a position
        "ws.write_number(L.first_row, L.NO, 1)",
        "ws.set_row(L.header_row, 30)",
        "cell(grid, M.key_row('marker'), M.value_col)",
        "text = 'TW IV'",
        "code = 'X.XX.01'",
        "label = 'PAGU'",
        "f(num_format='#,##0')",
        "def f():\n    '''Docstrings may say A1 or K12.'''",
    ]
    for line in fine:
        assert positions_in(line, "consolidation/recap.py") == [], line
    # an allowed example is allowed only where it is listed
    assert positions_in("t = 'mis. Anggaran!F12'", "workbook/masterwriter.py") == []
    assert positions_in("t = 'mis. Anggaran!F12'", "consolidation/recap.py")
