"""The VBA project of the macro-enabled workbook (.xlsm), built from source text.

The project is made here, by code, from three sources and nothing else:

- ``macros/*.bas`` of this package: our module (``XlKinerja``) with the Subs the buttons run;
- xlwings' standalone VBA, read from the installed xlwings package exactly as
  ``xlwings quickstart --standalone`` / ``xlwings release`` embed it: the standard module
  ``xlwings`` (``xlwings/xlwings.bas``, BSD 3-clause, its licence notice kept verbatim) and
  the class ``Dictionary`` (``xlwings/addin/Dictionary.cls``, Tim Hall's VBA-Dictionary, MIT,
  notice in its header);
- one document module per sheet, plus ``ThisWorkbook``, named by the sheet code names of
  :func:`~xlkinerja.workbook.layout.sheet_codenames` (the formulir's and the recap's sheets).

How: pyOpenVBA (MIT, pure Python) gives a throw-away VBA-less .xlsm that carries only the code
names the project Excel itself creates for a first macro (``ExcelFile.add_vba_project``: one
document module per code name, with Excel's own VB_Base CLSIDs); our modules are added, the file
is saved, and its ``xl/vbaProject.bin`` is taken out. Fix-ups make it what [MS-OVBA] and
[MS-CFB] require of a writer (tests/msovba.py, a reader written from the two specs, checks each):

- the ``VBA/_VBA_PROJECT`` stream becomes the 7 bytes ``CC 61 FF FF 00 00 00`` (version 0xFFFF,
  no performance cache). [MS-OVBA] 2.3.4.1 says Version MUST be 0xFFFF on write and the
  PerformanceCache is then absent: the cache is compiled p-code tied to one Office build, which
  only Office can produce. Excel's own files carry one; writers other than Office (Aspose, which
  builds the workbooks xlwings ships, vbamc, LibreOffice) write this 7-byte form, and Office
  compiles the modules from their source text on open;
- the ``VBA/dir`` stream ends at its terminator record (pyOpenVBA 6.5 writes four extra zero
  bytes after it), and its PROJECTCOOKIE and MODULECOOKIEs are 0xFFFF ([MS-OVBA] 2.3.4.2);
- every directory entry of the compound file is black and every storage entry has starting
  sector and size 0 ([MS-CFB] 2.6.3, 2.6.4; :func:`sound_directory`);
- the class module ``Dictionary`` carries every attribute Excel stores for a class
  (:data:`CLASS_ATTRIBUTES`).

Module source is stored in code page 1252 with CRLF line endings; the build refuses text that
code page cannot hold. Builds are byte-for-byte reproducible.

The rest of a macro workbook is written here too, for both writers (formulir and recap): the
project attached with every sheet's code name (:func:`attach_macros`), the form buttons
(:func:`insert_buttons`) and the hidden `xlwings.conf` sheet (:func:`write_xlwings_conf`).
"""

from __future__ import annotations

import functools
import io
import re
import struct
import tempfile
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterable

from xlkinerja.workbook.layout import (WORKBOOK_CODENAME, ButtonPlace, WorkbookLayout, XlwingsConfLayout,
                     sheet_codenames)

__all__ = ["ButtonExtraMissing", "MACRO_MODULES", "XLWINGS_SETTINGS", "attach_macros",
           "build_vba_project", "insert_buttons", "macro_modules", "require_button_extra",
           "vba_project", "write_xlwings_conf", "xlwings_modules", "xlwings_version",
           "xlsm_options"]

#: [MS-OVBA] 2.3.4.1: Reserved1=0x61CC, Version=0xFFFF, Reserved2=0, Reserved3=0, no cache.
INTEROPERABLE_VBA_PROJECT_STREAM = b"\xCC\x61\xFF\xFF\x00\x00\x00"

#: our VBA modules: module name -> file in ``macros/``
MACRO_MODULES = {"XlKinerja": "xlkinerja.bas"}

#: The rows of the hidden `xlwings.conf` sheet (key, value). xlwings.bas reads them with
#: ``GetConfigFromSheet`` (keys upper-cased) and they override the user's own xlwings.conf:
#: - ADD_WORKBOOK_TO_PYTHONPATH False: the workbook's folder is NOT put on sys.path, so a
#:   ``.py`` file lying beside a workbook that came by e-mail is never imported;
#: - Use UDF Server False: RunPython starts a fresh ``python`` per click (no COM server that
#:   keeps old code loaded); Show Console False: no console window flashes up.
#: Deliberately absent: Interpreter_Win/Interpreter_Mac/PYTHONPATH/Conda, so no interpreter
#: path is forced: xlwings uses the user's own xlwings.conf, else ``python`` on PATH.
#: Booleans are written as booleans, as xlwings' own quickstart sheet has them.
XLWINGS_SETTINGS: tuple[tuple[str, Any], ...] = (
    ("ADD_WORKBOOK_TO_PYTHONPATH", False),
    ("Use UDF Server", False),
    ("Show Console", False),
)

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")  # a VBA identifier, at most 31 characters
_CODE_PAGE = "cp1252"


class ButtonExtraMissing(RuntimeError):
    """Writing an .xlsm needs the optional packages of ``xlkinerja[button]``."""


def _require(module: str):
    try:
        return __import__(module)
    except ImportError as exc:
        raise ButtonExtraMissing(
            f"Workbook .xlsm dengan tombol memerlukan paket tambahan ({module} tidak terpasang). "
            "Pasang dengan: pip install \"xlkinerja[button]\", atau tulis berkas .xlsx.") from exc


# -- sources -----------------------------------------------------------------------------------

def _crlf(text: str) -> str:
    """VBA stores CRLF line endings; make sure the text ends with one."""
    text = re.sub(r"\r?\n", "\r\n", text)
    if text and not text.endswith("\r\n"):
        text += "\r\n"
    return text


def _check_code_page(name: str, text: str) -> None:
    try:
        text.encode(_CODE_PAGE)
    except UnicodeEncodeError as exc:
        raise ValueError(f"VBA module {name}: character {text[exc.start]!r} is not in code page "
                         "1252; VBA source must be written in it") from None


def macro_modules() -> dict[str, str]:
    """Our modules: name -> VBA source (from ``macros/`` of the installed package)."""
    return {name: files("xlkinerja.macros").joinpath(filename).read_text(encoding="utf-8")
            for name, filename in MACRO_MODULES.items()}


def xlwings_root() -> Path:
    return Path(_require("xlwings").__file__).parent


def xlwings_version() -> str:
    return _require("xlwings").__version__


def xlwings_modules() -> dict[str, str]:
    """xlwings' standalone VBA, verbatim: module ``xlwings`` and class ``Dictionary``."""
    root = xlwings_root()
    return {"xlwings": (root / "xlwings.bas").read_text(encoding="utf-8"),
            "Dictionary": (root / "addin" / "Dictionary.cls").read_text(encoding="utf-8")}


def _is_class_source(source: str) -> bool:
    head = source.lstrip()[:2000]
    return bool(re.match(r"VERSION\s+[\d.]+\s+CLASS", head))


def _with_vb_name(source: str, name: str) -> str:
    """Make the ``Attribute VB_Name`` line (if any) agree with the module name."""
    return re.sub(r'^Attribute VB_Name = "[^"]*"', f'Attribute VB_Name = "{name}"', source,
                  count=1, flags=re.MULTILINE)


#: The attributes Excel stores for every class module, in its order after VB_Name
#: ([MS-OVBA] 2.3.4.3 module source; Excel's and Aspose's copies of Dictionary carry all of
#: them, the .cls file xlwings ships omits the last two).
CLASS_ATTRIBUTES = (("VB_GlobalNameSpace", "False"), ("VB_Creatable", "False"),
                    ("VB_PredeclaredId", "False"), ("VB_Exposed", "True"),
                    ("VB_TemplateDerived", "False"), ("VB_Customizable", "False"))


def _with_class_attributes(source: str) -> str:
    """A class module's source with any missing attribute of :data:`CLASS_ATTRIBUTES` added
    after the ones it has (values it has are kept)."""
    lines = source.split("\r\n")
    have = {m.group(1): i for i, line in enumerate(lines)
            if (m := re.match(r"Attribute (VB_\w+) = ", line))}
    if "VB_Name" not in have:
        raise ValueError("class module without Attribute VB_Name")
    at = max(have[name] for name, _ in CLASS_ATTRIBUTES if name in have) if any(
        name in have for name, _ in CLASS_ATTRIBUTES) else have["VB_Name"]
    missing = [f"Attribute {name} = {value}" for name, value in CLASS_ATTRIBUTES if name not in have]
    return "\r\n".join(lines[:at + 1] + missing + lines[at + 1:])


# -- the build ---------------------------------------------------------------------------------

def _skeleton_xlsm(path: str, sheet_codenames: list[str]) -> None:
    """A VBA-less workbook that carries only the code names (what add_vba_project reads)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    wb.set_vba_name(WORKBOOK_CODENAME)
    for code in sheet_codenames:
        ws = wb.add_worksheet(code)
        ws.set_vba_name(code)
    wb.close()


def _dir_records(raw: bytes):
    """(record id, start, end) of each record of a decompressed ``dir`` stream."""
    pos = 0
    while pos + 6 <= len(raw):
        rid, size = struct.unpack_from("<HI", raw, pos)
        if rid == 0x0009:  # PROJECTVERSION: its Size field says 4, but 6 bytes follow
            size = 6
        yield rid, pos, pos + 6 + size
        if rid == 0x0010:  # Terminator
            return
        pos += 6 + size


_PROJECTCOOKIE, _MODULECOOKIE = 0x0013, 0x002C


def _fix_dir_stream(cfb) -> None:
    """The ``dir`` stream as [MS-OVBA] 2.3.4.2 wants it written: it ends at its Terminator
    record, as Excel writes it (pyOpenVBA 6.5 adds four zero bytes), and the PROJECTCOOKIE and
    every MODULECOOKIE hold 0xFFFF ("MUST be 0xFFFF on write"; pyOpenVBA writes other values)."""
    from pyopenvba.vba import compress, decompress

    raw = bytearray(decompress(cfb.get_stream_in_storage("VBA", "dir")))
    end = None
    for rid, start, stop in _dir_records(bytes(raw)):
        if rid in (_PROJECTCOOKIE, _MODULECOOKIE):
            if stop - start != 8:
                raise ValueError(f"VBA dir stream: cookie record 0x{rid:04X} of {stop - start} bytes")
            raw[start + 6:stop] = b"\xFF\xFF"
        elif rid == 0x0010:
            end = stop
    if end is None:
        raise ValueError("VBA dir stream has no terminator record")
    cfb.write_stream_in_storage("VBA", "dir", compress(bytes(raw[:end])))


# -- [MS-CFB] directory: what a writer MUST write, applied to the bytes pyOpenVBA saved ----------

_NOSTREAM = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE


def sound_directory(data: bytes) -> bytes:
    """``data`` (a compound file) with every directory entry coloured black and every storage
    entry's starting sector and size set to 0.

    [MS-CFB] 2.6.4: no red node may have a red child; pyOpenVBA colours new entries red and
    leaves red pairs in the VBA storage's tree. A tree of black nodes only meets every
    constraint a reader checks (2.6.4 lists them: black root, no two consecutive red nodes,
    left less than right) and is what the Aspose-built workbooks xlwings ships carry. 2.6.3:
    the Starting Sector Location and Stream Size of a storage object MUST be 0 (pyOpenVBA writes
    ENDOFCHAIN). Only those bytes change; the tree's shape and every stream stay as they are."""
    out = bytearray(data)
    if out[:8] != b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1":
        raise ValueError("not a compound file")
    sector_size = 1 << struct.unpack_from("<H", out, 30)[0]
    n_fat = struct.unpack_from("<I", out, 44)[0]
    first_dir = struct.unpack_from("<I", out, 48)[0]
    if n_fat > 109 or struct.unpack_from("<I", out, 72)[0]:  # DIFAT sectors: not from pyOpenVBA
        raise ValueError("compound file too large for this fix-up (DIFAT sectors)")
    fat_sectors = struct.unpack_from(f"<{n_fat}I", out, 76)

    def offset(sector: int) -> int:
        return (sector + 1) * sector_size

    fat: list[int] = []
    for sector in fat_sectors:
        fat.extend(struct.unpack_from(f"<{sector_size // 4}I", out, offset(sector)))
    sector, seen = first_dir, set()
    while sector != _ENDOFCHAIN:
        if sector in seen or sector >= len(fat):
            raise ValueError("compound file: broken directory chain")
        seen.add(sector)
        base = offset(sector)
        for entry in range(base, base + sector_size, 128):
            kind = out[entry + 66]
            if kind == 0:  # unallocated
                continue
            out[entry + 67] = 1  # black
            if kind == 1:  # a storage
                struct.pack_into("<IQ", out, entry + 116, 0, 0)
        sector = fat[sector]
    return bytes(out)


def build_vba_project(sheet_codenames: Iterable[str],
                      modules: dict[str, str] | None = None) -> bytes:
    """The bytes of ``xl/vbaProject.bin``: ThisWorkbook, a document module per sheet code
    name (in sheet order), our modules and xlwings' standalone modules (or ``modules``)."""
    codes = list(sheet_codenames)
    modules = {**macro_modules(), **xlwings_modules()} if modules is None else dict(modules)
    return _build(tuple(codes), tuple(modules.items()))


@functools.lru_cache(maxsize=8)
def _build(codes: tuple[str, ...], modules: tuple[tuple[str, str], ...]) -> bytes:
    _require("pyopenvba")
    from pyopenvba import ExcelFile, VBAModuleKind
    from pyopenvba.cfb import CFB

    names = [WORKBOOK_CODENAME, *codes, *(name for name, _ in modules)]
    for name in names:
        if not _IDENT.match(name):
            raise ValueError(f"not a valid VBA module or code name: {name!r}")
    if len({n.casefold() for n in names}) != len(names):
        raise ValueError(f"duplicate VBA module names: {names}")

    with tempfile.TemporaryDirectory(prefix="xlkinerja-vba-") as tmp:
        skeleton, out = str(Path(tmp) / "skeleton.xlsm"), str(Path(tmp) / "out.xlsm")
        _skeleton_xlsm(skeleton, list(codes))
        with ExcelFile(skeleton) as book:
            project = book.add_vba_project()  # ThisWorkbook + one document module per sheet
            got = {m.name for m in project.modules}
            if got != {WORKBOOK_CODENAME, *codes}:
                raise RuntimeError(f"pyOpenVBA made document modules {sorted(got)}, "
                                   f"expected {[WORKBOOK_CODENAME, *codes]}")
            for name, source in modules:
                source = _with_vb_name(_crlf(source), name)
                _check_code_page(name, source)
                if _is_class_source(source):
                    source = _with_class_attributes(source)
                kind = VBAModuleKind.other if _is_class_source(source) else VBAModuleKind.standard
                project.add_module(name, source, kind=kind)
            book.save(out)
        with ExcelFile(out) as check:
            problems = check.validate()
            if problems:
                raise RuntimeError(f"pyOpenVBA found the VBA project inconsistent: {problems}")
        with zipfile.ZipFile(out) as z:
            data = z.read("xl/vbaProject.bin")

    cfb = CFB.from_bytes(data)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", INTEROPERABLE_VBA_PROJECT_STREAM)
    _fix_dir_stream(cfb)
    return sound_directory(cfb.to_bytes())


def vba_project(sheet_names: list[str]) -> bytes:
    """The VBA project of a workbook with these sheets (in order, hidden ones included)."""
    return build_vba_project(sheet_codenames(sheet_names).values())


def xlsm_options() -> dict[str, Any]:
    """Writer options for a macro-enabled formulir: the VBA project and the buttons."""
    return {"vba_project": vba_project(WorkbookLayout.sheet_names(macro=True)), "buttons": True}


def require_button_extra() -> None:
    """Raise :class:`ButtonExtraMissing` now (before a long run) when an .xlsm cannot be
    written on this machine."""
    _require("xlwings")
    _require("pyopenvba")


# -- the other parts of a macro workbook (xlsxwriter) ------------------------------------------

def attach_macros(wb, sheets, project: bytes) -> None:
    """Put ``project`` into the xlsxwriter workbook ``wb`` and give the workbook and each of
    ``sheets`` (all of them, in order) the code name of its document module."""
    wb.add_vba_project(io.BytesIO(project), is_stream=True)
    wb.set_vba_name(WORKBOOK_CODENAME)
    codenames = sheet_codenames([ws.name for ws in sheets])
    for ws in sheets:
        ws.set_vba_name(codenames[ws.name])


def insert_buttons(ws, places: Iterable[ButtonPlace]) -> None:
    """Form buttons on the xlsxwriter worksheet ``ws``, each running the Sub it names."""
    for place in places:
        ws.insert_button(place.row, place.col, {
            "macro": place.macro, "caption": place.caption,
            "x_offset": place.x_offset, "y_offset": place.y_offset,
            "width": place.width, "height": place.height})


def write_xlwings_conf(ws) -> None:
    """The hidden `xlwings.conf` sheet (an xlsxwriter worksheet): xlwings' settings from A1
    down, the version of the embedded xlwings module, then our notes."""
    C = XlwingsConfLayout(len(XLWINGS_SETTINGS))
    ws.set_column(C.key_col, C.key_col, 30)
    ws.set_column(C.value_col, C.value_col, 12)
    for i, (key, value) in enumerate(XLWINGS_SETTINGS):
        ws.write_string(C.settings_row + i, C.key_col, key)
        if isinstance(value, bool):
            ws.write_boolean(C.settings_row + i, C.value_col, value)
        else:
            ws.write_string(C.settings_row + i, C.value_col, str(value))
    ws.write_string(C.version_row, C.key_col, "Versi modul VBA xlwings di workbook ini")
    ws.write_string(C.version_row, C.value_col, xlwings_version())
    notes = [
        "Pengaturan xlwings untuk tombol xlkinerja di workbook ini (dibaca oleh modul VBA "
        "xlwings dari A1 ke bawah sampai baris kosong pertama).",
        "ADD_WORKBOOK_TO_PYTHONPATH FALSE: folder workbook tidak dimasukkan ke jalur Python, "
        "sehingga berkas .py di samping workbook tidak pernah dijalankan.",
        "Tidak ada Interpreter_Win: xlwings memakai pengaturan xlwings.conf milik pengguna, "
        "atau python di PATH.",
        "Python di komputer ini harus memasang xlwings dengan versi yang sama dengan versi "
        "modul VBA di atas (pip install \"xlkinerja[button]\").",
    ]
    for i, text in enumerate(notes):
        ws.write_string(C.notes_row + i, C.key_col, text)
    ws.hide()
