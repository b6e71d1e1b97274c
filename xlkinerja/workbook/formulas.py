"""Every derived cell of the workbook and its formula, in one map.

The writer writes these formulas; the validator compares a returned workbook's formulas with
them (a formula overwritten by a value, or edited, is an integrity finding). Both ask this module,
so what is written and what is expected cannot drift apart.

Keys are (row, col), 0-based; formulas are without the leading "=". The four TW sheets share one
map (their formulas only refer to their own sheet).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from xlkinerja.workbook import calc
from xlkinerja.workbook.layout import QUARTER_SHEETS, Q, R, REKAP_TW, WorkbookLayout, a1, sheet_ref
from xlkinerja.form.model import MURNI, NOT_AVAILABLE, QUARTERS, Form, Polarity, QuarterEntries

Cell = tuple[int, int]


def _contiguous(rows: list[int]) -> bool:
    return bool(rows) and rows == list(range(rows[0], rows[0] + len(rows)))


@dataclass
class FormulaMap:
    form: Form
    layout: WorkbookLayout

    @cached_property
    def quarter_rows(self) -> list[tuple[str, int, bool]]:
        """(id, row on the TW sheets, is a leaf) of every budget row, in form order."""
        L = self.layout.quarter
        return [(row.id, L.budget_rows[row.id], row.is_leaf) for row in self.form.budget_rows()]

    @cached_property
    def quarter_cells(self) -> list[Cell]:
        """The cells of :attr:`quarter`, in its order, without writing their formulas (what the
        reader needs when formulas are not checked)."""
        if "quarter" in self.__dict__:
            return list(self.quarter)
        L = self.layout.quarter
        out: list[Cell] = [(L.indicator_rows[ind.id], Q.CAPAIAN) for _, ind in self.form.indicators()]
        for _, r, leaf in self.quarter_rows:
            if not leaf:
                out += [(r, Q.PAGU), (r, Q.REAL)]
            out.append((r, Q.PERSEN))
        t = L.total_row
        out += [(t, Q.PAGU), (t, Q.REAL), (t, Q.PERSEN)]
        return out

    @cached_property
    def quarter(self) -> dict[Cell, str]:
        form, L = self.form, self.layout.quarter
        out: dict[Cell, str] = {}
        for _, ind in form.indicators():
            r = L.indicator_rows[ind.id]
            out[(r, Q.CAPAIAN)] = calc.capaian_formula(a1(r, Q.IND_REAL), ind, form.capaian,
                                                       a1(r, Q.TARGET))
        for row in form.budget_rows():
            r = L.budget_rows[row.id]
            if not row.is_leaf:
                children = [L.budget_rows[c.id] for c in row.children]
                if _contiguous(children):
                    pagu = [f"{a1(children[0], Q.PAGU)}:{a1(children[-1], Q.PAGU)}"]
                    real = [f"{a1(children[0], Q.REAL)}:{a1(children[-1], Q.REAL)}"]
                else:
                    pagu = [a1(c, Q.PAGU) for c in children]
                    real = [a1(c, Q.REAL) for c in children]
                out[(r, Q.PAGU)] = calc.plain_sum_formula(pagu)
                out[(r, Q.REAL)] = calc.sum_formula(real)
            out[(r, Q.PERSEN)] = calc.percent_formula(a1(r, Q.REAL), a1(r, Q.PAGU))
        t = L.total_row
        programs = [L.budget_rows[p.id] for p in form.programs]
        out[(t, Q.PAGU)] = calc.plain_sum_formula([a1(r, Q.PAGU) for r in programs])
        out[(t, Q.REAL)] = calc.sum_formula([a1(r, Q.REAL) for r in programs])
        out[(t, Q.PERSEN)] = calc.percent_formula(a1(t, Q.REAL), a1(t, Q.PAGU))
        return out

    @cached_property
    def rekap(self) -> dict[Cell, str]:
        form, K, QL = self.form, self.layout.rekap, self.layout.quarter
        C = K.cols
        out: dict[Cell, str] = {}
        # the pagu of the year: TW I's in a form never revised; the one in force at year end
        # (TW IV's) in a revised one, with the murni and the change beside it
        year_sheet = QUARTER_SHEETS[-1] if C.revised else QUARTER_SHEETS[0]
        murni_from_tw1 = C.revised and form.basis(1) == MURNI
        for row in form.budget_rows():
            r, qr = K.budget_rows[row.id], QL.budget_rows[row.id]
            out[(r, C.PAGU)] = sheet_ref(year_sheet, qr, Q.PAGU)
            if C.revised:
                if murni_from_tw1:
                    out[(r, C.PAGU_MURNI)] = sheet_ref(QUARTER_SHEETS[0], qr, Q.PAGU)
                elif not row.is_leaf:  # leaves hold the murni as a locked value
                    out[(r, C.PAGU_MURNI)] = calc.plain_sum_formula(
                        [a1(K.budget_rows[c.id], C.PAGU_MURNI) for c in row.children])
                out[(r, C.SELISIH)] = calc.change_formula(a1(r, C.PAGU), a1(r, C.PAGU_MURNI))
            for sheet, col in zip(QUARTER_SHEETS, C.TW):
                ref = sheet_ref(sheet, qr, Q.REAL)
                out[(r, col)] = f'IF(ISNUMBER({ref}),{ref},"")'
            out[(r, C.TOTAL)] = calc.sum_formula([f"{a1(r, C.TW1)}:{a1(r, C.TW4)}"])
            out[(r, C.SISA)] = calc.sisa_formula(a1(r, C.PAGU), a1(r, C.TOTAL))
            out[(r, C.PERSEN)] = calc.percent_formula(a1(r, C.TOTAL), a1(r, C.PAGU))
        t = K.budget_total_row
        programs = [K.budget_rows[p.id] for p in form.programs]
        out[(t, C.PAGU)] = calc.plain_sum_formula([a1(r, C.PAGU) for r in programs])
        if C.revised:
            out[(t, C.PAGU_MURNI)] = calc.plain_sum_formula([a1(r, C.PAGU_MURNI) for r in programs])
            out[(t, C.SELISIH)] = calc.change_formula(a1(t, C.PAGU), a1(t, C.PAGU_MURNI))
        for col in (*C.TW, C.TOTAL):
            out[(t, col)] = calc.sum_formula([a1(r, col) for r in programs])
        out[(t, C.SISA)] = calc.sisa_formula(a1(t, C.PAGU), a1(t, C.TOTAL))
        out[(t, C.PERSEN)] = calc.percent_formula(a1(t, C.TOTAL), a1(t, C.PAGU))
        for _, ind in form.indicators():
            r, qr = K.indicator_rows[ind.id], QL.indicator_rows[ind.id]
            if ind.polarity is not Polarity.RANGE:
                out[(r, C.TARGET)] = sheet_ref(QUARTER_SHEETS[0], qr, Q.TARGET)
            for sheet, col in zip(QUARTER_SHEETS, C.TW):
                ref = sheet_ref(sheet, qr, Q.IND_REAL)
                out[(r, col)] = f'IF(ISNUMBER({ref}),{ref},IF(ISTEXT({ref}),IF({ref}="-","-",""),""))'
            out[(r, C.TOTAL)] = calc.annual_formula([a1(r, c) for c in C.TW], ind.annual)
            target = None if ind.polarity is Polarity.RANGE else a1(r, C.TARGET)
            out[(r, C.SISA)] = calc.capaian_formula(a1(r, C.TOTAL), ind, form.capaian, target)
            out[(r, C.PERSEN)] = calc.capaian_formula(a1(r, C.TOTAL), ind, form.capaian, target,
                                                      capped=False)
        return out


# Forms issued before the formulas stopped using N() (which Apache POI lacks) carry the same
# figures written with it; a returned form of that kind is not "formula changed". Each pattern,
# applied to a normalized formula, gives the current text of the same formula.
_REF = r"([^(),=<>\-]+)"
_LEGACY = (
    (re.compile(rf"AND\(ISNUMBER\({_REF}\),N\({_REF}\)<>0\)"), r"AND(ISNUMBER(\1),ISNUMBER(\2),\2<>0)"),
    (re.compile(rf"IF\(N\({_REF}\)<>0,"), r"IF(AND(ISNUMBER(\1),\1<>0),"),
    (re.compile(rf"-N\({_REF}\)$"), r"-SUM(\1)"),
)


def normalize_formula(text: str | None) -> str | None:
    """Compare formulas the way spreadsheet programs may rewrite them: no leading '=', no
    spaces outside strings, upper case outside strings, no '_xlfn.' prefixes, no '$'; the
    N() forms of earlier forms read as today's equivalents."""
    if text is None:
        return None
    text = text.strip()
    if text.startswith("="):
        text = text[1:]
    out, in_string = [], False
    for ch in text:
        if ch == '"':
            in_string = not in_string
            out.append(ch)
        elif in_string:
            out.append(ch)
        elif ch in " \n\r\t$":
            continue
        else:
            out.append(ch.upper())
    text = "".join(out).replace("_XLFN.", "")
    if "N(" in text:
        for pattern, current in _LEGACY:
            text = pattern.sub(current, text)
    return text


# -- the values those formulas compute, in Python (cell scale: 0.665 for 66,5 %) ------------------

def quarter_values(fm: FormulaMap, entries: QuarterEntries | None,
                   quarter: int | None = None) -> dict[Cell, Any]:
    """What every derived cell of one TW sheet computes from that quarter's entries (against
    the pagu in force in ``quarter``: it matters in a revised form only)."""
    form, L = fm.form, fm.layout.quarter
    figures = calc.budget_figures(form, entries, quarter)
    out: dict[Cell, Any] = {}
    for _, ind in form.indicators():
        entry = entries.indikator.get(ind.id) if entries else None
        raw = calc.capaian_raw(calc.indicator_value(entry.realisasi if entry else None), ind,
                               form.capaian)
        out[(L.indicator_rows[ind.id], Q.CAPAIAN)] = calc.capaian_display(raw, form.capaian)
    for ident, r, leaf in fm.quarter_rows:
        fig = figures[ident]
        if not leaf:
            out[(r, Q.PAGU)] = fig.pagu
            out[(r, Q.REAL)] = fig.realisasi
        out[(r, Q.PERSEN)] = fig.percent
    total = calc.total_figure(form, figures)
    t = L.total_row
    out[(t, Q.PAGU)], out[(t, Q.REAL)], out[(t, Q.PERSEN)] = total.pagu, total.realisasi, total.percent
    return out


def rekap_values(fm: FormulaMap, entries: dict[int, QuarterEntries]) -> dict[Cell, Any]:
    form, K = fm.form, fm.layout.rekap
    C = K.cols
    figures = {q: calc.budget_figures(form, entries.get(q), q) for q in QUARTERS}
    out: dict[Cell, Any] = {}

    def year_row(r: int, pagu: float, murni: float, values: list[float | None]) -> None:
        filled = [v for v in values if v is not None]
        total = sum(filled) if filled else None
        out[(r, C.PAGU)] = pagu
        if C.revised:
            out[(r, C.PAGU_MURNI)] = murni
            out[(r, C.SELISIH)] = calc.pagu_change(pagu, murni)
        for col, v in zip(C.TW, values):
            out[(r, col)] = v
        out[(r, C.TOTAL)] = total
        out[(r, C.SISA)] = pagu - (total or 0)
        out[(r, C.PERSEN)] = calc.budget_percent(total, pagu)

    for row in form.budget_rows():
        year_row(K.budget_rows[row.id], row.pagu, row.murni,
                 [figures[q][row.id].realisasi for q in QUARTERS])
    year_row(K.budget_total_row, form.total_pagu, form.total_murni,
             [calc.total_figure(form, figures[q]).realisasi for q in QUARTERS])
    for _, ind in form.indicators():
        r = K.indicator_rows[ind.id]
        if ind.polarity is not Polarity.RANGE:
            out[(r, C.TARGET)] = ind.target / ind.scale
        numbers = []
        for q, col in zip(QUARTERS, C.TW):
            entry = entries.get(q).indikator.get(ind.id) if entries.get(q) else None
            value = entry.realisasi if entry else None
            number = calc.indicator_value(value)
            numbers.append(number)
            out[(r, col)] = number / ind.scale if number is not None else \
                (NOT_AVAILABLE if value == NOT_AVAILABLE else None)
        final = calc.annual_realisasi(numbers, ind.annual)
        out[(r, C.TOTAL)] = final / ind.scale if final is not None else None
        raw = calc.capaian_raw(final, ind, form.capaian)
        out[(r, C.SISA)] = calc.capaian_display(raw, form.capaian)
        out[(r, C.PERSEN)] = raw
    return out
