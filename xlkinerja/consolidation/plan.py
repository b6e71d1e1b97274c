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
  (a TW II file carries TW I too, with corrections);
- a revised form (APBD Perubahan, pergeseran) names the version it revises (its lineage): files
  of the versions it revises are not a conflict. Each quarter comes from the newest version that
  carries it; a file of an older version still counts for the quarters before the revision that
  replaced it when no newer file carries them, never for the quarters after (those were reported
  against a pagu no longer in force), and is otherwise ``digantikan``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from xlkinerja.form.model import QUARTERS, ROMAN
from xlkinerja.consolidation.records import FileResult

ACCEPTED, SUPERSEDED, REJECTED, DUPLICATE, CONFLICT = (
    "diterima", "digantikan", "ditolak", "duplikat", "konflik")

STATUS_COMPLETE, STATUS_MISSING, STATUS_ERRORS, STATUS_CONFLICT = (
    "lengkap", "belum mengirim", "ada kesalahan", "konflik")


@dataclass(frozen=True)
class VersionInfo:
    """What consolidation needs of a form version's lineage (from its form, in the ledger)."""

    revises: str | None = None  # model hash of the version it revises
    effective_quarter: int | None = None  # first triwulan reported against it
    kind: str | None = None  # "perubahan" / "pergeseran"
    basis: tuple[str, ...] = ("murni",) * 4  # the budget in force in TW I..IV

    def label(self) -> str:
        return f"formulir {self.kind}" if self.kind else "formulir murni"


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
    #: per quarter, the version (model hash) its figures come from, when a revision is involved
    versions: dict[int, str] = field(default_factory=dict)
    #: files of an older version whose quarters after the revision were not counted: (file, TW)
    stale_quarters: list[tuple[FileResult, list[int]]] = field(default_factory=list)

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


def _chain(sha: str, lineage: dict[str, VersionInfo]) -> list[str]:
    """``sha`` and the versions it revises, newest first (a cycle, impossible unless forged,
    stops the walk)."""
    out = [sha]
    while True:
        info = lineage.get(out[-1])
        nxt = info.revises if info else None
        if nxt is None or nxt in out:
            return out
        out.append(nxt)


def make_plan(results: list[FileResult], year: int | None = None, quarter: int | None = None,
              expected_opds: dict[str, str] | None = None,
              lineage: dict[str, VersionInfo] | None = None) -> Plan:
    lineage = lineage or {}
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
        # a version another one present revises is older than it, whatever the dates say
        revised = {old for m in versions for old in _chain(m, lineage)[1:]}
        heads = [m for m in versions if m not in revised] or list(versions)
        chosen = max(heads, key=lambda m: (max(r.generated_at or "" for r in versions[m]),
                                           max(r.when for r in versions[m])))
        chain = _chain(chosen, lineage)  # chosen, the version it revises, ...
        plan = OpdPlan(code=code, name=_newest(versions[chosen]).opd_name, model_sha=chosen)
        for model_sha, group in versions.items():
            if model_sha == chosen or model_sha in chain:
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
        if len(chain) > 1:
            _older_versions(plan, chain, versions, lineage, decisions)
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


def _older_versions(plan: OpdPlan, chain: list[str], versions: dict[str, list[FileResult]],
                    lineage: dict[str, VersionInfo], decisions: list[Decision]) -> None:
    """Files of the versions the chosen one revises: each counts for the quarters before the
    revision that replaced its version, where no newer version's file carries them."""
    newest = _newest(versions[chain[0]])
    for q in QUARTERS:
        if q in plan.sources:
            plan.versions[q] = chain[0]
    for i, sha in enumerate(chain[1:], start=1):
        group = versions.get(sha)
        if not group:
            continue
        # the revision right after this version: its first triwulan ends this version's validity
        until = lineage[chain[i - 1]].effective_quarter or 1
        used: set[str] = set()
        ordered = sorted(group, key=lambda r: (r.when, r.quarter), reverse=True)
        for q in QUARTERS:
            if q >= until or q in plan.sources:
                continue
            source = next((r for r in ordered if q in r.filled), None)
            if source is not None:
                plan.sources[q] = source
                plan.versions[q] = sha
                used.add(source.sha256)
        label = lineage[chain[i - 1]].label()
        for r in group:
            late = [q for q in r.filled if q >= until]
            if late:
                plan.stale_quarters.append((r, late))
            if r.sha256 in used:
                decisions.append(Decision(r, ACCEPTED, note=(
                    "versi formulir sebelum revisi; dipakai untuk " + ", ".join(
                        f"TW {ROMAN[q]}" for q in sorted(q for q, s in plan.sources.items()
                                                  if s is r)))))
            else:
                decisions.append(Decision(r, SUPERSEDED, newest,
                                          f"digantikan oleh {label} ({newest.name})"))
