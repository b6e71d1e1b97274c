"""Write the locked, self-checking formulir workbook with xlsxwriter.

One :class:`FormulirWriter` per workbook. Positions come from :class:`~xlkinerja.workbook.layout.WorkbookLayout`;
derived cells are formulas whose cached results come from :mod:`xlkinerja.workbook.calc`, so the file
shows correct figures even in a viewer that does not recalculate, and Excel (which recalculates
on load) agrees with them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


from xlkinerja.base.version import __version__
from xlkinerja.base.atomic import atomic_path
from xlkinerja.workbook.calc import PERCENT_LIMIT
from xlkinerja.workbook.xlsxkit import (HEADER_FILL, INPUT_FILL, OVER_FILL, OVER_FONT, PAPER_FOLIO, PROGRAM_FILL,
                      AutoHeightSheet, Formats, ProtectedWorkbook, RowFit, text_lines)
from xlkinerja.workbook.formulas import FormulaMap, quarter_values, rekap_values
from xlkinerja.workbook.layout import (HV, META_MARKER, NARRATIVE_LABEL_LAST, NARRATIVES, PETUNJUK_TEXT_COL, Q,
                     LAST_PRINTED_COL, PETUNJUK_FIRST_ROW, PETUNJUK_MARGIN_COL, printed_col,
                     QUARTER_SHEETS, SHEET_HASIL, SHEET_META, SHEET_PETUNJUK,
                     SHEET_REKAP, SHEET_XLWINGS_CONF, TEMPLATE_VERSION, HasilLayout,
                     WorkbookLayout, a1, button_places, pagu_header)
from xlkinerja.form.nip import format_nip
from xlkinerja.form.model import (NOT_AVAILABLE, QUARTERS, ROMAN, Form, Indikator, Polarity,
                    QuarterEntries, RowChange, form_json, form_sha256)
from xlkinerja.base.numbers import format_number, format_rupiah

__all__ = ["write_workbook", "FormulirWriter", "model_json", "model_sha256"]



QUARTER_WIDTHS = {Q.NO: 5, Q.SASARAN: 26, Q.INDIKATOR: 26, Q.TARGET: 9, Q.CARA: 24,
                  Q.IND_REAL: 11, Q.CAPAIAN: 7, Q.IND_KET: 20, Q.URAIAN: 42, Q.PAGU: 17,
                  Q.REAL: 17, Q.PERSEN: 8, Q.REAL_SD: 17, Q.PERSEN_SD: 8, Q.KET: 20}


def model_json(form: Form) -> str:
    return form_json(form)


def model_sha256(form: Form) -> str:
    return form_sha256(form)


def _indicator_format(ind: Indikator, decimals: int | None = None) -> str:
    if ind.is_percent:
        return "0.00%" if decimals is None else ("0%" if decimals == 0 else "0." + "0" * decimals + "%")
    return "General"


def _target_text(ind: Indikator) -> str:
    unit = "%" if ind.is_percent else ""
    return f"{format_number(ind.target)}{unit} – {format_number(ind.target_high)}{unit}"


class FormulirWriter:
    """Writes one form (and optionally its entries) to an .xlsx or .xlsm file."""

    def __init__(self, form: Form, entries: dict[int, QuarterEntries] | None = None,
                 password: str | None = None, cached_results: bool = True,
                 vba_project: bytes | None = None, buttons: bool = False,
                 generated_at: dt.datetime | None = None,
                 signature: tuple[str, str] | None = None):
        self.form = form
        self.entries = entries or {}
        self.password = password or ""
        self.cached_results = cached_results
        if buttons and vba_project is None:
            raise ValueError("buttons need a VBA project (write an .xlsm)")
        self.vba_project = vba_project
        self.buttons = buttons
        self.layout = WorkbookLayout(form)
        self.generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
        self.formulas = FormulaMap(form, self.layout)
        #: (register id, signature) of the register issuing this form, or None
        self.signature = signature
        self._values: dict = {}

    # -- public ----------------------------------------------------------------------------
    def write(self, path: str | Path) -> Path:
        """Write atomically: to a temporary file beside ``path``, then rename over it."""
        path = Path(path)
        with atomic_path(path) as tmp:
            self._write_to(str(tmp))
        return path

    # -- whole workbook --------------------------------------------------------------------
    def _write_to(self, filename: str) -> None:
        wb = ProtectedWorkbook(filename, {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
        wb.structure_password = self.password or None
        self.wb, self.f = wb, Formats(wb)
        form = self.form
        wb.set_properties({
            "title": f"Formulir Pengukuran Kinerja {form.opd_name} {form.year}",
            "subject": "Formulir Pengukuran Kinerja Perangkat Daerah",
            "author": "xlkinerja", "company": form.opd_name,
            "comments": f"Dibuat dengan xlkinerja {__version__}; template versi {TEMPLATE_VERSION}",
            "created": self.generated_at,
        })
        wb.set_custom_property("xlkinerja_template_version", str(TEMPLATE_VERSION))
        wb.set_custom_property("xlkinerja_opd_code", form.opd_code)
        wb.set_custom_property("xlkinerja_year", str(form.year))
        wb.set_custom_property("xlkinerja_model_sha256", model_sha256(form))
        macro = self.vba_project is not None

        petunjuk = wb.add_worksheet(SHEET_PETUNJUK)
        quarter_sheets = [wb.add_worksheet(name, AutoHeightSheet) for name in QUARTER_SHEETS]
        rekap = wb.add_worksheet(SHEET_REKAP, AutoHeightSheet)
        macro_sheets = [wb.add_worksheet(SHEET_HASIL), wb.add_worksheet(SHEET_XLWINGS_CONF)] \
            if macro else []
        meta = wb.add_worksheet(SHEET_META)
        self.sheets = [petunjuk, *quarter_sheets, rekap, *macro_sheets, meta]
        assert [ws.name for ws in self.sheets] == WorkbookLayout.sheet_names(macro=macro)
        if macro:
            # every sheet, hidden ones included, has the code name of its document module
            from xlkinerja.workbook.vba import attach_macros

            attach_macros(wb, self.sheets, self.vba_project)

        self._write_petunjuk(petunjuk)
        for q, ws in zip(QUARTERS, quarter_sheets):
            self._write_quarter(ws, q)
        self._write_rekap(rekap)
        if macro:
            from xlkinerja.workbook.vba import write_xlwings_conf

            self._write_hasil(macro_sheets[0])
            write_xlwings_conf(macro_sheets[1])
        self._write_meta(meta)
        if self.buttons:
            from xlkinerja.workbook.vba import insert_buttons

            for ws in self.sheets:
                insert_buttons(ws, button_places(ws.name))
        for ws in self.sheets:
            self._protect(ws)
        quarter_sheets[0].activate()
        wb.close()

    def _protect(self, ws) -> None:
        ws.protect(self.password, {"format_rows": True, "format_columns": True,
                                   "select_locked_cells": True, "select_unlocked_cells": True})

    def _value(self, value):
        return value if self.cached_results else 0

    def _derived(self, ws, row: int, col: int, fmt, rekap: bool = False) -> None:
        """Write a derived cell: its formula and cached result, both from :mod:`formulas`."""
        formula = (self.formulas.rekap if rekap else self._quarter_map)[(row, col)]
        value = self._values[(row, col)]
        if value is None:
            value = ""
        ws.write_formula(row, col, "=" + formula, fmt, self._value(value) if value != "" else
                         ("" if self.cached_results else 0))

    # -- quarter sheets --------------------------------------------------------------------
    def _write_quarter(self, ws, q: int) -> None:
        form, L, f = self.form, self.layout.quarter, self.f
        entries = self.entries.get(q) or QuarterEntries()
        self._values = quarter_values(self.formulas, self.entries, q)
        self._quarter_map = self.formulas.quarter_map(q)
        roman = ROMAN[q]
        self.fit = RowFit(QUARTER_WIDTHS)

        for col, width in QUARTER_WIDTHS.items():
            ws.set_column(col, col, width)
        ws.set_column(Q.IND_ID, Q.ROW_ID, 24, f(font_color="#808080"), {"hidden": True})

        title = f"FORMULIR PENGUKURAN KINERJA PERANGKAT DAERAH TAHUN {form.year}"
        ws.merge_range(L.title_row, Q.NO, L.title_row, Q.KET, title,
                       f(bold=True, font_size=12, align="center", valign="vcenter"))
        ws.set_row(L.title_row, 20)
        ws.merge_range(L.opd_row, Q.NO, L.opd_row, Q.KET, f"Perangkat Daerah : {form.opd_name}",
                       f(bold=True, font_size=10))
        note = revision_note(form, q)
        if note:  # a revised form says, above the table, which budget this triwulan reports against
            ws.merge_range(L.revision_row, Q.NO, L.revision_row, Q.KET, note,
                           f(italic=True, font_size=9, font_color="#1F4E79"))

        # two-row header, then column numbers 1..13
        h, h2 = L.header_top, L.header_bottom
        head = f.header()
        for col, text in ((Q.NO, "NO."), (Q.SASARAN, "SASARAN STRATEGIS"),
                          (Q.INDIKATOR, "INDIKATOR SASARAN"), (Q.TARGET, "TARGET"),
                          (Q.CARA, "CARA PENGUKURAN INDIKATOR SASARAN"), (Q.IND_KET, "KETERANGAN"),
                          (Q.URAIAN, "PROGRAM/KEGIATAN/SUB KEGIATAN"), (Q.PAGU, pagu_header(form, q)),
                          (Q.KET, "KETERANGAN")):
            ws.merge_range(h, col, h2, col, text, head)
        for left, text in ((Q.IND_REAL, f"TRIWULAN {roman}"), (Q.REAL, f"TRIWULAN {roman}"),
                           (Q.REAL_SD, f"REALISASI s.d. TW {roman}")):
            ws.merge_range(h, left, h, left + 1, text, head)
            ws.write_string(h2, left, "JUMLAH" if left == Q.REAL_SD else "REALISASI", head)
            ws.write_string(h2, left + 1, "%", head)
        ws.set_row(h, 24)
        ws.set_row(h2, 24)
        num_fmt = f.header(italic=True, bold=False, font_size=8, num_format="0")
        for col in range(Q.NO, LAST_PRINTED_COL + 1):
            ws.write_number(L.number_row, col, printed_col(Q(col)), num_fmt)

        self._indicator_block(ws, q, entries)
        self._budget_block(ws, q, entries)

        # blank cells inside the table keep their borders
        blank = f.cell()
        used_ind = set(L.indicator_rows.values())
        used_budget = set(L.budget_rows.values())
        for r in range(L.body_start, L.body_end):
            if r not in used_ind:
                for col in range(Q.NO, Q.IND_KET + 1):
                    ws.write_blank(r, col, None, blank)
            if r not in used_budget:
                for col in range(Q.URAIAN, Q.KET + 1):
                    ws.write_blank(r, col, None, blank)

        # Total Anggaran
        t = L.total_row
        ws.merge_range(t, Q.NO, t, Q.URAIAN, "Total Anggaran", f.cell(bold=True, bg_color=PROGRAM_FILL))
        self._derived(ws, t, Q.PAGU, f.cell(bold=True, num_format="#,##0", bg_color=PROGRAM_FILL))
        self._derived(ws, t, Q.REAL, f.cell(bold=True, num_format="#,##0", bg_color=PROGRAM_FILL))
        self._derived(ws, t, Q.PERSEN, f.cell(bold=True, num_format="0.00%", bg_color=PROGRAM_FILL))
        self._derived(ws, t, Q.REAL_SD, f.cell(bold=True, num_format="#,##0", bg_color=PROGRAM_FILL))
        self._derived(ws, t, Q.PERSEN_SD, f.cell(bold=True, num_format="0.00%", bg_color=PROGRAM_FILL))
        # how many realisasi cells hold what no total counts (text, a date, TRUE): "2 isian
        # tidak terhitung", marked in red on the sheet as well (see _budget_block)
        self._derived(ws, t, Q.KET, f.cell(bold=True, font_color=OVER_FONT, bg_color=PROGRAM_FILL,
                                           text_wrap=True))

        # what the capaian column compares, said once under the table
        note = _capaian_note(form, q)
        ws.merge_range(L.capaian_note_row, Q.NO, L.capaian_note_row, Q.KET, note,
                       f(italic=True, font_size=9, text_wrap=True, valign="top"))
        ws.set_row(L.capaian_note_row, 12.5 * max(1, text_lines(note, sum(QUARTER_WIDTHS.values())
                                                                  * 1.1)) + 3)

        # narratives: label left, one wide input cell
        chars = sum(QUARTER_WIDTHS[c] for c in range(NARRATIVE_LABEL_LAST + 1, Q.KET + 1)) * 1.15
        for key, label in NARRATIVES:
            r = L.narrative_rows[key]
            text = getattr(entries, key)
            ws.merge_range(r, Q.NO, r, NARRATIVE_LABEL_LAST, f"{label} :", f(bold=True, border=1,
                                                                             text_wrap=True))
            ws.merge_range(r, NARRATIVE_LABEL_LAST + 1, r, Q.KET, "", f.input())
            if text:
                ws.write_string(r, NARRATIVE_LABEL_LAST + 1, text, f.input())
            ws.set_row(r, 13.5 * max(3, text_lines(text, chars)) + 4)
            ws.data_validation(r, NARRATIVE_LABEL_LAST + 1, r, NARRATIVE_LABEL_LAST + 1, {
                "validate": "length", "criteria": "<=", "value": 5000,
                "input_title": label[:32],
                "input_message": {"faktor_pendorong": "Tuliskan hal yang mendukung capaian "
                                  "kinerja dan realisasi anggaran triwulan ini.",
                                  "uraian_permasalahan": "Tuliskan kendala yang dihadapi triwulan "
                                  "ini. Pisahkan butir dengan nomor (1., 2., ...).",
                                  "rencana_tindak_lanjut": "Tuliskan langkah yang akan diambil "
                                  "untuk mengatasi permasalahan."}[key],
                "error_title": "Teks terlalu panjang",
                "error_message": "Paling banyak 5.000 karakter. Ringkas uraiannya.",
            })

        # signature block, right side, as on the printed form
        sig = form.signatory
        S = L.signature_rows
        center = f(align="center", valign="top")
        ws.merge_range(S["jabatan"], Q.PAGU, S["jabatan"], Q.KET, sig.jabatan,
                       f(align="center", bold=True))
        ws.merge_range(S["name"], Q.PAGU, S["name"], Q.KET, sig.name,
                       f(align="center", bold=True, underline=1))
        ws.merge_range(S["pangkat"], Q.PAGU, S["pangkat"], Q.KET, sig.pangkat, center)
        ws.merge_range(S["nip"], Q.PAGU, S["nip"], Q.KET, f"NIP. {format_nip(sig.nip)}", center)

        self.fit.apply(ws)
        ws.freeze_panes(L.body_start, Q.NO)  # the rows above the body, no column
        ws.set_zoom(90)
        ws.set_landscape()
        ws.set_paper(PAPER_FOLIO)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(L.header_top, L.number_row)
        ws.print_area(L.title_row, Q.NO, L.last_row, Q.KET)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.center_horizontally()
        ws.set_footer(f"&L&8{_footer_text(form.opd_name)} · TW {roman} {form.year}&R&8Halaman &P dari &N")

    def _indicator_block(self, ws, q: int, entries: QuarterEntries) -> None:
        form, L, f = self.form, self.layout.quarter, self.f
        for number, s in enumerate(form.sasaran, start=1):
            first, last = L.sasaran_rows[s.id]
            label = f.cell(align="left")
            if last > first:
                ws.merge_range(first, Q.NO, last, Q.NO, number, f.cell(align="center", num_format="0"))
                ws.merge_range(first, Q.SASARAN, last, Q.SASARAN, s.text, label)
                self.fit.text(first, Q.SASARAN, s.text, last_row=last)
            else:
                ws.write_number(first, Q.NO, number, f.cell(align="center", num_format="0"))
                ws.write_string(first, Q.SASARAN, s.text, label)
                self.fit.text(first, Q.SASARAN, s.text)
            for ind in s.indikator:
                r = L.indicator_rows[ind.id]
                ws.write_string(r, Q.INDIKATOR, ind.text, f.cell())
                self.fit.text(r, Q.INDIKATOR, ind.text)
                if ind.polarity is Polarity.RANGE:
                    ws.write_string(r, Q.TARGET, _target_text(ind), f.cell(align="center"))
                else:
                    target = ind.quarter_target(q) if ind.quarter_targets else ind.target
                    ws.write_number(r, Q.TARGET, target / ind.scale,
                                    f.cell(align="center", num_format="0%" if ind.is_percent
                                           and float(target).is_integer() else
                                           _indicator_format(ind)))
                ws.write_string(r, Q.CARA, ind.cara_pengukuran, f.cell())
                self.fit.text(r, Q.CARA, ind.cara_pengukuran)
                entry = entries.indikator.get(ind.id)
                real_fmt = f.input(align="center", num_format=_indicator_format(ind))
                value = entry.realisasi if entry else None
                if isinstance(value, (int, float)):
                    ws.write_number(r, Q.IND_REAL, value / ind.scale, real_fmt)
                elif value == NOT_AVAILABLE:
                    ws.write_string(r, Q.IND_REAL, NOT_AVAILABLE, real_fmt)
                else:
                    ws.write_blank(r, Q.IND_REAL, None, real_fmt)
                self._derived(ws, r, Q.CAPAIAN, f.cell(align="center", num_format="0%"))
                ket = entry.keterangan if entry else None
                if ket:
                    ws.write_string(r, Q.IND_KET, ket, f.input())
                    self.fit.text(r, Q.IND_KET, ket)
                else:
                    ws.write_blank(r, Q.IND_KET, None, f.input())
                ws.write_string(r, Q.IND_ID, ind.id)
                ws.data_validation(r, Q.IND_REAL, r, Q.IND_REAL, _indicator_validation(ind, r))

    def _budget_block(self, ws, q: int, entries: QuarterEntries) -> None:
        form, L, f = self.form, self.layout.quarter, self.f
        roman = ROMAN[q]
        for row in form.budget_rows():
            r = L.budget_rows[row.id]
            level = row.level
            style = {"program": {"bold": True, "bg_color": PROGRAM_FILL},
                     "kegiatan": {"bold": True}, "sub_kegiatan": {}}[level.value]
            ws.write_string(r, Q.URAIAN, row.name, f.cell(indent=level.depth, **style))
            self.fit.text(r, Q.URAIAN, row.name, bold=bool(style), indent=level.depth)
            ws.write_string(r, Q.ROW_ID, row.id)
            if row.is_leaf and not row.open_in(q):
                # a row the revision added (before it) or removed (from it on): nothing to report
                pagu = row.pagu_at(q)
                ws.write_number(r, Q.PAGU, pagu, f.cell(num_format="#,##0", **style))
                ws.write_string(r, Q.REAL, "baris baru" if row.change is RowChange.NEW
                                else "dihapus", f.cell(align="center", italic=True,
                                                       font_color="#808080", bg_color=CLOSED_FILL))
            elif row.is_leaf:
                pagu = row.pagu_at(q)
                ws.write_number(r, Q.PAGU, pagu, f.cell(num_format="#,##0", **style))
                entry = entries.budget.get(row.id)
                amount_fmt = f.input(num_format="#,##0")
                if entry is not None and isinstance(entry.realisasi, (int, float)):
                    ws.write_number(r, Q.REAL, entry.realisasi, amount_fmt)
                else:
                    ws.write_blank(r, Q.REAL, None, amount_fmt)
                ws.data_validation(r, Q.REAL, r, Q.REAL, {
                    "validate": "decimal", "criteria": ">=", "value": 0,
                    "input_title": f"Realisasi TW {roman}"[:32],
                    "input_message": (f"Realisasi belanja triwulan {roman} saja (bukan kumulatif), "
                                      f"dalam rupiah. Ketik angkanya saja. "
                                      f"Pagu{_basis_suffix(form, q)}: {format_rupiah(pagu)}.")[:255],
                    "error_title": "Realisasi harus angka",
                    "error_message": ("Realisasi anggaran harus berupa angka rupiah, 0 atau lebih. "
                                      "Ketik angkanya saja, tanpa 'Rp' dan tanpa teks; pemisah "
                                      "ribuan muncul sendiri."),
                })
            else:
                self._derived(ws, r, Q.PAGU, f.cell(num_format="#,##0", **style))
                self._derived(ws, r, Q.REAL, f.cell(num_format="#,##0", **style))
            self._derived(ws, r, Q.PERSEN, f.cell(num_format="0.00%", **style))
            self._derived(ws, r, Q.REAL_SD, f.cell(num_format="#,##0", **style))
            self._derived(ws, r, Q.PERSEN_SD, f.cell(num_format="0.00%", **style))
            entry = entries.budget.get(row.id)
            if entry is not None and entry.keterangan:
                ws.write_string(r, Q.KET, entry.keterangan, f.input())
                self.fit.text(r, Q.KET, entry.keterangan)
            else:
                ws.write_blank(r, Q.KET, None, f.input())

        rows = list(L.budget_rows.values())
        if rows:
            first, last = min(rows), max(rows)
            over = self.wb.add_format({"bg_color": OVER_FILL, "font_color": OVER_FONT, "bold": True})
            ws.conditional_format(first, Q.REAL, last, Q.PERSEN, {
                "type": "formula",
                "criteria": f"=AND(ISNUMBER(${a1(first, Q.REAL)[0]}{first + 1}),"
                            f"${a1(first, Q.REAL)[0]}{first + 1}>${a1(first, Q.PAGU)[0]}{first + 1})",
                "format": over,
            })
            ws.conditional_format(first, Q.REAL_SD, last, Q.PERSEN_SD, {
                "type": "formula",
                "criteria": f"=AND(ISNUMBER(${a1(first, Q.REAL_SD)[0]}{first + 1}),"
                            f"${a1(first, Q.REAL_SD)[0]}{first + 1}>${a1(first, Q.PAGU)[0]}{first + 1})",
                "format": over,
            })
            # a realisasi no total counts (text such as "1.250.000", a date, TRUE) is marked red
            leaves = self.formulas.leaf_real_refs(q)
            if leaves:
                top = leaves[0].split(":")[0]
                ws.conditional_format(top, {
                    "type": "formula", "multi_range": " ".join(leaves),
                    "criteria": f'=AND(NOT(ISBLANK({top})),NOT(ISNUMBER({top})))',
                    "format": self.wb.add_format({"bg_color": "#FF0000", "font_color": "#FFFFFF",
                                                  "bold": True})})

    # -- rekap ------------------------------------------------------------------------------
    def _write_rekap(self, ws) -> None:
        form, K, f = self.form, self.layout.rekap, self.f
        C = K.cols
        widths = rekap_widths(C)
        fit = RowFit(widths)
        for col, width in widths.items():
            ws.set_column(col, col, width)
        ws.set_column(C.ID, C.ID, 24, None, {"hidden": True})
        ws.merge_range(K.title_row, C.KODE, K.title_row, C.PERSEN,
                       f"REKAP TAHUNAN REALISASI ANGGARAN DAN CAPAIAN KINERJA TAHUN {form.year}",
                       f(bold=True, font_size=12, align="center", valign="vcenter"))
        ws.set_row(K.title_row, 20)  # as on the quarter sheets; room for the buttons of the .xlsm
        ws.merge_range(K.opd_row, C.KODE, K.opd_row, C.PERSEN, f"Perangkat Daerah : {form.opd_name}",
                       f(bold=True, font_size=10))

        # A. budget
        ws.merge_range(K.budget_title_row, C.KODE, K.budget_title_row, C.PERSEN,
                       "A. REALISASI ANGGARAN (jumlah triwulan yang sudah terisi; dihitung otomatis "
                       "dari sheet TW I-IV)", f(bold=True))
        head = f.header()
        top, bottom = K.budget_header_top, K.budget_header_bottom
        pagu_head = "PAGU" if not C.revised else f"PAGU {form.basis(4).upper()}"
        for col, text in ((C.KODE, "KODE"), (C.URAIAN, "PROGRAM/KEGIATAN/SUB KEGIATAN"),
                          (C.LEVEL, "TINGKAT"), (C.PAGU, pagu_head),
                          (C.TOTAL, ""), (C.SISA, "SISA ANGGARAN"),
                          (C.PERSEN, "% REALISASI")):
            ws.merge_range(top, col, bottom, col, text, head)
        if C.revised:
            ws.merge_range(top, C.PAGU_MURNI, bottom, C.PAGU_MURNI, "PAGU MURNI", head)
            ws.merge_range(top, C.SELISIH, bottom, C.SELISIH, "BERTAMBAH / (BERKURANG)", head)
        self._values = rekap_values(self.formulas, self.entries)
        # "REALISASI s.d. TW II", and "REALISASI SETAHUN" only once TW IV holds a value
        self._derived(ws, top, C.TOTAL, head, rekap=True)
        ws.merge_range(top, C.TW1, top, C.TW4, "REALISASI PER TRIWULAN", head)
        for q, col in zip(QUARTERS, C.TW):
            ws.write_string(bottom, col, f"TW {ROMAN[q]}", head)

        for row in form.budget_rows():
            r = K.budget_rows[row.id]
            style = {"program": {"bold": True, "bg_color": PROGRAM_FILL},
                     "kegiatan": {"bold": True}, "sub_kegiatan": {}}[row.level.value]
            ws.write_string(r, C.KODE, row.code or "", f.cell(**style))
            ws.write_string(r, C.URAIAN, row.name, f.cell(indent=row.level.depth, **style))
            fit.text(r, C.URAIAN, row.name, bold=bool(style), indent=row.level.depth)
            ws.write_string(r, C.LEVEL, row.level.label, f.cell(**style))
            ws.write_string(r, C.ID, row.id)
            amount = f.cell(num_format="#,##0", **style)
            for col in (C.PAGU, *C.TW, C.TOTAL, C.SISA):
                self._derived(ws, r, col, amount, rekap=True)
            if C.revised:
                if (r, C.PAGU_MURNI) in self.formulas.rekap:
                    self._derived(ws, r, C.PAGU_MURNI, amount, rekap=True)
                else:  # the murni of a leaf, when no TW sheet shows it (revised from TW I)
                    ws.write_number(r, C.PAGU_MURNI, row.murni, amount)
                self._derived(ws, r, C.SELISIH, f.cell(num_format=CHANGE_FORMAT, **style),
                              rekap=True)
            self._derived(ws, r, C.PERSEN, f.cell(num_format="0.00%", **style), rekap=True)

        t = K.budget_total_row
        tot_style = {"bold": True, "bg_color": PROGRAM_FILL}
        ws.merge_range(t, C.KODE, t, C.LEVEL, "Total Anggaran", f.cell(**tot_style))
        amount = f.cell(num_format="#,##0", **tot_style)
        for col in (C.PAGU, *C.TW, C.TOTAL, C.SISA):
            self._derived(ws, t, col, amount, rekap=True)
        if C.revised:
            self._derived(ws, t, C.PAGU_MURNI, amount, rekap=True)
            self._derived(ws, t, C.SELISIH, f.cell(num_format=CHANGE_FORMAT, **tot_style),
                          rekap=True)
        self._derived(ws, t, C.PERSEN, f.cell(num_format="0.00%", **tot_style), rekap=True)

        first, last = K.budget_start, K.budget_total_row
        over = self.wb.add_format({"bg_color": OVER_FILL, "font_color": OVER_FONT, "bold": True})
        ws.conditional_format(first, C.TW1, last, C.TOTAL, {
            "type": "formula", "criteria": f"=AND(ISNUMBER({a1(first, C.TW1)}),"
                                          f"{a1(first, C.TW1)}>${a1(first, C.PAGU)[0]}{first + 1})",
            "format": over})
        ws.conditional_format(first, C.SISA, last, C.PERSEN, {
            "type": "formula", "criteria": f"=${a1(first, C.SISA)[0]}{first + 1}<0", "format": over})

        # B. indicators
        ws.merge_range(K.indicator_title_row, C.KODE, K.indicator_title_row, C.PERSEN,
                       "B. CAPAIAN KINERJA (realisasi s.d. triwulan terakhir yang terisi, menurut jenis "
                       "indikatornya, dibanding target tahunan atau target triwulan s.d. saat itu; "
                       "dihitung otomatis)", f(bold=True))
        top, bottom = K.indicator_header_top, K.indicator_header_bottom
        for col, text in ((C.KODE, "NO."), (C.URAIAN, "SASARAN STRATEGIS / INDIKATOR SASARAN"),
                          (C.LEVEL, "SATUAN"), (C.TOTAL, ""),
                          (C.SISA, "CAPAIAN"), (C.PERSEN, "CAPAIAN TANPA BATAS")):
            ws.merge_range(top, col, bottom, col, text, head)
        ws.merge_range(top, C.TARGET, bottom, C.TARGET_LAST, "TARGET", head)
        if form.indicators():
            self._derived(ws, top, C.TOTAL, head, rekap=True)
        ws.merge_range(top, C.TW1, top, C.TW4, "REALISASI PER TRIWULAN", head)
        for q, col in zip(QUARTERS, C.TW):
            ws.write_string(bottom, col, f"TW {ROMAN[q]}", head)
        for sn, s in enumerate(form.sasaran, start=1):
            r = K.sasaran_rows[s.id]
            ws.write_string(r, C.KODE, str(sn), f.cell(bold=True, bg_color=PROGRAM_FILL))
            ws.merge_range(r, C.URAIAN, r, C.PERSEN, s.text, f.cell(bold=True, bg_color=PROGRAM_FILL))
            fit.text(r, C.URAIAN, s.text, bold=True, last_col=C.PERSEN)
            ws.write_string(r, C.ID, s.id)
            for inum, ind in enumerate(s.indikator, start=1):
                r = K.indicator_rows[ind.id]
                ws.write_string(r, C.KODE, f"{sn}.{inum}", f.cell())
                ws.write_string(r, C.URAIAN, ind.text, f.cell(indent=1))
                fit.text(r, C.URAIAN, ind.text, indent=1)
                ws.write_string(r, C.LEVEL, ind.unit, f.cell(align="center"))
                ws.write_string(r, C.ID, ind.id)
                wide = C.TARGET_LAST > C.TARGET  # a revised form: the target spans three columns
                if ind.polarity is Polarity.RANGE:
                    if wide:
                        ws.merge_range(r, C.TARGET, r, C.TARGET_LAST, _target_text(ind),
                                       f.cell(align="center"))
                    else:
                        ws.write_string(r, C.TARGET, _target_text(ind), f.cell(align="center"))
                else:
                    target_fmt = "0%" if ind.is_percent and float(ind.target).is_integer() \
                        else _indicator_format(ind)
                    target_cell = f.cell(align="center", num_format=target_fmt)
                    if wide:
                        ws.merge_range(r, C.TARGET, r, C.TARGET_LAST, "", target_cell)
                    self._derived(ws, r, C.TARGET, target_cell, rekap=True)
                fmt = f.cell(align="center", num_format=_indicator_format(ind))
                for col in (*C.TW, C.TOTAL):
                    self._derived(ws, r, col, fmt, rekap=True)
                for col in (C.SISA, C.PERSEN):
                    self._derived(ws, r, col, f.cell(align="center", num_format="0%"), rekap=True)

        fit.apply(ws)
        ws.freeze_panes(K.budget_start, C.KODE)  # the rows above the budget, no column
        ws.set_zoom(90)
        ws.set_landscape()
        ws.set_paper(PAPER_FOLIO)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(K.budget_header_top, K.budget_header_bottom)
        ws.print_area(K.title_row, C.KODE, K.last_row, C.PERSEN)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.center_horizontally()
        ws.set_footer(f"&L&8{_footer_text(form.opd_name)} · Rekap Tahunan {form.year}&R&8Halaman &P dari &N")

    # -- petunjuk --------------------------------------------------------------------------
    def _write_petunjuk(self, ws) -> None:
        from xlkinerja.workbook.petunjuk import petunjuk_blocks

        f = self.f
        ws.set_column(PETUNJUK_MARGIN_COL, PETUNJUK_TEXT_COL - 1, 3)
        ws.set_column(PETUNJUK_TEXT_COL, PETUNJUK_TEXT_COL, 110)
        ws.hide_gridlines(2)
        styles = {
            "title": f(bold=True, font_size=13, valign="vcenter", text_wrap=True),
            "heading": f(bold=True, font_size=10, font_color="#1F4E79"),
            "text": f(text_wrap=True, font_size=10),
            "input": f(text_wrap=True, font_size=10, bg_color=INPUT_FILL, border=1),
            "over": f(text_wrap=True, font_size=10, bg_color=OVER_FILL, font_color=OVER_FONT, border=1),
            "header": f(text_wrap=True, font_size=10, bg_color=HEADER_FILL, border=1, bold=True),
            "plain": f(text_wrap=True, font_size=10, border=1),
            "small": f(text_wrap=True, font_size=8, font_color="#595959"),
        }
        r = PETUNJUK_FIRST_ROW
        vba = self.vba_project is not None
        version = None
        if vba:
            from xlkinerja.workbook.vba import xlwings_version

            version = xlwings_version()
        for style, text in petunjuk_blocks(self.form, vba=vba, xlwings_version=version):
            if style == "gap":
                r += 1
                continue
            ws.write_string(r, PETUNJUK_TEXT_COL, text, styles[style])
            ws.set_row(r, 14 * max(1, text_lines(text, 120)) + (6 if style == "title" else 2))
            r += 1
        ws.set_landscape()
        ws.set_paper(PAPER_FOLIO)
        ws.fit_to_pages(1, 0)
        ws.print_area(PETUNJUK_FIRST_ROW, PETUNJUK_MARGIN_COL, max(r - 1, PETUNJUK_FIRST_ROW),
                      PETUNJUK_TEXT_COL)

    # -- the sheets of the macro workbook ---------------------------------------------------
    def _write_hasil(self, ws) -> None:
        """`Hasil Validasi` before the first run: title, what to do, the marks, the headers."""
        from xlkinerja.workbook import hasil

        H, f = HasilLayout(), self.f
        for col, width in hasil.WIDTHS.items():
            # text columns are Text (@), so Excel keeps a message such as "4.01" as typed
            text = col in (HV.TINGKAT, HV.SHEET, HV.KODE, HV.PESAN)
            ws.set_column(col, col, width, f(num_format="@", text_wrap=col == HV.PESAN)
                          if text else None)
        ws.set_column(HV.MARK_SHEET, HV.MARK_NOTE, 14, f(num_format="@"), {"hidden": True})
        ws.set_row(H.title_row, 20)
        ws.write_string(H.title_row, HV.NO, hasil.TITLE, f(bold=True, font_size=12,
                                                            valign="vcenter"))
        ws.write_string(H.summary_row, HV.NO, hasil.NOT_YET, f(bold=True, font_size=10))
        ws.write_string(H.legend_row, HV.NO, hasil.LEGEND, f(font_size=9, italic=True))
        for col, text in {**hasil.HEADERS, **hasil.MARK_HEADERS}.items():
            ws.write_string(H.header_row, col, text, f.header())
        ws.freeze_panes(H.first_row, HV.NO)  # the rows above the findings, no column
        ws.set_landscape()
        ws.set_paper(PAPER_FOLIO)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(H.header_row)

    # -- meta ------------------------------------------------------------------------------
    def _write_meta(self, ws) -> None:
        M = self.layout.meta
        form = self.form
        text = model_json(form)
        chunks = [text[i:i + M.chunk_size] for i in range(0, len(text), M.chunk_size)] or [""]
        values = {
            "marker": META_MARKER, "template_version": TEMPLATE_VERSION,
            "opd_code": form.opd_code, "opd_name": form.opd_name, "year": form.year,
            "generator": f"xlkinerja {__version__}",
            "generated_at": self.generated_at.isoformat(),
            "model_sha256": model_sha256(form), "model_chunks": len(chunks),
            "register_id": self.signature[0] if self.signature else "",
            "signature": self.signature[1] if self.signature else "",
        }
        for key in M.keys:
            r = M.key_row(key)
            ws.write_string(r, M.key_col, key)
            value = values[key]
            if isinstance(value, int):
                ws.write_number(r, M.value_col, value)
            elif value == "":
                ws.write_blank(r, M.value_col, None)
            else:
                ws.write_string(r, M.value_col, str(value))
        ws.write_string(M.chunk_label_row, M.key_col, "model_json")
        for i, chunk in enumerate(chunks):
            ws.write_string(M.chunk_start + i, M.chunk_col, chunk)
        ws.very_hidden()


CHANGE_FORMAT = "#,##0;(#,##0);0"  # a cut shows as (161.250.000), as budget documents print it
CLOSED_FILL = "#EDEDED"  # a realisasi cell closed in this triwulan (row added or removed)


def rekap_widths(cols) -> dict[int, float]:
    """Column widths of Rekap Tahunan for its columns (:class:`RekapCols`)."""
    widths = {cols.KODE: 18, cols.URAIAN: 52, cols.LEVEL: 12, cols.PAGU: 17, cols.TOTAL: 17,
              cols.SISA: 17, cols.PERSEN: 11, **{c: 16 for c in cols.TW}}
    if cols.revised:
        widths.update({cols.PAGU_MURNI: 17, cols.SELISIH: 16})
    return dict(sorted(widths.items()))


def _basis_suffix(form: Form, quarter: int) -> str:
    return "" if form.revision is None else f" {form.basis(quarter)}"


def revision_note(form: Form, quarter: int) -> str | None:
    """The line above a revised form's table: the budget in force in this triwulan."""
    rev = form.revision
    if rev is None:
        return None
    when = f" (berlaku {format_date_id(rev.effective_date)})" if rev.effective_date else ""
    label = rev.kind.label
    if quarter < rev.effective_quarter:
        return (f"Formulir {label.lower()}{when}: TW {ROMAN[quarter]} dilaporkan terhadap pagu "
                f"{form.basis(quarter)}; pagu {rev.kind.value} berlaku mulai TW "
                f"{ROMAN[rev.effective_quarter]}.")
    return (f"Formulir {label.lower()}{when}: TW {ROMAN[quarter]} dilaporkan terhadap pagu "
            f"{form.basis(quarter)}.")


def format_date_id(iso: str) -> str:
    """2024-09-15 -> 15 September 2024."""
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember")
    try:
        y, m, d = (int(x) for x in iso[:10].split("-"))
        return f"{d} {months[m - 1]} {y}"
    except (ValueError, IndexError):
        return iso


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")


def _indicator_validation(ind: Indikator, r: int) -> dict:
    """The realisasi cell's rule (one per cell in Excel): a number or "-", and for a percent
    indicator a number on the percent scale (up to 1.000 %), refused otherwise (stop)."""
    ref = a1(r, Q.IND_REAL)
    if ind.is_percent:
        rule = f'=IF(ISNUMBER({ref}),ABS({ref})<={_num_text(PERCENT_LIMIT)},{ref}="-")'
        message = ("Realisasi persen diketik dengan tanda %, mis. 66,5% (bukan 66,5, yang berarti "
                   "6.650%). Nilai di atas 1.000% ditolak. Ketik tanda - bila nilainya belum "
                   "tersedia.")
    else:
        rule = f'=OR(ISNUMBER({ref}),{ref}="-")'
        message = ("Realisasi indikator harus berupa angka, atau tanda - bila nilainya belum "
                   "tersedia. Jelaskan di kolom KETERANGAN.")
    return {"validate": "custom", "value": rule, "input_title": "Realisasi indikator",
            "input_message": _indicator_prompt(ind), "error_title": "Isian tidak sah",
            "error_message": message}


def _num_text(value: float) -> str:
    return f"{value:g}"


def _capaian_note(form: Form, q: int) -> str:
    """What capaian (column 7) compares on the sheet of TW ``q``, per kind of indicator."""
    from xlkinerja.workbook import calc

    bases = [(ind, calc.quarter_basis_text(ind, q)) for _, ind in form.indicators()]
    common = "realisasi triwulan ini dibanding target tahunan"
    others = [(ind, b) for ind, b in bases if b != common]
    text = "Catatan: CAPAIAN (kolom 7) = "
    if not others:
        return text + common + "."
    parts = [f"{ind.text[:60]}: {b}" for ind, b in others]
    if len(others) == len(bases):
        return text + "; ".join(parts) + "."
    return text + common + ", kecuali " + "; ".join(parts) + "."


def _indicator_prompt(ind: Indikator) -> str:
    if ind.polarity is Polarity.RANGE:
        target = _target_text(ind)
    else:
        target = format_number(ind.target) + ("%" if ind.is_percent else "")
    unit = "" if ind.is_percent else f" (satuan: {ind.unit})"
    when = ("Indikator tahunan: ketik - sampai nilainya terbit, lalu isi angkanya. "
            if ind.frequency.value == "yearly" else "Isi capaian triwulan ini. ")
    percent = "Untuk persen, ketik misalnya 66,5%. " if ind.is_percent else ""
    return f"{when}Target {target}{unit}. {percent}"[:255]


def write_workbook(form: Form, path: str | Path, entries: dict[int, QuarterEntries] | None = None,
                   password: str | None = None, **options) -> Path:
    """Write the formulir workbook for ``form`` to ``path`` (atomically) and return the path."""
    return FormulirWriter(form, entries=entries, password=password, **options).write(path)
