"""Did the program that last saved a returned formulir keep the form's guards?

A formulir guards itself with four things Excel keeps when it saves: the workbook structure lock,
the protection of every TW sheet and the Rekap Tahunan, the data validation on every cell the OPD
types in, and the very hidden ``_xlkinerja`` sheet. Other programs drop some of them on "Save As
.xlsx" (measured: LibreOffice turns ``_xlkinerja`` hidden and drops the structure lock; Gnumeric
drops data validations and shows ``_xlkinerja``, which then prints as pages of JSON). The figures
are unharmed (they are read by identity and recomputed), but the form no longer guards its cells.
:func:`guard_findings` says so as one warning, ``FILE_GUARDS_LOST``, naming what is gone and the
program that saved the file when the package says it (``docProps/app.xml``).

Read straight from the package (zipfile), as files on disk only: the open workbook the buttons
see is Excel's own, which keeps the guards.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from xlkinerja.findings import Finding, Severity
from xlkinerja.form.model import QUARTERS
from xlkinerja.workbook.layout import QUARTER_SHEETS, SHEET_META, SHEET_REKAP, WorkbookLayout, a1

__all__ = ["PackageGuards", "read_guards", "guard_findings", "CODE"]

CODE = "FILE_GUARDS_LOST"
_TRUE = {"1", "true", "on"}
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_PROTECTION = re.compile(rb"<(?:\w+:)?sheetProtection\b([^>]*)/?>")
_BOOK_PROTECTION = re.compile(rb"<(?:\w+:)?workbookProtection\b([^>]*)/?>")
_VALIDATION = re.compile(rb"<(?:\w+:)?dataValidation\b([^>]*)>")
_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


@dataclass
class PackageGuards:
    """What the package says: sheet name -> state, protected sheets, validated cells per sheet
    (as (row, col), 0-based, ranges expanded up to a bound), the structure lock, the saver."""

    states: dict[str, str] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)
    validated: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    structure_locked: bool = False
    application: str | None = None


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1] if not k.startswith(b"r:") else "r:" + k.decode()[2:]:
            v.decode() for k, v in _ATTR.findall(raw)}


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cells(sqref: str, limit: int = 100_000) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for part in sqref.split():
        m = _RANGE.match(part.upper())
        if not m:
            continue
        c1, r1 = _col(m.group(1)), int(m.group(2)) - 1
        c2, r2 = (_col(m.group(3)), int(m.group(4)) - 1) if m.group(3) else (c1, r1)
        if (r2 - r1 + 1) * (c2 - c1 + 1) > limit:  # a whole column: every row of the form is in
            r2 = r1 + limit // max(1, c2 - c1 + 1)
        out.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    return out


def read_guards(path: str | Path) -> PackageGuards:
    """The guards as the package on disk holds them (raises for a package it cannot read)."""
    g = PackageGuards()
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        book = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
        targets = {a.get("Id"): a.get("Target", "") for a in
                   (_attrs(m) for m in re.findall(rb"<(?:\w+:)?Relationship\b([^>]*)/?>", rels))}
        m = _BOOK_PROTECTION.search(book)
        g.structure_locked = bool(m) and _attrs(m.group(1)).get("lockStructure", "0").lower() in _TRUE
        for raw in _SHEET.findall(book):
            a = _attrs(raw)
            name = a.get("name")
            if name is None:
                continue
            g.states[name] = a.get("state", "visible")
            target = targets.get(a.get("r:id", ""), "")
            part = (target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target)))
            if part not in names:
                continue
            xml = z.read(part)
            p = _PROTECTION.search(xml)
            if p and _attrs(p.group(1)).get("sheet", "0").lower() in _TRUE:
                g.protected.add(name)
            cells: set[tuple[int, int]] = set()
            for v in _VALIDATION.findall(xml):
                cells |= _cells(_attrs(v).get("sqref", ""))
            g.validated[name] = cells
        if "docProps/app.xml" in names:
            app = z.read("docProps/app.xml").decode("utf-8", "replace")
            found = re.search(r"<(?:\w+:)?Application>([^<]*)<", app)
            if found:
                g.application = found.group(1).strip()
    return g


def _program(application: str | None) -> str:
    if not application:
        return ""
    text = application.replace("LibreOffice/", "LibreOffice ").split("$")[0].strip()
    if text.lower().startswith("gnumeric"):
        text = "Gnumeric"
    return f" (disimpan terakhir oleh {text})"


def guard_findings(path: str | Path, name: str, form, layout: WorkbookLayout | None = None) -> list[Finding]:
    """At most one warning naming every guard the returned file lost; none when it kept them
    all, or when the package cannot be read this way (other checks report a broken file)."""
    try:
        g = read_guards(path)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return []
    layout = layout or WorkbookLayout(form)
    lost: list[str] = []
    details: dict = {}
    if not g.structure_locked:
        lost.append("kunci struktur workbook (sheet dapat ditambah, dihapus atau diganti nama)")
        details["structure_lock"] = False
    guarded = [s for s in (*QUARTER_SHEETS, SHEET_REKAP) if s in g.states]
    open_sheets = [s for s in guarded if s not in g.protected]
    if open_sheets:
        lost.append("proteksi sheet " + ", ".join(open_sheets) +
                    " (sel rumus dan pagu dapat ditimpa tanpa peringatan)")
        details["unprotected_sheets"] = open_sheets
    missing: dict[str, list[str]] = {}
    for q in QUARTERS:
        sheet = QUARTER_SHEETS[q - 1]
        if sheet not in g.states:
            continue
        have = g.validated.get(sheet, set())
        want = [(c.row, c.col) for c in layout.quarter.input_cells(form, q)
                if c.kind in ("realisasi", "ind_realisasi")]  # the number cells
        gone = [a1(r, c) for r, c in want if (r, c) not in have]
        if gone:
            missing[sheet] = gone
    if missing:
        n = sum(len(v) for v in missing.values())
        first = next(iter(missing.items()))
        lost.append(f"validasi isian pada {n} sel (misalnya {first[0]}!{first[1][0]}): isian yang "
                    "salah, seperti teks di kolom realisasi, tidak lagi ditolak saat diketik")
        details["cells_without_validation"] = {k: len(v) for k, v in missing.items()}
    state = g.states.get(SHEET_META)
    if state is not None and state != "veryHidden":
        shown = "terlihat dan ikut tercetak" if state == "visible" else "hanya tersembunyi biasa"
        lost.append(f"status sangat tersembunyi sheet {SHEET_META} (kini {shown}; sheet itu "
                    "menyimpan identitas formulir dan jangan diubah)")
        details["meta_state"] = state
    if not lost:
        return []
    message = (f"Berkas ini disimpan dengan program yang membuang pengaman formulir{_program(g.application)}: "
               + "; ".join(lost) + ". Angka dan isian tetap dibaca dan diperiksa seperti biasa, jadi "
               "tidak ada yang salah pada angkanya, tetapi formulir ini tidak lagi menjaga sel-selnya. "
               "Untuk pengiriman berikutnya, isi formulir asli dari pengelola dengan Microsoft Excel, "
               "atau salin isian ke formulir asli; jangan menyimpan ulang dengan LibreOffice, "
               "Gnumeric atau WPS sebagai .xlsx.")
    if g.application:
        details["application"] = g.application
    return [Finding(file=name, severity=Severity.WARNING, code=CODE, message=message, extra=details)]
