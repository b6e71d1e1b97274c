"""Derived figures of the form, in Python and as Excel formulas, side by side.

Every derived cell of the workbook is a formula, and every such formula has its Python twin here,
so that cached values written by the generator, values recomputed by the reader and what Excel or
LibreOffice compute are the same thing by construction (the tests check the three agree).
"""

from __future__ import annotations

from typing import NamedTuple

from xlkinerja.form.model import (NOT_AVAILABLE, ROMAN, Annual, BudgetRow, CapaianSettings, Form,
                                  Indikator, Level, LowerFormula, Polarity, QuarterEntries)

__all__ = [
    "BudgetFigure", "budget_figures", "budget_percent", "capaian_raw", "capaian_display",
    "annual_realisasi", "capaian_formula", "annual_formula", "sum_formula", "percent_formula",
    "indicator_value", "blank_sum", "blank_average", "plain_sum_formula", "average_formula",
    "pagu_change", "change_formula", "nonzero_number", "sisa_formula",
    "out_of_scale", "PERCENT_LIMIT", "value_so_far", "target_so_far",
    "quarter_capaian_raw", "latest_quarter", "running_label", "quarter_basis_text",
    "indicator_cell_formula", "so_far_expression", "target_so_far_formula",
    "running_label_formula", "uncounted_label", "uncounted_formula", "cumulative_figures",
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


def cumulative_figures(quarters: list[dict[str, BudgetFigure]]) -> dict[str, BudgetFigure]:
    """Realisasi s.d. TW n of every row (``quarters``: the figures of TW I..n, the total under
    the key None included when given): the sum of the quarters that hold a value, against the
    pagu of TW n (the twin of ``sum_formula`` over the quarter sheets)."""
    out: dict[str, BudgetFigure] = {}
    last = quarters[-1]
    for ident, fig in last.items():
        filled = [f[ident].realisasi for f in quarters if f[ident].realisasi is not None]
        out[ident] = BudgetFigure(fig.pagu, sum(filled) if filled else None)
    return out


#: a percent indicator's realisasi above this (cell scale: 10 = 1.000 %) is a value on the wrong
#: scale (66,5 typed for 66,5 %), not a measurement: refused by the cell and left out of every figure
PERCENT_LIMIT = 10.0


def out_of_scale(value: float, ind: Indikator) -> bool:
    """A model-scale realisasi (66,5 for 66,5 %) that cannot be right for this indicator."""
    return ind.is_percent and abs(value) > PERCENT_LIMIT * ind.scale


def indicator_value(value, ind: Indikator | None = None) -> float | None:
    """The numeric realisasi of an indicator entry, None for blank, "-", text, or (given the
    indicator) a percent on the wrong scale."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if ind is not None and out_of_scale(value, ind):
            return None
        return float(value)
    return None


def capaian_raw(realisasi: float | None, ind: Indikator, settings: CapaianSettings,
                target: float | None = None) -> float | None:
    """Capaian as a fraction, uncapped; None when there is nothing to compare or it cannot be
    defined. ``target`` replaces the yearly target (a quarter target, the target so far).

    Target 0: lower-is-better (and a range [0, 0]) gives 100 % for realisasi 0 (or below) and
    0 % above it; higher-is-better has no capaian (R / 0), which the spec check warns about.
    """
    if realisasi is None or realisasi == NOT_AVAILABLE:
        return None
    r, t = float(realisasi), float(ind.target if target is None else target)
    if ind.polarity is Polarity.HIGHER:
        return r / t if t else None
    if ind.polarity is Polarity.LOWER:
        if settings.lower_formula is LowerFormula.INVERSE:
            if not r:
                return 1.0 if not t else None
            return max(0.0, t / r)
        if not t:
            return 1.0 if r <= 0 else 0.0
        return max(0.0, (2 * t - r) / t)
    # RANGE
    low, high = t, float(ind.target_high if ind.target_high is not None else t)
    if r < low:
        return r / low if low else None
    if r > high:
        return max(0.0, (2 * high - r) / high) if high else 0.0
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


def sum_where_reported(values, reported) -> float:
    """:func:`sum_where_reported_formula` in Python: the sum of ``values`` on the rows whose
    ``reported`` value is a number (the OPD that reported a realisasi)."""
    return sum(v for v, r in zip(values, reported) if r is not None and v is not None)


def annual_realisasi(values: list[float | None], annual: Annual) -> float | None:
    """The value of the year (or so far) from the quarters' values in order TW I..."""
    numbers = [v for v in values if v is not None]
    if not numbers:
        return None
    if annual is Annual.LAST:
        return numbers[-1]
    if annual is Annual.SUM:
        return blank_sum(numbers)
    if annual is Annual.NONDECREASING:
        return max(numbers)
    return blank_average(numbers)


def value_so_far(values: list[float | None], ind: Indikator) -> float | None:
    """Realisasi s.d. the last quarter of ``values`` (TW I..n): None when that quarter itself has
    no value (nothing reported this quarter), else the quarters combined as the year is."""
    if not values or values[-1] is None:
        return None
    return annual_realisasi(values, ind.annual)


def target_so_far(ind: Indikator, quarter: int | None) -> float | None:
    """The target the value s.d. TW ``quarter`` is compared with: the quarter targets up to
    then, combined as the year's values are, when quarter targets are given; else the yearly
    target (and at TW IV, or with no quarter reported yet, the yearly target too)."""
    if ind.polarity is Polarity.RANGE:
        return None
    if not ind.quarter_targets or quarter is None or quarter == 4:
        return float(ind.target)
    return annual_realisasi(list(ind.quarter_targets[:quarter]), ind.annual)


def quarter_capaian_raw(values: list[float | None], ind: Indikator,
                        settings: CapaianSettings) -> float | None:
    """Capaian on the sheet of TW n (``values``: TW I..n, already through
    :func:`indicator_value`): with quarter targets, TW n's value against TW n's target; else
    the value so far against the yearly target."""
    q = len(values)
    if ind.quarter_targets:
        return capaian_raw(values[-1], ind, settings, target=ind.quarter_target(q))
    return capaian_raw(value_so_far(values, ind), ind, settings)


class IndicatorYear(NamedTuple):
    """An indicator over the year so far, as Rekap Tahunan and the recap show it."""

    values: tuple  # TW I..IV through indicator_value (model scale; None: not counted)
    latest: int | None  # the last quarter holding a value
    final: float | None  # realisasi s.d. that quarter (the year's, once TW IV holds one)
    target: float | None  # what it is compared with (target_so_far); None for a range
    raw: float | None  # capaian, uncapped
    shown: float | None  # capaian as displayed (capped)


def indicator_year(values: list, ind: Indikator, settings: CapaianSettings) -> IndicatorYear:
    """From the entries' realisasi of TW I..IV (model scale, "-" or None allowed) to the year
    so far: one definition for Rekap Tahunan (:func:`~xlkinerja.workbook.formulas.rekap_values`,
    whose formulas are its twin) and the recap (:mod:`xlkinerja.consolidation.figures`)."""
    numbers = tuple(indicator_value(v, ind) for v in values)
    latest = latest_quarter(list(numbers))
    final = annual_realisasi(list(numbers), ind.annual)
    target = target_so_far(ind, latest)
    raw = capaian_raw(final, ind, settings, target=target)
    return IndicatorYear(numbers, latest, final, target, raw, capaian_display(raw, settings))


def latest_quarter(values: list[float | None]) -> int | None:
    """The last quarter (1..4) holding a value."""
    filled = [q for q, v in enumerate(values, start=1) if v is not None]
    return filled[-1] if filled else None


def running_label(quarter: int | None, what: str = "REALISASI") -> str:
    """A running total's label: "REALISASI s.d. TW II", and "REALISASI SETAHUN" only at TW IV."""
    if quarter == 4:
        return f"{what} SETAHUN"
    return f"{what} s.d. TW {ROMAN[quarter or 1]}"


def quarter_basis_text(ind: Indikator, quarter: int) -> str:
    """What the capaian of TW ``quarter`` compares, in words (the sheet's note)."""
    if ind.polarity is not Polarity.RANGE and ind.quarter_targets:
        return (f"realisasi TW {ROMAN[quarter]} dibanding target TW {ROMAN[quarter]} "
                f"({_plain(ind.quarter_target(quarter))}{'%' if ind.is_percent else ''})")
    if quarter == 1 or ind.annual is Annual.LAST:
        return "realisasi triwulan ini dibanding target tahunan"
    how = {Annual.SUM: "jumlah", Annual.AVERAGE: "rata-rata", Annual.NONDECREASING: "nilai tertinggi"}
    return (f"{how[ind.annual]} realisasi TW I s.d. TW {ROMAN[quarter]} dibanding target tahunan")


def _plain(value: float) -> str:
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


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


def sum_where_reported_formula(values_range: str, reported_range: str) -> str:
    """The sum of ``values_range`` on the rows where ``reported_range`` holds a number, e.g. the
    pagu of the OPD that reported a realisasi (ranges of one column, the same rows)."""
    return f"SUMPRODUCT(--ISNUMBER({reported_range}),{values_range})"


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
                    capped: bool = True, gate: str | None = None,
                    scale_guard: bool | None = None) -> str:
    """Excel formula of capaian for realisasi ``r`` (a cell, or an expression over cells; cell
    scale, e.g. 0.665 for 66,5 %): the twin of :func:`capaian_raw` and :func:`capaian_display`.

    ``target_ref`` is the cell holding the target in the same scale (None: the yearly target as
    a constant; range targets are always constants because the form prints them as text).
    ``gate`` is the cell that must hold a number for there to be a capaian (default ``r``);
    ``scale_guard`` (default: for percent indicators when ``gate`` is an input cell) also
    requires it to be on the right scale (:data:`PERCENT_LIMIT`).
    """
    scale = ind.scale
    const = target_ref is None or ind.polarity is Polarity.RANGE
    t = _num(ind.target / scale) if const else target_ref
    tv = float(ind.target) / scale
    cap = settings.display_cap if capped else None

    def c(x: str) -> str:
        return f"MIN({_num(cap)},{x})" if cap is not None else x

    if ind.polarity is Polarity.HIGHER:
        if const:
            expr = c(f"{r}/{t}") if tv else '""'
        else:
            expr = f'IF({nonzero_number(t)},{c(f"{r}/{t}")},"")'
    elif ind.polarity is Polarity.LOWER:
        if settings.lower_formula is LowerFormula.INVERSE:
            zero = (c("1") if not tv else '""') if const else f'IF({t}=0,{c("1")},"")'
            expr = f'IF({r}<>0,{c(f"MAX(0,{t}/{r})")},{zero})'
        else:
            pmk = c(f"MAX(0,(2*{t}-{r})/{t})")
            zero = f'IF({r}<=0,{c("1")},0)'
            if const:
                expr = pmk if tv else zero
            else:
                expr = f"IF({nonzero_number(t)},{pmk},{zero})"
    else:
        hv = float(ind.target_high if ind.target_high is not None else ind.target) / scale
        hi = _num(hv)
        low_part = c(f"{r}/{t}") if tv else '""'
        high_part = c(f"MAX(0,(2*{hi}-{r})/{hi})") if hv else "0"
        expr = f"IF({r}<{t},{low_part},IF({r}>{hi},{high_part},{c('1')}))"
    g = gate or r
    if scale_guard is None:
        scale_guard = ind.is_percent and gate is None
    if scale_guard and ind.is_percent:
        expr = f'IF(ABS({g})<={_num(PERCENT_LIMIT)},{expr},"")'
    return f'IF(ISNUMBER({g}),{expr},"")'


def indicator_cell_formula(ref: str, ind: Indikator) -> str:
    """A quarter's realisasi as Rekap Tahunan takes it (twin of :func:`indicator_value`): the
    number, "-" kept, anything else (text, a percent on the wrong scale) blank."""
    number = f'IF(ABS({ref})<={_num(PERCENT_LIMIT)},{ref},"")' if ind.is_percent else ref
    return f'IF(ISNUMBER({ref}),{number},IF(ISTEXT({ref}),IF({ref}="-","-",""),""))'


_AGGREGATE = {Annual.SUM: "SUM", Annual.AVERAGE: "AVERAGE", Annual.NONDECREASING: "MAX"}


def annual_formula(refs: list[str], annual: Annual) -> str:
    """Realisasi for the year (or so far) from the quarter cells (in order TW I..): the twin of
    :func:`annual_realisasi`."""
    if annual is Annual.SUM:
        return sum_formula(refs)
    if annual is Annual.AVERAGE:
        return average_formula(refs)
    if annual is Annual.NONDECREASING:
        joined = ",".join(refs)  # four quarters
        return f'IF(COUNT({joined})=0,"",MAX({joined}))'
    expr = '""'
    for ref in refs:  # the latest quarter holding a number wins
        expr = f"IF(ISNUMBER({ref}),{ref},{expr})"
    return expr


def so_far_expression(range_ref: str, annual: Annual) -> str:
    """The value so far over a range of cleaned quarter cells (Rekap Tahunan's TW I..n), as an
    expression for :func:`capaian_formula` (gated on TW n holding a number)."""
    return f"{_AGGREGATE[annual]}({range_ref})"


def target_so_far_formula(quarter_refs: list[str], ind: Indikator) -> str:
    """Twin of :func:`target_so_far` for the latest of ``quarter_refs`` (TW I..IV) holding a
    number (none: the yearly target); the targets are constants of the form."""
    scale = ind.scale
    expr = _num(target_so_far(ind, None) / scale)
    for q, ref in enumerate(quarter_refs, start=1):  # the latest quarter is the outermost test
        expr = f"IF(ISNUMBER({ref}),{_num(target_so_far(ind, q) / scale)},{expr})"
    return expr


def running_label_formula(quarter_tests: list[str], what: str = "REALISASI") -> str:
    """Twin of :func:`running_label`: ``quarter_tests`` are conditions (TW I..IV) true when
    that quarter holds a value; the latest true one names the label."""
    expr = f'"{running_label(1, what)}"'
    for q, test in enumerate(quarter_tests[1:], start=2):
        expr = f'IF({test},"{running_label(q, what)}",{expr})'
    return expr


def uncounted_label(count: int) -> str:
    """The note beside Total Anggaran (twin of :func:`uncounted_formula`)."""
    return f"{count} isian tidak terhitung" if count else ""


def uncounted_formula(refs: list[str]) -> str:
    """How many of the realisasi cells ``refs`` hold something that is not a number (text,
    a date typed as text, TRUE/FALSE, an error): none of it is in any total."""
    if not refs:
        return '""'
    n = f'({_aggregate("COUNTA", refs)}-{_aggregate("COUNT", refs)})'
    return f'IF({n}=0,"",{n}&" isian tidak terhitung")'
