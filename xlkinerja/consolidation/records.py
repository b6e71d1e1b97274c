"""What consolidation keeps of one file: identity, times, findings and the input cells.

A :class:`FileResult` is small and plain (JSON-able), so that many files can be read in worker
processes, streamed into the ledger, and read back on a later run without opening the workbook
again. Entries are stored compactly: only input cells, keyed by stable id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from xlkinerja.consolidation.blobs import pack, pack_model
from xlkinerja.findings import Finding, Severity
from xlkinerja.form.model import NOT_AVAILABLE, QUARTERS, BudgetEntry, IndicatorEntry, QuarterEntries
from xlkinerja.validation.rules import ValidationOptions, validate_file
from xlkinerja.workbook.writer import model_json


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def saved_at(path: Path) -> str | None:
    """When the workbook was last saved, from its document properties (ISO 8601, UTC)."""
    try:
        with zipfile.ZipFile(path) as z:
            data = z.read("docProps/core.xml")[:20000]
    except Exception:  # noqa: BLE001 - no properties, no time: the file time decides
        return None
    m = _MODIFIED.search(data)
    if not m:
        return None
    text = m.group(1).decode("ascii", "ignore").strip()
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).isoformat()


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

    @property
    def when(self) -> tuple:
        """Ordering of versions: the time saved, then the file time."""
        return (self.saved_at or "", self.mtime)

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
        text = model_json(form)
        result.opd_code, result.opd_name, result.year = form.opd_code, form.opd_name, form.year
        result.filled = sub.filled_quarters
        result.quarter = sub.latest_quarter
        result.model = text
        result.model_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        result.generated_at = sub.generated_at
        result.entries = entries_to_compact(sub.entries())
    return result


def finding_from_dict(d: dict) -> Finding:
    return Finding(file=d["file"], severity=Severity(d["severity"]), code=d["code"],
                   message=d["message"], sheet=d.get("sheet"), cell=d.get("cell"),
                   ident=d.get("ident"), quarter=d.get("quarter"))


def is_not_available(value) -> bool:
    return value == NOT_AVAILABLE
