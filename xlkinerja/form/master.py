"""Read a master (one .xlsx, or CSV files) into one :class:`~xlkinerja.form.model.Form` per OPD.

The master's rows are regrouped per OPD into the nested values of a template spec and checked
by the same rules (:func:`xlkinerja.form.formcheck.build_form`), so an OPD gets exactly the form its
YAML spec would give. What only a table can get wrong (a sub kegiatan with no kegiatan above
it, an unknown level, a NIP Excel turned into a number, an OPD with lines but no signatory) is
checked here. Every problem names its cell ("Anggaran!F12"); an OPD with any problem gets no
form, the others do.

Reading never raises for bad input: an unreadable file or a missing sheet is a problem of the
whole master (:attr:`Master.readable` is False).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from xlkinerja.form import codes
from xlkinerja.form.formcheck import POLARITY, Checker, TemplateSpec, build_form
from xlkinerja.form.masterformat import (ANGGARAN, EXAMPLE_OPD, NO_CAP_WORDS, TABLES, Table,
                           header_keys, normalize_header)
from xlkinerja.form.model import Level, Polarity
from xlkinerja.base.numbers import format_rupiah
from xlkinerja.form.yamlsource import Problem

__all__ = ["Master", "OpdMaster", "read_master", "MASTER_SUFFIXES"]

MASTER_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 20  # the header may sit under a title (exports often start with one)
_LEVELS = {"program": Level.PROGRAM, "kegiatan": Level.KEGIATAN, "subkegiatan": Level.SUB_KEGIATAN}
_SCIENTIFIC = re.compile(r"^\d[.,]\d+e\+?\d+$", re.I)  # 1,96611E+17: a NIP Excel made a number


@dataclass
class SheetData:
    """One table of the master as read: where its columns are and its rows' values."""

    table: Table
    name: str  # the sheet's name, or the CSV file's name: cell references use it
    header_row: int  # 1-based
    cols: dict[str, int]  # column key -> 0-based column
    headers: dict[str, str]  # column key -> the header as written in the file
    rows: list[tuple[int, dict[str, Any]]]  # (1-based row number, values by column key)


@dataclass
class OpdMaster:
    """One OPD of the master: its form, or the problems that keep it from being written."""

    code: str
    name: str | None
    spec: TemplateSpec | None
    problems: list[Problem]
    budget_lines: int = 0
    indicator_lines: int = 0


@dataclass
class Master:
    source: str
    readable: bool
    opds: list[OpdMaster] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # not tied to one OPD
    notes: list[Problem] = field(default_factory=list)  # worth a look; block nothing
    examples_skipped: int = 0

    @property
    def budget_lines(self) -> int:
        return sum(o.budget_lines for o in self.opds)

    @property
    def indicator_lines(self) -> int:
        return sum(o.indicator_lines for o in self.opds)


def read_master(paths: Sequence[str | Path]) -> Master:
    """Read a master: one .xlsx/.xlsm file, CSV files (one per table), or a folder of CSV files."""
    paths = [Path(p) for p in paths]
    source = _source_name(paths)
    tables, problems, notes = _load(paths)
    if problems:
        return Master(source, False, problems=problems, notes=notes)
    master = _collect(source, tables)
    master.notes[:0] = notes
    return master


# -- loading tables ----------------------------------------------------------------------------

def _fatal(source: str, message: str) -> Problem:
    return Problem((), None, f"{source}: {message}")


def _load(paths: list[Path]) -> tuple[dict[str, SheetData], list[Problem], list[Problem]]:
    if not paths:
        return {}, [_fatal("master", "tidak ada berkas master")], []
    if len(paths) == 1 and paths[0].is_dir():
        folder = paths[0]
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")
        if not paths:
            return {}, [_fatal(str(folder), "folder ini tidak berisi berkas .csv (opd.csv, "
                                            "anggaran.csv, indikator.csv)")], []
    suffixes = {p.suffix.lower() for p in paths}
    if suffixes == {".csv"}:
        grids = []
        for p in paths:
            grid, problem = _read_csv(p)
            if problem:
                return {}, [problem], []
            grids.append((p.name, grid))
        return _identify(grids, by_name=False)
    if len(paths) == 1 and suffixes <= set(MASTER_SUFFIXES):
        return _read_workbook(paths[0])
    return {}, [_fatal(_source_name(paths), "master harus satu berkas .xlsx, atau berkas .csv "
                                            "(satu per sheet: OPD, Anggaran, Indikator), atau "
                                            "folder berisi berkas .csv itu")], []


def _source_name(paths: Iterable[Path]) -> str:
    return ", ".join(str(p) for p in paths)


def _read_workbook(path: Path) -> tuple[dict[str, SheetData], list[Problem], list[Problem]]:
    from python_calamine import CalamineWorkbook

    if not path.is_file():
        return {}, [_fatal(str(path), "berkas tidak ditemukan")], []
    try:
        wb = CalamineWorkbook.from_path(str(path))
        grids = [(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
                 for name in wb.sheet_names]
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds; all mean "unreadable"
        return {}, [_fatal(str(path), f"tidak dapat dibaca sebagai workbook Excel ({exc}); "
                                      "buka di Excel lalu simpan ulang sebagai .xlsx")], []
    return _identify(grids, by_name=True)


def _read_csv(path: Path) -> tuple[list[list[Any]], Problem | None]:
    """A CSV as Excel saves it: UTF-8 (with or without BOM) or Windows ANSI; ; , or tab."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], _fatal(str(path), f"berkas tidak dapat dibaca: {exc.strerror}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # "CSV (dipisahkan koma)" of Excel
    delimiter = _delimiter("\n".join(text.splitlines()[:HEADER_SEARCH_ROWS + 20]))
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), None
    except csv.Error as exc:
        return [], _fatal(str(path), f"bukan CSV yang sah: {exc}")


def _delimiter(head: str) -> str:
    """The separator that splits the lines into the same number of fields most often.

    Counting characters is not enough: a semicolon file has commas in its text ("Perencanaan,
    Penganggaran, ...", "2,7"), and an export may open with a title line without any.
    """
    def score(d: str) -> tuple[int, int]:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(head), delimiter=d) if len(r) > 1]
        except csv.Error:
            return (0, 0)
        if not widths:
            return (0, 0)
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        return (widths.count(common), common)

    return max(";,\t", key=score)


def _identify(grids: list[tuple[str, list[list[Any]]]], by_name: bool):
    """Find each table: a sheet named after it (workbook), else the sheet whose header fits.

    CSV files are matched by a table name in the file name, else by header; every file must be
    one table and every table one file (lines in a second file would be silently left out).
    """
    found: dict[str, SheetData] = {}
    problems: list[Problem] = []
    notes: list[Problem] = []
    used: set[str] = set()
    for table in TABLES:
        def named(name: str) -> bool:
            if by_name:
                return name.strip().casefold() == table.sheet.casefold()
            return table.key in normalize_header(Path(name).stem).split()

        candidates = sorted((g for g in grids if g[0] not in used), key=lambda g: not named(g[0]))
        missing_in: tuple[str, int, list[str]] | None = None
        for name, grid in candidates:
            header = _find_header(table, grid)
            if header is None:
                continue
            row, cols, headers, missing, ignored = header
            if missing:
                if named(name) and missing_in is None:
                    missing_in = (name, row + 1, missing)
                continue
            used.add(name)
            found[table.key] = SheetData(table, name, row + 1, cols, headers,
                                         _rows(table, grid, row, cols))
            if ignored:
                notes.append(Problem((), None, "kolom yang tidak dikenal diabaikan: "
                                     + ", ".join(ignored), sheet=name, row=row + 1))
            break
        else:
            required = ", ".join(c.header for c in table.columns if c.required)
            if missing_in:
                name, row, missing = missing_in
                problems.append(Problem((), None, f"kolom wajib tidak ditemukan: "
                                        f"{', '.join(missing)} (kolom wajib sheet {table.sheet}: "
                                        f"{required})", sheet=name, row=row))
            else:
                what = f"sheet '{table.sheet}'" if by_name else \
                    f"berkas CSV untuk sheet {table.sheet} (mis. {table.csv_name})"
                problems.append(_fatal(what, f"tidak ditemukan (ada: "
                                             f"{', '.join(n for n, _ in grids)}); judul kolom "
                                             f"wajibnya: {required}"))
    if not by_name and not problems:
        for name, _ in grids:
            if name not in used:
                problems.append(_fatal(name, "berkas CSV ini bukan tabel master yang dikenal, "
                                             "atau tabelnya sudah diwakili berkas lain; berikan "
                                             "satu berkas per tabel (OPD, Anggaran, Indikator)"))
    return found, problems, notes


def _find_header(table: Table, grid: list[list[Any]]):
    """The first row (of the first few) holding the table's required columns, or the best try."""
    keys = header_keys(table)
    best = None
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cols: dict[str, int] = {}
        headers: dict[str, str] = {}
        ignored: list[str] = []
        for c, cell in enumerate(row):
            if cell is None or str(cell).strip() == "":
                continue
            key = keys.get(normalize_header(cell))
            if key is None or key in cols:
                ignored.append(str(cell).strip())
                continue
            cols[key] = c
            headers[key] = " ".join(str(cell).split())
        if not cols:
            continue
        missing = [col.header for col in table.columns if col.required and col.key not in cols]
        if table is ANGGARAN and "kode" not in cols and "level" not in cols:
            missing.append("Kode atau Level")
        if not missing:
            return r, cols, headers, missing, ignored
        if best is None or len(cols) > len(best[1]):
            best = (r, cols, headers, missing, ignored)
    return best


def _rows(table: Table, grid: list[list[Any]], header: int, cols: dict[str, int]):
    kinds = {c.key: c.kind for c in table.columns}
    out = []
    for r in range(header + 1, len(grid)):
        row = grid[r]
        values = {key: _value(row[c] if c < len(row) else None, kinds[key])
                  for key, c in cols.items()}
        if any(v is not None for v in values.values()):
            out.append((r + 1, values))
    return out


def _value(raw: Any, kind: str) -> Any:
    """A cell as the rules want it: None when blank, codes as text, whole numbers as int."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if kind == "integer" and raw.isdigit():
            return int(raw)  # a year, as CSV always holds it
        return raw or None
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return str(raw)  # a date where text or a number belongs: the rules say what is wrong
    if isinstance(raw, bool):
        return str(raw).upper() if kind == "code" else raw  # TRUE/FALSE as Excel shows them
    if isinstance(raw, float):
        if kind == "code":
            # Excel turned the code into a number: 4.1 was urusan.bidang 4.10
            return str(int(raw)) if raw.is_integer() else f"{raw:.2f}"
        if kind == "nip":
            return raw
        if raw.is_integer() and kind in ("integer", "text"):
            return int(raw)
    return raw


# -- per OPD -----------------------------------------------------------------------------------

class _Cells:
    """Where each value of one OPD's template came from: a document for :mod:`formcheck`."""

    quote_hint = "format kolomnya sebagai Teks lalu ketik ulang"

    def __init__(self, order: dict[str, int]):
        self.at: dict[tuple, tuple[str, int, int | None, str | None]] = {}
        self.labels: dict[tuple, str] = {}
        self.order = order

    def put(self, path: tuple, sheet: SheetData, row: int, *keys: str, label: bool = True) -> None:
        """Locate ``path`` at the first of ``keys`` the sheet has (else the row)."""
        key = next((k for k in keys if k in sheet.cols), None)
        header = sheet.headers.get(key) if key else None
        self.at[path] = (sheet.name, row, sheet.cols.get(key) if key else None, header)
        if label and header:
            self.labels[path] = header

    def locate(self, path: tuple):
        while True:
            if path in self.at:
                return self.at[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: tuple, message: str) -> Problem:
        loc = self.locate(path)
        if loc is None:
            return Problem(path, None, message)
        sheet, row, col, header = loc
        return Problem(path, None, message, sheet=sheet, row=row, col=col, column=header)

    def where(self, path: tuple) -> str:
        loc = self.locate(path)
        return f"{loc[0]} baris {loc[1]}" if loc else "master"

    def label(self, path: tuple) -> str | None:
        return self.labels.get(path)

    def sort(self, problems: list[Problem]) -> list[Problem]:
        return sorted(problems, key=lambda p: (self.order.get(p.sheet or "", 9), p.row or 0,
                                               -1 if p.col is None else p.col))


def _at(sheet: SheetData, row: int, key: str, message: str) -> Problem:
    col = sheet.cols.get(key)
    return Problem((), None, message, sheet=sheet.name, row=row, col=col,
                   column=sheet.headers.get(key))


def _collect(source: str, tables: dict[str, SheetData]) -> Master:
    master = Master(source, True)
    opd_sheet, budget_sheet, ind_sheet = tables["opd"], tables["anggaran"], tables["indikator"]
    order = {opd_sheet.name: 0, budget_sheet.name: 1, ind_sheet.name: 2}

    codes_seen: dict[str, str] = {}  # casefold -> the code as first written
    opd_rows: dict[str, tuple[int, dict]] = {}
    extra: dict[str, list[Problem]] = {}

    def known(code: str) -> str:
        key = code.casefold()
        codes_seen.setdefault(key, code)
        extra.setdefault(key, [])
        return key

    for r, v in opd_sheet.rows:
        code = v.get("kode_opd")
        if code is None:
            master.problems.append(_at(opd_sheet, r, "kode_opd", "Kode OPD wajib diisi; baris "
                                                                "ini tidak dipakai"))
            continue
        if code.casefold() == EXAMPLE_OPD.casefold():
            master.examples_skipped += 1
            continue
        key = known(code)
        if key in opd_rows:
            extra[key].append(_at(opd_sheet, r, "kode_opd",
                                  f"Kode OPD {code} sudah dipakai di baris {opd_rows[key][0]}; "
                                  "satu OPD satu baris"))
        else:
            opd_rows[key] = (r, v)

    lines: dict[str, dict[str, list]] = {"anggaran": {}, "indikator": {}}
    for sheet in (budget_sheet, ind_sheet):
        previous: str | None = None
        for r, v in sheet.rows:
            if all(v.get(k) is None for k in v if k not in ("kode_opd", "nama_opd")):
                continue  # a row with only the OPD filled in (filled down too far)
            code = v.get("kode_opd")
            if code is None:
                if previous is None:
                    master.problems.append(_at(sheet, r, "kode_opd", "Kode OPD wajib diisi; "
                                                                     "baris ini tidak dipakai"))
                    continue
                extra[previous].append(_at(sheet, r, "kode_opd", (
                    f"Kode OPD kosong: baris ini dianggap milik OPD {codes_seen[previous]} "
                    "(baris di atasnya), yang karenanya tidak ditulis; isi Kode OPD-nya")))
                key = previous
            elif code.casefold() == EXAMPLE_OPD.casefold():
                master.examples_skipped += 1
                continue
            else:
                key = previous = known(code)
            lines[sheet.table.key].setdefault(key, []).append((r, v))

    hints = _mistyped_codes(codes_seen, opd_rows, lines, budget_sheet, ind_sheet, extra)
    for key, code in codes_seen.items():
        opd = _build_opd(code, hints.get(key), opd_rows.get(key), lines["anggaran"].get(key, []),
                         lines["indikator"].get(key, []), tables, order, extra[key], master.notes)
        master.opds.append(opd)
    master.notes = _Cells(order).sort(master.notes)
    if not master.opds:
        master.readable = False
        master.problems.append(_fatal(source, "master tidak berisi satu OPD pun" + (
            f" (hanya baris contoh dengan Kode OPD {EXAMPLE_OPD}, yang selalu dilewati)"
            if master.examples_skipped else "")))
    return master


def _norm_name(name: Any) -> str:
    return " ".join(str(name).split()).casefold()


def _mistyped_codes(codes_seen: dict[str, str], opd_rows: dict[str, tuple[int, dict]],
                    lines: dict[str, dict[str, list]], budget_sheet: SheetData,
                    ind_sheet: SheetData, extra: dict[str, list[Problem]]) -> dict[str, str]:
    """Lines under a Kode OPD that the OPD sheet does not know, whose Nama OPD is another OPD's:
    most likely that OPD's code mistyped ("1.1" for "1.01"). The unknown code is told what it
    probably means (returned: key -> the meant code), and the OPD it belongs to is held back
    (a problem at each such line), since its form would be generated without them."""
    by_name: dict[str, str] = {}
    for key, (_, v) in opd_rows.items():
        if v.get("nama_opd"):
            by_name.setdefault(_norm_name(v["nama_opd"]), key)
    hints: dict[str, str] = {}
    for key, code in codes_seen.items():
        if key in opd_rows:
            continue
        for table, sheet in (("anggaran", budget_sheet), ("indikator", ind_sheet)):
            held: dict[str, list[int]] = {}
            for r, v in lines[table].get(key, []):
                meant = by_name.get(_norm_name(v["nama_opd"])) if v.get("nama_opd") else None
                if meant is not None:
                    held.setdefault(meant, []).append(r)
            for meant, rows in held.items():
                real = codes_seen[meant]
                hints.setdefault(key, real)
                what = _lines_text(table, [v for r, v in lines[table][key] if r in rows])
                more = f" (dan {len(rows) - 1} baris lain)" if len(rows) > 1 else ""
                extra[meant].append(_at(sheet, rows[0], "kode_opd", (
                    f"baris ini{more} memakai Kode OPD {code}, tetapi Nama OPD-nya sama dengan "
                    f"OPD ini: mungkin maksudnya {real}. OPD {real} tidak ditulis sampai Kode OPD "
                    f"baris itu diperbaiki (tanpa {what} formulirnya tidak lengkap)")))
    return hints


def _lines_text(table: str, rows: list[dict]) -> str:
    if table == "indikator":
        return f"{len(rows)} indikator itu" if len(rows) > 1 else "indikator itu"
    subs = [v for v in rows if str(v.get("level") or "").strip().lower() in ("sub kegiatan", "sub_kegiatan")
            or v.get("level") is None]
    pagu = sum(v["pagu"] for v in subs if isinstance(v.get("pagu"), (int, float))
               and not isinstance(v.get("pagu"), bool))
    text = f"{len(rows)} baris anggaran itu" if len(rows) > 1 else "baris anggaran itu"
    return text + (f" (pagu {format_rupiah(pagu)})" if pagu else "")


def _build_opd(code: str, meant: str | None, opd_row: tuple[int, dict] | None, budget: list,
               indicators: list,
               tables: dict[str, SheetData], order: dict[str, int], extra: list[Problem],
               notes: list[Problem]) -> OpdMaster:
    opd_sheet, budget_sheet, ind_sheet = tables["opd"], tables["anggaran"], tables["indikator"]
    cells = _Cells(order)
    c = Checker(cells)
    top: dict[str, Any] = {}
    name = None

    if opd_row is not None:
        r, v = opd_row
        name = v.get("nama_opd")
        cells.put((), opd_sheet, r, "kode_opd", label=False)
        for path, key in ((("opd", "code"), "kode_opd"), (("opd", "name"), "nama_opd"),
                          (("year",), "tahun"), (("signatory", "jabatan"), "jabatan"),
                          (("signatory", "name"), "nama_ttd"), (("signatory", "pangkat"), "pangkat"),
                          (("signatory", "nip"), "nip"), (("password",), "kata_sandi"),
                          (("capaian", "display_cap"), "batas_capaian"),
                          (("capaian", "lower_is_better"), "rumus_turun"), (("pemda",), "pemda")):
            cells.put(path, opd_sheet, r, key)
        nip = v.get("nip")
        if isinstance(nip, (int, float)) and not isinstance(nip, bool) or \
                isinstance(nip, str) and _SCIENTIFIC.match(nip):
            c.problem(("signatory", "nip"), (
                "NIP tersimpan sebagai angka, sehingga digit terakhirnya hilang (Excel hanya "
                "menyimpan 15 digit); format kolom NIP sebagai Teks lalu ketik ulang NIP-nya"))
            nip = None
        top = {"opd": {"code": code, "name": name}, "year": v.get("tahun"),
               "signatory": {"jabatan": v.get("jabatan"), "name": v.get("nama_ttd"),
                             "pangkat": v.get("pangkat"), "nip": nip},
               "password": v.get("kata_sandi"), "capaian": {}}
        if v.get("pemda") is not None:
            top["pemda"] = v.get("pemda")
        cap = v.get("batas_capaian")
        if isinstance(cap, str) and cap.strip().lower() in NO_CAP_WORDS:
            cap = False
        if cap is not None:
            top["capaian"]["display_cap"] = cap
        if v.get("rumus_turun") is not None:
            top["capaian"]["lower_is_better"] = v.get("rumus_turun")
    else:
        sheet, (r, v) = (budget_sheet, budget[0]) if budget else (ind_sheet, indicators[0])
        name = v.get("nama_opd")
        cells.put((), sheet, r, "kode_opd", label=False)
        if meant is not None:
            c.problem((), f"OPD {code} tidak ada di sheet {opd_sheet.table.sheet}, tetapi Nama OPD "
                          f"baris ini milik OPD {meant}: mungkin maksudnya {meant}. Perbaiki Kode "
                          "OPD baris ini")
        else:
            c.problem((), f"OPD {code} tidak ada di sheet {opd_sheet.table.sheet}: tambahkan "
                          "barisnya (nama OPD, tahun, dan penanda tangan: jabatan, nama, pangkat, "
                          "NIP)")
    for path in (("program",), ("sasaran",)):
        cells.at[path] = cells.at[()]

    c.problems[:0] = extra
    top["program"] = _budget_tree(c, cells, budget_sheet, budget, code)
    top["sasaran"] = _sasaran(c, cells, ind_sheet, indicators, notes)
    if opd_row is not None:
        if not budget:
            c.problem(("program",), f"OPD ini tidak punya baris di sheet {budget_sheet.table.sheet}")
        if not indicators:
            c.problem(("sasaran",), f"OPD ini tidak punya indikator di sheet "
                                    f"{ind_sheet.table.sheet}")
        if name:
            _check_names(name, budget_sheet, budget, notes)
            _check_names(name, ind_sheet, indicators, notes)

    ours = len(c.problems)
    spec = build_form(c, top, f"master OPD {code}")
    notes.extend(c.notes)
    problems = _merge(c.problems[:ours], c.problems[ours:])
    return OpdMaster(code, name, spec if not problems else None, cells.sort(problems),
                     len(budget), len(indicators))


def _merge(ours: list[Problem], rules: list[Problem]) -> list[Problem]:
    """Our problems, then the rules' ones about cells we have not already explained."""
    explained = {p.cell for p in ours}
    out, seen = list(ours), {(p.cell, p.message) for p in ours}
    for p in rules:
        if p.cell in explained or (p.cell, p.message) in seen:
            continue
        seen.add((p.cell, p.message))
        out.append(p)
    return out


def _level(c: Checker, v: dict, path: tuple) -> Level | None:
    raw = v.get("level")
    if raw is None:
        code = v.get("kode")
        if code is not None:
            for level, pattern in codes.PATTERNS.items():
                if pattern.match(str(code)):
                    return level
            c.problem(path, f"Level kosong dan kode {code!r} tidak menunjukkan levelnya; isi "
                            "Level (Program, Kegiatan, atau Sub Kegiatan)")
        else:
            c.problem(path, "Level wajib diisi bila Kode kosong: Program, Kegiatan, atau "
                            "Sub Kegiatan")
        return None
    level = _LEVELS.get(re.sub(r"[^a-z]", "", str(raw).lower()))
    if level is None:
        c.problem(path, f"Level {raw!r} tidak dikenal; pilih Program, Kegiatan, atau Sub Kegiatan")
    return level


def _budget_tree(c: Checker, cells: _Cells, sheet: SheetData, rows: list, opd_code: str) -> list:
    """Nest the rows (in sheet order) as the spec does: program > kegiatan > sub kegiatan."""
    programs: list[dict] = []
    parents: list[tuple[tuple, dict, Level]] = []  # every program and kegiatan placed
    program = kegiatan = None  # (path, node) of the rows the next children go under
    for r, v in rows:
        where = ("_baris", sheet.name, r, "level")
        cells.put(where, sheet, r, "level", "kode", "uraian")
        level = _level(c, v, where)
        if level is None:
            continue
        node: dict[str, Any] = {"name": v.get("uraian")}
        for key, spec_key in (("kode", "code"), ("pagu", "pagu"), ("id", "id")):
            if v.get(key) is not None:
                node[spec_key] = v[key]
        if level is Level.PROGRAM:
            path = ("program", len(programs))
            programs.append(node)
            node["kegiatan"] = []
            program, kegiatan = (path, node), None
        elif level is Level.KEGIATAN:
            if program is None:
                c.problem(where, "kegiatan tanpa program: di atasnya harus ada baris Program "
                                 "OPD ini")
                continue
            path = program[0] + ("kegiatan", len(program[1]["kegiatan"]))
            program[1]["kegiatan"].append(node)
            node["sub_kegiatan"] = []
            kegiatan = (path, node)
        else:
            if kegiatan is None:
                above = "baris Kegiatan" if program is not None else "baris Program dan Kegiatan"
                c.problem(where, f"sub kegiatan tanpa kegiatan induk: di atasnya harus ada "
                                 f"{above}; sub kegiatan menyusul baris kegiatannya")
                continue
            path = kegiatan[0] + ("sub_kegiatan", len(kegiatan[1]["sub_kegiatan"]))
            kegiatan[1]["sub_kegiatan"].append(node)
        if level is not Level.SUB_KEGIATAN:
            parents.append((path, node, level))
        cells.put(path, sheet, r, "uraian", label=False)
        for spec_key, key in (("name", "uraian"), ("code", "kode"), ("pagu", "pagu"), ("id", "id")):
            cells.put(path + (spec_key,), sheet, r, key, "uraian")
    for path, node, level in parents:  # say plainly which parent has nothing under it
        what, child = ("program", "kegiatan") if level is Level.PROGRAM else \
            ("kegiatan", "sub kegiatan")
        if not node["kegiatan" if level is Level.PROGRAM else "sub_kegiatan"]:
            c.problem(path, f"{what} ini tidak punya {child}: baris {child} harus menyusul "
                            f"baris {what}-nya")
    return programs


def _sasaran(c: Checker, cells: _Cells, sheet: SheetData, rows: list, notes: list) -> list:
    out: list[dict] = []
    by_text: dict[str, int] = {}
    first_row: dict[int, int] = {}
    current = None
    for r, v in rows:
        text = v.get("sasaran")
        if text is None:
            if current is None:
                cells.put(("_baris", sheet.name, r, "sasaran"), sheet, r, "sasaran")
                c.problem(("_baris", sheet.name, r, "sasaran"),
                          "Sasaran wajib diisi (sel kosong berarti sama dengan sasaran di atasnya, "
                          "tetapi belum ada sasaran di atas baris ini)")
                continue
            si = current
        else:
            norm = " ".join(str(text).split())
            si = by_text.get(norm)
            if si is None:
                si = by_text[norm] = len(out)
                out.append({"text": text, "indikator": []})
                first_row[si] = r
                cells.put(("sasaran", si), sheet, r, "sasaran", label=False)
                cells.put(("sasaran", si, "text"), sheet, r, "sasaran")
            current = si
        s = out[si]
        sid = v.get("id_sasaran")
        if sid is not None:
            if "id" not in s:
                s["id"] = sid
                cells.put(("sasaran", si, "id"), sheet, r, "id_sasaran")
            elif s["id"] != sid:
                cells.put(("_baris", sheet.name, r, "id_sasaran"), sheet, r, "id_sasaran")
                c.problem(("_baris", sheet.name, r, "id_sasaran"),
                          f"ID Sasaran {sid!r} berbeda dengan {s['id']!r} pada baris lain "
                          "sasaran yang sama")
        ipath = ("sasaran", si, "indikator", len(s["indikator"]))
        ind: dict[str, Any] = {}
        for key, spec_key in (("indikator", "text"), ("satuan", "unit"),
                              ("cara_pengukuran", "cara_pengukuran"), ("polaritas", "polarity"),
                              ("frekuensi", "frequency"), ("nilai_tahunan", "annual_value"),
                              ("id_indikator", "id"), ("sumber", "sumber")):
            cells.put(ipath + (spec_key,), sheet, r, key, "indikator")
            if v.get(key) is not None or spec_key in ("text", "unit", "cara_pengukuran"):
                ind[spec_key] = v.get(key)
        cells.put(ipath, sheet, r, "indikator", label=False)
        cells.put(ipath + ("target",), sheet, r, "target")
        cells.put(ipath + ("target", 0), sheet, r, "target")
        cells.put(ipath + ("target", 1), sheet, r, "target_atas", "target")
        quarter_keys = ("target_tw_i", "target_tw_ii", "target_tw_iii", "target_tw_iv")
        for i, key in enumerate(quarter_keys):
            cells.put(ipath + ("quarter_targets", i), sheet, r, key)
        cells.put(ipath + ("quarter_targets",), sheet, r, quarter_keys[0], "target")
        if any(v.get(k) is not None for k in quarter_keys):
            ind["quarter_targets"] = [v.get(k) for k in quarter_keys]
        polarity = v.get("polaritas")
        is_range = isinstance(polarity, str) and POLARITY.get(polarity.strip().lower()) \
            is Polarity.RANGE
        if is_range:
            ind["target"] = [v.get("target"), v.get("target_atas")]
        else:
            ind["target"] = v.get("target")
            if v.get("target_atas") is not None:
                c.problem(ipath + ("target", 1), "Target Atas hanya untuk polaritas rentang; "
                                                 "kosongkan, atau pilih Polaritas rentang")
        s["indikator"].append(ind)
    _similar_sasaran(out, first_row, sheet, notes)
    return out


def _similar_sasaran(out: list[dict], first_row: dict[int, int], sheet: SheetData,
                     notes: list[Problem]) -> None:
    """Two sasaran spelled almost alike ("Efektivitas"/"Efektifitas") are probably one."""
    texts = [" ".join(str(s["text"]).split()) for s in out]
    for j in range(len(texts)):
        for i in range(j):
            if _spelling_variants(texts[i], texts[j]):
                notes.append(_at(sheet, first_row[j], "sasaran", (
                    f"sasaran ini hampir sama dengan sasaran di baris {first_row[i]} "
                    f"({texts[i]!r}); bila maksudnya sama, samakan tulisannya agar indikatornya "
                    "dikelompokkan bersama")))
                break


def _spelling_variants(a: str, b: str, max_chars: int = 3) -> bool:
    """Texts that differ only in case or in a few characters of a long text."""
    a, b = a.casefold(), b.casefold()
    if a == b:
        return True
    if min(len(a), len(b)) < 15:
        return False
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    changed = "".join(a[i1:i2] + b[j1:j2] for _, i1, i2, j1, j2 in ops)
    if any(ch.isdigit() for ch in changed):
        return False  # "Sasaran 1" and "Sasaran 2" are two sasaran
    return sum(max(i2 - i1, j2 - j1) for _, i1, i2, j1, j2 in ops) <= max_chars


def _check_names(name: str, sheet: SheetData, rows: list, notes: list[Problem]) -> None:
    """A Nama OPD that differs from the OPD sheet's hints at a mistyped Kode OPD."""
    want = " ".join(str(name).split()).casefold()
    odd: dict[str, list[int]] = {}
    for r, v in rows:
        given = v.get("nama_opd")
        if given is not None and " ".join(str(given).split()).casefold() != want:
            odd.setdefault(str(given), []).append(r)
    for given, at in odd.items():
        more = f" (dan {len(at) - 1} baris lain)" if len(at) > 1 else ""
        notes.append(_at(sheet, at[0], "nama_opd", (
            f"Nama OPD {given!r} berbeda dengan nama di sheet OPD ({name!r}){more}; periksa "
            "Kode OPD baris ini")))
