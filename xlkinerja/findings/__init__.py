"""Validation findings: what is wrong, where, how bad, and what to do; ``catalogue`` lists every
finding code once (severity, arti, tindakan) for the checks, the docs and the tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"  # the file cannot be accepted as it is
    WARNING = "warning"  # probably wrong: check and explain
    INFO = "info"  # worth a look

    @property
    def label(self) -> str:
        return {"error": "GALAT", "warning": "PERINGATAN", "info": "INFO"}[self.value]

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


#: the key of a finding's ``extra`` that marks an entry left out of every figure (text in an
#: amount cell, a negative amount, a percent on the wrong scale): its value is
#: ``{"kind": "anggaran" | "indikator", "value": what the cell holds}``. Validation sets it;
#: consolidation lists those entries (:func:`xlkinerja.consolidation.figures.uncounted_entries`).
UNCOUNTED = "tidak_dihitung"


@dataclass(frozen=True)
class Finding:
    """One finding about one file; ``sheet`` and ``cell`` are None when they do not apply."""

    file: str
    severity: Severity
    code: str  # stable, e.g. "ENTRY_NOT_NUMBER"
    message: str  # Bahasa Indonesia: what is wrong and what to do
    sheet: str | None = None
    cell: str | None = None  # A1 address on ``sheet``
    ident: str | None = None  # stable id of the budget row / indicator concerned
    quarter: int | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity"] = self.severity.value
        if not self.extra:
            d.pop("extra")
        return d

    @property
    def sort_key(self):
        return (self.file, self.sheet or "", _cell_key(self.cell), self.severity.rank, self.code)


def _cell_key(cell: str | None):
    if not cell:
        return (0, 0)
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch.upper()) - 64)
    return (int(digits or 0), col)
