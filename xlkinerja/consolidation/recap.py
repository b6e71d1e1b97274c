"""The recap workbook: Ringkasan, Status Pengiriman, Rincian Anggaran, Indikator, Temuan Validasi,
Grafik, all protected, totals as formulas (with correct cached results), charts native to Excel.

Written as ``.xlsx`` (no macros) or, for an ``.xlsm`` output, macro-enabled with a Konsolidasi
button on Ringkasan and the hidden `xlwings.conf` sheet (the VBA and those parts are the
formulir's, :mod:`xlkinerja.workbook.vba`). The hidden `_xlkinerja` sheet records what was consolidated
and how (:class:`RecapMeta`), so that the button can run the same consolidation again.

Positions live in :class:`RecapLayout` (the writer, and the button that rewrites the recap in
place, :mod:`xlkinerja.desk.refresh`, ask it).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from xlkinerja.base.version import __version__
from xlkinerja.base.atomic import atomic_path
from xlkinerja.workbook.layout import (BUTTON_HEIGHT, BUTTON_WIDTH, MACRO_KONSOLIDASI, RECAP_MARKER, SHEET_META,
                      SHEET_XLWINGS_CONF, ButtonPlace, a1, col_letter)
from xlkinerja.form.model import QUARTERS, ROMAN
from xlkinerja.workbook.xlsxkit import HEADER_FILL, PAPER_FOLIO, PROGRAM_FILL, Formats, ProtectedWorkbook
from xlkinerja.consolidation.figures import OpdSummary, predikat
from xlkinerja.consolidation.plan import (ACCEPTED, CONFLICT, DUPLICATE, REJECTED, STATUS_COMPLETE, STATUS_CONFLICT,
                   STATUS_ERRORS, STATUS_MISSING, SUPERSEDED, Plan)

# Beyond this many cells a long table goes to the --csv/--parquet exports only: 200,000 rows of
# Rincian Anggaran (about 160 OPD), 125,000 of Indikator (about 15,000 OPD). XlsxWriter keeps every
# cell of a sheet in memory until it writes the file (~200 bytes a cell) and its constant_memory
# mode forbids Excel tables, so a cap by cells is what keeps a country-sized run's memory bounded.
MAX_XLSX_LONG_CELLS = 2_000_000

RINCIAN_HEADERS = ("Kode OPD", "Perangkat Daerah", "Kode", "Id", "Uraian", "Tingkat", "Pagu",
                   "Triwulan", "Realisasi", "% Realisasi")
INDIKATOR_HEADERS = ("Kode OPD", "Perangkat Daerah", "Sasaran", "Id", "Indikator", "Satuan", "Target",
                     "Target Atas", "TW I", "TW II", "TW III", "TW IV", "Realisasi Akhir", "Capaian",
                     "Capaian Tanpa Batas", "Predikat")
TEMUAN_HEADERS = ("Berkas", "Kode OPD", "Perangkat Daerah", "Sheet", "Sel", "Tingkat", "Kode", "Pesan")

SHEET_RINGKASAN = "Ringkasan"
SHEET_STATUS = "Status Pengiriman"
SHEET_RINCIAN = "Rincian Anggaran"
SHEET_INDIKATOR = "Indikator"
SHEET_TEMUAN = "Temuan Validasi"
SHEET_GRAFIK = "Grafik"
OPD_CHART_SERIES = "% realisasi setahun"  # the series of Grafik's per-OPD chart


class RecapLayout:
    """The recap's sheets, the columns and rows of Ringkasan (0-based), the button, the charts."""

    sheets = (SHEET_RINGKASAN, SHEET_STATUS, SHEET_RINCIAN, SHEET_INDIKATOR, SHEET_TEMUAN,
              SHEET_GRAFIK)

    title_row = 0
    title_height = 20  # points: room for the button of the .xlsm (the same in the .xlsx)
    info_row = 1
    header_row = 3
    first_row = 4
    NO, KODE, NAMA, PAGU, TW1, TW2, TW3, TW4, TOTAL, PERSEN, N_IND, N_UKUR, CAPAIAN, PREDIKAT, \
        STATUS, CATATAN, GALAT, PERINGATAN = range(18)
    TW = (TW1, TW2, TW3, TW4)
    headers = ["NO.", "KODE OPD", "PERANGKAT DAERAH", "PAGU", "REALISASI TW I", "REALISASI TW II",
               "REALISASI TW III", "REALISASI TW IV", "REALISASI SETAHUN", "% REALISASI",
               "JUMLAH INDIKATOR", "INDIKATOR TERUKUR", "RATA-RATA CAPAIAN", "PREDIKAT", "STATUS",
               "CATATAN", "GALAT", "PERINGATAN"]
    widths = [5, 10, 36, 18, 17, 17, 17, 17, 18, 11, 11, 11, 11, 14, 15, 34, 8, 11]

    @classmethod
    def total_row(cls, n_opd: int) -> int:
        return cls.first_row + max(n_opd, 1)

    @classmethod
    def sheet_names(cls, macro: bool = False) -> list[str]:
        """All sheets in order, hidden ones included; the .xlsm adds `xlwings.conf`."""
        return [*cls.sheets, *([SHEET_XLWINGS_CONF] if macro else []), SHEET_META]

    @classmethod
    def data_sheets(cls) -> list[str]:
        """The sheets a consolidation writes (all but `xlwings.conf`): what the Konsolidasi
        button rewrites in the open workbook."""
        return [*cls.sheets, SHEET_META]

    @classmethod
    def buttons(cls, sheet: str) -> list[ButtonPlace]:
        """The .xlsm's button: Konsolidasi on Ringkasan, at the left of the title row (the
        title is centred over the whole table; the row stays on screen with the frozen
        header). Validasi belongs to the formulir: a recap has nothing to check."""
        if sheet != SHEET_RINGKASAN:
            return []
        return [ButtonPlace(MACRO_KONSOLIDASI, MACRO_KONSOLIDASI, cls.title_row, cls.NO, 4, 1,
                            BUTTON_WIDTH, BUTTON_HEIGHT)]

    # -- Grafik -----------------------------------------------------------------------------
    #: index of the per-OPD chart among Grafik's charts, in the order they are inserted
    #: (Excel's ChartObjects order): the city's realisasi per quarter first, then this one
    OPD_CHART = 1

    @classmethod
    def opd_chart_rows(cls, n_opd: int) -> tuple[int, int]:
        """First and last Ringkasan row of the per-OPD chart (categories NAMA, values PERSEN)."""
        return cls.first_row, cls.first_row + max(n_opd, 1) - 1

    @staticmethod
    def opd_chart_height(n_opd: int) -> int:
        """Height in pixels of the per-OPD bar chart: a bar per OPD stays legible."""
        return max(320, 22 * n_opd + 120)


@dataclass
class ConsolidationFinding:
    file: str
    opd_code: str | None
    opd_name: str | None
    severity: str
    code: str
    message: str
    sheet: str | None = None
    cell: str | None = None


STATUS_COLORS = {STATUS_COMPLETE: ("#C6EFCE", "#006100"), STATUS_MISSING: ("#EDEDED", "#3A3A3A"),
                 STATUS_ERRORS: ("#FFC7CE", "#9C0006"), STATUS_CONFLICT: ("#FFEB9C", "#9C5700")}


class RecapWriter:
    def __init__(self, plan: Plan, figures: list[OpdSummary], findings: list[ConsolidationFinding],
                 meta: "RecapMeta", vba_project: bytes | None = None):
        self.plan, self.figures, self.findings = plan, figures, findings
        self.meta = meta
        self.pemda = meta.pemda
        self.generated_at = dt.datetime.fromisoformat(meta.generated_at)
        self.vba_project = vba_project  # bytes: a macro-enabled recap with the button

    def write(self, path: Path, budget_rows: Iterable[tuple], n_budget_rows: int,
              indicator_rows: list[tuple]) -> Path:
        with atomic_path(path) as tmp:
            wb = ProtectedWorkbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
            self.wb, self.f = wb, Formats(wb)
            wb.set_properties({"title": self._title(), "author": "xlkinerja",
                               "comments": f"Dibuat dengan xlkinerja {__version__}",
                               "created": self.generated_at})
            wb.set_custom_property("xlkinerja_kind", RECAP_MARKER)
            sheets = [self._ringkasan(), self._status(), self._rincian(budget_rows, n_budget_rows),
                      self._indikator(indicator_rows), self._temuan(), self._grafik()]
            macro = self.vba_project is not None
            if macro:
                from xlkinerja.workbook.vba import write_xlwings_conf

                conf = wb.add_worksheet(SHEET_XLWINGS_CONF)
                write_xlwings_conf(conf)
                sheets.append(conf)
            sheets.append(self._meta())
            assert [ws.name for ws in sheets] == RecapLayout.sheet_names(macro=macro)
            if macro:
                from xlkinerja.workbook.vba import attach_macros, insert_buttons

                attach_macros(wb, sheets, self.vba_project)
                for ws in sheets:
                    insert_buttons(ws, RecapLayout.buttons(ws.name))
            for ws in sheets:
                ws.protect("", {"autofilter": True, "format_columns": True, "format_rows": True,
                                "select_locked_cells": True, "select_unlocked_cells": True})
            sheets[0].activate()
            wb.close()
        return path

    # -- helpers ---------------------------------------------------------------------------
    def _title(self) -> str:
        who = f" {self.pemda}" if self.pemda else ""
        return f"REKAP PENGUKURAN KINERJA PERANGKAT DAERAH{who.upper()} TAHUN {self.plan.year or ''}".strip()

    def _sheet(self, name: str, widths: list[float], landscape: bool = True):
        ws = self.wb.add_worksheet(name)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        if landscape:
            ws.set_landscape()
        ws.set_paper(PAPER_FOLIO)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(f"&L&8{self._title()[:80]} · {name}&R&8Halaman &P dari &N")
        return ws

    def _heading(self, ws, last_col: int, subtitle: str) -> None:
        f = self.f
        ws.merge_range(0, 0, 0, last_col, self._title(), f(bold=True, font_size=12, align="center"))
        ws.merge_range(1, 0, 1, last_col, subtitle, f(italic=True, font_size=9, align="center"))

    def _formula(self, ws, r: int, c: int, formula: str, fmt, value) -> None:
        ws.write_formula(r, c, "=" + formula, fmt, "" if value is None else value)

    # -- Ringkasan -------------------------------------------------------------------------
    def _ringkasan(self):
        L, f, plan = RecapLayout, self.f, self.plan
        ws = self._sheet(SHEET_RINGKASAN, L.widths)
        ws.set_row(L.title_row, L.title_height)
        quarter = f"s.d. TW {ROMAN[plan.quarter]}" if plan.quarter else "belum ada kiriman"
        used = sum(1 for d in plan.decisions if d.status == ACCEPTED)
        self._heading(ws, L.PERINGATAN,
                      f"Keadaan {quarter}; {len(plan.opds)} perangkat daerah; {used} berkas diterima; "
                      f"dibuat {self.generated_at.strftime('%d-%m-%Y %H:%M')}. Angka dihitung ulang "
                      "dari sel isian; rumus total tidak dapat diubah.")
        head = f(bold=True, align="center", valign="vcenter", text_wrap=True, border=1,
                 bg_color=HEADER_FILL)
        for c, text in enumerate(L.headers):
            ws.write_string(L.header_row, c, text, head)
        ws.set_row(L.header_row, 30)
        money = f(num_format="#,##0", border=1)
        pct = f(num_format="0.00%", border=1)
        cap = f(num_format="0%", border=1, align="center")
        text = f(border=1, text_wrap=True)
        center = f(border=1, align="center")
        r = L.first_row
        for i, figs in enumerate(self.figures, start=1):
            p = figs.plan
            ws.write_number(r, L.NO, i, center)
            ws.write_string(r, L.KODE, p.code, text)
            ws.write_string(r, L.NAMA, p.name or "", text)
            ws.write_number(r, L.PAGU, figs.pagu, money)
            for q, col in zip(QUARTERS, L.TW):
                v = figs.total.get(q)
                if v is None:
                    ws.write_blank(r, col, None, money)
                else:
                    ws.write_number(r, col, v, money)
            span = f"{a1(r, L.TW1)}:{a1(r, L.TW4)}"
            self._formula(ws, r, L.TOTAL, f'IF(COUNT({span})=0,"",SUM({span}))', money, figs.year_total)
            self._formula(ws, r, L.PERSEN, f'IF(AND(ISNUMBER({a1(r, L.TOTAL)}),N({a1(r, L.PAGU)})<>0),'
                                           f'{a1(r, L.TOTAL)}/{a1(r, L.PAGU)},"")', pct,
                          figs.year_total / figs.pagu if figs.year_total is not None and figs.pagu else None)
            ws.write_number(r, L.N_IND, len(figs.indicators), center)
            ws.write_number(r, L.N_UKUR, len(figs.measured), center)
            avg = figs.average_capaian
            if avg is None:
                ws.write_blank(r, L.CAPAIAN, None, cap)
            else:
                ws.write_number(r, L.CAPAIAN, avg, cap)
            ws.write_string(r, L.PREDIKAT, predikat(avg, self.scale) or "", center)
            ws.write_string(r, L.STATUS, p.status, center)
            ws.write_string(r, L.CATATAN, p.note, text)
            ws.write_number(r, L.GALAT, sum(x.n_error for x in p.used_files), center)
            ws.write_number(r, L.PERINGATAN, sum(x.n_warning for x in p.used_files), center)
            r += 1
        t = L.total_row(len(self.figures))
        last = t - 1
        bold = {"bold": True, "bg_color": PROGRAM_FILL}
        ws.merge_range(t, L.NO, t, L.NAMA, "JUMLAH / RATA-RATA KOTA", f(border=1, **bold))
        money_t = f(num_format="#,##0", border=1, **bold)
        for c in (L.PAGU, *L.TW, L.TOTAL):
            col = col_letter(c)
            values = [self._cached_column(c, figs) for figs in self.figures]
            nums = [v for v in values if v is not None]
            formula = (f"SUM({col}{L.first_row + 1}:{col}{last + 1})" if c == L.PAGU else
                       f'IF(COUNT({col}{L.first_row + 1}:{col}{last + 1})=0,"",'
                       f"SUM({col}{L.first_row + 1}:{col}{last + 1}))")
            self._formula(ws, t, c, formula, money_t, sum(nums) if nums else (0 if c == L.PAGU else None))
        total_pagu = sum(x.pagu for x in self.figures)
        year = [x.year_total for x in self.figures if x.year_total is not None]
        self._formula(ws, t, L.PERSEN, f'IF(AND(ISNUMBER({a1(t, L.TOTAL)}),N({a1(t, L.PAGU)})<>0),'
                                       f'{a1(t, L.TOTAL)}/{a1(t, L.PAGU)},"")',
                      f(num_format="0.00%", border=1, **bold),
                      sum(year) / total_pagu if year and total_pagu else None)
        for c in (L.N_IND, L.N_UKUR, L.GALAT, L.PERINGATAN):
            col = col_letter(c)
            value = sum(self._cached_column(c, figs) or 0 for figs in self.figures)
            self._formula(ws, t, c, f"SUM({col}{L.first_row + 1}:{col}{last + 1})",
                          f(border=1, align="center", **bold), value)
        caps = [x.average_capaian for x in self.figures if x.average_capaian is not None]
        col = col_letter(L.CAPAIAN)
        self._formula(ws, t, L.CAPAIAN, f'IF(COUNT({col}{L.first_row + 1}:{col}{last + 1})=0,"",'
                                        f"AVERAGE({col}{L.first_row + 1}:{col}{last + 1}))",
                      f(num_format="0%", border=1, align="center", **bold),
                      sum(caps) / len(caps) if caps else None)
        for c in (L.PREDIKAT, L.STATUS, L.CATATAN):
            ws.write_blank(t, c, None, f(border=1, **bold))
        for status, (bg, fg) in STATUS_COLORS.items():
            ws.conditional_format(L.first_row, L.STATUS, max(last, L.first_row), L.STATUS, {
                "type": "cell", "criteria": "==", "value": f'"{status}"',
                "format": self.wb.add_format({"bg_color": bg, "font_color": fg})})
        ws.freeze_panes(L.first_row, L.NAMA + 1)
        ws.repeat_rows(L.header_row)
        ws.print_area(0, 0, t, L.PERINGATAN)
        self.total_row = t
        return ws

    def _cached_column(self, c: int, figs: OpdSummary):
        L = RecapLayout
        if c == L.PAGU:
            return figs.pagu
        if c in L.TW:
            return figs.total.get(QUARTERS[L.TW.index(c)])
        if c == L.TOTAL:
            return figs.year_total
        if c == L.N_IND:
            return len(figs.indicators)
        if c == L.N_UKUR:
            return len(figs.measured)
        if c == L.GALAT:
            return sum(x.n_error for x in figs.plan.used_files)
        if c == L.PERINGATAN:
            return sum(x.n_warning for x in figs.plan.used_files)
        return None

    scale = None  # set by the caller (predikat scale)

    # -- Status Pengiriman -------------------------------------------------------------------
    def _status(self):
        f, plan = self.f, self.plan
        widths = [5, 10, 32] + [12, 28, 16] * 4
        ws = self._sheet(SHEET_STATUS, widths)
        self._heading(ws, len(widths) - 1, "Kiriman setiap perangkat daerah per triwulan: diterima, "
                                           "belum, atau ditolak; berkas yang dipakai dan waktu simpannya.")
        head = f(bold=True, align="center", valign="vcenter", text_wrap=True, border=1, bg_color=HEADER_FILL)
        ws.merge_range(3, 0, 4, 0, "NO.", head)
        ws.merge_range(3, 1, 4, 1, "KODE OPD", head)
        ws.merge_range(3, 2, 4, 2, "PERANGKAT DAERAH", head)
        for i, q in enumerate(QUARTERS):
            c = 3 + 3 * i
            ws.merge_range(3, c, 3, c + 2, f"TRIWULAN {ROMAN[q]}", head)
            for j, text in enumerate(("STATUS", "BERKAS", "WAKTU SIMPAN")):
                ws.write_string(4, c + j, text, head)
        text = f(border=1, text_wrap=True)
        small = f(border=1, text_wrap=True, font_size=8)
        conflicts: dict[str, dict[int, Any]] = {}
        for d in plan.decisions:
            if d.status in (CONFLICT, REJECTED) and d.result.opd_code and d.result.quarter:
                conflicts.setdefault(d.result.opd_code, {})[d.result.quarter] = d
        r = 5
        colors = {"diterima": ("#C6EFCE", "#006100"), "belum": ("#EDEDED", "#3A3A3A"),
                  "ditolak": ("#FFC7CE", "#9C0006")}
        for i, p in enumerate(plan.opds.values(), start=1):
            ws.write_number(r, 0, i, f(border=1, align="center"))
            ws.write_string(r, 1, p.code, text)
            ws.write_string(r, 2, p.name or "", text)
            for j, q in enumerate(QUARTERS):
                c = 3 + 3 * j
                own, source = p.accepted.get(q), p.sources.get(q)
                rejected = conflicts.get(p.code, {}).get(q)
                if own is not None:
                    status, name, when = "diterima", own.name, own.saved_at
                elif source is not None:
                    status, name, when = "diterima", f"{source.name} (dalam kiriman TW {ROMAN[source.quarter]})", source.saved_at
                elif rejected is not None:
                    status, name, when = "ditolak", f"{rejected.result.name} ({rejected.note})", rejected.result.saved_at
                else:
                    status, name, when = "belum", "", None
                bg, fg = colors[status]
                ws.write_string(r, c, status, f(border=1, align="center", bg_color=bg, font_color=fg))
                ws.write_string(r, c + 1, name, small)
                ws.write_string(r, c + 2, _local_time(when), small)
            r += 1
        r += 2
        ws.merge_range(r, 0, r, 8, "SEMUA BERKAS YANG DIBACA", f(bold=True))
        r += 1
        heads = ["NO.", "KODE OPD", "BERKAS", "TW", "STATUS", "DIGANTIKAN OLEH", "WAKTU SIMPAN",
                 "GALAT/PERINGATAN", "CATATAN"]
        for c, h in enumerate(heads):
            ws.write_string(r, c, h, head)
        r += 1
        order = {ACCEPTED: 0, SUPERSEDED: 1, CONFLICT: 2, DUPLICATE: 3, REJECTED: 4}
        for i, d in enumerate(sorted(plan.decisions, key=lambda d: (d.result.opd_code or "~",
                                                                     d.result.quarter or 0,
                                                                     order[d.status], d.result.name)), 1):
            res = d.result
            ws.write_number(r, 0, i, f(border=1, align="center"))
            ws.write_string(r, 1, res.opd_code or "", small)
            ws.write_string(r, 2, res.name, small)
            ws.write_string(r, 3, f"TW {ROMAN[res.quarter]}" if res.quarter else "", small)
            ws.write_string(r, 4, d.status, small)
            ws.write_string(r, 5, d.superseded_by.name if d.superseded_by else "", small)
            ws.write_string(r, 6, _local_time(res.saved_at), small)
            ws.write_string(r, 7, f"{res.n_error}/{res.n_warning}", small)
            ws.write_string(r, 8, d.note or "", small)
            r += 1
        ws.freeze_panes(5, 3)
        ws.repeat_rows(3, 4)
        return ws

    # -- long tables -------------------------------------------------------------------------
    def _table(self, name: str, headers: list[str], widths: list[float], rows: Iterable[tuple],
               n_rows: int, formats: dict[int, Any], subtitle: str, percent_formula: tuple | None = None):
        f = self.f
        ws = self._sheet(name, widths)
        self._heading(ws, len(headers) - 1, subtitle)
        top = 3
        if not fits_in_sheet(n_rows, len(headers)):
            ws.merge_range(top, 0, top, len(headers) - 1, exports_only_text(n_rows),
                           f(bold=True, font_color="#9C0006", text_wrap=True))
            ws.set_row(top, 36)
            return ws
        cell = f(border=0)
        formula = None
        if percent_formula:
            col, real_c, pagu_c = percent_formula

            def percent(r: int) -> str:
                rr, pp = a1(r, real_c), a1(r, pagu_c)
                return f'IF(AND(ISNUMBER({rr}),N({pp})<>0),{rr}/{pp},"")'

            formula = (col, percent)
        r = top + 1 + ws.write_long_rows(top + 1, rows, [formats.get(c, cell) for c in range(len(headers))],
                                         formula)
        last = max(r - 1, top + 1)
        if r == top + 1:
            for c in range(len(headers)):
                ws.write_blank(top + 1, c, None, cell)
        ws.add_table(top, 0, last, len(headers) - 1, {
            "columns": [{"header": h} for h in headers], "autofilter": True,
            "style": "Table Style Light 9", "name": name.replace(" ", "")})
        ws.freeze_panes(top + 1, 0)
        ws.repeat_rows(top)
        return ws

    def _rincian(self, rows: Iterable[tuple], n_rows: int):
        f = self.f
        headers = list(RINCIAN_HEADERS)
        widths = [10, 28, 18, 20, 48, 12, 17, 9, 17, 11]
        formats = {6: f(num_format="#,##0"), 8: f(num_format="#,##0"), 9: f(num_format="0.00%")}
        return self._table(SHEET_RINCIAN, headers, widths, rows, n_rows, formats,
                           "Setiap baris anggaran setiap perangkat daerah per triwulan (realisasi triwulan "
                           "itu saja). Gunakan filter di judul kolom.", percent_formula=(9, 8, 6))

    def _indikator(self, rows: list[tuple]):
        f = self.f
        headers = list(INDIKATOR_HEADERS)
        widths = [10, 26, 36, 18, 36, 9, 9, 9, 9, 9, 9, 9, 11, 10, 11, 13]
        formats = {13: f(num_format="0%"), 14: f(num_format="0%")}
        return self._table(SHEET_INDIKATOR, headers, widths, rows, len(rows), formats,
                           "Realisasi indikator dalam satuannya (persen ditulis 66,5 untuk 66,5%); "
                           "capaian dan predikat dihitung ulang.")

    def _temuan(self):
        headers = list(TEMUAN_HEADERS)
        widths = [30, 10, 26, 14, 7, 11, 30, 90]
        sev = {"error": "galat", "warning": "peringatan", "info": "info"}
        rows = [(x.file, x.opd_code or "", x.opd_name or "", x.sheet or "", x.cell or "",
                 sev.get(x.severity, x.severity), x.code, x.message) for x in self.findings]
        f = self.f
        return self._table(SHEET_TEMUAN, headers, widths, rows, len(rows),
                           {7: f(text_wrap=True)},
                           "Semua temuan pemeriksaan setiap berkas, dan temuan penggabungan "
                           "(kiriman ulang, konflik, berkas ditolak).")

    # -- charts ----------------------------------------------------------------------------
    def _grafik(self):
        L, f = RecapLayout, self.f
        ws = self._sheet(SHEET_GRAFIK, [2, 12, 22] + [12] * 18)
        self._heading(ws, 16, "Grafik dari sheet Ringkasan (dihitung ulang otomatis).")
        # the city's quarters as a small table, referenced by the column chart
        head = f(bold=True, border=1, align="center", bg_color=HEADER_FILL)
        ws.write_string(3, 1, "Triwulan", head)
        ws.write_string(3, 2, "Realisasi kota", head)
        for i, (q, col) in enumerate(zip(QUARTERS, L.TW)):
            r = 4 + i
            ws.write_string(r, 1, f"TW {ROMAN[q]}", f(border=1, align="center"))
            values = [x.total.get(q) for x in self.figures if x.total.get(q) is not None]
            self._formula(ws, r, 2, f"'{SHEET_RINGKASAN}'!{a1(self.total_row, col)}",
                          f(border=1, num_format="#,##0"), sum(values) if values else None)
        col = self.wb.add_chart({"type": "column"})
        col.add_series({
            "name": "Realisasi kota",
            "categories": [SHEET_GRAFIK, 4, 1, 7, 1],
            "values": [SHEET_GRAFIK, 4, 2, 7, 2],
            "data_labels": {"value": True, "num_format": '"Rp "#,##0.0,,," M"'},
            "fill": {"color": "#548235"},
        })
        col.set_title({"name": "Realisasi anggaran kota per triwulan"})
        col.set_y_axis({"num_format": '"Rp "#,##0,,," M"', "min": 0,
                        "major_gridlines": {"visible": True}})
        col.set_legend({"none": True})
        col.set_size({"width": 720, "height": 300})
        ws.insert_chart(3, 4, col)
        n = len(self.figures)
        first, last = L.opd_chart_rows(n)
        bar = self.wb.add_chart({"type": "bar"})
        bar.add_series({
            "name": OPD_CHART_SERIES,
            "categories": [SHEET_RINGKASAN, first, L.NAMA, last, L.NAMA],
            "values": [SHEET_RINGKASAN, first, L.PERSEN, last, L.PERSEN],
            "data_labels": {"value": True, "num_format": "0.0%"},
            "fill": {"color": "#2F5597"},
        })
        bar.set_title({"name": "Realisasi anggaran setahun per perangkat daerah (%)"})
        bar.set_x_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}})
        bar.set_y_axis({"reverse": True, "num_font": {"size": 8}})
        bar.set_legend({"none": True})
        bar.set_size({"width": 960, "height": L.opd_chart_height(n)})
        ws.insert_chart(19, 1, bar)
        return ws

    def _meta(self):
        ws = self.wb.add_worksheet(SHEET_META)
        for r, (k, v) in enumerate(self.meta.rows()):
            ws.write_string(r, 0, k)
            if isinstance(v, int):
                ws.write_number(r, 1, v)
            else:
                ws.write_string(r, 1, str(v))
        ws.very_hidden()
        return ws


@dataclass
class RecapMeta:
    """The hidden `_xlkinerja` sheet of a recap, a key a row (key in column A, value in B): its
    identity, and what it consolidated and how, so that the Konsolidasi button of the .xlsm can
    run the same consolidation again (:meth:`options`).

    ``settings`` holds the options that change the result (JSON): year, quarter, formula check,
    capaian threshold, predikat scale, the expected OPD, and the exports to refresh."""

    inputs: list[str]  # absolute paths of the files and folders consolidated
    ledger: str  # absolute path of the ledger
    settings: dict[str, Any]
    year: int | None = None
    quarter: int | None = None
    pemda: str | None = None
    generator: str = f"xlkinerja {__version__}"
    generated_at: str = ""

    KEYS = ("marker", "year", "quarter", "generator", "generated_at", "ledger", "inputs", "pemda",
            "settings")

    def rows(self) -> list[tuple[str, Any]]:
        values = {"marker": RECAP_MARKER, "year": self.year or "", "quarter": self.quarter or "",
                  "generator": self.generator, "generated_at": self.generated_at,
                  "ledger": self.ledger, "inputs": json.dumps(self.inputs, ensure_ascii=False),
                  "pemda": self.pemda or "",
                  "settings": json.dumps(self.settings, ensure_ascii=False, sort_keys=True)}
        return [(k, values[k]) for k in self.KEYS]

    @classmethod
    def of_run(cls, options, plan: Plan, inputs: list[str], ledger_path: Path,
               generated_at: dt.datetime | None = None) -> "RecapMeta":
        """What a run with ``options`` (a ConsolidateOptions) records."""
        def absolute(p):
            return str(Path(p).resolve()) if p is not None else None

        settings = {"year": options.year, "quarter": options.quarter,
                    "check_formulas": bool(options.check_formulas),
                    "low_capaian": options.low_capaian,
                    "scale": [[float(t), label] for t, label in options.scale],
                    "expected_opds": options.expected_opds,
                    "csv_dir": absolute(options.csv_dir), "parquet": absolute(options.parquet)}
        when = generated_at or dt.datetime.now().replace(microsecond=0)
        return cls(inputs=list(inputs), ledger=str(Path(ledger_path).resolve()),
                   settings=settings, year=plan.year, quarter=plan.quarter, pemda=options.pemda,
                   generated_at=when.isoformat())

    @classmethod
    def parse(cls, grid: list[list[Any]]) -> "RecapMeta":
        """From the sheet's values (column A keys, column B values); ValueError (Bahasa
        Indonesia) when the sheet is not a recap's or is damaged."""
        values = {row[0]: (row[1] if len(row) > 1 else None) for row in grid
                  if row and isinstance(row[0], str)}
        if values.get("marker") != RECAP_MARKER:
            raise ValueError("penanda rekap xlkinerja tidak ditemukan")
        try:
            inputs = json.loads(values.get("inputs") or "")
            settings = json.loads(values["settings"]) if values.get("settings") else {}
        except (TypeError, ValueError) as exc:
            raise ValueError(f"data rekap tidak dapat dibaca ({exc})") from None
        ledger = values.get("ledger")
        paths = isinstance(inputs, list) and inputs and all(isinstance(i, str) for i in inputs)
        if not paths or not isinstance(settings, dict) or not isinstance(ledger, str) or not ledger:
            raise ValueError("daftar masukan atau lokasi ledger tidak tercatat")

        def number(key):
            v = values.get(key)
            return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

        return cls(inputs=inputs, ledger=ledger, settings=settings, year=number("year"),
                   quarter=number("quarter"), pemda=values.get("pemda") or None,
                   generator=str(values.get("generator") or ""),
                   generated_at=str(values.get("generated_at") or ""))

    def options(self, output: Path, target: Path | None = None):
        """ConsolidateOptions for the same consolidation, written to ``output`` (``target``:
        the recap workbook being brought up to date, see ConsolidateOptions)."""
        from xlkinerja.consolidation.figures import DEFAULT_SCALE
        from xlkinerja.consolidation.options import ConsolidateOptions

        s = self.settings
        scale = tuple((float(t), str(label)) for t, label in s["scale"]) if s.get("scale") \
            else DEFAULT_SCALE
        return ConsolidateOptions(
            output=Path(output), ledger=Path(self.ledger), year=s.get("year"),
            quarter=s.get("quarter"), check_formulas=bool(s.get("check_formulas", False)),
            low_capaian=float(s.get("low_capaian", 0.75)),
            csv_dir=Path(s["csv_dir"]) if s.get("csv_dir") else None,
            parquet=Path(s["parquet"]) if s.get("parquet") else None, pemda=self.pemda,
            expected_opds=s.get("expected_opds") or None, scale=scale, progress=False,
            target=target)


_LONG_HEADERS = {SHEET_RINCIAN: RINCIAN_HEADERS, SHEET_INDIKATOR: INDIKATOR_HEADERS,
                 SHEET_TEMUAN: TEMUAN_HEADERS}


def fits_in_sheet(n_rows: int, n_cols: int) -> bool:
    return n_rows * n_cols <= MAX_XLSX_LONG_CELLS


def exports_only_text(n_rows: int) -> str:
    count = f"{n_rows:,}".replace(",", ".")
    return (f"{count} baris terlalu banyak untuk dibuka dengan nyaman di Excel; tabel ini hanya ada "
            "di ekspor. Jalankan xlkinerja consolidate dengan --csv FOLDER atau --parquet BERKAS "
            "untuk mendapatkannya (berkas yang sudah tercatat di ledger tidak dibaca ulang).")


def long_sheet_rows(sheet: str) -> int:
    """How many rows the long sheet ``sheet`` holds before its table goes to the exports only."""
    return MAX_XLSX_LONG_CELLS // len(_LONG_HEADERS[sheet])


def sheets_in_exports_only(n_budget_rows: int, n_indicator_rows: int, n_findings: int) -> list[tuple[str, int]]:
    """The long sheets of a recap whose table goes to the exports only, with their row counts."""
    return [(name, n) for name, n, cols in ((SHEET_RINCIAN, n_budget_rows, len(RINCIAN_HEADERS)),
                                            (SHEET_INDIKATOR, n_indicator_rows, len(INDIKATOR_HEADERS)),
                                            (SHEET_TEMUAN, n_findings, len(TEMUAN_HEADERS)))
            if not fits_in_sheet(n, cols)]


def _local_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%d-%m-%Y %H:%M")


def write_recap(path: Path, plan: Plan, figures: list[OpdSummary], findings: list[ConsolidationFinding],
                budget_rows: Iterable[tuple], n_budget_rows: int, indicator_rows: list[tuple],
                inputs: list[str], ledger_path: Path, options) -> Path:
    """Write the recap of a run with ``options`` (a ConsolidateOptions) to ``path``; an
    ``.xlsm`` output gets the macros and the Konsolidasi button."""
    project = None
    if Path(options.output).suffix.lower() == ".xlsm":
        from xlkinerja.workbook.vba import vba_project

        project = vba_project(RecapLayout.sheet_names(macro=True))
    meta = RecapMeta.of_run(options, plan, inputs, ledger_path)
    writer = RecapWriter(plan, figures, findings, meta, vba_project=project)
    writer.scale = options.scale
    return writer.write(path, budget_rows, n_budget_rows, indicator_rows)


__all__ = ["write_recap", "RecapLayout", "RecapMeta", "ConsolidationFinding", "RECAP_MARKER"]
