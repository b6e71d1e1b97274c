"""Consolidation counts only what the issuing office can vouch for (issue 19).

Every case is built the way a sender builds it, on forms issued by an office's register, and
checked in ``validate``, in ``consolidate`` and in the recap. Arrival is the ledger's: files
dropped into the folder before a later run arrive later than the files of an earlier run.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from people import Cells, edited
from xlkinerja.consolidation import ConsolidateOptions, consolidate
from xlkinerja.consolidation.ledger import Ledger
from xlkinerja.consolidation.plan import MixedYears
from xlkinerja.consolidation.recap_layout import RecapLayout
from xlkinerja.consolidation.run import ExportRefused
from xlkinerja.form.formcheck import TemplateSpec
from xlkinerja.register import FILENAME, Register
from xlkinerja.testing import synthetic_entries, synthetic_form
from xlkinerja.validation.rules import ValidationOptions, format_report, validate_file
from xlkinerja.workbook.generate import _write, seed_entries, seed_spec
from xlkinerja.workbook.layout import SHEET_META, MetaLayout


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


class Office:
    """The issuing desk: a register, two OPD's forms issued, a submissions folder."""

    def __init__(self, root: Path):
        self.root = root
        self.register = Register.create(root / FILENAME)
        self.setda = seed_spec()
        self.setda_entries = seed_entries(self.setda.form)
        self.dinas = TemplateSpec(synthetic_form(1), None, "sintetis")
        self.dinas_entries = synthetic_entries(self.dinas.form, seed=1)
        self.absent = TemplateSpec(synthetic_form(2), None, "sintetis")
        self.issued = root / "formulir"
        self.inbox = root / "kiriman"
        self.inbox.mkdir(parents=True)
        for spec in (self.setda, self.dinas, self.absent):
            self.issue(spec, self.issued / f"{spec.form.opd_code}.xlsx")
        self.recap = root / "rekap" / "rekap.xlsx"

    def issue(self, spec, path: Path, entries=None) -> Path:
        return _write(spec, path, None, entries, register=self.register, source=spec.source).path

    def filled(self, spec, entries, name: str) -> Path:
        """The OPD's return: its issued form, filled (the writer fills like Excel would)."""
        return self.issue(spec, self.inbox / name, entries)

    def consolidate(self, **options) -> tuple:
        summary = consolidate([self.inbox], ConsolidateOptions(output=self.recap, jobs=1, **options))
        return summary, recap_sheets(self.recap)

    def validate(self, path: Path):
        return validate_file(path, ValidationOptions(register=str(self.register.path),
                                                     check_formulas=False))


def recap_sheets(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def ringkasan_rows(sheets) -> dict[str, list]:
    L = RecapLayout
    return {row[L.KODE]: row for row in sheets["Ringkasan"][L.first_row:] if row[L.KODE]}


def city_rows(sheets) -> tuple[list, list]:
    rows = sheets["Ringkasan"]
    city = next(r for r in rows if r[0] == "JUMLAH / RATA-RATA KOTA")
    senders = next(r for r in rows if r[0] == "JUMLAH OPD YANG MELAPOR")
    return city, senders


def statuses(sheets) -> dict[str, str]:
    """File name -> status, from Status Pengiriman's list of every file read."""
    out = {}
    for row in sheets["Status Pengiriman"]:
        if len(row) > 4 and row[4] in ("diterima", "digantikan", "ditolak", "duplikat", "konflik"):
            out[row[2]] = row[4]
    return out


def findings(sheets, code: str) -> list[list]:
    return [r for r in sheets["Temuan Validasi"] if len(r) > 6 and r[6] == code]


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def year_total(form, entries) -> float:
    return sum(e.realisasi or 0 for q in entries.values() for e in q.budget.values())


def set_saved_at(path: Path, iso: str) -> Path:
    """What a PC with a wrong clock (or a sender editing the properties) writes."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+(</dcterms:modified>)",
                              rb"\g<1>" + iso.encode() + rb"\g<2>", data)
            dst.writestr(item, data)
    tmp.replace(path)
    return path


def edit_json(src: Path, dst: Path, change, fix_checksum: bool) -> Path:
    M = MetaLayout()

    def apply(wb):
        ws = wb[SHEET_META]
        n = ws.cell(M.key_row("model_chunks") + 1, 2).value
        text = "".join(ws.cell(M.chunk_start + 1 + i, M.chunk_col + 1).value for i in range(n))
        d = json.loads(text)
        change(d)
        new = json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        for i in range(0, len(new), M.chunk_size):
            ws.cell(M.chunk_start + 1 + i // M.chunk_size, M.chunk_col + 1).value = new[i:i + M.chunk_size]
        ws.cell(M.key_row("opd_code") + 1, 2).value = d["opd"]["code"]
        if fix_checksum:
            ws.cell(M.key_row("model_sha256") + 1, 2).value = hashlib.sha256(new.encode()).hexdigest()

    return edited(src, dst, apply)


@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path)
    yield o
    o.register.close()


# -- the cases of the issue ---------------------------------------------------------------------

def test_edited_json_is_rejected_by_validate_and_consolidate(office, tmp_path):
    genuine = office.filled(office.setda, office.setda_entries, "setda.xlsx")
    office.consolidate()  # the genuine file arrives first
    first = office.setda.form.leaves()[0]

    def tenfold(d):
        d["programs"][0]["children"][0]["children"][0]["pagu"] = first.pagu * 10

    for fix in (False, True):
        bad = edit_json(genuine, office.inbox / f"setda_pagu_{fix}.xlsx", tenfold, fix)
        rep = office.validate(bad)
        assert "DITOLAK" in format_report(rep)[0]
    summary, sheets = office.consolidate()
    st = statuses(sheets)
    assert st["setda.xlsx"] == "diterima"
    assert st["setda_pagu_False.xlsx"] == st["setda_pagu_True.xlsx"] == "ditolak"
    row = ringkasan_rows(sheets)[office.setda.form.opd_code]
    assert row[RecapLayout.PAGU] == office.setda.form.total_pagu == 71_845_569_394
    assert row[RecapLayout.STATUS] == "kirim ulang" and "ditolak" in row[RecapLayout.CATATAN]
    assert summary.n_not_authentic == 2
    assert len(findings(sheets, "CONSOLIDATE_REJECTED")) == 2


def test_order_is_arrival_not_the_save_date_the_sender_controls(office):
    spec, entries = office.setda, office.setda_entries
    early = office.filled(spec, entries, "setda_tw4.xlsx")
    set_saved_at(early, "2099-01-01T00:00:00Z")  # "saved in 2099": must not beat later corrections
    office.consolidate()
    corrected = copy.deepcopy(entries)
    leaf = spec.form.leaves()[0]
    corrected[4].budget[leaf.id].realisasi = 1_000_000
    fix = office.filled(spec, corrected, "setda_tw4_koreksi.xlsx")
    set_saved_at(fix, "2009-06-01T00:00:00Z")  # a PC whose clock says 2009
    summary, sheets = office.consolidate()
    st = statuses(sheets)
    assert st == {"setda_tw4.xlsx": "digantikan", "setda_tw4_koreksi.xlsx": "diterima"}
    row = ringkasan_rows(sheets)[spec.form.opd_code]
    assert row[RecapLayout.TW4] == year_total(spec.form, {4: corrected[4]})
    warnings = findings(sheets, "CONSOLIDATE_SAVED_AT_IMPLAUSIBLE")
    assert {w[0] for w in warnings} == {"setda_tw4.xlsx", "setda_tw4_koreksi.xlsx"}
    assert any("sesudah berkas ini diterima" in w[7] for w in warnings)
    assert any("sebelum formulirnya diterbitkan" in w[7] for w in warnings)


def test_another_opds_form_relabelled_is_rejected(office):
    """Office B takes its own form and makes it say it is A's (identity and checksum fixed)."""
    genuine_a = office.filled(office.setda, office.setda_entries, "setda.xlsx")
    office.consolidate()
    b = office.filled(office.dinas, office.dinas_entries, "dinas.xlsx")
    as_a = edit_json(b, office.inbox / "setda_dari_dinas.xlsx",
                     lambda d: d["opd"].update(code=office.setda.form.opd_code,
                                               name=office.setda.form.opd_name), True)
    b.unlink()
    rep = office.validate(as_a)
    assert "IDENTITY_SIGNATURE_INVALID" in codes(rep) and "DITOLAK" in format_report(rep)[0]
    summary, sheets = office.consolidate()
    assert statuses(sheets) == {"setda.xlsx": "diterima", "setda_dari_dinas.xlsx": "ditolak"}
    assert genuine_a.exists()
    rows = ringkasan_rows(sheets)
    assert rows[office.setda.form.opd_code][RecapLayout.TOTAL] == year_total(
        office.setda.form, office.setda_entries)
    assert rows[office.dinas.form.opd_code][RecapLayout.STATUS] == "belum mengirim"


def test_a_newer_version_made_with_another_key_does_not_push_out_the_genuine_file(office, tmp_path):
    genuine = office.filled(office.setda, office.setda_entries, "setda.xlsx")
    forged = copy.deepcopy(office.setda)
    for leaf in forged.form.leaves():
        leaf.own_pagu *= 10
    with Register.create(tmp_path / "pc-lain" / FILENAME) as elsewhere:
        fake = _write(forged, office.inbox / "setda_versi_baru.xlsx", None, office.setda_entries,
                      register=elsewhere, source="x").path
    assert "IDENTITY_SIGNATURE_INVALID" in codes(office.validate(fake))
    assert not {c for c in codes(office.validate(genuine)) if c.startswith("IDENTITY")}
    summary, sheets = office.consolidate()
    assert statuses(sheets) == {"setda.xlsx": "diterima", "setda_versi_baru.xlsx": "ditolak"}
    row = ringkasan_rows(sheets)[office.setda.form.opd_code]
    assert row[RecapLayout.PAGU] == 71_845_569_394


def test_formulas_in_input_cells_are_errors_and_not_counted(office):
    spec, entries = office.setda, office.setda_entries
    cells = Cells(spec.form)
    leaves = spec.form.leaves()
    typed = office.filled(spec, entries, "tmp.xlsx")
    planted = {leaves[0].id: "=cmd|' /C calc'!A0", leaves[1].id: "=[1]Lembar1!A1",
               leaves[2].id: '=WEBSERVICE("http://contoh.invalid/angka")',
               leaves[3].id: '=HYPERLINK("http://contoh.invalid","1000")', leaves[4].id: "=1000*2"}
    by_id = {leaf.id: leaf for leaf in leaves}

    def plant(wb):
        for ident, formula in planted.items():
            wb["TW I"][cells.realisasi(by_id[ident].name)] = formula
        wb["TW I"][cells.realisasi(leaves[5].name)] = "4.497.357.736"  # text, Indonesian style

    path = edited(typed, office.inbox / "setda.xlsx", plant)
    typed.unlink()
    for check_formulas in (False, True):
        rep = validate_file(path, ValidationOptions(register=str(office.register.path),
                                                    check_formulas=check_formulas))
        found = {(f.code, f.cell) for f in rep.findings if f.code.startswith("ENTRY_FORMULA")}
        assert {c for c, _ in found} == {"ENTRY_FORMULA_DDE", "ENTRY_FORMULA_EXTERNAL",
                                         "ENTRY_FORMULA_OUTSIDE", "ENTRY_FORMULA"}
        assert len(found) == 5
        assert all(f.severity.value == "error" for f in rep.findings if f.code.startswith("ENTRY_FORMULA"))
    summary, sheets = office.consolidate()
    assert statuses(sheets) == {"setda.xlsx": "diterima"}  # the file counts, those entries do not
    left_out = {ident for ident in planted} | {leaves[5].id}
    expected_tw1 = sum(e.realisasi or 0 for i, e in entries[1].budget.items() if i not in left_out)
    row = ringkasan_rows(sheets)[spec.form.opd_code]
    assert row[RecapLayout.TW1] == expected_tw1
    listed = [r for r in sheets["Tidak Dihitung"][4:] if r[0]]
    assert sorted(r[5] for r in listed) == sorted(cells.realisasi(by_id[i].name) for i in left_out)
    assert {r[8] for r in listed} >= {"=cmd|' /C calc'!A0", "=[1]Lembar1!A1", "=1000*2"}
    assert summary.n_uncounted == 6


def test_external_links_dde_and_vba_in_a_returned_xlsx_are_findings(office):
    path = office.filled(office.setda, office.setda_entries, "setda.xlsx")
    tmp = path.with_name("x.tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/externalLinks/externalLink1.xml",
                     '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     '<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                     '2006/relationships"/></externalLink>')
        dst.writestr("xl/externalLinks/externalLink2.xml",
                     '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     '<ddeLink ddeService="cmd" ddeTopic="/C calc"/></externalLink>')
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not run")
    tmp.replace(path)
    rep = office.validate(path)
    assert {"FILE_EXTERNAL_LINKS", "FILE_DDE_LINKS", "FILE_VBA_PROJECT"} <= codes(rep)
    summary, sheets = office.consolidate()
    assert {r[6] for r in sheets["Temuan Validasi"]} >= {"FILE_EXTERNAL_LINKS", "FILE_DDE_LINKS",
                                                          "FILE_VBA_PROJECT"}


def test_two_years_without_tahun(office, tmp_path):
    office.filled(office.setda, office.setda_entries, "setda_2024.xlsx")
    old = TemplateSpec(synthetic_form(3, year=2023), None, "sintetis")
    no_register = _write(old, office.inbox / "lama_2023.xlsx", None, synthetic_entries(old.form)).path
    assert no_register.exists()
    # the register issued 2024 only: that is the year, the 2023 file is rejected and said so
    summary, sheets = office.consolidate()
    assert summary.year == 2024 and statuses(sheets)["lama_2023.xlsx"] == "ditolak"
    assert findings(sheets, "CONSOLIDATE_OTHER_YEAR")
    # without a register: a refusal that lists the years and file counts, nothing written
    recap = tmp_path / "tanpa" / "rekap.xlsx"
    with pytest.raises(MixedYears, match="2023: 1 berkas, 2024: 1 berkas"):
        consolidate([office.inbox], ConsolidateOptions(output=recap, use_register=False, jobs=1))
    assert not recap.exists()
    proc = run_cli("consolidate", str(office.inbox), "-o", str(recap), "--tanpa-register")
    assert proc.returncode == 2 and "2023: 1 berkas, 2024: 1 berkas" in proc.stderr
    assert "--tahun" in proc.stderr and "Traceback" not in proc.stderr and not recap.exists()


def test_an_opd_that_sent_nothing_counts_in_the_city_pagu(office):
    office.filled(office.setda, office.setda_entries, "setda.xlsx")
    office.filled(office.dinas, office.dinas_entries, "dinas.xlsx")
    summary, sheets = office.consolidate()
    rows = ringkasan_rows(sheets)
    absent = rows[office.absent.form.opd_code]
    assert absent[RecapLayout.STATUS] == "belum mengirim"
    assert absent[RecapLayout.PAGU] == office.absent.form.total_pagu
    assert absent[RecapLayout.TOTAL] in ("", None)
    city, senders = city_rows(sheets)
    issued = office.register.current_versions(2024)
    assert set(issued) == set(rows)
    L = RecapLayout
    total_pagu = sum(v.total_pagu for v in issued.values())
    realisasi = (year_total(office.setda.form, office.setda_entries)
                 + year_total(office.dinas.form, office.dinas_entries))
    senders_pagu = office.setda.form.total_pagu + office.dinas.form.total_pagu
    # the row offset of the merged label: the values are in the columns of Ringkasan
    assert city[L.PAGU] == total_pagu and city[L.TOTAL] == realisasi
    assert city[L.PERSEN] == pytest.approx(realisasi / total_pagu)
    assert senders[L.PAGU] == senders_pagu and senders[L.TOTAL] == realisasi
    assert senders[L.PERSEN] == pytest.approx(realisasi / senders_pagu)
    assert "pagu seluruh kota" in city[L.CATATAN] and "2 dari 3" in senders[L.CATATAN]
    assert summary.n_missing_opd == 1


def test_an_accepted_file_moved_out_is_counted_from_the_archive_until_withdrawn(office):
    path = office.filled(office.setda, office.setda_entries, "setda.xlsx")
    first, _ = office.consolidate()
    moved = office.root / "rapi" / "setda.xlsx"
    moved.parent.mkdir()
    shutil.move(path, moved)
    summary, sheets = office.consolidate()
    assert summary.n_archive == 1
    row = ringkasan_rows(sheets)[office.setda.form.opd_code]
    assert row[RecapLayout.TOTAL] == year_total(office.setda.form, office.setda_entries)
    assert any("dari arsip ledger" in str(c) for r in sheets["Status Pengiriman"] for c in r)
    # a damaged archive copy is not counted, and the run says so
    ledger = Ledger(first.ledger)
    copy_path = ledger.archived_copy(ledger.last_accepted()[0][0])
    ledger.close()
    original = copy_path.read_bytes()
    copy_path.write_bytes(original[:-10] + b"0123456789")
    summary, sheets = office.consolidate()
    assert summary.n_archive == 0 and summary.archive_missing == ["setda.xlsx"]
    assert findings(sheets, "CONSOLIDATE_ARCHIVE_MISSING")
    copy_path.write_bytes(original)
    # withdrawn explicitly: recorded, no longer counted from the archive or the folder
    proc = run_cli("tarik", str(first.ledger), "setda.xlsx", "--oleh", "Bagian Perencanaan",
                   "--alasan", "salah kirim")
    assert proc.returncode == 0, proc.stderr
    assert "Ditarik: setda.xlsx" in proc.stdout
    ledger = Ledger(first.ledger)
    [(when, by, why, name)] = ledger.withdrawals().values()
    ledger.close()
    assert (by, why, name) == ("Bagian Perencanaan", "salah kirim", "setda.xlsx")
    shutil.copyfile(moved, office.inbox / "setda.xlsx")
    summary, sheets = office.consolidate()
    assert summary.n_archive == 0 and summary.n_withdrawn == 1
    assert statuses(sheets) == {"setda.xlsx": "ditolak"}
    assert ringkasan_rows(sheets)[office.setda.form.opd_code][RecapLayout.STATUS] == "kirim ulang"


def test_exports_of_a_button_run_stay_in_the_recap_folder(office, tmp_path):
    office.filled(office.setda, office.setda_entries, "setda.xlsx")
    csv_dir = office.recap.parent / "csv"
    summary, _ = office.consolidate(csv_dir=csv_dir)
    assert len(summary.exports) == 4  # rincian, indikator, temuan, pembanding
    # the button run (target: the recap) may write them again: xlkinerja wrote them
    office.consolidate(csv_dir=csv_dir, target=office.recap)
    # the hidden paths edited to point elsewhere, or at a file xlkinerja did not write
    precious = tmp_path / "penting.docx"
    precious.write_bytes(b"dokumen penting")
    with pytest.raises(ExportRefused, match="di luar folder rekap"):
        office.consolidate(parquet=precious, target=office.recap)
    inside = office.recap.parent / "penting.parquet"
    inside.write_bytes(b"bukan ekspor")
    with pytest.raises(ExportRefused, match="bukan ekspor yang ditulis xlkinerja"):
        office.consolidate(parquet=inside, target=office.recap)
    assert precious.read_bytes() == b"dokumen penting" and inside.read_bytes() == b"bukan ekspor"


def test_without_a_register_identities_are_said_to_be_unconfirmed(tmp_path):
    spec = seed_spec()
    inbox = tmp_path / "kiriman"
    _write(spec, inbox / "setda.xlsx", None, seed_entries(spec.form))
    summary = consolidate([inbox], ConsolidateOptions(output=tmp_path / "rekap.xlsx", jobs=1))
    assert summary.register is None
    sheets = recap_sheets(tmp_path / "rekap.xlsx")
    assert "IDENTITAS FORMULIR TIDAK DAPAT DIPASTIKAN" in sheets["Ringkasan"][1][0]
    from xlkinerja.consolidation.report import summary_lines

    assert any("Identitas formulir tidak dapat dipastikan" in line for line in summary_lines(summary))
    assert statuses(sheets) == {"setda.xlsx": "diterima"}


def test_the_ledger_remembers_the_register(office, tmp_path):
    office.filled(office.setda, office.setda_entries, "setda.xlsx")
    elsewhere = tmp_path / "lain" / "rekap.xlsx"
    summary = consolidate([office.inbox], ConsolidateOptions(output=elsewhere, jobs=1,
                                                            register=office.register.path))
    assert summary.register == office.register.path
    again = consolidate([office.inbox], ConsolidateOptions(output=elsewhere, jobs=1))
    assert again.register == office.register.path
