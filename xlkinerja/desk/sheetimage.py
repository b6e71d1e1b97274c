"""A sheet of a workbook file, carried onto a sheet of the workbook open in Excel.

The Konsolidasi button of the recap consolidates into a temporary file, then makes each data
sheet of the open workbook what that file's sheet is, in place (the open workbook's file cannot
be replaced while Excel holds it, and the user keeps the same window). :func:`read_images`
reads the file's sheets with openpyxl into :class:`SheetImage` objects; :func:`apply_image`
writes one onto an xlwings Sheet through xlwings' core Book/Sheet/Range API (BSD), in bulk:

1. each Excel table is resized to its new range first (the header row stays), so that new rows
   are table rows and the rows it gives up are plain cells;
2. merged cells are unmerged and the formats of the new extent cleared (back to the workbook's
   Normal style); what the sheet no longer uses, below or right of the new extent, is cleared;
3. every value and formula is written in one call (text with a leading apostrophe, so that Excel
   stores "9.010" or "-Dinas" as the text it is, never as a number or a formula; an empty text
   becomes an empty cell);
4. cell formats are applied a rectangle of cells at a time (cells that share a format are
   grouped: a column of a long table is one rectangle): font (name, size, bold, italic,
   colour), fill colour, number format, alignment, wrapping, borders;
5. merged cells, row heights (a height where the file sets one, Excel's automatic height
   elsewhere), conditional formats (cell-value rules) and the print area follow.

What a recap sheet has and these steps do not carry is the same in every recap and left as it
is: column widths, frozen panes, print titles and page setup, charts (their source ranges are
the caller's business), sheet protection (the caller unprotects and protects again). Cells are
carried locked, as every recap cell is; :func:`read_images` refuses an unlocked cell rather
than lose it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

__all__ = ["CellFormat", "CfRule", "SheetImage", "read_images", "apply_image"]

#: openpyxl border styles -> xlwings' (line_style, weight)
BORDER_STYLES = {"thin": ("continuous", "thin"), "medium": ("continuous", "medium"),
                 "thick": ("continuous", "thick"), "hair": ("continuous", "hairline"),
                 "dashed": ("dash", "thin"), "dotted": ("dot", "thin"),
                 "double": ("double", "thick")}
#: openpyxl alignment -> xlwings' names
HORIZONTAL = {"left": "left", "center": "center", "right": "right", "fill": "fill",
              "justify": "justify", "centerContinuous": "center_across_selection",
              "distributed": "distributed"}
VERTICAL = {"top": "top", "center": "center", "justify": "justify", "distributed": "distributed"}
#: openpyxl conditional-format operators -> xlwings' (cell-value rules)
CF_OPERATORS = {"equal": "equal_to", "notEqual": "not_equal_to", "greaterThan": "greater_than",
                "lessThan": "less_than", "greaterThanOrEqual": "greater_than_or_equal",
                "lessThanOrEqual": "less_than_or_equal", "between": "between",
                "notBetween": "not_between"}
SIDES = ("left", "right", "top", "bottom")


def _rgb(color) -> str | None:
    """``"#RRGGBB"`` of an openpyxl colour given as RGB; None for automatic/theme colours."""
    if color is None or getattr(color, "type", None) != "rgb":
        return None
    value = color.rgb
    return "#" + value[-6:].upper() if isinstance(value, str) and len(value) >= 6 else None


def _side(side) -> tuple[str | None, str | None]:
    return (side.style, _rgb(side.color)) if side is not None else (None, None)


@dataclass(frozen=True)
class CellFormat:
    """The part of a cell's format that is carried."""

    font_name: str | None
    font_size: float | None
    bold: bool
    italic: bool
    font_color: str | None
    fill: str | None
    number_format: str
    horizontal: str | None
    vertical: str | None
    wrap: bool
    borders: tuple[tuple[str | None, str | None], ...]  # (style, colour) left, right, top, bottom

    @classmethod
    def of(cls, cell) -> "CellFormat":
        font, fill, al, border = cell.font, cell.fill, cell.alignment, cell.border
        solid = fill is not None and fill.fill_type == "solid"
        return cls(font.name, float(font.sz) if font.sz else None, bool(font.b), bool(font.i),
                   _rgb(font.color), _rgb(fill.fgColor) if solid else None,
                   cell.number_format or "General", al.horizontal, al.vertical,
                   bool(al.wrap_text),
                   tuple(_side(getattr(border, s)) for s in SIDES))


@dataclass(frozen=True)
class CfRule:
    """A cell-value conditional format over ``ranges`` (A1 references)."""

    ranges: tuple[str, ...]
    operator: str  # xlwings' name
    formulas: tuple[str, ...]  # as Excel's FormatConditions.Add takes them: "=..."
    fill: str | None
    font_color: str | None
    bold: bool | None
    italic: bool | None


@dataclass
class SheetImage:
    """What :func:`apply_image` writes: 1-based rows and columns, as xlwings counts."""

    name: str
    nrows: int
    ncols: int
    values: list[list[Any]]  # ready for Range.value: formulas "=...", text "'..."
    formats: list[tuple[int, int, int, int, CellFormat]]  # (row1, col1, row2, col2, format)
    normal: CellFormat  # the workbook's Normal style: what a cleared cell has
    merges: list[str] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)  # rows with a set height
    tables: dict[str, str] = field(default_factory=dict)  # table name -> A1 range
    rules: list[CfRule] = field(default_factory=list)
    print_area: str | None = None


# -- reading ----------------------------------------------------------------------------------

def read_images(path: str | Path, names: Iterable[str]) -> dict[str, SheetImage]:
    """The sheets ``names`` of the workbook file at ``path``."""
    import openpyxl
    from openpyxl.cell.cell import Cell

    wb = openpyxl.load_workbook(path, data_only=False, keep_links=False)
    try:
        out = {}
        for name in names:
            ws = wb[name]
            normal = CellFormat.of(Cell(ws))
            out[name] = _image(ws, normal)
        return out
    finally:
        wb.close()


def _value(cell) -> Any:
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "f":
        return value if isinstance(value, str) else "=" + str(getattr(value, "text", value))
    if isinstance(value, str):
        return "'" + value if value else None
    return value  # number, bool, date


def _image(ws, normal: CellFormat) -> SheetImage:
    nrows, ncols = (ws.max_row, ws.max_column) if ws._cells else (0, 0)
    values = [[None] * ncols for _ in range(nrows)]
    keys: dict[tuple[int, int], CellFormat] = {}
    by_style: dict[int, CellFormat | None] = {}
    for (r, c), cell in ws._cells.items():
        if not cell.protection.locked:
            raise ValueError(f"{ws.title}!{cell.coordinate}: sel tidak terkunci tidak didukung")
        values[r - 1][c - 1] = _value(cell)
        sid = cell.style_id
        if sid not in by_style:
            fmt = CellFormat.of(cell)
            by_style[sid] = None if fmt == normal else fmt
        if by_style[sid] is not None:
            keys[(r, c)] = by_style[sid]
    heights = {r: float(d.height) for r, d in ws.row_dimensions.items()
               if d.height is not None and r <= max(nrows, 1)}
    rules = []
    for cf in ws.conditional_formatting:
        ranges = tuple(str(r) for r in cf.sqref.ranges)
        for rule in cf.rules:
            if rule.type != "cellIs" or rule.operator not in CF_OPERATORS:
                raise ValueError(f"{ws.title}: format bersyarat jenis {rule.type} tidak didukung")
            dxf = rule.dxf
            fill = None
            if dxf is not None and dxf.fill is not None:
                fill = _rgb(dxf.fill.bgColor) or _rgb(dxf.fill.fgColor)
            font = dxf.font if dxf is not None else None
            rules.append(CfRule(ranges, CF_OPERATORS[rule.operator],
                                tuple("=" + f for f in rule.formula),
                                fill, _rgb(font.color) if font is not None else None,
                                font.b if font is not None else None,
                                font.i if font is not None else None))
    area = ws.print_area
    return SheetImage(
        name=ws.title, nrows=nrows, ncols=ncols, values=values,
        formats=rectangles(keys, nrows, ncols), normal=normal,
        merges=[str(m) for m in ws.merged_cells.ranges], heights=heights,
        tables=dict(ws.tables.items()), rules=rules,
        print_area=area.split("!")[-1] if area else None)


def rectangles(keys: dict[tuple[int, int], Any], nrows: int,
               ncols: int) -> list[tuple[int, int, int, int, Any]]:
    """Cover the cells of ``keys`` ((row, col) -> key) with rectangles of equal keys: runs
    down each column, joined with the same run of the columns to their right."""
    runs: list[dict[tuple[int, int, Any], None]] = []
    for c in range(1, ncols + 1):
        col: dict[tuple[int, int, Any], None] = {}
        start, current = 1, keys.get((1, c))
        for r in range(2, nrows + 2):
            key = keys.get((r, c)) if r <= nrows else None
            if r > nrows or key != current:
                if current is not None:
                    col[(start, r - 1, current)] = None
                start, current = r, key
        runs.append(col)
    out = []
    for ci, col in enumerate(runs):
        for run in list(col):
            end = ci
            while end + 1 < ncols and run in runs[end + 1]:
                del runs[end + 1][run]
                end += 1
            out.append((run[0], ci + 1, run[1], end + 1, run[2]))
        col.clear()
    return out


# -- writing (xlwings) -------------------------------------------------------------------------

def _extent(sheet) -> tuple[int, int]:
    """Last used row and column of an xlwings sheet (1-based)."""
    last = sheet.used_range.last_cell
    return last.row, last.column


def apply_image(image: SheetImage, sheet) -> None:
    """Make the xlwings ``sheet`` (unprotected by the caller) hold ``image``."""
    old_rows, old_cols = _extent(sheet)
    rows, cols = max(old_rows, image.nrows, 1), max(old_cols, image.ncols, 1)
    for name, ref in image.tables.items():
        sheet.tables[name].resize(sheet.range(ref))
    area = sheet.range((1, 1), (rows, cols))
    area.unmerge()
    if image.nrows < rows:
        sheet.range((image.nrows + 1, 1), (rows, cols)).clear()
    if image.ncols < cols and image.nrows:
        sheet.range((1, image.ncols + 1), (image.nrows, cols)).clear()
    if image.nrows and image.ncols:
        block = sheet.range((1, 1), (image.nrows, image.ncols))
        block.clear_formats()
        block.value = image.values
    for r1, c1, r2, c2, fmt in image.formats:
        _format(sheet.range((r1, c1), (r2, c2)), fmt, image.normal)
    for ref in image.merges:
        sheet.range(ref).merge()
    _heights(sheet, image, rows)
    sheet.cells.conditional_formats.clear()
    for rule in reversed(image.rules):  # xlwings adds each rule first: keep the file's order
        for ref in rule.ranges:
            sheet.range(ref).conditional_formats.add_cell_value(
                rule.operator, *rule.formulas, fill_color=rule.fill, font_color=rule.font_color,
                font_bold=rule.bold, font_italic=rule.italic)
    sheet.page_setup.print_area = image.print_area


def _format(rng, fmt: CellFormat, normal: CellFormat) -> None:
    """Apply what ``fmt`` has beyond the Normal style (the cells' formats were cleared)."""
    if fmt.font_name and fmt.font_name != normal.font_name:
        rng.font.name = fmt.font_name
    if fmt.font_size and fmt.font_size != normal.font_size:
        rng.font.size = fmt.font_size
    if fmt.bold:
        rng.font.bold = True
    if fmt.italic:
        rng.font.italic = True
    if fmt.font_color:
        rng.font.color = fmt.font_color
    if fmt.fill:
        rng.color = fmt.fill
    if fmt.number_format != normal.number_format:
        rng.number_format = fmt.number_format
    if fmt.horizontal in HORIZONTAL:
        rng.horizontal_alignment = HORIZONTAL[fmt.horizontal]
    if fmt.vertical in VERTICAL:
        rng.vertical_alignment = VERTICAL[fmt.vertical]
    if fmt.wrap:
        rng.wrap_text = True
    _borders(rng, fmt.borders)


def _border_args(style: str, color: str | None) -> dict:
    line_style, weight = BORDER_STYLES.get(style, ("continuous", "thin"))
    return {"line_style": line_style, "weight": weight, **({"color": color} if color else {})}


def _borders(rng, borders) -> None:
    if not any(style for style, _ in borders):
        return
    if len(set(borders)) == 1:  # the same on four sides: every cell of the block ("all")
        rng.borders.set("all", **_border_args(*borders[0]))
        return
    for r in range(rng.row, rng.row + rng.shape[0]):  # rare: cell by cell, side by side
        for c in range(rng.column, rng.column + rng.shape[1]):
            one = rng.sheet.range((r, c))
            for side, (style, color) in zip(SIDES, borders):
                if style:
                    one.borders.set(f"edge_{side}", **_border_args(style, color))


def _heights(sheet, image: SheetImage, rows: int) -> None:
    """The file's row heights; automatic height (Excel fits it) on every other row."""
    runs: list[list] = []
    for r in range(1, rows + 1):
        height = image.heights.get(r)
        if runs and runs[-1][2] == height and runs[-1][1] == r - 1:
            runs[-1][1] = r
        else:
            runs.append([r, r, height])
    for first, last, height in runs:
        rng = sheet.range((first, 1), (last, 1))
        if height is None:
            rng.rows.autofit()
        else:
            rng.row_height = height
