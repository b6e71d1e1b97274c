"""The recap's figures, recomputed from input cells only (never from cached formula results)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterator

from xlkinerja.findings import UNCOUNTED
from xlkinerja.workbook import calc
from xlkinerja.form.model import NOT_AVAILABLE, QUARTERS, ROMAN, Form, Indikator, QuarterEntries
from xlkinerja.base.numbers import format_number, format_rupiah
from xlkinerja.consolidation.plan import OpdPlan
from xlkinerja.consolidation.recap_layout import INDIKATOR, RINCIAN
from xlkinerja.consolidation.records import entries_from_compact

DEFAULT_SCALE = ((91.0, "Sangat Tinggi"), (76.0, "Tinggi"), (66.0, "Sedang"), (51.0, "Rendah"),
                 (0.0, "Sangat Rendah"))


def parse_scale(text: str) -> tuple[tuple[float, str], ...]:
    """'91:Sangat Tinggi,76:Tinggi,...' -> thresholds (percent) in descending order."""
    items = []
    for part in text.split(","):
        if ":" not in part:
            raise ValueError(f"bagian skala '{part.strip()}' harus berbentuk ambang:predikat")
        low, label = part.split(":", 1)
        items.append((float(low.strip().replace(",", ".")), label.strip()))
    if not items or not all(label for _, label in items):
        raise ValueError("skala predikat kosong")
    return tuple(sorted(items, reverse=True))


def predikat(capaian: float | None, scale=DEFAULT_SCALE) -> str | None:
    """Rating of a capaian (a fraction: 0.89 is 89 %)."""
    if capaian is None:
        return None
    percent = capaian * 100
    for low, label in scale:
        if percent >= low:
            return label
    return scale[-1][1]


@dataclass
class IndicatorLine:
    sasaran: str
    ind: Indikator
    values: list[float | str | None]  # per quarter, in the indicator's unit; "-" kept
    final: float | None
    capaian: float | None  # shown (capped)
    capaian_raw: float | None
    predikat: str | None
    target: float | None = None  # what final is compared with: the target so far


@dataclass
class OpdSummary:
    """What the Ringkasan needs of one OPD: small, kept for every OPD of the run."""

    plan: OpdPlan
    pagu: float = 0  # in force at year end: the perubahan after an APBD Perubahan
    total: dict[int, float | None] = field(default_factory=dict)
    indicators: list[IndicatorLine] = field(default_factory=list)
    pagu_murni: float | None = None  # the original budget (None: no form, as pagu)

    @property
    def year_total(self) -> float | None:
        values = [v for v in self.total.values() if v is not None]
        return sum(values) if values else None

    @property
    def measured(self) -> list[IndicatorLine]:
        return [i for i in self.indicators if i.capaian is not None]

    @property
    def average_capaian(self) -> float | None:
        m = self.measured
        return sum(i.capaian for i in m) / len(m) if m else None


@dataclass
class OpdFigures(OpdSummary):
    """Everything about one OPD's figures; built one OPD at a time, then summarised."""

    form: Form | None = None
    entries: dict[int, QuarterEntries] = field(default_factory=dict)
    budget: dict[int, dict] = field(default_factory=dict)  # quarter -> {id: BudgetFigure}

    #: entries of an older form version that the newest version has no place for, not counted:
    #: (file name, message)
    left_out: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> OpdSummary:
        return OpdSummary(plan=self.plan, pagu=self.pagu, total=dict(self.total),
                          indicators=list(self.indicators), pagu_murni=self.pagu_murni)


def opd_figures(plan: OpdPlan, ledger, scale=DEFAULT_SCALE) -> OpdFigures:
    if plan.model_sha is None:  # sent nothing: the pagu as issued, when the register knows it
        return OpdFigures(plan=plan, form=None, pagu=plan.issued_pagu or 0)
    form = Form.from_dict(json.loads(ledger.model(plan.model_sha)))
    entries: dict[int, QuarterEntries] = {}
    cache: dict[str, dict[int, QuarterEntries]] = {}
    for q in QUARTERS:
        source = plan.sources.get(q)
        if source is None:
            continue
        if source.sha256 not in cache:
            cache[source.sha256] = entries_from_compact(ledger.entries(source.sha256) or {})
        entries[q] = cache[source.sha256][q]
    return figures_of(plan, form, entries, scale)


def figures_of(plan: OpdPlan, form: Form, entries: dict[int, QuarterEntries],
               scale=DEFAULT_SCALE) -> OpdFigures:
    """One OPD's figures from its form and the entries of the quarters ``plan.sources`` names
    (the others are empty): what consolidation computes from the ledger, and what the public API
    computes for a single workbook read (``Submission.budget_frame``)."""
    figs = OpdFigures(plan=plan, form=form, pagu=form.total_pagu, pagu_murni=form.total_murni)
    for q in QUARTERS:
        figs.entries[q] = entries.get(q, QuarterEntries()) if q in plan.sources else QuarterEntries()
    _left_out(figs, form)
    for q in QUARTERS:  # against the pagu in force in that quarter
        figs.budget[q] = calc.budget_figures(form, figs.entries[q], q)
        figs.total[q] = calc.total_figure(form, figs.budget[q]).realisasi if plan.sources.get(q) else None
    for s, ind in form.indicators():
        realisasi = []
        for q in QUARTERS:
            entry = figs.entries[q].indikator.get(ind.id)
            realisasi.append(entry.realisasi if entry else None)
        year = calc.indicator_year(realisasi, ind, form.capaian)
        # what is not counted (text, a percent on the wrong scale) is not shown either: it is
        # listed with its cell by uncounted_entries; "-" (not yet available) is kept
        values = [number if number is not None else (NOT_AVAILABLE if value == NOT_AVAILABLE else None)
                  for value, number in zip(realisasi, year.values)]
        figs.indicators.append(IndicatorLine(s.text, ind, values, year.final, year.shown, year.raw,
                                             predikat(year.shown, scale), year.target))
    return figs


def _left_out(figs: OpdFigures, form: Form) -> None:
    """Realisasi taken from a file of an older form version for a row the newest version does
    not have (a revision made without the old file, so the row was not kept as dihapus)."""
    leaves = {r.id for r in form.leaves()}
    for q in QUARTERS:
        source = figs.plan.sources.get(q)
        if source is None or figs.plan.versions.get(q, figs.plan.model_sha) == figs.plan.model_sha:
            continue
        for ident, entry in figs.entries[q].budget.items():
            if ident not in leaves and isinstance(entry.realisasi, (int, float)):
                figs.left_out.append((source.name, (
                    f"TW {ROMAN[q]}: realisasi {format_rupiah(entry.realisasi)} baris '{ident}' "
                    "dari formulir sebelum revisi tidak dihitung: baris itu tidak ada di formulir "
                    "revisi (dibuat tanpa --dari berkas lama). Buat ulang formulir revisi dengan "
                    "--dari agar baris yang dihapus tetap tercatat.")))


def budget_rows(figs: OpdFigures) -> Iterator[tuple]:
    """Long form: (opd code, opd name, kode, id, uraian, level, pagu murni, pagu perubahan,
    pagu in force in the quarter, triwulan, the budget it was reported against, realisasi, %)."""
    if figs.form is None:
        return
    code, name = figs.plan.code, figs.plan.name
    form = figs.form
    # what does not change with the quarter, once per row
    rows = [(row.id, row.code or "", row.name, row.level.label, row.murni, row.pagu)
            for row in form.budget_rows()]
    for q in QUARTERS:
        if q not in figs.plan.sources:
            continue
        budget = figs.budget[q]
        tw = f"TW {ROMAN[q]}"
        basis = form.basis(q)
        for ident, kode, uraian, level, murni, pagu in rows:
            fig = budget[ident]
            yield (code, name, kode, ident, uraian, level, murni, pagu, fig.pagu, tw, basis,
                   fig.realisasi, fig.percent)


# the exports' column names: the keys of the recap's long tables, in the order of the tuples above
BUDGET_COLUMNS = RINCIAN.keys
INDICATOR_COLUMNS = INDIKATOR.keys


def indicator_rows(figs: OpdFigures) -> Iterator[tuple]:
    """Long form; the target is the one the realisasi is compared with (the target so far when
    the form sets quarter targets; else the yearly target)."""
    for line in figs.indicators:
        ind = line.ind
        target = line.target if line.target is not None else ind.target
        yield (figs.plan.code, figs.plan.name, line.sasaran, ind.id, ind.text, ind.unit, target,
               ind.target_high, *line.values, line.final, line.capaian, line.capaian_raw, line.predikat)


# -- entries not counted ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Uncounted:
    """One entry of an accepted file that no figure counts: an amount typed as text, a date, a
    negative amount, an indicator value as text or a percent on the wrong scale."""

    opd_code: str
    opd_name: str
    file: str
    quarter: int
    sheet: str
    cell: str
    kind: str  # "anggaran" | "indikator"
    ident: str | None
    value: str  # what the cell holds
    code: str  # the finding's code (ENTRY_NOT_NUMBER, ENTRY_NEGATIVE, ENTRY_PERCENT_SCALE)
    message: str

    def row(self, names: dict[str, str] | None = None) -> tuple:
        """As the recap lists it (the columns of recap_layout.TIDAK_DIHITUNG): OPD, file, TW,
        sheet, cell, what, what the cell holds, why."""
        name = (names or {}).get(self.ident or "", self.ident or "")
        return (self.opd_code, self.opd_name, self.file, f"TW {ROMAN[self.quarter]}", self.sheet,
                self.cell, "Anggaran" if self.kind == "anggaran" else "Indikator", name, self.value,
                self.message)


def uncounted_in_findings(findings: list[dict], quarters: set[int] | None = None) -> list[dict]:
    """The findings (as stored: dicts) of entries not counted, of the ``quarters`` given (all
    when None): ``len()`` of it is the "N isian tidak dihitung" of one file."""
    return [f for f in findings if UNCOUNTED in (f.get("extra") or {})
            and (quarters is None or f.get("quarter") in quarters)]


def uncounted_entries(plan: OpdPlan) -> list[Uncounted]:
    """Every entry the recap of this OPD leaves out, with its file and cell: of each quarter,
    those of the file the quarter's figures come from (a later file carrying an earlier quarter
    is where that quarter is read)."""
    out: list[Uncounted] = []
    for q in QUARTERS:
        source = plan.sources.get(q)
        if source is None:
            continue
        for f in uncounted_in_findings(source.findings, {q}):
            mark = f["extra"][UNCOUNTED]
            out.append(Uncounted(plan.code, plan.name or "", source.name, q, f.get("sheet") or "",
                                 f.get("cell") or "", mark.get("kind", ""), f.get("ident"),
                                 str(mark.get("value", "")), f["code"], f["message"]))
    return out


# -- what changed between two versions ------------------------------------------------------------

def describe_changes(form: Form, old: dict[int, QuarterEntries], new: dict[int, QuarterEntries],
                     limit: int = 8) -> tuple[int, str]:
    """Count and describe input cells that differ between two submissions of one form."""
    names = {r.id: r.name for r in form.budget_rows()}
    names.update({i.id: i.text for _, i in form.indicators()})
    changes: list[str] = []

    def fmt(v) -> str:
        if v is None:
            return "kosong"
        if v == NOT_AVAILABLE:
            return "-"
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return format_rupiah(v) if abs(v) >= 1000 else format_number(v)
        text = str(v)
        return f"'{text[:30]}…'" if len(text) > 30 else f"'{text}'"

    for q in QUARTERS:
        a, b = old.get(q) or QuarterEntries(), new.get(q) or QuarterEntries()
        for kind, da, db in (("realisasi", a.budget, b.budget), ("indikator", a.indikator, b.indikator)):
            for ident in sorted(set(da) | set(db)):
                ea, eb = da.get(ident), db.get(ident)
                for attr, label in (("realisasi", ""), ("keterangan", " (keterangan)")):
                    va = getattr(ea, attr) if ea else None
                    vb = getattr(eb, attr) if eb else None
                    if va != vb:
                        changes.append(f"TW {ROMAN[q]} {names.get(ident, ident)[:40]}{label}: "
                                       f"{fmt(va)} → {fmt(vb)}")
        for attr, label in (("faktor_pendorong", "Faktor Pendorong"),
                            ("uraian_permasalahan", "Uraian Permasalahan"),
                            ("rencana_tindak_lanjut", "Rencana Tindak Lanjut")):
            if getattr(a, attr) != getattr(b, attr):
                changes.append(f"TW {ROMAN[q]} {label} diubah")
    if not changes:
        return 0, "isian sama"
    text = "; ".join(changes[:limit])
    if len(changes) > limit:
        text += f"; dan {len(changes) - limit} perubahan lain"
    return len(changes), text


def describe_form_differences(old: Form, new: Form, limit: int = 6) -> str:
    """What differs in the locked content of two versions of one OPD's form."""
    out: list[str] = []
    a = {r.id: r for r in old.budget_rows()}
    b = {r.id: r for r in new.budget_rows()}
    for ident in sorted(set(a) | set(b)):
        if ident not in a:
            out.append(f"baris baru '{b[ident].name[:40]}'")
        elif ident not in b:
            out.append(f"baris '{a[ident].name[:40]}' tidak ada lagi")
        elif a[ident].is_leaf and a[ident].pagu != b[ident].pagu:
            out.append(f"pagu '{a[ident].name[:40]}' {format_rupiah(a[ident].pagu)} → "
                       f"{format_rupiah(b[ident].pagu)}")
    ia = {i.id: i for _, i in old.indicators()}
    ib = {i.id: i for _, i in new.indicators()}
    for ident in sorted(set(ia) | set(ib)):
        if ident in ia and ident in ib and (ia[ident].target, ia[ident].target_high) != \
                (ib[ident].target, ib[ident].target_high):
            out.append(f"target '{ia[ident].text[:40]}' {format_number(ia[ident].target)} → "
                       f"{format_number(ib[ident].target)}")
        elif (ident in ia) != (ident in ib):
            out.append(f"indikator '{(ia.get(ident) or ib.get(ident)).text[:40]}' "
                       f"{'dihapus' if ident in ia else 'ditambah'}")
    if (old.opd_name, old.year) != (new.opd_name, new.year):
        out.append("identitas OPD/tahun berbeda")
    if not out:
        return "perbedaan pada teks atau susunan formulir"
    text = "; ".join(out[:limit])
    return text + (f"; dan {len(out) - limit} lainnya" if len(out) > limit else "")
