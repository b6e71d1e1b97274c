"""An xlwings engine backed by openpyxl: xlwings' own Book/Sheet/Range API on a file, no Excel.

Test infrastructure for the buttons (``xlkinerja.button``). It is built the way xlwings' own
engines are (compare ``xlwings/_xlwindows.py``): impl classes derived from
``xlwings.base_classes`` (BSD 3-clause) for App, Books, Book, Sheets, Sheet, Range, Note and
Font, and an engine object with ``name``, ``type`` and the value cleaning that xlwings'
conversion pipeline calls. ``xlwings.main`` wraps them exactly as it wraps the Excel engine, so
code under test runs unchanged: ``xw.Book.caller()`` (through xlwings' mock-caller mechanism,
``Book.set_mock_caller``), ``book.sheets[...]``, ``sheet.range(...).options(ndim=2).value``,
``.formula``, ``.color``, ``.add_note``, ``book.app.alert``, ``book.app.calculate``.

Where the button depends on Excel's behaviour, this engine follows it:

- reads: ``raw_value`` is a scalar for one cell and rows of values otherwise; numbers come back
  as float (as COM gives them), error cells as Excel's error codes, formula cells as their cached
  result (from the file); writing a string that starts with ``=`` enters a formula;
- protection: writing a value to a locked cell of a protected sheet, and any change of format
  or note on a protected sheet, raises as Excel does; ``Sheet.api``/``Book.api`` offer the COM
  members of sheet and workbook protection (``ProtectContents``, ``Protection.Allow*``,
  ``EnableSelection``, ``Unprotect(Password)``, ``Protect(Password, ...)``,
  ``ProtectStructure``), and ``Unprotect`` checks the password against the file's hash as
  Excel does;
- ``App.alert`` records the message (and returns "ok"), as the dialog would show it;
- typing: a string written to a cell is stored as Excel stores a typed entry: ``=...`` a
  formula, a leading apostrophe the text after it, in a cell not formatted as Text a number
  ("9.010" becomes 9.01) or TRUE/FALSE, otherwise the text;
- the recap's Konsolidasi button (``xlkinerja.desk.refresh``) also uses: merged cells,
  ``clear``/``clear_formats`` (which, as in Excel, also take the conditional formats off the
  cleared cells, and refuse to split a merged area), font, fill, alignment, wrapping, borders,
  row heights and row autofit, conditional formats (cell-value rules, a new rule first),
  ``Sheet.tables`` with ``Table.resize`` (the header row stays, as Excel requires),
  ``Sheet.charts`` with ``Chart.set_source_data`` (a series a column of the source, names
  and categories dropped, formatting kept per series as Excel keeps it), ``set_x_axis_values``,
  ``series[i].name``, ``Chart.height`` (points, from the drawing anchor and row heights) and
  ``Sheet.page_setup.print_area``; tables, charts and formats refuse to change on a protected
  sheet, as Excel does.

It does not calculate: ``App.calculate()`` counts the calls and leaves cached results as they
are, and a written formula has no result until the file is opened in a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
from contextlib import contextmanager
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.chart.data_source import AxDataSource, NumDataSource, NumRef, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.series_factory import SeriesFactory
from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, PatternFill
from openpyxl.styles import Font as XlFont
from openpyxl.styles.borders import Border as XlBorder
from openpyxl.styles.borders import Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.protection import hash_password
from xlwings import base_classes
from xlwings.base_classes import _UNSET

ENGINE_NAME = "openpyxl"

#: Excel's error values as COM returns them (xlwings' ``cell_errors``)
ERROR_CODES = {"#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259,
               "#NULL!": -2146826288, "#NUM!": -2146826252, "#REF!": -2146826265,
               "#VALUE!": -2146826273}
ERROR_TEXT = {v: k for k, v in ERROR_CODES.items()}

XL_SHEET_VISIBLE, XL_SHEET_HIDDEN, XL_SHEET_VERY_HIDDEN = -1, 0, 2
XL_NO_RESTRICTIONS, XL_UNLOCKED_CELLS, XL_NO_SELECTION = 0, 1, -4142


class ExcelError(Exception):
    """What COM raises (pywintypes.com_error) when Excel refuses an operation."""


def _protected_error(sheet: str) -> ExcelError:
    return ExcelError(f"The cell or chart you're trying to change is on a protected sheet "
                      f"({sheet}). To make a change, unprotect the sheet.")


# -- engine ----------------------------------------------------------------------------------------

class Engine:
    @property
    def apps(self) -> "Apps":
        return Apps()

    @property
    def name(self) -> str:
        return ENGINE_NAME

    @property
    def type(self) -> str:
        return "desktop"  # like Excel: a scalar write fills the whole range in one call

    @staticmethod
    def prepare_xl_data_element(x, options):
        if x is None:
            return ""
        if isinstance(x, float) and math.isnan(x):
            return ""
        return x

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(value):
            if value in ("", None):
                return empty_as
            if isinstance(value, dt.datetime):
                return datetime_builder(year=value.year, month=value.month, day=value.day,
                                        hour=value.hour, minute=value.minute,
                                        second=value.second, microsecond=value.microsecond)
            if isinstance(value, int) and not isinstance(value, bool) and value in ERROR_TEXT:
                return ERROR_TEXT[value] if err_to_str else None
            if number_builder is not None and isinstance(value, float):
                return number_builder(value)
            return value

        return [[clean(c) for c in row] for row in data]


engine = Engine()


class Apps(base_classes.Apps):
    """The apps this engine has: every App made by :func:`open_book` is registered here."""

    _apps: list["App"] = []

    def keys(self):
        return [app.pid for app in self._apps]

    def add(self, spec=None, add_book=None, xl=None, visible=None):
        app = App()
        self._apps.append(app)
        return app

    @staticmethod
    def cleanup():
        pass

    def __iter__(self):
        return iter(reversed(self._apps))  # the newest is the active one

    def __len__(self):
        return len(self._apps)

    def __getitem__(self, pid):
        for app in self._apps:
            if app.pid == pid:
                return app
        raise KeyError(pid)


_pids = itertools.count(9000)


class App(base_classes.App):
    def __init__(self):
        self._pid = next(_pids)
        self._books: list["Book"] = []
        self.alerts: list[dict] = []  # what App.alert showed
        self.calculations = 0  # how often App.calculate() was called
        self._screen_updating = True
        self._display_alerts = True
        self.screen_updating_log: list[bool] = []

    @property
    def engine(self):
        return engine

    @property
    def api(self):
        return self

    @property
    def pid(self):
        return self._pid

    @property
    def books(self):
        return Books(self)

    @property
    def visible(self):
        return True

    @visible.setter
    def visible(self, value):
        pass

    @property
    def screen_updating(self):
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value):
        self._screen_updating = bool(value)
        self.screen_updating_log.append(bool(value))

    @property
    def display_alerts(self):
        return self._display_alerts

    @display_alerts.setter
    def display_alerts(self, value):
        self._display_alerts = bool(value)

    @property
    def version(self):
        return "16.0"

    def calculate(self):
        self.calculations += 1

    def activate(self, steal_focus=False):
        pass

    def alert(self, prompt, title, buttons, mode, callback):
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return "ok"


class Books(base_classes.Books):
    def __init__(self, app: App):
        self.app = app

    @property
    def api(self):
        return self

    @property
    def active(self):
        return self.app._books[-1]

    def __call__(self, name_or_index):
        if isinstance(name_or_index, int):
            return self.app._books[name_or_index - 1]
        for book in self.app._books:
            if book.name.lower() == str(name_or_index).lower():
                return book
        raise KeyError(name_or_index)

    def __len__(self):
        return len(self.app._books)

    def __iter__(self):
        return iter(self.app._books)

    def open(self, fullname, *args, **kwargs):
        return Book(self.app, Path(fullname))


# -- book --------------------------------------------------------------------------------------

class ErrorValue(str):
    """An error cell's cached result (openpyxl gives its text)."""


class Book(base_classes.Book):
    """A workbook file held in openpyxl: formulas and formats, plus the cached results."""

    def __init__(self, app: App, path: Path):
        self._app = app
        self.path = Path(path)
        keep_vba = self.path.suffix.lower() == ".xlsm"
        self.wb = openpyxl.load_workbook(self.path, keep_vba=keep_vba)
        cached = openpyxl.load_workbook(self.path, data_only=True, keep_vba=False)
        # result of every formula cell, as Excel would show it
        self.results: dict[tuple[str, int, int], Any] = {}
        for ws in self.wb.worksheets:
            cws = cached[ws.title]
            for (r, c), cell in ws._cells.items():
                if cell.data_type == "f":
                    result = cws._cells.get((r, c))
                    value = None if result is None else result.value
                    if result is not None and result.data_type == "e":
                        value = ErrorValue(value)
                    self.results[(ws.title, r, c)] = value
        cached.close()
        self._active = self.wb.active.title
        app._books.append(self)

    @property
    def api(self):
        return BookApi(self)

    @property
    def name(self):
        return self.path.name

    @property
    def fullname(self):
        return str(self.path)

    @property
    def sheets(self):
        return Sheets(self)

    @property
    def app(self):
        return self._app

    def activate(self):
        pass

    def save(self, path=None, password=None):
        target = Path(path) if path else self.path
        self.wb.save(target)

    def close(self):
        self._app._books.remove(self)

    # for tests
    @property
    def active_sheet(self) -> str:
        return self._active


class BookApi:
    """The members of Excel's Workbook object that the button uses for structure protection."""

    def __init__(self, book: Book):
        self._book = book

    @property
    def _security(self):
        wb = self._book.wb
        if wb.security is None:
            from openpyxl.workbook.protection import WorkbookProtection

            wb.security = WorkbookProtection()
        return wb.security

    @property
    def ProtectStructure(self):  # noqa: N802 - Excel's names
        return bool(self._security.lockStructure)

    @property
    def ProtectWindows(self):  # noqa: N802
        return bool(self._security.lockWindows)

    def Unprotect(self, Password=""):  # noqa: N802, N803
        stored = self._security.workbookPassword
        if stored and hash_password(Password or "") != stored:
            raise ExcelError("The password you supplied is not correct.")
        self._security.lockStructure = False
        self._security.lockWindows = False
        self._security.set_workbook_password(None, already_hashed=True)

    def Protect(self, Password="", Structure=True, Windows=False):  # noqa: N802, N803
        self._security.lockStructure = bool(Structure)
        self._security.lockWindows = bool(Windows)
        if Password:
            self._security.workbookPassword = Password  # openpyxl hashes it


class Sheets(base_classes.Sheets):
    def __init__(self, book: Book):
        self.book = book

    @property
    def api(self):
        return self

    @property
    def active(self):
        return Sheet(self.book, self.book._active)

    def __call__(self, name_or_index):
        wb = self.book.wb
        if isinstance(name_or_index, int):
            return Sheet(self.book, wb.worksheets[name_or_index - 1].title)
        for ws in wb.worksheets:
            if ws.title.lower() == str(name_or_index).lower():
                return Sheet(self.book, ws.title)
        raise KeyError(name_or_index)

    def __len__(self):
        return len(self.book.wb.worksheets)

    def __iter__(self):
        for ws in self.book.wb.worksheets:
            yield Sheet(self.book, ws.title)

    def __contains__(self, key):
        return any(ws.title.lower() == str(key).lower() for ws in self.book.wb.worksheets)

    def add(self, before=None, after=None, name=None):
        wb = self.book.wb
        if wb.security is not None and wb.security.lockStructure:
            raise ExcelError("Workbook is protected and cannot be changed.")
        if before is not None:
            index = wb.worksheets.index(before.ws)
        elif after is not None:
            index = wb.worksheets.index(after.ws) + 1
        else:
            index = wb.worksheets.index(wb[self.book._active])
        title = name or f"Sheet{len(wb.worksheets) + 1}"
        wb.create_sheet(title, index)
        self.book._active = title
        return Sheet(self.book, title)


# -- sheet -------------------------------------------------------------------------------------

class Sheet(base_classes.Sheet):
    def __init__(self, book: Book, title: str):
        self._book = book
        self.title = title
        self._ws = None

    @property
    def ws(self):
        if self._ws is None:
            self._ws = self._book.wb[self.title]
        return self._ws

    @property
    def api(self):
        return SheetApi(self)

    @property
    def name(self):
        return self.title

    @property
    def book(self):
        return self._book

    @property
    def index(self):
        return self._book.wb.worksheets.index(self.ws) + 1

    @property
    def visible(self):
        return {"visible": XL_SHEET_VISIBLE, "hidden": XL_SHEET_HIDDEN,
                "veryHidden": XL_SHEET_VERY_HIDDEN}[self.ws.sheet_state]

    @visible.setter
    def visible(self, value):
        self.ws.sheet_state = "visible" if value in (True, XL_SHEET_VISIBLE) else "hidden"

    def activate(self):
        if self.ws.sheet_state != "visible":
            raise ExcelError("Activate method of Worksheet class failed (hidden sheet)")
        self._book._active = self.title

    def select(self):
        self.activate()

    def range(self, arg1, arg2=None):
        r1, c1, r2, c2 = _bounds(arg1)
        if arg2 is not None:
            s1, d1, s2, d2 = _bounds(arg2)
            r1, c1 = min(r1, s1), min(c1, d1)
            r2, c2 = max(r2, s2), max(c2, d2)
        return Range(self, r1, c1, r2 - r1 + 1, c2 - c1 + 1)

    @property
    def cells(self):
        return Range(self, 1, 1, 1048576, 16384)

    @property
    def used_range(self):
        ws = self.ws
        if not ws._cells:
            return Range(self, 1, 1, 1, 1)
        rows = [r for r, _ in ws._cells]
        cols = [c for _, c in ws._cells]
        return Range(self, min(rows), min(cols), max(rows) - min(rows) + 1,
                     max(cols) - min(cols) + 1)

    @property
    def protected(self) -> bool:
        return bool(self.ws.protection.sheet)

    @property
    def objects_protected(self) -> bool:
        return SheetApi(self).ProtectDrawingObjects

    @property
    def tables(self):
        return Tables(self)

    @property
    def charts(self):
        return Charts(self)

    @property
    def page_setup(self):
        return PageSetup(self)


class PageSetup(base_classes.PageSetup):
    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    @property
    def api(self):
        return self

    @property
    def print_area(self):
        area = self.sheet.ws.print_area
        return area.split("!")[-1] if area else None  # Excel gives "$A$1:$R$9"

    @print_area.setter
    def print_area(self, value):
        self.sheet.ws.print_area = value or None


class _Collection:
    """Excel's collections: 1-based index or name."""

    def _items(self) -> list:
        raise NotImplementedError

    @property
    def api(self):
        return self

    def __call__(self, name_or_index):
        items = self._items()
        if isinstance(name_or_index, int):
            return items[name_or_index - 1]
        for item in items:
            if item.name.lower() == str(name_or_index).lower():
                return item
        raise KeyError(name_or_index)

    def __len__(self):
        return len(self._items())

    def __iter__(self):
        return iter(self._items())

    def __contains__(self, key):
        return any(item.name.lower() == str(key).lower() for item in self._items())


class Tables(_Collection, base_classes.Tables):
    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    def _items(self):
        return [Table(self.sheet, name) for name in self.sheet.ws.tables]


class _SheetItem:
    """A table (by name) or chart (by index) of a sheet: its native (openpyxl) object."""

    def __init__(self, sheet: Sheet, key):
        self.sheet, self.key = sheet, key

    def _native(self):
        raise NotImplementedError

    @property
    def api(self):
        return self._native()

    @property
    def parent(self):
        return self.sheet


class Table(_SheetItem, base_classes.Table):
    """An Excel table (ListObject) held by openpyxl."""

    def _native(self):
        return self.sheet.ws.tables[self.key]

    @property
    def name(self):
        return self.key

    @property
    def range(self):
        return self.sheet.range(self._native().ref)

    @property
    def header_row_range(self):
        rng = self.range
        return Range(self.sheet, rng.row, rng.column, 1, rng.ncols)

    @property
    def data_body_range(self):
        rng = self.range
        return Range(self.sheet, rng.row + 1, rng.column, rng.nrows - 1, rng.ncols)

    def resize(self, range):  # noqa: A002 - xlwings' name
        rng = range.api  # xlwings passes its Range; .api is this engine's Range
        old = self.range
        if self.sheet.protected:
            raise _protected_error(self.sheet.name)
        if (rng.row, rng.column) != (old.row, old.column):
            raise ExcelError("The header row must remain in the same row and the resulting "
                             "table must overlap the original table.")
        if rng.ncols != old.ncols:
            raise NotImplementedError("this engine resizes tables by rows only")
        ref = rng.get_address(False, False)
        self._native().ref = ref
        if self._native().autoFilter is not None:
            self._native().autoFilter.ref = ref


class Charts(_Collection, base_classes.Charts):
    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    @property
    def parent(self):
        return self.sheet

    def _items(self):
        return [Chart(self.sheet, i) for i in range(len(self.sheet.ws._charts))]


EMU_PER_POINT = 12700


class Chart(_SheetItem, base_classes.Chart):
    """A chart of the sheet's drawing (openpyxl's), anchored to cells as Excel anchors it."""

    def _native(self):
        return self.sheet.ws._charts[self.key]

    chart = property(_native)

    @property
    def name(self):
        return f"Chart {self.key + 1}"

    def _check(self):
        if self.sheet.objects_protected:
            raise _protected_error(self.sheet.name)

    def set_source_data(self, rng, plot_by=None):
        """A series per column of ``rng`` (per row with plot_by "rows"), values only: Excel
        keeps each remaining series' formatting but not its name or categories."""
        self._check()
        parts = ([Range(rng.sheet, rng.row, c, rng.nrows, 1)
                  for c in range(rng.column, rng.column + rng.ncols)] if plot_by != "rows" else
                 [Range(rng.sheet, r, rng.column, 1, rng.ncols)
                  for r in range(rng.row, rng.row + rng.nrows)])
        old = list(self.chart.series)
        series = []
        for i, part in enumerate(parts):
            s = old[i] if i < len(old) else SeriesFactory(_ref(part))
            s.val = NumDataSource(numRef=NumRef(f=_ref(part)))
            s.cat = None
            s.tx = None
            series.append(s)
        self.chart.series = series

    def set_x_axis_values(self, rng):
        self._check()
        for s in self.chart.series:
            s.cat = AxDataSource(strRef=StrRef(f=_ref(rng)))

    @property
    def series(self):
        return ChartSeriesCollection(self)

    def _row_points(self, row0: int) -> float:
        dim = self.sheet.ws.row_dimensions.get(row0 + 1)
        if dim is not None and dim.height is not None:
            return float(dim.height)
        return float(self.sheet.ws.sheet_format.defaultRowHeight or 15)

    @property
    def height(self):
        a = self.chart.anchor
        points = sum(self._row_points(r) for r in range(a._from.row, a.to.row))
        return points - a._from.rowOff / EMU_PER_POINT + a.to.rowOff / EMU_PER_POINT

    @height.setter
    def height(self, value):
        self._check()
        a = self.chart.anchor
        left, row = float(value) + a._from.rowOff / EMU_PER_POINT, a._from.row
        while left >= self._row_points(row):
            left -= self._row_points(row)
            row += 1
        a.to.row, a.to.rowOff = row, int(round(left * EMU_PER_POINT))


def _ref(rng) -> str:
    return f"'{rng.sheet.name}'!{rng.get_address()}"


class ChartSeriesCollection(_Collection, base_classes.ChartSeriesCollection):
    def __init__(self, chart: Chart):
        self.chart = chart

    def _items(self):
        return [ChartSeries(self.chart, i) for i in range(len(self.chart.chart.series))]


class ChartSeries(base_classes.ChartSeries):
    def __init__(self, chart: Chart, index: int):
        self.parent_chart, self.index = chart, index

    @property
    def _series(self):
        return self.parent_chart.chart.series[self.index]

    @property
    def api(self):
        return self._series

    @property
    def name(self):
        tx = self._series.tx
        return None if tx is None else tx.v

    @name.setter
    def name(self, value):
        self.set(name=value)

    def set(self, *, name=_UNSET, **others):
        if any(v is not _UNSET for v in others.values()):
            raise NotImplementedError("this engine sets a series' name only")
        self.parent_chart._check()
        if name is not _UNSET:
            self._series.tx = SeriesLabel(v=name)


def _bounds(arg) -> tuple[int, int, int, int]:
    if isinstance(arg, Range):
        return arg.row, arg.column, arg.row + arg.nrows - 1, arg.column + arg.ncols - 1
    if isinstance(arg, tuple):
        if len(arg) == 4:
            row, col, nrows, ncols = arg
            return row, col, row + nrows - 1, col + ncols - 1
        if 0 in arg:
            raise IndexError("Attempted to access 0-based Range. xlwings/Excel Ranges are "
                             "1-based.")
        return arg[0], arg[1], arg[0], arg[1]
    c1, r1, c2, r2 = range_boundaries(str(arg).replace("$", ""))
    return r1, c1, r2, c2


class SheetApi:
    """The members of Excel's Worksheet object that the button uses for sheet protection."""

    # Worksheet.Protection.Allow* -> openpyxl SheetProtection attribute (True = not allowed)
    ALLOW = {"AllowFormattingCells": "formatCells", "AllowFormattingColumns": "formatColumns",
             "AllowFormattingRows": "formatRows", "AllowInsertingColumns": "insertColumns",
             "AllowInsertingRows": "insertRows", "AllowInsertingHyperlinks": "insertHyperlinks",
             "AllowDeletingColumns": "deleteColumns", "AllowDeletingRows": "deleteRows",
             "AllowSorting": "sort", "AllowFiltering": "autoFilter",
             "AllowUsingPivotTables": "pivotTables"}

    def __init__(self, sheet: Sheet):
        self._sheet = sheet

    @property
    def _p(self):
        return self._sheet.ws.protection

    @property
    def ProtectContents(self):  # noqa: N802 - Excel's names
        return bool(self._p.sheet)

    @property
    def ProtectDrawingObjects(self):  # noqa: N802
        return bool(self._p.sheet and self._p.objects)

    @property
    def ProtectScenarios(self):  # noqa: N802
        return bool(self._p.sheet and self._p.scenarios)

    @property
    def Protection(self):  # noqa: N802
        p = self._p
        return type("Protection", (), {k: not bool(getattr(p, v)) for k, v in self.ALLOW.items()})()

    @property
    def EnableSelection(self):  # noqa: N802
        p = self._p
        if p.selectUnlockedCells:
            return XL_NO_SELECTION
        return XL_UNLOCKED_CELLS if p.selectLockedCells else XL_NO_RESTRICTIONS

    @EnableSelection.setter
    def EnableSelection(self, value):  # noqa: N802
        p = self._p
        p.selectLockedCells = value in (XL_UNLOCKED_CELLS, XL_NO_SELECTION)
        p.selectUnlockedCells = value == XL_NO_SELECTION

    def Unprotect(self, Password=""):  # noqa: N802, N803
        p = self._p
        if p.sheet and p.password and hash_password(Password or "") != p.password:
            raise ExcelError("The password you supplied is not correct. Verify that the CAPS "
                             "LOCK key is off and be sure to use the correct capitalization.")
        p.set_password(None, already_hashed=True)  # (openpyxl: this also switches it on)
        p.sheet = False

    def Protect(self, Password="", DrawingObjects=True, Contents=True, Scenarios=True,  # noqa: N802, N803
                UserInterfaceOnly=False, **allow):
        unknown = set(allow) - set(self.ALLOW)
        if unknown:
            raise TypeError(f"Protect() got unexpected arguments {sorted(unknown)}")
        p = self._p
        if Password:
            p.password = Password  # openpyxl hashes it, as Excel stores it
        else:
            p.set_password(None, already_hashed=True)
        p.sheet = bool(Contents)
        p.objects = bool(DrawingObjects)
        p.scenarios = bool(Scenarios)
        for com_name, attr in self.ALLOW.items():
            setattr(p, attr, not allow.get(com_name, False))


# -- range -------------------------------------------------------------------------------------

class Range(base_classes.Range):
    def __init__(self, sheet: Sheet, row: int, column: int, nrows: int, ncols: int):
        self._sheet = sheet
        self._row, self._column, self.nrows, self.ncols = row, column, nrows, ncols
        self.options = {}

    # geometry
    @property
    def coords(self):
        return self._sheet, self._row, self._column, self.nrows, self.ncols

    @property
    def api(self):
        return self  # truthy: xlwings' write stage checks that there is a native object

    @property
    def sheet(self):
        return self._sheet

    @property
    def row(self):
        return self._row

    @property
    def column(self):
        return self._column

    @property
    def shape(self):
        return self.nrows, self.ncols

    def __len__(self):
        return self.nrows * self.ncols

    def __call__(self, arg1, arg2=None):
        if arg2 is None:  # n-th cell, row by row
            r, c = divmod(arg1 - 1, self.ncols)
            return Range(self._sheet, self._row + r, self._column + c, 1, 1)
        return Range(self._sheet, self._row + arg1 - 1, self._column + arg2 - 1, 1, 1)

    def get_address(self, row_absolute=True, col_absolute=True, external=False):
        def one(r, c):
            return (("$" if col_absolute else "") + get_column_letter(c)
                    + ("$" if row_absolute else "") + str(r))

        text = one(self._row, self._column)
        if self.nrows > 1 or self.ncols > 1:
            text += ":" + one(self._row + self.nrows - 1, self._column + self.ncols - 1)
        if external:
            text = f"[{self._sheet.book.name}]{self._sheet.name}!{text}"
        return text

    @property
    def address(self):
        return self.get_address()

    def _cells(self):
        for r in range(self._row, self._row + self.nrows):
            yield [(r, c) for c in range(self._column, self._column + self.ncols)]

    @property
    def ws(self):
        return self._sheet.ws

    # protection, as Excel enforces it
    def _check_values(self):
        if not self._sheet.protected:
            return
        for row in self._cells():
            for r, c in row:
                cell = self.ws._cells.get((r, c))
                locked = True if cell is None else cell.protection.locked
                if locked is not False:
                    raise _protected_error(self._sheet.name)

    def _check_format(self):
        if self._sheet.protected:
            raise _protected_error(self._sheet.name)

    # values
    def _read(self, r, c):
        cell = self.ws._cells.get((r, c))
        if cell is None or isinstance(cell, MergedCell):
            return None
        if cell.data_type == "f":
            value = self._sheet.book.results.get((self._sheet.name, r, c))
            if isinstance(value, ErrorValue):
                return ERROR_CODES.get(str(value), ERROR_CODES["#VALUE!"])
        else:
            value = cell.value
        if isinstance(value, bool) or value is None or isinstance(value, (str, dt.datetime)):
            return value
        if isinstance(value, (int, float)):
            return float(value)  # COM hands every number over as a double
        return value

    def _write(self, r, c, value, formula: bool = False):
        cell = self.ws.cell(r, c)
        if isinstance(cell, MergedCell):
            raise ExcelError("We can't do that to a merged cell.")
        key = (self._sheet.name, r, c)
        if isinstance(value, str) and not value.startswith("="):
            value = _typed(value, cell.number_format)
        if value is None or value == "":
            cell.value = None
            self._sheet.book.results.pop(key, None)
        elif isinstance(value, str) and value.startswith("="):
            cell.value = value
            self._sheet.book.results[key] = None  # not calculated here
        else:
            cell.value = value
            self._sheet.book.results.pop(key, None)

    def _grid(self, data):
        if not isinstance(data, (list, tuple)):
            return [[data] * self.ncols for _ in range(self.nrows)]
        rows = [list(row) if isinstance(row, (list, tuple)) else [row] for row in data]
        if len(rows) != self.nrows or any(len(row) != self.ncols for row in rows):
            raise ValueError(f"array of {len(rows)}x{len(rows[0]) if rows else 0} written to "
                             f"a range of {self.nrows}x{self.ncols}")
        return rows

    @property
    def raw_value(self):
        rows = [[self._read(r, c) for r, c in row] for row in self._cells()]
        if self.nrows == 1 and self.ncols == 1:
            return rows[0][0]
        return tuple(tuple(row) for row in rows)

    @raw_value.setter
    def raw_value(self, data):
        self._check_values()
        for cells, values in zip(self._cells(), self._grid(data)):
            for (r, c), value in zip(cells, values):
                self._write(r, c, value)

    @property
    def formula(self):
        def text(r, c):
            cell = self.ws._cells.get((r, c))
            if cell is None or cell.value is None or isinstance(cell, MergedCell):
                return ""
            return cell.value if isinstance(cell.value, str) else str(cell.value)

        rows = [[text(r, c) for r, c in row] for row in self._cells()]
        if self.nrows == 1 and self.ncols == 1:
            return rows[0][0]
        return tuple(tuple(row) for row in rows)

    @formula.setter
    def formula(self, value):
        self.raw_value = value

    def clear_contents(self):
        self._check_merge_split()
        self.raw_value = None

    def _existing(self):
        """(row, col) of the cells this range holds in the file (not the empty ones)."""
        r2, c2 = self._row + self.nrows - 1, self._column + self.ncols - 1
        return [(r, c) for (r, c) in list(self.ws._cells)
                if self._row <= r <= r2 and self._column <= c <= c2]

    def _check_merge_split(self):
        for merged in self.ws.merged_cells.ranges:
            if _overlap(merged.bounds, self._bounds) and not _inside(merged.bounds,
                                                                     self._bounds):
                raise ExcelError("Cannot change part of a merged cell.")

    @property
    def _bounds(self):
        return (self._column, self._row, self._column + self.ncols - 1,
                self._row + self.nrows - 1)

    def clear_formats(self):
        self._check_format()
        self._check_merge_split()
        for r, c in self._existing():
            self.ws._cells[(r, c)]._style = StyleArray()
        _drop_conditional_formats(self.ws, self._bounds)

    def clear(self):
        self._check_values()
        self._check_format()
        self._check_merge_split()
        for r, c in self._existing():
            del self.ws._cells[(r, c)]
            self._sheet.book.results.pop((self._sheet.name, r, c), None)
        _drop_conditional_formats(self.ws, self._bounds)

    # merged cells
    def merge(self, across=False):
        self._check_format()
        if across:
            raise NotImplementedError("merge(across=True)")
        for merged in self.ws.merged_cells.ranges:
            if _overlap(merged.bounds, self._bounds):
                raise ExcelError(f"{self.address} overlaps the merged cells {merged.coord}")
        self.ws.merge_cells(self.get_address(False, False))

    def unmerge(self):
        self._check_format()
        for merged in list(self.ws.merged_cells.ranges):
            if _overlap(merged.bounds, self._bounds):
                self.ws.unmerge_cells(merged.coord)

    @property
    def merge_cells(self):
        return any(_overlap(m.bounds, self._bounds) for m in self.ws.merged_cells.ranges)

    @property
    def merge_area(self):
        for merged in self.ws.merged_cells.ranges:
            if _inside((self._column, self._row, self._column, self._row), merged.bounds):
                return self._sheet.range(merged.coord)
        return Range(self._sheet, self._row, self._column, 1, 1)

    # formats of every cell of the range
    def _each(self):
        for row in self._cells():
            for r, c in row:
                yield self.ws.cell(r, c)

    #: part of a cell's style -> (its index in the cell's StyleArray, the workbook's list)
    _STYLE_PARTS = {"font": ("fontId", "_fonts"), "alignment": ("alignmentId", "_alignments"),
                    "border": ("borderId", "_borders"), "fill": ("fillId", "_fills")}

    def _restyle(self, attribute: str, change):
        """Change one part of every cell's style (cells that shared it share the result)."""
        self._check_format()
        id_name, list_name = self._STYLE_PARTS[attribute]
        styles = getattr(self._sheet.book.wb, list_name)
        done: dict[int, int] = {}
        for cell in self._each():
            style = copy(cell._style) if cell._style is not None else StyleArray()  # new cell
            key = getattr(style, id_name)
            if key not in done:
                done[key] = styles.add(change(copy(getattr(cell, attribute))))
            setattr(style, id_name, done[key])
            cell._style = style

    def _first(self):
        return self.ws._cells.get((self._row, self._column))

    @property
    def horizontal_alignment(self):
        cell = self._first()
        value = cell.alignment.horizontal if cell is not None else None
        return {None: "general", "centerContinuous": "center_across_selection"}.get(value, value)

    @horizontal_alignment.setter
    def horizontal_alignment(self, value):
        value = {"center_across_selection": "centerContinuous"}.get(value, value)
        self._restyle("alignment", lambda a: Alignment(**{**_alignment(a), "horizontal": value}))

    @property
    def vertical_alignment(self):
        cell = self._first()
        value = cell.alignment.vertical if cell is not None else None
        return value or "bottom"

    @vertical_alignment.setter
    def vertical_alignment(self, value):
        self._restyle("alignment", lambda a: Alignment(**{**_alignment(a), "vertical": value}))

    @property
    def wrap_text(self):
        cell = self._first()
        return bool(cell is not None and cell.alignment.wrap_text)

    @wrap_text.setter
    def wrap_text(self, value):
        self._restyle("alignment", lambda a: Alignment(**{**_alignment(a),
                                                          "wrap_text": bool(value)}))

    @property
    def borders(self):
        return Borders(self)

    @property
    def conditional_formats(self):
        return ConditionalFormats(self)

    # rows
    def _row_formats_protected(self):
        p = self.ws.protection
        if p.sheet and p.formatRows:
            raise _protected_error(self._sheet.name)

    @property
    def row_height(self):
        heights = set()
        for r in range(self._row, self._row + self.nrows):
            dim = self.ws.row_dimensions.get(r)
            heights.add(float(dim.height) if dim is not None and dim.height is not None
                        else float(self.ws.sheet_format.defaultRowHeight or 15))
        return heights.pop() if len(heights) == 1 else None

    @row_height.setter
    def row_height(self, value):
        self._row_formats_protected()
        for r in range(self._row, self._row + self.nrows):
            self.ws.row_dimensions[r].height = value

    def autofit(self, axis=None):
        if axis not in ("rows", "r"):
            raise NotImplementedError("this engine autofits rows only")
        self._row_formats_protected()
        for r in range(self._row, self._row + self.nrows):  # back to Excel's automatic height
            if r in self.ws.row_dimensions:
                self.ws.row_dimensions[r].height = None

    # formats
    @property
    def number_format(self):
        cell = self.ws._cells.get((self._row, self._column))
        return cell.number_format if cell is not None else "General"

    @number_format.setter
    def number_format(self, value):
        self._check_format()
        for row in self._cells():
            for r, c in row:
                self.ws.cell(r, c).number_format = value

    @property
    def color(self):
        colors = set()
        for row in self._cells():
            for r, c in row:
                cell = self.ws._cells.get((r, c))
                fill = None if cell is None else cell.fill
                if fill is None or fill.fill_type != "solid":
                    colors.add(None)
                else:
                    rgb = fill.fgColor.rgb
                    colors.add(tuple(int(rgb[i:i + 2], 16) for i in (2, 4, 6)))
        return colors.pop() if len(colors) == 1 else None

    @color.setter
    def color(self, color_or_rgb):
        self._check_format()
        if isinstance(color_or_rgb, str):
            color_or_rgb = tuple(int(color_or_rgb.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
        elif isinstance(color_or_rgb, int):
            n = color_or_rgb
            color_or_rgb = (n % 256, (n // 256) % 256, (n // 65536) % 256)
        for row in self._cells():
            for r, c in row:
                cell = self.ws.cell(r, c)
                if color_or_rgb is None:
                    cell.fill = PatternFill(fill_type=None)
                else:
                    hexrgb = "FF" + "".join(f"{v:02X}" for v in color_or_rgb)
                    cell.fill = PatternFill("solid", fgColor=hexrgb, bgColor=hexrgb)

    @property
    def font(self):
        return Font(self)

    @property
    def column_width(self):
        dim = self.ws.column_dimensions.get(get_column_letter(self._column))
        return dim.width if dim is not None else None

    @column_width.setter
    def column_width(self, value):
        p = self.ws.protection
        if p.sheet and p.formatColumns:
            raise _protected_error(self._sheet.name)
        for c in range(self._column, self._column + self.ncols):
            self.ws.column_dimensions[get_column_letter(c)].width = value

    @property
    def column_hidden(self):
        dim = self.ws.column_dimensions.get(get_column_letter(self._column))
        return bool(dim and dim.hidden)

    @column_hidden.setter
    def column_hidden(self, value):
        p = self.ws.protection
        if p.sheet and p.formatColumns:
            raise _protected_error(self._sheet.name)
        for c in range(self._column, self._column + self.ncols):
            self.ws.column_dimensions[get_column_letter(c)].hidden = bool(value)

    # notes
    @property
    def note(self):
        cell = self.ws._cells.get((self._row, self._column))
        return Note(cell) if cell is not None and cell.comment is not None else None

    def add_note(self, text):
        self._check_format()  # Excel: notes cannot be added on a protected sheet
        cell = self.ws.cell(self._row, self._column)
        cell.comment = Comment(text, "Excel")
        return Note(cell)

    def select(self):
        self._sheet.activate()


class Note(base_classes.Note):
    def __init__(self, cell):
        self.cell = cell

    @property
    def api(self):
        return self.cell.comment

    @property
    def text(self):
        return self.cell.comment.text

    @text.setter
    def text(self, value):
        if self.cell.parent.protection.sheet:
            raise _protected_error(self.cell.parent.title)
        self.cell.comment = Comment(value, self.cell.comment.author)

    @property
    def author(self):
        return self.cell.comment.author

    def delete(self):
        if self.cell.parent.protection.sheet:
            raise _protected_error(self.cell.parent.title)
        self.cell.comment = None


class _OfRange:
    """A part of a range (its font, borders, conditional formats); the COM object is itself."""

    def __init__(self, rng: Range):
        self.rng = rng

    @property
    def api(self):
        return self


class Font(_OfRange, base_classes.Font):
    def _font(self):
        cell = self.rng._first()
        return cell.font if cell is not None else XlFont()

    def _set(self, **changes):
        self.rng._restyle("font", lambda f: XlFont(**{**_font_args(f), **changes}))

    @staticmethod
    def _part(attr: str, convert=lambda v: v):
        """Font.Bold and friends: read from the first cell, written to every cell."""
        return property(lambda self: convert(getattr(self._font(), attr)),
                        lambda self, value: self._set(**{attr: convert(value)}))

    bold = _part("b", bool)
    italic = _part("i", bool)
    size = _part("sz")
    name = _part("name")

    @property
    def color(self):
        color = self._font().color
        rgb = color.rgb if color is not None and color.type == "rgb" else None
        return tuple(int(rgb[i:i + 2], 16) for i in (2, 4, 6)) if rgb else None

    @color.setter
    def color(self, value):
        self._set(color=_argb(value))


def _font_args(font) -> dict:
    return {"name": font.name, "sz": font.sz, "b": font.b, "i": font.i, "u": font.u,
            "strike": font.strike, "vertAlign": font.vertAlign, "color": font.color,
            "family": font.family, "charset": font.charset, "scheme": font.scheme}


def _alignment(a) -> dict:
    return {"horizontal": a.horizontal, "vertical": a.vertical, "wrap_text": a.wrap_text,
            "shrink_to_fit": a.shrink_to_fit, "indent": a.indent,
            "text_rotation": a.text_rotation}


def _argb(value) -> str:
    """An xlwings colour (RGB tuple, "#RRGGBB" or Excel's BGR integer) as openpyxl's ARGB."""
    if isinstance(value, str):
        value = tuple(int(value.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    elif isinstance(value, int):
        value = (value % 256, (value // 256) % 256, (value // 65536) % 256)
    return "FF" + "".join(f"{int(v):02X}" for v in value)


#: xlwings' border (line_style, weight) -> openpyxl's style
BORDER_STYLES = {("continuous", "thin"): "thin", ("continuous", "medium"): "medium",
                 ("continuous", "thick"): "thick", ("continuous", "hairline"): "hair",
                 ("dash", "thin"): "dashed", ("dot", "thin"): "dotted",
                 ("double", "thick"): "double"}


class Borders(_OfRange, base_classes.Borders):
    """Excel's Borders of a range: the edges of the block and the lines inside it."""

    def _sides(self, r, c, sides) -> dict[str, bool]:
        rng = self.rng
        last_r, last_c = rng.row + rng.nrows - 1, rng.column + rng.ncols - 1
        return {"left": ("edge_left" if c == rng.column else "inside_vertical") in sides,
                "right": ("edge_right" if c == last_c else "inside_vertical") in sides,
                "top": ("edge_top" if r == rng.row else "inside_horizontal") in sides,
                "bottom": ("edge_bottom" if r == last_r else "inside_horizontal") in sides}

    def set(self, sides, line_style=_UNSET, weight=_UNSET, color=_UNSET):
        self.rng._check_format()
        if line_style is None:
            style = None
        else:
            key = (line_style if line_style is not _UNSET else "continuous",
                   weight if weight is not _UNSET else "thin")
            if key not in BORDER_STYLES:
                raise NotImplementedError(f"border {key}")
            style = BORDER_STYLES[key]
        argb = None if color is _UNSET else _argb(color)
        for cell in self.rng._each():
            wanted = self._sides(cell.row, cell.column, sides)
            border = copy(cell.border)
            args = {side: getattr(border, side) for side in ("left", "right", "top", "bottom")}
            for side, on in wanted.items():
                if on:
                    args[side] = Side(style=style, color=argb) if style else Side()
            cell.border = XlBorder(**args, diagonal=border.diagonal,
                                   diagonalUp=border.diagonalUp,
                                   diagonalDown=border.diagonalDown)

    def clear(self, which="everything"):
        self.set(["edge_left", "edge_right", "edge_top", "edge_bottom", "inside_vertical",
                  "inside_horizontal"], line_style=None)


#: xlwings' conditional-format operators -> openpyxl's
CF_OPERATORS = {"equal_to": "equal", "not_equal_to": "notEqual", "greater_than": "greaterThan",
                "less_than": "lessThan", "greater_than_or_equal": "greaterThanOrEqual",
                "less_than_or_equal": "lessThanOrEqual", "between": "between",
                "not_between": "notBetween"}


class ConditionalFormats(_OfRange, base_classes.ConditionalFormats):
    """Range.FormatConditions: the rules that apply to the range's cells."""

    def _rules(self):
        return [(cf.sqref, rule) for cf in self.rng.ws.conditional_formatting
                for rule in cf.rules
                if any(_overlap(cr.bounds, self.rng._bounds) for cr in cf.sqref.ranges)]

    def __len__(self):
        return len(self._rules())

    def __iter__(self):
        return iter(rule for _, rule in self._rules())

    def __call__(self, index):
        return self._rules()[index - 1][1]

    def add_cell_value(self, spec):
        self.rng._check_format()
        formulas = [spec["formula1"]] + ([spec["formula2"]] if spec.get("formula2") else [])
        font = XlFont(color=_argb(spec["font_color"]) if "font_color" in spec else None,
                      b=spec.get("font_bold"), i=spec.get("font_italic"))
        fill = PatternFill(bgColor=_argb(spec["fill_color"])) if "fill_color" in spec else None
        rule = Rule(type="cellIs", operator=CF_OPERATORS[spec["operator"]],
                    formula=[f[1:] if f.startswith("=") else f for f in formulas],
                    stopIfTrue=spec.get("stop_if_true") or None,
                    dxf=DifferentialStyle(font=font, fill=fill))
        ws = self.rng.ws
        for cf in ws.conditional_formatting:  # a new rule comes first, as in Excel
            for other in cf.rules:
                other.priority += 1
        ws.conditional_formatting.add(self.rng.get_address(False, False), rule)
        rule.priority = 1
        return rule

    def clear(self):
        self.rng._check_format()
        _drop_conditional_formats(self.rng.ws, self.rng._bounds)


def _overlap(a, b) -> bool:
    """Two (min_col, min_row, max_col, max_row) blocks share a cell."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _inside(a, b) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def _minus(a, b) -> list[tuple[int, int, int, int]]:
    """Block ``a`` without the cells of block ``b``: at most four blocks."""
    if not _overlap(a, b):
        return [a]
    c1, r1, c2, r2 = a
    out = []
    if r1 < b[1]:
        out.append((c1, r1, c2, b[1] - 1))
    if r2 > b[3]:
        out.append((c1, b[3] + 1, c2, r2))
    top, bottom = max(r1, b[1]), min(r2, b[3])
    if c1 < b[0]:
        out.append((c1, top, b[0] - 1, bottom))
    if c2 > b[2]:
        out.append((b[2] + 1, top, c2, bottom))
    return out


def _drop_conditional_formats(ws, bounds) -> None:
    """Take the cells of ``bounds`` out of every conditional format, as Excel's Clear and
    ClearFormats (and FormatConditions.Delete) do."""
    kept = ConditionalFormattingList()
    for cf in ws.conditional_formatting:
        blocks = [part for cr in cf.sqref.ranges for part in _minus(cr.bounds, bounds)]
        if not blocks:
            continue
        ref = " ".join(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
                       for c1, r1, c2, r2 in blocks)
        for rule in cf.rules:
            kept.add(ref, rule)
    ws.conditional_formatting = kept


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _typed(text: str, number_format: str):
    """What Excel stores when ``text`` is entered in a cell (COM's Range.Value)."""
    if text.startswith("'"):
        return text[1:]
    if number_format == "@":
        return text
    if _NUMBER.match(text.strip()):
        return float(text)
    if text.strip().upper() in ("TRUE", "FALSE"):
        return text.strip().upper() == "TRUE"
    return text


# -- use in tests ------------------------------------------------------------------------------

def register():
    """Make the engine known to xlwings and the active one, as xlwings does for Excel at
    import (``xw.engines.add``, ``Engine.activate``); returns a function that undoes it."""
    import xlwings as xw

    wrapped = xw.Engine(impl=engine)
    before = xw.engines.active
    xw.engines.add(wrapped)
    wrapped.activate()

    def unregister():
        xw.engines.engines.remove(wrapped)
        xw.engines.engines_by_name.pop(ENGINE_NAME, None)
        xw.engines.active = before
        Apps._apps.clear()

    return unregister


@contextmanager
def registered():
    """The engine registered and active for the block; no mock caller left behind."""
    import xlwings as xw

    unregister = register()
    try:
        yield
    finally:
        if hasattr(xw.Book, "_mock_caller"):
            del xw.Book._mock_caller
        unregister()


def open_book(path: str | os.PathLike):
    """``xlwings.Book`` (xlwings' own class) for the workbook file at ``path``."""
    import xlwings as xw

    app = Apps().add()
    return xw.Book(impl=app.books.open(Path(path)))
