"""APBD Perubahan: the revised form carries the year's entries and shows the budget in force.

Built as the offices build it (tests/perubahan.py): the seed's form issued in January and filled
for TW I-II; a perubahan in September (three pagu changed, one sub kegiatan added, one removed);
the revised form generated from the filled old file; TW III filled in it.
"""

from __future__ import annotations

import openpyxl
import pytest
import yaml

import lo
import perubahan
from xlkinerja.cli import main
from xlkinerja.form.model import QUARTERS, RowChange
from xlkinerja.form.revision import RevisionError, RevisionRequest, revise
from xlkinerja.testing import synthetic_form
from xlkinerja.validation.carry import read_base
from xlkinerja.validation.rules import ValidationOptions, validate_file
from xlkinerja.workbook.formulas import FormulaMap, quarter_values, rekap_values
from xlkinerja.workbook.layout import (NARRATIVE_LABEL_LAST, NARRATIVES, QUARTER_SHEETS, Q,
                                       SHEET_REKAP, WorkbookLayout, a1)


@pytest.fixture(scope="module")
def sc(tmp_path_factory, form, entries):
    return perubahan.build(tmp_path_factory.mktemp("perubahan"), form, entries)


@pytest.fixture(scope="module")
def revised(sc):
    sub, errors = read_base(sc.new_filled)
    return sub, errors


def test_the_revised_form_is_generated_and_reports_what_changed(sc):
    assert sc.cli_code == 0
    sub, _ = read_base(sc.new_blank)
    rev = sub.form.revision
    assert (rev.kind.value, rev.effective_quarter, rev.effective_date) == ("perubahan", 3, "2024-09-16")
    assert rev.basis == ("murni", "murni", "perubahan", "perubahan")
    old, _ = read_base(sc.old_filled)
    from xlkinerja.form.model import form_sha256

    assert rev.revises == form_sha256(old.form)  # the lineage: the version it revises


def test_every_entry_is_carried_cell_for_cell(sc):
    """Every input cell of TW I-II of the old file holds the same value in the new file, found
    by id (the rows moved: the new sub kegiatan shifts everything below it)."""
    old_wb = openpyxl.load_workbook(sc.old_filled)
    new_wb = openpyxl.load_workbook(sc.new_blank)
    old_sub, _ = read_base(sc.old_filled)
    new_sub, _ = read_base(sc.new_blank)
    old_L = WorkbookLayout(old_sub.form).quarter
    new_L = WorkbookLayout(new_sub.form).quarter
    compared = 0
    for q in (1, 2):
        wo, wn = old_wb[QUARTER_SHEETS[q - 1]], new_wb[QUARTER_SHEETS[q - 1]]
        for cell in old_L.input_cells(old_sub.form, q):
            if cell.ident is None:  # a narrative
                r_new = new_L.narrative_rows[cell.kind]
            elif cell.kind.startswith("ind_"):
                r_new = new_L.indicator_rows[cell.ident]
            else:
                r_new = new_L.budget_rows[cell.ident]
            assert wn.cell(r_new + 1, cell.col + 1).value == wo[cell.a1].value, (q, cell)
            compared += wo[cell.a1].value is not None
    assert compared > 50
    # the removed row keeps TW I-II, and is closed from TW III
    removed = next(r for r in new_sub.form.leaves() if r.id == sc.removed_id)
    assert removed.change is RowChange.REMOVED and removed.pagu == 0
    r = new_L.budget_rows[sc.removed_id]
    assert new_wb["TW I"].cell(r + 1, Q.REAL + 1).value == sc.entries_a[1].budget[sc.removed_id].realisasi
    assert new_wb["TW III"].cell(r + 1, Q.REAL + 1).value == "dihapus"
    assert new_wb["TW III"].cell(r + 1, Q.REAL + 1).protection.locked
    # the new row is closed before TW III, open from it
    r = new_L.budget_rows[perubahan.NEW_ID]
    assert new_wb["TW II"].cell(r + 1, Q.REAL + 1).value == "baris baru"
    assert not new_wb["TW III"].cell(r + 1, Q.REAL + 1).protection.locked


def test_each_quarter_shows_the_budget_in_force(sc):
    wb = openpyxl.load_workbook(sc.new_blank)
    sub, _ = read_base(sc.new_blank)
    L = WorkbookLayout(sub.form).quarter
    for q, head in zip(QUARTERS, ("PAGU MURNI", "PAGU MURNI", "PAGU PERUBAHAN", "PAGU PERUBAHAN")):
        ws = wb[QUARTER_SHEETS[q - 1]]
        assert ws.cell(L.header_top + 1, Q.PAGU + 1).value == head
        assert "perubahan" in ws.cell(L.opd_row + 2, 1).value.lower()
        for ident, (murni, after) in sc.changed.items():
            want = murni if q < 3 else after
            assert ws.cell(L.budget_rows[ident] + 1, Q.PAGU + 1).value == want, (q, ident)
    K = WorkbookLayout(sub.form).rekap
    C = K.cols
    ws = wb[SHEET_REKAP]
    heads = {ws.cell(K.budget_header_top + 1, c + 1).value for c in (C.PAGU_MURNI, C.PAGU, C.SELISIH)}
    assert heads == {"PAGU MURNI", "PAGU PERUBAHAN", "BERTAMBAH / (BERKURANG)"}


def test_the_revised_file_validates_clean(sc):
    for path in (sc.new_blank, sc.new_filled):
        report = validate_file(path, ValidationOptions(check_formulas=True))
        errors = [f for f in report.findings if f.severity.value == "error"]
        assert errors == [], [(f.code, f.cell, f.message) for f in errors]


def test_a_tw3_above_the_revised_pagu_is_an_error_against_it(sc, tmp_path):
    """ENTRY_ABOVE_PAGU compares with the pagu in force in the quarter."""
    from xlkinerja.testing import fill_like_a_person
    from xlkinerja.form.model import BudgetEntry, QuarterEntries

    sub, _ = read_base(sc.new_blank)
    ident = next(iter(sc.changed))  # raised by 161.250.000: murni < amount <= perubahan
    murni, after = sc.changed[ident]
    e = {3: QuarterEntries(budget={ident: BudgetEntry(murni + 1_000_000)}),
         2: QuarterEntries(budget={ident: BudgetEntry(murni + 1_000_000)})}
    path = fill_like_a_person(sc.new_blank, tmp_path / "lebih.xlsx", sub.form, e, [2, 3])
    report = validate_file(path)
    above = {(f.quarter, f.code) for f in report.findings if f.ident == ident}
    assert (2, "ENTRY_ABOVE_PAGU") in above  # TW II: against the murni
    assert (3, "ENTRY_ABOVE_PAGU") not in above  # TW III: within the perubahan


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_revised_workbook_to_the_same_figures(sc, revised, tmp_path):
    """Every derived cell of the TW sheets and of Rekap Tahunan (pagu murni, perubahan, the
    change, realisasi and % against the pagu in force) computed by LibreOffice from the input
    cells equals the Python twin in calc.py, cell for cell."""
    sub, _ = revised
    form = sub.form
    out = lo.recalculate([sc.new_filled], tmp_path)[0]
    wb = openpyxl.load_workbook(out, data_only=True)
    fm = FormulaMap(form, WorkbookLayout(form))
    entries = sub.entries()
    checked = 0
    for q in QUARTERS:
        ws = wb[QUARTER_SHEETS[q - 1]]
        for (r, c), want in quarter_values(fm, entries, q).items():
            got = ws.cell(r + 1, c + 1).value
            if want is None or want == "":  # blank (a count of uncounted entries of 0 is "")
                assert got in (None, ""), (q, r, c, got)
            else:
                assert got == pytest.approx(want, rel=1e-9), (q, a1(r, c), got, want)
                checked += 1
    ws = wb[SHEET_REKAP]
    for (r, c), want in rekap_values(fm, entries).items():
        got = ws.cell(r + 1, c + 1).value
        if want is None:
            assert got in (None, ""), (a1(r, c), got)
        elif isinstance(want, str):
            assert got == want
        else:
            assert got == pytest.approx(want, rel=1e-9), (a1(r, c), got, want)
            checked += 1
    assert checked > 300
    # the figures themselves, independently of calc.py: year-end pagu, murni, change, realisasi
    K = fm.layout.rekap
    C = K.cols
    t = K.budget_total_row + 1
    murni_total = sum(leaf.own_pagu for leaf in sc.old_form.leaves())
    change = perubahan.RAISE - 50_000_000 + 12_500_000 + perubahan.NEW_PAGU \
        - next(leaf.own_pagu for leaf in sc.old_form.leaves() if leaf.id == sc.removed_id)
    assert ws.cell(t, C.PAGU_MURNI + 1).value == murni_total == 71_845_569_394
    assert ws.cell(t, C.SELISIH + 1).value == change
    assert ws.cell(t, C.PAGU + 1).value == murni_total + change
    typed = sum(e.realisasi for q in (1, 2, 3) for ident, e in sc.entries_a[q].budget.items()
                if e.realisasi is not None)
    assert ws.cell(t, C.TOTAL + 1).value == typed
    assert ws.cell(t, C.PERSEN + 1).value == pytest.approx(typed / (murni_total + change))


def test_a_revision_of_another_opd_or_year_is_refused():
    a, b = synthetic_form(1), synthetic_form(2)
    with pytest.raises(RevisionError, match="OPD yang sama"):
        revise(b, RevisionRequest.of("perubahan", 3), a)
    later = synthetic_form(1, year=2025)
    with pytest.raises(RevisionError, match="tahun-berikut"):
        revise(later, RevisionRequest.of("pergeseran", 2), a)


def test_entries_without_a_place_are_listed_never_dropped(sc, tmp_path, capsys, form):
    """A revised spec that drops an indicator, and an old file with a realisasi typed as text:
    both are listed by the command, which exits 1."""
    import people

    def text_amount(wb):
        ws = wb["TW II"]
        L = WorkbookLayout(form).quarter
        leaf = form.leaves()[2]
        ws[a1(L.budget_rows[leaf.id], Q.REAL)] = "12.500.000"

    old = people.edited(sc.old_filled, tmp_path / "teks.xlsx", text_amount)
    data = yaml.safe_load(sc.revised_spec.read_text(encoding="utf-8"))
    dropped = data["sasaran"][0]["indikator"].pop(0)
    spec = tmp_path / "tanpa_indikator.yaml"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    capsys.readouterr()
    code = main(["generate", str(spec), "--dari", str(old), "--revisi", "perubahan", "--mulai",
                 "III", "-o", str(tmp_path / "baru.xlsx")])
    captured = capsys.readouterr()
    assert code == 1
    assert "TIDAK dipindahkan" in captured.err
    assert dropped["text"] in captured.err
    assert "'12.500.000'" in captured.err and "TW II" in captured.err


def test_the_old_file_is_never_modified(sc):
    import hashlib

    before = hashlib.sha256(sc.old_filled.read_bytes()).hexdigest()
    read_base(sc.old_filled)
    assert hashlib.sha256(sc.old_filled.read_bytes()).hexdigest() == before


def test_a_spec_may_declare_the_revision_and_murni_itself(tmp_path, capsys, spec):
    """``revisi`` in the spec and ``pagu_murni`` on a changed sub kegiatan, without an old file."""
    from xlkinerja.form.specwriter import form_spec

    data = yaml.safe_load(form_spec(spec.form))
    data["revisi"] = {"jenis": "pergeseran", "mulai_triwulan": "II"}
    leaf = data["program"][0]["kegiatan"][0]["sub_kegiatan"][0]
    leaf["pagu_murni"], leaf["pagu"] = leaf["pagu"], leaf["pagu"] + 5_000_000
    path = tmp_path / "geser.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["generate", str(path), "-o", str(tmp_path / "geser.xlsx")]) == 0
    sub, _ = read_base(tmp_path / "geser.xlsx")
    row = next(r for r in sub.form.leaves() if r.id == leaf["id"])
    assert row.pagu_tw == (row.pagu_murni,) + (row.pagu_murni + 5_000_000,) * 3
    assert sub.form.basis(1) == "murni" and sub.form.basis(2) == "pergeseran"
    # pagu_murni without revisi is refused, with the line
    del data["revisi"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["generate", str(path), "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "pagu_murni" in capsys.readouterr().err


def test_narratives_are_carried(sc):
    wb_old = openpyxl.load_workbook(sc.old_filled)
    wb_new = openpyxl.load_workbook(sc.new_blank)
    old_sub, _ = read_base(sc.old_filled)
    new_sub, _ = read_base(sc.new_blank)
    for key, _ in NARRATIVES:
        ro = WorkbookLayout(old_sub.form).quarter.narrative_rows[key]
        rn = WorkbookLayout(new_sub.form).quarter.narrative_rows[key]
        for sheet in ("TW I", "TW II"):
            old = wb_old[sheet].cell(ro + 1, NARRATIVE_LABEL_LAST + 2).value
            assert old and wb_new[sheet].cell(rn + 1, NARRATIVE_LABEL_LAST + 2).value == old


# -- consolidation: every quarter of both OPD, murni and perubahan, nothing konflik ----------------

@pytest.fixture(scope="module")
def recap(sc, tmp_path_factory):
    """The desk's folder holds everything that came back: A's TW II on the murni form, A's TW III
    on the perubahan form, B's TW III on its only form."""
    import shutil

    from xlkinerja.consolidation import ConsolidateOptions, consolidate

    root = tmp_path_factory.mktemp("meja")
    inbox = root / "masuk"
    inbox.mkdir()
    for path in (sc.old_filled, sc.new_filled, sc.b_filled):
        shutil.copy2(path, inbox / path.name)
    out = root / "rekap" / "rekap.xlsx"
    summary = consolidate([inbox], ConsolidateOptions(output=out, csv_dir=root / "rekap" / "csv"))
    return root, out, summary


def _sheet(path, name):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_consolidation_counts_every_quarter_of_both_opd(sc, recap):
    from xlkinerja.consolidation.recap_layout import RecapLayout as L

    root, out, summary = recap
    assert "konflik" not in summary.statuses and "konflik" not in summary.opd_statuses
    rows = {r[L.KODE]: r for r in _sheet(out, "Ringkasan")[L.first_row:] if r[L.KODE] in ("4.01", "9.002")}
    a, b = rows["4.01"], rows["9.002"]
    # independently of calc.py: sums of what the OPD typed
    for q in (1, 2, 3):
        assert a[L.TW[q - 1]] == sum(e.realisasi for e in sc.entries_a[q].budget.values()
                                     if e.realisasi is not None), q
        assert b[L.TW[q - 1]] == sum(e.realisasi for e in sc.entries_b[q].budget.values()), q
    murni = sum(leaf.own_pagu for leaf in sc.old_form.leaves())
    removed = next(leaf.own_pagu for leaf in sc.old_form.leaves() if leaf.id == sc.removed_id)
    perubahan_total = murni + sum(after - before for before, after in sc.changed.values()) \
        + perubahan.NEW_PAGU - removed
    assert (a[L.PAGU_MURNI], a[L.PAGU]) == (murni, perubahan_total)
    b_pagu = sum(leaf.own_pagu for leaf in sc.b_form.leaves())
    assert (b[L.PAGU_MURNI], b[L.PAGU]) == (b_pagu, b_pagu)
    year_a = sum(a[L.TW[q - 1]] for q in (1, 2, 3))
    assert a[L.TOTAL] == year_a
    assert a[L.PERSEN] == pytest.approx(year_a / perubahan_total)  # against the pagu in force
    assert a[L.STATUS] == b[L.STATUS] == "lengkap"


def test_rincian_shows_murni_and_perubahan_and_the_pagu_of_each_quarter(sc, recap):
    import csv

    root, out, _ = recap
    with (root / "rekap" / "csv" / "rincian_anggaran.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kode_opd"] == "4.01"]
    by = {(r["id"], r["triwulan"]): r for r in rows}
    for ident, (before, after) in sc.changed.items():
        for tw, pagu, basis in (("TW I", before, "murni"), ("TW III", after, "perubahan")):
            r = by[(ident, tw)]
            assert (float(r["pagu_murni"]), float(r["pagu_perubahan"]), float(r["pagu"]),
                    r["dasar"]) == (before, after, pagu, basis)
    gone = by[(sc.removed_id, "TW I")]
    assert float(gone["realisasi"]) == sc.entries_a[1].budget[sc.removed_id].realisasi
    assert float(by[(sc.removed_id, "TW III")]["pagu"]) == 0
    assert by[(sc.removed_id, "TW III")]["realisasi"] == ""
    new = by[(perubahan.NEW_ID, "TW III")]
    assert (float(new["pagu_murni"]), float(new["realisasi"])) == (0, perubahan.NEW_TW3)
    # Rincian Anggaran in the recap holds the same columns
    from xlkinerja.consolidation.recap_layout import RINCIAN

    sheet = _sheet(out, "Rincian Anggaran")
    assert sheet[RINCIAN.header_row] == RINCIAN.headers


def test_the_old_file_is_not_konflik_and_the_ledger_says_where_each_quarter_came_from(sc, recap):
    from xlkinerja.consolidation.ledger import Ledger

    root, out, summary = recap
    ledger = Ledger(out.with_name("rekap.ledger.sqlite"))
    try:
        status = {s.name: (s.status, s.note or "") for s in ledger.history()}
        sources = ledger.quarter_sources()
    finally:
        ledger.close()
    assert status[sc.old_filled.name][0] == "digantikan"
    assert "formulir perubahan" in status[sc.old_filled.name][1]
    assert status[sc.new_filled.name][0] == "diterima"
    a = {q: (name, basis) for code, q, name, _, _, basis in sources if code == "4.01"}
    assert a == {1: (sc.new_filled.name, "murni"), 2: (sc.new_filled.name, "murni"),
                 3: (sc.new_filled.name, "perubahan")}
    temuan = _sheet(out, "Temuan Validasi")
    version = [r for r in temuan if "CONSOLIDATE_VERSION" in r]
    assert version and "TW I, TW II, TW III dari a_tw3_perubahan.xlsx (formulir perubahan)" in \
        " ".join(map(str, version[0]))


def test_an_old_version_file_still_counts_for_the_quarters_before_the_revision(sc, tmp_path, form):
    """A revised form made without the old file, filled for TW III only: TW I-II come from the
    murni file; a TW III typed on the murni form is not counted, and a finding says so."""
    import shutil

    from xlkinerja.consolidation import ConsolidateOptions, consolidate
    from xlkinerja.consolidation.ledger import Ledger
    from xlkinerja.consolidation.recap_layout import RecapLayout as L
    from xlkinerja.testing import fill_like_a_person

    carried, _ = read_base(sc.new_blank)
    sub_form = carried.form
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    # the murni file with TW I-III (TW III on the old form, after the revision)
    import copy

    on_murni = copy.deepcopy(sc.entries_a)
    on_murni[3].budget.pop(perubahan.NEW_ID)  # the murni form has no such row
    fill_like_a_person(sc.old_blank, inbox / "a_tw3_murni.xlsx", form, on_murni, [1, 2, 3])
    # the revised form, blank (no carry-over), TW III only
    blank = tmp_path / "revisi_kosong.xlsx"
    from xlkinerja.workbook.writer import write_workbook

    write_workbook(sub_form, blank)
    fill_like_a_person(blank, inbox / "a_tw3_perubahan.xlsx", sub_form, {3: sc.entries_a[3]}, [3])
    out = tmp_path / "rekap.xlsx"
    summary = consolidate([inbox], ConsolidateOptions(output=out))
    assert "konflik" not in summary.statuses
    row = next(r for r in _sheet(out, "Ringkasan") if r[L.KODE] == "4.01")
    for q in (1, 2, 3):
        assert row[L.TW[q - 1]] == sum(e.realisasi for e in sc.entries_a[q].budget.values()
                                       if e.realisasi is not None), q
    ledger = Ledger(tmp_path / "rekap.ledger.sqlite")
    try:
        a = {q: name for code, q, name, *_ in ledger.quarter_sources() if code == "4.01"}
    finally:
        ledger.close()
    assert a == {1: "a_tw3_murni.xlsx", 2: "a_tw3_murni.xlsx", 3: "a_tw3_perubahan.xlsx"}
    codes = {r[6] for r in _sheet(out, "Temuan Validasi") if len(r) > 6}
    assert "CONSOLIDATE_OLD_VERSION_QUARTER" in codes
