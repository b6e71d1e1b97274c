"""The generated workbook, read back with openpyxl: sheets, locking, formulas, validation, print.

These are the properties OPD staff rely on without knowing it: they can type only in the yellow
cells, every derived figure is a formula, wrong entries are refused with an Indonesian message.
"""

from __future__ import annotations

import json
import zipfile

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from xlkinerja.workbook.layout import (NARRATIVE_LABEL_LAST, QUARTER_SHEETS, Q, R, SHEET_META, SHEET_REKAP,
                              TEMPLATE_VERSION, WorkbookLayout, a1)
from xlkinerja.form.model import Form
from xlkinerja.workbook.writer import model_sha256, write_workbook


@pytest.fixture(scope="module")
def wb(filled_xlsx):
    return openpyxl.load_workbook(filled_xlsx)


@pytest.fixture(scope="module")
def layout(form):
    return WorkbookLayout(form)


def test_sheets_in_order_and_metadata_sheet_very_hidden(wb):
    assert wb.sheetnames == ["Petunjuk", "TW I", "TW II", "TW III", "TW IV", "Rekap Tahunan",
                             "_xlkinerja"]
    assert wb[SHEET_META].sheet_state == "veryHidden"
    assert all(wb[n].sheet_state == "visible" for n in wb.sheetnames[:-1])


def test_every_sheet_protected_and_structure_locked(wb):
    assert wb.security is not None and wb.security.lockStructure
    for ws in wb.worksheets:
        p = ws.protection
        assert p.sheet, ws.title
        # True means "this action is protected"
        assert p.insertRows and p.deleteRows and p.insertColumns and p.deleteColumns, ws.title
        assert p.formatCells, ws.title


def test_password_from_option_is_applied(tmp_path, form):
    path = write_workbook(form, tmp_path / "pw.xlsx", password="rahasia")
    book = openpyxl.load_workbook(path)
    assert book["TW I"].protection.password  # hashed, present
    assert book.security.workbookPassword
    unprotected = openpyxl.load_workbook(write_workbook(form, tmp_path / "nopw.xlsx"))
    assert unprotected["TW I"].protection.sheet and not unprotected["TW I"].protection.password


def _unlocked_cells(ws) -> set[str]:
    out = set()
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell):
                continue
            if cell.has_style and cell.protection.locked is False:
                out.add(cell.coordinate)
    return out


def test_only_input_cells_are_unlocked(wb, form, layout):
    expected = {c.a1 for c in layout.quarter.input_cells(form)}
    # what the input cells are, concretely, for the seed form
    assert len(expected) == 2 * 5 + 25 + 40 + 3
    for name in QUARTER_SHEETS:
        assert _unlocked_cells(wb[name]) == expected, name
    for name in ("Petunjuk", SHEET_REKAP, SHEET_META):
        assert _unlocked_cells(wb[name]) == set(), name


def test_derived_cells_hold_formulas(wb, form, layout):
    L = layout.quarter
    for name in QUARTER_SHEETS:
        ws = wb[name]
        for row in form.budget_rows():
            r = L.budget_rows[row.id]
            pagu, real, pct = (ws[a1(r, Q.PAGU)].value, ws[a1(r, Q.REAL)].value,
                               ws[a1(r, Q.PERSEN)].value)
            assert isinstance(pct, str) and pct.startswith("="), (name, row.name)
            if row.is_leaf:
                assert isinstance(pagu, int)
            else:
                assert pagu.startswith("=SUM(") and real.startswith("=IF(COUNT("), (name, row.name)
        for _, ind in form.indicators():
            assert ws[a1(L.indicator_rows[ind.id], Q.CAPAIAN)].value.startswith("=IF(ISNUMBER(")
        for col in (Q.PAGU, Q.REAL, Q.PERSEN):
            assert ws[a1(L.total_row, col)].value.startswith("="), (name, col)
    rekap = wb[SHEET_REKAP]
    for row in form.budget_rows():
        r = layout.rekap.budget_rows[row.id]
        for col in (R.PAGU, R.TW1, R.TW2, R.TW3, R.TW4, R.TOTAL, R.SISA, R.PERSEN):
            assert str(rekap[a1(r, col)].value).startswith("="), (row.name, col)
    for _, ind in form.indicators():
        r = layout.rekap.indicator_rows[ind.id]
        for col in (R.TW1, R.TW2, R.TW3, R.TW4, R.TOTAL, R.SISA, R.PERSEN):
            assert str(rekap[a1(r, col)].value).startswith("="), (ind.text, col)


def test_parent_formulas_sum_exactly_their_children(wb, form, layout):
    ws = wb["TW I"]
    L = layout.quarter
    kegiatan = form.programs[0].children[0]
    first = L.budget_rows[kegiatan.children[0].id] + 1
    last = L.budget_rows[kegiatan.children[-1].id] + 1
    assert ws[a1(L.budget_rows[kegiatan.id], Q.PAGU)].value == f"=SUM(J{first}:J{last})"
    program = form.programs[0]
    refs = ",".join(f"K{L.budget_rows[k.id] + 1}" for k in program.children)
    assert ws[a1(L.budget_rows[program.id], Q.REAL)].value == f'=IF(COUNT({refs})=0,"",SUM({refs}))'


def test_data_validation_in_indonesian(wb, form, layout):
    L = layout.quarter
    ws = wb["TW II"]
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_cell[rng.coord] = dv
    for leaf in form.leaves():
        dv = by_cell[a1(L.budget_rows[leaf.id], Q.REAL)]
        assert dv.type == "decimal" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
        assert dv.errorStyle in (None, "stop")
        assert "angka" in dv.error and "Pagu" in dv.prompt and "triwulan II" in dv.prompt
    for _, ind in form.indicators():
        cell = a1(L.indicator_rows[ind.id], Q.IND_REAL)
        dv = by_cell[cell]
        # a percent on the wrong scale (66,5 for 66,5 %) is refused by the same one rule
        want = (f'IF(ISNUMBER({cell}),ABS({cell})<=10,{cell}="-")' if ind.is_percent
                else f'OR(ISNUMBER({cell}),{cell}="-")')
        assert dv.type == "custom" and dv.formula1 == want
        assert "tanda -" in dv.error
    for key, row in L.narrative_rows.items():
        assert by_cell[a1(row, NARRATIVE_LABEL_LAST + 1)].type == "textLength"


def test_realisasi_above_pagu_is_shown_red(wb, form, layout):
    L = layout.quarter
    rows = sorted(L.budget_rows.values())
    for name in QUARTER_SHEETS:
        rules = {str(cf.sqref): [r.formula for r in cf.rules] for cf in wb[name].conditional_formatting}
        rng = f"K{rows[0] + 1}:L{rows[-1] + 1}"
        assert rules[rng] == [[f"AND(ISNUMBER($K{rows[0] + 1}),$K{rows[0] + 1}>$J{rows[0] + 1})"]]
    rekap_rules = [str(cf.sqref) for cf in wb[SHEET_REKAP].conditional_formatting]
    assert len(rekap_rules) == 2


def test_header_and_column_numbers_as_on_the_form(wb, layout):
    ws = wb["TW III"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A5:A6", "B5:B6", "F5:G5", "K5:L5", "M5:N5", "O5:O6", "A1:O1"} <= merged
    assert ws["F5"].value == ws["K5"].value == "TRIWULAN III"
    assert ws["F6"].value == ws["K6"].value == "REALISASI" and ws["L6"].value == "%"
    # the cumulative block: what the financial system (SP2D, LRA) and Form E.81 show
    assert ws["M5"].value == "REALISASI s.d. TW III"
    assert ws["M6"].value == "JUMLAH" and ws["N6"].value == "%"
    assert ws["A1"].value == "FORMULIR PENGUKURAN KINERJA PERANGKAT DAERAH TAHUN 2024"
    assert ws["A3"].value == "Perangkat Daerah : Sekretariat Daerah Kota Jambi"
    numbers = [c.value for c in ws[layout.quarter.number_row + 1]][:15]
    assert numbers == list(range(1, 16))
    # the seed's "1200,00%" slip cannot happen: no percent format on the column-number row
    assert all("%" not in c.number_format for c in ws[layout.quarter.number_row + 1][:15])


def test_formats_people_expect(wb, form, layout):
    ws = wb["TW I"]
    L = layout.quarter
    leaf = form.leaves()[0]
    r = L.budget_rows[leaf.id]
    assert ws[a1(r, Q.PAGU)].number_format == "#,##0"
    assert ws[a1(r, Q.REAL)].number_format == "#,##0"
    assert ws[a1(r, Q.PERSEN)].number_format == "0.00%"
    ind = form.indicators()[0][1]
    assert ws[a1(L.indicator_rows[ind.id], Q.CAPAIAN)].number_format == "0%"
    fills = {ws[c.a1].fill.fgColor.rgb for c in L.input_cells(form)}
    assert fills == {"FFFFF2CC"}  # one distinct fill for every input cell
    assert ws[a1(r, Q.URAIAN)].alignment.wrap_text
    assert ws.freeze_panes == "A8"


def test_print_setup_landscape_folio_one_page_wide(wb, layout):
    for name in (*QUARTER_SHEETS, SHEET_REKAP):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.page_setup.paperSize == 14, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, name
    ws = wb["TW IV"]
    assert ws.print_title_rows == "$5:$7"
    assert ws.print_area == f"'TW IV'!$A$1:$O${layout.quarter.last_row + 1}"


def test_identity_recorded(filled_xlsx, wb, form, layout):
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["xlkinerja_template_version"] == str(TEMPLATE_VERSION)
    assert props["xlkinerja_opd_code"] == "4.01" and props["xlkinerja_year"] == "2024"
    assert props["xlkinerja_model_sha256"] == model_sha256(form)
    meta = wb[SHEET_META]
    keys = {meta.cell(r + 1, 1).value: meta.cell(r + 1, 2).value for r in range(len(layout.meta.keys))}
    assert keys["marker"] == "xlkinerja-formulir" and keys["template_version"] == TEMPLATE_VERSION
    chunks = [meta.cell(layout.meta.chunk_start + i + 1, layout.meta.chunk_col + 1).value
              for i in range(keys["model_chunks"])]
    assert Form.from_dict(json.loads("".join(chunks))) == form
    # every budget row and indicator carries its stable id on every quarter sheet
    for name in QUARTER_SHEETS:
        ws = wb[name]
        for row in form.budget_rows():
            assert ws[a1(layout.quarter.budget_rows[row.id], Q.ROW_ID)].value == row.id
        for _, ind in form.indicators():
            assert ws[a1(layout.quarter.indicator_rows[ind.id], Q.IND_ID)].value == ind.id
    assert ws.column_dimensions["P"].hidden


def test_official_codes_and_generated_ids(form):
    ids = [r.id for r in form.budget_rows()]
    assert len(ids) == len(set(ids))
    assert "4.01.01" in ids  # X.XX.01 with the OPD's urusan/bidang 4.01
    assert "4.01.01.2.01.0001" in ids
    assert "fasilitasi-bantuan-hukum" in ids


def test_row_heights_stay_automatic_for_excel(filled_xlsx):
    """Estimated heights are stored for LibreOffice and printing, without customHeight, so
    Excel still grows a row when someone types a long keterangan."""
    with zipfile.ZipFile(filled_xlsx) as z:
        names = json.dumps(z.namelist())
        xml = z.read("xl/worksheets/sheet2.xml").decode()
    assert "sheet2.xml" in names
    import re
    rows = re.findall(r"<row [^>]*>", xml)
    tall_auto = [r for r in rows if 'ht="' in r and "customHeight" not in r]
    assert tall_auto, "body rows with wrapped text should carry an automatic height"


def test_blank_form_has_no_entries_but_all_formulas(blank_xlsx, form, layout):
    ws = openpyxl.load_workbook(blank_xlsx)["TW I"]
    for c in layout.quarter.input_cells(form):
        assert ws[c.a1].value in (None, ""), c
    assert ws[a1(layout.quarter.total_row, Q.PAGU)].value.startswith("=SUM(")
