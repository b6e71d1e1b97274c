"""The buttons, end to end without Excel.

The command each button hands to RunPython is taken from the VBA built into the generated
.xlsm (olevba) and executed; ``xw.Book.caller()`` is the generated, filled workbook, opened
through an openpyxl-backed xlwings engine (``tests/xlwings_openpyxl.py``) and set with xlwings'
own mock-caller mechanism. The Python behind the buttons runs unchanged through xlwings'
Book/Sheet/Range API and the real validation (``xlkinerja.validation.rules.validate_source``); the tests
assert what it wrote back: the findings rows, the links, the marks, the protection restored.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from openpyxl.utils.protection import hash_password

import xlwings_openpyxl as engine
from xlkinerja.desk import buttons as button
from xlkinerja.workbook import hasil
from xlkinerja.workbook import vba
from xlkinerja.findings import Severity
from xlkinerja.workbook.layout import (HV, Q, QUARTER_SHEETS, SHEET_HASIL, SHEET_META, SHEET_REKAP,
                              SHEET_XLWINGS_CONF, HasilLayout, WorkbookLayout, a1)
from xlkinerja.reading.sources import CalamineSource, OpenpyxlFormulaSource, XlwingsSource
from xlkinerja.validation.rules import validate_source
from xlkinerja.workbook.writer import write_workbook
from xlsmparts import protection_snapshot
from xlsmparts import runpython_commands as runpython_commands_of

H = HasilLayout()


@pytest.fixture(scope="module")
def xlsm_file(tmp_path_factory, form, entries):
    return write_workbook(form, tmp_path_factory.mktemp("button") / "terisi.xlsm",
                          entries=entries, **vba.xlsm_options())


@pytest.fixture(scope="module")
def xlsm_password_file(tmp_path_factory, form, entries):
    return write_workbook(form, tmp_path_factory.mktemp("button_pw") / "terkunci.xlsm",
                          entries=entries, password="rahasia", **vba.xlsm_options())


@pytest.fixture(scope="module")
def runpython_commands(xlsm_file) -> dict[str, str]:
    """Sub name -> the Python command it hands to RunPython, from the workbook's VBA."""
    found = runpython_commands_of(xlsm_file)
    assert set(found) == {"Validasi", "Konsolidasi"}
    return found


def open_caller(path: Path, tmp_path: Path) -> xw.Book:
    """A copy of ``path`` opened as the workbook whose button was pressed."""
    copy = tmp_path / "dibuka" / path.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(path, copy)
    book = engine.open_book(copy)
    assert isinstance(book, xw.Book)  # xlwings' own class, wrapping our engine
    book.set_mock_caller()
    assert xw.Book.caller().impl is book.impl
    return book


def leaf_cell(form, q: int = 2) -> tuple[str, str]:
    """(sheet, A1) of the realisasi of the first sub kegiatan in quarter ``q``."""
    layout = WorkbookLayout(form)
    leaf = form.leaves()[0]
    return QUARTER_SHEETS[q - 1], a1(layout.quarter.budget_rows[leaf.id], Q.REAL)


def hasil_rows(book: xw.Book, n: int) -> list[list]:
    sheet = book.sheets[SHEET_HASIL]
    return sheet.range((H.first_row + 1, 1), (H.first_row + n, HV.MARK_NOTE + 1)).options(
        ndim=2).value


def last_alert(book: xw.Book) -> dict:
    return book.app.impl.alerts[-1]


# -- the engine behaves like Excel where it matters --------------------------------------------

def test_engine_refuses_writes_on_protected_sheets_like_excel(xl, xlsm_file, tmp_path, form):
    book = open_caller(xlsm_file, tmp_path)
    sheet = book.sheets["TW I"]
    with pytest.raises(engine.ExcelError, match="protected sheet"):
        sheet.range("A1").value = "x"  # a locked cell
    with pytest.raises(engine.ExcelError, match="protected sheet"):
        sheet.range("A1").color = (255, 0, 0)
    _, cell = leaf_cell(form, 1)
    sheet.range(cell).value = 5  # an input cell: unlocked, Excel allows it
    assert sheet.range(cell).value == 5.0
    with pytest.raises(engine.ExcelError, match="protected sheet"):
        sheet.range(cell).add_note("x")


def test_xlwings_source_reads_what_the_file_holds(xl, xlsm_file, tmp_path):
    book = open_caller(xlsm_file, tmp_path)
    screen = XlwingsSource(book)
    disk = CalamineSource(xlsm_file)
    formulas = OpenpyxlFormulaSource(xlsm_file)

    def trimmed(grid):
        rows = [list(row) for row in grid]
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        width = max((i + 1 for row in rows for i, v in enumerate(row) if v is not None), default=0)
        return [(row + [None] * width)[:width] for row in rows]

    assert screen.sheet_names() == disk.sheet_names()
    assert screen.sheet_visibility() == disk.sheet_visibility()
    for name in (*QUARTER_SHEETS, SHEET_REKAP, SHEET_META):
        assert trimmed(screen.values(name)) == trimmed(disk.values(name)), name
        assert trimmed(screen.formulas(name)) == trimmed(formulas.formulas(name)), name


# -- RunPython: the command in the VBA reaches the right function ------------------------------

def test_runpython_commands_reach_the_button_functions(xl, xlsm_file, tmp_path, monkeypatch,
                                                       runpython_commands):
    called = []
    for name in ("validasi", "konsolidasi"):
        original = getattr(button, name)
        monkeypatch.setattr(button, name,
                            lambda original=original, name=name: (called.append(name),
                                                                  original())[1])
    book = open_caller(xlsm_file, tmp_path)

    exec(runpython_commands["Validasi"], {})  # what `python -c` runs after xlwings' prelude
    assert called == ["validasi"]
    assert last_alert(book)["prompt"].startswith("Validasi selesai")
    assert book.impl.active_sheet == SHEET_HASIL and book.app.impl.calculations == 0

    exec(runpython_commands["Konsolidasi"], {})
    assert called == ["validasi", "konsolidasi"]
    assert last_alert(book)["prompt"].startswith("Konsolidasi selesai")
    assert book.impl.active_sheet == SHEET_REKAP and book.app.impl.calculations == 1


def test_runpython_command_outside_excel_gives_a_message_not_a_traceback(runpython_commands):
    """Run as RunPython runs it (``python -c``), but with no Excel behind it: the user-facing
    fallback is a readable message on stderr and exit status 1, which xlwings shows in a box."""
    for sub, command in runpython_commands.items():
        proc = subprocess.run([sys.executable, "-B", "-c", command], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        assert f"Tombol {sub} dijalankan dari Excel" in proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout


# -- Validasi ----------------------------------------------------------------------------------

def test_validasi_checks_the_workbook_as_on_screen_and_writes_back(xl, xlsm_file, tmp_path,
                                                                   form):
    book = open_caller(xlsm_file, tmp_path)
    before = protection_snapshot(book)
    # unsaved edit on screen: an amount typed with Indonesian separators, i.e. text
    sheet_name, cell = leaf_cell(form, q=2)
    book.sheets[sheet_name].range(cell).value = "4.497.357.736"
    original_fill = book.sheets[sheet_name].range(cell).color

    expected = validate_source(XlwingsSource(book), formulas=XlwingsSource(book)).findings
    typed = [f for f in expected if f.sheet == sheet_name and f.cell == cell]
    assert typed and typed[0].severity is Severity.ERROR and typed[0].code == "ENTRY_NOT_NUMBER"

    button.validasi()

    alert = last_alert(book)
    assert alert["mode"] == "info" and alert["title"] == "xlkinerja"
    assert alert["prompt"].startswith(f"Validasi selesai: {hasil.count_text(expected)}.")
    assert book.impl.active_sheet == SHEET_HASIL

    hv = book.sheets[SHEET_HASIL]
    summary = hv.range((H.summary_row + 1, 1)).value
    assert summary.startswith("Validasi ") and hasil.count_text(expected) in summary
    assert "Perbaiki galat" in summary

    ordered = hasil.sorted_findings(expected, [s.name for s in book.sheets])
    rows = hasil_rows(book, len(ordered) + 1)
    assert all(v is None for v in rows[-1][:HV.PESAN + 1])  # nothing after the last finding
    for n, (row, f) in enumerate(zip(rows, ordered), start=1):
        assert row[HV.NO] == n
        assert row[HV.TINGKAT] == f.severity.label
        assert row[HV.SHEET] == (f.sheet or "")
        assert row[HV.KODE] == f.code and row[HV.PESAN] == f.message
        link = hv.range((H.first_row + n, HV.SEL + 1)).formula
        if f.sheet and f.cell:
            assert link == f'=HYPERLINK("#\'{f.sheet}\'!{f.cell}","{f.cell}")'
    assert ordered[0].severity is Severity.ERROR  # worst first

    # the offending cell is marked red with the message in a note; warnings amber; info not
    marked = book.sheets[sheet_name].range(cell)
    assert hasil.rgb_hex(marked.color) == hasil.MARK_FILL[Severity.ERROR]
    assert marked.note.text.startswith(hasil.NOTE_PREFIX)
    assert typed[0].message in marked.note.text
    for f in ordered:
        if f.severity is Severity.WARNING and f.cell and f.sheet:
            target = book.sheets[f.sheet].range(f.cell)
            if not any(g.severity is Severity.ERROR and (g.sheet, g.cell) == (f.sheet, f.cell)
                       for g in ordered):
                assert hasil.rgb_hex(target.color) == hasil.MARK_FILL[Severity.WARNING]
        if f.severity is Severity.INFO and f.cell and not any(
                g.severity is not Severity.INFO and (g.sheet, g.cell) == (f.sheet, f.cell)
                for g in ordered):
            assert book.sheets[f.sheet].range(f.cell).note is None

    # the register of marks, for the next run
    marks = hasil.plan_marks(ordered, [s.name for s in book.sheets])
    register = [row[HV.MARK_SHEET:HV.MARK_NOTE + 1] for row in hasil_rows(book, len(marks))]
    assert [r[:2] for r in register] == [[m.sheet, m.cell] for m in marks]
    entry = register[[r[:2] for r in register].index([sheet_name, cell])]
    assert entry[2] == hasil.rgb_hex(original_fill) and entry[3] == "1"

    # every sheet protected again, exactly as before; the structure too
    assert protection_snapshot(book) == before

    # and all of it survives saving the file
    saved = tmp_path / "disimpan.xlsm"
    book.impl.save(saved)
    wb = openpyxl.load_workbook(saved, keep_vba=True)
    assert wb[sheet_name][cell].fill.fgColor.rgb == "FF" + hasil.MARK_FILL[Severity.ERROR][1:]
    assert wb[sheet_name][cell].comment.text.startswith(hasil.NOTE_PREFIX)
    assert wb[SHEET_HASIL].cell(H.first_row + 1, HV.KODE + 1).value == ordered[0].code
    assert wb[SHEET_HASIL].cell(H.first_row + 1, HV.SEL + 1).value.startswith("=HYPERLINK(")
    assert all(ws.protection.sheet for ws in wb.worksheets)


def test_running_again_replaces_result_and_takes_marks_off(xl, xlsm_file, tmp_path, form):
    book = open_caller(xlsm_file, tmp_path)
    sheet_name, cell = leaf_cell(form, q=2)
    target = book.sheets[sheet_name].range(cell)
    original_fill, original_value = target.color, target.value
    target.value = "4.497.357.736"
    button.validasi()
    first = validate_source(XlwingsSource(book), formulas=XlwingsSource(book)).findings
    assert hasil.rgb_hex(target.color) == hasil.MARK_FILL[Severity.ERROR]

    target.value = original_value  # the user corrects the entry, then presses Validasi again
    button.validasi()
    second = validate_source(XlwingsSource(book), formulas=XlwingsSource(book)).findings
    assert len(second) == len(first) - 1
    assert target.color == original_fill and target.note is None  # the mark is gone
    rows = hasil_rows(book, len(first))
    assert rows[len(second)][HV.NO] is None  # the list is the new one, not longer
    assert not any(row[HV.MARK_SHEET] == sheet_name and row[HV.MARK_CELL] == cell
                   for row in rows)
    # marks of findings that remain are in place once, not twice
    for m in hasil.plan_marks(second, [s.name for s in book.sheets]):
        assert hasil.rgb_hex(book.sheets[m.sheet].range(m.cell).color) == m.fill
    assert all(s.api.ProtectContents for s in book.sheets)


def test_a_note_that_is_not_ours_is_left_alone(xl, xlsm_file, tmp_path, form):
    book = open_caller(xlsm_file, tmp_path)
    sheet_name, cell = leaf_cell(form, q=2)
    sheet = book.sheets[sheet_name]
    sheet.api.Unprotect("")
    sheet.range(cell).add_note("Catatan pemeriksa: cek SP2D")
    sheet.api.Protect(Password="", DrawingObjects=True, Contents=True, Scenarios=True,
                      AllowFormattingColumns=True, AllowFormattingRows=True)
    sheet.range(cell).value = "abc"
    button.validasi()
    assert hasil.rgb_hex(sheet.range(cell).color) == hasil.MARK_FILL[Severity.ERROR]
    assert sheet.range(cell).note.text == "Catatan pemeriksa: cek SP2D"
    sheet.range(cell).value = 1000
    button.validasi()
    assert sheet.range(cell).note.text == "Catatan pemeriksa: cek SP2D"
    assert hasil.rgb_hex(sheet.range(cell).color) != hasil.MARK_FILL[Severity.ERROR]


def test_password_protected_workbook(xl, xlsm_password_file, tmp_path, monkeypatch):
    book = open_caller(xlsm_password_file, tmp_path)
    before = protection_snapshot(book)
    assert before["TW I"]["password"] == hash_password("rahasia")
    untouched = hasil_rows(book, 3)

    button.validasi()  # no password known: a clear message, nothing changed
    alert = last_alert(book)
    assert alert["mode"] == "critical"
    assert "kata sandi" in alert["prompt"] and button.PASSWORD_ENV in alert["prompt"]
    assert "Traceback" not in alert["prompt"]
    assert protection_snapshot(book) == before
    assert hasil_rows(book, 3) == untouched

    monkeypatch.setenv(button.PASSWORD_ENV, "rahasia")
    button.validasi()
    assert last_alert(book)["prompt"].startswith("Validasi selesai")
    assert hasil_rows(book, 1)[0][HV.NO] == 1
    assert protection_snapshot(book) == before  # locked again with the same password


def test_a_failure_midway_restores_protection_and_reads_as_a_message(xl, xlsm_file, tmp_path,
                                                                      monkeypatch):
    book = open_caller(xlsm_file, tmp_path)
    before = protection_snapshot(book)

    def broken(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(hasil, "plan_marks", broken)  # fails after Hasil is unprotected
    button.validasi()
    alert = last_alert(book)
    assert alert["mode"] == "critical"
    assert "kesalahan internal" in alert["prompt"] and "disk penuh" in alert["prompt"]
    assert "Traceback" not in alert["prompt"]
    assert protection_snapshot(book) == before


def test_without_a_dialog_the_message_goes_into_hasil_validasi(xl, xlsm_file, tmp_path,
                                                               monkeypatch):
    book = open_caller(xlsm_file, tmp_path)
    before = protection_snapshot(book)

    def no_dialog(*args, **kwargs):
        raise engine.ExcelError("no dialog")

    monkeypatch.setattr(engine.App, "alert", no_dialog)
    button.validasi()
    summary = book.sheets[SHEET_HASIL].range((H.summary_row + 1, 1)).value
    assert summary.startswith("Validasi selesai")
    assert protection_snapshot(book) == before


def test_outside_excel_the_message_goes_to_stderr(xl, capsys):
    with pytest.raises(SystemExit) as stop:
        button.validasi()  # no mock caller, no Excel: Book.caller() fails
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert "Tombol Validasi dijalankan dari Excel" in err and "Traceback" not in err


def test_missing_hasil_sheet_is_added_under_the_same_protection(xl, xlsm_file, tmp_path):
    wb = openpyxl.load_workbook(xlsm_file, keep_vba=True)
    del wb[SHEET_HASIL]
    older = tmp_path / "lama.xlsm"
    wb.save(older)
    book = open_caller(older, tmp_path)
    assert SHEET_HASIL not in [s.name for s in book.sheets]
    button.validasi()
    assert last_alert(book)["prompt"].startswith("Validasi selesai")
    names = [s.name for s in book.sheets]
    assert names.index(SHEET_HASIL) == names.index(SHEET_REKAP) + 1
    snap = protection_snapshot(book)
    assert snap["structure"][0]  # structure locked again
    assert snap[SHEET_HASIL] == snap[SHEET_REKAP]  # protected like its neighbours
    assert book.sheets[SHEET_HASIL].range((H.header_row + 1, 1)).value == "NO"
    assert book.sheets[SHEET_HASIL].range((1, HV.MARK_SHEET + 1)).columns.hidden


def test_version_note_when_xlwings_differs(xl, xlsm_file, tmp_path):
    book = open_caller(xlsm_file, tmp_path)
    conf = book.impl.wb[SHEET_XLWINGS_CONF]
    row = next(r for r in range(1, 20) if conf.cell(r, 2).value == xw.__version__)
    conf.protection.sheet = False
    conf.cell(row, 2).value = "0.30.0"
    conf.protection.sheet = True
    button.validasi()
    prompt = last_alert(book)["prompt"]
    assert "xlwings di komputer ini versi" in prompt and "0.30.0" in prompt


# -- Konsolidasi -------------------------------------------------------------------------------

def test_konsolidasi_recalculates_and_refreshes_hasil(xl, xlsm_file, tmp_path):
    book = open_caller(xlsm_file, tmp_path)
    before = protection_snapshot(book)
    button.konsolidasi()
    assert book.app.impl.calculations == 1
    assert book.impl.active_sheet == SHEET_REKAP
    prompt = last_alert(book)["prompt"]
    assert prompt.startswith("Konsolidasi selesai. Rekap Tahunan dihitung ulang")
    summary = book.sheets[SHEET_HASIL].range((H.summary_row + 1, 1)).value
    assert summary.startswith("Konsolidasi ")
    findings = validate_source(XlwingsSource(book), formulas=XlwingsSource(book)).findings
    assert hasil.count_text(findings) in summary
    assert protection_snapshot(book) == before


def _plain_workbook(path: Path, marker: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.active["A1"] = "bukan formulir"
    if marker:
        meta = wb.create_sheet(SHEET_META)
        meta["A1"], meta["B1"] = "marker", marker
    wb.save(path)
    return path


def test_konsolidasi_in_a_workbook_that_is_not_a_formulir(xl, tmp_path):
    book = open_caller(_plain_workbook(tmp_path / "lain.xlsx"), tmp_path)
    button.konsolidasi()
    alert = last_alert(book)
    assert alert["mode"] == "critical"
    assert "tidak dibuat oleh xlkinerja" in alert["prompt"] and "rekap" in alert["prompt"]
    assert [s.name for s in book.sheets] == ["Data"] and book.app.impl.calculations == 0

    button.validasi()
    assert "bukan formulir xlkinerja" in last_alert(book)["prompt"]
    assert [s.name for s in book.sheets] == ["Data"]


def test_konsolidasi_extension_point_for_other_xlkinerja_workbooks(xl, tmp_path, monkeypatch):
    book = open_caller(_plain_workbook(tmp_path / "lain.xlsx", marker="xlkinerja-lain"),
                       tmp_path)
    button.konsolidasi()
    prompt = last_alert(book)["prompt"]
    assert "jenis 'xlkinerja-lain'" in prompt and "Perbarui xlkinerja" in prompt

    seen = []
    monkeypatch.setitem(button.KONSOLIDASI, "xlkinerja-lain",
                        lambda b: seen.append(b.name) or "Diperbarui.")
    button.konsolidasi()
    assert seen == ["lain.xlsx"] and last_alert(book)["prompt"] == "Diperbarui."


def test_no_dialog_in_a_foreign_workbook_changes_nothing(xl, tmp_path, monkeypatch, capsys):
    book = open_caller(_plain_workbook(tmp_path / "lain.xlsx"), tmp_path)

    def no_dialog(*args, **kwargs):
        raise engine.ExcelError("no dialog")

    monkeypatch.setattr(engine.App, "alert", no_dialog)
    with pytest.raises(SystemExit):
        button.validasi()
    assert "bukan formulir xlkinerja" in capsys.readouterr().err
    assert [s.name for s in book.sheets] == ["Data"]
