"""A large corpus of filled OPD workbooks, fast, and byte for byte what the product would see.

Generating a distinct workbook with the real generator costs ~0.35-0.5 s and filling it through
openpyxl ~1 s, so 10,000 of them would take hours. Instead:

1. **Pool.** ``pool`` distinct forms (~300 budget rows each) are written by the real generator
   (:func:`xlkinerja.workbook.writer.write_workbook`), blank, as the OPD receive them.
2. **Identity.** File *k* takes pool template ``k % pool`` and becomes OPD ``9.{k:05d}`` /
   ``Dinas Sintetis {k:05d}``: everything that carries the identity is rewritten consistently,
   as the generator would have written it for that OPD: the model JSON in the very hidden
   ``_xlkinerja`` sheet (re-chunked), its sha256 (sheet and custom property), the OPD code and
   name in the shared strings (titles, Petunjuk, meta), the page footers, the document
   properties. The code and name have the same length as the template's, so nothing moves.
3. **Filling, as Excel saves it.** The entries of :func:`xlkinerja.testing.synthetic_entries`
   (every quarter, TW I-IV) are typed into the input cells only: numbers as ``<v>`` of the cell
   (its style kept), text as new shared strings, ``-`` as text, percent indicators as fractions.
   Excel recalculates before saving, so every formula cell gets the cached result Excel would
   store: computed by :mod:`xlkinerja.workbook.formulas` (``quarter_values``, ``rekap_values``), the same
   code that writes the generator's cached results and that the test suite checks cell by cell
   against LibreOffice. ``dcterms:modified`` gets the save time, as Excel's save does.

Every template is prepared once per worker (the cells to rewrite are located with one regular
expression pass), so a file costs a few milliseconds of string joining plus the deflate of its
parts. The benchmark's smoke test proves the result is what the real generator writes for the
same OPD and entries (every cell of every sheet, read back with calamine) and what a person
filling the blank template in a spreadsheet program gives (same entries, same findings); the
benchmark itself validates every file (zero IDENTITY/INTEGRITY findings) and checks the recap's
totals against the entries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

from xlkinerja.workbook.formulas import FormulaMap, quarter_values, rekap_values
from xlkinerja.workbook.layout import (NARRATIVE_LABEL_LAST, NARRATIVES, QUARTER_SHEETS, SHEET_REKAP, Q,
                              MetaLayout, WorkbookLayout)
from xlkinerja.form.model import QUARTERS, Form, QuarterEntries
from xlkinerja.testing import synthetic_entries, synthetic_form
from xlkinerja.workbook.writer import model_json, write_workbook

PROGRAMS, KEGIATAN, SUBS, INDICATORS = 5, 6, 9, 8  # 5 + 30 + 270 = 305 budget rows
MAX_FILES = 100_000  # codes 9.00000 .. 9.99999 keep one length


def opd_code(k: int) -> str:
    return f"9.{k:05d}"


def opd_name(k: int) -> str:
    return f"Dinas Sintetis {k:05d}"


def file_name(k: int) -> str:
    return f"2024_{opd_code(k)}_dinas-sintetis-{k:05d}.xlsx"


def pool_form(j: int) -> Form:
    """Pool template j: a synthetic OPD of ~300 budget rows (pagu drawn per j)."""
    form = synthetic_form(j + 1, programs=PROGRAMS, kegiatan=KEGIATAN, subs=SUBS,
                          indicators=INDICATORS)
    form.opd_code, form.opd_name = opd_code(j), opd_name(j)
    return form


def file_form(k: int, pool: int) -> Form:
    return replace(pool_form(k % pool), opd_code=opd_code(k), opd_name=opd_name(k))


def file_entries(form: Form, seed: int = 0) -> dict[int, QuarterEntries]:
    return synthetic_entries(form, seed=seed)


# -- 1. the pool, with the real generator --------------------------------------------------------

def _generate(args: tuple[int, str]) -> tuple[int, float]:
    j, folder = args
    form = pool_form(j)
    started = time.perf_counter()
    write_workbook(form, Path(folder) / f"template_{j:03d}.xlsx",
                   generated_at=dt.datetime(2024, 1, 8, 8, 0, 0))
    return j, time.perf_counter() - started


def generate_pool(folder: Path, pool: int, jobs: int) -> list[float]:
    """Write the pool's blank workbooks; returns the seconds each took (in its worker)."""
    folder.mkdir(parents=True, exist_ok=True)
    args = [(j, str(folder)) for j in range(pool)]
    if jobs <= 1:
        return [_generate(a)[1] for a in args]
    with ProcessPoolExecutor(jobs) as ex:
        return [s for _, s in ex.map(_generate, args)]


# -- 2./3. identity and filling, on the XML ----------------------------------------------------

_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_SI = re.compile(rb"<si>(.*?)</si>", re.S)
_T = re.compile(rb"<t(?: [^>]*)?>(.*?)</t>", re.S)
_SST_HEAD = re.compile(rb"^(.*?<sst [^>]*?)count=\"\d+\" uniqueCount=\"\d+\">", re.S)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_FORMULA = re.compile(rb"<f>.*?</f>", re.S)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _unescape(b: bytes) -> str:
    return (b.decode("utf-8").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _si(text: str) -> bytes:
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f"<si><t{space}>{escape(text)}</t></si>".encode("utf-8")


def _number(value) -> bytes:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return (str(value) if isinstance(value, int) else repr(value)).encode("ascii")


def _chunks(text: str) -> list[str]:
    size = MetaLayout().chunk_size
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


@dataclass
class _Sheet:
    fragments: list[bytes]  # static XML between the slots
    slots: list[tuple[tuple[int, int], bytes, bytes, bytes | None]]  # (cell, ref, attrs, formula)


class Template:
    """One blank pool workbook, parsed once: where every cell to rewrite sits."""

    def __init__(self, path: Path, j: int):
        self.j = j
        self.form = pool_form(j)
        self.layout = WorkbookLayout(self.form)
        self.fm = FormulaMap(self.form, self.layout)
        with zipfile.ZipFile(path) as z:
            self.infos = z.infolist()
            self.parts = {i.filename: z.read(i) for i in self.infos}
        self.sheet_parts = self._sheet_parts()
        # shared strings: the list, and the index of each chunk of the model JSON
        sst = self.parts["xl/sharedStrings.xml"]
        self.sst_head = _SST_HEAD.match(sst).group(1)
        self.sst_count = int(re.search(rb'count="(\d+)"', sst).group(1))
        self.strings = ["".join(_unescape(t) for t in _T.findall(si)) for si in _SI.findall(sst)]
        self.json = model_json(self.form)
        self.sha = hashlib.sha256(self.json.encode("utf-8")).hexdigest()
        index = {s: i for i, s in enumerate(self.strings)}
        self.chunk_index = [index[c] for c in _chunks(self.json)]
        # the cells of the TW sheets and of the Rekap sheet that filling rewrites
        L = self.layout.quarter
        wanted_q = set(self.fm.quarter_cells)
        for cell in L.input_cells(self.form):
            wanted_q.add((cell.row, cell.col))
        self.sheets = {s: self._slots(self.parts[self.sheet_parts[s]], wanted_q) for s in QUARTER_SHEETS}
        self.sheets[SHEET_REKAP] = self._slots(self.parts[self.sheet_parts[SHEET_REKAP]], set(self.fm.rekap))

    def _sheet_parts(self) -> dict[str, str]:
        rels = dict(re.findall(rb'Id="(rId\d+)"[^>]*Target="([^"]+)"', self.parts["xl/_rels/workbook.xml.rels"]))
        out = {}
        for name, rid in re.findall(rb'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"',
                                    self.parts["xl/workbook.xml"]):
            out[_unescape(name)] = "xl/" + rels[rid].decode()
        return out

    @staticmethod
    def _slots(xml: bytes, wanted: set[tuple[int, int]]) -> _Sheet:
        fragments, slots, last = [], [], 0
        for m in _CELL.finditer(xml):
            cell = (int(m.group(2)) - 1, _col_index(m.group(1)))
            if cell not in wanted:
                continue
            attrs = re.sub(rb' t="[^"]*"', b"", m.group(3))
            body = m.group(4) or b""
            f = _FORMULA.search(body)
            fragments.append(xml[last:m.start()])
            slots.append((cell, m.group(1) + m.group(2), attrs, f.group(0) if f else None))
            last = m.end()
        fragments.append(xml[last:])
        found = {s[0] for s in slots}
        missing = wanted - found
        if missing:
            raise RuntimeError(f"template cells not found: {sorted(missing)[:5]}")
        return _Sheet(fragments, slots)

    # -- one file ----------------------------------------------------------------------------
    def build(self, k: int, pool: int, target: Path, saved: dt.datetime, seed: int = 0) -> Path:
        form = replace(self.form, opd_code=opd_code(k), opd_name=opd_name(k))
        entries = file_entries(form, seed)
        text = model_json(form)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        chunks = _chunks(text)
        if len(chunks) != len(self.chunk_index):
            raise RuntimeError("model JSON changed its number of chunks")
        swaps = [(opd_name(self.j), opd_name(k)), (opd_code(self.j), opd_code(k)), (self.sha, sha)]

        strings = list(self.strings)
        for i in range(len(strings)):
            s = strings[i]
            for old, new in swaps:
                if old in s:
                    s = s.replace(old, new)
            strings[i] = s
        for i, chunk in zip(self.chunk_index, chunks):
            strings[i] = chunk
        index = {s: i for i, s in enumerate(strings)}
        added = 0

        def shared(text: str) -> int:
            nonlocal added
            added += 1
            if text not in index:
                index[text] = len(strings)
                strings.append(text)
            return index[text]

        out_parts: dict[str, bytes] = {}
        L = self.layout.quarter
        scale = {i.id: i.scale for _, i in form.indicators()}
        for q, sheet in zip(QUARTERS, QUARTER_SHEETS):
            e = entries[q]
            values = dict(quarter_values(self.fm, entries, q))
            for ident, entry in e.budget.items():
                r = L.budget_rows[ident]
                if entry.realisasi is not None:
                    values[(r, Q.REAL)] = entry.realisasi
                if entry.keterangan:
                    values[(r, Q.KET)] = entry.keterangan
            for ident, entry in e.indikator.items():
                r = L.indicator_rows[ident]
                v = entry.realisasi
                if isinstance(v, (int, float)):
                    values[(r, Q.IND_REAL)] = v / scale[ident]
                elif v is not None:
                    values[(r, Q.IND_REAL)] = v
                if entry.keterangan:
                    values[(r, Q.IND_KET)] = entry.keterangan
            for key, _ in NARRATIVES:
                if getattr(e, key):
                    values[(L.narrative_rows[key], NARRATIVE_LABEL_LAST + 1)] = getattr(e, key)
            out_parts[self.sheet_parts[sheet]] = self._render(self.sheets[sheet], values, shared,
                                                              swaps)
        out_parts[self.sheet_parts[SHEET_REKAP]] = self._render(
            self.sheets[SHEET_REKAP], rekap_values(self.fm, entries), shared, swaps)

        sst = [self.sst_head, f'count="{self.sst_count + added}" uniqueCount="{len(strings)}">'.encode()]
        sst.extend(_si(s) for s in strings)
        sst.append(b"</sst>")
        out_parts["xl/sharedStrings.xml"] = b"".join(sst)
        stamp = saved.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        for part in ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"):
            data = self.parts[part]
            for old, new in swaps:
                data = data.replace(old.encode(), new.encode())
            if part == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
                data = data.replace(b"<cp:lastModifiedBy>xlkinerja</cp:lastModifiedBy>",
                                    b"<cp:lastModifiedBy>Operator OPD</cp:lastModifiedBy>")
            out_parts[part] = data

        tmp = target.with_name(target.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for info in self.infos:
                z.writestr(info, out_parts.get(info.filename, self.parts[info.filename]))
        os.replace(tmp, target)
        when = saved.timestamp()
        os.utime(target, (when, when))
        return target

    @staticmethod
    def _render(sheet: _Sheet, values: dict, shared, swaps) -> bytes:
        out = []
        frags = sheet.fragments
        for i, (cell, ref, attrs, formula) in enumerate(sheet.slots):
            out.append(frags[i])
            value = values.get(cell)
            if formula is not None:  # Excel's cached result of the formula
                if value is None or isinstance(value, str):
                    text = escape(value or "").encode("utf-8")
                    out.append(b'<c r="%s"%s t="str">%s<v>%s</v></c>' % (ref, attrs, formula, text))
                else:
                    out.append(b'<c r="%s"%s>%s<v>%s</v></c>' % (ref, attrs, formula, _number(value)))
            elif value is None:
                out.append(b'<c r="%s"%s/>' % (ref, attrs))
            elif isinstance(value, str):  # typed text: a shared string
                out.append(b'<c r="%s"%s t="s"><v>%d</v></c>' % (ref, attrs, shared(value)))
            else:
                out.append(b'<c r="%s"%s><v>%s</v></c>' % (ref, attrs, _number(value)))
        tail = frags[-1]
        for old, new in swaps[:1]:  # the OPD name in the page footer
            tail = tail.replace(escape(old).encode(), escape(new).encode())
        out.append(tail)
        return b"".join(out)


_templates: dict[int, Template] = {}


def _fill_group(args: tuple[int, list[int], int, str, str, int]) -> tuple[int, float]:
    j, ks, pool, pool_dir, out_dir, seed = args
    started = time.perf_counter()
    template = _templates.get(j)
    if template is None:
        _templates.clear()  # one template at a time per worker
        template = _templates[j] = Template(Path(pool_dir) / f"template_{j:03d}.xlsx", j)
    base = dt.datetime(2025, 1, 10, 8, 0, tzinfo=dt.timezone.utc)
    for k in ks:
        template.build(k, pool, Path(out_dir) / file_name(k), base + dt.timedelta(minutes=k), seed)
    return len(ks), time.perf_counter() - started


def build_corpus(out_dir: Path, n: int, pool: int, pool_dir: Path, jobs: int, seed: int = 0) -> list[Path]:
    """Fill N files from the pool in ``pool_dir`` into ``out_dir``; returns their paths."""
    if n > MAX_FILES:
        raise ValueError(f"at most {MAX_FILES} files")
    out_dir.mkdir(parents=True, exist_ok=True)
    pool = min(pool, n)
    groups = []
    for j in range(pool):
        ks = list(range(j, n, pool))
        for i in range(0, len(ks), 100):  # tasks of at most 100 files, for balance
            groups.append((j, ks[i:i + 100], pool, str(pool_dir), str(out_dir), seed))
    if jobs <= 1:
        for g in groups:
            _fill_group(g)
    else:
        with ProcessPoolExecutor(jobs) as ex:
            list(ex.map(_fill_group, groups))
    return [out_dir / file_name(k) for k in range(n)]


def expected_totals(n: int, pool: int, seed: int = 0) -> dict[str, dict]:
    """Per OPD: pagu and realisasi per quarter, from the entries alone."""
    out = {}
    pool = min(pool, n)
    for k in range(n):
        form = file_form(k, pool)
        entries = file_entries(form, seed)
        tw = [sum(e.realisasi for e in entries[q].budget.values() if e.realisasi is not None)
              for q in QUARTERS]
        out[form.opd_code] = {"pagu": form.total_pagu, "tw": tw}
    return out


__all__ = ["build_corpus", "generate_pool", "expected_totals", "file_form", "file_entries",
           "file_name", "pool_form", "Template"]
