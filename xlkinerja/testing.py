"""Helpers for tests and benchmarks: synthetic forms, and filling workbooks as a person would.

Everything here is labelled synthetic ("Dinas Sintetis 07", "Program Sintetis 2"): it exists to
exercise the product at scale, never to be mistaken for real data.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from xlkinerja.workbook.layout import NARRATIVE_LABEL_LAST, NARRATIVES, QUARTER_SHEETS, Q, WorkbookLayout, a1
from xlkinerja.form.model import (NOT_AVAILABLE, QUARTERS, BudgetEntry, BudgetRow, CapaianSettings, Form,
                    Frequency, IndicatorEntry, Indikator, Level, Polarity, QuarterEntries, Sasaran,
                    Signatory)


def synthetic_form(index: int, programs: int = 3, kegiatan: int = 3, subs: int = 3,
                   indicators: int = 4, year: int = 2024, seed: int = 0) -> Form:
    """A synthetic OPD form: programs x kegiatan x subs budget rows, pagu in whole thousands."""
    rng = random.Random(f"{seed}-{index}")
    rows = []
    for p in range(1, programs + 1):
        prog = BudgetRow(id=f"p{p}", name=f"Program Sintetis {p}", level=Level.PROGRAM)
        for k in range(1, kegiatan + 1):
            keg = BudgetRow(id=f"p{p}-k{k}", name=f"Kegiatan Sintetis {p}.{k}", level=Level.KEGIATAN)
            for s in range(1, subs + 1):
                keg.children.append(BudgetRow(
                    id=f"p{p}-k{k}-s{s}", name=f"Sub Kegiatan Sintetis {p}.{k}.{s}",
                    level=Level.SUB_KEGIATAN, own_pagu=rng.randrange(50_000, 5_000_000) * 1000))
            prog.children.append(keg)
        rows.append(prog)
    inds = []
    for i in range(1, indicators + 1):
        percent = i % 3 == 0
        inds.append(Indikator(
            id=f"ind{i}", text=f"Indikator Sintetis {i}", target=75.0 if percent else float(rng.randint(2, 90)),
            unit="%" if percent else "indeks", cara_pengukuran="Data sintetis untuk pengujian",
            polarity=Polarity.LOWER if i % 4 == 0 else Polarity.HIGHER,
            frequency=Frequency.YEARLY if i % 2 == 0 else Frequency.QUARTERLY))
    half = max(1, len(inds) // 2)
    return Form(
        opd_code=f"9.{index:03d}", opd_name=f"Dinas Sintetis {index:03d}", year=year,
        signatory=Signatory("KEPALA DINAS SINTETIS", "Nama Sintetis, S.E.", "Pembina",
                            "197001012000031001"),
        sasaran=[Sasaran(id="s1", text="Sasaran Sintetis 1", indikator=inds[:half]),
                 Sasaran(id="s2", text="Sasaran Sintetis 2", indikator=inds[half:])] if len(inds) > 1
        else [Sasaran(id="s1", text="Sasaran Sintetis 1", indikator=inds)],
        programs=rows, capaian=CapaianSettings())


def synthetic_entries(form: Form, seed: int = 0) -> dict[int, QuarterEntries]:
    """Plausible entries for four quarters: each quarter spends 5-24 % of a sub kegiatan's pagu
    (never above the pagu over the year); indicators near their targets; narratives present."""
    rng = random.Random(f"{seed}-{form.opd_code}")
    out: dict[int, QuarterEntries] = {}
    for q in QUARTERS:
        e = QuarterEntries()
        for leaf in form.leaves():
            e.budget[leaf.id] = BudgetEntry(rng.randint(50, 240) * leaf.pagu // 1000 // 1000 * 1000)
        for _, ind in form.indicators():
            if ind.frequency is Frequency.YEARLY and q < 4:
                e.indikator[ind.id] = IndicatorEntry(NOT_AVAILABLE, None)
            else:
                e.indikator[ind.id] = IndicatorEntry(round(ind.target * rng.uniform(0.8, 1.1), 2), None)
        e.faktor_pendorong = f"Faktor pendorong sintetis TW {q}"
        e.uraian_permasalahan = f"Permasalahan sintetis TW {q}"
        e.rencana_tindak_lanjut = f"Rencana tindak lanjut sintetis TW {q}"
        out[q] = e
    return out


def fill_like_a_person(src: Path, dst: Path, form: Form, entries: dict[int, QuarterEntries],
                       quarters: list[int]) -> Path:
    """Copy a generated workbook and type entries into its input cells only, through openpyxl
    (as Excel would store them: numbers as numbers, percent indicators as fractions)."""
    import openpyxl

    layout = WorkbookLayout(form).quarter
    shutil.copyfile(src, dst)
    wb = openpyxl.load_workbook(dst, keep_vba=dst.suffix.lower() == ".xlsm")
    for q in quarters:
        ws = wb[QUARTER_SHEETS[q - 1]]
        e = entries[q]
        for ident, entry in e.budget.items():
            r = layout.budget_rows[ident]
            if entry.realisasi is not None:
                ws[a1(r, Q.REAL)] = entry.realisasi
            if entry.keterangan:
                ws[a1(r, Q.KET)] = entry.keterangan
        scale = {i.id: i.scale for _, i in form.indicators()}
        for ident, entry in e.indikator.items():
            r = layout.indicator_rows[ident]
            value = entry.realisasi
            if isinstance(value, (int, float)):
                ws[a1(r, Q.IND_REAL)] = value / scale[ident]
            elif value is not None:
                ws[a1(r, Q.IND_REAL)] = value
            if entry.keterangan:
                ws[a1(r, Q.IND_KET)] = entry.keterangan
        for key, _ in NARRATIVES:
            text = getattr(e, key)
            if text:
                ws[a1(layout.narrative_rows[key], NARRATIVE_LABEL_LAST + 1)] = text
    wb.save(dst)
    return dst
