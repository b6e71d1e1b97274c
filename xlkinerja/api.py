"""The public API: what a notebook or a script calls, as ``import xlkinerja as xk``.

Loaded lazily (``xlkinerja/__init__.py`` resolves these names on first use), so a button click or
``import xlkinerja`` does not pay for pandas, openpyxl or XlsxWriter. Everything here is a thin
layer over the pipeline's own modules: the figures are consolidation's (``figures_of``,
``budget_rows``, ``indicator_rows``), the checks are validation's, and errors are
:class:`XlkinerjaError` with a message in Bahasa Indonesia naming the file and what to do.

Documented, with examples that run as tests, in docs/api.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from xlkinerja.findings import Finding, Severity
from xlkinerja.form.model import QUARTERS, Form, QuarterEntries

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from xlkinerja.consolidation.ledger import Ledger as _Ledger
    from xlkinerja.consolidation.run import RunSummary
    from xlkinerja.validation.rules import FileReport

__all__ = ["XlkinerjaError", "SpecError", "UnreadableWorkbook", "load_spec", "load_master",
           "write", "read", "Submission", "validate", "consolidate", "open_ledger", "Ledger",
           "BUDGET_COLUMNS", "INDICATOR_COLUMNS"]


class XlkinerjaError(Exception):
    """Every error the API raises on bad input; ``str(exc)`` says what and what to do."""


class SpecError(XlkinerjaError):
    """A spec, fill data or master cannot be used; ``problems`` locates each one."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


class UnreadableWorkbook(XlkinerjaError):
    """A returned file cannot be read as a formulir; ``findings`` says why (one error finding)."""

    def __init__(self, message: str, findings: list[Finding]):
        super().__init__(message)
        self.findings = findings


def _columns():
    from xlkinerja.consolidation.figures import BUDGET_COLUMNS as b, INDICATOR_COLUMNS as i

    return list(b), list(i)


def __getattr__(name: str):
    if name in ("BUDGET_COLUMNS", "INDICATOR_COLUMNS"):
        b, i = _columns()
        return b if name == "BUDGET_COLUMNS" else i
    raise AttributeError(name)


# -- the form ----------------------------------------------------------------------------------

def load_spec(path: str | os.PathLike) -> Form:
    """The form of one OPD from a YAML template spec."""
    from xlkinerja.form.spec import load_spec as _load
    from xlkinerja.form.yamlsource import DocumentError

    try:
        return _load(path).form
    except DocumentError as exc:
        raise SpecError(exc.report(), exc.problems) from None
    except OSError as exc:
        raise XlkinerjaError(f"{path}: spesifikasi tidak dapat dibaca ({exc.strerror or exc}). "
                             "Periksa nama dan folder berkasnya.") from None


def load_master(*paths: str | os.PathLike) -> dict[str, Form]:
    """The form of every OPD of a master (.xlsx, the three CSV files, or their folder), by OPD
    code. Any problem (a cell, a missing column, an OPD that cannot be built) is a SpecError that
    lists every problem with its sheet and cell; nothing is returned half."""
    from xlkinerja.form.master import read_master

    if not paths:
        raise XlkinerjaError("sebutkan berkas master (.xlsx, CSV, atau foldernya)")
    for p in paths:
        if not Path(p).exists():
            raise XlkinerjaError(f"{p}: master tidak ditemukan. Periksa nama dan folder berkasnya.")
    master = read_master([Path(p) for p in paths])
    problems = list(master.problems)
    for opd in master.opds:
        problems += opd.problems
    if not master.readable or problems or any(o.spec is None for o in master.opds):
        lines = [f"{master.source}: master tidak dapat dipakai ({len(problems)} masalah)."]
        lines += [f"  - {p.location()}: {p.message}" if p.cell or p.line else f"  - {p.message}"
                  for p in problems]
        lines.append("  Perbaiki masalah di atas lalu ulangi.")
        raise SpecError("\n".join(lines), problems)
    return {opd.code: opd.spec.form for opd in master.opds}


def write(form: Form, path: str | os.PathLike, entries: dict[int, QuarterEntries] | None = None,
          password: str | None = None) -> Path:
    """Write the formulir workbook of ``form`` to ``path`` (.xlsx; .xlsm with the buttons needs
    xlwings). ``entries`` pre-fills quarters (as ``Submission.entries`` returns them)."""
    from xlkinerja.workbook.writer import write_workbook

    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise XlkinerjaError(f"{path}: nama berkas keluaran harus berakhiran .xlsx atau .xlsm")
    options = {}
    if path.suffix.lower() == ".xlsm":
        from xlkinerja.workbook.vba import ButtonExtraMissing, xlsm_options

        try:
            options = xlsm_options()
        except ButtonExtraMissing as exc:
            raise XlkinerjaError(str(exc)) from None
    try:
        return write_workbook(form, path, entries=entries, password=password, **options)
    except OSError as exc:
        raise XlkinerjaError(f"{path}: tidak dapat ditulis ({exc.strerror or exc}). Periksa "
                             "foldernya, atau tutup berkas bila sedang dibuka di Excel.") from None


# -- a returned workbook -----------------------------------------------------------------------

@dataclass
class Submission:
    """One returned workbook, read by identity and checked: its OPD, year, entries and findings.

    ``budget_frame()`` and ``indicator_frame()`` are the long tables consolidation writes
    (Rincian Anggaran, Indikator), computed the same way, for this file alone."""

    path: Path
    report: "FileReport"

    @property
    def name(self) -> str:
        return self.report.file

    @property
    def form(self) -> Form:
        return self.report.submission.form

    @property
    def opd_code(self) -> str:
        return self.form.opd_code

    @property
    def opd_name(self) -> str:
        return self.form.opd_name

    @property
    def year(self) -> int:
        return self.form.year

    @property
    def filled_quarters(self) -> list[int]:
        return self.report.submission.filled_quarters

    @property
    def entries(self) -> dict[int, QuarterEntries]:
        """Per triwulan (1..4): what the office entered, numbers as numbers (see QuarterEntries);
        cells that are not a valid entry are left out and reported in ``findings``."""
        return self.report.submission.entries()

    @property
    def findings(self) -> list[Finding]:
        return self.report.sorted_findings()

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """No error: the file can be accepted as it is (warnings may remain)."""
        return not self.errors

    def _figures(self):
        from xlkinerja.consolidation.figures import figures_of
        from xlkinerja.consolidation.plan import OpdPlan

        filled = set(self.filled_quarters)
        # the quarters the file fills are its sources, as consolidation would take them
        plan = OpdPlan(code=self.opd_code, name=self.opd_name,
                       sources={q: self for q in QUARTERS if q in filled})
        return figures_of(plan, self.form, {q: self.entries[q] for q in filled})

    def budget_frame(self) -> "pandas.DataFrame":
        """One row per budget row and filled triwulan: OPD, kode, id, uraian, level, pagu (murni,
        perubahan, in force), triwulan, realisasi and % (a fraction: 0.1775 is 17,75 %)."""
        from xlkinerja.consolidation.figures import budget_rows

        return _frame(budget_rows(self._figures()), _columns()[0])

    def indicator_frame(self) -> "pandas.DataFrame":
        """One row per indikator: sasaran, target, realisasi per triwulan, the year's realisasi,
        capaian and predikat."""
        from xlkinerja.consolidation.figures import indicator_rows

        return _frame(indicator_rows(self._figures()), _columns()[1])

    def findings_frame(self) -> "pandas.DataFrame":
        return _findings_frame(self.findings)

    def __repr__(self) -> str:
        tw = ", ".join(f"TW {['', 'I', 'II', 'III', 'IV'][q]}" for q in self.filled_quarters)
        return (f"<Submission {self.name}: {self.opd_code} {self.opd_name} {self.year}; "
                f"{tw or 'belum terisi'}; {len(self.errors)} galat, {len(self.findings)} temuan>")


def _frame(rows: Iterable[tuple], columns: list[str]) -> "pandas.DataFrame":
    import pandas as pd

    return pd.DataFrame.from_records(list(rows), columns=columns)


def _findings_frame(findings: Iterable[Finding]) -> "pandas.DataFrame":
    import pandas as pd

    cols = ["file", "sheet", "cell", "severity", "code", "message", "ident", "quarter"]
    return pd.DataFrame.from_records(
        [{**f.to_dict(), "severity": f.severity.value} for f in findings], columns=cols)


def _options(low_capaian: float, check_formulas: bool, opd: str | None, year: int | None):
    from xlkinerja.validation.rules import ValidationOptions

    return ValidationOptions(low_capaian=low_capaian, check_formulas=check_formulas,
                             expect_opd=opd, expect_year=year)


def read(path: str | os.PathLike, *, check_formulas: bool = True, low_capaian: float = 0.75,
         opd: str | None = None, year: int | None = None) -> Submission:
    """Read and check one returned workbook. A file that cannot be read as a formulir (not
    found, damaged, another kind of file, not an xlkinerja formulir) raises UnreadableWorkbook
    with the finding that says why; everything else, errors included, is in ``findings``."""
    from xlkinerja.validation.rules import validate_file

    path = Path(path)
    report = validate_file(path, _options(low_capaian, check_formulas, opd, year))
    if report.submission is None:
        why = "; ".join(f"{f.message} [{f.code}]" for f in report.findings if
                        f.severity is Severity.ERROR) or "berkas tidak dapat dibaca"
        raise UnreadableWorkbook(f"{path}: {why}", report.findings)
    return Submission(path=path, report=report)


def validate(paths: str | os.PathLike | Sequence[str | os.PathLike], *, jobs: int | None = None,
             check_formulas: bool = True, low_capaian: float = 0.75, opd: str | None = None,
             year: int | None = None) -> list["FileReport"]:
    """Check files and folders (searched for .xlsx/.xlsm) as ``xlkinerja validasi`` does: one
    FileReport per file, in order, an unreadable file being one with its finding (never an
    exception). ``report.findings``, ``report.has_errors``, ``report.submission``."""
    from xlkinerja.reading.files import discover
    from xlkinerja.validation.rules import validate_files

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files, _ = discover([str(p) for p in paths], [])
    return list(validate_files(files, _options(low_capaian, check_formulas, opd, year),
                               jobs=jobs))


# -- consolidation and the ledger --------------------------------------------------------------

def consolidate(inputs: str | os.PathLike | Sequence[str | os.PathLike], output: str | os.PathLike,
                *, ledger: str | os.PathLike | None = None, year: int | None = None,
                quarter: int | None = None, jobs: int | None = None,
                csv_dir: str | os.PathLike | None = None, parquet: str | os.PathLike | None = None,
                pemda: str | None = None, expected_opds: dict[str, str] | None = None,
                check_formulas: bool = False, low_capaian: float = 0.75) -> "RunSummary":
    """Consolidate files and folders into the recap ``output`` (.xlsx, or .xlsm with the
    Konsolidasi button) and its ledger (default ``<recap>.ledger.sqlite``), as ``xlkinerja
    konsolidasi`` does. Returns the run's summary; the tables: ``open_ledger(...)``."""
    from xlkinerja.consolidation.ledger import LedgerError
    from xlkinerja.consolidation.options import ConsolidateOptions
    from xlkinerja.consolidation.run import consolidate as _run

    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    out = Path(output)
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise XlkinerjaError(f"{out}: nama berkas rekap harus berakhiran .xlsx atau .xlsm")
    for item in inputs:
        if not Path(item).exists():
            raise XlkinerjaError(f"{item} tidak ditemukan. Periksa nama dan folder masukan.")
    options = ConsolidateOptions(
        output=out, ledger=Path(ledger) if ledger else None, year=year, quarter=quarter,
        jobs=jobs, check_formulas=check_formulas, low_capaian=low_capaian,
        csv_dir=Path(csv_dir) if csv_dir else None, parquet=Path(parquet) if parquet else None,
        pemda=pemda, expected_opds=expected_opds, progress=False)
    try:
        return _run([Path(p) for p in inputs], options)
    except LedgerError as exc:
        raise XlkinerjaError(str(exc)) from None
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        raise XlkinerjaError(f"Galat berkas{where}: {exc.strerror or exc}. Periksa folder dan izin "
                             "tulisnya, atau tutup rekap bila sedang dibuka di Excel.") from None


class Ledger:
    """A consolidation ledger, read: the runs, what came in when, and the long tables of the last
    run as DataFrames. Use as a context manager, or call ``close()``."""

    def __init__(self, ledger: "_Ledger"):
        self._ledger = ledger

    @property
    def path(self) -> Path:
        return self._ledger.path

    def close(self) -> None:
        self._ledger.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def runs_frame(self) -> "pandas.DataFrame":
        import pandas as pd

        return pd.DataFrame.from_records(
            self._ledger.runs(), columns=["run", "started", "finished", "output", "files", "read"])

    def history_frame(self, all_runs: bool = False) -> "pandas.DataFrame":
        """Every file seen (by the last run, or by every run): its status and what replaced it."""
        import dataclasses

        import pandas as pd

        rows = [dataclasses.asdict(s) for s in self._ledger.history(all_runs)]
        from xlkinerja.consolidation.ledger import Sighting

        return pd.DataFrame.from_records(rows, columns=[f.name for f in dataclasses.fields(Sighting)])

    def _opd_figures(self):
        """Each OPD's figures as the last finished run counted them: per quarter the file (and
        the form version) that run took it from, recomputed by consolidation's own figures."""
        from xlkinerja.consolidation.figures import opd_figures
        from xlkinerja.consolidation.plan import OpdPlan

        by_opd: dict[str, list[tuple]] = {}
        for row in self._ledger.quarter_sources():
            by_opd.setdefault(row[0], []).append(row)
        for code, rows in sorted(by_opd.items()):
            sources, versions = {}, {}
            for _, q, name, sha, model_sha, _basis in rows:
                sources[q] = self._ledger.load(sha, name, name, 0.0)
                versions[q] = model_sha
            head = versions[max(versions)]  # the newest version: the one the latest quarter used
            plan = OpdPlan(code=code, name=sources[max(sources)].opd_name or code,
                           model_sha=head, sources=sources,
                           versions={q: v for q, v in versions.items() if v != head})
            yield opd_figures(plan, self._ledger)

    def budget_frame(self) -> "pandas.DataFrame":
        """The recap's Rincian Anggaran of the last run, every OPD (the CSV/Parquet exports'
        budget table, with the same columns)."""
        from xlkinerja.consolidation.figures import budget_rows

        return _frame((r for f in self._opd_figures() for r in budget_rows(f)), _columns()[0])

    def indicator_frame(self) -> "pandas.DataFrame":
        from xlkinerja.consolidation.figures import indicator_rows

        return _frame((r for f in self._opd_figures() for r in indicator_rows(f)), _columns()[1])


def open_ledger(path: str | os.PathLike) -> Ledger:
    """Open an existing ledger (``<recap>.ledger.sqlite``) to read it."""
    from xlkinerja.consolidation.ledger import Ledger as _Ledger, LedgerError

    p = Path(path)
    if not p.is_file():
        raise XlkinerjaError(f"{p}: ledger tidak ditemukan. Ledger dibuat oleh konsolidasi di "
                             "samping rekap (<rekap>.ledger.sqlite).")
    try:
        return Ledger(_Ledger(p))
    except LedgerError as exc:
        raise XlkinerjaError(str(exc)) from None
