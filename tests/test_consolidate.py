"""Consolidation of a city: 40 synthetic OPD x 4 quarters, generated and filled as people do.

Every total in the recap is compared with sums computed independently from the fill data. The
scenarios a finance desk meets are covered: a resubmission, a conflict between two versions of a
form, broken files mixed in, an incremental re-run, and an interrupted run.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import lo
from xlkinerja.consolidation import ConsolidateOptions, consolidate
from xlkinerja.consolidation.ledger import Ledger
from xlkinerja.consolidation.recap import RecapLayout
from xlkinerja.consolidation.recap_layout import RINCIAN
from xlkinerja.consolidation.run import neutralise
from xlkinerja.testing import fill_like_a_person, synthetic_entries, synthetic_form
from xlkinerja.workbook.writer import write_workbook

N_OPD = 40


def _form(i):
    form = synthetic_form(i, programs=2, kegiatan=3, subs=3, indicators=4)
    if i == 40:  # a name a spreadsheet would run as a formula, to prove CSV neutralisation
        form.opd_name = "-Dinas Sintetis 040"
    return form


def _make_opd(args):
    i, root = args
    form = _form(i)
    entries = synthetic_entries(form)
    blank = write_workbook(form, root / "kosong" / f"{form.opd_code}.xlsx")
    for q in (1, 2, 3, 4):
        out = root / "masuk" / f"tw{q}" / f"{form.opd_code}_TW{q}.xlsx"
        out.parent.mkdir(parents=True, exist_ok=True)
        fill_like_a_person(blank, out, form, entries, list(range(1, q + 1)))
        # each quarter was sent later than the one before
        when = time.mktime((2024, 3 * q + 1, 10, 9, 0, 0, 0, 0, -1)) + i * 60
        os.utime(out, (when, when))
    return i


@pytest.fixture(scope="session")
def city(tmp_path_factory):
    root = tmp_path_factory.mktemp("kota")
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_make_opd, [(i, root) for i in range(1, N_OPD + 1)]))
    forms = {f.opd_code: f for f in (_form(i) for i in range(1, N_OPD + 1))}
    entries = {code: synthetic_entries(f) for code, f in forms.items()}
    return root, forms, entries


def expected(forms, entries):
    """Sums computed from the fill data alone: pagu, realisasi per quarter, per OPD and city."""
    out = {}
    for code, form in forms.items():
        pagu = sum(leaf.own_pagu for leaf in form.leaves())
        tw = [sum(e.realisasi for e in entries[code][q].budget.values()) for q in (1, 2, 3, 4)]
        out[code] = {"pagu": pagu, "tw": tw, "year": sum(tw)}
    return out


def ringkasan(path: Path) -> dict:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Ringkasan").to_python()
    L = RecapLayout
    out = {}
    for row in rows[L.first_row:]:
        if not row[L.KODE]:
            break
        out[row[L.KODE]] = {"pagu": row[L.PAGU], "tw": [row[c] for c in L.TW], "year": row[L.TOTAL],
                            "pct": row[L.PERSEN], "status": row[L.STATUS], "name": row[L.NAMA]}
    total = rows[L.first_row + len(out)]
    out["_total"] = {"pagu": total[L.PAGU], "tw": [total[c] for c in L.TW], "year": total[L.TOTAL]}
    return out


@pytest.fixture(scope="session")
def first_run(city, tmp_path_factory):
    root, forms, entries = city
    out = tmp_path_factory.mktemp("rekap")
    summary = consolidate([root / "masuk"], ConsolidateOptions(
        output=out / "rekap.xlsx", csv_dir=out / "csv", parquet=out / "rekap.parquet", pemda="Kota Sintetis"))
    return out, summary


def test_every_total_matches_the_fill_data(city, first_run):
    root, forms, entries = city
    out, summary = first_run
    assert summary.n_files == 160 and summary.statuses == {"diterima": 160}
    assert summary.n_opd == 40 and summary.quarter == 4 and summary.year == 2024
    want = expected(forms, entries)
    got = ringkasan(out / "rekap.xlsx")
    for code, w in want.items():
        g = got[code]
        assert g["pagu"] == w["pagu"] and g["tw"] == w["tw"] and g["year"] == w["year"], code
        assert g["pct"] == pytest.approx(w["year"] / w["pagu"])
        assert g["status"] == "lengkap"
    city_tw = [sum(w["tw"][i] for w in want.values()) for i in range(4)]
    assert got["_total"]["pagu"] == sum(w["pagu"] for w in want.values())
    assert got["_total"]["tw"] == city_tw and got["_total"]["year"] == sum(city_tw)


def test_long_tables_and_exports(city, first_run):
    root, forms, entries = city
    out, _ = first_run
    wb = CalamineWorkbook.from_path(str(out / "rekap.xlsx"))
    rincian = wb.get_sheet_by_name("Rincian Anggaran").to_python()
    header_at = next(i for i, r in enumerate(rincian) if r[0] == "Kode OPD")
    body = [r for r in rincian[header_at + 1:] if r[0]]
    n_rows = sum(len(f.budget_rows()) for f in forms.values()) * 4
    assert len(body) == n_rows
    leaf_sum = {}
    for r in body:
        code, ident, tw, real = (r[RINCIAN.col(k)] for k in ("kode_opd", "id", "triwulan",
                                                              "realisasi"))
        if ident in {leaf.id for leaf in forms[code].leaves()}:
            leaf_sum[(code, tw)] = leaf_sum.get((code, tw), 0) + real
    for code, e in entries.items():
        for q, roman in zip((1, 2, 3, 4), ("I", "II", "III", "IV")):
            assert leaf_sum[(code, f"TW {roman}")] == sum(b.realisasi for b in e[q].budget.values())

    with (out / "csv" / "rincian_anggaran.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == n_rows
    minus = [r for r in rows if r["kode_opd"] == "9.040"]
    assert minus and all(r["nama_opd"] == "'-Dinas Sintetis 040" for r in minus)  # neutralised
    import pandas as pd

    table = pd.read_parquet(out / "rekap.parquet")
    assert len(table) == n_rows
    leaves = table[table["tingkat"] == "Sub Kegiatan"]
    total = sum(sum(b.realisasi for b in e[q].budget.values()) for e in entries.values() for q in (1, 2, 3, 4))
    assert leaves["realisasi"].sum() == total
    ind = pd.read_parquet(out / "rekap_indikator.parquet")
    assert len(ind) == 40 * 4 and set(ind["predikat"].dropna()) <= {
        "Sangat Tinggi", "Tinggi", "Sedang", "Rendah", "Sangat Rendah"}


def test_recap_is_protected_with_formulas_tables_and_charts(first_run):
    out, _ = first_run
    wb = openpyxl.load_workbook(out / "rekap.xlsx")
    assert wb.sheetnames == ["Ringkasan", "Status Pengiriman", "Rincian Anggaran", "Indikator",
                             "Tidak Dihitung", "Temuan Validasi", "Grafik", "Pembanding",
                             "_xlkinerja"]
    assert wb.security.lockStructure
    assert all(ws.protection.sheet for ws in wb.worksheets)
    ws = wb["Ringkasan"]
    L = RecapLayout
    t = L.total_row(40) + 1
    assert ws.cell(t, L.PAGU + 1).value.startswith("=SUM(")
    assert ws.cell(L.first_row + 1, L.TOTAL + 1).value.startswith("=IF(COUNT(")
    assert "RincianAnggaran" in wb["Rincian Anggaran"].tables
    assert wb["Rincian Anggaran"].protection.autoFilter is False  # filtering allowed
    assert len(wb["Grafik"]._charts) == 2
    status = wb["Status Pengiriman"]
    values = {c.value for row in status.iter_rows(min_row=6, max_row=45, min_col=4, max_col=15) for c in row}
    assert "diterima" in values and "belum" not in values and "ditolak" not in values


@pytest.mark.libreoffice
def test_recap_formulas_compute_in_a_spreadsheet_engine(city, first_run, soffice, tmp_path):
    root, forms, entries = city
    out, _ = first_run
    recalculated = lo.recalculate([out / "rekap.xlsx"], tmp_path, soffice=soffice)[0]
    got = ringkasan(recalculated)
    want = expected(forms, entries)
    city_tw = [sum(w["tw"][i] for w in want.values()) for i in range(4)]
    assert got["_total"]["tw"] == city_tw and got["_total"]["year"] == sum(city_tw)


# -- the desk's week: resubmission, conflict, broken files, re-runs ----------------------------------

@pytest.fixture(scope="session")
def busy_week(city, tmp_path_factory):
    """The city folder plus: OPD 9.005 corrects TW II, OPD 9.007 also sends an outdated form,
    and three broken files."""
    root, forms, entries = city
    week = tmp_path_factory.mktemp("minggu")
    shutil.copytree(root / "masuk", week / "masuk")
    inbox = week / "masuk" / "perbaikan"
    inbox.mkdir()
    # 9.005: TW II again, one amount corrected, arriving after its TW IV file (order is arrival:
    # within one run the file's time on disk, never the workbook's own "last saved")
    form5 = forms["9.005"]
    corrected = copy.deepcopy(entries["9.005"])
    leaf = form5.leaves()[0]
    corrected[2].budget[leaf.id].realisasi += 1_000_000
    fixed = fill_like_a_person(root / "kosong" / "9.005.xlsx", inbox / "9.005_TW2_perbaikan.xlsx",
                               form5, corrected, [1, 2])
    later = time.mktime((2025, 1, 20, 9, 0, 0, 0, 0, -1))
    os.utime(fixed, (later, later))
    # 9.007: a TW III file on an outdated version of its form (another pagu), generated earlier
    old7 = copy.deepcopy(forms["9.007"])
    old7.leaves()[1].own_pagu += 5_000_000
    old_blank = write_workbook(old7, week / "lama" / "9.007.xlsx",
                               generated_at=dt.datetime(2023, 12, 1, 8, 0))
    fill_like_a_person(old_blank, inbox / "9.007_TW3_formulir_lama.xlsx", old7, entries["9.007"], [1, 2, 3])
    # broken ones
    (inbox / "kosong.xlsx").write_bytes(b"")
    (inbox / "dari_aplikasi.xlsx").write_text("kode;realisasi\n4.01;100\n", encoding="utf-8")
    good = (root / "masuk" / "tw1" / "9.001_TW1.xlsx").read_bytes()
    (inbox / "terpotong.xlsx").write_bytes(good[: len(good) // 2])
    corrected_sums = expected(forms, {**entries, "9.005": corrected})
    return week, corrected_sums, leaf


@pytest.fixture(scope="session")
def week_run(busy_week):
    week, _, _ = busy_week
    out = week / "rekap"
    inputs = sorted((week / "masuk").rglob("*"))
    before = {p: _digest(p) for p in inputs if p.is_file()}
    summary = consolidate([week / "masuk"], ConsolidateOptions(output=out / "rekap.xlsx"))
    after = {p: _digest(p) for p in sorted((week / "masuk").rglob("*")) if p.is_file()}
    assert after == before  # inputs are never modified, nothing is added beside them
    return out, summary


def test_resubmission_conflict_and_broken_files(busy_week, week_run):
    week, want, leaf = busy_week
    out, summary = week_run
    assert summary.n_files == 165
    assert summary.statuses == {"diterima": 160, "digantikan": 1, "konflik": 1, "ditolak": 3}
    got = ringkasan(out / "rekap.xlsx")
    for code, w in want.items():  # 9.005's TW II is the corrected one; 9.007 not merged
        assert got[code]["tw"] == w["tw"], code
    assert got["9.007"]["status"] == "konflik" and got["9.005"]["status"] == "lengkap"

    ledger = Ledger(out / "rekap.ledger.sqlite")
    rows = {r.name: r for r in ledger.history()}
    ledger.close()
    old = rows["9.005_TW2.xlsx"]
    assert old.status == "digantikan" and old.superseded_by == "9.005_TW2_perbaikan.xlsx"
    assert "1 isian berubah" in old.note and leaf.name in old.note
    assert rows["9.007_TW3_formulir_lama.xlsx"].status == "konflik"
    assert "pagu" in rows["9.007_TW3_formulir_lama.xlsx"].note
    for name in ("kosong.xlsx", "dari_aplikasi.xlsx", "terpotong.xlsx"):
        assert rows[name].status == "ditolak"

    temuan = CalamineWorkbook.from_path(str(out / "rekap.xlsx")).get_sheet_by_name("Temuan Validasi").to_python()
    codes = {r[6] for r in temuan}
    assert {"CONSOLIDATE_SUPERSEDED", "CONSOLIDATE_CONFLICT", "FILE_EMPTY", "FILE_CSV", "FILE_CORRUPT"} <= codes
    archived = list((out / "rekap.ledger.sqlite.arsip").rglob("*.xlsx"))
    assert len(archived) == 160  # every accepted version, by content

    proc = subprocess.run([sys.executable, "-m", "xlkinerja", "ledger", str(out / "rekap.ledger.sqlite")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "digantikan oleh 9.005_TW2_perbaikan.xlsx" in proc.stdout


def test_incremental_rerun_reads_only_new_files(busy_week, week_run):
    week, want, _ = busy_week
    out, first = week_run
    before = ringkasan(out / "rekap.xlsx")
    again = consolidate([week / "masuk"], ConsolidateOptions(output=out / "rekap.xlsx"))
    assert again.n_read == 0 and again.n_reused == 165
    assert ringkasan(out / "rekap.xlsx") == before
    assert again.statuses == first.statuses
    # one more file arrives: only it is read
    extra = week / "masuk" / "perbaikan" / "9.012_TW4_salinan.xlsx"
    shutil.copyfile(week / "masuk" / "tw4" / "9.012_TW4.xlsx", extra)
    wb = openpyxl.load_workbook(extra)
    wb.properties.title = "dikirim ulang"
    wb.save(extra)
    third = consolidate([week / "masuk"], ConsolidateOptions(output=out / "rekap.xlsx"))
    assert third.n_read == 1 and third.n_reused == 165
    extra.unlink()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_interrupted_run_leaves_previous_recap_and_ledger(busy_week, week_run):
    week, _, _ = busy_week
    out, _ = week_run
    recap, ledger_path = out / "rekap.xlsx", out / "rekap.ledger.sqlite"
    before_recap = _digest(recap)
    ledger = Ledger(ledger_path)
    before_rows = [tuple(vars(r).values()) for r in ledger.history(all_runs=True)]
    before_runs = ledger.runs()
    ledger.close()
    # checking formulas changes the reading rules: every file is read again, slowly enough to stop
    proc = subprocess.Popen([sys.executable, "-m", "xlkinerja", "consolidate", str(week / "masuk"),
                             "-o", str(recap), "--periksa-rumus", "--jobs", "1", "--progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        seen += os.read(proc.stderr.fileno(), 200).decode(errors="ignore")
        done = [int(n) for n in re.findall(r"Membaca berkas (\d+)/", seen)]
        if done and max(done) >= 5:
            break
    assert proc.poll() is None, "the run ended before it could be interrupted: " + seen[-300:]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert _digest(recap) == before_recap
    ledger = Ledger(ledger_path)  # a hot journal, if any, is rolled back here
    assert [tuple(vars(r).values()) for r in ledger.history(all_runs=True)] == before_rows
    assert ledger.runs() == before_runs
    ledger.close()
    # and the next complete run works
    summary = consolidate([week / "masuk"], ConsolidateOptions(output=recap))
    assert summary.statuses["diterima"] == 160


def test_csv_neutralisation():
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralise("+62 812") == "'+62 812" and neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-5") == "'-5" and neutralise(-5) == -5 and neutralise("Dinas") == "Dinas"


def test_cli_consolidate_summary_and_exit(city, tmp_path):
    root, _, _ = city
    proc = subprocess.run([sys.executable, "-m", "xlkinerja", "consolidate", str(root / "masuk" / "tw1"),
                           "-o", str(tmp_path / "tw1.xlsx")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "40 perangkat daerah (40 lengkap)" in proc.stdout and "40 berkas: 40 diterima" in proc.stdout
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "xlkinerja", "consolidate", str(tmp_path / "tidak_ada"),
                           "-o", str(tmp_path / "x.xlsx")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "tidak ditemukan" in proc.stderr


def test_missing_opd_from_expected_list(city, tmp_path):
    root, _, _ = city
    daftar = tmp_path / "opd.csv"
    daftar.write_text("kode;nama\n9.001;Dinas Sintetis 001\n9.999;Badan Yang Belum Mengirim\n", encoding="utf-8")
    summary = consolidate([root / "masuk" / "tw1"], ConsolidateOptions(
        output=tmp_path / "r.xlsx", expected_opds={"9.999": "Badan Yang Belum Mengirim"}))
    assert summary.opd_statuses == {"lengkap": 40, "belum mengirim": 1}
    got = ringkasan(tmp_path / "r.xlsx")
    assert got["9.999"]["status"] == "belum mengirim" and got["9.999"]["year"] in (None, "")


def test_a_long_table_too_big_for_excel_goes_to_the_exports_only(city, tmp_path, monkeypatch):
    """Beyond a cell budget (XlsxWriter holds every cell in memory until it writes) a long sheet
    keeps a message instead of its table; the summary says where the table is, or how to get it."""
    from xlkinerja.cli import format_run_summary
    from xlkinerja.consolidation import recap

    root, forms, _ = city
    n_rincian = sum(len(f.budget_rows()) for f in forms.values()) * 4  # 4,160 rows x 10 columns
    n_indikator = sum(len(f.indicators()) for f in forms.values())  # 160 rows x 16 columns
    monkeypatch.setattr(recap, "MAX_XLSX_LONG_CELLS", 10_000)
    assert n_indikator * len(recap.INDIKATOR_HEADERS) <= 10_000 < n_rincian * len(recap.RINCIAN_HEADERS)

    summary = consolidate([root / "masuk" / "tw4"], ConsolidateOptions(output=tmp_path / "a" / "rekap.xlsx"))
    assert summary.exports_only == [("Rincian Anggaran", n_rincian, False)]
    text = format_run_summary(summary)
    assert (f"Sheet Rincian Anggaran: {n_rincian:,} baris".replace(",", ".") in text
            and "jalankan ulang dengan --csv FOLDER atau --parquet BERKAS" in text), text
    wb = openpyxl.load_workbook(tmp_path / "a" / "rekap.xlsx")
    rincian, indikator = wb["Rincian Anggaran"], wb["Indikator"]
    assert not rincian.tables and rincian.max_row == 4
    assert rincian["A4"].value.startswith(f"{n_rincian:,}".replace(",", ".") + " baris terlalu banyak")
    assert "--csv FOLDER" in rincian["A4"].value
    assert len(indikator.tables) == 1 and indikator.max_row == 4 + n_indikator

    summary = consolidate([root / "masuk" / "tw4"], ConsolidateOptions(
        output=tmp_path / "b" / "rekap.xlsx", csv_dir=tmp_path / "b" / "csv"))
    assert summary.exports_only == [("Rincian Anggaran", n_rincian, True)]
    assert "Sheet Rincian Anggaran" in format_run_summary(summary) and "tabelnya ada di ekspor" in \
        format_run_summary(summary)
    with (tmp_path / "b" / "csv" / "rincian_anggaran.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == n_rincian


def test_the_long_table_budget_is_counted_in_cells():
    from xlkinerja.consolidation.recap import MAX_XLSX_LONG_CELLS, sheets_in_exports_only

    assert MAX_XLSX_LONG_CELLS == 2_000_000
    # Rincian Anggaran has 13 columns (pagu murni, perubahan and in force, the basis): 153,846 rows
    assert sheets_in_exports_only(153_846, 125_000, 250_000) == []
    assert sheets_in_exports_only(153_847, 125_001, 250_001) == [
        ("Rincian Anggaran", 153_847), ("Indikator", 125_001), ("Temuan Validasi", 250_001)]


def test_figures_are_computed_once_per_opd(city, tmp_path, monkeypatch):
    """One pass over the OPD: the long sheet takes the rows kept from it (while they fit), it does not
    recompute every OPD's figures from the ledger a second time."""
    from xlkinerja.consolidation import run

    root, forms, _ = city
    calls = []
    real = run.opd_figures
    monkeypatch.setattr(run, "opd_figures", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    consolidate([root / "masuk" / "tw4"], ConsolidateOptions(output=tmp_path / "rekap.xlsx"))
    assert len(calls) == len(forms)
    rincian = CalamineWorkbook.from_path(str(tmp_path / "rekap.xlsx")).get_sheet_by_name("Rincian Anggaran")
    rows = [r for r in rincian.to_python() if r and r[0] in forms]
    assert len(rows) == sum(len(f.budget_rows()) for f in forms.values()) * 4
