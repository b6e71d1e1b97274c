"""Which file counts: grouping by identity, resubmissions, conflicts, status per OPD.

Pure decisions over :class:`~.records.FileResult` summaries (no workbook is opened here):

- the same content twice (two copies of one attachment) is one submission (``duplikat``);
- unreadable files, files for another year, unfilled forms, and files that cannot be vouched
  for (not issued, signature not valid, hidden form, locked values or formulas changed; see
  :mod:`xlkinerja.findings.acceptance`) or that were withdrawn are ``ditolak``; the OPD's status
  then says the file must be sent again and why (``kirim ulang``);
- per OPD, files carrying different versions of the form (another pagu or target) are a
  *conflict*: the version the register says is current is used (without a register: the newest
  by lineage, generation time, then arrival), the others are ``konflik`` and reported, never
  merged;
- per OPD and triwulan (the latest triwulan a file fills), the file that arrived last is
  ``diterima`` and the others ``digantikan``; arrival is the ledger's (first seen, then the
  file's time on disk then), never the workbook's own "last saved";
- each quarter's figures come from the accepted file that arrived last among those that fill
  that quarter (a TW II file carries TW I too, with corrections);
- with a register, every OPD with an issued form for the year is in the plan, with its issued
  pagu, whether it sent anything or not;
- a revised form (APBD Perubahan, pergeseran) names the version it revises (its lineage): files
  of the versions it revises are not a conflict. Each quarter comes from the newest version that
  carries it; a file of an older version still counts for the quarters before the revision that
  replaced it when no newer file carries them, never for the quarters after (those were reported
  against a pagu no longer in force), and is otherwise ``digantikan``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from xlkinerja.findings.acceptance import rejection_text
from xlkinerja.form.model import QUARTERS, ROMAN
from xlkinerja.consolidation.records import FileResult

ACCEPTED, SUPERSEDED, REJECTED, DUPLICATE, CONFLICT = (
    "diterima", "digantikan", "ditolak", "duplikat", "konflik")

STATUS_COMPLETE, STATUS_MISSING, STATUS_ERRORS, STATUS_CONFLICT, STATUS_RESEND = (
    "lengkap", "belum mengirim", "ada kesalahan", "konflik", "kirim ulang")


class MixedYears(Exception):
    """Files of several years and nothing that says which to consolidate; the message lists
    the years and how many files each (Bahasa Indonesia)."""

    def __init__(self, counts: dict[int, int]):
        self.counts = dict(sorted(counts.items()))
        listing = ", ".join(f"{y}: {n} berkas" for y, n in self.counts.items())
        super().__init__(f"berkas kiriman berisi formulir beberapa tahun ({listing}). Sebutkan "
                         f"tahunnya dengan --tahun, mis. --tahun {max(self.counts)}; berkas tahun "
                         "lain akan ditolak.")


def choose_year(results: list[FileResult], register_years: dict[int, int] | None = None) -> int | None:
    """The year to consolidate when none is given: the only year of the readable files; or,
    when they are of several years, the only one of those the register issued forms for;
    otherwise :class:`MixedYears`. Never a silent majority."""
    years = Counter(r.year for r in results if r.readable and r.year is not None)
    if len(years) <= 1:
        if years:
            return next(iter(years))
        if register_years and len(register_years) == 1:
            return next(iter(register_years))
        return None
    issued = [y for y in years if register_years and y in register_years]
    if len(issued) == 1:
        return issued[0]
    raise MixedYears(dict(years))


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
    #: the form version the register issued to this OPD for the year (None: no register)
    issued: object = None
    #: pagu as issued (the register), used when the OPD sent nothing
    issued_pagu: float | None = None
    #: rejected files of this OPD not followed by an accepted one: (file, why)
    resend: list[tuple[FileResult, str]] = field(default_factory=list)

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
              lineage: dict[str, VersionInfo] | None = None, issued: dict | None = None,
              register_years: dict[int, int] | None = None) -> Plan:
    """``issued``: the register's current version of every OPD for the year (code ->
    :class:`~xlkinerja.register.IssuedVersion`), None without a register."""
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

    if year is None:
        year = choose_year(unique, register_years)

    candidates: list[FileResult] = []
    refused: list[FileResult] = []  # readable files of the year that cannot be counted
    for r in unique:
        why = r.rejected or rejection_text(f["code"] for f in r.findings)
        if not r.readable:
            decisions.append(Decision(r, REJECTED, note="berkas tidak dapat dibaca sebagai formulir"))
        elif r.year != year:
            decisions.append(Decision(r, REJECTED, note=f"formulir tahun {r.year}, rekap tahun {year}"))
        elif why:
            decisions.append(Decision(r, REJECTED, note=why))
            refused.append(r)
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
        current = issued.get(code) if issued else None
        if current is not None and current.model_sha in versions:
            chosen = current.model_sha  # the register says which version is in force
        elif issued is not None:  # authentic versions, none the current: the newest arrival
            chosen = max(heads, key=lambda m: max(r.when for r in versions[m]))
        else:
            chosen = max(heads, key=lambda m: (max(r.generated_at or "" for r in versions[m]),
                                               max(r.when for r in versions[m])))
        chain = _chain(chosen, lineage)  # chosen, the version it revises, ...
        plan = OpdPlan(code=code, name=_newest(versions[chosen]).opd_name, model_sha=chosen,
                       issued=current, issued_pagu=current.total_pagu if current else None)
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
        # the file that arrived last among those filling a quarter carries its latest figures (a
        # TW II file corrects TW I; a correction of TW II sent after TW IV corrects TW II)
        ordered = sorted(plan.accepted.values(), key=lambda r: (r.when, r.quarter), reverse=True)
        for q in QUARTERS:
            source = next((r for r in ordered if q in r.filled), None)
            if source is not None:
                plan.sources[q] = source
        if len(chain) > 1:
            _older_versions(plan, chain, versions, lineage, decisions)
        opds[code] = plan

    for code, version in (issued or {}).items():
        if code not in opds:
            opds[code] = OpdPlan(code=code, name=version.opd_name, issued=version,
                                 issued_pagu=version.total_pagu)
    for code, name in (expected_opds or {}).items():
        opds.setdefault(code, OpdPlan(code=code, name=name))
    for r in refused:  # a rejected file stands until a file that arrived later replaces it
        if r.opd_code is None:
            continue
        plan = opds.setdefault(r.opd_code, OpdPlan(code=r.opd_code, name=r.opd_name or ""))
        later = [a for a in plan.accepted.values()
                 if a.when > r.when and (a.quarter or 0) >= (r.quarter or 0)]
        if not later:
            plan.resend.append((r, r.rejected or rejection_text(f["code"] for f in r.findings)))

    if quarter is None:
        quarters = [p.latest_quarter for p in opds.values() if p.latest_quarter]
        quarter = max(quarters) if quarters else None
    for plan in opds.values():
        if plan.resend:
            plan.status = STATUS_RESEND
            plan.note = "; ".join(f"{r.name} ditolak ({why})" for r, why in plan.resend)
            continue
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
