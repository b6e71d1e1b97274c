"""Every derived cell of the workbook and its formula, in one map.

The writer writes these formulas; the validator compares a returned workbook's formulas with
them (a formula overwritten by a value, or edited, is an integrity finding). Both ask this module,
so what is written and what is expected cannot drift apart.

Keys are (row, col), 0-based; formulas are without the leading "=". The four TW sheets share one
map (their formulas only refer to their own sheet).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from . import calc
from .layout import QUARTER_SHEETS, Q, R, REKAP_TW, WorkbookLayout, a1, sheet_ref
from .model import Form, Polarity

Cell = tuple[int, int]


def _contiguous(rows: list[int]) -> bool:
    return bool(rows) and rows == list(range(rows[0], rows[0] + len(rows)))


@dataclass
class FormulaMap:
    form: Form
    layout: WorkbookLayout

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
        out: dict[Cell, str] = {}
        for row in form.budget_rows():
            r, qr = K.budget_rows[row.id], QL.budget_rows[row.id]
            out[(r, R.PAGU)] = sheet_ref(QUARTER_SHEETS[0], qr, Q.PAGU)
            for sheet, col in zip(QUARTER_SHEETS, REKAP_TW):
                ref = sheet_ref(sheet, qr, Q.REAL)
                out[(r, col)] = f'IF(ISNUMBER({ref}),{ref},"")'
            out[(r, R.TOTAL)] = calc.sum_formula([f"{a1(r, R.TW1)}:{a1(r, R.TW4)}"])
            out[(r, R.SISA)] = f"{a1(r, R.PAGU)}-N({a1(r, R.TOTAL)})"
            out[(r, R.PERSEN)] = calc.percent_formula(a1(r, R.TOTAL), a1(r, R.PAGU))
        t = K.budget_total_row
        programs = [K.budget_rows[p.id] for p in form.programs]
        out[(t, R.PAGU)] = calc.plain_sum_formula([a1(r, R.PAGU) for r in programs])
        for col in (*REKAP_TW, R.TOTAL):
            out[(t, col)] = calc.sum_formula([a1(r, col) for r in programs])
        out[(t, R.SISA)] = f"{a1(t, R.PAGU)}-N({a1(t, R.TOTAL)})"
        out[(t, R.PERSEN)] = calc.percent_formula(a1(t, R.TOTAL), a1(t, R.PAGU))
        for _, ind in form.indicators():
            r, qr = K.indicator_rows[ind.id], QL.indicator_rows[ind.id]
            if ind.polarity is not Polarity.RANGE:
                out[(r, R.PAGU)] = sheet_ref(QUARTER_SHEETS[0], qr, Q.TARGET)
            for sheet, col in zip(QUARTER_SHEETS, REKAP_TW):
                ref = sheet_ref(sheet, qr, Q.IND_REAL)
                out[(r, col)] = f'IF(ISNUMBER({ref}),{ref},IF(ISTEXT({ref}),IF({ref}="-","-",""),""))'
            out[(r, R.TOTAL)] = calc.annual_formula([a1(r, c) for c in REKAP_TW], ind.annual)
            target = None if ind.polarity is Polarity.RANGE else a1(r, R.PAGU)
            out[(r, R.SISA)] = calc.capaian_formula(a1(r, R.TOTAL), ind, form.capaian, target)
            out[(r, R.PERSEN)] = calc.capaian_formula(a1(r, R.TOTAL), ind, form.capaian, target,
                                                      capped=False)
        return out


def normalize_formula(text: str | None) -> str | None:
    """Compare formulas the way spreadsheet programs may rewrite them: no leading '=', no
    spaces outside strings, upper case outside strings, no '_xlfn.' prefixes, no '$'."""
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
    return "".join(out).replace("_XLFN.", "")
