"""The VBA project of every .xlsm meets each MUST of [MS-CFB] and [MS-OVBA] a writer can meet.

Checked by tests/msovba.py, a reader written from the two specifications (not pyOpenVBA, which
builds the project, checking itself). The same reader finds the known departures in the files
xlwings ships (Excel's quickstart.xlsm carries a compiled cache and Excel's own cookies), so it
is not a reader that finds nothing; and it finds, in pyOpenVBA's output before our fix-ups, the
red-red pairs, storage start sectors and cookies the fix-ups exist for.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import msovba
from kinds import write_every_kind
from xlkinerja.consolidation.recap_layout import RecapLayout
from xlkinerja.workbook import vba
from xlkinerja.workbook.layout import WorkbookLayout

XLWINGS = Path(vba.xlwings_root())


@pytest.fixture(scope="module")
def xlsm_files(tmp_path_factory):
    kinds = write_every_kind(tmp_path_factory.mktemp("vba"))
    return {"formulir": kinds["macro"], "rekap": kinds["recap_macro"]}


def _project(path: Path) -> msovba.Project:
    with zipfile.ZipFile(path) as z:
        return msovba.Project(msovba.CompoundFile(z.read("xl/vbaProject.bin")))


@pytest.mark.parametrize("which", ["formulir", "rekap"])
def test_the_vba_project_meets_every_writer_must(xlsm_files, which):
    project = _project(xlsm_files[which])
    assert project.writer_problems() == []
    cfb = project.cfb
    assert all(e.color == msovba.BLACK for e in cfb.entries if e.kind)
    assert cfb.path("VBA").start == 0 and cfb.path("VBA").size == 0
    assert project.version == 0xFFFF and project.vba_project == b"\xCC\x61\xFF\xFF\x00\x00\x00"
    names = [m.name for m in project.modules]
    assert {"ThisWorkbook", "XlKinerja", "xlwings", "Dictionary"} <= set(names)
    # every module's source decompresses with the spec's algorithm; ours is the file we ship
    ours = next(m for m in project.modules if m.name == "XlKinerja")
    assert 'RunPython "import xlkinerja.button as b; b.validasi()"' in project.source(ours)


def test_the_dictionary_class_carries_every_attribute_excel_stores(xlsm_files):
    project = _project(xlsm_files["formulir"])
    ours = project.source(next(m for m in project.modules if m.name == "Dictionary"))
    aspose = _project(XLWINGS / "quickstart_standalone.xlsm")
    theirs = aspose.source(next(m for m in aspose.modules if m.name == "Dictionary"))

    def attributes(source):
        return [line for line in source.split("\r\n") if line.startswith("Attribute VB_")]

    assert attributes(ours)[:8] == attributes(theirs)[:8]
    assert "Attribute VB_TemplateDerived = False" in attributes(ours)
    assert "Attribute VB_Customizable = False" in attributes(ours)


def test_the_reader_sees_what_other_writers_do():
    """Excel's own file has a compiled cache (version != 0xFFFF) and its own cookies: the reader
    reports them, so an empty list for ours means something."""
    excel = _project(XLWINGS / "quickstart.xlsm").writer_problems()
    assert any("Version MUST be 0xFFFF" in p for p in excel)
    assert any("MODULECOOKIE" in p for p in excel)


def test_without_the_fix_ups_the_reader_finds_what_they_fix(monkeypatch):
    monkeypatch.setattr(vba, "sound_directory", lambda data: data)
    monkeypatch.setattr(vba, "_fix_dir_stream", lambda cfb: None)
    vba._build.cache_clear()
    try:
        raw = vba.vba_project(RecapLayout.sheet_names(macro=True))
    finally:
        monkeypatch.undo()
        vba._build.cache_clear()
    problems = msovba.Project(msovba.CompoundFile(raw)).writer_problems()
    assert any("has red child" in p for p in problems)
    assert any("storage 'VBA': Starting Sector" in p for p in problems)
    assert any("dir stream" in p and "after the Terminator" in p for p in problems)
    fixed = msovba.Project(msovba.CompoundFile(vba.vba_project(RecapLayout.sheet_names(macro=True))))
    assert fixed.writer_problems() == []


def test_sound_directory_changes_only_colours_and_storage_fields():
    vba._build.cache_clear()
    data = vba.vba_project(WorkbookLayout.sheet_names(macro=True))
    again = vba.sound_directory(data)
    assert again == data  # already sound: nothing to change
    before, after = msovba.CompoundFile(data), msovba.CompoundFile(again)
    for a, b in zip(before.entries, after.entries):
        if a.kind == msovba.STREAM:
            assert before.stream(a) == after.stream(b)
