"""A form written back as a template spec (YAML), for the roll-over to next year.

``generate --tahun-berikut`` takes this year's spec or filled workbook and writes next year's
spec: structure, codes and ids, signatory and indicators carried, every target and pagu left
empty to be filled (the spec refuses to generate until they are), and last year's realisasi of
each indicator kept as ``realisasi_tahun_lalu`` (the AKIP evaluation compares targets with it).
"""

from __future__ import annotations

import json

from xlkinerja.base.numbers import format_number, format_rupiah
from xlkinerja.form.model import Form, Polarity, RowChange

__all__ = ["next_year_spec", "form_spec"]


def _q(text: str) -> str:
    """A YAML scalar that stays text (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def form_spec(form: Form) -> str:
    """The spec of ``form`` as it is (targets and pagu kept; a revision's lineage is not a spec
    key and is left out): what a planning office edits to make a revision."""
    return next_year_spec(form, source="", blank=False)


def next_year_spec(form: Form, last_year: dict[str, float | None] | None = None,
                   source: str = "", blank: bool = True) -> str:
    """Next year's spec for ``form``; ``last_year``: the year's realisasi of each indicator
    (by id, in its unit), when it comes from a filled workbook. ``blank=False``: the same
    year, values kept (:func:`form_spec`)."""
    year = form.year + 1 if blank else form.year
    last_year = last_year or {}
    head = [
        f"# Formulir {form.opd_name} tahun {year}, dibuat dari formulir tahun {form.year}"
        + (f" ({source})" if source else "") + ".",
        "# Susunan, kode, penandatangan dan indikator dibawa dari tahun lalu.",
        "# ISI setiap 'target' dan 'pagu' (null = belum diisi; generate menolaknya sampai diisi).",
        "# 'realisasi_tahun_lalu' adalah realisasi indikator tahun lalu sebagai pembanding: bila",
        "# target lebih rendah darinya, tulis alasannya di 'alasan_target' (temuan evaluasi AKIP).",
    ] if blank else [f"# Formulir {form.opd_name} tahun {year}."]
    out = [
        *head,
        "format: xlkinerja-spec/1",
        "opd:",
        f"  code: {_q(form.opd_code)}",
        f"  name: {_q(form.opd_name)}",
        f"year: {year}",
        *([f"pemda: {_q(form.pemda)}"] if form.pemda else []),
        "signatory:",
        f"  jabatan: {_q(form.signatory.jabatan)}",
        f"  name: {_q(form.signatory.name)}",
        f"  pangkat: {_q(form.signatory.pangkat)}",
        f"  nip: {_q(form.signatory.nip)}",
        "capaian:",
        "  display_cap: " + ("false" if form.capaian.display_cap is None
                             else _n(form.capaian.display_cap * 100)),
        f"  lower_is_better: {form.capaian.lower_formula.value}",
        "sasaran:",
    ]
    for s in form.sasaran:
        out += [f"  - id: {_q(s.id)}", f"    text: {_q(s.text)}", "    indikator:"]
        for ind in s.indikator:
            unit = "%" if ind.is_percent else ""
            old = (f"{format_number(ind.target)}{unit} – {format_number(ind.target_high)}{unit}"
                   if ind.polarity is Polarity.RANGE else f"{format_number(ind.target)}{unit}")
            real = last_year.get(ind.id, ind.last_year)
            target_hint = f"  # ISI target {year} (target {form.year}: {old}"
            target_hint += (f"; realisasi {form.year}: {format_number(real)}{unit})"
                            if real is not None else ")")
            if not blank:
                target = (f"[{_n(ind.target)}, {_n(ind.target_high)}]"
                          if ind.polarity is Polarity.RANGE else _n(ind.target))
                target_line = f"        target: {target}"
            else:
                target_line = ("        target: [null, null]" if ind.polarity is Polarity.RANGE
                               else "        target: null") + target_hint
            out += [f"      - id: {_q(ind.id)}", f"        text: {_q(ind.text)}", target_line,
                    f"        unit: {_q(ind.unit)}",
                    f"        cara_pengukuran: {_q(ind.cara_pengukuran)}",
                    f"        polarity: {ind.polarity.value}",
                    f"        frequency: {ind.frequency.value}",
                    f"        annual_value: {ind.annual.value}"]
            if real is not None:
                out.append(f"        realisasi_tahun_lalu: {_n(real)}")
            if ind.sumber:
                out.append(f"        sumber: {_q(ind.sumber)}")
            if ind.target_note and not blank:
                out.append(f"        alasan_target: {_q(ind.target_note)}")
    out.append("program:")

    def row(r, indent: int, key: str | None) -> None:
        pad = " " * indent
        out.append(f"{pad}- id: {_q(r.id)}")
        out.append(f"{pad}  name: {_q(r.name)}")
        if r.code:
            out.append(f"{pad}  code: {_q(r.code)}")
        if r.is_leaf and not blank:
            out.append(f"{pad}  pagu: {_n(r.pagu)}")
        elif r.is_leaf:
            out.append(f"{pad}  pagu: null  # ISI pagu {year} (pagu {form.year}: "
                       f"{format_rupiah(r.pagu)})")
        else:
            out.append(f"{pad}  {key}:")
            child_key = "sub_kegiatan" if key == "kegiatan" else None
            for c in r.children:
                if alive(c):
                    row(c, indent + 4, child_key)

    def alive(r) -> bool:  # a row removed by this year's revision does not roll over
        if r.is_leaf:
            return r.change is not RowChange.REMOVED
        return any(alive(c) for c in r.children)

    for p in form.programs:
        if alive(p):
            row(p, 2, "kegiatan")
    return "\n".join(out) + "\n"
