"""The Python behind the workbook's buttons, called from Excel by xlwings' RunPython.

The macros in ``macros/xlkinerja.bas`` run ``import xlkinerja.button as b; b.validasi()`` and
``...; b.konsolidasi()``. Each call is a fresh Python process (the workbook's ``xlwings.conf``
sets "Use UDF Server" to False); ``xw.Book.caller()`` is the workbook whose button was pressed.

- :func:`validasi` checks the open workbook as it is on screen (unsaved edits included),
  writes the findings to the `Hasil Validasi` sheet (one row each, with a link to its cell),
  and marks the offending cells (fill and note). Running it again first takes off the marks of
  the previous run (recorded in hidden columns of `Hasil Validasi`) and replaces the list.
- :func:`konsolidasi` brings an OPD formulir up to date: recalculates (so `Rekap Tahunan`
  shows the current quarters) and refreshes `Hasil Validasi`; in a recap workbook it
  consolidates the submissions folder the recap was made from into the open recap
  (:mod:`xlkinerja.desk.refresh`). Which workbooks it handles is the
  :data:`KONSOLIDASI` table, keyed by the marker in the workbook's `_xlkinerja` sheet.

Sheets are unprotected only for the writes and protected again afterwards, with the same
password and options (also when a write fails). Everything reaches the user as a message in
Bahasa Indonesia in Excel (``App.alert``), never as a traceback.

Only xlwings' BSD-licensed core API is used (``Book.caller``, Book/Sheet/Range, ``App.alert``)
plus, for sheet protection, which that API does not cover, the Excel object model behind
``Sheet.api``/``Book.api`` (Windows COM): the members are listed in :class:`ProtectionAccess`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from typing import Any, Callable, Iterable, Sequence

from xlkinerja.base.version import __version__
from xlkinerja.workbook import hasil
from xlkinerja.findings import Finding
from xlkinerja.workbook.layout import (HV, META_MARKER, RECAP_MARKER, SHEET_HASIL, SHEET_META, SHEET_REKAP,
                     SHEET_XLWINGS_CONF, HasilLayout, MetaLayout, XlwingsConfLayout)
from xlkinerja.desk.excel import (ALERT_TITLE, PASSWORD_ENV, ButtonProblem, ProtectionAccess,
                                 quiet_screen, xlwings_version_note)
from xlkinerja.reading.sources import WorkbookSource, XlwingsSource, cell

__all__ = ["validasi", "konsolidasi", "ButtonProblem", "KONSOLIDASI", "ProtectionAccess",
           "quiet_screen", "run_validation", "write_result", "workbook_kind",
           "xlwings_version_note"]

# -- entry points (RunPython) --------------------------------------------------------------------

def validasi() -> None:
    """Button Validasi: check this workbook now and show the mistakes."""
    _run("Validasi", _validasi)


def konsolidasi() -> None:
    """Button Konsolidasi: bring this workbook's recap and validation summary up to date."""
    _run("Konsolidasi", _konsolidasi)


def _run(action: str, func: Callable[[Any], str]) -> None:
    book = None
    try:
        import xlwings as xw

        try:
            book = xw.Book.caller()
        except Exception as exc:  # noqa: BLE001 - not called from a workbook
            raise ButtonProblem(
                f"Tombol {action} dijalankan dari Excel: buka workbook .xlsm (formulir atau "
                f"rekap) lalu klik tombolnya. (Tidak ada workbook pemanggil: {exc}.)") from exc
        message = func(book)
    except ButtonProblem as exc:
        _tell(book, str(exc), problem=True)
        return
    except Exception as exc:  # noqa: BLE001 - last resort: never a traceback for users
        if os.environ.get("XLKINERJA_DEBUG"):
            traceback.print_exc()
        _tell(book, f"{action} gagal karena kesalahan internal xlkinerja {__version__}: "
                    f"{type(exc).__name__}: {exc}. Sheet tetap terkunci seperti semula. "
                    "Laporkan pesan ini kepada pengembang (jalankan dengan variabel lingkungan "
                    "XLKINERJA_DEBUG=1 untuk rinciannya).", problem=True)
        return
    _tell(book, message)


def _tell(book, message: str, problem: bool = False) -> None:
    """Show ``message`` in Excel; where no dialog can be shown, write it into `Hasil
    Validasi`; where even that fails, print it and exit 1, which makes xlwings' RunPython show
    the printed text (our message, not a traceback) in its own error box."""
    if book is not None:
        try:
            book.app.alert(message, title=ALERT_TITLE, mode="critical" if problem else "info")
            return
        except Exception:  # noqa: BLE001 - fall back to the sheet
            pass
        try:
            _write_notice(book, message)
            return
        except Exception:  # noqa: BLE001 - fall back to RunPython's error box
            pass
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(1)


# -- the two actions -----------------------------------------------------------------------------

def workbook_kind(source: WorkbookSource) -> str | None:
    """The marker in the workbook's `_xlkinerja` sheet (``xlkinerja-formulir`` for an OPD
    formulir), or None for a workbook xlkinerja did not make."""
    if SHEET_META not in source.sheet_names():
        return None
    M = MetaLayout()
    value = cell(source.values(SHEET_META), M.key_row("marker"), M.value_col)
    return value if isinstance(value, str) and value else None


def _require_formulir(source: WorkbookSource, action: str) -> None:
    kind = workbook_kind(source)
    if kind == META_MARKER:
        return
    if kind == RECAP_MARKER:
        raise ButtonProblem(
            f"{action}: workbook '{source.name}' adalah rekap, bukan formulir OPD. Di rekap, "
            "tekan Konsolidasi untuk membaca kiriman baru; temuan pemeriksaan setiap berkas ada "
            "di sheet Temuan Validasi.")
    if kind is None:
        raise ButtonProblem(
            f"{action}: workbook '{source.name}' bukan formulir xlkinerja (tidak ada data "
            f"identitas formulir di dalamnya). Tombol ini hanya bekerja pada formulir yang "
            "dibuat dengan xlkinerja.")
    raise ButtonProblem(
        f"{action}: workbook '{source.name}' adalah workbook xlkinerja jenis '{kind}', yang "
        f"belum dapat diproses oleh xlkinerja {__version__}. Perbarui xlkinerja "
        "(pip install -U \"xlkinerja[button]\").")


def run_validation(source: WorkbookSource) -> list[Finding]:
    """All findings for the open workbook: xlkinerja's validation of a formulir."""
    from xlkinerja.validation.rules import validate_source

    return list(validate_source(source, formulas=source).findings)


def _validasi(book) -> str:
    source = XlwingsSource(book)
    _require_formulir(source, "Validasi")
    findings = run_validation(source)
    with ProtectionAccess(book, "Validasi") as access, quiet_screen(book):
        write_result(book, access, findings, action="Validasi")
    book.sheets[SHEET_HASIL].activate()
    return _done_message("Validasi selesai", findings, book)


def _konsolidasi_formulir(book) -> str:
    """An OPD formulir: recalculate (Rekap Tahunan follows the quarter sheets) and refresh
    `Hasil Validasi` from the recalculated workbook."""
    book.app.calculate()
    source = XlwingsSource(book)  # read after the recalculation
    findings = run_validation(source)
    with ProtectionAccess(book, "Konsolidasi") as access, quiet_screen(book):
        write_result(book, access, findings, action="Konsolidasi")
    book.sheets[SHEET_REKAP].activate()
    return _done_message(f"Konsolidasi selesai. {SHEET_REKAP} dihitung ulang dari sheet "
                         f"triwulan; {SHEET_HASIL} diperbarui", findings, book)


def _konsolidasi_rekap(book) -> str:
    """A recap workbook: consolidate the submissions it was made from into itself."""
    from xlkinerja.desk.refresh import konsolidasi_rekap

    return konsolidasi_rekap(book)


#: Konsolidasi by kind of workbook (the marker in its `_xlkinerja` sheet, see
#: :func:`workbook_kind`): an OPD formulir, and the recap (``xlkinerja consolidate ... -o
#: REKAP.xlsm``, :mod:`xlkinerja.desk.refresh`). Any other workbook gets a clear
#: message and nothing is changed.
KONSOLIDASI: dict[str, Callable[[Any], str]] = {META_MARKER: _konsolidasi_formulir,
                                                RECAP_MARKER: _konsolidasi_rekap}


def _konsolidasi(book) -> str:
    source = XlwingsSource(book)
    kind = workbook_kind(source)
    handler = KONSOLIDASI.get(kind or "")
    if handler is None:
        if kind is None:
            raise ButtonProblem(
                f"Konsolidasi: workbook '{book.name}' tidak dibuat oleh xlkinerja. Tombol ini "
                "bekerja di formulir OPD (menghitung ulang Rekap Tahunan dan memperbarui Hasil "
                "Validasi) dan di workbook rekap .xlsm dari xlkinerja consolidate (membaca "
                "kiriman baru dari folder kiriman).")
        _require_formulir(source, "Konsolidasi")  # raises the message for an unknown kind
    return handler(book)


def _done_message(head: str, findings: Sequence[Finding], book) -> str:
    if findings:
        text = (f"{head}: {hasil.count_text(findings)}. Daftarnya ada di sheet {SHEET_HASIL}; "
                "klik alamat sel untuk menuju selnya. Sel yang bermasalah sudah ditandai.")
    else:
        text = f"{head}: tidak ada temuan. Isian workbook ini lolos pemeriksaan."
    note = xlwings_version_note(book)
    return text + (" " + note if note else "")


# -- writing the result ---------------------------------------------------------------------------

def _cell_range(sheet, row: int, col: int):
    """0-based (row, col) as an xlwings Range (xlwings counts from 1)."""
    return sheet.range((row + 1, col + 1))


def _block(sheet, row: int, col: int, last_row: int, last_col: int):
    return sheet.range((row + 1, col + 1), (last_row + 1, last_col + 1))


def _last_row(sheet) -> int:
    """0-based index of the last used row."""
    rng = sheet.used_range
    return rng.row + rng.shape[0] - 2


def _hasil_sheet(book, access: "ProtectionAccess"):
    names = [s.name for s in book.sheets]
    if SHEET_HASIL in names:
        return book.sheets[SHEET_HASIL]
    # made by an older xlkinerja, or deleted: add it after Rekap Tahunan
    access.structure()
    after = book.sheets[SHEET_REKAP] if SHEET_REKAP in names else book.sheets[len(names) - 1]
    sheet = book.sheets.add(SHEET_HASIL, after=after)
    access.adopt(sheet, like=after)
    for col, width in hasil.WIDTHS.items():
        _cell_range(sheet, 0, col).column_width = width
    register = _block(sheet, 0, HV.MARK_SHEET, 0, HV.MARK_NOTE)
    register.columns.hidden = True
    return sheet


def _take_off_marks(book, access: "ProtectionAccess", sheet, H: HasilLayout) -> None:
    """Undo the marks of the previous run, as recorded in the hidden register columns."""
    last = _last_row(sheet)
    if last < H.first_row:
        return
    rows = _block(sheet, H.first_row, HV.MARK_SHEET, last, HV.MARK_NOTE).options(ndim=2).value
    present = {s.name for s in book.sheets}
    for name, address, fill, note_added in rows:
        if not name or not address or name not in present:
            continue
        target_sheet = book.sheets[name]
        access.sheet(target_sheet)
        target = target_sheet.range(address)
        target.color = fill or None
        note = target.note
        if note_added and note is not None and note.text.startswith(hasil.NOTE_PREFIX):
            note.delete()


def write_result(book, access: "ProtectionAccess", findings: Iterable[Finding],
                 action: str = "Validasi", when: dt.datetime | None = None) -> int:
    """Replace the contents of `Hasil Validasi` with ``findings`` and mark their cells.

    Returns the number of cells marked."""
    H = HasilLayout()
    names = [s.name for s in book.sheets]
    findings = hasil.sorted_findings(findings, names)
    sheet = _hasil_sheet(book, access)
    access.sheet(sheet)
    _take_off_marks(book, access, sheet, H)

    last = _last_row(sheet)
    if last >= H.first_row:
        _block(sheet, H.first_row, HV.NO, last, HV.MARK_NOTE).clear_contents()

    _cell_range(sheet, H.title_row, HV.NO).value = hasil.TITLE
    _cell_range(sheet, H.summary_row, HV.NO).value = hasil.summary_text(
        findings, when or dt.datetime.now(), action)
    _cell_range(sheet, H.legend_row, HV.NO).value = hasil.LEGEND
    headers = {**hasil.HEADERS, **hasil.MARK_HEADERS}
    header = [headers.get(col, None) for col in range(HV.MARK_NOTE + 1)]
    _cell_range(sheet, H.header_row, HV.NO).value = [header]

    present = set(names)
    marks = hasil.plan_marks(findings, present)
    if findings:
        first, end = H.first_row, H.first_row + len(findings) - 1
        # text columns as Text, so Excel stores a message or code exactly as given
        for col in (HV.TINGKAT, HV.SHEET, HV.KODE, HV.PESAN):
            _block(sheet, first, col, end, col).number_format = "@"
        _block(sheet, first, HV.SEL, end, HV.SEL).number_format = "General"
        _cell_range(sheet, first, HV.NO).value = [hasil.finding_row(n, f)
                                                   for n, f in enumerate(findings, start=1)]
        links = [[hasil.link_formula(f.sheet, f.cell) if f.sheet in present and f.cell
                  else (hasil.first_cell(f.cell) if f.cell else "")] for f in findings]
        _block(sheet, first, HV.SEL, end, HV.SEL).formula = links

    register = []
    for mark in marks:
        target_sheet = book.sheets[mark.sheet]
        access.sheet(target_sheet)
        target = target_sheet.range(mark.cell)
        before = hasil.rgb_hex(target.color)
        target.color = mark.fill
        note = target.note
        if note is None:
            target.add_note(mark.note)
            added = "1"
        elif note.text.startswith(hasil.NOTE_PREFIX):  # left over from an interrupted run
            note.text = mark.note
            added = "1"
        else:  # someone else's note stays as it is
            added = ""
        register.append([mark.sheet, mark.cell, before, added])
    if register:
        first = H.first_row
        _block(sheet, first, HV.MARK_SHEET, first + len(register) - 1,
               HV.MARK_NOTE).number_format = "@"
        _cell_range(sheet, first, HV.MARK_SHEET).value = register
    return len(register)


def _write_notice(book, message: str) -> None:
    """Put ``message`` in the summary line of `Hasil Validasi` (when no dialog can be shown);
    a workbook without that sheet (not a formulir .xlsm) is left untouched."""
    if SHEET_HASIL not in [s.name for s in book.sheets]:
        raise LookupError(SHEET_HASIL)
    with ProtectionAccess(book, "Pesan") as access:
        sheet = book.sheets[SHEET_HASIL]
        access.sheet(sheet)
        _cell_range(sheet, HasilLayout().summary_row, HV.NO).value = message
    book.sheets[SHEET_HASIL].activate()
