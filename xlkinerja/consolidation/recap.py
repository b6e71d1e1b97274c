"""The recap workbook: Ringkasan, Status Pengiriman, Rincian Anggaran, Indikator, Temuan Validasi,
Grafik, all protected, totals as formulas (with correct cached results), charts native to Excel.

Written as ``.xlsx`` (no macros) or, for an ``.xlsm`` output, macro-enabled with a Konsolidasi
button on Ringkasan and the hidden `xlwings.conf` sheet (the VBA and those parts are the
formulir's, :mod:`xlkinerja.workbook.vba`). The hidden `_xlkinerja` sheet records what was consolidated
and how (:class:`RecapMeta`), so that the button can run the same consolidation again.

Positions live in :mod:`.recap_layout` (the writer, and the button that rewrites the recap in
place, :mod:`xlkinerja.desk.refresh`, ask it); every formula's text and the Python value cached
with it come from :mod:`xlkinerja.workbook.calc`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from xlkinerja.base.version import __version__
from xlkinerja.base.atomic import atomic_path
from xlkinerja.workbook import calc
from xlkinerja.workbook.layout import RECAP_MARKER, SHEET_META, SHEET_XLWINGS_CONF, a1, sheet_ref
from xlkinerja.form.model import QUARTERS, ROMAN
from xlkinerja.workbook.xlsxkit import HEADER_FILL, PAPER_FOLIO, PROGRAM_FILL, Formats, ProtectedWorkbook
from xlkinerja.consolidation.figures import OpdSummary, predikat
from xlkinerja.workbook.calc import running_label
from xlkinerja.consolidation.plan import (ACCEPTED, CONFLICT, DUPLICATE, REJECTED, STATUS_COMPLETE, STATUS_CONFLICT,
                                          STATUS_RESEND,
                   STATUS_ERRORS, STATUS_MISSING, SUPERSEDED, Plan)
from xlkinerja.consolidation.recap_layout import (INDIKATOR, LONG_TABLES, OPD_CHART_SERIES, RINCIAN,
                                                  SHEET_GRAFIK, SHEET_INDIKATOR, SHEET_RINCIAN,
                                                  SHEET_RINGKASAN, SHEET_STATUS, SHEET_TEMUAN,
                                                  SHEET_TIDAK_DIHITUNG, TIDAK_DIHITUNG, FIRST_COL,
                                                  SUBTITLE_ROW, TEMUAN, indikator_table, TITLE_ROW, GrafikLayout,
                                                  LongTable, RecapLayout, RecapMetaLayout,
                                                  StatusLayout, PembandingLayout,
                                                  SHEET_PEMBANDING)
from xlkinerja.consolidation.pembanding import Pembanding
from xlkinerja.base.numbers import format_decimal

# Beyond this many cells a long table goes to the --csv/--parquet exports only: 153,846 rows of
# Rincian Anggaran (13 columns since pagu murni and perubahan; about 125 OPD), 125,000 of Indikator (about 15,000 OPD). XlsxWriter keeps every
# cell of a sheet in memory until it writes the file (~200 bytes a cell) and its constant_memory
# mode forbids Excel tables, so a cap by cells is what keeps a country-sized run's memory bounded.
MAX_XLSX_LONG_CELLS = 2_000_000

RINCIAN_HEADERS = tuple(RINCIAN.headers)
INDIKATOR_HEADERS = tuple(INDIKATOR.headers)
TEMUAN_HEADERS = tuple(TEMUAN.headers)


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
                 STATUS_ERRORS: ("#FFC7CE", "#9C0006"), STATUS_CONFLICT: ("#FFEB9C", "#9C5700"),
                 STATUS_RESEND: ("#FF9999", "#7A0000")}


class RecapWriter:
    def __init__(self, plan: Plan, figures: list[OpdSummary], findings: list[ConsolidationFinding],
                 meta: "RecapMeta", vba_project: bytes | None = None,
                 uncounted: list[tuple] | None = None):
        self.plan, self.figures, self.findings = plan, figures, findings
        self.uncounted = uncounted or []  # rows of Uncounted.row()
        self.meta = meta
        self.pemda = meta.pemda
        self.generated_at = dt.datetime.fromisoformat(meta.generated_at)
        self.vba_project = vba_project  # bytes: a macro-enabled recap with the button

    def write(self, path: Path, budget_rows: Iterable[tuple], n_budget_rows: int,
              indicator_rows: list[tuple], pembanding: Pembanding | None = None) -> Path:
        with atomic_path(path) as tmp:
            wb = ProtectedWorkbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
            self.wb, self.f = wb, Formats(wb)
            wb.set_properties({"title": self._title(), "author": "xlkinerja",
                               "comments": f"Dibuat dengan xlkinerja {__version__}",
                               "created": self.generated_at})
            wb.set_custom_property("xlkinerja_kind", RECAP_MARKER)
            sheets = [self._ringkasan(), self._status(), self._rincian(budget_rows, n_budget_rows),
                      self._indikator(indicator_rows), self._tidak_dihitung(), self._temuan(),
                      self._grafik(), self._pembanding(pembanding or Pembanding())]
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
        ws.merge_range(TITLE_ROW, FIRST_COL, TITLE_ROW, last_col, self._title(),
                       f(bold=True, font_size=12, align="center"))
        ws.merge_range(SUBTITLE_ROW, FIRST_COL, SUBTITLE_ROW, last_col, subtitle,
                       f(italic=True, font_size=9, align="center"))

    def _formula(self, ws, r: int, c: int, formula: str, fmt, value) -> None:
        ws.write_formula(r, c, "=" + formula, fmt, "" if value is None else value)

    # -- Ringkasan -------------------------------------------------------------------------
    def _ringkasan(self):
        L, f, plan = RecapLayout, self.f, self.plan
        ws = self._sheet(SHEET_RINGKASAN, L.widths)
        ws.set_row(L.title_row, L.title_height)
        quarter = f"s.d. TW {ROMAN[plan.quarter]}" if plan.quarter else "belum ada kiriman"
        used = sum(1 for d in plan.decisions if d.status == ACCEPTED)
        self._heading(ws, L.LAST,
                      f"Keadaan {quarter}; {len(plan.opds)} perangkat daerah; {used} berkas diterima; "
                      f"dibuat {self.generated_at.strftime('%d-%m-%Y %H:%M')}. Angka dihitung ulang "
                      "dari sel isian; rumus total tidak dapat diubah. % realisasi terhadap pagu "
                      "perubahan (pagu yang berlaku di akhir tahun; sama dengan pagu murni bila "
                      "tidak ada perubahan anggaran). "
                      + ("Identitas dan tanda tangan formulir diperiksa dengan register."
                         if self.register else "IDENTITAS FORMULIR TIDAK DAPAT DIPASTIKAN (tanpa "
                         "register formulir)."))
        head = f(bold=True, align="center", valign="vcenter", text_wrap=True, border=1,
                 bg_color=HEADER_FILL)
        for c, text in enumerate(L.headers):
            if c == L.TOTAL:  # "REALISASI s.d. TW II"; "REALISASI SETAHUN" only at TW IV
                text = running_label(plan.quarter)
            ws.write_string(L.header_row, c, text, head)
        ws.set_row(L.header_row, L.header_height)
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
            ws.write_number(r, L.PAGU_MURNI, _murni(figs), money)
            ws.write_number(r, L.PAGU, figs.pagu, money)
            for q, col in zip(QUARTERS, L.TW):
                v = figs.total.get(q)
                if v is None:
                    ws.write_blank(r, col, None, money)
                else:
                    ws.write_number(r, col, v, money)
            self._formula(ws, r, L.TOTAL, calc.sum_formula([f"{a1(r, L.TW1)}:{a1(r, L.TW4)}"]), money,
                          figs.year_total)
            self._formula(ws, r, L.PERSEN, calc.percent_formula(a1(r, L.TOTAL), a1(r, L.PAGU)), pct,
                          calc.budget_percent(figs.year_total, figs.pagu))
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
        n = len(self.figures)
        t, last = L.total_row(n), L.last_opd_row(n)
        bold = {"bold": True, "bg_color": PROGRAM_FILL}
        label_first, label_last = L.TOTAL_LABEL
        ws.merge_range(t, label_first, t, label_last, "JUMLAH / RATA-RATA KOTA", f(border=1, **bold))

        def column(c: int) -> list[str]:
            return [f"{a1(L.first_row, c)}:{a1(last, c)}"]

        money_t = f(num_format="#,##0", border=1, **bold)
        for c in (L.PAGU_MURNI, L.PAGU, *L.TW, L.TOTAL):
            values = [self._cached_column(c, figs) for figs in self.figures]
            if c in (L.PAGU, L.PAGU_MURNI):
                self._formula(ws, t, c, calc.plain_sum_formula(column(c)), money_t,
                              sum(v for v in values if v is not None))
            else:
                self._formula(ws, t, c, calc.sum_formula(column(c)), money_t, calc.blank_sum(values))
        total_pagu = sum(x.pagu for x in self.figures)
        self._formula(ws, t, L.PERSEN, calc.percent_formula(a1(t, L.TOTAL), a1(t, L.PAGU)),
                      f(num_format="0.00%", border=1, **bold),
                      calc.budget_percent(calc.blank_sum(x.year_total for x in self.figures), total_pagu))
        for c in (L.N_IND, L.N_UKUR, L.GALAT, L.PERINGATAN):
            value = sum(self._cached_column(c, figs) or 0 for figs in self.figures)
            self._formula(ws, t, c, calc.plain_sum_formula(column(c)),
                          f(border=1, align="center", **bold), value)
        self._formula(ws, t, L.CAPAIAN, calc.average_formula(column(L.CAPAIAN)),
                      f(num_format="0%", border=1, align="center", **bold),
                      calc.blank_average(x.average_capaian for x in self.figures))
        for c in (L.PREDIKAT, L.STATUS):
            ws.write_blank(t, c, None, f(border=1, **bold))
        small_t = f(border=1, text_wrap=True, font_size=8, **bold)
        ws.write_string(t, L.CATATAN, "Pagu: semua perangkat daerah"
                        + (" yang diterbitkan formulirnya (register)" if self.register else "")
                        + "; % = realisasi yang dilaporkan / pagu seluruh kota.", small_t)
        # the same realisasi over the pagu of the OPD that reported it
        s_row = L.senders_row(n)
        ws.merge_range(s_row, label_first, s_row, label_last, "JUMLAH OPD YANG MELAPOR",
                       f(border=1, **bold))
        reported = [x.year_total for x in self.figures]
        senders_pagu = calc.sum_where_reported([x.pagu for x in self.figures], reported)
        self._formula(ws, s_row, L.PAGU, calc.sum_where_reported_formula(
            column(L.PAGU)[0], column(L.TOTAL)[0]), money_t, senders_pagu)
        self._formula(ws, s_row, L.PAGU_MURNI, calc.sum_where_reported_formula(
            column(L.PAGU_MURNI)[0], column(L.TOTAL)[0]), money_t,
            calc.sum_where_reported([_murni(x) for x in self.figures], reported))
        for c in (*L.TW, L.TOTAL):
            self._formula(ws, s_row, c, a1(t, c), money_t,
                          self._cached_total(c))
        self._formula(ws, s_row, L.PERSEN, calc.percent_formula(a1(s_row, L.TOTAL), a1(s_row, L.PAGU)),
                      f(num_format="0.00%", border=1, **bold),
                      calc.budget_percent(calc.blank_sum(reported), senders_pagu))
        for c in (L.N_IND, L.N_UKUR, L.CAPAIAN, L.PREDIKAT, L.STATUS, L.GALAT, L.PERINGATAN):
            ws.write_blank(s_row, c, None, f(border=1, **bold))
        n_senders = sum(1 for v in reported if v is not None)
        ws.write_string(s_row, L.CATATAN, f"{n_senders} dari {n} perangkat daerah melaporkan "
                        "realisasi; pagu dan % hanya mereka.", small_t)
        for status, (bg, fg) in STATUS_COLORS.items():
            ws.conditional_format(L.first_row, L.STATUS, last, L.STATUS, {
                "type": "cell", "criteria": "==", "value": f'"{status}"',
                "format": self.wb.add_format({"bg_color": bg, "font_color": fg})})
        ws.freeze_panes(*L.freeze())
        ws.repeat_rows(L.header_row)
        ws.print_area(L.title_row, L.NO, s_row, L.LAST)
        self.total_row = t
        return ws

    def _cached_total(self, c: int):
        """The city total row's value of a realisasi column (what its formula computes)."""
        return calc.blank_sum(self._cached_column(c, figs) for figs in self.figures)

    def _cached_column(self, c: int, figs: OpdSummary):
        L = RecapLayout
        if c == L.PAGU:
            return figs.pagu
        if c == L.PAGU_MURNI:
            return _murni(figs)
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
    register = None  # set by the caller: the register identities were checked against

    # -- Status Pengiriman -------------------------------------------------------------------
    def _status(self):
        S, f, plan = StatusLayout, self.f, self.plan
        ws = self._sheet(SHEET_STATUS, S.widths())
        self._heading(ws, S.last_col(), "Kiriman setiap perangkat daerah per triwulan: diterima, "
                                        "belum, atau ditolak; berkas yang dipakai dan kapan diterima (pertama kali "
                                        "tercatat di ledger; waktu simpan di workbook tidak dipakai).")
        head = f(bold=True, align="center", valign="vcenter", text_wrap=True, border=1, bg_color=HEADER_FILL)
        for c, text in enumerate(S.lead_headers):
            ws.merge_range(S.header_top, c, S.header_bottom, c, text, head)
        for q in QUARTERS:
            c = S.block(q)
            ws.merge_range(S.header_top, c, S.header_top, c + len(S.block_headers) - 1,
                           f"TRIWULAN {ROMAN[q]}", head)
            for j, text in enumerate(S.block_headers):
                ws.write_string(S.header_bottom, c + j, text, head)
        text = f(border=1, text_wrap=True)
        small = f(border=1, text_wrap=True, font_size=8)
        conflicts: dict[str, dict[int, Any]] = {}
        for d in plan.decisions:
            if d.status in (CONFLICT, REJECTED) and d.result.opd_code and d.result.quarter:
                conflicts.setdefault(d.result.opd_code, {})[d.result.quarter] = d
        r = S.first_row
        colors = {"diterima": ("#C6EFCE", "#006100"), "belum": ("#EDEDED", "#3A3A3A"),
                  "ditolak": ("#FFC7CE", "#9C0006")}
        for i, p in enumerate(plan.opds.values(), start=1):
            ws.write_number(r, S.NO, i, f(border=1, align="center"))
            ws.write_string(r, S.KODE, p.code, text)
            ws.write_string(r, S.NAMA, p.name or "", text)
            for q in QUARTERS:
                c = S.block(q)
                own, source = p.accepted.get(q), p.sources.get(q)
                rejected = conflicts.get(p.code, {}).get(q)
                if own is not None:
                    status, name, when = "diterima", _shown_name(own), own.arrived
                elif source is not None:
                    status, name, when = "diterima", f"{_shown_name(source)} (dalam kiriman TW {ROMAN[source.quarter]})", source.arrived
                elif rejected is not None:
                    status, name, when = "ditolak", f"{rejected.result.name} ({rejected.note})", rejected.result.arrived
                else:
                    status, name, when = "belum", "", None
                bg, fg = colors[status]
                ws.write_string(r, c + S.BLOCK_STATUS, status,
                                f(border=1, align="center", bg_color=bg, font_color=fg))
                ws.write_string(r, c + S.BLOCK_FILE, name, small)
                ws.write_string(r, c + S.BLOCK_TIME, _local_time(when), small)
            r += 1
        r = S.files_title_row(len(plan.opds))
        ws.merge_range(r, S.F_NO, r, len(S.files_headers) - 1, "SEMUA BERKAS YANG DIBACA", f(bold=True))
        r += 1
        for c, h in enumerate(S.files_headers):
            ws.write_string(r, c, h, head)
        r += 1
        order = {ACCEPTED: 0, SUPERSEDED: 1, CONFLICT: 2, DUPLICATE: 3, REJECTED: 4}
        for i, d in enumerate(sorted(plan.decisions, key=lambda d: (d.result.opd_code or "~",
                                                                     d.result.quarter or 0,
                                                                     order[d.status], d.result.name)), 1):
            res = d.result
            ws.write_number(r, S.F_NO, i, f(border=1, align="center"))
            ws.write_string(r, S.F_KODE, res.opd_code or "", small)
            ws.write_string(r, S.F_BERKAS, _shown_name(res), small)
            ws.write_string(r, S.F_TW, f"TW {ROMAN[res.quarter]}" if res.quarter else "", small)
            ws.write_string(r, S.F_STATUS, d.status, small)
            ws.write_string(r, S.F_SUPERSEDED, d.superseded_by.name if d.superseded_by else "", small)
            ws.write_string(r, S.F_SAVED, _local_time(res.arrived), small)
            ws.write_string(r, S.F_COUNTS, f"{res.n_error}/{res.n_warning}", small)
            ws.write_string(r, S.F_NOTE, d.note or "", small)
            r += 1
        ws.freeze_panes(*S.freeze())
        ws.repeat_rows(*S.repeat())
        return ws

    # -- long tables -------------------------------------------------------------------------
    def _table(self, table: LongTable, rows: Iterable[tuple], n_rows: int):
        f = self.f
        cell_formats = {c: f(**col.props) for c, col in enumerate(table.columns) if col.style}
        ws = self._sheet(table.sheet, table.widths)
        self._heading(ws, table.last_col, table.subtitle)
        top = table.header_row
        if not fits_in_sheet(n_rows, len(table.columns)):
            ws.merge_range(top, FIRST_COL, top, table.last_col, exports_only_text(n_rows),
                           f(bold=True, font_color="#9C0006", text_wrap=True))
            ws.set_row(top, table.note_height)
            return ws
        cell = f(border=0)
        formula = None
        if table.percent:
            col, real_c, pagu_c = table.percent_cols()
            formula = (col, lambda r: calc.percent_formula(a1(r, real_c), a1(r, pagu_c)))
        n = ws.write_long_rows(table.first_row, rows,
                               [cell_formats.get(c, cell) for c in range(len(table.columns))], formula)
        if n == 0:
            for c in range(len(table.columns)):
                ws.write_blank(table.first_row, c, None, cell)
        ws.add_table(top, FIRST_COL, table.last_row(n), table.last_col, {
            "columns": [{"header": h} for h in table.headers], "autofilter": True,
            "style": table.style_name, "name": table.table_name})
        ws.freeze_panes(*table.freeze())
        ws.repeat_rows(top)
        return ws

    def _rincian(self, rows: Iterable[tuple], n_rows: int):
        return self._table(RINCIAN, rows, n_rows)

    def _indikator(self, rows: list[tuple]):
        return self._table(indikator_table(self.plan.quarter), rows, len(rows))

    def _tidak_dihitung(self):
        """Every entry of the files used that no figure counts, with its file and cell."""
        n = len(self.uncounted)
        subtitle = (f"{n} isian tidak dihitung dalam jumlah maupun capaian rekap ini (teks di sel "
                    "angka, angka negatif, persen dengan skala salah). Minta OPD memperbaikinya di "
                    "sel yang disebut lalu mengirim ulang." if n else
                    "Semua isian berkas yang dipakai terhitung: tidak ada teks di sel angka, angka "
                    "negatif, atau persen dengan skala salah.")
        return self._table(replace(TIDAK_DIHITUNG, subtitle=subtitle), self.uncounted, n)

    def _temuan(self):
        sev = {"error": "galat", "warning": "peringatan", "info": "info"}
        rows = [(x.file, x.opd_code or "", x.opd_name or "", x.sheet or "", x.cell or "",
                 sev.get(x.severity, x.severity), x.code, x.message) for x in self.findings]
        return self._table(TEMUAN, rows, len(rows))

    # -- charts ----------------------------------------------------------------------------
    def _grafik(self):
        L, G, f = RecapLayout, GrafikLayout, self.f
        ws = self._sheet(SHEET_GRAFIK, G.widths)
        self._heading(ws, G.heading_last_col, "Grafik dari sheet Ringkasan (dihitung ulang otomatis).")
        # the city's quarters as a small table, referenced by the column chart
        head = f(bold=True, border=1, align="center", bg_color=HEADER_FILL)
        ws.write_string(G.header_row, G.LABEL, G.headers[0], head)
        ws.write_string(G.header_row, G.VALUE, G.headers[1], head)
        for q, col in zip(QUARTERS, L.TW):
            r = G.quarter_row(q)
            ws.write_string(r, G.LABEL, f"TW {ROMAN[q]}", f(border=1, align="center"))
            self._formula(ws, r, G.VALUE, sheet_ref(SHEET_RINGKASAN, self.total_row, col),
                          f(border=1, num_format="#,##0"),
                          calc.blank_sum(x.total.get(q) for x in self.figures))
        col = self.wb.add_chart({"type": "column"})
        col.add_series({
            "name": G.headers[1],
            "categories": [SHEET_GRAFIK, G.first_row, G.LABEL, G.last_row(), G.LABEL],
            "values": [SHEET_GRAFIK, G.first_row, G.VALUE, G.last_row(), G.VALUE],
            "data_labels": {"value": True, "num_format": '"Rp "#,##0.0,,," M"'},
            "fill": {"color": "#548235"},
        })
        col.set_title({"name": "Realisasi anggaran kota per triwulan"})
        col.set_y_axis({"num_format": '"Rp "#,##0,,," M"', "min": 0,
                        "major_gridlines": {"visible": True}})
        col.set_legend({"none": True})
        width, height = G.city_chart_size
        col.set_size({"width": width, "height": height})
        ws.insert_chart(*G.city_chart_at, col)
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
        bar.set_size({"width": G.opd_chart_width, "height": L.opd_chart_height(n)})
        ws.insert_chart(*G.opd_chart_at, bar)
        return ws

    def _pembanding(self, data: Pembanding):
        P, f = PembandingLayout, self.f
        table = P.table
        ws = self._sheet(table.sheet, table.widths)
        self._heading(ws, table.last_col, table.subtitle)
        # a few rows, with blocks below: plain cell writes (write_long_rows wants the sheet's end)
        formats = [f(**col.props) if col.style else None for col in table.columns]
        for i, row in enumerate(data.rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(table.first_row + i, c, value, formats[c])
                else:
                    ws.write_string(table.first_row + i, c, str(value), formats[c])
        ws.add_table(table.header_row, FIRST_COL, table.last_row(len(data.rows)), table.last_col, {
            "columns": [{"header": h} for h in table.headers], "autofilter": True,
            "style": table.style_name, "name": table.table_name})
        ws.freeze_panes(*table.freeze())
        ws.repeat_rows(table.header_row)
        if not data.rows:
            ws.write_string(table.first_row, FIRST_COL,
                            "Belum ada indikator yang menyebut sumber resminya (sumber: ipp-2024, "
                            "sumber: sakip; lihat docs/data-rujukan.md).", f(italic=True))
        r = P.first_block_row(len(data.rows))
        bold, head = f(bold=True), f(bold=True, border=1, bg_color=HEADER_FILL, text_wrap=True)
        mine_fmt = f(bold=True, font_color=P.PEMDA_COLOUR, num_format="0.00")
        for (sid, _), (src, total, peers) in data.blocks.items():
            if total.jumlah_pembanding < 2:
                ws.write_string(r, P.NAME, f"{src.short}: sumber ini hanya memuat nilai "
                                           f"{total.pemda} ({format_decimal(total.nilai, 2)}"
                                           f"{', ' + total.kategori if total.kategori else ''}); "
                                           "tidak ada pembanding.", bold)
                r += 1 + P.gap
                continue
            level = {"kota": "kota", "kabupaten": "kabupaten", "provinsi": "provinsi"}[total.tingkat]
            left = (f"; {total.jumlah_tanpa_nilai} {level} tanpa nilai (NA {total.tanpa_nilai_na}, "
                    f"*NA {total.tanpa_nilai_bintang}, - {total.tanpa_nilai_kosong}) tidak dihitung"
                    if total.jumlah_tanpa_nilai else "")
            ws.write_string(r, P.NAME, f"{src.value_label}: {total.pemda} di antara "
                                       f"{total.jumlah_pembanding} {level} bernilai ({src.short}){left}.",
                            bold)
            for c, text in enumerate(P.block_headers):
                ws.write_string(r + 1, c, text, head)
            first = r + 2
            for i, (name, value, mine) in enumerate(peers):
                rank = 1 + sum(1 for _, v, _ in peers if v > value)
                ws.write_string(first + i, P.NAME, name, bold if mine else None)
                ws.write_number(first + i, P.RANK, rank, bold if mine else None)
                ws.write_number(first + i, P.VALUE, value, mine_fmt if mine else f(num_format="0.00"))
                ws.write_number(first + i, P.MEAN, total.rerata_nasional, f(num_format="0.000"))
            last = first + len(peers) - 1
            chart = self.wb.add_chart({"type": "column"})
            chart.add_series({
                "name": src.value_label,
                "categories": [SHEET_PEMBANDING, first, P.NAME, last, P.NAME],
                "values": [SHEET_PEMBANDING, first, P.VALUE, last, P.VALUE],
                "fill": {"color": P.PEERS_COLOUR}, "gap": 30,
                "points": [{"fill": {"color": P.PEMDA_COLOUR}} if mine else None
                           for _, _, mine in peers],
            })
            mean_line = self.wb.add_chart({"type": "line"})
            mean_line.add_series({
                "name": "Rerata nasional",
                "categories": [SHEET_PEMBANDING, first, P.NAME, last, P.NAME],
                "values": [SHEET_PEMBANDING, first, P.MEAN, last, P.MEAN],
                "line": {"color": "#404040", "dash_type": "dash", "width": 1.25},
                "marker": {"type": "none"},
            })
            chart.combine(mean_line)
            value = format_decimal(total.nilai, 2) if total.nilai is not None else total.tanda
            chart.set_title({"name": f"{total.pemda} {value} (peringkat {total.peringkat} dari "
                                     f"{total.jumlah_pembanding} {level}) – {src.short}",
                             "name_font": {"size": 11}})
            chart.set_x_axis({"num_font": {"size": 6, "rotation": -90}, "interval_unit": 1})
            chart.set_y_axis({"num_format": "0.00", "min": 0,
                              "major_gridlines": {"visible": True}})
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": P.chart_width, "height": P.chart_height(len(peers))})
            ws.insert_chart(r, P.chart_col, chart)
            r += P.block_rows(len(peers)) + P.gap
        return ws

    def _meta(self):
        M = RecapMetaLayout
        ws = self.wb.add_worksheet(SHEET_META)
        for r, (k, v) in enumerate(self.meta.rows()):
            ws.write_string(r, M.KEY, k)
            if isinstance(v, int):
                ws.write_number(r, M.VALUE, v)
            else:
                ws.write_string(r, M.VALUE, str(v))
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
        K, V = RecapMetaLayout.KEY, RecapMetaLayout.VALUE
        values = {row[K]: (row[V] if len(row) > V else None) for row in grid
                  if len(row) > K and isinstance(row[K], str)}
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


def fits_in_sheet(n_rows: int, n_cols: int) -> bool:
    return n_rows * n_cols <= MAX_XLSX_LONG_CELLS


def exports_only_text(n_rows: int) -> str:
    count = f"{n_rows:,}".replace(",", ".")
    return (f"{count} baris terlalu banyak untuk dibuka dengan nyaman di Excel; tabel ini hanya ada "
            "di ekspor. Jalankan xlkinerja consolidate dengan --csv FOLDER atau --parquet BERKAS "
            "untuk mendapatkannya (berkas yang sudah tercatat di ledger tidak dibaca ulang).")


def long_sheet_rows(sheet: str) -> int:
    """How many rows the long sheet ``sheet`` holds before its table goes to the exports only."""
    return MAX_XLSX_LONG_CELLS // len(LONG_TABLES[sheet].columns)


def sheets_in_exports_only(n_budget_rows: int, n_indicator_rows: int, n_findings: int) -> list[tuple[str, int]]:
    """The long sheets of a recap whose table goes to the exports only, with their row counts."""
    return [(table.sheet, n) for table, n in ((RINCIAN, n_budget_rows), (INDIKATOR, n_indicator_rows),
                                              (TEMUAN, n_findings))
            if not fits_in_sheet(n, len(table.columns))]


def _shown_name(r) -> str:
    return f"{r.name} (dari arsip ledger)" if r.from_archive else r.name


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
                inputs: list[str], ledger_path: Path, options,
                uncounted: list[tuple] | None = None,
                pembanding: Pembanding | None = None, register: Path | None = None) -> Path:
    """Write the recap of a run with ``options`` (a ConsolidateOptions) to ``path``; an
    ``.xlsm`` output gets the macros and the Konsolidasi button. ``register``: the register
    identities were checked against (None: the recap says they could not be confirmed)."""
    project = None
    if Path(options.output).suffix.lower() == ".xlsm":
        from xlkinerja.workbook.vba import vba_project

        project = vba_project(RecapLayout.sheet_names(macro=True))
    meta = RecapMeta.of_run(options, plan, inputs, ledger_path)
    writer = RecapWriter(plan, figures, findings, meta, vba_project=project, uncounted=uncounted)
    writer.scale = options.scale
    writer.register = register
    return writer.write(path, budget_rows, n_budget_rows, indicator_rows, pembanding)


__all__ = ["write_recap", "RecapLayout", "RecapMeta", "ConsolidationFinding", "RECAP_MARKER",
           "SHEET_RINGKASAN", "SHEET_STATUS", "SHEET_RINCIAN", "SHEET_INDIKATOR", "SHEET_TEMUAN",
           "SHEET_GRAFIK", "SHEET_PEMBANDING", "OPD_CHART_SERIES"]


def _murni(figs: OpdSummary) -> float:
    """An OPD's pagu murni (its pagu when its form was never revised)."""
    return figs.pagu if figs.pagu_murni is None else figs.pagu_murni
