"""Reading a macro-enabled workbook back without Excel, for the tests of the formulir and recap
.xlsm: the package parts (zipfile), the VBA (oletools' olevba), the buttons (VML drawings), the
hidden xlwings.conf sheet as xlwings reads it, and the state of sheet protection.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from oletools.olevba import VBA_Parser

MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def content_types(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("[Content_Types].xml").decode()


def vba_modules(path: Path) -> dict[str, str]:
    """Module name -> source, as olevba extracts them from the workbook."""
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        return {Path(vba_filename).stem: code
                for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


def has_vba(path: Path) -> bool:
    parser = VBA_Parser(str(path))
    try:
        return bool(parser.detect_vba_macros())
    finally:
        parser.close()


def subs(source: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(", source, re.M | re.I))


def runpython_commands(path: Path) -> dict[str, str]:
    """Sub name -> the Python command it hands to RunPython, from the workbook's VBA."""
    source = vba_modules(path)["XlKinerja"]
    return dict(re.findall(r'^Sub (\w+)\(\)\s*\n\s*RunPython "([^"]*)"\s*\nEnd Sub',
                           source.replace("\r\n", "\n"), re.M))


def declared_codenames(path: Path) -> dict[str, str]:
    """Sheet name -> the code name its part declares; also checks ThisWorkbook's."""
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        assert book.find("m:workbookPr", NS).get("codeName") == "ThisWorkbook"
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        declared = {}
        for sheet in book.find("m:sheets", NS):
            rid = sheet.get(f"{{{NS['r']}}}id")
            target = next(r.get("Target") for r in rels if r.get("Id") == rid)
            part = ET.fromstring(z.read("xl/" + target))
            declared[sheet.get("name")] = part.find("m:sheetPr", NS).get("codeName")
    return declared


def buttons(path: Path) -> dict[str, list[dict]]:
    """Sheet name -> its buttons (macro, caption, anchor) from the VML drawings."""
    out: dict[str, list[dict]] = {}
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        book_rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        for sheet in book.find("m:sheets", NS):
            rid = sheet.get(f"{{{NS['r']}}}id")
            target = next(r.get("Target") for r in book_rels if r.get("Id") == rid)
            part = "xl/" + target
            legacy = ET.fromstring(z.read(part)).find("m:legacyDrawing", NS)
            if legacy is None:
                continue
            rels = ET.fromstring(z.read(part.replace("worksheets/", "worksheets/_rels/") + ".rels"))
            vml_target = next(r.get("Target") for r in rels
                              if r.get("Id") == legacy.get(f"{{{NS['r']}}}id"))
            vml = z.read("xl/" + vml_target.replace("../", "")).decode()
            found = []
            for shape in re.findall(r"<v:shape .*?</v:shape>", vml, re.S):
                found.append({
                    "macro": re.search(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", shape).group(1),
                    "caption": re.sub(r"<[^>]+>", "", re.search(r"<v:textbox.*?</v:textbox>",
                                                                 shape, re.S).group(0)),
                    "anchor": [int(v) for v in re.search(r"<x:Anchor>(.*?)</x:Anchor>",
                                                          shape).group(1).split(",")],
                    "prints": "<x:PrintObject>False</x:PrintObject>" not in shape,
                })
            out[sheet.get("name")] = found
    return out


def read_xlwings_conf_like_xlwings(ws) -> dict:
    """GetConfigFromSheet in xlwings.bas: keys from A1 down to the last filled cell before
    the first empty one (Range.End(xlDown)), upper-cased, with the value beside each."""
    out = {}
    row = 1
    while ws.cell(row, 1).value not in (None, ""):
        out[str(ws.cell(row, 1).value).upper()] = ws.cell(row, 2).value
        row += 1
    return out


SAFE_XLWINGS_CONF = {"ADD_WORKBOOK_TO_PYTHONPATH": False, "USE UDF SERVER": False,
                     "SHOW CONSOLE": False}


def protection_snapshot(book) -> dict:
    """Workbook structure and every sheet's protection, of an xlwings Book on the openpyxl
    engine (``tests/xlwings_openpyxl.py``)."""
    wb = book.impl.wb
    out = {"structure": (wb.security.lockStructure, wb.security.workbookPassword)}
    for ws in wb.worksheets:
        p = ws.protection
        out[ws.title] = {k: getattr(p, k) for k in (
            "sheet", "objects", "scenarios", "formatCells", "formatColumns", "formatRows",
            "insertColumns", "insertRows", "insertHyperlinks", "deleteColumns", "deleteRows",
            "selectLockedCells", "selectUnlockedCells", "sort", "autoFilter", "pivotTables",
            "password")}
    return out
