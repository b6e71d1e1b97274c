"""Which file counts: grouping by identity, resubmissions, conflicts, status per OPD.

Pure decisions over :class:`~.records.FileResult` summaries (no workbook is opened here):

- the same content twice (two copies of one attachment) is one submission (``duplikat``);
- unreadable files, files for another year and unfilled forms are ``ditolak``;
- per OPD, files carrying different versions of the form (another pagu or target) are a
  *conflict*: the newest version (by generation time, then save time) is used, the others are
  ``konflik`` and reported, never merged;
- per OPD and triwulan (the latest triwulan a file fills), the latest saved file is ``diterima``
  and the others ``digantikan``;
- each quarter's figures come from the most recently saved accepted file that fills that quarter
  (a TW II file carries TW I too, with corrections).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from xlkinerja.form.model import QUARTERS
from xlkinerja.consolidation.records import FileResult

ACCEPTED, SUPERSEDED, REJECTED, DUPLICATE, CONFLICT = (
    "diterima", "digantikan", "ditolak", "duplikat", "konflik")

STATUS_COMPLETE, STATUS_MISSING, STATUS_ERRORS, STATUS_CONFLICT = (
    "lengkap", "belum mengirim", "ada kesalahan", "konflik")


@dataclass
class Decision:
    result: FileResult
    status: str
    superseded_by: FileResult | None = None
    note: str | None = None


@dataclass
class OpdPlan:
    code: str
    name: str
    model_sha: str | None = None
    accepted: dict[int, FileResult] = field(default_factory=dict)  # by the triwulan they fill last
    sources: dict[int, FileResult] = field(default_factory=dict)  # where each quarter's data comes from
    conflicts: list[FileResult] = field(default_factory=list)
    status: str = STATUS_MISSING
    note: str = ""

    @property
    def latest_quarter(self) -> int | None:
        return max(self.accepted) if self.accepted else None

    @property
    def used_files(self) -> list[FileResult]:
        seen, out = set(), []
        for q in sorted(self.sources):
            r = self.sources[q]
            if r.sha256 not in seen:
                seen.add(r.sha256)
                out.append(r)
        return out


@dataclass
class Plan:
    year: int | None
    quarter: int | None  # the reporting triwulan
    opds: dict[str, OpdPlan]
    decisions: list[Decision]

    def decision_of(self, result: FileResult) -> Decision:
        for d in self.decisions:
            if d.result is result:
                return d
        raise KeyError(result.path)


def _newest(results: list[FileResult]) -> FileResult:
    return max(results, key=lambda r: (r.when, r.name))


def make_plan(results: list[FileResult], year: int | None = None, quarter: int | None = None,
              expected_opds: dict[str, str] | None = None) -> Plan:
    decisions: list[Decision] = []
    by_sha: dict[str, FileResult] = {}
    unique: list[FileResult] = []
    for r in sorted(results, key=lambda r: r.path):
        first = by_sha.get(r.sha256)
        if first is not None:
            decisions.append(Decision(r, DUPLICATE, first, f"isi sama persis dengan {first.name}"))
            continue
        by_sha[r.sha256] = r
        unique.append(r)

    readable = [r for r in unique if r.readable]
    if year is None:
        years = Counter(r.year for r in readable if r.year is not None)
        year = years.most_common(1)[0][0] if years else None

    candidates: list[FileResult] = []
    for r in unique:
        if not r.readable:
            decisions.append(Decision(r, REJECTED, note="berkas tidak dapat dibaca sebagai formulir"))
        elif r.year != year:
            decisions.append(Decision(r, REJECTED, note=f"formulir tahun {r.year}, rekap tahun {year}"))
        elif r.quarter is None:
            decisions.append(Decision(r, REJECTED, note="formulir belum diisi"))
        else:
            candidates.append(r)

    opds: dict[str, OpdPlan] = {}
    by_opd: dict[str, list[FileResult]] = defaultdict(list)
    for r in candidates:
        by_opd[r.opd_code].append(r)
    for code, files in by_opd.items():
        versions: dict[str, list[FileResult]] = defaultdict(list)
        for r in files:
            versions[r.model_sha].append(r)
        chosen = max(versions, key=lambda m: (max(r.generated_at or "" for r in versions[m]),
                                              max(r.when for r in versions[m])))
        plan = OpdPlan(code=code, name=_newest(versions[chosen]).opd_name, model_sha=chosen)
        for model_sha, group in versions.items():
            if model_sha == chosen:
                continue
            for r in group:
                plan.conflicts.append(r)
                decisions.append(Decision(r, CONFLICT, _newest(versions[chosen]),
                                          "versi formulir berbeda (pagu/target/baris) dari kiriman "
                                          "terbaru OPD ini; tidak digabung"))
        by_quarter: dict[int, list[FileResult]] = defaultdict(list)
        for r in versions[chosen]:
            by_quarter[r.quarter].append(r)
        for q, group in by_quarter.items():
            latest = _newest(group)
            plan.accepted[q] = latest
            decisions.append(Decision(latest, ACCEPTED))
            for r in group:
                if r is not latest:
                    decisions.append(Decision(r, SUPERSEDED, latest))
        # the most recently saved file that fills a quarter carries its latest figures (a TW II
        # file corrects TW I; a correction of TW II sent after TW IV corrects TW II)
        ordered = sorted(plan.accepted.values(), key=lambda r: (r.when, r.quarter), reverse=True)
        for q in QUARTERS:
            source = next((r for r in ordered if q in r.filled), None)
            if source is not None:
                plan.sources[q] = source
        opds[code] = plan

    for code, name in (expected_opds or {}).items():
        opds.setdefault(code, OpdPlan(code=code, name=name))

    if quarter is None:
        quarters = [p.latest_quarter for p in opds.values() if p.latest_quarter]
        quarter = max(quarters) if quarters else None
    for plan in opds.values():
        if plan.conflicts:
            plan.status = STATUS_CONFLICT
            plan.note = f"{len(plan.conflicts)} berkas versi formulir lain"
        elif not plan.accepted or (quarter and (plan.latest_quarter or 0) < quarter):
            plan.status = STATUS_MISSING
            plan.note = f"belum mengirim TW {quarter}" if plan.accepted else "belum ada kiriman"
        elif any(r.n_error for r in plan.used_files):
            plan.status = STATUS_ERRORS
            plan.note = f"{sum(r.n_error for r in plan.used_files)} galat"
        else:
            plan.status = STATUS_COMPLETE
    return Plan(year=year, quarter=quarter, opds=dict(sorted(opds.items())), decisions=decisions)
