"""What the Hasil Validasi sheet says and which cells get marked (no spreadsheet needed)."""

from __future__ import annotations

import datetime as dt

from xlkinerja.workbook import hasil
from xlkinerja.findings import Finding, Severity


def f(severity, code, sheet=None, cell=None, message="pesan"):
    return Finding(file="x.xlsm", severity=severity, code=code, message=message, sheet=sheet,
                   cell=cell)


def test_link_formula_quotes_sheet_names():
    assert hasil.link_formula("TW I", "K12") == '=HYPERLINK("#\'TW I\'!K12","K12")'
    assert hasil.link_formula("O'Brien", "$A$1:$B$2") == \
        '=HYPERLINK("#\'O\'\'Brien\'!A1","A1")'


def test_worst_first_then_workbook_order():
    order = ["Petunjuk", "TW I", "TW II"]
    items = [f(Severity.INFO, "C", "TW I", "A1"), f(Severity.WARNING, "B", "TW II", "B2"),
             f(Severity.ERROR, "A", "TW II", "K10"), f(Severity.ERROR, "A", "TW I", "K20"),
             f(Severity.ERROR, "A", "TW I", "K9")]
    got = [(x.sheet, x.cell) for x in hasil.sorted_findings(items, order)]
    assert got == [("TW I", "K9"), ("TW I", "K20"), ("TW II", "K10"), ("TW II", "B2"),
                   ("TW I", "A1")]


def test_one_mark_per_cell_with_the_worst_fill_and_all_messages():
    items = [f(Severity.WARNING, "W", "TW I", "K10", "peringatan"),
             f(Severity.ERROR, "E", "TW I", "K10", "galat"),
             f(Severity.INFO, "I", "TW I", "K11"),  # info: listed, not marked
             f(Severity.ERROR, "E", "Hilang", "A1"),  # sheet not in the workbook
             f(Severity.ERROR, "E", "TW I", None)]  # no cell
    marks = hasil.plan_marks(items, ["TW I"])
    assert len(marks) == 1
    mark = marks[0]
    assert (mark.sheet, mark.cell, mark.fill) == ("TW I", "K10", hasil.MARK_FILL[Severity.ERROR])
    assert mark.note.startswith(hasil.NOTE_PREFIX)
    assert mark.note.index("GALAT E: galat") < mark.note.index("PERINGATAN W: peringatan")


def test_summary_and_colours():
    when = dt.datetime(2025, 4, 10, 9, 5)
    assert hasil.summary_text([], when).startswith("Validasi 10-04-2025 09:05")
    assert "tidak ada temuan" in hasil.summary_text([], when)
    text = hasil.summary_text([f(Severity.ERROR, "E"), f(Severity.INFO, "I")], when,
                              "Konsolidasi")
    assert text.startswith("Konsolidasi ") and "1 galat, 0 peringatan, 1 info" in text
    assert hasil.rgb_hex(None) == "" and hasil.rgb_hex((255, 242, 204)) == "#FFF2CC"
    assert hasil.rgb_hex(0xCCF2FF) == "#FFF2CC"  # Excel's BGR integer
