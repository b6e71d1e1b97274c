"""What consolidation keeps of one file: identity, times, findings and the input cells.

A :class:`FileResult` is small and plain (JSON-able), so that many files can be read in worker
processes, streamed into the ledger, and read back on a later run without opening the workbook
again. Entries are stored compactly: only input cells, keyed by stable id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from xlkinerja.consolidation.blobs import pack, pack_model
from xlkinerja.findings import Finding, Severity
from xlkinerja.form.model import (NOT_AVAILABLE, QUARTERS, BudgetEntry, IndicatorEntry, QuarterEntries,
                                  form_json)
from xlkinerja.reading.package import saved_at
from xlkinerja.validation.rules import ValidationOptions, validate_file


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


# -- compact entries ------------------------------------------------------------------------------

def entries_to_compact(entries: dict[int, QuarterEntries]) -> dict[str, Any]:
    out = {}
    for q, e in entries.items():
        out[str(q)] = {
            "b": {k: [v.realisasi, v.keterangan] for k, v in e.budget.items()},
            "i": {k: [v.realisasi, v.keterangan] for k, v in e.indikator.items()},
            "n": [e.faktor_pendorong, e.uraian_permasalahan, e.rencana_tindak_lanjut],
        }
    return out


def entries_from_compact(data: dict[str, Any]) -> dict[int, QuarterEntries]:
    out = {}
    for q in QUARTERS:
        d = data.get(str(q))
        e = QuarterEntries()
        if d:
            e.budget = {k: BudgetEntry(v[0], v[1]) for k, v in d["b"].items()}
            e.indikator = {k: IndicatorEntry(v[0], v[1]) for k, v in d["i"].items()}
            e.faktor_pendorong, e.uraian_permasalahan, e.rencana_tindak_lanjut = d["n"]
        out[q] = e
    return out


@dataclass
class FileResult:
    """One file as consolidation sees it."""

    path: str
    name: str
    sha256: str
    size: int
    mtime: float
    saved_at: str | None
    readable: bool
    opd_code: str | None = None
    opd_name: str | None = None
    year: int | None = None
    quarter: int | None = None  # latest filled triwulan
    filled: list[int] = field(default_factory=list)
    model_sha: str | None = None
    generated_at: str | None = None
    n_error: int = 0
    n_warning: int = 0
    n_info: int = 0
    findings: list[dict] = field(default_factory=list)
    entries: dict[str, Any] | None = None  # compact, see entries_to_compact
    model: str | None = None  # the form as JSON (stored once per model_sha in the ledger)
    # the same two, already compressed as the ledger stores them (see pack_for_ledger)
    entries_blob: bytes | None = None
    model_blob: bytes | None = None
    transient: bool = False  # xlkinerja failed on it: not stored in the ledger, read again next run
    #: the signature and register id the workbook carries (see xlkinerja.register)
    signature: str | None = None
    register_id: str | None = None
    #: when the ledger first saw this content, and the file's time on disk then (set by the run)
    arrived: str | None = None
    arrived_mtime: float | None = None
    #: counted from the ledger's archived copy: the file is no longer in the inputs
    from_archive: bool = False
    #: why the run does not count this file although it is readable (withdrawn, not authentic)
    rejected: str | None = None

    @property
    def when(self) -> tuple:
        """Ordering of versions: arrival, which the sender does not control (the first time the
        ledger saw the content, then the file's time on disk at that moment), never the
        workbook's own "last saved"."""
        return (_instant(self.arrived), self.arrived_mtime if self.arrived_mtime is not None
                else self.mtime)

    def summary(self) -> dict:
        d = asdict(self)
        for key in ("entries", "model", "entries_blob", "model_blob"):
            d.pop(key)
        return d

    def pack_for_ledger(self) -> "FileResult":
        """Compress entries and model as the ledger stores them, and drop the plain ones: done in
        the worker process, so that the process writing the ledger only inserts bytes."""
        if self.entries is not None:
            self.entries_blob, self.entries = pack(self.entries), None
        if self.model is not None:
            self.model_blob, self.model = pack_model(self.model), None
        return self


def _instant(iso: str | None) -> float:
    if not iso:
        return float("inf")  # not yet arrived: after everything known
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return float("inf")
    if when.tzinfo is None:
        when = when.astimezone()
    return when.timestamp()


def read_file(path: str | Path, options: ValidationOptions, sha: str | None = None) -> FileResult:
    """Validate one file and keep what consolidation needs. Never raises for a bad file."""
    path = Path(path)
    stat = path.stat()
    sha = sha or sha256_file(path)
    report = validate_file(path, options)
    findings = [f.to_dict() for f in report.sorted_findings()]
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    result = FileResult(
        path=str(path), name=path.name, sha256=sha, size=stat.st_size, mtime=stat.st_mtime,
        saved_at=saved_at(path) if report.readable else None, readable=report.readable,
        n_error=counts[Severity.ERROR], n_warning=counts[Severity.WARNING],
        n_info=counts[Severity.INFO], findings=findings)
    sub = report.submission
    if sub is not None:
        form = sub.form
        text = form_json(form)
        result.opd_code, result.opd_name, result.year = form.opd_code, form.opd_name, form.year
        result.filled = sub.filled_quarters
        result.quarter = sub.latest_quarter
        result.model = text
        result.model_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        result.generated_at = sub.generated_at
        result.signature, result.register_id = sub.signature, sub.register_id
        result.entries = entries_to_compact(sub.entries())
    return result


def finding_from_dict(d: dict) -> Finding:
    return Finding(file=d["file"], severity=Severity(d["severity"]), code=d["code"],
                   message=d["message"], sheet=d.get("sheet"), cell=d.get("cell"),
                   ident=d.get("ident"), quarter=d.get("quarter"))


def is_not_available(value) -> bool:
    return value == NOT_AVAILABLE
