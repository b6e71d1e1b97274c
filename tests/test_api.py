"""The public API (``import xlkinerja as xk``): cheap to import, figures equal consolidation's,
errors the library's own with Indonesian messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import xlkinerja as xk
from people import Cells, edited
from xlkinerja.workbook import calc

HEAVY = ("pandas", "openpyxl", "xlsxwriter", "python_calamine", "xlkinerja.api")


def test_import_is_cheap():
    code = ("import sys, xlkinerja; heavy = [m for m in %r if m in sys.modules]; "
            "print(','.join(heavy)); xlkinerja.read; "
            "print('api' if 'xlkinerja.api' in sys.modules else '')" % (HEAVY,))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    before, after = proc.stdout.splitlines()
    assert before == ""  # nothing heavy, not even the API module, until a name is used
    assert after == "api"


def test_public_names():
    for name in xk.__all__:
        assert getattr(xk, name) is not None, name
    assert "read" in dir(xk) and "budget_frame" in dir(xk.Submission)
    with pytest.raises(AttributeError):
        xk.no_such_thing  # noqa: B018
    assert xk.BUDGET_COLUMNS[-2:] == ["realisasi", "persen"]


def test_read_gives_identity_entries_findings_and_frames(filled_xlsx, form, entries):
    sub = xk.read(filled_xlsx)
    assert (sub.opd_code, sub.opd_name, sub.year) == (form.opd_code, form.opd_name, form.year)
    assert sub.filled_quarters == [q for q in (1, 2, 3, 4) if entries.get(q) and
                                   (entries[q].budget or entries[q].indikator)]
    assert sub.ok and not sub.errors
    leaf = form.leaves()[0]
    assert sub.entries[1].budget[leaf.id].realisasi == entries[1].budget[leaf.id].realisasi

    budget = sub.budget_frame()
    assert list(budget.columns) == xk.BUDGET_COLUMNS
    assert len(budget) == len(list(form.budget_rows())) * len(sub.filled_quarters)
    for q in sub.filled_quarters:
        figs = calc.budget_figures(form, entries[q], q)
        tw = budget[budget.triwulan == f"TW {['', 'I', 'II', 'III', 'IV'][q]}"]
        for row in tw.itertuples():
            fig = figs[row.id]
            assert row.pagu == fig.pagu
            if fig.realisasi is None:
                assert pd.isna(row.realisasi)
            else:
                assert row.realisasi == pytest.approx(fig.realisasi)
                assert row.persen == pytest.approx(fig.percent)
    levels = set(budget.tingkat)
    assert {"Program", "Kegiatan", "Sub Kegiatan"} <= levels

    indicators = sub.indicator_frame()
    assert list(indicators.columns) == xk.INDICATOR_COLUMNS
    assert list(indicators.id) == [i.id for _, i in form.indicators()]


def test_seed_figures_are_the_domains(tmp_path):
    """The bundled example: Program Pemerintahan dan Kesejahteraan Rakyat, TW I, as the seed
    document has it (pagu 25.338.739.129, realisasi 4.497.357.736, 17,75 %)."""
    from xlkinerja.workbook.generate import write_demo

    write_demo(tmp_path)
    sub = xk.read(next(tmp_path.glob("*_formulir_terisi.xlsx")))
    row = sub.budget_frame().query("triwulan == 'TW I' and kode == '4.01.02'").iloc[0]
    assert row.pagu == 25_338_739_129
    assert row.realisasi == 4_497_357_736
    assert round(row.persen * 100, 2) == 17.75


def test_a_wrong_entry_is_a_finding_and_not_counted(tmp_path, filled_xlsx, form):
    leaf = form.leaves()[0]
    cell = Cells(form).realisasi(leaf.name)
    bad = edited(filled_xlsx, tmp_path / "teks.xlsx",
                 lambda wb: wb["TW I"].__setitem__(cell, "4,5 juta"))
    sub = xk.read(bad)
    assert not sub.ok and [f.code for f in sub.errors] == ["ENTRY_NOT_NUMBER"]
    assert sub.errors[0].cell == cell and sub.errors[0].sheet == "TW I"
    row = sub.budget_frame().query("triwulan == 'TW I' and id == @leaf.id").iloc[0]
    assert pd.isna(row.realisasi)
    frame = sub.findings_frame()
    assert "ENTRY_NOT_NUMBER" in set(frame.code)


def test_unreadable_files_raise_the_librarys_error(tmp_path):
    (tmp_path / "tabel.xlsx").write_text("kode;nama\n1;a\n", encoding="utf-8")
    with pytest.raises(xk.UnreadableWorkbook) as exc:
        xk.read(tmp_path / "tabel.xlsx")
    assert "tabel.xlsx" in str(exc.value) and "CSV" in str(exc.value)
    assert [f.code for f in exc.value.findings] == ["FILE_CSV"]
    with pytest.raises(xk.XlkinerjaError, match="tidak ditemukan"):
        xk.read(tmp_path / "hilang.xlsx")
    # validate never raises for a bad file: it is a report
    reports = xk.validate(tmp_path)
    assert [r.file for r in reports] == ["tabel.xlsx"] and reports[0].has_errors


def test_spec_master_and_ledger_errors(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("format: xlkinerja-spec/1\nopd: {code: '4.01'}\nyear: dua ribu\n",
                    encoding="utf-8")
    with pytest.raises(xk.SpecError) as exc:
        xk.load_spec(spec)
    assert "spec.yaml" in str(exc.value) and exc.value.problems
    with pytest.raises(xk.XlkinerjaError, match="tidak dapat dibaca|tidak ditemukan"):
        xk.load_spec(tmp_path / "tidak-ada.yaml")
    with pytest.raises(xk.XlkinerjaError, match="master tidak ditemukan"):
        xk.load_master(tmp_path / "master.xlsx")
    with pytest.raises(xk.XlkinerjaError, match="ledger tidak ditemukan"):
        xk.open_ledger(tmp_path / "rekap.ledger.sqlite")
    with pytest.raises(xk.XlkinerjaError, match=".xlsx atau .xlsm"):
        xk.write(xk.load_master(_seed_master(tmp_path))["4.01"], tmp_path / "formulir.pdf")


def _seed_master(tmp_path: Path) -> Path:
    from xlkinerja.workbook.generate import write_seed_master

    return write_seed_master(tmp_path / "master.xlsx")


def test_master_write_and_read_back(tmp_path, entries):
    forms = xk.load_master(_seed_master(tmp_path))
    assert list(forms) == ["4.01"]
    out = xk.write(forms["4.01"], tmp_path / "formulir.xlsx", entries=entries)
    back = xk.read(out)
    assert back.opd_code == "4.01" and back.ok


def test_a_master_with_a_problem_names_sheet_and_cell(tmp_path):
    import openpyxl

    path = _seed_master(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Anggaran"]
    for row in ws.iter_rows(min_row=1, max_row=12):
        for c in row:
            if isinstance(c.value, (int, float)) and c.value > 1000:
                c.value = "banyak"
                where = c.coordinate
                break
        else:
            continue
        break
    wb.save(path)
    with pytest.raises(xk.SpecError) as exc:
        xk.load_master(path)
    assert f"Anggaran!{where}" in str(exc.value)


def test_consolidate_and_the_ledger_frames_equal_the_exports(tmp_path, filled_xlsx, form):
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(filled_xlsx.read_bytes())
    leaf = form.leaves()[0]
    edited(filled_xlsx, inbox / "b.xlsx", lambda wb: wb["TW I"].__setitem__(
        Cells(form).realisasi(leaf.name), -5))  # an error: still read, the row not counted
    summary = xk.consolidate(inbox, tmp_path / "rekap.xlsx", csv_dir=tmp_path / "csv", jobs=1)
    assert summary.n_files == 2
    with xk.open_ledger(summary.ledger) as ledger:
        budget, indicators = ledger.budget_frame(), ledger.indicator_frame()
        assert list(ledger.runs_frame().run) == [1]
        assert set(ledger.history_frame().name) == {"a.xlsx", "b.xlsx"}
    exported = pd.read_csv(tmp_path / "csv" / "rincian_anggaran.csv", dtype={"kode": str})
    assert list(exported.columns) == xk.BUDGET_COLUMNS == list(budget.columns)
    assert len(exported) == len(budget) > 0
    for col in ("id", "triwulan", "tingkat"):
        assert list(exported[col]) == list(budget[col])
    for col in ("pagu", "realisasi", "persen"):
        pd.testing.assert_series_equal(exported[col].astype(float), budget[col].astype(float))
    # the file with the negative amount is the later one: its row is not counted
    assert pd.isna(budget.query("triwulan == 'TW I' and id == @leaf.id").realisasi.iloc[0])
    assert len(indicators) == len(list(form.indicators()))


def test_consolidate_errors(tmp_path):
    with pytest.raises(xk.XlkinerjaError, match="tidak ditemukan"):
        xk.consolidate(tmp_path / "tidak-ada", tmp_path / "rekap.xlsx")
    with pytest.raises(xk.XlkinerjaError, match=".xlsx atau .xlsm"):
        xk.consolidate(tmp_path, tmp_path / "rekap.csv")
