"""What the `Hasil Validasi` sheet says, independent of the spreadsheet engine.

The generator (xlsxwriter) writes the sheet's empty state into the .xlsm; the Validasi and
Konsolidasi buttons (xlwings) fill it. Both take their text from here, and the button's marks
(fill and note on an offending cell) are planned here, so all of it is testable without Excel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from xlkinerja.base.version import __version__
from xlkinerja.findings import Finding, Severity
from xlkinerja.workbook.layout import HV

TITLE = "HASIL VALIDASI"
NOT_YET = ("Belum divalidasi. Tekan tombol Validasi untuk memeriksa isian workbook ini seperti "
           "yang tampak di layar (perubahan yang belum disimpan ikut diperiksa).")
LEGEND = ("Sel yang bermasalah ditandai: merah = galat (harus diperbaiki), jingga = peringatan "
          "(periksa dan jelaskan di keterangan), dengan catatan (note) berisi pesannya. Klik "
          "alamat di kolom SEL untuk menuju selnya. Tanda dan daftar ini diganti setiap kali "
          "Validasi atau Konsolidasi dijalankan.")
HEADERS = {HV.NO: "NO", HV.TINGKAT: "TINGKAT", HV.SHEET: "SHEET", HV.SEL: "SEL", HV.KODE: "KODE",
           HV.PESAN: "PESAN"}
MARK_HEADERS = {HV.MARK_SHEET: "tanda_sheet", HV.MARK_CELL: "tanda_sel",
                HV.MARK_FILL: "warna_semula", HV.MARK_NOTE: "catatan_ditambahkan"}
WIDTHS = {HV.NO: 5, HV.TINGKAT: 12, HV.SHEET: 14, HV.SEL: 9, HV.KODE: 26, HV.PESAN: 100}

#: fill of a marked cell, by severity; INFO findings are listed, not marked
MARK_FILL = {Severity.ERROR: "#FF7C80", Severity.WARNING: "#FFC000"}
#: every note the button writes starts with this, so it only ever removes its own notes
NOTE_PREFIX = "[xlkinerja]"


def sorted_findings(findings: Iterable[Finding], sheet_order: Sequence[str]) -> list[Finding]:
    """Worst first, then in workbook order (sheet, row, column)."""
    index = {name: i for i, name in enumerate(sheet_order)}

    def key(f: Finding):
        return (f.severity.rank, index.get(f.sheet or "", -1), f.sort_key[2], f.code)

    return sorted(findings, key=key)


def counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    out = {s: 0 for s in Severity}
    for f in findings:
        out[f.severity] += 1
    return out


def count_text(findings: Sequence[Finding]) -> str:
    c = counts(findings)
    return (f"{c[Severity.ERROR]} galat, {c[Severity.WARNING]} peringatan, "
            f"{c[Severity.INFO]} info")


def summary_text(findings: Sequence[Finding], when: dt.datetime, action: str = "Validasi") -> str:
    stamp = when.strftime("%d-%m-%Y %H:%M")
    head = f"{action} {stamp} (xlkinerja {__version__}): "
    if not findings:
        return head + "tidak ada temuan. Isian workbook ini lolos pemeriksaan."
    verdict = (" Perbaiki galat sebelum mengirim berkas." if counts(findings)[Severity.ERROR]
               else " Tidak ada galat; periksa peringatan lalu jelaskan di keterangan bila perlu.")
    return head + count_text(findings) + "." + verdict


def first_cell(cell: str) -> str:
    """``K12`` for ``K12`` or ``K12:K14``; absolute markers dropped."""
    return cell.split(":", 1)[0].replace("$", "")


def link_formula(sheet: str, cell: str) -> str:
    """An Excel formula that jumps to ``sheet!cell`` when clicked (works in LibreOffice too)."""
    target = "#'" + sheet.replace("'", "''") + "'!" + first_cell(cell)
    text = first_cell(cell)
    return f'=HYPERLINK("{target.replace(chr(34), chr(34) * 2)}","{text}")'


def finding_row(n: int, f: Finding) -> list:
    """The text cells of one finding's row, NO..PESAN; the SEL cell is written as a link
    separately (``None`` here)."""
    row: list = [None] * (HV.PESAN + 1)
    row[HV.NO] = n
    row[HV.TINGKAT] = f.severity.label
    row[HV.SHEET] = f.sheet or ""
    row[HV.SEL] = None
    row[HV.KODE] = f.code
    row[HV.PESAN] = f.message
    return row


@dataclass(frozen=True)
class Mark:
    sheet: str
    cell: str
    fill: str
    note: str


def plan_marks(findings: Sequence[Finding], sheets: Iterable[str]) -> list[Mark]:
    """One mark per offending cell on a sheet that exists: the fill of its worst finding and a
    note with all its messages. Findings without a cell, and INFO, are not marked."""
    present = set(sheets)
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.severity not in MARK_FILL or not f.sheet or not f.cell or f.sheet not in present:
            continue
        by_cell.setdefault((f.sheet, first_cell(f.cell)), []).append(f)
    marks = []
    for (sheet, cell), group in by_cell.items():
        group = sorted(group, key=lambda f: f.severity.rank)
        lines = [f"{f.severity.label} {f.code}: {f.message}" for f in group]
        marks.append(Mark(sheet, cell, MARK_FILL[group[0].severity],
                          NOTE_PREFIX + "\n" + "\n".join(lines)))
    return marks


def rgb_hex(color) -> str:
    """``"#RRGGBB"`` for an xlwings colour (tuple, int or hex), ``""`` for none."""
    if color is None or color == "":
        return ""
    if isinstance(color, str):
        return color.upper() if color.startswith("#") else "#" + color.upper()
    if isinstance(color, int):  # Excel's BGR integer
        color = (color & 0xFF, (color >> 8) & 0xFF, (color >> 16) & 0xFF)
    r, g, b = color
    return f"#{int(r):02X}{int(g):02X}{int(b):02X}"
