"""Carry a returned form's entries into its revision (``generate SPEC --dari OLD.xlsx``).

The old file is read exactly as ``validate`` reads it (by identity, never by position), its form
becomes the base of the revision (:func:`xlkinerja.form.revision.revise`), and every entry is
put into the revised form by id: realisasi and keterangan of budget rows, realisasi and
keterangan of indicators, the three narratives of each triwulan. An entry that has no place
in the revised form (an indicator the new form dropped, a realisasi typed as text, a realisasi
of a removed row from the revision on) is listed in :attr:`Carried.unplaced`, never dropped
silently. The old file is only read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xlkinerja.base.numbers import format_number, format_rupiah
from xlkinerja.findings import Severity
from xlkinerja.form.model import (QUARTERS, ROMAN, BudgetEntry, Form, IndicatorEntry,
                                  QuarterEntries)
from xlkinerja.form.revision import RevisionReport, RevisionRequest, revise
from xlkinerja.reading.reader import Submission, amount_value
from xlkinerja.validation.rules import ValidationOptions, validate_file

__all__ = ["Carried", "CarryError", "read_base", "carry_entries", "revise_from_file"]


class CarryError(ValueError):
    """The old file cannot serve as the base of a revision; the message says why and what to do."""


@dataclass
class Carried:
    """A revised form with the entries carried from the old file."""

    form: Form
    entries: dict[int, QuarterEntries]
    report: RevisionReport
    source: str  # the old file's name
    n_carried: int = 0  # input cells carried
    unplaced: list[str] = field(default_factory=list)  # entries with no place, in words
    notes: list[str] = field(default_factory=list)  # what the person generating should check


def read_base(path: Path) -> tuple[Submission, int]:
    """The old file read back (form and entries) and its number of error findings."""
    report = validate_file(path, ValidationOptions(check_formulas=False))
    sub = report.submission
    if sub is None:
        first = report.sorted_findings()[0].message if report.findings else "tidak terbaca"
        raise CarryError(f"{path}: tidak dapat dibaca sebagai formulir xlkinerja ({first})")
    errors = sum(1 for f in report.findings if f.severity is Severity.ERROR)
    return sub, errors


def carry_entries(sub: Submission, form: Form) -> tuple[dict[int, QuarterEntries], int, list[str]]:
    """The old submission's entries placed in ``form`` by id: (entries, cells carried, unplaced)."""
    leaves = {r.id: r for r in form.leaves()}
    rows = {r.id: r for r in form.budget_rows()}
    indicators = {i.id for _, i in form.indicators()}
    old_names = {r.id: r.name for r in sub.form.budget_rows()}
    old_names.update({i.id: i.text for _, i in sub.form.indicators()})
    entries = sub.entries()
    out: dict[int, QuarterEntries] = {}
    carried, unplaced = 0, []
    for q in QUARTERS:
        src, dst = entries.get(q) or QuarterEntries(), QuarterEntries()
        tw = f"TW {ROMAN[q]}"
        for ident, entry in src.budget.items():
            name = old_names.get(ident, ident)
            real, ket = entry.realisasi, entry.keterangan
            if real is not None:
                leaf = leaves.get(ident)
                if leaf is None:
                    unplaced.append(f"{tw} realisasi '{name}' {format_rupiah(real)}: baris tidak "
                                    "ada di formulir baru")
                    real = None
                elif not leaf.open_in(q):
                    unplaced.append(f"{tw} realisasi '{name}' {format_rupiah(real)}: baris "
                                    f"{leaf.change.value} pada formulir baru, tidak dilaporkan di {tw}")
                    real = None
            if ket and ident not in rows:
                unplaced.append(f"{tw} keterangan '{name}': baris tidak ada di formulir baru "
                                f"(\"{_short(ket)}\")")
                ket = None
            if real is not None or ket:
                dst.budget[ident] = BudgetEntry(real, ket)
                carried += (real is not None) + bool(ket)
        for ident, entry in src.indikator.items():
            if ident not in indicators:
                what = "-" if entry.realisasi == "-" else (
                    format_number(entry.realisasi) if entry.realisasi is not None else "")
                unplaced.append(f"{tw} indikator '{old_names.get(ident, ident)}' {what}".rstrip()
                                + ": indikator tidak ada di formulir baru")
                continue
            dst.indikator[ident] = IndicatorEntry(entry.realisasi, entry.keterangan)
            carried += (entry.realisasi is not None) + bool(entry.keterangan)
        for key in ("faktor_pendorong", "uraian_permasalahan", "rencana_tindak_lanjut"):
            text = getattr(src, key)
            setattr(dst, key, text)
            carried += bool(text)
        out[q] = dst
        # what the reader could not take as an entry (text amounts, dates) is not lost either
        read = sub.quarters.get(q)
        for ident, raw in (read.budget_real.items() if read else ()):
            value = raw.value
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            amount = amount_value(value)
            if amount is None or amount < 0:
                unplaced.append(f"{tw} realisasi '{old_names.get(ident, ident)}' di "
                                f"{raw.sheet}!{raw.a1} berisi {value!r}, bukan angka rupiah: "
                                "ketik ulang di formulir baru")
    return out, carried, unplaced


def revise_from_file(new: Form, request: RevisionRequest, old_path: Path) -> Carried:
    """The revision of the form in ``old_path`` into ``new``, with its entries carried."""
    sub, errors = read_base(old_path)
    form, report = revise(new, request, sub.form, sub.generated_at)
    entries, n, unplaced = carry_entries(sub, form)
    carried = Carried(form, entries, report, Path(old_path).name, n, unplaced)
    if errors:
        carried.notes.append(f"{Path(old_path).name} punya {errors} galat (periksa dengan "
                             "xlkinerja validate); isiannya tetap dipindahkan apa adanya")
    late = [q for q in sub.filled_quarters if q >= request.effective_quarter]
    if late:
        carried.notes.append(
            "formulir lama sudah diisi untuk " + ", ".join(f"TW {ROMAN[q]}" for q in late)
            + f", padahal revisi berlaku mulai TW {ROMAN[request.effective_quarter]}: isiannya "
              "dipindahkan, tetapi kini dibandingkan dengan pagu revisi; minta OPD memeriksanya")
    return carried


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# -- the use cases: one spec and its old file; a master and a folder of returned files ---------

def resolve_request(declared: RevisionRequest | None, kind: str | None, quarter: int | None,
                    date: str | None) -> RevisionRequest:
    """The revision from the spec's ``revisi`` and the command line (which wins)."""
    from xlkinerja.form.revision import RevisionError

    if declared is None and kind is None:
        raise RevisionError("sebutkan jenis revisinya: 'revisi: perubahan' (atau pergeseran) di "
                            "spesifikasi, atau --revisi perubahan")
    murni = declared.pagu_murni if declared else {}
    if quarter is None and date is None and declared is not None and declared.effective_quarter:
        quarter, date = declared.effective_quarter, declared.effective_date
    return RevisionRequest.of(kind or declared.kind, quarter, date, murni)


def generate_revision(spec_path: Path, output: Path, old_path: Path, kind: str | None = None,
                      quarter: int | None = None, date: str | None = None,
                      password: str | None = None, **options):
    """``generate REVISED_SPEC --dari OLD.xlsx``: the revised form with the old entries."""
    from xlkinerja.form.spec import load_spec
    from xlkinerja.workbook.generate import _write

    spec = load_spec(spec_path)
    request = resolve_request(spec.revision, kind, quarter, date)
    carried = revise_from_file(spec.form, request, Path(old_path))
    written = _write(spec, output, password, carried.entries, form=carried.form, **options)
    return written, carried


@dataclass
class ReturnedFiles:
    """The newest returned file of each OPD in a folder, as the base of its revision."""

    by_opd: dict[tuple[str, int], tuple[Path, Submission, int]] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)


def index_returned(paths: list[Path]) -> ReturnedFiles:
    """Per OPD and year, the file that carries the most: the latest triwulan filled, then the
    newest form version, then the file saved last."""
    out = ReturnedFiles()
    for path in paths:
        try:
            sub, errors = read_base(path)
        except CarryError as exc:
            out.unreadable.append(str(exc))
            continue
        key = (sub.form.opd_code, sub.form.year)
        rank = (sub.latest_quarter or 0, sub.generated_at or "", path.stat().st_mtime)
        held = out.by_opd.get(key)
        if held is None or rank > (held[1].latest_quarter or 0, held[1].generated_at or "",
                                   held[0].stat().st_mtime):
            out.by_opd[key] = (path, sub, errors)
    return out


def master_prepare(returned: ReturnedFiles, request: RevisionRequest):
    """For ``write_from_master``: each OPD's form revised from its returned file."""
    def prepare(opd):
        new = opd.spec.form
        held = returned.by_opd.get((new.opd_code, new.year))
        if held is None:
            raise CarryError(f"tidak ada berkas kembalian OPD {new.opd_code} tahun {new.year} di "
                             "folder --dari: formulir revisinya tidak dibuat (tanpa isian lama, "
                             "isian TW sebelumnya akan hilang)")
        path, sub, errors = held
        form, report = revise(new, request, sub.form, sub.generated_at)
        entries, n, unplaced = carry_entries(sub, form)
        lines = [f"dari {path.name}: {n} isian dipindahkan; {report.summary()}"]
        lines += [f"  {line}" for line in report.lines()]
        if errors:
            lines.append(f"PERHATIAN: {path.name} punya {errors} galat; isiannya dipindahkan apa adanya")
        lines += [f"TIDAK DIPINDAHKAN: {u}" for u in unplaced]
        return form, entries, lines
    return prepare


# -- roll-over: next year's spec from this year's spec or filled workbook ----------------------

def roll_over(source: Path, output: Path) -> tuple[Path, Form, dict[str, float | None]]:
    """``generate --tahun-berikut SOURCE -o NEXT.yaml``: next year's spec to fill. From a
    filled workbook, each indicator's realisasi of the year (as the form computes it: last
    value, sum or average) is kept as ``realisasi_tahun_lalu``."""
    from xlkinerja.base.atomic import atomic_path
    from xlkinerja.form.specwriter import next_year_spec
    from xlkinerja.form.spec import load_spec
    from xlkinerja.workbook import calc

    source = Path(source)
    last_year: dict[str, float | None] = {}
    if source.suffix.lower() in (".yaml", ".yml"):
        spec = load_spec(source)
        from xlkinerja.workbook.generate import spec_form

        form = spec_form(spec)
    else:
        sub, _ = read_base(source)
        form = sub.form
        entries = sub.entries()
        for _, ind in form.indicators():
            values = []
            for q in QUARTERS:
                e = entries.get(q)
                entry = e.indikator.get(ind.id) if e else None
                values.append(calc.indicator_value(entry.realisasi if entry else None))
            last_year[ind.id] = calc.annual_realisasi(values, ind.annual)
    text = next_year_spec(form, last_year, source.name)
    with atomic_path(output) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return output, form, last_year
