"""Form lineage: a revised form (APBD Perubahan, pergeseran) made from the form it revises.

A spec or master declares a revision (:class:`RevisionRequest`: kind, first triwulan or date of
effect); :func:`revise` turns the new form plus the form it revises (the *base*: the one issued
before, read from a returned file or the register) into the revised form:

- every sub kegiatan keeps its pagu per triwulan: the base's before the revision, the new one
  from it on (``pagu_tw``), and its original pagu (``pagu_murni``);
- a row of the base that the new form no longer lists is kept as ``dihapus`` (pagu 0 from the
  revision on), so that the realisasi reported for it before the revision stays in the form and
  in the recap; a row only the new form has is ``baru`` (no realisasi before the revision);
- a row under another parent than before is *moved*: rows are matched by id (code), never by
  position or name.

Same OPD and same year, or the revision is refused. :class:`RevisionReport` says what changed,
in Bahasa Indonesia, for the person generating the forms.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from xlkinerja.base.numbers import format_rupiah
from xlkinerja.form.model import (MURNI, QUARTERS, ROMAN, BudgetRow, Form, Level, Revision,
                                  RevisionKind, RowChange, form_sha256, quarter_of_date)

__all__ = ["RevisionRequest", "RevisionReport", "RevisionError", "revise"]


class RevisionError(ValueError):
    """The revision cannot be made (another OPD or year, a triwulan out of range); the message
    is in Bahasa Indonesia and says what to do."""


@dataclass(frozen=True)
class RevisionRequest:
    """What a spec or master declares: ``revisi: {jenis, mulai_triwulan | tanggal}``."""

    kind: RevisionKind
    effective_quarter: int
    effective_date: str | None = None
    #: the murni pagu of sub kegiatan stated in the spec, by id (used when there is no base form)
    pagu_murni: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: str | RevisionKind, quarter: int | None = None,
           date: str | dt.date | None = None, pagu_murni: dict | None = None) -> "RevisionRequest":
        kind = RevisionKind(kind)
        iso = date.isoformat() if isinstance(date, dt.date) else date
        if quarter is None:
            if iso is None:
                raise RevisionError("revisi perlu triwulan mulai berlaku (mulai_triwulan) atau "
                                    "tanggal berlakunya")
            quarter = quarter_of_date(iso)
        if quarter not in QUARTERS:
            raise RevisionError(f"triwulan mulai berlaku {quarter!r} tidak dikenal (I sampai IV)")
        return cls(kind, quarter, iso, dict(pagu_murni or {}))


@dataclass
class RevisionReport:
    """What the revision changed, row by row."""

    kind: RevisionKind
    effective_quarter: int
    changed: list[tuple[BudgetRow, float, float]] = field(default_factory=list)  # row, before, after
    added: list[BudgetRow] = field(default_factory=list)
    removed: list[BudgetRow] = field(default_factory=list)
    moved: list[tuple[BudgetRow, str, str]] = field(default_factory=list)  # row, old parent, new

    def lines(self) -> list[str]:
        """One line per change, in Bahasa Indonesia."""
        out = []
        for row, before, after in self.changed:
            out.append(f"pagu '{row.name}' {format_rupiah(before)} → {format_rupiah(after)} "
                       f"({_signed(after - before)})")
        for row in self.added:
            out.append(f"sub kegiatan baru '{row.name}' (pagu {format_rupiah(row.pagu)}; "
                       f"dilaporkan mulai TW {ROMAN[self.effective_quarter]})")
        for row in self.removed:
            out.append(f"'{row.name}' dihapus (pagu {format_rupiah(row.murni)} → 0); realisasi "
                       f"sebelum TW {ROMAN[self.effective_quarter]} tetap tercatat")
        for row, old, new in self.moved:
            out.append(f"'{row.name}' dipindah dari '{old}' ke '{new}'")
        return out

    def summary(self) -> str:
        return (f"{self.kind.label} mulai TW {ROMAN[self.effective_quarter]}: "
                f"{len(self.changed)} pagu berubah, {len(self.added)} baris baru, "
                f"{len(self.removed)} dihapus, {len(self.moved)} dipindah")


def _signed(amount: float) -> str:
    return ("+" if amount >= 0 else "-") + format_rupiah(abs(amount))


def revise(new: Form, request: RevisionRequest, base: Form | None = None,
           base_generated_at: str | None = None) -> tuple[Form, RevisionReport]:
    """The revised form: ``new`` (the budget after the revision) with its lineage to ``base``.

    Without a base (the spec states ``pagu_murni`` where it changed), the rows are those of
    ``new``, before the revision at their murni pagu. ``new`` is not changed.
    """
    q0 = request.effective_quarter
    form = copy.deepcopy(new)
    report = RevisionReport(request.kind, q0)
    if base is not None:
        if base.opd_code != new.opd_code:
            raise RevisionError(f"formulir lama milik OPD {base.opd_code} ({base.opd_name}), "
                                f"revisinya untuk OPD {new.opd_code}: revisi hanya untuk OPD yang "
                                "sama. Periksa berkas atau kode OPD-nya.")
        if base.year != new.year:
            raise RevisionError(f"formulir lama tahun {base.year}, revisinya tahun {new.year}: "
                                "revisi hanya dalam tahun anggaran yang sama (untuk tahun berikutnya "
                                "pakai --tahun-berikut).")
        if base.revision is not None and q0 < base.revision.effective_quarter:
            raise RevisionError(
                f"formulir lama sudah {base.revision.kind.value} mulai TW "
                f"{ROMAN[base.revision.effective_quarter]}; revisi berikutnya tidak dapat "
                f"berlaku lebih awal (TW {ROMAN[q0]})")
    before_basis = base.basis if base is not None else (lambda q: MURNI)
    basis = tuple(before_basis(q) if q < q0 else request.kind.value for q in QUARTERS)
    form.revision = Revision(kind=request.kind, effective_quarter=q0, basis=basis,
                             effective_date=request.effective_date,
                             revises=form_sha256(base) if base is not None else None,
                             revises_generated_at=base_generated_at)

    old_rows = {r.id: r for r in base.budget_rows()} if base is not None else {}
    old_parent = {c.id: p for p in (base.budget_rows() if base else []) for c in p.children}
    new_rows = {r.id: r for r in form.budget_rows()}
    new_parent = {c.id: p for p in form.budget_rows() for c in p.children}

    for row in form.leaves():
        after = row.own_pagu or 0
        old = old_rows.get(row.id)
        if base is None:
            murni = request.pagu_murni.get(row.id, after)
            before = [murni] * 4
        elif old is None or not old.is_leaf:
            murni, before = 0, [0] * 4
            row.change, row.change_quarter = RowChange.NEW, q0
            report.added.append(row)
        else:
            murni = old.murni
            before = [old.pagu_at(q) for q in QUARTERS]
            if old.change is RowChange.REMOVED and after:  # taken out earlier, budgeted again
                row.change, row.change_quarter = RowChange.NEW, q0
        row.pagu_murni = murni
        row.pagu_tw = tuple(before[q - 1] if q < q0 else after for q in QUARTERS)
        if base is not None and old is not None and old.is_leaf and row.change is None \
                and before[q0 - 1] != after:
            report.changed.append((row, before[q0 - 1], after))
        elif base is None and murni != after:
            report.changed.append((row, murni, after))
        if old is not None and row.id in old_parent and row.id in new_parent \
                and old_parent[row.id].id != new_parent[row.id].id:
            report.moved.append((row, old_parent[row.id].name, new_parent[row.id].name))

    if base is not None:  # rows of the base the new form no longer lists: kept, pagu 0
        for old in base.leaves():
            if old.id in new_rows:
                continue
            kept = _removed_copy(old, q0)
            _place(form, base, kept, old_parent.get(old.id), new_rows)
            new_rows[kept.id] = kept
            if old.change is not RowChange.REMOVED:  # else removed by an earlier revision
                report.removed.append(kept)
    return form, report


def _removed_copy(old: BudgetRow, q0: int) -> BudgetRow:
    row = BudgetRow(id=old.id, name=old.name, level=old.level, code=old.code, own_pagu=0)
    row.pagu_murni = old.murni
    row.pagu_tw = tuple(old.pagu_at(q) if q < q0 else 0 for q in QUARTERS)
    if old.change is RowChange.REMOVED:  # removed by an earlier revision: keep when
        row.change, row.change_quarter = RowChange.REMOVED, old.change_quarter
    else:
        row.change, row.change_quarter = RowChange.REMOVED, q0
    return row


def _place(form: Form, base: Form, row: BudgetRow, old_parent: BudgetRow | None,
           new_rows: dict[str, BudgetRow]) -> None:
    """Put a removed row back under its parent (made again, empty, if the new form lost it)."""
    if old_parent is None:  # cannot happen for a sub kegiatan; a program at the end
        form.programs.append(row)
        return
    parent = new_rows.get(old_parent.id)
    if parent is None:
        parent = BudgetRow(id=old_parent.id, name=old_parent.name, level=old_parent.level,
                           code=old_parent.code)
        grand = {c.id: p for p in base.budget_rows() for c in p.children}.get(old_parent.id)
        if old_parent.level is Level.PROGRAM or grand is None:
            form.programs.append(parent)
        else:
            _place(form, base, parent, grand, new_rows)
        new_rows[parent.id] = parent
    parent.children.append(row)
