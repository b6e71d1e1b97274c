"""What the workbook's package holds besides cell values, read straight from the zip, never followed.

- :func:`saved_at`: the "last saved" time the workbook states about itself (docProps/core.xml).
  The sender controls it: it is reported, never used to order submissions.
- :func:`scan`: the parts a returned formulir should not have (links to other workbooks, DDE
  links, data connections, a VBA project in an .xlsx) and the formula of every cell of each
  sheet (``<f>`` elements), so that a formula typed into an input cell is seen even by the fast
  engine that reads cached values only. Nothing is evaluated, fetched or run.

Called after :func:`~.preflight.preflight` has looked at the archive (size, zip bombs, DTDs).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")
_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"', re.S)
_SHEET_ALT = re.compile(r'<sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"', re.S)
_REL = re.compile(r'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"', re.S)
_REL_ALT = re.compile(r'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"', re.S)
_CELL = re.compile(r'<c\b([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_REF = re.compile(r'\br="([A-Z]{1,3})(\d+)"')
_FORMULA = re.compile(r'<f\b[^>]*?(?:/>|>(.*?)</f>)', re.S)
_DDE = re.compile(rb"<ddeLink\b")


def saved_at(path: Path) -> str | None:
    """When the workbook says it was last saved, from its document properties (ISO 8601, UTC)."""
    try:
        with zipfile.ZipFile(path) as z:
            data = z.read("docProps/core.xml")[:20000]
    except Exception:  # noqa: BLE001 - no properties, no time
        return None
    m = _MODIFIED.search(data)
    if not m:
        return None
    text = m.group(1).decode("ascii", "ignore").strip()
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).isoformat()


@dataclass
class PackageScan:
    external_links: list[str] = field(default_factory=list)  # xl/externalLinks/*.xml parts
    dde_links: int = 0  # of those, DDE links (a program named in a formula)
    connections: bool = False  # xl/connections.xml: data connections, web queries
    vba_project: bool = False  # xl/vbaProject.bin
    macro_enabled: bool = False  # the workbook's main part is the macro-enabled kind (.xlsm)
    #: sheet name -> {(row, col) 0-based: formula text without "="}; "" for a shared formula's
    #: followers, whose text sits on the first cell of the group
    formulas: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def sheet_formulas(xml: str) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for m in _CELL.finditer(xml):
        inner = m.group(2)
        if not inner or "<f" not in inner:
            continue
        ref = _REF.search(m.group(1))
        f = _FORMULA.search(inner)
        if ref is None or f is None:
            continue
        out[(int(ref.group(2)) - 1, _col_index(ref.group(1)))] = _unescape(f.group(1) or "")
    return out


def scan(path: Path, sheets: set[str] | None = None) -> PackageScan:
    """The package of ``path``; formulas of ``sheets`` only (None: every sheet). Never raises
    for a damaged part: what cannot be read is left out."""
    out = PackageScan()
    try:
        z = zipfile.ZipFile(path)
    except Exception:  # noqa: BLE001 - preflight reports a broken archive
        return out
    with z:
        names = set(z.namelist())
        out.external_links = sorted(n for n in names if n.lower().startswith("xl/externallinks/")
                                    and n.lower().endswith(".xml") and "/_rels/" not in n.lower())
        for name in out.external_links:
            try:
                if _DDE.search(z.read(name)[:200_000]):
                    out.dde_links += 1
            except Exception:  # noqa: BLE001
                pass
        out.connections = "xl/connections.xml" in names
        out.vba_project = any(n.lower() == "xl/vbaproject.bin" for n in names)
        try:
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
            out.macro_enabled = "sheet.macroEnabled.main+xml" in types
        except Exception:  # noqa: BLE001
            pass
        try:
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        except Exception:  # noqa: BLE001
            return out
        targets = dict(_REL.findall(rels)) or {i: t for t, i in _REL_ALT.findall(rels)}
        pairs = _SHEET.findall(book) or [(n, i) for i, n in _SHEET_ALT.findall(book)]
        for name, rid in pairs:
            name = _unescape(name)
            if sheets is not None and name not in sheets:
                continue
            target = targets.get(rid)
            if not target:
                continue
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            try:
                xml = z.read(part).decode("utf-8", "replace")
            except Exception:  # noqa: BLE001
                continue
            out.formulas[name] = sheet_formulas(xml)
    return out


#: functions that reach outside the workbook (a web address, a file, a program)
OUTSIDE_FUNCTIONS = ("HYPERLINK", "WEBSERVICE", "FILTERXML", "RTD", "CALL", "REGISTER.ID",
                     "IMPORTDATA", "IMPORTXML", "INFO")
_DDE_FORMULA = re.compile(r"^\s*=?\s*'?[A-Za-z0-9_.\-]+'?\s*\|")
_EXTERNAL_REF = re.compile(r"\[[^\]]*\][^!]*!|\[\d+\]|'[A-Za-z]:\\|\\\\")


def formula_kind(text: str) -> str:
    """What a formula typed into an input cell does: ``"dde"`` (runs a program, e.g.
    ``=cmd|' /C calc'!A0``), ``"external"`` (refers to another workbook, ``[1]Sheet!A1``),
    ``"outside"`` (HYPERLINK, WEBSERVICE and other functions that reach outside), or
    ``"formula"``."""
    body = text.lstrip("=").strip()
    if _DDE_FORMULA.match(body) or re.search(r"\|\s*'[^']*'\s*!", body):
        return "dde"
    if _EXTERNAL_REF.search(body):
        return "external"
    upper = body.upper()
    if any(re.search(rf"(?<![A-Z0-9_.]){re.escape(fn)}\s*\(", upper) for fn in OUTSIDE_FUNCTIONS):
        return "outside"
    return "formula"
