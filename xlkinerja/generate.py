"""Generation use cases: spec file -> workbook, and the bundled demo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import bundled
from .model import Form, QuarterEntries
from .numbers import format_rupiah
from .spec import TemplateSpec, load_fill, load_spec, parse_fill, parse_spec
from .writer import write_workbook


@dataclass
class Written:
    path: Path
    summary: str
    kind: str = "workbook"  # for the demo: "blank", "filled", "macro"


def describe(form: Form, entries: dict[int, QuarterEntries] | None = None) -> str:
    n_leaf = len(form.leaves())
    n_rows = len(form.budget_rows())
    n_ind = len(form.indicators())
    text = (f"{form.opd_name} {form.year}: {n_rows} baris anggaran ({n_leaf} sub kegiatan), "
            f"{n_ind} indikator, total pagu {format_rupiah(form.total_pagu)}")
    if entries:
        filled = [q for q, e in sorted(entries.items()) if not e.is_empty()]
        if filled:
            text += "; terisi TW " + ", ".join({1: "I", 2: "II", 3: "III", 4: "IV"}[q] for q in filled)
    return text


def generate_from_spec(spec_path: Path, output: Path, password: str | None = None,
                       fill: str | Path | None = None, **options) -> Written:
    """Load and check a spec (and optional fill data), then write the workbook atomically."""
    spec = load_spec(spec_path)
    entries = load_fill(fill, spec.form) if fill else None
    return _write(spec, output, password, entries, **options)


def _write(spec: TemplateSpec, output: Path, password: str | None,
           entries: dict[int, QuarterEntries] | None, **options) -> Written:
    if output.suffix.lower() == ".xlsm":
        from .vba import xlsm_options

        options = {**xlsm_options(), **options}
    path = write_workbook(spec.form, output, entries=entries,
                          password=password if password is not None else spec.password, **options)
    return Written(path, describe(spec.form, entries))


def seed_spec() -> TemplateSpec:
    return parse_spec(bundled.seed_spec_text(), f"{bundled.SEED}.yaml (bawaan)")


def seed_entries(form: Form) -> dict[int, QuarterEntries]:
    return parse_fill(bundled.seed_fill_text(), form, f"{bundled.SEED}.isian.yaml (bawaan)")


def demo_paths(outdir: Path) -> dict[str, Path]:
    return {
        "blank": outdir / f"{bundled.SEED}_formulir_kosong.xlsx",
        "filled": outdir / f"{bundled.SEED}_formulir_terisi.xlsx",
        "macro": outdir / f"{bundled.SEED}_formulir_terisi.xlsm",
    }


@dataclass
class Demo:
    written: list[Written]
    skipped: list[str]  # why a file was not written (Bahasa Indonesia)


def write_demo(outdir: Path) -> Demo:
    """The bundled example: the blank formulir, the one filled with the seed's entries, and
    the filled one as a macro workbook with the Validasi/Konsolidasi buttons (when the
    ``button`` extra is installed; otherwise it says so and writes the two .xlsx)."""
    from .vba import ButtonExtraMissing

    outdir.mkdir(parents=True, exist_ok=True)
    spec = seed_spec()
    entries = seed_entries(spec.form)
    paths = demo_paths(outdir)
    blank = _write(spec, paths["blank"], None, None)
    filled = _write(spec, paths["filled"], None, entries)
    blank.kind, filled.kind = "blank", "filled"
    written = [blank, filled]
    skipped = []
    try:
        macro = _write(spec, paths["macro"], None, entries)
        macro.kind = "macro"
        written.append(macro)
    except ButtonExtraMissing as exc:
        skipped.append(f"{paths['macro'].name} tidak ditulis: {exc}")
    return Demo(written, skipped)
