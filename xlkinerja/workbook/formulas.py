"""Every derived cell of the workbook and its formula, in one map.

The writer writes these formulas; the validator compares a returned workbook's formulas with
them (a formula overwritten by a value, or edited, is an integrity finding). Both ask this module,
so what is written and what is expected cannot drift apart.

Keys are (row, col), 0-based; formulas are without the leading "=". The four TW sheets have the
same cells, with formulas that differ in what they reach back to: REALISASI s.d. TW n sums the
earlier quarter sheets, and the capaian of an indicator whose quarters add up (sum, average,
highest) takes the value so far from Rekap Tahunan's cleaned TW I..n.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from xlkinerja.workbook import calc
from xlkinerja.workbook.layout import QUARTER_SHEETS, Q, R, SHEET_REKAP, WorkbookLayout, a1, sheet_ref
from xlkinerja.form.model import MURNI, NOT_AVAILABLE, QUARTERS, Annual, Form, Polarity, QuarterEntries

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

    def leaf_real_refs(self, q: int) -> list[str]:
        """The realisasi input cells of the sheet of TW ``q``, contiguous runs as ranges (in a
        revised form without the rows closed there, whose cell says "baris baru"/"dihapus")."""
        form = self.form
        rows = [self.layout.quarter.budget_rows[row.id] for row in form.leaves()
                if form.revision is None or row.open_in(q)]
        out, start = [], None
        for i, r in enumerate(rows):
            if start is None:
                start = r
            if i + 1 == len(rows) or rows[i + 1] != r + 1:
                out.append(a1(start, Q.REAL) if start == r else
                           f"{a1(start, Q.REAL)}:{a1(r, Q.REAL)}")
                start = None
        return out

    @cached_property
    def quarter_cells(self) -> list[Cell]:
        """The cells of :meth:`quarter_map` (the same on every TW sheet), in its order, without
        writing their formulas (what the reader needs when formulas are not checked)."""
        if "_quarter_maps" in self.__dict__ and self._quarter_maps:
            return list(next(iter(self._quarter_maps.values())))
        L = self.layout.quarter
        out: list[Cell] = [(L.indicator_rows[ind.id], Q.CAPAIAN) for _, ind in self.form.indicators()]
        for _, r, leaf in self.quarter_rows:
            if not leaf:
                out += [(r, Q.PAGU), (r, Q.REAL)]
            out += [(r, Q.PERSEN), (r, Q.REAL_SD), (r, Q.PERSEN_SD)]
        t = L.total_row
        out += [(t, Q.PAGU), (t, Q.REAL), (t, Q.PERSEN), (t, Q.REAL_SD), (t, Q.PERSEN_SD),
                (t, Q.KET)]
        return out

    @cached_property
    def _quarter_maps(self) -> dict[int, dict[Cell, str]]:
        return {}

    def quarter_map(self, q: int) -> dict[Cell, str]:
        """Every derived cell of the sheet of TW ``q`` and its formula (the sheets differ in
        what they sum up to and compare: the value so far)."""
        if q not in self._quarter_maps:
            self._quarter_maps[q] = self._quarter(q)
        return self._quarter_maps[q]

    def _quarter(self, q: int) -> dict[Cell, str]:
        form, L, K = self.form, self.layout.quarter, self.layout.rekap
        out: dict[Cell, str] = {}
        for _, ind in form.indicators():
            r = L.indicator_rows[ind.id]
            own, target = a1(r, Q.IND_REAL), a1(r, Q.TARGET)
            if ind.polarity is not Polarity.RANGE and ind.quarter_targets or q == 1 \
                    or ind.annual is Annual.LAST:
                out[(r, Q.CAPAIAN)] = calc.capaian_formula(own, ind, form.capaian, target)
            else:  # the value so far, over Rekap Tahunan's cleaned TW I..q
                k = K.indicator_rows[ind.id]
                tw = K.cols.TW
                first, now = sheet_ref(SHEET_REKAP, k, tw[0]), sheet_ref(SHEET_REKAP, k, tw[q - 1])
                expr = calc.so_far_expression(f"{first}:{a1(k, tw[q - 1])}", ind.annual)
                out[(r, Q.CAPAIAN)] = calc.capaian_formula(expr, ind, form.capaian, target,
                                                           gate=now, scale_guard=False)
        earlier = QUARTER_SHEETS[:q - 1]
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
            self._cumulative(out, r, earlier)
        t = L.total_row
        programs = [L.budget_rows[p.id] for p in form.programs]
        out[(t, Q.PAGU)] = calc.plain_sum_formula([a1(r, Q.PAGU) for r in programs])
        out[(t, Q.REAL)] = calc.sum_formula([a1(r, Q.REAL) for r in programs])
        out[(t, Q.PERSEN)] = calc.percent_formula(a1(t, Q.REAL), a1(t, Q.PAGU))
        self._cumulative(out, t, earlier)
        out[(t, Q.KET)] = calc.uncounted_formula(self.leaf_real_refs(q))
        return out

    @staticmethod
    def _cumulative(out: dict[Cell, str], r: int, earlier: tuple[str, ...]) -> None:
        refs = [sheet_ref(sheet, r, Q.REAL) for sheet in earlier] + [a1(r, Q.REAL)]
        out[(r, Q.REAL_SD)] = calc.sum_formula(refs)
        out[(r, Q.PERSEN_SD)] = calc.percent_formula(a1(r, Q.REAL_SD), a1(r, Q.PAGU))

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
        out[(K.budget_header_top, C.TOTAL)] = calc.running_label_formula(
            [f"ISNUMBER({a1(t, col)})" for col in C.TW])
        ind_rows = [K.indicator_rows[ind.id] for _, ind in form.indicators()]
        for _, ind in form.indicators():
            r, qr = K.indicator_rows[ind.id], QL.indicator_rows[ind.id]
            quarter_cells = [a1(r, c) for c in C.TW]
            if ind.polarity is not Polarity.RANGE:
                out[(r, C.TARGET)] = (calc.target_so_far_formula(quarter_cells, ind)
                                    if ind.quarter_targets else
                                    sheet_ref(QUARTER_SHEETS[0], qr, Q.TARGET))
            for sheet, col in zip(QUARTER_SHEETS, C.TW):
                out[(r, col)] = calc.indicator_cell_formula(sheet_ref(sheet, qr, Q.IND_REAL), ind)
            out[(r, C.TOTAL)] = calc.annual_formula(quarter_cells, ind.annual)
            target = None if ind.polarity is Polarity.RANGE else a1(r, C.TARGET)
            out[(r, C.SISA)] = calc.capaian_formula(a1(r, C.TOTAL), ind, form.capaian, target,
                                                    scale_guard=False)
            out[(r, C.PERSEN)] = calc.capaian_formula(a1(r, C.TOTAL), ind, form.capaian, target,
                                                      capped=False, scale_guard=False)
        if ind_rows:
            first, last = min(ind_rows), max(ind_rows)
            out[(K.indicator_header_top, C.TOTAL)] = calc.running_label_formula(
                [f"COUNT({a1(first, col)}:{a1(last, col)})>0" for col in C.TW])
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

def quarter_values(fm: FormulaMap, entries: dict[int, QuarterEntries], q: int) -> dict[Cell, Any]:
    """What every derived cell of the sheet of TW ``q`` computes from the entries of TW I..q."""
    form, L = fm.form, fm.layout.quarter
    figures = [calc.budget_figures(form, entries.get(k), k) for k in QUARTERS[:q]]
    totals = [calc.total_figure(form, f) for f in figures]
    for f, total in zip(figures, totals):
        f[None] = total
    cumulative = calc.cumulative_figures(figures)
    this = figures[-1]
    out: dict[Cell, Any] = {}
    for _, ind in form.indicators():
        values = []
        for k in QUARTERS[:q]:
            e = entries.get(k)
            entry = e.indikator.get(ind.id) if e else None
            values.append(calc.indicator_value(entry.realisasi if entry else None, ind))
        raw = calc.quarter_capaian_raw(values, ind, form.capaian)
        out[(L.indicator_rows[ind.id], Q.CAPAIAN)] = calc.capaian_display(raw, form.capaian)
    for ident, r, leaf in fm.quarter_rows:
        fig, cum = this[ident], cumulative[ident]
        if not leaf:
            out[(r, Q.PAGU)] = fig.pagu
            out[(r, Q.REAL)] = fig.realisasi
        out[(r, Q.PERSEN)] = fig.percent
        out[(r, Q.REAL_SD)], out[(r, Q.PERSEN_SD)] = cum.realisasi, cum.percent
    total, cum = this[None], cumulative[None]
    t = L.total_row
    out[(t, Q.PAGU)], out[(t, Q.REAL)], out[(t, Q.PERSEN)] = total.pagu, total.realisasi, total.percent
    out[(t, Q.REAL_SD)], out[(t, Q.PERSEN_SD)] = cum.realisasi, cum.percent
    out[(t, Q.KET)] = calc.uncounted_label(0)  # generated entries are numbers, all counted
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
    totals = [calc.total_figure(form, figures[q]).realisasi for q in QUARTERS]
    year_row(K.budget_total_row, form.total_pagu, form.total_murni, totals)
    out[(K.budget_header_top, C.TOTAL)] = calc.running_label(calc.latest_quarter(totals))
    latest_ind = None
    for _, ind in form.indicators():
        r = K.indicator_rows[ind.id]
        realisasi = []
        for q in QUARTERS:
            entry = entries.get(q).indikator.get(ind.id) if entries.get(q) else None
            realisasi.append(entry.realisasi if entry else None)
        year = calc.indicator_year(realisasi, ind, form.capaian)
        for col, value, number in zip(C.TW, realisasi, year.values):
            out[(r, col)] = number / ind.scale if number is not None else \
                (NOT_AVAILABLE if value == NOT_AVAILABLE else None)
        if year.latest is not None:
            latest_ind = max(year.latest, latest_ind or 0)
        if ind.polarity is not Polarity.RANGE:
            out[(r, C.TARGET)] = year.target / ind.scale
        out[(r, C.TOTAL)] = year.final / ind.scale if year.final is not None else None
        out[(r, C.SISA)] = year.shown
        out[(r, C.PERSEN)] = year.raw
    if form.indicators():
        out[(K.indicator_header_top, C.TOTAL)] = calc.running_label(latest_ind)
    return out
