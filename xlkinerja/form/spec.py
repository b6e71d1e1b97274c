"""Template specs (YAML) and fill data, read into the model with every problem located.

A spec fixes one OPD's formulir for a year; see docs/spec-format.md for the format. Loading checks the
whole document and reports every problem at once with its line and key (in Bahasa Indonesia);
nothing is generated from a spec with problems. The rules themselves live in
:mod:`xlkinerja.form.formcheck`, shared with the master table (:mod:`xlkinerja.form.master`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xlkinerja.form.formcheck import Checker, TemplateSpec, build_form
from xlkinerja.form.model import (NOT_AVAILABLE, QUARTERS, BudgetEntry, Form, FROM_ROMAN, IndicatorEntry,
                    QuarterEntries)
from xlkinerja.form.yamlsource import DocumentError, load_located, read_text

SPEC_FORMAT = "xlkinerja-spec/1"
FILL_FORMAT = "xlkinerja-isian/1"

__all__ = ["TemplateSpec", "load_spec", "parse_spec", "load_fill", "parse_fill", "SPEC_FORMAT",
           "FILL_FORMAT", "DocumentError"]


_TOP_KEYS = {"format", "opd", "pemda", "year", "signatory", "capaian", "password", "sasaran",
             "program", "revisi"}


def parse_spec(text: str, source: str = "<spec>") -> TemplateSpec:
    doc = load_located(text, source)
    c = Checker(doc)
    top = c.mapping(doc.data, (), _TOP_KEYS, "spesifikasi")
    if top is None:
        raise DocumentError(source, c.problems)

    fmt = top.get("format", SPEC_FORMAT)
    if fmt != SPEC_FORMAT:
        c.problem(("format",), f"format {fmt!r} tidak dikenal; versi ini membaca {SPEC_FORMAT!r}")

    spec = build_form(c, top, source)
    if c.problems or spec is None:
        raise DocumentError(source, c.problems)
    return spec


def load_spec(path: str | Path) -> TemplateSpec:
    path = Path(path)
    return parse_spec(read_text(path), str(path))


# -- fill data: example entries for the four quarters ------------------------------------------

_Q_KEYS = {"anggaran", "indikator", "faktor_pendorong", "uraian_permasalahan",
           "rencana_tindak_lanjut"}


def parse_fill(text: str, form: Form, source: str = "<isian>") -> dict[int, QuarterEntries]:
    """Read fill data (realisasi and narratives per triwulan), keyed by the form's ids."""
    doc = load_located(text, source)
    c = Checker(doc)
    top = c.mapping(doc.data, (), {"format", "triwulan"}, "isian")
    if top is None:
        raise DocumentError(source, c.problems, kind="isian")
    if top.get("format", FILL_FORMAT) != FILL_FORMAT:
        c.problem(("format",), f"format {top.get('format')!r} tidak dikenal; versi ini membaca "
                               f"{FILL_FORMAT!r}")
    leaves = {r.id: r for r in form.leaves()}
    all_rows = {r.id for r in form.budget_rows()}
    indicators = {i.id: i for _, i in form.indicators()}
    out: dict[int, QuarterEntries] = {}
    quarters = c.mapping(top.get("triwulan"), ("triwulan",), set(FROM_ROMAN), "'triwulan'") or {}
    for roman, q in quarters.items():
        if roman not in FROM_ROMAN:
            continue
        path = ("triwulan", roman)
        q = c.mapping(q or {}, path, _Q_KEYS, f"triwulan {roman}")
        if q is None:
            continue
        entries = QuarterEntries()
        for rid, value in (c.mapping(q.get("anggaran") or {}, path + ("anggaran",), set(leaves) | all_rows,
                                     "'anggaran'") or {}).items():
            rpath = path + ("anggaran", rid)
            if rid not in leaves:
                if rid in all_rows:
                    if isinstance(value, dict) and set(value) <= {"keterangan"}:
                        entries.budget[rid] = BudgetEntry(None, c.text(value, "keterangan", rpath, False))
                    else:
                        c.problem(rpath, f"{rid!r} adalah program/kegiatan: realisasinya dihitung "
                                         "dari sub kegiatan; isi hanya 'keterangan'")
                continue
            entries.budget[rid] = _budget_entry(c, value, rpath)
        for iid, value in (c.mapping(q.get("indikator") or {}, path + ("indikator",), set(indicators),
                                     "'indikator'") or {}).items():
            if iid in indicators:
                entries.indikator[iid] = _indicator_entry(c, value, path + ("indikator", iid))
        entries.faktor_pendorong = c.text(q, "faktor_pendorong", path, False, 5000)
        entries.uraian_permasalahan = c.text(q, "uraian_permasalahan", path, False, 5000)
        entries.rencana_tindak_lanjut = c.text(q, "rencana_tindak_lanjut", path, False, 5000)
        out[FROM_ROMAN[roman]] = entries
    if c.problems:
        raise DocumentError(source, c.problems, kind="isian")
    for q in QUARTERS:
        out.setdefault(q, QuarterEntries())
    return out


def _budget_entry(c: Checker, value: Any, path: tuple) -> BudgetEntry:
    if isinstance(value, dict):
        c.mapping(value, path, {"realisasi", "keterangan"}, "isian anggaran")
        real = value.get("realisasi")
        ket = c.text(value, "keterangan", path, False)
    else:
        real, ket = value, None
    amount = None if real is None else c.number(real, path, "realisasi", minimum=0)
    return BudgetEntry(amount, ket)


def _indicator_entry(c: Checker, value: Any, path: tuple) -> IndicatorEntry:
    if isinstance(value, dict):
        c.mapping(value, path, {"realisasi", "keterangan"}, "isian indikator")
        real = value.get("realisasi")
        ket = c.text(value, "keterangan", path, False)
    else:
        real, ket = value, None
    if real is None or (isinstance(real, str) and real.strip() == NOT_AVAILABLE):
        return IndicatorEntry(NOT_AVAILABLE if real is not None else None, ket)
    return IndicatorEntry(c.number(real, path, "realisasi indikator"), ket)


def load_fill(path: str | Path, form: Form) -> dict[int, QuarterEntries]:
    path = Path(path)
    return parse_fill(read_text(path), form, str(path))
