"""Generation use cases: spec file -> workbook, master -> one workbook per OPD, the demo."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from xlkinerja.base import bundled
from xlkinerja.base.atomic import atomic_path
from xlkinerja.form.codes import slugify
from xlkinerja.form.model import ROMAN, Form, QuarterEntries
from xlkinerja.base.numbers import format_rupiah
from xlkinerja.form.spec import TemplateSpec, load_fill, load_spec, parse_fill, parse_spec
from xlkinerja.workbook.writer import write_workbook

if TYPE_CHECKING:
    from xlkinerja.form.master import Master, OpdMaster
    from xlkinerja.register import Register


@dataclass
class Written:
    path: Path
    summary: str
    kind: str = "workbook"  # for the demo: "blank", "filled", "macro"
    notes: list = field(default_factory=list)  # the spec's remarks (Problem), block nothing


def describe(form: Form, entries: dict[int, QuarterEntries] | None = None) -> str:
    n_leaf = len(form.leaves())
    n_rows = len(form.budget_rows())
    n_ind = len(form.indicators())
    text = (f"{form.opd_name} {form.year}: {n_rows} baris anggaran ({n_leaf} sub kegiatan), "
            f"{n_ind} indikator, total pagu {format_rupiah(form.total_pagu)}")
    if form.revision is not None:
        rev = form.revision
        text += (f"; {rev.kind.value} mulai TW {ROMAN[rev.effective_quarter]} (pagu murni "
                 f"{format_rupiah(form.total_murni)})")
    if entries:
        filled = [q for q, e in sorted(entries.items()) if not e.is_empty()]
        if filled:
            text += "; terisi TW " + ", ".join({1: "I", 2: "II", 3: "III", 4: "IV"}[q] for q in filled)
    return text


def generate_from_spec(spec_path: Path, output: Path, password: str | None = None,
                       fill: str | Path | None = None, register: "Register | None" = None,
                       **options) -> Written:
    """Load and check a spec (and optional fill data), then write the workbook atomically;
    with ``register``, the workbook is signed and recorded there as issued."""
    spec = load_spec(spec_path)
    entries = load_fill(fill, spec.form) if fill else None
    return _write(spec, output, password, entries, register=register,
                  source=Path(spec_path).resolve(), source_kind="spec", **options)


def _write(spec: TemplateSpec, output: Path, password: str | None,
           entries: dict[int, QuarterEntries] | None, form: Form | None = None,
           register: "Register | None" = None, source: str | Path | None = None,
           source_kind: str = "spec", **options) -> Written:
    """Write ``form`` (default: the spec's, revised when the spec says ``revisi`` and gives
    the murni pagu itself); with ``register``, signed and recorded there as issued."""
    if form is None:
        form = spec_form(spec)
    if output.suffix.lower() == ".xlsm":
        from xlkinerja.workbook.vba import xlsm_options

        options = {**xlsm_options(), **options}
    if register is not None:
        # the workbook and its record carry the same time; the register is written once the
        # workbook is in place, so it never records a form that was not written
        options.setdefault("generated_at", dt.datetime.now().replace(microsecond=0))
        options["signature"] = (register.id, register.signature_for(form))
    path = write_workbook(form, output, entries=entries,
                          password=password if password is not None else spec.password, **options)
    if register is not None:
        register.issue(form, path, source, source_kind, issued_at=options["generated_at"])
    return Written(path, describe(form, entries), notes=list(spec.notes))


def spec_form(spec: TemplateSpec) -> Form:
    """The form a spec describes: revised (without a base file: murni pagu from the spec)
    when it declares ``revisi``."""
    if spec.revision is None:
        return spec.form
    from xlkinerja.form.revision import RevisionError, revise

    if not spec.revision.effective_quarter:
        raise RevisionError(f"{spec.source}: revisi perlu triwulan mulai berlaku: tulis "
                            "'mulai_triwulan: III' atau 'tanggal: 2024-09-16' di 'revisi', atau "
                            "pakai --mulai")
    return revise(spec.form, spec.revision)[0]


def seed_spec() -> TemplateSpec:
    return parse_spec(bundled.seed_spec_text(), f"{bundled.SEED}.yaml (bawaan)")


def seed_entries(form: Form) -> dict[int, QuarterEntries]:
    return parse_fill(bundled.seed_fill_text(), form, f"{bundled.SEED}.isian.yaml (bawaan)")


def demo_paths(outdir: Path) -> dict[str, Path]:
    return {
        "blank": outdir / f"{bundled.SEED}_formulir_kosong.xlsx",
        "filled": outdir / f"{bundled.SEED}_formulir_terisi.xlsx",
        "macro": outdir / f"{bundled.SEED}_formulir_terisi.xlsm",
        "master": outdir / SEED_MASTER,
        "recap": outdir / "rekap" / f"{bundled.SEED}_rekap.xlsx",
        "recap_macro": outdir / "rekap" / f"{bundled.SEED}_rekap.xlsm",
    }


@dataclass
class Demo:
    written: list[Written]
    skipped: list[str]  # why a file was not written (Bahasa Indonesia)


def write_demo(outdir: Path, register: "Register | None" = None) -> Demo:
    """The bundled example: the blank formulir, the one filled with the seed's entries, and
    the filled one as a macro workbook with the Validasi/Konsolidasi buttons (when the
    ``button`` extra is installed; otherwise it says so and writes the two .xlsx). With
    ``register``, the three are signed and recorded as issued."""
    from xlkinerja.workbook.vba import ButtonExtraMissing

    outdir.mkdir(parents=True, exist_ok=True)
    spec = seed_spec()
    entries = seed_entries(spec.form)
    paths = demo_paths(outdir)
    source = f"{bundled.SEED}.yaml (bawaan)"
    blank = _write(spec, paths["blank"], None, None, register=register, source=source,
                   source_kind="demo")
    filled = _write(spec, paths["filled"], None, entries, register=register, source=source,
                   source_kind="demo")
    blank.kind, filled.kind = "blank", "filled"
    written = [blank, filled]
    skipped = []
    try:
        macro = _write(spec, paths["macro"], None, entries, register=register, source=source,
                   source_kind="demo")
        macro.kind = "macro"
        written.append(macro)
    except ButtonExtraMissing as exc:
        skipped.append(f"{paths['macro'].name} tidak ditulis: {exc}")
    with bundled.template_path(SEED_MASTER) as src, atomic_path(paths["master"]) as tmp:
        shutil.copyfile(src, tmp)
    written.append(Written(paths["master"], "master contoh: generate --master dengan berkas ini "
                                            "menghasilkan formulir kosong yang sama"))
    return Demo(written, skipped)


# -- many OPD from a master table --------------------------------------------------------------

@dataclass
class MasterRun:
    """What ``generate --master`` did: the master as read and, per OPD, what became of it."""

    master: "Master"
    written: list[tuple["OpdMaster", Written]] = field(default_factory=list)
    refused: list["OpdMaster"] = field(default_factory=list)  # problems in the master
    failed: list[tuple["OpdMaster", str]] = field(default_factory=list)  # could not be saved
    stale: dict[str, list[Path]] = field(default_factory=dict)  # OPD code -> older outputs

    @property
    def complete(self) -> bool:
        return (self.master.readable and not self.refused and not self.failed
                and not self.master.problems and bool(self.written))


def output_name(form: Form) -> str:
    """``2024_4.01_sekretariat-daerah-kota-jambi.xlsx``: year, OPD code, name; sorts by year."""
    return f"{form.year}_{form.opd_code}_{slugify(form.opd_name, 60)}.xlsx"


Prepare = Callable[["OpdMaster"], tuple[Form, "dict[int, QuarterEntries] | None", list[str]]]


def write_from_master(master: "Master", outdir: Path, password: str | None = None,
                      progress: Callable[[str], None] | None = None,
                      prepare: Prepare | None = None,
                      register: "Register | None" = None) -> MasterRun:
    """One workbook per OPD of ``master`` that has no problem; ``password`` overrides the sheet's.
    With ``register``, every workbook written is signed and recorded there as issued.

    ``prepare`` (revisions, :mod:`xlkinerja.validation.carry`) turns an OPD's form into the
    form to write, its entries and lines to report; a ValueError it raises (the OPD's old file
    is missing or unusable) is that OPD's failure, in its message."""
    run = MasterRun(master)
    taken: dict[str, str] = {}
    for opd in master.opds:
        if opd.spec is None:
            run.refused.append(opd)
            older = sorted(outdir.glob(f"[0-9][0-9][0-9][0-9]_{opd.code}_*.xlsx")) \
                if outdir.is_dir() else []
            if older:
                run.stale[opd.code] = older
            continue
        name = output_name(opd.spec.form)
        if name.casefold() in taken:  # only codes differing in case collide (Windows)
            run.failed.append((opd, f"nama berkas {name} sama dengan milik OPD "
                                    f"{taken[name.casefold()]}; bedakan Kode OPD-nya"))
            continue
        taken[name.casefold()] = opd.code
        form, entries, lines = opd.spec.form, None, []
        if prepare is not None:
            try:
                form, entries, lines = prepare(opd)
            except ValueError as exc:
                run.failed.append((opd, str(exc)))
                continue
        try:
            written = _write(opd.spec, outdir / name, password, entries, form=form,
                             register=register, source=master.source, source_kind="master")
        except OSError as exc:
            run.failed.append((opd, f"{outdir / name}: {exc.strerror or exc} (berkas sedang "
                                    "dibuka di Excel, atau folder tidak dapat ditulisi?)"))
            continue
        run.written.append((opd, written))
        if progress:
            progress(f"  {written.path.name}\n      {written.summary}"
                     + "".join(f"\n      {line}" for line in lines))
    return run


SEED_MASTER = f"{bundled.SEED}.master.xlsx"
SEED_MASTER_CREATED = dt.datetime(2024, 1, 1)  # fixed, so rebuilding gives the same file


def write_master_template(output: Path, specs: list[Path] | None = None,
                          as_csv: bool = False, created: dt.datetime | None = None) -> list[Path]:
    """The master to fill: with example rows, or holding the OPD of existing YAML specs."""
    from xlkinerja.workbook.masterwriter import (example_rows, merge_rows, spec_rows, write_master_csv,
                               write_master_xlsx)
    from xlkinerja.form.yamlsource import DocumentError, Problem, read_text

    if specs:
        parts, owner = [], {}
        for path in specs:
            rows = spec_rows(read_text(path), str(path))
            code = rows["opd"][0]["kode_opd"]
            if code.casefold() in owner:
                raise DocumentError(str(path), [Problem((), None, (
                    f"OPD {code} sudah ada di {owner[code.casefold()]}; satu OPD satu "
                    "spesifikasi"))])
            owner[code.casefold()] = str(path)
            parts.append(rows)
        rows, examples = merge_rows(parts), False
    else:
        rows, examples = example_rows(), True
    if as_csv:
        return write_master_csv(rows, output)
    return [write_master_xlsx(rows, output, examples=examples, created=created)]


def write_seed_master(output: Path) -> Path:
    """The bundled example as a master (the file shipped in ``workbook_templates/``)."""
    from xlkinerja.workbook.masterwriter import spec_rows, write_master_xlsx

    rows = spec_rows(bundled.seed_spec_text(), f"{bundled.SEED}.yaml (bawaan)")
    return write_master_xlsx(rows, output, created=SEED_MASTER_CREATED)
