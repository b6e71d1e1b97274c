"""xlsxwriter building blocks shared by the formulir and the recap writers.

- :class:`ProtectedWorkbook`: xlsxwriter protects sheets only; this adds workbook structure
  protection (no sheets inserted, deleted or renamed).
- :class:`Formats`: formats made on demand from property sets, one object per distinct style.
- :class:`AutoHeightSheet` and :class:`RowFit`: estimated row heights for wrapped text, stored
  without Excel's customHeight flag so Excel still grows a row when someone types more.
- :class:`ClassicFormulaSheet`: the same file as XlsxWriter's, faster (formula shortcut, direct
  cell XML, long tables), fenced: a bounded XlsxWriter version (:data:`XLSXWRITER_CHECKED`), a
  guard over every internal it relies on (:func:`fast_path_internals`), and the environment
  switch ``XLKINERJA_NO_FAST_PATH=1``; see docs/positions-and-fast-paths.md.
"""

from __future__ import annotations

import math
import re
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

INPUT_FILL = "#FFF2CC"  # the one fill that means "type here"
HEADER_FILL = "#D9E1F2"
PROGRAM_FILL = "#F2F2F2"
OVER_FILL, OVER_FONT = "#FFC7CE", "#9C0006"
PAPER_FOLIO = 14  # 8.5 x 13 in, the F4/Folio of Indonesian offices


# Functions of Excel 2007 that xlsxwriter writes as they are (no _xlfn. prefix). A test checks
# that none of them is a name xlsxwriter rewrites.
CLASSIC_FUNCTIONS = frozenset({
    "ABS", "AND", "AVERAGE", "AVERAGEIF", "AVERAGEIFS", "CHOOSE", "CONCATENATE", "COUNT", "COUNTA",
    "COUNTBLANK", "COUNTIF", "COUNTIFS", "DATE", "HYPERLINK", "IF", "IFERROR", "INDEX", "INT",
    "ISBLANK", "ISERROR", "ISNA", "ISNUMBER", "ISTEXT", "LEFT", "LEN", "LOWER", "MATCH", "MAX",
    "MID", "MIN", "MOD", "N", "NA", "NOT", "OR", "RIGHT", "ROUND", "ROUNDDOWN", "ROUNDUP",
    "SUBSTITUTE", "SUM", "SUMIF", "SUMIFS", "SUMPRODUCT", "TEXT", "TRIM", "UPPER", "VALUE",
    "VLOOKUP",
})
_FUNCTION_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")


class ClassicFormulaSheet(Worksheet):
    """A worksheet that writes the same file as xlsxwriter's, faster.

    Formulas: it skips xlsxwriter's function-name rewriting when there is nothing to rewrite, and
    stores an empty cached result as text (t="str", as Excel does), not untyped (read as 0).

    Before storing a formula, xlsxwriter runs about thirty regular-expression substitutions on it
    (dynamic-array functions such as FILTER become _xlfn._xlws.FILTER); with ~4,000 formulas in a
    formulir that is a third of the time to write it. A formula whose every function call is one
    of :data:`CLASSIC_FUNCTIONS` has nothing to rewrite, so it is stored as xlsxwriter would store
    it (leading '=' and array braces stripped); any other formula goes through xlsxwriter's own
    code, as do all formulas when future functions are enabled.
    """

    def _prepare_formula(self, formula, expand_future_functions=False):
        if not FAST_PATH or self.use_future_functions or expand_future_functions:
            return super()._prepare_formula(formula, expand_future_functions)
        text = formula
        if text.startswith("{"):
            text = text[1:]
        if text.startswith("="):
            text = text[1:]
        if text.endswith("}"):
            text = text[:-1]
        if "_xlfn." in text or all(name in CLASSIC_FUNCTIONS
                                   for name in _FUNCTION_CALL.findall(text)):
            return text
        return super()._prepare_formula(formula, expand_future_functions)

    def _write_cell(self, row, col, cell) -> None:
        """xlsxwriter's innermost loop, for the four kinds of cell a formulir and a recap are made
        of (a number, a shared string, a formula with a number or blank result, a blank), each
        with its own format: the same XML, without building and escaping an attribute list per
        cell (a cell reference and a format index never need escaping). Everything else, and every
        cell without its own format, goes through xlsxwriter's own code."""
        if not FAST_CELL_XML or not self._write_fast_cell(row, col, cell):
            super()._write_cell(row, col, cell)

    def _write_fast_cell(self, row, col, cell) -> bool:
        """The XML of ``cell`` as xlsxwriter writes it, when it is of a kind written here (False:
        nothing written, xlsxwriter's own code must write it)."""
        fmt = cell.format
        kind = cell.__class__.__name__
        if fmt is None or kind not in _FAST_CELLS:
            return False
        if kind == "Number":
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}">'
                          f"<v>{cell.number:.16G}</v></c>")
        elif kind == "String":
            if self.constant_memory:
                return False
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}" '
                          f't="s"><v>{cell.string}</v></c>')
        elif kind == "Blank":
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"/>')
        else:  # a formula
            value = cell.value
            if isinstance(value, bool) or (isinstance(value, str) and value != ""):
                return False
            kind = ' t="str"' if value == "" else ""
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"{kind}>'
                          f"<f>{self._escape_data(cell.formula)}</f><v>{value}</v></c>")
        return True

    def _xml_formula_element(self, formula, result, attributes=()) -> None:
        """A formula whose cached result is the empty text is stored as text (t="str"), as Excel
        stores it. xlsxwriter leaves the type out ("to force recalc in some third party apps"),
        so every program that shows cached results without recalculating (mail and phone
        previewers, Apache POI, pandas) reads 0 where the sheet is blank."""
        if result == "" and not any(key == "t" for key, _ in attributes):
            attributes = [*attributes, ("t", "str")]
        super()._xml_formula_element(formula, result, attributes)

    # -- long tables ------------------------------------------------------------------------
    _long: "_LongRows | None" = None

    def write_long_rows(self, first_row: int, rows, formats: list, formula=None) -> int:
        """Write ``rows`` (tuples of text, numbers, booleans or None) from ``first_row`` down, the
        cell in column c with ``formats[c]``; with ``formula=(col, make)`` the cell in column col
        is the formula ``make(row)`` with the row's value as its cached result. Returns the number
        of rows.

        The same cells as write_string / write_number / write_boolean / write_blank /
        write_formula one by one, and the same file (tests compare it byte for byte), in a fraction
        of the time and memory: each row is kept as one XML template, its text registered in the
        shared strings now, the format indices filled in when the sheet is written, in the order
        xlsxwriter's own loop would give them. The rows must be the sheet's last ones. Without the
        fast path (xlsxwriter internals changed, constant_memory), xlsxwriter's own calls."""
        if _long_rows_fit(self, formats):
            return _write_long_rows(self, first_row, rows, formats, formula)
        fcol, make = formula if formula else (-1, None)
        n = 0
        for n, row in enumerate(rows, 1):
            r = first_row + n - 1
            for c, value in enumerate(row):
                fmt = formats[c]
                if c == fcol:
                    self.write_formula(r, c, "=" + make(r), fmt, "" if value is None else value)
                elif value is None:
                    self.write_blank(r, c, None, fmt)
                elif isinstance(value, bool):
                    self.write_boolean(r, c, value, fmt)
                elif isinstance(value, (int, float)):
                    self.write_number(r, c, value, fmt)
                else:
                    self.write_string(r, c, str(value), fmt)
        return n

    def _calculate_spans(self) -> None:
        super()._calculate_spans()
        long = self._long
        if long is None:
            return
        for block, (lo, hi) in long.blocks.items():
            have = self.row_spans.get(block)
            if have:
                a, b = (int(x) - 1 for x in have.split(":"))
                lo, hi = min(lo, a), max(hi, b)
            self.row_spans[block] = f"{lo + 1}:{hi + 1}"

    def _write_rows(self) -> None:
        long = self._long
        if long is None:
            return super()._write_rows()
        if (any(cells for r, cells in self.table.items() if r >= long.first)
                or any(r >= long.first for r in self.row_info)):
            raise RuntimeError("write_long_rows: cells or row settings below or among the long rows")
        super()._write_rows()  # every other row, all above the long ones
        xfs = [fmt._get_xf_index() for fmt in long.formats]
        write, start = self.fh.write, self._write_row
        for i, template in enumerate(long.templates):
            if not template:
                continue
            r = long.first + i
            start(r, self.row_spans.get(r // 16), self.row_info.get(r))
            write(template.format(*xfs))
            write("</row>")


_FAST_CELLS = frozenset({"Number", "String", "Blank", "Formula"})
_FORMULA_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


class _LongRows:
    """Rows of a long table kept as one XML template each (format indices left as {0}, {1}...)."""

    def __init__(self, first: int, formats: list) -> None:
        self.first, self.formats = first, formats
        self.templates: list[str] = []
        self.blocks: dict[int, tuple[int, int]] = {}  # 16-row block -> first and last column used


def _write_long_rows(ws: "ClassicFormulaSheet", first_row: int, rows, formats: list, formula) -> int:
    """The body of :meth:`ClassicFormulaSheet.write_long_rows` on its fast path."""
    if ws._long is not None:
        raise RuntimeError("write_long_rows: one long table per sheet")
    sst = ws.str_table._get_shared_string_index
    escape = ws._escape_data
    opens = [f'<c r="{xl_col_to_name(c)}' for c in range(len(formats))]  # + row number
    styles = [f'" s="{{{c}}}"' for c in range(len(formats))]  # format index filled in later
    fcol, make = formula if formula else (-1, None)
    long = _LongRows(first_row, formats)
    templates, blocks = long.templates, long.blocks
    r = first_row
    limit = ws.xls_rowmax
    for row in rows:
        if r >= limit:  # xlsxwriter ignores cells beyond the last row; so do we
            r += 1
            continue
        parts = []
        n = str(r + 1)
        lo = hi = None
        for c, value in enumerate(row):
            head = opens[c] + n + styles[c]
            if c == fcol:
                text = escape(ws._prepare_formula(make(r))).replace("{", "{{").replace("}", "}}")
                cached = "" if value is None else value
                kind = ""
                if isinstance(cached, bool):
                    kind, cached = ' t="b"', int(cached)
                elif isinstance(cached, str):  # "" too: an empty text result, not 0
                    kind = ' t="e"' if cached in _FORMULA_ERRORS else ' t="str"'
                cached = str(escape(cached)).replace("{", "{{").replace("}", "}}")
                parts.append(f"{head}{kind}><f>{text}</f><v>{cached}</v></c>")
            elif value is None:
                parts.append(f"{head}/>")
            elif isinstance(value, bool):
                parts.append(f'{head} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                if value != value or value in (math.inf, -math.inf):
                    raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors' "
                                    "Workbook() option")
                parts.append(f"{head}><v>{value:.16G}</v></c>")
            else:
                text = str(value)
                if len(text) > ws.xls_strmax:
                    text = text[:ws.xls_strmax]
                parts.append(f'{head} t="s"><v>{sst(text)}</v></c>')
            lo = c if lo is None else lo
            hi = c
        if parts:
            templates.append("".join(parts))
            block = r // 16
            have = blocks.get(block)
            blocks[block] = (lo, hi) if have is None else (min(have[0], lo), max(have[1], hi))
            ws._check_dimensions(r, lo)
            ws._check_dimensions(r, hi)
        else:
            templates.append("")
        r += 1
    if any(templates):
        ws._long = long
    return r - first_row


def _long_rows_fit(ws: "ClassicFormulaSheet", formats: list) -> bool:
    return FAST_CELL_XML and not ws.constant_memory and all(f is not None for f in formats)


# -- the fence around the fast paths --------------------------------------------------------------
#: the XlsxWriter release this guard and tests/test_fast_paths.py were checked against; the
#: dependency in pyproject.toml stops below the next minor release, to be checked (the tests
#: run, the internals below read in its source) before the bound is raised. Within the bound,
#: the guard still turns the fast paths off if a release changes what they rely on.
XLSXWRITER_CHECKED = "3.3.1"
#: XLKINERJA_NO_FAST_PATH=1 (or yes/true/ya) writes every cell and formula with XlsxWriter's own
#: code: the same file, slower; for a release of XlsxWriter the guard does not know yet, or to
#: rule the fast paths out when a file looks wrong
NO_FAST_PATH_ENV = "XLKINERJA_NO_FAST_PATH"


def fast_path_disabled() -> bool:
    """Whether the environment turns the fast paths off."""
    import os

    return os.environ.get(NO_FAST_PATH_ENV, "").strip().lower() in ("1", "true", "yes", "ya", "on")


def _params(func) -> tuple[str, ...]:
    import inspect

    return tuple(inspect.signature(func).parameters)


def _same_cell_xml() -> bool:
    """XlsxWriter's own _write_cell and ours give the same XML for one cell of every kind the
    fast path writes (number, shared string, blank, formula with a number, an empty or no
    result): the internals below, used together, still mean what they meant."""
    import io

    import xlsxwriter.format as xf
    import xlsxwriter.utility as xu
    import xlsxwriter.worksheet as xw

    fmt = xf.Format()
    fmt.xf_index = 3
    a, b, c = (xu.xl_rowcol_to_cell(0, col) for col in range(3))  # sample references
    cells = [xw.CellNumberTuple(1234.5, fmt), xw.CellNumberTuple(0.1 + 0.2, fmt),
             xw.CellStringTuple(7, fmt), xw.CellBlankTuple(fmt),
             xw.CellFormulaTuple(f"SUM({a}:{b})", fmt, 0), xw.CellFormulaTuple(f"{a}&{c}", fmt, ""),
             xw.CellFormulaTuple(f'IF({a}>0,"a&b<c>",1)', fmt, 2.5)]
    ours, theirs = ClassicFormulaSheet(), ClassicFormulaSheet()
    ours.fh, theirs.fh = io.StringIO(), io.StringIO()
    for i, cell in enumerate(cells):
        if not ours._write_fast_cell(i, 2, cell):
            return False
        Worksheet._write_cell(theirs, i, 2, cell)  # with our t="str" for an empty result
    return ours.fh.getvalue() == theirs.fh.getvalue()


def fast_path_internals() -> list[tuple[str, Any]]:
    """Every XlsxWriter internal the fast paths rely on, with a check that it is still there
    and what it was: (what, check) pairs, a check a function returning True when it holds."""
    import xlsxwriter.format as xf
    import xlsxwriter.utility as xu
    import xlsxwriter.worksheet as xw

    def ws():
        return Worksheet()

    cells = {"CellNumberTuple": ("Number", ("number", "format")),
             "CellStringTuple": ("String", ("string", "format")),
             "CellBlankTuple": ("Blank", ("format",)),
             "CellFormulaTuple": ("Formula", ("formula", "format", "value"))}
    return [
        # the direct cell XML (ClassicFormulaSheet._write_cell)
        ("Worksheet._write_cell(row, col, cell), the method replaced",
         lambda: _params(Worksheet._write_cell)[:4] == ("self", "row", "col", "cell")),
        *((f"worksheet.{name}: a {kind} cell with fields {', '.join(fields)}",
           lambda name=name, kind=kind, fields=fields:
           getattr(xw, name).__name__ == kind and getattr(xw, name)._fields == fields)
          for name, (kind, fields) in cells.items()),
        ("Format._get_xf_index(), a cell format's index",
         lambda: callable(xf.Format._get_xf_index) and _params(xf.Format._get_xf_index) == ("self",)),
        ("Worksheet._escape_data(text), the XML escaping of a formula",
         lambda: ws()._escape_data('a&b<c>"') == "a&amp;b&lt;c&gt;\""),
        ("Worksheet.fh, the open sheet XML the cells go to", lambda: hasattr(ws(), "fh")),
        ("Worksheet.constant_memory (inline strings instead of shared ones)",
         lambda: ws().constant_memory in (0, False)),
        ("utility.xl_rowcol_to_cell_fast(row, col)",
         lambda: xu.xl_rowcol_to_cell_fast(2, 27) == xu.xl_rowcol_to_cell(2, 27) == xu.xl_col_to_name(27) + "3"),
        ("Worksheet._xml_formula_element(formula, result, attributes), replaced for t=\"str\"",
         lambda: _params(Worksheet._xml_formula_element)[:4] == ("self", "formula", "result", "attributes")),
        # the long tables (write_long_rows)
        ("worksheet.str_table._get_shared_string_index(text), the shared strings",
         lambda: callable(getattr(__import__("xlsxwriter.sharedstrings", fromlist=["x"]).SharedStringTable,
                                  "_get_shared_string_index", None))),
        ("Worksheet.row_spans, a dict of 16-row block -> 'first:last' columns",
         lambda: isinstance(ws().row_spans, dict)),
        ("Worksheet._calculate_spans(), which fills row_spans",
         lambda: _params(Worksheet._calculate_spans) == ("self",)),
        ("Worksheet.table and Worksheet.row_info, the cells and row settings by row",
         lambda: isinstance(ws().table, dict) and isinstance(ws().row_info, dict)),
        ("Worksheet._write_rows(), the loop over the rows, replaced",
         lambda: _params(Worksheet._write_rows) == ("self",)),
        ("Worksheet._write_row(row, spans, row_info), a row's start tag",
         lambda: _params(Worksheet._write_row)[:4] == ("self", "row", "spans", "row_info")),
        ("Worksheet.xls_rowmax and xls_strmax, Excel's limits",
         lambda: ws().xls_rowmax == 1_048_576 and ws().xls_strmax == 32_767),
        ("Worksheet._check_dimensions(row, col), the sheet's used range",
         lambda: _params(Worksheet._check_dimensions)[:3] == ("self", "row", "col")),
        ("utility.xl_col_to_name(col)", lambda: xu.xl_col_to_name(27) == "A" + chr(ord("A") + 1)),
        # the formula shortcut (ClassicFormulaSheet._prepare_formula)
        ("Worksheet._prepare_formula(formula, expand_future_functions) and use_future_functions",
         lambda: _params(Worksheet._prepare_formula)[:3] == ("self", "formula", "expand_future_functions")
         and ws().use_future_functions is False),
        # all of them together
        ("the XML of a number, string, blank and formula cell is XlsxWriter's own", _same_cell_xml),
    ]


def fast_path_problems() -> list[str]:
    """The internals of :func:`fast_path_internals` that no longer hold (empty: all do)."""
    out = []
    for what, check in fast_path_internals():
        try:
            ok = bool(check())
        except Exception:  # noqa: BLE001 - a missing or changed internal is what we look for
            ok = False
        if not ok:
            out.append(what)
    return out


#: False when XLKINERJA_NO_FAST_PATH is set or an internal changed: every fast path of this
#: module (formula shortcut, direct cell XML, long tables) leaves the work to XlsxWriter
FAST_PATH = not fast_path_disabled() and not fast_path_problems()
FAST_CELL_XML = FAST_PATH  # the direct cell XML and the long tables (tests turn it off alone)


class ProtectedWorkbook(Workbook):
    """xlsxwriter has sheet protection only; add <workbookProtection lockStructure="1">.

    Its worksheets are :class:`ClassicFormulaSheet` unless another class is asked for."""

    structure_password: str | None = None
    worksheet_class = ClassicFormulaSheet

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attributes: list[tuple[str, Any]] = []
        if self.structure_password:
            attributes.append(("workbookPassword", legacy_hash(self.structure_password)))
        attributes.append(("lockStructure", 1))
        self._xml_empty_tag("workbookProtection", attributes)


def legacy_hash(password: str) -> str:
    # ECMA-376 Part 4, 14.7.1: the same weak hash Excel uses for sheet protection.
    digest = 0
    for char in password[::-1]:
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password)
    digest ^= 0xCE4B
    return f"{digest:X}"


class Formats:
    """xlsxwriter formats made on demand from property sets (one object per distinct style)."""

    BASE = {"font_name": "Arial", "font_size": 9, "valign": "top"}

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.cache: dict[frozenset, Any] = {}

    def __call__(self, **props: Any):
        merged = dict(self.BASE)
        merged.update(props)
        key = frozenset(merged.items())
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(merged)
        return self.cache[key]

    # named styles used across sheets; keyword arguments override the defaults
    def cell(self, **p):
        return self(**{"border": 1, "text_wrap": True, **p})

    def input(self, **p):
        return self(**{"border": 1, "text_wrap": True, "bg_color": INPUT_FILL, "locked": False, **p})

    def header(self, **p):
        return self(**{"border": 1, "bold": True, "align": "center", "valign": "vcenter",
                       "text_wrap": True, "bg_color": HEADER_FILL, **p})


def text_lines(text: str | None, chars_per_line: float) -> int:
    if not text:
        return 0
    return sum(max(1, math.ceil(len(part) / chars_per_line)) for part in text.split("\n"))


class AutoHeightSheet(ClassicFormulaSheet):
    """A worksheet whose estimated row heights stay "automatic" for Excel.

    Rows listed in ``auto_rows`` get a height (so LibreOffice and printing show wrapped text) but
    no customHeight flag, so Excel still grows the row when a user types a long keterangan.
    """

    def __init__(self) -> None:
        super().__init__()
        self.auto_rows: set[int] = set()
        self._auto_row = False

    def _write_row(self, row, spans, row_info=None, empty_row=False):  # noqa: D401
        self._auto_row = row in self.auto_rows
        try:
            super()._write_row(row, spans, row_info, empty_row)
        finally:
            self._auto_row = False

    def _xml_start_tag_unencoded(self, tag, attributes=None):
        super()._xml_start_tag_unencoded(tag, self._drop_custom(tag, attributes))

    def _xml_empty_tag_unencoded(self, tag, attributes=None):
        super()._xml_empty_tag_unencoded(tag, self._drop_custom(tag, attributes))

    def _drop_custom(self, tag, attributes):
        if tag == "row" and self._auto_row and attributes:
            return [a for a in attributes if a[0] != "customHeight"]
        return attributes


class RowFit:
    """Estimates how many lines wrapped text needs, to size rows (Arial 9: ~12 pt a line)."""

    LINE_PT = 12.0

    def __init__(self, widths: dict[int, float]):
        self.widths = widths
        self.lines: dict[int, int] = {}
        self.blocks: list[tuple[int, int, int]] = []  # merged cells: first row, last row, lines

    def _cpl(self, cols: range, bold: bool, indent: int) -> float:
        width = sum(self.widths.get(c, 8.43) for c in cols) - 1.5 * indent
        return max(1.0, width * (1.3 if bold else 1.45))

    def text(self, row: int, col: int, text: str | None, bold: bool = False, indent: int = 0,
             last_col: int | None = None, last_row: int | None = None) -> None:
        if not text:
            return
        need = text_lines(text, self._cpl(range(col, (last_col or col) + 1), bold, indent))
        if last_row is not None and last_row > row:
            self.blocks.append((row, last_row, need))
        else:
            self.lines[row] = max(self.lines.get(row, 1), need)

    def apply(self, ws: "AutoHeightSheet") -> None:
        for first, last, need in self.blocks:
            have = sum(self.lines.get(r, 1) for r in range(first, last + 1))
            if need > have:
                self.lines[last] = self.lines.get(last, 1) + need - have
        for row, n in self.lines.items():
            if n > 1:
                ws.set_row(row, n * self.LINE_PT + 3)
                ws.auto_rows.add(row)
