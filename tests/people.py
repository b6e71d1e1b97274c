"""Edit generated workbooks the way people do, for tests.

Typing in the yellow cells needs nothing special. Overwriting a formula, changing a pagu, inserting
a row or deleting a sheet needs the protection removed first, as a person would do (Review >
Unprotect Sheet); :func:`unprotect` does that before such edits. openpyxl saves without cached
formula results, like any program that does not recalculate, which the reader must cope with.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import openpyxl

from xlkinerja.workbook.layout import QUARTER_SHEETS, Q, WorkbookLayout, a1
from xlkinerja.form.model import Form


def edited(src: Path, dst: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    """Copy ``src`` to ``dst`` and apply ``change`` through openpyxl (keeps macros of .xlsm)."""
    shutil.copyfile(src, dst)
    wb = openpyxl.load_workbook(dst, keep_vba=dst.suffix.lower() == ".xlsm")
    change(wb)
    wb.save(dst)
    return dst


def unprotect(ws) -> None:
    ws.protection.sheet = False


class Cells:
    """Where things are on the TW sheets of a form, in A1 notation, via the layout."""

    def __init__(self, form: Form):
        self.form = form
        self.layout = WorkbookLayout(form)

    def leaf(self, name_part: str):
        return next(r for r in self.form.leaves() if name_part in r.name)

    def row(self, name_part: str):
        return next(r for r in self.form.budget_rows() if name_part in r.name)

    def indicator(self, text_part: str):
        return next(i for _, i in self.form.indicators() if text_part in i.text)

    def realisasi(self, name_part: str) -> str:
        return a1(self.layout.quarter.budget_rows[self.leaf(name_part).id], Q.REAL)

    def keterangan(self, name_part: str) -> str:
        return self.budget_cell(name_part, Q.KET)

    def pagu(self, name_part: str) -> str:
        return self.budget_cell(name_part, Q.PAGU)

    def budget_cell(self, name_part: str, col: int) -> str:
        return a1(self.layout.quarter.budget_rows[self.row(name_part).id], col)

    def ind_realisasi(self, text_part: str) -> str:
        return self.ind_cell(text_part, Q.IND_REAL)

    def ind_keterangan(self, text_part: str) -> str:
        return self.ind_cell(text_part, Q.IND_KET)

    def ind_cell(self, text_part: str, col: int) -> str:
        return a1(self.layout.quarter.indicator_rows[self.indicator(text_part).id], col)

    def narrative(self, key: str) -> str:
        from xlkinerja.workbook.layout import NARRATIVE_LABEL_LAST

        return a1(self.layout.quarter.narrative_rows[key], NARRATIVE_LABEL_LAST + 1)

    @staticmethod
    def sheet(q: int) -> str:
        return QUARTER_SHEETS[q - 1]
