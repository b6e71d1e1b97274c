"""Derived figures of the form, in Python and as Excel formulas, side by side.

Every derived cell of the workbook is a formula, and every such formula has its Python twin here,
so that cached values written by the generator, values recomputed by the reader and what Excel or
LibreOffice compute are the same thing by construction (the tests check the three agree).
"""

from __future__ import annotations

from typing import NamedTuple

from xlkinerja.form.model import (NOT_AVAILABLE, Annual, BudgetRow, CapaianSettings, Form, Indikator, Level,
                    LowerFormula, Polarity, QuarterEntries)

__all__ = [
    "BudgetFigure", "budget_figures", "budget_percent", "capaian_raw", "capaian_display",
    "annual_realisasi", "capaian_formula", "annual_formula", "sum_formula", "percent_formula",
    "indicator_value", "blank_sum", "blank_average", "plain_sum_formula", "average_formula",
    "pagu_change", "change_formula", "nonzero_number", "sisa_formula",
]


class BudgetFigure(NamedTuple):
    """Pagu and realisasi of one budget row in one quarter (immutable; a tuple, since one is made
    per row and quarter of every workbook read)."""

    pagu: float
    realisasi: float | None  # None: nothing filled below this row

    @property
    def percent(self) -> float | None:
        return budget_percent(self.realisasi, self.pagu)


def budget_percent(realisasi: float | None, pagu: float) -> float | None:
    """% anggaran = realisasi / pagu, blank when realisasi is empty or pagu is 0."""
    if realisasi is None or not pagu:
        return None
    return realisasi / pagu


def budget_figures(form: Form, entries: QuarterEntries | None,
                   quarter: int | None = None) -> dict[str, BudgetFigure]:
    """Pagu and realisasi of every budget row for one quarter, parents summed from leaves.

    The pagu is the one in force in ``quarter`` (murni before a revision, perubahan from it
    on: :meth:`BudgetRow.pagu_at`); without a quarter, the one in force at year end. A leaf
    closed in that quarter (a row the revision added, before it; a row it removed, from it on)
    has no realisasi there, whatever its cell holds."""
    out: dict[str, BudgetFigure] = {}
    budget = entries.budget if entries else {}
    q = quarter if form.revision is not None else None
    for program in form.programs:
        _visit(program, budget, out, q)
    return out


def _visit(row: BudgetRow, budget: dict, out: dict[str, BudgetFigure],
           q: int | None = None) -> BudgetFigure:
    """One row's figure, its children's first (a module-level function: a nested one calling
    itself would be a reference cycle holding ``out`` until the cyclic collector runs)."""
    if row.level is _LEAF:  # row.is_leaf; its pagu is row.pagu (row.pagu_at(q) in a revision)
        entry = budget.get(row.id)
        value = entry.realisasi if entry and isinstance(entry.realisasi, (int, float)) else None
        if q is None:
            fig = BudgetFigure(row.own_pagu or 0, value)
        else:
            fig = BudgetFigure(row.pagu_at(q), value if row.open_in(q) else None)
    else:  # a parent's pagu (row.pagu) is the sum of its children's, in order
        kids = [_visit(child, budget, out, q) for child in row.children]
        filled = [k.realisasi for k in kids if k.realisasi is not None]
        fig = BudgetFigure(sum(k.pagu for k in kids), sum(filled) if filled else None)
    out[row.id] = fig
    return fig


_LEAF = Level.SUB_KEGIATAN


def total_figure(form: Form, figures: dict[str, BudgetFigure]) -> BudgetFigure:
    """Total Anggaran from the figures of the programs (pagu: form.total_pagu)."""
    programs = [figures[p.id] for p in form.programs]
    filled = [f.realisasi for f in programs if f.realisasi is not None]
    return BudgetFigure(sum(f.pagu for f in programs), sum(filled) if filled else None)


def indicator_value(value) -> float | None:
    """The numeric realisasi of an indicator entry, None for blank or "-"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def capaian_raw(realisasi: float | None, ind: Indikator, settings: CapaianSettings) -> float | None:
    """Capaian as a fraction, uncapped; None when there is nothing to compare."""
    if realisasi is None or realisasi == NOT_AVAILABLE:
        return None
    r, t = float(realisasi), float(ind.target)
    if ind.polarity is Polarity.HIGHER:
        return r / t if t else None
    if ind.polarity is Polarity.LOWER:
        if settings.lower_formula is LowerFormula.INVERSE:
            return t / r if r else None
        return max(0.0, (2 * t - r) / t) if t else None
    # RANGE
    low, high = t, float(ind.target_high if ind.target_high is not None else t)
    if r < low:
        return r / low if low else None
    if r > high:
        return max(0.0, (2 * high - r) / high) if high else None
    return 1.0


def capaian_display(raw: float | None, settings: CapaianSettings) -> float | None:
    """What the form shows: the raw capaian, capped when the settings say so."""
    if raw is None:
        return None
    if settings.display_cap is not None:
        return min(raw, settings.display_cap)
    return raw


def blank_sum(values) -> float | None:
    """:func:`sum_formula` in Python: the sum of the numbers, None (blank) when there is none."""
    numbers = [v for v in values if v is not None]
    return sum(numbers) if numbers else None


def blank_average(values) -> float | None:
    """:func:`average_formula` in Python: the mean of the numbers, None when there is none."""
    numbers = [v for v in values if v is not None]
    return sum(numbers) / len(numbers) if numbers else None


def annual_realisasi(values: list[float | None], annual: Annual) -> float | None:
    numbers = [v for v in values if v is not None]
    if not numbers:
        return None
    if annual is Annual.LAST:
        return numbers[-1]
    if annual is Annual.SUM:
        return blank_sum(numbers)
    return blank_average(numbers)


# -- Excel formulas -----------------------------------------------------------------------------
# Classic functions only, and only those every engine implements: Excel, LibreOffice 7.4,
# Gnumeric and Apache POI's evaluator (which previewers and Java tools use). No N(): POI lacks it;
# "a number other than 0" is AND(ISNUMBER(x),x<>0) and "x, or 0 when blank" is SUM(x).

def sum_formula(refs: list[str]) -> str:
    """SUM over cells; blank ("") when none of them holds a number."""
    return f'IF({_aggregate("COUNT", refs)}=0,"",{_aggregate("SUM", refs)})'


def plain_sum_formula(refs: list[str]) -> str:
    """SUM over cells, 0 when none holds a number (Python: ``sum``)."""
    return _aggregate("SUM", refs)


def average_formula(refs: list[str]) -> str:
    """AVERAGE over cells; blank ("") when none of them holds a number (past Excel's 255
    arguments, SUM/COUNT: an average of averages would be wrong)."""
    count = _aggregate("COUNT", refs)
    mean = (f"AVERAGE({','.join(refs)})" if len(refs) <= _CHUNK
            else f"{_aggregate('SUM', refs)}/{count}")
    return f'IF({count}=0,"",{mean})'


_CHUNK = 200  # references a function call takes before _aggregate splits it


def _aggregate(func: str, refs: list[str], chunk: int = _CHUNK) -> str:
    """FUNC(refs) staying under Excel's 255 arguments: SUM(FUNC(..200..),FUNC(..)) past that."""
    if len(refs) <= chunk:
        return f"{func}({','.join(refs)})"
    parts = [f"{func}({','.join(refs[i:i + chunk])})" for i in range(0, len(refs), chunk)]
    return f"SUM({','.join(parts)})"


def pagu_change(pagu: float, murni: float) -> float:
    """The change a revision made to a pagu: perubahan - murni (negative when it was cut)."""
    return pagu - murni


def change_formula(pagu_ref: str, murni_ref: str) -> str:
    """Excel twin of :func:`pagu_change`."""
    return f"{pagu_ref}-{murni_ref}"


def nonzero_number(ref: str) -> str:
    """TRUE when ``ref`` holds a number other than 0 (blank, text and 0 give FALSE)."""
    return f"AND(ISNUMBER({ref}),{ref}<>0)"


def percent_formula(realisasi_ref: str, pagu_ref: str) -> str:
    """realisasi / pagu, blank unless realisasi is a number and pagu a number other than 0."""
    return (f'IF(AND(ISNUMBER({realisasi_ref}),ISNUMBER({pagu_ref}),{pagu_ref}<>0),'
            f'{realisasi_ref}/{pagu_ref},"")')


def sisa_formula(pagu_ref: str, total_ref: str) -> str:
    """Sisa anggaran: pagu less realisasi, a blank realisasi counting as 0."""
    return f"{pagu_ref}-SUM({total_ref})"


def _num(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def capaian_formula(r: str, ind: Indikator, settings: CapaianSettings, target_ref: str | None,
                    capped: bool = True) -> str:
    """Excel formula of capaian for realisasi cell ``r`` (cell scale, e.g. 0.665 for 66,5 %).

    ``target_ref`` is the cell holding the target in the same scale; range targets are written
    as constants because the form prints them as text.
    """
    scale = ind.scale
    if ind.polarity is Polarity.RANGE or target_ref is None:
        t = _num(ind.target / scale)
    else:
        t = target_ref
    if ind.polarity is Polarity.HIGHER:
        guard, expr = _nonzero(t), f"{r}/{t}"
    elif ind.polarity is Polarity.LOWER:
        if settings.lower_formula is LowerFormula.INVERSE:
            guard, expr = f"{r}<>0", f"{t}/{r}"
        else:
            guard, expr = _nonzero(t), f"MAX(0,(2*{t}-{r})/{t})"
    else:
        hi = _num((ind.target_high if ind.target_high is not None else ind.target) / scale)
        low_part = f"{r}/{t}" if float(ind.target) else '""'
        high_part = f"MAX(0,(2*{hi}-{r})/{hi})" if float(hi) else '""'
        guard = "TRUE"
        expr = f"IF({r}<{t},{low_part},IF({r}>{hi},{high_part},1))"
    if capped and settings.display_cap is not None:
        expr = f"MIN({_num(settings.display_cap)},{expr})"
    if guard == "TRUE":
        return f'IF(ISNUMBER({r}),{expr},"")'
    if guard == "FALSE":  # a constant target of 0: nothing to compare with
        return '""'
    return f'IF(ISNUMBER({r}),IF({guard},{expr},""),"")'


def _nonzero(t: str) -> str:
    """The guard "target is a number other than 0": worked out here for a constant target."""
    try:
        return "TRUE" if float(t) else "FALSE"
    except ValueError:
        return nonzero_number(t)


def annual_formula(refs: list[str], annual: Annual) -> str:
    """Realisasi for the year from the four quarter cells (in order TW I..IV)."""
    if annual is Annual.SUM:
        return sum_formula(refs)
    if annual is Annual.AVERAGE:
        return average_formula(refs)
    expr = '""'
    for ref in refs:  # the latest quarter holding a number wins
        expr = f"IF(ISNUMBER({ref}),{ref},{expr})"
    return expr
