"""The APBD Perubahan scenario of issue 13, built the way the offices build it.

OPD A (the seed, Sekretariat Daerah Kota Jambi): its form is issued in January and filled for
TW I and TW II. In September a perubahan changes three pagu (one raised by 161.250.000), adds one
sub kegiatan and removes one; the planning office edits the spec and generates the revised form
from the filled old file (``generate REVISED --dari OLD``); the OPD fills TW III in the new form.
OPD B (synthetic) keeps its one form and sends TW III on it.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from xlkinerja.cli import main
from xlkinerja.form.model import BudgetEntry, BudgetRow, Form, Level, QuarterEntries
from xlkinerja.form.specwriter import form_spec
from xlkinerja.testing import fill_like_a_person, synthetic_entries, synthetic_form
from xlkinerja.workbook.writer import write_workbook

RAISE = 161_250_000
NEW_ID = "sub-perubahan-rapat-koordinasi"
NEW_PAGU = 250_000_000
NEW_TW3 = 40_125_000


@dataclass
class Scenario:
    old_form: Form
    revised_spec: Path
    old_blank: Path
    old_filled: Path  # A, TW I-II on the old form
    new_blank: Path  # A, generated --dari old_filled
    new_filled: Path  # A, TW III filled in the new form
    b_form: Form
    b_filled: Path  # B, TW I-III on its only form
    entries_a: dict[int, QuarterEntries]  # what A typed: TW I-II in the old, TW III in the new
    entries_b: dict[int, QuarterEntries]
    changed: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (murni, perubahan)
    removed_id: str = ""
    cli_out: str = ""
    cli_code: int = 0


def revised_form(form: Form) -> tuple[Form, dict[str, tuple[int, int]], str, BudgetRow]:
    """The perubahan: three pagu changed, one sub kegiatan added, one removed (by editing the
    form as a planning office edits the spec)."""
    new = copy.deepcopy(form)
    leaves = new.leaves()
    changed = {}
    for leaf, delta in ((leaves[0], RAISE), (leaves[4], -50_000_000), (leaves[9], 12_500_000)):
        changed[leaf.id] = (leaf.own_pagu, leaf.own_pagu + delta)
        leaf.own_pagu += delta
    parent = next(p for p in new.budget_rows() if leaves[0] in p.children)
    added = BudgetRow(id=NEW_ID, name="Rapat Koordinasi Pelaksanaan APBD Perubahan",
                      level=Level.SUB_KEGIATAN, own_pagu=NEW_PAGU)
    parent.children.append(added)
    # remove a sub kegiatan whose kegiatan keeps others
    for p in new.budget_rows():
        if p.level is Level.KEGIATAN and len(p.children) >= 3 and p is not parent \
                and p.children[1].id not in changed:
            removed = p.children.pop(1)
            break
    return new, changed, removed.id, added


def build(tmp: Path, seed_form: Form, seed_entries: dict[int, QuarterEntries],
          capsys=None) -> Scenario:
    tmp.mkdir(parents=True, exist_ok=True)
    seed_entries = copy.deepcopy(seed_entries)
    for q in (1, 2, 3):  # narratives as an OPD writes them, in every quarter filled
        e = seed_entries[q]
        e.faktor_pendorong = e.faktor_pendorong or f"Koordinasi lintas bagian berjalan baik (TW {q})."
        e.uraian_permasalahan = e.uraian_permasalahan or "1. Keterlambatan pengajuan SPJ."
        e.rencana_tindak_lanjut = e.rencana_tindak_lanjut or "1. Percepatan verifikasi SPJ."
    old_blank = write_workbook(seed_form, tmp / "a_murni.xlsx",
                               generated_at=dt.datetime(2024, 1, 10, 9, 0))
    old_filled = fill_like_a_person(old_blank, tmp / "a_tw2_murni.xlsx", seed_form, seed_entries,
                                    [1, 2])
    new, changed, removed_id, added = revised_form(seed_form)
    spec = tmp / "a_perubahan.yaml"
    spec.write_text(form_spec(new), encoding="utf-8")
    new_blank = tmp / "a_perubahan.xlsx"
    code = main(["generate", str(spec), "--dari", str(old_filled), "--revisi", "perubahan",
                 "--tanggal", "2024-09-16", "-o", str(new_blank)])
    out = capsys.readouterr().out if capsys else ""

    # TW III typed by the OPD in the new form: the seed's TW III, without the removed row, with
    # the new one
    from xlkinerja.validation.carry import read_base

    sub, _ = read_base(new_blank)
    tw3 = copy.deepcopy(seed_entries[3])
    tw3.budget.pop(removed_id, None)
    tw3.budget[NEW_ID] = BudgetEntry(NEW_TW3)
    typed = {3: tw3}
    new_filled = fill_like_a_person(new_blank, tmp / "a_tw3_perubahan.xlsx", sub.form, typed, [3])
    entries_a = {1: seed_entries[1], 2: seed_entries[2], 3: tw3}

    b_form = synthetic_form(2)
    entries_b = synthetic_entries(b_form)
    b_blank = write_workbook(b_form, tmp / "b_kosong.xlsx",
                             generated_at=dt.datetime(2024, 1, 10, 9, 0))
    b_filled = fill_like_a_person(b_blank, tmp / "b_tw3.xlsx", b_form, entries_b, [1, 2, 3])
    return Scenario(seed_form, spec, old_blank, old_filled, new_blank, new_filled, b_form,
                    b_filled, entries_a, {q: entries_b[q] for q in (1, 2, 3)}, changed,
                    removed_id, out, code)
