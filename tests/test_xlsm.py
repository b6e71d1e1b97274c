"""The macro-enabled workbook (.xlsm): its VBA project, its buttons, its xlwings settings.

Read back without Excel: the package parts with zipfile, the VBA with oletools' olevba (and
olefile for the raw streams), the cells with openpyxl and calamine.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zipfile

import olefile
import openpyxl
import pytest
import xlwings
from oletools.olevba import decompress_stream

from xlkinerja.base import bundled
from xlkinerja.workbook import vba
from xlkinerja.workbook.layout import (QUARTER_SHEETS, SHEET_HASIL, SHEET_META, SHEET_PETUNJUK,
                              SHEET_REKAP, SHEET_XLWINGS_CONF, WorkbookLayout, button_places)
from xlkinerja.reading.sources import CalamineSource
from xlkinerja.workbook.writer import write_workbook
from xlsmparts import (MACRO_CONTENT_TYPE, SAFE_XLWINGS_CONF, XLSX_CONTENT_TYPE, buttons,
                       content_types, declared_codenames, has_vba, read_xlwings_conf_like_xlwings,
                       subs, vba_modules)


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory, form, entries):
    return write_workbook(form, tmp_path_factory.mktemp("xlsm") / "terisi.xlsm", entries=entries,
                          **vba.xlsm_options())


@pytest.fixture(scope="module")
def modules(xlsm) -> dict[str, str]:
    return vba_modules(xlsm)


def test_xlsm_is_macro_enabled_and_xlsx_is_not(xlsm, filled_xlsx):
    assert MACRO_CONTENT_TYPE in content_types(xlsm)
    with zipfile.ZipFile(xlsm) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    types = content_types(filled_xlsx)
    assert XLSX_CONTENT_TYPE in types and "macroEnabled" not in types
    with zipfile.ZipFile(filled_xlsx) as z:
        names = z.namelist()
        assert not any("vba" in n.lower() for n in names), names
        assert not any(n.endswith(".vml") for n in names)  # no buttons
        for n in names:
            if n.endswith(".xml") or n.endswith(".rels"):
                text = z.read(n).decode()
                assert "vbaProject" not in text and "FmlaMacro" not in text, n
    assert not has_vba(filled_xlsx)


def test_vba_project_holds_our_macros_xlwings_and_a_module_per_sheet(modules, xlsm):
    codenames = WorkbookLayout.sheet_codenames(macro=True)
    assert set(modules) == {"ThisWorkbook", *codenames.values(), "XlKinerja", "xlwings",
                            "Dictionary"}
    assert {"Validasi", "Konsolidasi"} <= subs(modules["XlKinerja"])
    assert "Function RunPython" in modules["xlwings"]
    assert "Dictionary" in modules["Dictionary"] and "Tim Hall" in modules["Dictionary"]
    # the document modules are exactly the code names the workbook declares
    assert declared_codenames(xlsm) == codenames


def test_xlwings_module_is_verbatim_with_its_licence(modules):
    installed = (vba.xlwings_root() / "xlwings.bas").read_text(encoding="utf-8")
    licence = installed.split("'Attribute VB_Name = \"Main\"")[0]
    assert "BSD 3-clause" in licence and "Redistribution and use" in licence
    body = lambda text: [line for line in text.replace("\r\n", "\n").split("\n")  # noqa: E731
                         if not line.startswith("Attribute VB_")]
    assert body(modules["xlwings"]) == body(installed)
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in modules["xlwings"]


def test_vba_streams_as_excel_writes_them(xlsm):
    with zipfile.ZipFile(xlsm) as z:
        data = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data)
    try:
        assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xCC\x61\xFF\xFF\x00\x00\x00"
        raw = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
        ends = [end for rid, _, end in vba._dir_records(raw) if rid == 0x0010]
        assert ends == [len(raw)]  # the stream ends with its terminator record
        code_page = [struct.unpack_from("<H", raw, start + 6)[0]
                     for rid, start, _ in vba._dir_records(raw) if rid == 0x0003]
        assert code_page == [1252]
        project = ole.openstream("PROJECT").read().decode("cp1252")
        assert "Module=XlKinerja" in project and "Module=xlwings" in project
        assert "Class=Dictionary" in project
        # references: VBA's own libraries only; no reference to the xlwings add-in
        references = {bytes(raw[start + 6:end]).decode("cp1252")
                      for rid, start, end in vba._dir_records(raw) if rid == 0x0016}
        assert references == {"stdole", "Office"}
    finally:
        ole.close()


def test_build_is_reproducible_and_checks_names():
    codes = list(WorkbookLayout.sheet_codenames(macro=True).values())
    vba._build.cache_clear()
    first = vba.build_vba_project(codes)
    vba._build.cache_clear()
    assert vba.build_vba_project(codes) == first
    with pytest.raises(ValueError, match="valid VBA"):
        vba.build_vba_project(["TW I"])
    with pytest.raises(ValueError, match="code page 1252"):
        vba.build_vba_project(codes, modules={"Uji": "Sub Uji()\n' \u20b9\nEnd Sub\n"})


def test_every_button_names_a_macro_that_exists(xlsm, modules):
    found_buttons = buttons(xlsm)
    assert set(found_buttons) == {SHEET_PETUNJUK, *QUARTER_SHEETS, SHEET_REKAP, SHEET_HASIL}
    defined = subs(modules["XlKinerja"])
    for sheet, found in found_buttons.items():
        assert [b["caption"] for b in found] == ["Validasi", "Konsolidasi"], sheet
        for b in found:
            m = re.fullmatch(r"\[0\]!(\w+)", b["macro"])  # a macro of this workbook
            assert m and m.group(1) in defined, (sheet, b["macro"])
            assert m.group(1) == b["caption"]
            assert not b["prints"]


def test_buttons_sit_where_the_layout_puts_them(xlsm):
    """On the quarter sheets and the recap: inside the title row, over the first two columns
    (left of the centred title, visible without scrolling and above the frozen header)."""
    found_buttons = buttons(xlsm)
    for sheet, found in found_buttons.items():
        places = button_places(sheet)
        for b, place in zip(found, places):
            left_col, _, top_row, top_offset, right_col, _, bottom_row, _ = b["anchor"]
            assert top_row == place.row and top_offset == place.y_offset
            assert left_col >= place.col
        first, second = found
        assert first["anchor"][4] <= second["anchor"][0]  # side by side, not overlapping
    for sheet in (*QUARTER_SHEETS, SHEET_REKAP):
        for b in found_buttons[sheet]:
            left_col, _, top_row, _, right_col, _, bottom_row, _ = b["anchor"]
            assert (top_row, bottom_row) == (0, 0), sheet
            assert right_col <= 1, sheet


def test_sheets_codenames_visibility_and_protection(xlsm):
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert wb.sheetnames == WorkbookLayout.sheet_names(macro=True)
    assert wb[SHEET_XLWINGS_CONF].sheet_state == "hidden"  # hidden, not very hidden
    assert wb[SHEET_META].sheet_state == "veryHidden"
    assert wb[SHEET_HASIL].sheet_state == "visible"
    assert wb.security.lockStructure
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    # the reader still finds the workbook's identity in an .xlsm
    src = CalamineSource(xlsm)
    meta = src.values(SHEET_META)
    assert meta[0][1] == "xlkinerja-formulir"


def test_xlwings_conf_is_safe(xlsm):
    ws = openpyxl.load_workbook(xlsm, keep_vba=True)[SHEET_XLWINGS_CONF]
    conf = read_xlwings_conf_like_xlwings(ws)
    assert conf == SAFE_XLWINGS_CONF
    # xlwings' prepare_sys_path adds the workbook's folder only for the string "true"
    assert str(conf["ADD_WORKBOOK_TO_PYTHONPATH"]).lower() != "true"
    assert not any(k.startswith(("INTERPRETER", "CONDA", "PYTHONPATH")) for k in conf)
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert xlwings.__version__ in [c.value for row in ws.iter_rows() for c in row]
    assert any("ADD_WORKBOOK_TO_PYTHONPATH" in t and "tidak" in t for t in texts)


def test_hasil_validasi_starts_empty_with_instructions(xlsm):
    ws = openpyxl.load_workbook(xlsm, keep_vba=True)[SHEET_HASIL]
    assert ws["A1"].value == "HASIL VALIDASI"
    assert "tombol Validasi" in ws["A2"].value
    assert [ws.cell(5, c).value for c in range(1, 7)] == ["NO", "TINGKAT", "SHEET", "SEL",
                                                          "KODE", "PESAN"]
    assert ws.max_row == 5
    register = ws.column_dimensions["H"]  # openpyxl keeps the span H:K under its first letter
    assert register.hidden and (register.min, register.max) == (8, 11)


def _petunjuk_text(path) -> str:
    ws = openpyxl.load_workbook(path, keep_vba=str(path).endswith(".xlsm"))[SHEET_PETUNJUK]
    return "\n".join(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str))


def test_petunjuk_explains_both_variants_and_unblocking(xlsm, filled_xlsx):
    text = _petunjuk_text(xlsm)
    for needle in (".xlsx", ".xlsm", "Validasi", "Konsolidasi", "Mark of the Web", "Unblock",
                   "Trusted Location", "Enable Content", f"xlwings {xlwings.__version__}",
                   "xlkinerja[button]", "XLKINERJA_PASSWORD"):
        assert needle in text, needle
    plain = _petunjuk_text(filled_xlsx)
    assert "tidak memuat makro" in plain and "Unblock" not in plain


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_generate_xlsm(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(bundled.seed_spec_text(), encoding="utf-8")
    out = tmp_path / "formulir.xlsm"
    proc = _run_cli("generate", str(spec), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert f"Ditulis: {out}" in proc.stdout
    assert MACRO_CONTENT_TYPE in content_types(out)
    assert not list(tmp_path.glob(".*tmp"))


def test_cli_demo_writes_the_xlsm_beside_the_xlsx(tmp_path):
    out = tmp_path / "demo"
    proc = _run_cli("demo", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    # the demo's register of issued forms and its key sit beside the forms it issued
    assert names == ["register_formulir.sqlite", "register_formulir.sqlite.key", "rekap",
                     "setda_kota_jambi_2024.master.xlsx",
                     "setda_kota_jambi_2024_formulir_kosong.xlsx",
                     "setda_kota_jambi_2024_formulir_terisi.xlsm",
                     "setda_kota_jambi_2024_formulir_terisi.xlsx"]
    assert "setda_kota_jambi_2024_formulir_terisi.xlsm" in proc.stdout
    macro = out / "setda_kota_jambi_2024_formulir_terisi.xlsm"
    assert MACRO_CONTENT_TYPE in content_types(macro)
    # the recap of it has the Konsolidasi button too
    recap = out / "rekap" / "setda_kota_jambi_2024_rekap.xlsm"
    assert MACRO_CONTENT_TYPE in content_types(recap) and "-o rekap/" in proc.stdout
    assert [b["caption"] for bs in buttons(recap).values() for b in bs] == ["Konsolidasi"]
    assert not (out / "rekap" / "setda_kota_jambi_2024_rekap.xlsx").exists()
    # filled: the same entries as the .xlsx
    filled = CalamineSource(out / "setda_kota_jambi_2024_formulir_terisi.xlsx")
    assert CalamineSource(macro).values("TW IV") == filled.values("TW IV")


def test_demo_without_the_button_extra_says_so(tmp_path, monkeypatch):
    from xlkinerja.workbook import generate

    def missing(module):
        raise vba.ButtonExtraMissing(f"({module} tidak terpasang) pip install "
                                     "\"xlkinerja[button]\"")

    monkeypatch.setattr(vba, "_require", missing)
    demo = generate.write_demo(tmp_path)
    assert [w.path.suffix for w in demo.written] == [".xlsx", ".xlsx", ".xlsx"]  # blank, filled, master
    assert len(demo.skipped) == 1 and "xlkinerja[button]" in demo.skipped[0]
    assert not list(tmp_path.glob("*.xlsm"))


@pytest.mark.libreoffice
def test_libreoffice_opens_the_xlsm_with_its_modules_and_button_bindings(xlsm, tmp_path,
                                                                        soffice):
    """A second, independent VBA reader: LibreOffice imports the project into Basic and binds
    each button to a macro of our module (converted to .ods, where both are plain XML)."""
    import lo

    ods = lo._run_soffice([xlsm], tmp_path, "ods", ".ods", 180, soffice)[0]
    with zipfile.ZipFile(ods) as z:
        names = z.namelist()
        basic = {n.rsplit("/", 1)[-1][:-4] for n in names
                 if n.startswith("Basic/VBAProject/") and n.endswith(".xml")
                 and not n.endswith("script-lb.xml")}
        bindings = re.findall(r"vnd\.sun\.star\.script:([^?\"]+)", z.read("content.xml").decode())
    assert {"XlKinerja", "xlwings", "Dictionary", "ThisWorkbook"} <= basic
    expected = {f"VBAProject.XlKinerja.{p.macro}" for s in WorkbookLayout.sheet_names(macro=True)
                for p in button_places(s)}
    assert set(bindings) == expected
    assert len(bindings) == sum(len(button_places(s))
                                for s in WorkbookLayout.sheet_names(macro=True))
