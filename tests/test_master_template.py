"""xlkinerja master-template: the empty master a planning officer fills, read back with openpyxl."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import lo
from xlkinerja.form.master import read_master
from xlkinerja.form.masterformat import ANGGARAN, EXAMPLE_OPD, INDIKATOR, OPD, TABLES
from xlkinerja.form.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "master.xlsx"
    proc = run("master-template", "-o", str(path))
    assert proc.returncode == 0, proc.stderr
    assert f"Ditulis: {path}" in proc.stdout and "generate --master" in proc.stdout
    return path


@pytest.fixture(scope="module")
def wb(template):
    return openpyxl.load_workbook(template)


def test_sheets_headers_and_example_rows(wb):
    assert wb.sheetnames == ["Petunjuk", "OPD", "Anggaran", "Indikator"]
    assert wb.active.title == "Petunjuk"
    for table in TABLES:
        ws = wb[table.sheet]
        assert [c.value for c in ws[1]] == [c.header for c in table.columns]
        examples = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]
        assert examples and all(r[0] == EXAMPLE_OPD for r in examples)
        first = ws.cell(2, 1)
        assert first.font.i and first.font.color.rgb.endswith("7F7F7F")  # grey italic example


def test_header_notes_frozen_header_table_and_filter(wb):
    for table in TABLES:
        ws = wb[table.sheet]
        assert ws.freeze_panes == "A2"
        (tbl,) = ws.tables.values()
        assert tbl.ref.startswith("A1:") and tbl.autoFilter is not None
        for col, cell in zip(table.columns, ws[1]):
            assert cell.comment is not None and col.note in cell.comment.text
            assert ("(wajib)" if col.required else "(opsional)") in cell.comment.text
            # xlsxwriter writes neighbours of equal width and format as one <col min max>
            width = next(d.width for d in ws.column_dimensions.values()
                         if d.min <= cell.column <= d.max)
            assert abs(width - col.width) < 1, (table.sheet, col.header, width)
        assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"


def _validation(ws, column: str):
    found = [v for v in ws.data_validations.dataValidation
             if any(str(r).startswith(f"{column}2:") for r in v.sqref.ranges)]
    assert len(found) == 1, (ws.title, column)
    return found[0]


def test_dropdowns_and_checks_with_indonesian_messages(wb):
    def letter(table, key):
        return openpyxl.utils.get_column_letter(table.col_index(key) + 1)

    lists = {(ANGGARAN, "level"): '"Program,Kegiatan,Sub Kegiatan"',
             (INDIKATOR, "polaritas"): '"naik,turun,rentang"',
             (INDIKATOR, "frekuensi"): '"triwulanan,tahunan"',
             (INDIKATOR, "nilai_tahunan"): '"terakhir,jumlah,rata-rata,tidak turun"',
             (OPD, "rumus_turun"): '"pmk,kebalikan"'}
    for (table, key), formula in lists.items():
        v = _validation(wb[table.sheet], letter(table, key))
        assert v.type == "list" and v.formula1 == formula and v.showDropDown in (None, False)
        assert v.errorStyle in (None, "stop") and "Pilih dari daftar" in v.error
    for table in (ANGGARAN, INDIKATOR):
        v = _validation(wb[table.sheet], "A")
        assert v.type == "list" and v.formula1.startswith("OPD!$A$2:$A$")
        assert v.errorStyle == "warning" and "sheet OPD" in v.error
    pagu = _validation(wb[ANGGARAN.sheet], letter(ANGGARAN, "pagu"))
    assert pagu.type == "decimal" and pagu.operator == "greaterThanOrEqual"
    tahun = _validation(wb[OPD.sheet], letter(OPD, "tahun"))
    assert tahun.type == "whole" and (tahun.formula1, tahun.formula2) == ("2000", "2100")
    nip = _validation(wb[OPD.sheet], letter(OPD, "nip"))
    assert nip.type == "custom" and "LEN(SUBSTITUTE(G2" in nip.formula1
    for table in TABLES:
        for v in wb[table.sheet].data_validations.dataValidation:
            assert v.prompt and len(v.prompt) <= 255 and v.promptTitle
            assert v.showInputMessage


def test_codes_and_nip_cells_are_text_so_excel_keeps_them(wb):
    for table, key in ((OPD, "kode_opd"), (OPD, "nip"), (ANGGARAN, "kode"),
                       (INDIKATOR, "target")):
        cell = wb[table.sheet].cell(2, table.col_index(key) + 1)
        assert cell.number_format == "@", (table.sheet, key)
    assert wb[ANGGARAN.sheet].cell(2, ANGGARAN.col_index("pagu") + 1).number_format == "#,##0"


def test_petunjuk_explains_every_column(wb):
    text = "\n".join(str(c.value) for row in wb["Petunjuk"].iter_rows() for c in row if c.value)
    for table in TABLES:
        assert f"Sheet {table.sheet}" in text
        for col in table.columns:
            assert f"{col.header} ({'wajib' if col.required else 'opsional'}): {col.note}" in text
    assert EXAMPLE_OPD in text and "generate --master" in text and "CSV" in text


def test_the_empty_template_generates_nothing_and_says_why(template, tmp_path):
    proc = run("generate", "--master", str(template), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "tidak berisi satu OPD pun" in proc.stderr and EXAMPLE_OPD in proc.stderr


def test_the_example_rows_are_the_readme_example(template, tmp_path):
    """Give the example a real OPD code and it is exactly the spec example of docs/spec-format.md."""
    page = (ROOT / "docs" / "spec-format.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- spec-example:start -->\s*```\w*\n(.*?)```", page, re.S).group(1)
    expected = parse_spec(block, "docs/spec-format.md")
    book = openpyxl.load_workbook(template)
    for table in TABLES:
        for row in book[table.sheet].iter_rows(min_row=2):
            if row[0].value == EXAMPLE_OPD:
                row[0].value = "4.01"
    filled = tmp_path / "contoh_diisi.xlsx"
    book.save(filled)
    master = read_master([filled])
    (opd,) = master.opds
    assert not opd.problems, [p.location() + " " + p.message for p in opd.problems]
    assert opd.spec.form == expected.form


def test_csv_template(tmp_path):
    folder = tmp_path / "csv"
    proc = run("master-template", "--csv", "-o", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["anggaran.csv", "indikator.csv", "opd.csv"]
    for table in TABLES:
        lines = (folder / table.csv_name).read_text(encoding="utf-8-sig").splitlines()
        assert lines[0] == ";".join(c.header for c in table.columns)
        assert all(line.startswith(EXAMPLE_OPD + ";") for line in lines[1:])
    assert "350.000.000" in (folder / "anggaran.csv").read_text(encoding="utf-8-sig")
    proc = run("master-template", "--csv", "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 1 and "folder" in proc.stderr


@pytest.mark.libreoffice
def test_template_renders_in_libreoffice(template, soffice, tmp_path):
    pdf = lo.to_pdf([template], tmp_path, soffice=soffice)[0]
    pages = lo.pdf_to_png(pdf, tmp_path / "hal", dpi=40)
    assert len(pages) >= 4  # Petunjuk (two pages) and one page per table
