"""Where cell values come from: one interface, several engines (as pandas' io/excel does).

- :class:`CalamineSource`: a workbook file read with python-calamine (fast, values only: the
  cached results of formulas, which a file never opened in Excel may not have).
- :class:`OpenpyxlFormulaSource`: the same file's formulas, read with openpyxl in read-only mode,
  only where integrity is checked.
- The button (``xlkinerja.button``) adds an xlwings engine: the workbook as it is on screen.

Every engine yields a :class:`Grid` per sheet: rows of Python values, ``None`` for an empty cell,
numbers as int/float, text as str, booleans as bool.
"""

from __future__ import annotations

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

    def __init__(self, path: str | Path, name: str | None = None):
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        self.name = name or self.path.name
        self._wb = CalamineWorkbook.from_path(str(self.path))
        self._cache: dict[str, Grid] = {}

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheet_names)

    def values(self, sheet: str) -> Grid:
        if sheet not in self._cache:
            ws = self._wb.get_sheet_by_name(sheet)
            rows = ws.to_python(skip_empty_area=False)
            self._cache[sheet] = [[normalize(v) for v in row] for row in rows]
        return self._cache[sheet]

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
        self._wb = openpyxl.load_workbook(self.path, read_only=True, data_only=False,
                                          keep_links=False)
        self._cache: dict[str, Grid] = {}

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def values(self, sheet: str) -> Grid:
        if sheet not in self._cache:
            ws = self._wb[sheet]
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


def cell(grid: Grid, row: int, col: int) -> Any:
    """The value at 0-based (row, col), None outside the grid."""
    if row < 0 or row >= len(grid):
        return None
    line = grid[row]
    if col < 0 or col >= len(line):
        return None
    return line[col]
