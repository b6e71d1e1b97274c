"""The recap workbook's Konsolidasi button, end to end without Excel.

A finance desk's folder is made as a desk makes it: synthetic OPD formulir generated and filled
the way people fill them (``xlkinerja.testing``), and a recap ``.xlsm`` written by ``xlkinerja
consolidate``. Then the week's submissions arrive in the folder (a corrected TW II of one OPD, and
an OPD that had sent nothing), the recap is opened through the openpyxl-backed xlwings engine
(``tests/xlwings_openpyxl.py``) as the workbook whose button was pressed
(``xw.Book.set_mock_caller``), and the RunPython command taken from the recap's own VBA is
executed. The tests check what the button wrote back into the open workbook: against sums
computed from the fill data alone, against the recap the command line writes from the same
folder, and against the ledger.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

import lo
import xlwings_openpyxl as engine
from xlkinerja.desk import buttons as button
from xlkinerja.consolidation import ConsolidateOptions, consolidate
from xlkinerja.consolidation.ledger import Ledger
from xlkinerja.consolidation.recap_layout import RINCIAN
from xlkinerja.consolidation.recap import (OPD_CHART_SERIES, SHEET_GRAFIK, SHEET_INDIKATOR,
                                           SHEET_RINCIAN, SHEET_RINGKASAN, SHEET_STATUS,
                                           SHEET_TEMUAN, RecapLayout)
from xlkinerja.workbook.layout import (RECAP_MARKER, SHEET_META, SHEET_XLWINGS_CONF, a1, col_letter,
                              sheet_codenames)
from xlkinerja.desk.sheetimage import CellFormat
from xlkinerja.testing import fill_like_a_person, synthetic_entries, synthetic_form
from xlkinerja.workbook.writer import write_workbook
from xlsmparts import (MACRO_CONTENT_TYPE, SAFE_XLWINGS_CONF, buttons, content_types,
                       declared_codenames, has_vba, protection_snapshot,
                       read_xlwings_conf_like_xlwings, runpython_commands, subs, vba_modules)

L = RecapLayout
PEMDA = "Kota Sintetis"
#: the quarters each synthetic OPD has sent; 9.005 sends only after the recap was made;
#: 9.006-9.010 (smaller forms) make a city of ten for the chart's height
SENT = {1: [1, 2], 2: [1, 2], 3: [1, 2], 4: [1], 5: [1, 2], **{i: [1, 2] for i in range(6, 11)}}
FIRST = (1, 2, 3, 4)


def _form(i: int):
    if i > 5:
        return synthetic_form(i, programs=1, kegiatan=1, subs=1, indicators=1)
    return synthetic_form(i, programs=1, kegiatan=2, subs=2, indicators=2)


def _saved(path: Path, month: int, day: int = 10, minute: int = 0) -> None:
    when = dt.datetime(2024, month, day, 9, minute).timestamp()
    os.utime(path, (when, when))


@dataclass
class Submissions:
    forms: dict[int, object]
    entries: dict[int, dict]
    files: dict[int, Path]  # the filled formulir each OPD sent
    correction: Path  # 9.002's TW II again, one amount corrected, sent later
    corrected: dict  # 9.002's entries in the correction


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Submissions:
    root = tmp_path_factory.mktemp("kiriman")
    forms = {i: _form(i) for i in SENT}
    entries = {i: synthetic_entries(f) for i, f in forms.items()}
    files = {}
    for i, form in forms.items():
        blank = write_workbook(form, root / "kosong" / f"{form.opd_code}.xlsx")
        q = SENT[i]
        files[i] = fill_like_a_person(blank, root / f"{form.opd_code}_TW{q[-1]}.xlsx", form,
                                      entries[i], q)
        _saved(files[i], month=1 + 3 * len(q), minute=i)
    corrected = copy.deepcopy(entries[2])
    corrected[2].budget[forms[2].leaves()[0].id].realisasi += 1_000_000
    correction = fill_like_a_person(root / "kosong" / "9.002.xlsx",
                                    root / "9.002_TW2_perbaikan.xlsx", forms[2], corrected, [1, 2])
    _saved(correction, month=7, day=25)
    return Submissions(forms, entries, files, correction, corrected)


def make_desk(root: Path, subm: Submissions, opds=FIRST) -> Path:
    """``root/masuk`` with the files of ``opds``; the recap .xlsm (and CSV exports) made from
    it by consolidation, as ``xlkinerja consolidate masuk -o rekap/rekap.xlsm`` makes it."""
    masuk = root / "masuk"
    masuk.mkdir(parents=True)
    for i in opds:
        shutil.copy2(subm.files[i], masuk / subm.files[i].name)
    recap = root / "rekap" / "rekap.xlsm"
    consolidate([masuk], ConsolidateOptions(output=recap, csv_dir=root / "rekap" / "csv",
                                            pemda=PEMDA, progress=False))
    return recap


def deliver_the_week(root: Path, subm: Submissions) -> None:
    """A corrected TW II of 9.002, and 9.005's first submission, into the inputs folder."""
    later = root / "masuk" / "susulan"
    later.mkdir()
    for path in (subm.correction, subm.files[5]):
        shutil.copy2(path, later / path.name)


def expected(subm: Submissions, opds, corrected: bool = True) -> dict[str, dict]:
    """Pagu and realisasi per quarter of each OPD, from the forms and the fill data alone."""
    out = {}
    for i in opds:
        form = subm.forms[i]
        entries = subm.corrected if (i == 2 and corrected) else subm.entries[i]
        tw = [sum(e.realisasi for e in entries[q].budget.values()) if q in SENT[i] else None
              for q in (1, 2, 3, 4)]
        out[form.opd_code] = {"name": form.opd_name,
                              "pagu": sum(leaf.own_pagu for leaf in form.leaves()), "tw": tw}
    return out


def ringkasan_rows(ws) -> dict[str, list]:
    """Ringkasan's OPD rows (values as stored), by OPD code, up to the total row."""
    out = {}
    r = L.first_row + 1
    while ws.cell(r, L.KODE + 1).value not in (None, ""):
        out[ws.cell(r, L.KODE + 1).value] = [ws.cell(r, c + 1).value for c in range(len(L.headers))]
        r += 1
    return out


def press(recap: Path, action: str = "Konsolidasi", before=None) -> xw.Book:
    """Open ``recap`` as the calling workbook and run the command its button hands RunPython."""
    book = engine.open_book(recap)
    book.set_mock_caller()
    if before is not None:
        before(book)
    exec(runpython_commands(recap)[action], {})  # what `python -c` runs after xlwings' prelude
    return book


def cell_values(book: xw.Book) -> dict:
    """Every cell value of every sheet of an engine book (what the user sees changed)."""
    return {ws.title: {k: c.value for k, c in ws._cells.items()} for ws in book.impl.wb.worksheets}


# -- the .xlsm the command line writes ---------------------------------------------------------

@pytest.fixture(scope="module")
def cli_recap(tmp_path_factory, submissions) -> Path:
    root = tmp_path_factory.mktemp("cli")
    masuk = root / "masuk"
    masuk.mkdir()
    for i in FIRST:
        shutil.copy2(submissions.files[i], masuk / submissions.files[i].name)
    out = root / "rekap.xlsm"
    proc = subprocess.run([sys.executable, "-m", "xlkinerja", "consolidate", str(masuk), "-o",
                           str(out), "--pemda", PEMDA], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert f"Rekap ditulis: {out}" in proc.stdout
    return out


def test_recap_xlsm_is_macro_enabled_with_our_vba_and_a_konsolidasi_button(cli_recap):
    assert MACRO_CONTENT_TYPE in content_types(cli_recap)
    modules = vba_modules(cli_recap)
    names = L.sheet_names(macro=True)
    codenames = sheet_codenames(names)
    assert set(modules) == {"ThisWorkbook", *codenames.values(), "XlKinerja", "xlwings",
                            "Dictionary"}
    assert declared_codenames(cli_recap) == codenames  # a document module per sheet
    assert "Function RunPython" in modules["xlwings"]
    assert runpython_commands(cli_recap)["Konsolidasi"] == \
        "import xlkinerja.button as b; b.konsolidasi()"

    found = buttons(cli_recap)
    assert set(found) == {SHEET_RINGKASAN}  # one button, on the sheet the recap opens at
    (b,) = found[SHEET_RINGKASAN]
    assert b["caption"] == "Konsolidasi" and not b["prints"]
    m = re.fullmatch(r"\[0\]!(\w+)", b["macro"])
    assert m and m.group(1) in subs(modules["XlKinerja"])
    left_col, _, top_row, top_offset, right_col, _, bottom_row, _ = b["anchor"]
    (place,) = L.buttons(SHEET_RINGKASAN)
    assert (top_row, bottom_row, top_offset) == (L.title_row, L.title_row, place.y_offset)
    assert left_col == L.NO and right_col <= L.KODE  # left of the centred title, frozen pane

    wb = openpyxl.load_workbook(cli_recap, keep_vba=True)
    assert wb.sheetnames == names
    assert wb[SHEET_XLWINGS_CONF].sheet_state == "hidden"
    assert wb[SHEET_META].sheet_state == "veryHidden"
    assert read_xlwings_conf_like_xlwings(wb[SHEET_XLWINGS_CONF]) == SAFE_XLWINGS_CONF
    assert wb.security.lockStructure and all(ws.protection.sheet for ws in wb.worksheets)
    assert wb[SHEET_RINGKASAN].row_dimensions[L.title_row + 1].height == pytest.approx(
        L.title_height, abs=0.5)
    meta = {r[0].value: r[1].value for r in wb[SHEET_META].iter_rows()}
    assert meta["marker"] == RECAP_MARKER and meta["pemda"] == PEMDA
    assert meta["inputs"] == f'["{(cli_recap.parent / "masuk").resolve()}"]'


def test_recap_xlsx_stays_macro_free(tmp_path, submissions):
    masuk = tmp_path / "masuk"
    masuk.mkdir()
    shutil.copy2(submissions.files[1], masuk)
    out = tmp_path / "rekap.xlsx"
    consolidate([masuk], ConsolidateOptions(output=out, progress=False))
    assert "macroEnabled" not in content_types(out) and not has_vba(out)
    assert openpyxl.load_workbook(out).sheetnames == L.sheet_names(macro=False)
    assert not buttons(out)


# -- pressing the button after the week's submissions ---------------------------------------------

@dataclass
class Pressed:
    root: Path
    recap: Path
    saved: Path  # the open workbook after the button, saved
    cli: Path  # what `xlkinerja consolidate` writes from the same folder
    alert: dict
    before: dict  # protection before
    after: dict
    active: str
    calculations: int
    runs: list


@pytest.fixture(scope="module")
def pressed(tmp_path_factory, submissions) -> Pressed:
    root = tmp_path_factory.mktemp("meja")
    recap = make_desk(root, submissions)
    deliver_the_week(root, submissions)
    state = {}

    def the_user_reads_the_recap(book):
        """Allowed on the protected sheets: a taller row, a wider column."""
        ringkasan = book.sheets[SHEET_RINGKASAN]
        ringkasan.range((L.first_row + 2, 1)).row_height = 45
        ringkasan.range((1, L.NAMA + 1)).column_width = 60
        state.update(before=protection_snapshot(book))

    with engine.registered():
        book = press(recap, before=the_user_reads_the_recap)
        saved = root / "disimpan.xlsm"
        book.impl.save(saved)
        alerts = book.app.impl.alerts
        assert len(alerts) == 1
        result = Pressed(root, recap, saved, root / "cli" / "rekap.xlsx", alerts[0],
                         state["before"], protection_snapshot(book), book.impl.active_sheet,
                         book.app.impl.calculations, [])
    ledger = Ledger(root / "rekap" / "rekap.ledger.sqlite")
    result.runs = ledger.runs()
    ledger.close()
    consolidate([root / "masuk"], ConsolidateOptions(
        output=result.cli, ledger=root / "cli" / "rekap.ledger.sqlite", pemda=PEMDA,
        progress=False))
    return result


def test_the_button_reaches_the_recap_handler_and_says_what_happened(pressed):
    alert = pressed.alert
    assert alert["mode"] == "info" and alert["title"] == "xlkinerja"
    text = alert["prompt"]
    assert "Traceback" not in text
    assert text.startswith(f"Konsolidasi selesai: rekap diperbarui dari "
                           f"{(pressed.root / 'masuk').resolve()}.")
    assert "6 berkas: 5 diterima, 1 digantikan; 2 baru atau berubah (dibaca), 4 sudah tercatat" \
        in text
    # 9.004 has sent TW I only: not yet complete for TW II
    assert "Tahun 2024, keadaan s.d. TW II; 5 perangkat daerah (1 belum mengirim, 4 lengkap)." \
        in text
    assert f"Ledger: {(pressed.root / 'rekap' / 'rekap.ledger.sqlite').resolve()}" in text
    assert "Ekspor diperbarui:" in text and "Simpan workbook ini" in text
    assert pressed.active == SHEET_RINGKASAN and pressed.calculations == 1


def test_ringkasan_rows_and_totals_are_the_fill_data(pressed, submissions):
    ws = openpyxl.load_workbook(pressed.saved, keep_vba=True)[SHEET_RINGKASAN]
    rows = ringkasan_rows(ws)
    want = expected(submissions, range(1, 6))
    assert list(rows) == list(want)  # every OPD, the new one included, in code order
    for code, w in want.items():
        row = rows[code]
        assert row[L.NAMA] == w["name"] and row[L.PAGU] == w["pagu"], code
        assert [row[c] for c in L.TW] == w["tw"], code
        complete = SENT[int(code[2:])] == [1, 2]
        assert row[L.STATUS] == ("lengkap" if complete else "belum mengirim")
    tw2 = {"corrected": submissions.corrected[2], "sent first": submissions.entries[2][2]}
    assert rows["9.002"][L.TW2] == sum(e.realisasi for e in tw2["corrected"].budget.values())
    assert rows["9.002"][L.TW2] != sum(e.realisasi for e in tw2["sent first"].budget.values())
    # the total row sits under the five OPD, its formulas over all five rows
    t = L.total_row(5) + 1
    first, last = L.first_row + 1, L.first_row + 5
    assert ws.cell(t, 1).value == "JUMLAH / RATA-RATA KOTA"
    assert f"A{t}:C{t}" in {str(m) for m in ws.merged_cells.ranges}
    for c in (L.PAGU, *L.TW, L.TOTAL):
        col = col_letter(c)
        assert f"SUM({col}{first}:{col}{last})" in ws.cell(t, c + 1).value, col
    span = f"{a1(last - 1, L.TW1)}:{a1(last - 1, L.TW4)}"
    assert ws.cell(last, L.TOTAL + 1).value == f'=IF(COUNT({span})=0,"",SUM({span}))'
    # the print area ends with the row of the OPD that reported (below the city's total)
    assert ws.print_area == f"'{SHEET_RINGKASAN}'!$A$1:${col_letter(L.LAST)}${L.senders_row(5) + 1}"
    assert "5 perangkat daerah" in ws.cell(L.info_row + 1, 1).value


@pytest.mark.libreoffice
def test_totals_computed_by_a_spreadsheet_engine(pressed, submissions, soffice, tmp_path):
    """The open workbook, saved after the button: LibreOffice computes the written formulas."""
    recalculated = lo.recalculate([pressed.saved], tmp_path, soffice=soffice)[0]
    ws = openpyxl.load_workbook(recalculated, data_only=True)[SHEET_RINGKASAN]
    want = expected(submissions, range(1, 6))
    t = L.total_row(5) + 1
    city = [sum(w["tw"][i] or 0 for w in want.values()) for i in range(4)]
    assert ws.cell(t, L.PAGU + 1).value == sum(w["pagu"] for w in want.values())
    assert [ws.cell(t, c + 1).value for c in L.TW[:2]] == city[:2]
    assert ws.cell(t, L.TOTAL + 1).value == sum(city)
    for r, (code, w) in enumerate(want.items(), start=L.first_row + 1):
        year = sum(v for v in w["tw"] if v is not None)
        assert ws.cell(r, L.TOTAL + 1).value == year, code
        assert ws.cell(r, L.PERSEN + 1).value == pytest.approx(year / w["pagu"]), code
    grafik = openpyxl.load_workbook(recalculated, data_only=True)[SHEET_GRAFIK]
    assert [grafik.cell(5 + i, 3).value for i in range(2)] == city[:2]


def test_status_pengiriman_and_temuan_are_brought_up_to_date(pressed):
    wb = openpyxl.load_workbook(pressed.saved, keep_vba=True)
    status = [[c.value for c in row] for row in wb[SHEET_STATUS].iter_rows()]
    by_code = {row[1]: row for row in status[5:]
               if re.fullmatch(r"9\.\d{3}", str(row[1] or "")) and row[3] in (
                   "diterima", "belum", "ditolak")}
    assert list(by_code) == ["9.001", "9.002", "9.003", "9.004", "9.005"]
    assert [by_code["9.005"][3 + 3 * j] for j in range(4)] == ["diterima", "diterima", "belum",
                                                               "belum"]
    assert by_code["9.002"][4 + 3] == "9.002_TW2_perbaikan.xlsx"  # TW II from the correction
    files = {row[2]: row for row in status if row[2] and str(row[2]).endswith(".xlsx")}
    assert files["9.002_TW2.xlsx"][4] == "digantikan"
    assert files["9.002_TW2.xlsx"][5] == "9.002_TW2_perbaikan.xlsx"
    assert files["9.005_TW2.xlsx"][4] == "diterima"
    temuan = [[c.value for c in row] for row in wb[SHEET_TEMUAN].iter_rows()]
    superseded = [r for r in temuan if r[6] == "CONSOLIDATE_SUPERSEDED"]
    assert len(superseded) == 1 and superseded[0][0] == "9.002_TW2.xlsx"
    assert "1 isian berubah" in superseded[0][7]
    meta = {r[0].value: r[1].value for r in wb[SHEET_META].iter_rows()}
    assert meta["marker"] == RECAP_MARKER and meta["quarter"] == 2


def test_the_ledger_records_the_new_run(pressed):
    assert len(pressed.runs) == 2
    run = pressed.runs[-1]  # id, started, finished, output, n_files, n_read
    assert run[2] is not None  # committed
    assert run[3] == str(pressed.recap.resolve())  # the open workbook, not the temporary file
    assert run[4:] == (6, 2)
    ledger = Ledger(pressed.root / "rekap" / "rekap.ledger.sqlite")
    history = {s.name: s for s in ledger.history()}
    ledger.close()
    assert history["9.002_TW2.xlsx"].status == "digantikan"
    assert history["9.002_TW2_perbaikan.xlsx"].status == "diterima"
    assert history["9.005_TW2.xlsx"].status == "diterima"


def test_protection_is_restored_on_every_sheet(pressed):
    assert pressed.after == pressed.before
    assert pressed.before["structure"][0]
    assert all(pressed.before[name]["sheet"] for name in L.sheet_names(macro=True))


def test_tables_charts_and_conditional_formats_cover_the_new_rows(pressed, submissions):
    wb = openpyxl.load_workbook(pressed.saved, keep_vba=True)
    forms = {i: submissions.forms[i] for i in range(1, 6)}
    n_budget = sum(len(f.budget_rows()) * len(SENT[i]) for i, f in forms.items())
    n_ind = sum(len(f.indicators()) for f in forms.values())
    rl = col_letter(RINCIAN.last_col)
    assert dict(wb[SHEET_RINCIAN].tables.items()) == {"RincianAnggaran": f"A4:{rl}{4 + n_budget}"}
    assert dict(wb[SHEET_INDIKATOR].tables.items()) == {"Indikator": f"A4:P{4 + n_ind}"}
    assert wb[SHEET_RINCIAN].tables["RincianAnggaran"].autoFilter.ref == f"A4:{rl}{4 + n_budget}"
    assert wb[SHEET_RINCIAN].cell(4 + n_budget, 1).value == "9.005"
    first, last = L.first_row + 1, L.first_row + 5
    bar = wb[SHEET_GRAFIK]._charts[L.OPD_CHART]
    (series,) = bar.series
    pc, nc = col_letter(L.PERSEN), col_letter(L.NAMA)
    assert series.val.numRef.f.replace("'", "") == f"{SHEET_RINGKASAN}!${pc}${first}:${pc}${last}"
    assert series.cat.strRef.f.replace("'", "") == f"{SHEET_RINGKASAN}!${nc}${first}:${nc}${last}"
    assert series.tx.v == OPD_CHART_SERIES
    with engine.registered():
        chart = engine.open_book(pressed.saved).sheets[SHEET_GRAFIK].charts[L.OPD_CHART]
        assert chart.height == pytest.approx(L.opd_chart_height(5) * 0.75, abs=0.01)
    rules = {(str(cf.sqref), r.formula[0]) for cf in wb[SHEET_RINGKASAN].conditional_formatting
             for r in cf.rules}
    status = col_letter(L.STATUS)
    assert rules == {(f"{status}{first}:{status}{last}", f'"{s}"')
                     for s in ("lengkap", "belum mengirim", "ada kesalahan", "konflik", "kirim ulang")}


def _normal(value):
    return None if value == "" else value


def _same_sheets(got: Path, want: Path, skip: dict[str, set] = {}) -> None:  # noqa: B006
    """Every data sheet of ``got`` holds what ``want``'s holds: values and formulas, formats,
    merged cells, row heights, tables, conditional formats, print area, chart sources."""
    a = openpyxl.load_workbook(got, keep_vba=True)
    b = openpyxl.load_workbook(want, keep_vba=str(want).endswith(".xlsm"))
    for name in L.data_sheets():
        wa, wb_ = a[name], b[name]
        for key in sorted(set(wa._cells) | set(wb_._cells)):
            if key in skip.get(name, set()):
                continue
            ca, cb = wa.cell(*key), wb_.cell(*key)
            assert _normal(ca.value) == _normal(cb.value), (name, ca.coordinate)
            assert CellFormat.of(ca) == CellFormat.of(cb), (name, ca.coordinate)
        assert {str(m) for m in wa.merged_cells.ranges} == {str(m) for m in wb_.merged_cells.ranges}
        assert ({r: d.height for r, d in wa.row_dimensions.items() if d.height} ==
                {r: d.height for r, d in wb_.row_dimensions.items() if d.height}), name
        assert dict(wa.tables.items()) == dict(wb_.tables.items()), name

        def rules(ws):
            return sorted((r.priority, str(cf.sqref), r.operator, tuple(r.formula),
                           r.dxf.fill.bgColor.rgb, r.dxf.font.color.rgb)
                          for cf in ws.conditional_formatting for r in cf.rules)
        assert rules(wa) == rules(wb_), name
        assert wa.print_area == wb_.print_area, name
        for ca, cb in zip(wa._charts, wb_._charts, strict=True):
            assert [(s.val.numRef.f.replace("'", ""), s.cat.strRef.f.replace("'", "") if
                     s.cat.strRef else s.cat.numRef.f, s.tx.v) for s in ca.series] == \
                [(s.val.numRef.f.replace("'", ""), s.cat.strRef.f.replace("'", "") if
                  s.cat.strRef else s.cat.numRef.f, s.tx.v) for s in cb.series], name
            assert (ca.anchor.to.row, ca.anchor.to.rowOff) == (cb.anchor.to.row,
                                                               cb.anchor.to.rowOff), name


#: cells that differ between two runs by nature: when each was made, and (meta) where its
#: ledger and exports are
class _ArrivalColumns(set):
    """Status Pengiriman's arrival times: when each ledger first saw a file, which differs
    between the desk's ledger and the one of a fresh command-line run (1-based keys)."""

    def __contains__(self, key) -> bool:
        from xlkinerja.consolidation.recap_layout import StatusLayout as S

        columns = {S.block(q) + S.BLOCK_TIME + 1 for q in (1, 2, 3, 4)} | {S.F_SAVED + 1}
        return key[1] in columns and key[0] > S.header_bottom + 1


VOLATILE = {SHEET_RINGKASAN: {(L.info_row + 1, 1)},
            SHEET_META: {(5, 2), (6, 2), (9, 2)},
            "Status Pengiriman": _ArrivalColumns()}


def test_the_open_recap_is_what_the_command_line_writes(pressed):
    """Cell for cell; the row the user had made taller holds another OPD now and is back to
    its automatic height. Column widths are the same in every recap: the user's stays."""
    _same_sheets(pressed.saved, pressed.cli, skip=VOLATILE)
    ws = openpyxl.load_workbook(pressed.saved, keep_vba=True)[SHEET_RINGKASAN]
    assert ws.column_dimensions[col_letter(L.NAMA)].width == 60


def test_the_exports_are_refreshed_too(pressed):
    with (pressed.root / "rekap" / "csv" / "rincian_anggaran.csv").open(encoding="utf-8") as fh:
        codes = {row["kode_opd"] for row in csv.DictReader(fh)}
    assert codes == {"9.001", "9.002", "9.003", "9.004", "9.005"}


def test_fewer_opd_shrink_the_rows_the_tables_and_the_chart(xl, tmp_path, submissions):
    """A city of ten; one OPD's file withdrawn (it was sent to the wrong desk) and taken out of
    the folder: the recap loses its row, the long tables their rows, the chart a bar and its
    height; nothing is left below. (A file only taken out stays counted from the ledger's
    archive: tests/test_register_consolidate.py.)"""
    from xlkinerja.consolidation.ledger import Ledger
    from xlkinerja.consolidation.records import sha256_file

    recap = make_desk(tmp_path / "meja", submissions, opds=range(1, 11))
    wrong = tmp_path / "meja" / "masuk" / submissions.files[10].name
    ledger = Ledger(recap.with_name("rekap.ledger.sqlite"))
    ledger.withdraw(sha256_file(wrong), "2024-07-01T09:00:00+07:00", "Meja Perencanaan",
                    "salah alamat", wrong.name)
    ledger.close()
    wrong.unlink()
    book = engine.open_book(recap)
    chart = book.sheets[SHEET_GRAFIK].charts[L.OPD_CHART]
    assert chart.height == pytest.approx(L.opd_chart_height(10) * 0.75, abs=0.01)
    assert L.opd_chart_height(9) < L.opd_chart_height(10)
    book.close()
    book = press(recap)
    assert book.app.impl.alerts[-1]["prompt"].startswith("Konsolidasi selesai")
    saved = tmp_path / "disimpan.xlsm"
    book.impl.save(saved)
    cli = tmp_path / "cli" / "rekap.xlsx"
    consolidate([tmp_path / "meja" / "masuk"], ConsolidateOptions(
        output=cli, ledger=tmp_path / "cli" / "l.sqlite", pemda=PEMDA, progress=False))
    _same_sheets(saved, cli, skip=VOLATILE)
    wb = openpyxl.load_workbook(saved, keep_vba=True)
    assert list(ringkasan_rows(wb[SHEET_RINGKASAN])) == [f"9.{i:03d}" for i in range(1, 10)]
    assert wb[SHEET_RINGKASAN].max_row == L.senders_row(9) + 1
    chart = book.sheets[SHEET_GRAFIK].charts[L.OPD_CHART]
    assert chart.height == pytest.approx(L.opd_chart_height(9) * 0.75, abs=0.01)


# -- when it cannot run: a message, and nothing changed ------------------------------------------

def _runs(recap: Path) -> list | None:
    path = recap.with_name("rekap.ledger.sqlite")
    if not path.exists():
        return None
    ledger = Ledger(path)
    try:
        return ledger.runs()
    finally:
        ledger.close()


def _press_and_refuse(recap: Path, needles: list[str], before=None, after=None) -> xw.Book:
    """Press the button where it cannot run: a message that says why and what to do; the
    workbook's cells, its protection and the ledger as they were."""
    runs = _runs(recap)
    book = engine.open_book(recap)
    book.set_mock_caller()
    if before is not None:
        before(book)
    values, protection = cell_values(book), protection_snapshot(book)
    try:
        exec(runpython_commands(recap)["Konsolidasi"], {})
    finally:
        if after is not None:
            after()
    alert = book.app.impl.alerts[-1]
    assert alert["mode"] == "critical", alert["prompt"]
    for needle in needles:
        assert needle in alert["prompt"], alert["prompt"]
    assert "Traceback" not in alert["prompt"] and "Rekap tidak diubah" in alert["prompt"]
    assert cell_values(book) == values and protection_snapshot(book) == protection
    assert _runs(recap) == runs
    return book


def test_inputs_folder_no_longer_there(xl, tmp_path, submissions):
    recap = make_desk(tmp_path, submissions)
    (tmp_path / "masuk").rename(tmp_path / "masuk_lama")
    _press_and_refuse(recap, ["tidak ditemukan", str((tmp_path / "masuk").resolve()),
                              "xlkinerja consolidate"])


def test_no_files_in_the_inputs_folder(xl, tmp_path, submissions):
    recap = make_desk(tmp_path, submissions)
    for path in (tmp_path / "masuk").iterdir():
        path.unlink()
    _press_and_refuse(recap, ["tidak ada berkas .xlsx/.xlsm"])


@pytest.mark.parametrize("lock", ["EXCLUSIVE", "IMMEDIATE"])  # writing, about to write
def test_ledger_in_use(xl, tmp_path, submissions, monkeypatch, lock):
    recap = make_desk(tmp_path, submissions)
    deliver_the_week(tmp_path, submissions)
    monkeypatch.setattr(Ledger, "busy_timeout", 0.2)
    holder = sqlite3.connect(recap.with_name("rekap.ledger.sqlite"), isolation_level=None)

    def another_consolidation_is_writing(book):
        holder.execute(f"BEGIN {lock}")

    def done():
        holder.execute("ROLLBACK")
        holder.close()

    _press_and_refuse(recap, ["sedang dipakai", "Tunggu sampai selesai"],
                      before=another_consolidation_is_writing, after=done)


def test_ledger_gone(xl, tmp_path, submissions):
    recap = make_desk(tmp_path, submissions)
    recap.with_name("rekap.ledger.sqlite").unlink()
    _press_and_refuse(recap, ["ledger rekap ini tidak ditemukan"])
    assert not recap.with_name("rekap.ledger.sqlite").exists()  # no new, empty ledger


def test_damaged_record_of_the_recap(xl, tmp_path, submissions):
    recap = make_desk(tmp_path, submissions)

    def damage(book):
        meta = book.impl.wb[SHEET_META]
        row = next(r for r in range(1, 20) if meta.cell(r, 1).value == "inputs")
        meta.cell(row, 2).value = "bukan JSON"

    _press_and_refuse(recap, ["rusak atau tidak lengkap"], before=damage)


def test_validasi_in_a_recap_points_to_konsolidasi(xl, tmp_path, submissions):
    recap = make_desk(tmp_path, submissions)
    book = engine.open_book(recap)
    book.set_mock_caller()
    values = cell_values(book)
    button.validasi()  # the recap has no Validasi button; the macro can still be run (Alt+F8)
    prompt = book.app.impl.alerts[-1]["prompt"]
    assert "adalah rekap, bukan formulir OPD" in prompt and "Konsolidasi" in prompt
    assert cell_values(book) == values


# -- the engine behaves like Excel where the recap depends on it ---------------------------------

def test_engine_refuses_table_chart_and_format_changes_on_protected_sheets(xl, tmp_path,
                                                                          submissions):
    recap = make_desk(tmp_path, submissions)
    book = engine.open_book(recap)
    rincian, grafik = book.sheets[SHEET_RINCIAN], book.sheets[SHEET_GRAFIK]
    table = rincian.tables["RincianAnggaran"]
    with pytest.raises(engine.ExcelError, match="protected"):
        table.resize(rincian.range("A4:J10"))
    chart = grafik.charts[L.OPD_CHART]
    with pytest.raises(engine.ExcelError, match="protected"):
        chart.set_source_data(book.sheets[SHEET_RINGKASAN].range("J5:J6"))
    with pytest.raises(engine.ExcelError, match="protected"):
        rincian.range("A1:B2").unmerge()
    with pytest.raises(engine.ExcelError, match="protected"):
        rincian.range("A5").clear_formats()
    rincian.api.Unprotect("")
    with pytest.raises(engine.ExcelError, match="header row"):
        table.resize(rincian.range("A5:J10"))
    with pytest.raises(engine.ExcelError, match="merged"):
        rincian.range("A1:C1").clear()  # part of the merged title


def test_engine_stores_typed_text_as_excel_does(xl, tmp_path, submissions):
    recap = make_desk(tmp_path, submissions)
    book = engine.open_book(recap)
    sheet = book.sheets[SHEET_RINGKASAN]
    sheet.api.Unprotect("")
    cells = sheet.range("T1:T5")
    cells.value = [["9.010"], ["'9.010"], ["TRUE"], ["=1+1"], ["Dinas"]]
    ws = book.impl.wb[SHEET_RINGKASAN]
    assert [ws[f"T{r}"].value for r in range(1, 6)] == [9.01, "9.010", True, "=1+1", "Dinas"]
    sheet.range("U1").number_format = "@"
    sheet.range("U1").value = "9.010"
    assert ws["U1"].value == "9.010"


def test_apply_image_carries_every_part_onto_another_sheet(xl, tmp_path):
    """sheetimage on its own: formats the recap does not use (a border on some sides only, a
    font colour, a row height that goes away), and what the sheet had before (a value beyond
    the new extent, a merged area, a conditional format outside the used cells, a print area)
    does not survive."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from xlkinerja.desk.sheetimage import apply_image, read_images

    src = openpyxl.Workbook()
    ws = src.active
    ws.title = "Data"
    ws["A1"] = "Judul"
    ws["A1"].font = Font(name="Arial", sz=12, b=True, i=True, color="FFC00000")
    ws["A1"].fill = PatternFill("solid", fgColor="FFFFFF00")
    ws.merge_cells("A1:C1")
    ws["A2"] = "9.010"
    ws["A2"].number_format = "@"
    ws["B2"] = 1234.5
    ws["B2"].number_format = "#,##0.00"
    ws["B2"].alignment = Alignment(horizontal="right", vertical="top", wrap_text=True)
    ws["C2"] = "=B2*2"
    ws["A3"] = "-Dinas"
    ws["A3"].border = Border(left=Side(style="thin"), bottom=Side(style="medium"))
    ws.row_dimensions[2].height = 30
    ws.conditional_formatting.add("A2:A3", CellIsRule(operator="equal", formula=['"x"'],
                                                      fill=PatternFill(bgColor="FFC6EFCE")))
    src.save(tmp_path / "baru.xlsx")

    old = openpyxl.Workbook()
    ws = old.active
    ws.title = "Data"
    ws["D10"] = "lama"  # below the new extent
    ws["E2"] = "lama"  # right of it
    ws["E5"] = "gabung"
    ws.merge_cells("E5:F5")
    ws["B2"].font = Font(b=True)
    ws.row_dimensions[3].height = 50
    ws.conditional_formatting.add("Z1:Z50", CellIsRule(operator="equal", formula=['"y"'],
                                                       fill=PatternFill(bgColor="FFFFC7CE")))
    ws.print_area = "A1:F10"
    old.save(tmp_path / "lama.xlsx")

    book = engine.open_book(tmp_path / "lama.xlsx")
    (image,) = read_images(tmp_path / "baru.xlsx", ["Data"]).values()
    apply_image(image, book.sheets["Data"])
    book.impl.save(tmp_path / "hasil.xlsx")

    got = openpyxl.load_workbook(tmp_path / "hasil.xlsx")["Data"]
    want = openpyxl.load_workbook(tmp_path / "baru.xlsx")["Data"]
    for key in set(got._cells) | set(want._cells):
        a, b = got.cell(*key), want.cell(*key)
        assert (a.value, CellFormat.of(a)) == (b.value, CellFormat.of(b)), a.coordinate
    assert got["A2"].value == "9.010" and got["A3"].value == "-Dinas"  # text, as written
    assert {str(m) for m in got.merged_cells.ranges} == {"A1:C1"}
    assert {r: d.height for r, d in got.row_dimensions.items() if d.height} == {2: 30}
    assert [(str(cf.sqref), r.formula) for cf in got.conditional_formatting for r in cf.rules] \
        == [("A2:A3", ['"x"'])]
    assert not got.print_area


def test_a_failure_halfway_restores_protection_and_pressing_again_mends_it(xl, tmp_path,
                                                                           submissions,
                                                                           monkeypatch):
    from xlkinerja.desk import sheetimage

    recap = make_desk(tmp_path, submissions)
    deliver_the_week(tmp_path, submissions)
    book = engine.open_book(recap)
    book.set_mock_caller()
    before = protection_snapshot(book)
    apply_image, done = sheetimage.apply_image, []

    def excel_refuses_the_third_sheet(image, sheet):
        if len(done) == 2:
            raise engine.ExcelError("Microsoft Excel tidak dapat melakukan ini")
        done.append(image.name)
        apply_image(image, sheet)

    monkeypatch.setattr(sheetimage, "apply_image", excel_refuses_the_third_sheet)
    button.konsolidasi()
    alert = book.app.impl.alerts[-1]
    assert alert["mode"] == "critical" and "kesalahan internal" in alert["prompt"]
    assert "Traceback" not in alert["prompt"]
    assert protection_snapshot(book) == before

    monkeypatch.setattr(sheetimage, "apply_image", apply_image)
    button.konsolidasi()
    assert book.app.impl.alerts[-1]["prompt"].startswith("Konsolidasi selesai")
    assert protection_snapshot(book) == before
    book.impl.save(tmp_path / "disimpan.xlsm")
    cli = tmp_path / "cli" / "rekap.xlsx"
    consolidate([tmp_path / "masuk"], ConsolidateOptions(
        output=cli, ledger=tmp_path / "cli" / "l.sqlite", pemda=PEMDA, progress=False))
    _same_sheets(tmp_path / "disimpan.xlsm", cli, skip=VOLATILE)


def test_a_recap_too_long_for_its_tables_is_left_as_it_is(xl, tmp_path, submissions,
                                                         monkeypatch):
    """Beyond the row limit the long tables go to the exports only: the open recap, which has
    them as Excel tables, cannot be rewritten in place; the button says so."""
    from xlkinerja.consolidation import recap as recap_module

    recap = make_desk(tmp_path, submissions)
    deliver_the_week(tmp_path, submissions)
    monkeypatch.setattr(recap_module, "MAX_XLSX_LONG_CELLS", 10)
    book = engine.open_book(recap)
    book.set_mock_caller()
    values, protection = cell_values(book), protection_snapshot(book)
    button.konsolidasi()
    prompt = book.app.impl.alerts[-1]["prompt"]
    assert "tabel di sheet 'Rincian Anggaran'" in prompt and "Rekap tidak diubah" in prompt
    assert "xlkinerja consolidate" in prompt and "Traceback" not in prompt
    assert cell_values(book) == values and protection_snapshot(book) == protection


def test_cli_xlsm_recap_without_the_button_extra_says_so_before_reading(tmp_path, submissions,
                                                                        monkeypatch, capsys):
    from xlkinerja import cli
    from xlkinerja.workbook import vba

    def missing(module):
        raise vba.ButtonExtraMissing(f"({module} tidak terpasang) pip install "
                                     "\"xlkinerja[button]\"")

    monkeypatch.setattr(vba, "_require", missing)
    masuk = tmp_path / "masuk"
    masuk.mkdir()
    shutil.copy2(submissions.files[1], masuk)
    assert cli.main(["consolidate", str(masuk), "-o", str(tmp_path / "rekap.xlsm")]) == 1
    assert "xlkinerja[button]" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["masuk"]  # no recap, no ledger
