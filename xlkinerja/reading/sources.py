"""Where cell values come from: one interface, several engines (as pandas' io/excel does).

- :class:`CalamineSource`: a workbook file read with python-calamine (fast, values only: the
  cached results of formulas, which a file never opened in Excel may not have).
- :class:`OpenpyxlFormulaSource`: the same file's formulas, read with openpyxl in read-only mode,
  only where integrity is checked.
- :class:`XlwingsSource`: the workbook open in Excel, through xlwings, as it is on screen
  (unsaved edits included); used by the buttons (``xlkinerja.button``).

Every engine yields a :class:`Grid` per sheet: rows of Python values, ``None`` for an empty cell,
numbers as int/float, text as str, booleans as bool.
"""

from __future__ import annotations

import warnings

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

Grid = list[list[Any]]


class WorkbookSource(ABC):
    """Read access to one workbook's cells."""

    #: name used in findings and messages (usually the file's name)
    name: str

    @abstractmethod
    def sheet_names(self) -> list[str]:
        """All sheet names in order, hidden ones included."""

    @abstractmethod
    def values(self, sheet: str) -> Grid:
        """Values of ``sheet`` from A1, as a list of rows (ragged rows allowed)."""

    def formulas(self, sheet: str) -> Grid | None:
        """Formulas of ``sheet`` from A1 (``"=SUM(..)"`` strings, None elsewhere), or None when
        this engine cannot see formulas."""
        return None

    def sheet_visibility(self) -> dict[str, str]:
        """'visible', 'hidden' or 'veryHidden' per sheet, when the engine knows."""
        return {}

    def formula_cells(self, sheet: str) -> dict[tuple[int, int], str] | None:
        """Every cell of ``sheet`` that holds a formula, (row, col) 0-based -> its text without
        "=" ("" when the engine only knows that there is one), or None when this engine cannot
        tell. What a person typed into an input cell is checked against this."""
        grid = self.formulas(sheet)
        if grid is None:
            return None
        return {(r, c): v[1:] for r, line in enumerate(grid) for c, v in enumerate(line)
                if isinstance(v, str) and v.startswith("=")}

    def close(self) -> None:  # pragma: no cover - default: nothing to release
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def normalize(value: Any) -> Any:
    """One convention for every engine: None for empty, int for whole floats stays float."""
    if value == "" or value is None:
        return None
    return value


class CalamineSource(WorkbookSource):
    """Values of an .xlsx/.xlsm file through python-calamine."""

    def __init__(self, path: str | Path, name: str | None = None,
                 formula_cells: dict[str, dict[tuple[int, int], str]] | None = None):
        """``formula_cells``: the sheets' formula cells when already scanned
        (:func:`xlkinerja.reading.package.scan`), else scanned when first asked."""
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        self.name = name or self.path.name
        self._wb = CalamineWorkbook.from_path(str(self.path))
        self._cache: dict[str, Grid] = {}
        self._formula_cells = formula_cells

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheet_names)

    def values(self, sheet: str) -> Grid:
        if sheet not in self._cache:
            ws = self._wb.get_sheet_by_name(sheet)
            rows = ws.to_python(skip_empty_area=False)
            # normalize(), inlined: calamine gives "" for an empty cell
            self._cache[sheet] = [[None if v == "" else v for v in row] for row in rows]
        return self._cache[sheet]

    def formula_cells(self, sheet: str) -> dict[tuple[int, int], str] | None:
        """From the sheets' XML (calamine gives cached values only): see :mod:`.package`."""
        if self._formula_cells is None:
            from xlkinerja.reading.package import scan

            self._formula_cells = scan(self.path).formulas
        return self._formula_cells.get(sheet, {})

    def sheet_visibility(self) -> dict[str, str]:
        out = {}
        for meta in self._wb.sheets_metadata:
            vis = str(meta.visible).rsplit(".", 1)[-1]
            out[meta.name] = {"Visible": "visible", "Hidden": "hidden",
                              "VeryHidden": "veryHidden"}.get(vis, vis)
        return out

    def close(self) -> None:
        try:
            self._wb.close()
        except Exception:  # noqa: BLE001 - closing must never mask the real outcome
            pass


class OpenpyxlFormulaSource(WorkbookSource):
    """Formulas (and values of non-formula cells) through openpyxl, read-only mode."""

    def __init__(self, path: str | Path, name: str | None = None):
        import openpyxl

        self.path = Path(path)
        self.name = name or self.path.name
        with warnings.catch_warnings():  # openpyxl's English warnings are no finding
            warnings.simplefilter("ignore")
            self._wb = openpyxl.load_workbook(self.path, read_only=True, data_only=False,
                                              keep_links=False)
        self._cache: dict[str, Grid] = {}

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def values(self, sheet: str) -> Grid:
        if sheet not in self._cache:
            ws = self._wb[sheet]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._cache[sheet] = [[normalize(v) for v in row]
                                      for row in ws.iter_rows(values_only=True)]
        return self._cache[sheet]

    def formulas(self, sheet: str) -> Grid:
        return [[v if isinstance(v, str) and v.startswith("=") else None for v in row]
                for row in self.values(sheet)]

    def close(self) -> None:
        try:
            self._wb.close()
        except Exception:  # noqa: BLE001
            pass


class XlwingsSource(WorkbookSource):
    """A workbook open in Excel, read through xlwings' Book/Sheet/Range API.

    Values are what Excel shows now (its recalculated results and the user's unsaved edits);
    formulas come from ``Range.formula``. Error values (#DIV/0!) read as None, as calamine
    reads them. xlwings is not imported here: the caller hands in an ``xlwings.Book``.
    """

    # Excel's XlSheetVisibility: xlSheetVisible -1, xlSheetHidden 0, xlSheetVeryHidden 2
    _VISIBLE, _VERY_HIDDEN = -1, 2

    def __init__(self, book, name: str | None = None):
        self.book = book
        self.name = name or book.name
        self._values: dict[str, Grid] = {}
        self._formulas: dict[str, Grid] = {}

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def _range(self, sheet: str):
        sh = self.book.sheets[sheet]
        last = sh.used_range.last_cell  # the used range may start below A1: read from A1
        return sh.range((1, 1), (last.row, last.column))

    def values(self, sheet: str) -> Grid:
        if sheet not in self._values:
            grid = self._range(sheet).options(ndim=2).value
            self._values[sheet] = [[normalize(v) for v in row] for row in grid]
        return self._values[sheet]

    def formulas(self, sheet: str) -> Grid:
        if sheet not in self._formulas:
            raw = self._range(sheet).formula
            # Excel gives a string for one cell, rows of strings for a block
            if not isinstance(raw, (list, tuple)):
                grid = [[raw]]
            elif raw and not isinstance(raw[0], (list, tuple)):
                grid = [list(raw)]
            else:
                grid = [list(row) for row in raw]
            self._formulas[sheet] = [[v if isinstance(v, str) and v.startswith("=") else None
                                      for v in row] for row in grid]
        return self._formulas[sheet]

    def sheet_visibility(self) -> dict[str, str]:
        out = {}
        for sheet in self.book.sheets:
            state = sheet.visible
            if state is True or state == self._VISIBLE:
                out[sheet.name] = "visible"
            elif state is not False and state == self._VERY_HIDDEN:
                out[sheet.name] = "veryHidden"
            else:
                out[sheet.name] = "hidden"
        return out


def cell(grid: Grid, row: int, col: int) -> Any:
    """The value at 0-based (row, col), None outside the grid."""
    if row < 0 or row >= len(grid):
        return None
    line = grid[row]
    if col < 0 or col >= len(line):
        return None
    return line[col]
