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
- ``App.alert`` records the message (and returns "ok"), as the dialog would show it.

It does not calculate: ``App.calculate()`` counts the calls and leaves cached results as they
are, and a written formula has no result until the file is opened in a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.protection import hash_password
from xlwings import base_classes

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

    @property
    def ws(self):
        return self._book.wb[self.title]

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
        self.raw_value = None

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


class Font(base_classes.Font):
    def __init__(self, rng: Range):
        self.rng = rng

    @property
    def api(self):
        return self

    @property
    def bold(self):
        cell = self.rng.ws._cells.get((self.rng.row, self.rng.column))
        return bool(cell is not None and cell.font.bold)

    @bold.setter
    def bold(self, value):
        self.rng._check_format()
        for row in self.rng._cells():
            for r, c in row:
                cell = self.rng.ws.cell(r, c)
                font = copy(cell.font)
                font.bold = bool(value)
                cell.font = font


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


def open_book(path: str | os.PathLike):
    """``xlwings.Book`` (xlwings' own class) for the workbook file at ``path``."""
    import xlwings as xw

    app = Apps().add()
    return xw.Book(impl=app.books.open(Path(path)))
