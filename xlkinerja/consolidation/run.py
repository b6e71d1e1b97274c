"""Consolidation: many returned workbooks -> one recap, with a ledger of every submission.

Files are read in parallel worker processes (both cores by default) and their results streamed
into the ledger as they arrive, so memory stays flat however many files there are. Files already
in the ledger (same content, same reading rules) are not opened again. Totals and percentages are
recomputed from input cells only. The recap, the exports and the ledger are written so that an
interrupted run leaves the previous ones intact.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from xlkinerja.base.version import __version__
from xlkinerja.base.atomic import AtomicFile, atomic_path
from xlkinerja.reading.files import discover
from xlkinerja.findings import Finding, Severity
from xlkinerja.base.parallel import ordered_map
from xlkinerja.validation.rules import ValidationOptions
from xlkinerja.consolidation.pembanding import PEMBANDING_COLUMNS, Pembanding
from xlkinerja.consolidation.figures import (BUDGET_COLUMNS, DEFAULT_SCALE, INDICATOR_COLUMNS, OpdSummary, budget_rows,
                      describe_changes, describe_form_differences, indicator_rows, opd_figures,
                      uncounted_entries)
from xlkinerja.consolidation.ledger import Ledger
from xlkinerja.consolidation.options import ConsolidateOptions
from xlkinerja.consolidation.plan import (ACCEPTED, CONFLICT, DUPLICATE, REJECTED, SUPERSEDED, Plan,
                                          VersionInfo, choose_year, make_plan)
from xlkinerja.findings.acceptance import rejecting_codes
from xlkinerja.consolidation.recap import ConsolidationFinding, long_sheet_rows, sheets_in_exports_only, write_recap
from xlkinerja.consolidation.recap_layout import SHEET_RINCIAN, SHEET_TEMUAN, TEMUAN
from xlkinerja.consolidation.records import FileResult, entries_from_compact, read_file, sha256_file


@dataclass
class RunSummary:
    output: Path
    ledger: Path
    n_files: int = 0
    n_read: int = 0  # opened this run (new or changed content)
    n_reused: int = 0  # known from the ledger
    statuses: dict[str, int] = field(default_factory=dict)
    opd_statuses: dict[str, int] = field(default_factory=dict)
    n_opd: int = 0
    year: int | None = None
    quarter: int | None = None
    findings: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    exports: list[Path] = field(default_factory=list)
    # long sheets too big for the recap: (sheet, rows, whether this run's exports hold its table)
    exports_only: list[tuple[str, int, bool]] = field(default_factory=list)
    n_uncounted: int = 0  # entries of the files used that no figure counts (sheet Tidak Dihitung)
    #: the register identities were checked against; None: identities could not be confirmed
    register: Path | None = None
    register_note: str | None = None  # e.g. the register used before is gone
    n_archive: int = 0  # submissions counted from the ledger's archive (file no longer in inputs)
    archive_missing: list[str] = field(default_factory=list)  # accepted before, copy gone
    n_withdrawn: int = 0
    n_not_authentic: int = 0  # readable files of the year rejected as not vouched for
    n_missing_opd: int = 0  # OPD with an issued form that sent nothing


class Progress:
    """A one-line progress bar on stderr for long runs."""

    def __init__(self, total: int, label: str, enabled: bool):
        self.total, self.label, self.enabled = total, label, enabled and total > 0
        self.done = 0
        self.last = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and self.done < self.total:
            return
        self.last = now
        width = 30
        filled = int(width * self.done / self.total)
        sys.stderr.write(f"\r{self.label} {self.done}/{self.total} [{'#' * filled}{'.' * (width - filled)}] "
                         f"{100 * self.done // self.total}%")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _read_one(args: tuple[str, str, bool, float]) -> FileResult:
    path, sha, check_formulas, low = args
    try:
        result = read_file(Path(path), ValidationOptions(check_formulas=check_formulas,
                                                         low_capaian=low), sha or None)
    except BaseException as exc:  # a bug must not stop the batch, and must show
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return _unread(args, f"{type(exc).__name__}: {exc}")
    return result.pack_for_ledger()  # compressed here, in parallel, not by the ledger's writer


def _crashed(args: tuple[str, str, bool, float], exc: BaseException) -> FileResult:
    from concurrent.futures.process import BrokenProcessPool

    return _unread(args, "proses pembaca berhenti mendadak" if isinstance(exc, BrokenProcessPool)
                   else f"{type(exc).__name__}: {exc}")


def _unread(args: tuple[str, str, bool, float], what: str) -> FileResult:
    """A file xlkinerja itself failed to read (a bug, a reading process that died): rejected with
    one INTERNAL_ERROR finding, and not stored in the ledger, so that the next run reads it again."""
    path = Path(args[0])
    try:
        stat = path.stat()
        size, mtime = stat.st_size, stat.st_mtime
    except OSError:
        size, mtime = 0, 0.0
    finding = Finding(file=path.name, severity=Severity.ERROR, code="INTERNAL_ERROR",
                      message=f"Kesalahan internal xlkinerja saat membaca berkas ini ({what}). "
                              "Berkas lain tetap digabung; laporkan kepada pengembang beserta "
                              "berkasnya.")
    return FileResult(path=str(path), name=path.name, sha256=args[1], size=size, mtime=mtime,
                      saved_at=None, readable=False, n_error=1, findings=[finding.to_dict()],
                      transient=True)


def _read_all(todo: list[tuple[str, str]], options: ConsolidateOptions) -> Iterator[FileResult]:
    """Read files, in worker processes when there are enough of them (see
    :func:`xlkinerja.base.parallel.ordered_map`); results in input order, a few in flight at a time."""
    args = [(p, sha, options.check_formulas, options.low_capaian) for p, sha in todo]
    yield from ordered_map(_read_one, args, options.jobs, on_crash=_crashed)


def consolidate(inputs: list[str | Path], options: ConsolidateOptions) -> RunSummary:
    started = time.monotonic()
    output = Path(options.output)
    ledger = Ledger(options.ledger_path)
    summary = RunSummary(output=output, ledger=ledger.path)
    show = options.progress if options.progress is not None else sys.stderr.isatty()
    cleanup: list = []
    try:
        recap = Path(options.target or output)
        check_exports(options, ledger)
        files, _ = discover(inputs, exclude=[output, recap, ledger.path, ledger.archive_dir])
        now = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        ledger.begin_run(now, str(recap.resolve()), [str(Path(p).resolve()) for p in inputs])
        results, todo = [], []
        hashing = Progress(len(files), "Memeriksa berkas", show)
        known: dict[str, FileResult] = {}
        for path in files:
            try:
                stat = path.stat()
                sha = sha256_file(path)
            except OSError:
                todo.append((str(path), ""))  # read_file reports it
                hashing.step()
                continue
            if ledger.known(sha, options.fingerprint):
                results.append(ledger.load(sha, str(path), path.name, stat.st_mtime))
                summary.n_reused += 1
            else:
                todo.append((str(path), sha))
            hashing.step()
        hashing.close()
        reading = Progress(len(todo), "Membaca berkas", show)
        for result in _read_all(todo, options):
            if result.sha256 and result.sha256 not in known and not result.transient:
                ledger.store(result, options.fingerprint, now)
                known[result.sha256] = result
            result.entries = None  # kept in the ledger, not in memory
            result.model = None
            result.entries_blob = result.model_blob = None
            results.append(result)
            summary.n_read += 1
            reading.step()
        reading.close()
        summary.n_files = len(results)

        register = _open_register(options, ledger, inputs, summary)
        if register is not None:
            cleanup.append(register.close)
        results.extend(_from_archive(ledger, results, summary))
        _mark_withdrawn(ledger, results, summary)
        year = options.year
        if year is None:
            year = choose_year(results, register.years() if register else None)
        issued = register.current_versions(year) if register is not None and year else None
        for r in results:
            _vouch(r, register, year, now)
        lineage = _lineage(results, ledger)
        plan = make_plan(results, year, options.quarter, options.expected_opds, lineage, issued)
        summary.year, summary.quarter = plan.year, plan.quarter
        findings = _plan_findings(plan, ledger)
        findings += _version_findings(plan, lineage, ledger)
        for name in summary.archive_missing:
            findings.append(ConsolidationFinding(
                name, None, None, Severity.WARNING.value, "CONSOLIDATE_ARCHIVE_MISSING",
                f"Kiriman {name} diterima pada rekap sebelumnya, tetapi berkasnya tidak ada lagi di "
                "folder kiriman dan salinannya di arsip ledger hilang atau berubah. Kiriman ini tidak "
                "dihitung; minta OPD mengirim ulang atau kembalikan berkasnya."))
        summary.n_not_authentic = sum(1 for d in plan.decisions if d.status == REJECTED
                                      and d.result.readable and d.result.year == plan.year
                                      and rejecting_codes(f["code"] for f in d.result.findings))
        summary.n_missing_opd = sum(1 for p in plan.opds.values() if p.issued and not p.accepted)
        for d in plan.decisions:
            ledger.sight(d.result, d.status, d.superseded_by.name if d.superseded_by else None, d.note)
            summary.statuses[d.status] = summary.statuses.get(d.status, 0) + 1
            if d.status == ACCEPTED and not d.result.from_archive:
                ledger.archive(Path(d.result.path), d.result.sha256)

        # one pass: figures per OPD, streamed into the exports, summaries kept; the budget rows are
        # kept for the recap's long sheet only while they fit in it (beyond, the sheet has a
        # message and the table is in the exports), so memory stays bounded at any N
        summaries: list[OpdSummary] = []
        indicator_lines: list[tuple] = []
        n_budget = 0
        long_rows: list[tuple] | None = []
        fit = long_sheet_rows(SHEET_RINCIAN)
        figuring = Progress(len(plan.opds), "Menghitung rekap", show)
        exports = _Exports(options)
        cleanup.append(exports.abort)
        uncounted: list[tuple] = []
        pembanding = Pembanding()
        for opd in plan.opds.values():
            figs = opd_figures(opd, ledger, options.scale)
            for what in figs.left_out:
                findings.append(ConsolidationFinding(
                    what[0], opd.code, opd.name, Severity.WARNING.value, "CONSOLIDATE_NOT_COUNTED",
                    what[1]))
            items = uncounted_entries(opd)
            if items:
                names = {r.id: r.name for r in figs.form.budget_rows()} if figs.form else {}
                if figs.form:
                    names.update({i.id: i.text for _, i in figs.form.indicators()})
                uncounted.extend(u.row(names) for u in items)
            pembanding.add(figs, options.pemda)
            rows = list(budget_rows(figs))
            n_budget += len(rows)
            exports.budget(rows)
            if long_rows is not None:
                if n_budget <= fit:
                    long_rows.extend(rows)
                else:
                    long_rows = None
            lines = list(indicator_rows(figs))
            indicator_lines.extend(lines)
            summaries.append(figs.summary())
            figuring.step()
        figuring.close()
        exports.indicators(indicator_lines)
        exports.findings(findings)
        exports.pembanding(pembanding.rows)
        summary.n_opd = len(summaries)
        for s in summaries:
            summary.opd_statuses[s.plan.status] = summary.opd_statuses.get(s.plan.status, 0) + 1
        for f in findings:
            summary.findings[f.severity] = summary.findings.get(f.severity, 0) + 1

        summary.exports_only = [
            (sheet, n, bool(options.csv_dir) or (bool(options.parquet) and sheet != SHEET_TEMUAN))
            for sheet, n in sheets_in_exports_only(n_budget, len(indicator_lines), len(findings))]
        with atomic_path(output) as tmp:
            write_recap(tmp, plan, summaries, findings, long_rows or [], n_budget, indicator_lines,
                        [str(Path(p).resolve()) for p in inputs], ledger.path, options,
                        uncounted=uncounted, pembanding=pembanding, register=summary.register)
            summary.n_uncounted = len(uncounted)
            summary.exports = exports.finish()
            for path in summary.exports:  # what xlkinerja wrote: the button may write it again
                ledger.export_written(path, sha256_file(path))
            summary.seconds = time.monotonic() - started
            ledger.commit_run(dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
                              summary.n_files, summary.n_read,
                              {"statuses": summary.statuses, "opd": summary.opd_statuses})
        if register is not None:
            register.close()
        return summary
    except BaseException:
        ledger.rollback()
        for undo in cleanup:
            undo()
        raise
    finally:
        ledger.close()


def _lineage(results: list[FileResult], ledger: Ledger) -> dict[str, VersionInfo]:
    """The lineage of every form version among the files (a revised form names the version it
    revises), read from the forms the ledger holds; versions never revised are left out."""
    import json

    out: dict[str, VersionInfo] = {}
    for sha in {r.model_sha for r in results if r.readable and r.model_sha}:
        try:
            rev = json.loads(ledger.model(sha)).get("revision")
        except (TypeError, ValueError):
            continue
        if rev:
            out[sha] = VersionInfo(revises=rev.get("revises"),
                                   effective_quarter=rev.get("effective_quarter"),
                                   kind=rev.get("kind"), basis=tuple(rev.get("basis") or ()))
    return out


def _version_findings(plan: Plan, lineage: dict[str, VersionInfo],
                      ledger: Ledger) -> list[ConsolidationFinding]:
    """Which version each quarter came from (ledger and Temuan), and the quarters of an old
    version reported after the revision that were not counted."""
    from xlkinerja.form.model import ROMAN

    out: list[ConsolidationFinding] = []
    for opd in plan.opds.values():
        if not opd.sources:
            continue
        head = lineage.get(opd.model_sha)
        parts: dict[tuple[str, str], list[int]] = {}
        for q, source in sorted(opd.sources.items()):
            version = opd.versions.get(q, opd.model_sha)
            basis = head.basis[q - 1] if head and len(head.basis) == 4 else "murni"
            ledger.source_of_quarter(opd.code, q, source, version, basis)
            info = lineage.get(version)
            parts.setdefault((source.name, info.label() if info else "formulir murni"), []).append(q)
        if head is not None:  # a revised form is involved: say where each quarter came from
            text = "; ".join(f"{', '.join('TW ' + ROMAN[q] for q in qs)} dari {name} ({label})"
                             for (name, label), qs in parts.items())
            out.append(ConsolidationFinding(
                opd.sources[max(opd.sources)].name, opd.code, opd.name, Severity.INFO.value,
                "CONSOLIDATE_VERSION",
                f"Formulir OPD ini direvisi ({head.kind} mulai TW "
                f"{ROMAN.get(head.effective_quarter, '?')}); angka per triwulan: {text}."))
        for r, late in opd.stale_quarters:
            if all(opd.sources.get(q) is not r for q in late):
                tws = ", ".join(f"TW {ROMAN[q]}" for q in late)
                out.append(ConsolidationFinding(
                    r.name, opd.code, opd.name, Severity.WARNING.value, "CONSOLIDATE_OLD_VERSION_QUARTER",
                    f"{tws} diisi pada formulir sebelum revisi, padahal sejak revisi pagu yang "
                    f"berlaku sudah berubah: {tws} dari berkas ini tidak dihitung. Minta OPD "
                    "mengisi triwulan itu pada formulir revisi."))
    return out


def _open_register(options: ConsolidateOptions, ledger: Ledger, inputs, summary: RunSummary):
    """The register identities are checked against (see ConsolidateOptions.register)."""
    from xlkinerja.register import Register, find_register

    if not options.use_register:
        return None
    path = options.register
    if path is None:
        before = ledger.remembered_register()
        if before and Path(before).is_file():
            path = Path(before)
        else:
            places = [ledger.path.parent, Path(options.output).parent,
                      *([Path(options.target).parent] if options.target else []), *inputs]
            path = find_register(places)
            if before:
                summary.register_note = (f"register yang dipakai sebelumnya ({before}) tidak "
                                         "ditemukan lagi" + (f"; dipakai {path}" if path else ""))
    if path is None:
        return None
    register = Register.open(path)
    ledger.remember_register(register.path)
    summary.register = register.path
    return register


def _from_archive(ledger: Ledger, results: list[FileResult], summary: RunSummary) -> list[FileResult]:
    """The submissions the last run counted whose file is no longer in the inputs: counted from
    the ledger's archived copy (its SHA-256 checked), until replaced or withdrawn."""
    present = {r.sha256 for r in results}
    withdrawn = ledger.withdrawals()
    out = []
    for sha, name in ledger.last_accepted():
        if sha in present or sha in withdrawn:
            continue
        copy = ledger.archived_copy(sha)
        if copy is None:
            summary.archive_missing.append(name)
            continue
        r = ledger.load(sha, str(copy), name, copy.stat().st_mtime)
        r.from_archive = True
        present.add(sha)
        out.append(r)
    summary.n_archive = len(out)
    return out


def _mark_withdrawn(ledger: Ledger, results: list[FileResult], summary: RunSummary) -> None:
    withdrawn = ledger.withdrawals()
    for r in results:
        w = withdrawn.get(r.sha256)
        if w is not None:
            when, by, why, _ = w
            r.rejected = f"ditarik oleh {by} pada {when[:10]}: {why}"
            summary.n_withdrawn += 1


#: a save time this much after arrival or before issue is not plausible (clocks differ a little)
SAVED_AT_SLACK = dt.timedelta(hours=1)


def _vouch(r: FileResult, register, year: int | None, now: str) -> None:
    """Identity findings from the register (the same as validate's), and a warning for a "last
    saved" time that cannot be true; both added to the file's findings for this run."""
    if not r.readable or r.opd_code is None:
        return
    added: list[Finding] = []
    issued_at = None
    if register is not None:
        from xlkinerja.validation.identity import identity_findings

        check, found = identity_findings(register, r.name, r.opd_code, r.opd_name or "", r.year,
                                         r.model_sha or "", r.signature, r.register_id)
        added.extend(found)
        if check.version is not None:
            issued_at = check.version.first_issued
    issued_at = issued_at or r.generated_at
    saved = _parse(r.saved_at)
    if saved is not None:
        arrived = _parse(r.arrived or now)
        issued = _parse(issued_at)
        shown = saved.astimezone().strftime("%d-%m-%Y %H:%M")
        why = None
        if arrived is not None and saved > arrived + SAVED_AT_SLACK:
            why = f"sesudah berkas ini diterima ({arrived.astimezone().strftime('%d-%m-%Y %H:%M')})"
        elif issued is not None and saved < issued - SAVED_AT_SLACK:
            why = f"sebelum formulirnya diterbitkan ({issued.astimezone().strftime('%d-%m-%Y %H:%M')})"
        if why:
            added.append(Finding(r.name, Severity.WARNING, "CONSOLIDATE_SAVED_AT_IMPLAUSIBLE",
                                 f"Waktu simpan workbook ({shown}) {why}: jam komputer pengirim salah "
                                 "atau waktunya diubah. Waktu itu tidak dipakai; urutan kiriman "
                                 "menurut waktu diterima."))
    for f in added:
        r.findings.append(f.to_dict())
        if f.severity is Severity.ERROR:
            r.n_error += 1
        elif f.severity is Severity.WARNING:
            r.n_warning += 1
        else:
            r.n_info += 1


def _parse(iso: str | None) -> dt.datetime | None:
    if not iso:
        return None
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.astimezone()


def _plan_findings(plan: Plan, ledger: Ledger) -> list[ConsolidationFinding]:
    """Every finding of every file of this run, and what consolidation itself decided."""
    from xlkinerja.form.model import Form
    import json

    out: list[ConsolidationFinding] = []
    for d in plan.decisions:
        r = d.result
        for f in r.findings:
            out.append(ConsolidationFinding(r.name, r.opd_code, r.opd_name, f["severity"], f["code"],
                                            f["message"], f.get("sheet"), f.get("cell")))
        if d.status == SUPERSEDED and r.model_sha:
            form = Form.from_dict(json.loads(ledger.model(r.model_sha)))
            old = entries_from_compact(ledger.entries(r.sha256) or {})
            new = entries_from_compact(ledger.entries(d.superseded_by.sha256) or {})
            n, text = describe_changes(form, old, new)
            revised = d.superseded_by.model_sha != r.model_sha  # by a revision of the form
            d.note = (f"{d.note}; " if revised and d.note else "") + (
                f"{n} isian berubah: {text}" if n else "isian sama dengan kiriman pengganti")
            out.append(ConsolidationFinding(
                r.name, r.opd_code, r.opd_name, Severity.INFO.value, "CONSOLIDATE_SUPERSEDED",
                f"Digantikan oleh kiriman yang lebih baru {d.superseded_by.name}. {d.note}."))
        elif d.status == CONFLICT:
            old = Form.from_dict(json.loads(ledger.model(r.model_sha)))
            new = Form.from_dict(json.loads(ledger.model(d.superseded_by.model_sha)))
            diff = describe_form_differences(old, new)
            d.note = f"versi formulir berbeda dari {d.superseded_by.name}: {diff}"
            out.append(ConsolidationFinding(
                r.name, r.opd_code, r.opd_name, Severity.ERROR.value, "CONSOLIDATE_CONFLICT",
                f"Berkas ini memakai versi formulir yang berbeda dengan kiriman terbaru OPD yang sama "
                f"({d.superseded_by.name}): {diff}. Tidak digabung; rekap memakai versi terbaru. "
                "Pastikan OPD mengisi formulir yang berlaku."))
        elif d.status == DUPLICATE:
            out.append(ConsolidationFinding(
                r.name, r.opd_code, r.opd_name, Severity.INFO.value, "CONSOLIDATE_DUPLICATE",
                f"Isi berkas sama persis dengan {d.superseded_by.name}; dihitung sekali."))
        elif d.status == REJECTED and r.readable:
            if r.year != plan.year:
                code, severity, text = "CONSOLIDATE_OTHER_YEAR", Severity.ERROR, f"Berkas tidak dipakai: {d.note}."
            elif r.rejected or rejecting_codes(f["code"] for f in r.findings):
                code, severity = "CONSOLIDATE_REJECTED", Severity.ERROR
                text = (f"Berkas ditolak dan tidak dihitung dalam rekap: {d.note}. OPD harus "
                        "mengirim ulang.")
            else:
                code, severity, text = "CONSOLIDATE_NOT_FILLED", Severity.WARNING, f"Berkas tidak dipakai: {d.note}."
            out.append(ConsolidationFinding(r.name, r.opd_code, r.opd_name, severity.value, code, text))
    return out


# -- CSV and Parquet exports ------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class ExportRefused(Exception):
    """An export the recap's button may not write (Bahasa Indonesia message); nothing written."""


CSV_NAMES = ("rincian_anggaran", "indikator", "temuan_validasi", "pembanding")


def export_paths(options: ConsolidateOptions) -> list[Path]:
    """Every file the exports of ``options`` write."""
    out = [options.csv_dir / f"{name}.csv" for name in CSV_NAMES] if options.csv_dir else []
    if options.parquet is not None:
        p = Path(options.parquet)
        out += [p, p.with_name(p.stem + "_indikator" + p.suffix)]
    return out


def check_exports(options: ConsolidateOptions, ledger: Ledger) -> None:
    """For the recap's button (``options.target`` set): the exports go only inside the recap's
    folder, and never over a file xlkinerja did not write there (its SHA-256 is the one the
    ledger recorded when xlkinerja wrote it). Checked before anything is read or written."""
    if options.target is None:
        return
    folder = Path(options.target).resolve().parent
    for path in export_paths(options):
        full = Path(path).resolve()
        if folder not in full.parents:
            raise ExportRefused(f"ekspor {path} berada di luar folder rekap ({folder}). Tombol "
                                "Konsolidasi hanya menulis ekspor di folder rekap yang dicatat saat "
                                "rekap dibuat; buat rekap baru dengan xlkinerja consolidate ... --csv "
                                "FOLDER bila lokasi ekspor memang berubah.")
        if full.exists():
            known = ledger.export_sha(full)
            if full.is_dir() or known is None or sha256_file(full) != known:
                raise ExportRefused(f"{full} sudah ada dan bukan ekspor yang ditulis xlkinerja "
                                    "(atau sudah diubah sejak ditulis). Berkas itu tidak ditimpa; "
                                    "pindahkan atau ganti namanya, lalu tekan Konsolidasi lagi.")


class _Exports:
    """Long tables streamed to CSV files (and Parquet), each written atomically at the end."""

    def __init__(self, options: ConsolidateOptions):
        self.options = options
        self._csv: dict[str, tuple] = {}
        self._parquet = None
        self.paths: list[Path] = []
        if options.csv_dir is not None:
            options.csv_dir.mkdir(parents=True, exist_ok=True)
            for name, header in (("rincian_anggaran", BUDGET_COLUMNS), ("indikator", INDICATOR_COLUMNS),
                                 ("temuan_validasi", FINDING_COLUMNS),
                                 ("pembanding", PEMBANDING_COLUMNS)):
                target = AtomicFile(options.csv_dir / f"{name}.csv")
                fh = target.tmp.open("w", newline="", encoding="utf-8")
                writer = csv.writer(fh)
                writer.writerow(header)
                self._csv[name] = (target, fh, writer)
        if options.parquet is not None:
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise RuntimeError("ekspor --parquet memerlukan pyarrow: pip install 'xlkinerja[parquet]'") from None
            self._parquet = _ParquetTables(options.parquet)

    def budget(self, rows: list[tuple]) -> None:
        if "rincian_anggaran" in self._csv:
            w = self._csv["rincian_anggaran"][2]
            for row in rows:
                w.writerow([neutralise(v) for v in row])
        if self._parquet is not None:
            self._parquet.add("budget", rows)

    def indicators(self, rows: list[tuple]) -> None:
        if "indikator" in self._csv:
            w = self._csv["indikator"][2]
            for row in rows:
                w.writerow([neutralise(v) for v in row])
        if self._parquet is not None:
            self._parquet.add("indicators", rows)

    def findings(self, findings: list[ConsolidationFinding]) -> None:
        if "temuan_validasi" in self._csv:
            w = self._csv["temuan_validasi"][2]
            for f in findings:
                w.writerow([neutralise(v) for v in (f.file, f.opd_code, f.opd_name, f.sheet, f.cell,
                                                    f.severity, f.code, f.message)])

    def pembanding(self, rows: list[tuple]) -> None:
        if "pembanding" in self._csv:
            w = self._csv["pembanding"][2]
            for row in rows:
                w.writerow([neutralise(v) for v in row])
        if self._parquet is not None:
            self._parquet.add("pembanding", rows)

    def finish(self) -> list[Path]:
        for target, fh, _ in self._csv.values():
            fh.close()
            self.paths.append(target.commit())
        if self._parquet is not None:
            self.paths.extend(self._parquet.finish())
        return self.paths

    def abort(self) -> None:
        for target, fh, _ in self._csv.values():
            fh.close()
            target.abort()
        if self._parquet is not None:
            self._parquet.abort()


FINDING_COLUMNS = TEMUAN.keys  # the columns of Temuan Validasi, in the order of its rows
#: Pembanding's columns typed for Parquet: values (a mark such as NA becomes null), counts
PEMBANDING_NUMBERS = {"dilaporkan", "nilai", "rerata_nasional", "median_nasional",
                      "rerata_kabkota_provinsi", "nilai_provinsi"}
PEMBANDING_COUNTS = {"peringkat", "jumlah_pembanding", "tanpa_nilai", "tanpa_nilai_na",
                     "tanpa_nilai_bintang", "jumlah_kabkota_provinsi"}


class _ParquetTables:
    """Budget rows to FILE, indicators to FILE_indikator.parquet, streamed in row groups."""

    BATCH = 50_000

    def __init__(self, path: Path):
        import pyarrow as pa

        self.pa = pa
        self.path = Path(path)
        self.targets = {"budget": self.path,
                        "indicators": self.path.with_name(self.path.stem + "_indikator" + self.path.suffix),
                        "pembanding": self.path.with_name(self.path.stem + "_pembanding" + self.path.suffix)}
        self.schemas = {
            "budget": pa.schema([("kode_opd", pa.string()), ("nama_opd", pa.string()), ("kode", pa.string()),
                                 ("id", pa.string()), ("uraian", pa.string()), ("tingkat", pa.string()),
                                 ("pagu_murni", pa.float64()), ("pagu_perubahan", pa.float64()),
                                 ("pagu", pa.float64()), ("triwulan", pa.string()),
                                 ("dasar", pa.string()),
                                 ("realisasi", pa.float64()), ("persen", pa.float64())]),
            "indicators": pa.schema([("kode_opd", pa.string()), ("nama_opd", pa.string()),
                                     ("sasaran", pa.string()), ("id", pa.string()), ("indikator", pa.string()),
                                     ("satuan", pa.string()), ("target", pa.float64()),
                                     ("target_atas", pa.float64()),
                                     ("tw_i", pa.float64()), ("tw_ii", pa.float64()), ("tw_iii", pa.float64()),
                                     ("tw_iv", pa.float64()), ("realisasi_akhir", pa.float64()),
                                     ("capaian", pa.float64()), ("capaian_tanpa_batas", pa.float64()),
                                     ("predikat", pa.string())]),
            "pembanding": pa.schema([(k, pa.float64() if k in PEMBANDING_NUMBERS else
                                      pa.int64() if k in PEMBANDING_COUNTS else pa.string())
                                     for k in PEMBANDING_COLUMNS]),
        }
        self.buffers: dict[str, list[tuple]] = {"budget": [], "indicators": [], "pembanding": []}
        self.writers: dict[str, tuple] = {}

    def _writer(self, kind: str):
        if kind not in self.writers:
            import pyarrow.parquet as pq

            target = AtomicFile(self.targets[kind])
            self.writers[kind] = (target, pq.ParquetWriter(str(target.tmp), self.schemas[kind]))
        return self.writers[kind][1]

    def add(self, kind: str, rows: list[tuple]) -> None:
        buf = self.buffers[kind]
        buf.extend(rows)
        if len(buf) >= self.BATCH:
            self._flush(kind)

    def _flush(self, kind: str) -> None:
        buf = self.buffers[kind]
        schema = self.schemas[kind]
        columns = list(zip(*buf)) if buf else [[] for _ in schema]
        arrays = []
        for field_, values in zip(schema, columns):
            if field_.type == self.pa.string():
                values = [None if v is None else str(v) for v in values]
            elif field_.type == self.pa.int64():
                values = [None if v is None else int(v) for v in values]
            else:  # numbers; "-" (not yet available) becomes null
                values = [None if v is None or isinstance(v, str) else float(v) for v in values]
            arrays.append(self.pa.array(values, type=field_.type))
        self._writer(kind).write_table(self.pa.Table.from_arrays(arrays, schema=schema))
        buf.clear()

    def finish(self) -> list[Path]:
        out = []
        for kind in ("budget", "indicators", "pembanding"):
            self._flush(kind)
            target, writer = self.writers[kind]
            writer.close()
            out.append(target.commit())
        return out

    def abort(self) -> None:
        for target, writer in self.writers.values():
            try:
                writer.close()
            finally:
                target.abort()


__all__ = ["consolidate", "ConsolidateOptions", "RunSummary", "neutralise"]
