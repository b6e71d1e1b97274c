"""Our .xlsm package beside the macro workbook Excel 365 made: xlwings' own ``quickstart.xlsm``
(shipped in the xlwings pip package we pin).

What Excel needs to open a macro workbook and run a button must be the same as in Excel's file:
the content types, the vbaProject relationship, the code name of the workbook and of every sheet
each matching a document module of the VBA project, and buttons whose macro is a public Sub
without arguments. Every other difference between the two packages is listed and must be one of
the known, explained ones, so a new one shows up as a failure here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import msovba
from kinds import write_every_kind
from xlsmparts import NS, buttons, declared_codenames
from xlkinerja.workbook import vba

EXCEL = Path(vba.xlwings_root()) / "quickstart.xlsm"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_CT = "application/vnd.ms-office.vbaProject"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def profile(path: Path) -> dict:
    """What a macro workbook's package says about its macros."""
    with zipfile.ZipFile(path) as z:
        ct = ET.fromstring(z.read("[Content_Types].xml"))
        defaults = {d.get("Extension"): d.get("ContentType") for d in ct.iter(f"{CT_NS}Default")}
        overrides = {o.get("PartName"): o.get("ContentType") for o in ct.iter(f"{CT_NS}Override")}
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        vba_rels = [r.get("Target") for r in rels if r.get("Type") == VBA_REL]
        project = msovba.Project(msovba.CompoundFile(z.read("xl/vbaProject.bin")))
        book = ET.fromstring(z.read("xl/workbook.xml"))
        pr = book.find("m:workbookPr", NS)
        names = set(z.namelist())
    documents = project.document_modules()
    assert documents <= {m.name for m in project.modules if m.kind == 0x0022}
    standard = {m.name: project.source(m) for m in project.modules if m.kind == 0x0021}
    public_subs = {name for src in standard.values()
                   for name in re.findall(r"^(?:Public\s+)?Sub\s+(\w+)\s*\(\s*\)", src, re.M | re.I)}
    return {
        "bin_type": defaults.get("bin") or overrides.get("/xl/vbaProject.bin"),
        "main_type": overrides.get("/xl/workbook.xml"),
        "vba_rels": vba_rels,
        "vba_part_present": "xl/vbaProject.bin" in names,
        "workbook_codename": pr.get("codeName"),
        "sheet_codenames": declared_codenames(path),
        "document_modules": documents,
        "public_subs": public_subs,
        "buttons": buttons(path),
        "vba_version": project.version,
    }


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    kinds = write_every_kind(tmp_path_factory.mktemp("banding"))
    return {"formulir": profile(kinds["macro"]), "rekap": profile(kinds["recap_macro"])}


@pytest.fixture(scope="module")
def excel():
    return profile(EXCEL)


def test_excel_file_is_what_we_think_it_is(excel):
    assert excel["main_type"] == MACRO_MAIN and excel["bin_type"] == VBA_CT
    assert excel["vba_rels"] == ["vbaProject.bin"]
    assert excel["workbook_codename"] == "ThisWorkbook"


@pytest.mark.parametrize("which", ["formulir", "rekap"])
def test_the_package_says_macro_workbook_as_excels_does(ours, excel, which):
    mine = ours[which]
    for key in ("main_type", "bin_type", "vba_rels", "vba_part_present", "workbook_codename"):
        assert mine[key] == excel[key], key


@pytest.mark.parametrize("which", ["formulir", "rekap"])
def test_every_code_name_has_its_document_module(ours, excel, which):
    for profile_ in (excel, ours[which]):
        declared = set(profile_["sheet_codenames"].values()) | {profile_["workbook_codename"]}
        assert declared == profile_["document_modules"], declared ^ profile_["document_modules"]


@pytest.mark.parametrize("which", ["formulir", "rekap"])
def test_buttons_run_public_subs_without_arguments(ours, which):
    mine = ours[which]
    macros = {b["macro"] for found in mine["buttons"].values() for b in found}
    assert macros
    for macro in macros:
        assert macro.startswith("[0]!")  # this workbook, as Excel writes a button's macro
        assert macro[4:] in mine["public_subs"], macro


def test_the_differences_are_the_known_ones(ours, excel):
    """Each difference between Excel's package and ours, and why it is there."""
    known = {
        # [MS-OVBA] 2.3.4.1: a writer other than Office writes 0xFFFF and no compiled cache
        "vba_version": (excel["vba_version"] != 0xFFFF, ours["formulir"]["vba_version"] == 0xFFFF),
        # quickstart.xlsm calls Python from a cell, it has no form buttons; ours has them
        "buttons": (excel["buttons"] == {}, bool(ours["formulir"]["buttons"])),
    }
    for key, (theirs_ok, ours_ok) in known.items():
        assert theirs_ok and ours_ok, key
    same = {"main_type", "bin_type", "vba_rels", "vba_part_present", "workbook_codename"}
    other = set(excel) - same - set(known) - {"sheet_codenames", "document_modules", "public_subs"}
    assert other == set(), f"unexplained keys: {other}"
