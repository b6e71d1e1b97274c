"""What a consolidation run is asked to do: the options the command line, the recap button and
the Python API give :func:`~xlkinerja.consolidation.run.consolidate`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xlkinerja.base.version import __version__
from xlkinerja.consolidation.figures import DEFAULT_SCALE


@dataclass
class ConsolidateOptions:
    output: Path
    ledger: Path | None = None
    year: int | None = None
    quarter: int | None = None
    jobs: int | None = None  # None: every core
    check_formulas: bool = False  # formula integrity via openpyxl: thorough, ~10x slower
    low_capaian: float = 0.75
    csv_dir: Path | None = None
    parquet: Path | None = None
    pemda: str | None = None
    expected_opds: dict[str, str] | None = None
    scale: tuple = DEFAULT_SCALE
    progress: bool | None = None  # None: when stderr is a terminal
    #: the recap workbook this run brings up to date when ``output`` is a temporary file (the
    #: Konsolidasi button writes into the workbook open in Excel): never read as an input, and
    #: recorded in the ledger as the run's output
    target: Path | None = None
    #: the register of issued forms; None: the one this ledger used before, else one found
    #: beside the ledger, the recap or the inputs (see xlkinerja.register.find_register)
    register: Path | None = None
    use_register: bool = True  # False: identities are not checked (and the recap says so)

    @property
    def ledger_path(self) -> Path:
        return self.ledger or self.output.with_name(self.output.stem + ".ledger.sqlite")

    @property
    def fingerprint(self) -> str:
        # isi=2: the signature and the formulas of input cells are kept since the register
        return (f"xlkinerja {__version__}; rumus={int(self.check_formulas)}; "
                f"ambang={self.low_capaian:g}; isi=2")
