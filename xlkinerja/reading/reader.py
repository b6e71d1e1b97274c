"""Read a returned workbook back into the model of the form, by identity.

The workbook carries its form as JSON in the very hidden ``_xlkinerja`` sheet; the layout follows
from the form, and every budget row and indicator is found by the stable id in its hidden column,
not by label text or row position. Reading notes what does not match the template (integrity
findings) and keeps the raw content of every input cell for the entry rules in
:mod:`xlkinerja.validation.rules`.

Values come from a :class:`~xlkinerja.reading.sources.WorkbookSource` (calamine for files, xlwings for the
button); formulas, when integrity of formulas is checked, from a second source (openpyxl).
Nothing here relies on cached formula results: derived figures are recomputed from the inputs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from xlkinerja.findings import Finding, Severity
from xlkinerja.workbook.formulas import FormulaMap, normalize_formula
from xlkinerja.workbook.layout import (META_MARKER, NARRATIVE_LABEL_LAST, MetaLayout, NARRATIVES, QUARTER_SHEETS, Q, pagu_header,
                     SHEET_HASIL, SHEET_META, SHEET_REKAP, SHEET_XLWINGS_CONF,
                     TEMPLATE_VERSION, WorkbookLayout, a1)
from xlkinerja.form.model import (NOT_AVAILABLE, QUARTERS, BudgetEntry, Form, IndicatorEntry, QuarterEntries,
                    ROMAN)
from xlkinerja.base.numbers import format_number, format_rupiah
from xlkinerja.reading.sources import Grid, WorkbookSource, cell

ALLOWED_EXTRA_SHEETS = {SHEET_XLWINGS_CONF, SHEET_HASIL}


class RawCell(NamedTuple):
    """What an input cell holds, and where (immutable; a tuple, since thousands are made per
    workbook)."""

    sheet: str
    row: int
    col: int
    value: Any

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    @property
    def is_empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass
class QuarterRead:
    quarter: int
    sheet: str
    readable: bool = True  # False when the sheet is missing or its columns were changed
    budget_real: dict[str, RawCell] = field(default_factory=dict)  # leaves only
    budget_ket: dict[str, RawCell] = field(default_factory=dict)
    ind_real: dict[str, RawCell] = field(default_factory=dict)
    ind_ket: dict[str, RawCell] = field(default_factory=dict)
    narratives: dict[str, RawCell] = field(default_factory=dict)
    sasaran_text: dict[str, RawCell] = field(default_factory=dict)
    indikator_text: dict[str, RawCell] = field(default_factory=dict)
    derived: dict[tuple[int, int], Any] = field(default_factory=dict)  # cached results, if any
    #: input cells that hold a formula instead of a typed value: (row, col) -> formula text.
    #: Their cached results are never used as entries.
    formula_inputs: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def is_filled(self) -> bool:
        """Something was entered: an amount, an indicator value, or a narrative."""
        if not self.readable:
            return False
        if any(not c.is_empty for c in self.budget_real.values()):
            return True
        if any(not c.is_empty and c.value != NOT_AVAILABLE for c in self.ind_real.values()):
            return True
        return any(not c.is_empty for c in self.narratives.values())


@dataclass
class Submission:
    """One returned workbook, read."""

    name: str
    form: Form
    template_version: int
    generated_at: str | None
    generator: str | None
    quarters: dict[int, QuarterRead]
    formulas_checked: bool = False
    #: SHA-256 of the form JSON as read (what a signature covers), the signature and the id of
    #: the register that issued the form, as the hidden sheet carries them (None: absent)
    model_sha256: str | None = None
    signature: str | None = None
    register_id: str | None = None
    #: the formula map (and layout) the reader used; None: built when needed
    formula_map: FormulaMap | None = field(default=None, repr=False, compare=False)
    _entries: dict[int, QuarterEntries] | None = field(default=None, init=False, repr=False,
                                                       compare=False)

    @property
    def filled_quarters(self) -> list[int]:
        return [q for q in QUARTERS if self.quarters[q].is_filled]

    @property
    def latest_quarter(self) -> int | None:
        filled = self.filled_quarters
        return max(filled) if filled else None

    def entries(self) -> dict[int, QuarterEntries]:
        """Clean entries: numbers where the cell holds a number, "-" where it says so; anything
        else (text, dates, negative amounts) is left out here and reported by the rules.

        Computed once (validation and consolidation both ask): a Submission is not changed after
        reading, and the entries returned are not to be changed either."""
        if self._entries is None:
            self._entries = self._clean_entries()
        return self._entries

    def _clean_entries(self) -> dict[int, QuarterEntries]:
        out: dict[int, QuarterEntries] = {}
        scale = {i.id: i.scale for _, i in self.form.indicators()}
        for q, read in self.quarters.items():
            e = QuarterEntries()
            if read.formula_inputs:  # a formula's result is not an entry: left out, reported
                read = _without_formulas(read)
            kets = read.budget_ket
            for ident, raw in read.budget_real.items():
                value = amount_value(raw.value)
                ket_cell = kets.get(ident)
                ket = None if ket_cell is None or ket_cell.value is None else text_value(ket_cell)
                if value is not None or ket:
                    e.budget[ident] = BudgetEntry(value if value is None or value >= 0 else None, ket)
            for ident, raw in kets.items():
                if raw.value is not None and ident not in e.budget and text_value(raw):
                    e.budget[ident] = BudgetEntry(None, text_value(raw))
            for ident, raw in read.ind_real.items():
                ket = text_value(read.ind_ket.get(ident))
                if isinstance(raw.value, str) and raw.value.strip() == NOT_AVAILABLE:
                    e.indikator[ident] = IndicatorEntry(NOT_AVAILABLE, ket)
                else:
                    number = number_value(raw.value)
                    if number is not None or ket:
                        e.indikator[ident] = IndicatorEntry(
                            number * scale[ident] if number is not None else None, ket)
            for key, raw in read.narratives.items():
                setattr(e, key, text_value(raw))
            out[q] = e
        return out


def _without_formulas(read: QuarterRead) -> QuarterRead:
    """A copy of ``read`` whose input cells holding a formula read as empty."""
    import dataclasses

    f = read.formula_inputs

    def clean(cells: dict[str, RawCell]) -> dict[str, RawCell]:
        return {k: (c._replace(value=None) if (c.row, c.col) in f else c) for k, c in cells.items()}

    return dataclasses.replace(read, budget_real=clean(read.budget_real), budget_ket=clean(read.budget_ket),
                               ind_real=clean(read.ind_real), ind_ket=clean(read.ind_ket),
                               narratives=clean(read.narratives))


_INF = float("inf")


def number_value(value: Any) -> float | int | None:
    """A real number in a cell (not a bool, not text, not a date), whole floats as int."""
    kind = type(value)
    if kind is float:  # the common cases first, with the same outcome as the general path
        if value != value or value == _INF or value == -_INF:
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if kind is int:
        return value
    if value is None or kind is str:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def amount_value(value: Any) -> float | int | None:
    return number_value(value)


def text_value(raw: RawCell | None) -> str | None:
    if raw is None or raw.is_empty:
        return None
    value = raw.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class ReadError(Exception):
    """The workbook cannot be read as a formulir at all; carries the one finding that says why."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def _meta_values(grid: Grid) -> dict[str, Any]:
    out = {}
    for row in grid[:40]:
        if row and isinstance(row[0], str) and len(row) > 1:
            out.setdefault(row[0], row[1])
    return out


class SubmissionReader:
    """Reads one workbook source; collects integrity findings as it goes."""

    def __init__(self, source: WorkbookSource, formulas: WorkbookSource | None = None):
        self.source = source
        self.formula_source = formulas
        self.name = source.name
        self.findings: list[Finding] = []

    def add(self, severity: Severity, code: str, message: str, sheet: str | None = None,
            cell_ref: str | None = None, ident: str | None = None, quarter: int | None = None) -> None:
        self.findings.append(Finding(file=self.name, severity=severity, code=code, message=message,
                                     sheet=sheet, cell=cell_ref, ident=ident, quarter=quarter))

    def _fatal(self, code: str, message: str, sheet: str | None = None) -> ReadError:
        return ReadError(Finding(file=self.name, severity=Severity.ERROR, code=code,
                                 message=message, sheet=sheet))

    # -- identity ---------------------------------------------------------------------------
    def read_identity(self) -> tuple[Form, dict[str, Any]]:
        names = self.source.sheet_names()
        if SHEET_META not in names:
            raise self._fatal("IDENTITY_NOT_XLKINERJA",
                              "Workbook ini bukan formulir xlkinerja: tidak ada identitas formulir "
                              "(mungkin formulir buatan sendiri, atau isiannya disalin ke workbook "
                              "baru). Minta OPD mengisi dan mengirim formulir yang dibagikan.")
        meta = _meta_values(self.source.values(SHEET_META))
        marker = meta.get("marker")
        if marker != META_MARKER:
            kind = f" (jenis: {marker})" if isinstance(marker, str) and marker.startswith("xlkinerja") else ""
            raise self._fatal("IDENTITY_OTHER_TEMPLATE",
                              f"Workbook ini bukan formulir pengukuran kinerja OPD{kind}. Periksa "
                              "apakah berkas yang dikirim benar.", SHEET_META)
        version = number_value(meta.get("template_version"))
        if not isinstance(version, int) or version < 1:
            raise self._fatal("IDENTITY_UNKNOWN_TEMPLATE",
                              f"Versi template formulir tidak dikenal ({meta.get('template_version')!r}). "
                              "Minta OPD memakai formulir yang dibagikan.", SHEET_META)
        if version > TEMPLATE_VERSION:
            raise self._fatal("IDENTITY_NEWER_TEMPLATE",
                              f"Formulir dibuat dengan template versi {version}, lebih baru dari yang "
                              f"dikenal versi xlkinerja ini ({TEMPLATE_VERSION}). Perbarui xlkinerja "
                              "(pip install -U xlkinerja) lalu ulangi.", SHEET_META)
        if version < TEMPLATE_VERSION:
            self.add(Severity.INFO, "IDENTITY_OLD_TEMPLATE",
                     f"Formulir dibuat dengan template versi {version} (tanpa kolom REALISASI s.d. "
                     "TW dan tanpa hitungan isian tidak terhitung). Isiannya dibaca dan angkanya "
                     "dihitung ulang seperti biasa, tetapi rumus di berkasnya tidak diperiksa. "
                     "Untuk triwulan berikutnya bagikan formulir baru (xlkinerja generate).",
                     SHEET_META)
        self.version = int(version)
        chunks_n = number_value(meta.get("model_chunks"))
        M = MetaLayout()
        grid = self.source.values(SHEET_META)
        try:
            if not isinstance(chunks_n, int) or not 1 <= chunks_n <= 1000:
                raise ValueError("model_chunks")
            text = "".join(str(cell(grid, M.chunk_start + i, M.chunk_col) or "")
                           for i in range(chunks_n))
            form = Form.from_dict(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self._fatal("IDENTITY_META_CORRUPT",
                              f"Identitas formulir di sheet tersembunyi rusak ({type(exc).__name__}). "
                              "Berkas tidak dapat dibaca sebagai formulir; minta OPD mengirim ulang "
                              "dari formulir yang dibagikan.", SHEET_META) from None
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        meta["_digest"] = digest
        if digest != meta.get("model_sha256"):
            self.add(Severity.ERROR, "INTEGRITY_META_CHANGED",
                     "Identitas formulir (pagu, target, daftar baris) di sheet tersembunyi telah "
                     "diubah sejak formulir dibuat. Berkas tidak dapat diterima; minta OPD mengisi "
                     "formulir asli.", SHEET_META)
        return form, meta

    # -- whole workbook -----------------------------------------------------------------------
    def read(self) -> Submission:
        form, meta = self.read_identity()
        legacy = self.version < TEMPLATE_VERSION
        layout = WorkbookLayout(form, self.version)
        self.layout = layout
        self.cols = layout.qcols
        # the formulas of an older template are not today's: neither checked nor compared
        self.formula_map = FormulaMap(form, layout) if not legacy else None
        if legacy:
            self.formula_source = None
        # the form's rows and texts, once for the four sheets
        self._rows = form.budget_rows()
        self._indicators = [ind for _, ind in form.indicators()]
        self._row_plan = [(row, row.id, row.is_leaf, row.pagu, " ".join(row.name.split()))
                          for row in self._rows]
        self._known_ids = set(layout.quarter.budget_rows) | set(layout.quarter.indicator_rows)
        names = self.source.sheet_names()
        expected = WorkbookLayout.sheet_names()
        for name in expected:
            if name not in names:
                self.add(Severity.ERROR, "INTEGRITY_SHEET_MISSING",
                         f"Sheet '{name}' tidak ada lagi (dihapus atau diganti namanya). Kembalikan "
                         "dari formulir asli; jangan mengganti nama sheet.", name)
        for name in names:
            if name not in expected and name not in ALLOWED_EXTRA_SHEETS:
                self.add(Severity.WARNING, "INTEGRITY_SHEET_ADDED",
                         f"Sheet '{name}' ditambahkan ke formulir. Isinya tidak dibaca; hapus sheet "
                         "ini atau pastikan isian ada di sheet triwulan.", name)
        quarters = {}
        for q, sheet in zip(QUARTERS, QUARTER_SHEETS):
            quarters[q] = self._read_quarter(form, q, sheet, names)
        if SHEET_REKAP in names:
            self._check_rekap(form)
        self._compare_texts_between_quarters(form, quarters)
        return Submission(name=self.name, form=form,
                          template_version=int(number_value(meta.get("template_version"))),
                          generated_at=meta.get("generated_at"), generator=meta.get("generator"),
                          quarters=quarters, formulas_checked=self.formula_source is not None,
                          formula_map=self.formula_map, model_sha256=meta["_digest"],
                          signature=_meta_text(meta.get("signature")),
                          register_id=_meta_text(meta.get("register_id")))

    # -- one TW sheet ---------------------------------------------------------------------------
    def _read_quarter(self, form: Form, q: int, sheet: str, names: list[str]) -> QuarterRead:
        read = QuarterRead(quarter=q, sheet=sheet)
        if sheet not in names:
            read.readable = False
            return read
        grid = self.source.values(sheet)
        L = self.layout.quarter
        if not self._header_intact(grid, sheet, q):
            read.readable = False
            return read

        # rows by id, wherever they are now
        found_budget = self._ids_in_column(grid, self.cols.ROW_ID)
        found_ind = self._ids_in_column(grid, self.cols.IND_ID)
        shifted = False
        budget_pos: dict[str, int] = {}
        for row in self._rows:
            expected = L.budget_rows[row.id]
            at = found_budget.get(row.id)
            if at is None:
                self.add(Severity.ERROR, "INTEGRITY_ROW_MISSING",
                         f"Baris '{row.name}' tidak ditemukan lagi (dihapus?). Kembalikan baris dari "
                         "formulir asli.", sheet, a1(expected, Q.URAIAN), row.id, q)
                continue
            budget_pos[row.id] = at
            shifted |= at != expected
        ind_pos: dict[str, int] = {}
        for ind in self._indicators:
            expected = L.indicator_rows[ind.id]
            at = found_ind.get(ind.id)
            if at is None:
                self.add(Severity.ERROR, "INTEGRITY_ROW_MISSING",
                         f"Baris indikator '{ind.text}' tidak ditemukan lagi (dihapus?). Kembalikan "
                         "dari formulir asli.", sheet, a1(expected, Q.INDIKATOR), ind.id, q)
                continue
            ind_pos[ind.id] = at
            shifted |= at != expected
        known = self._known_ids
        for ident, at in {**found_budget, **found_ind}.items():
            if ident not in known:
                self.add(Severity.ERROR, "INTEGRITY_ROW_ADDED",
                         f"Ada baris yang tidak berasal dari formulir (id '{ident}'). Hapus baris "
                         "tambahan; perubahan rincian anggaran dilakukan lewat formulir baru.",
                         sheet, a1(at, Q.URAIAN), ident, q)
        offset = 0
        if shifted:
            first_moved = min((r for i, r in budget_pos.items() if r != L.budget_rows[i]),
                              default=None)
            if first_moved is None:
                first_moved = min(r for i, r in ind_pos.items() if r != L.indicator_rows[i])
            self.add(Severity.ERROR, "INTEGRITY_ROWS_SHIFTED",
                     "Baris disisipkan atau dihapus di dalam tabel (proteksi sheet dibuka?). Isian "
                     "tetap dibaca menurut identitas barisnya, tetapi formulir harus dikembalikan "
                     "ke susunan aslinya.", sheet, a1(first_moved, Q.URAIAN), quarter=q)
            last = max(L.budget_rows.values(), default=L.body_start)
            last_id = next((i for i, r in L.budget_rows.items() if r == last), None)
            if last_id in budget_pos:
                offset = budget_pos[last_id] - last

        # locked content and input cells
        ket_col = self.cols.KET
        width = ket_col + 1
        budget_real, budget_ket = read.budget_real, read.budget_ket
        raw = tuple.__new__  # RawCell(sheet, row, col, value), without a Python-level __new__
        revised = form.revision is not None
        for row, ident, leaf, pagu, plain in self._row_plan:
            if revised and leaf:  # the pagu in force in this triwulan
                pagu = row.pagu_at(q)
            r = budget_pos.get(ident)
            if r is None:
                continue
            line = grid[r] if r < len(grid) else []
            if len(line) < width:
                line = [*line, *([None] * (width - len(line)))]
            uraian = line[Q.URAIAN]
            if uraian.__class__ is not str or uraian != plain:  # else unchanged, surely
                self._locked_text(grid, sheet, q, r, Q.URAIAN, row.name, "uraian", ident)
            if leaf:
                value = number_value(line[Q.PAGU])
                if value is None or abs(value - pagu) > 0.5:
                    self._locked_number(grid, sheet, q, r, Q.PAGU, pagu, "pagu", ident, money=True)
                if not revised or row.open_in(q):  # else a locked note, nothing to report
                    budget_real[ident] = raw(RawCell, (sheet, r, Q.REAL, line[Q.REAL]))
            budget_ket[ident] = raw(RawCell, (sheet, r, ket_col, line[ket_col]))
        for s in form.sasaran:
            first = min((ind_pos[i.id] for i in s.indikator if i.id in ind_pos), default=None)
            if first is not None:
                read.sasaran_text[s.id] = RawCell(sheet, first, Q.SASARAN, cell(grid, first, Q.SASARAN))
                self._locked_text(grid, sheet, q, first, Q.SASARAN, s.text, "sasaran", s.id)
        for ind in self._indicators:
            if ind.id not in ind_pos:
                continue
            r = ind_pos[ind.id]
            read.indikator_text[ind.id] = RawCell(sheet, r, Q.INDIKATOR, cell(grid, r, Q.INDIKATOR))
            self._locked_text(grid, sheet, q, r, Q.INDIKATOR, ind.text, "indikator", ind.id)
            self._locked_text(grid, sheet, q, r, Q.CARA, ind.cara_pengukuran, "cara pengukuran", ind.id)
            if ind.target_high is None:
                target = ind.quarter_target(q) if ind.quarter_targets else ind.target
                self._locked_number(grid, sheet, q, r, Q.TARGET, target / ind.scale, "target",
                                    ind.id, display_scale=ind.scale)
            read.ind_real[ind.id] = RawCell(sheet, r, Q.IND_REAL, cell(grid, r, Q.IND_REAL))
            read.ind_ket[ind.id] = RawCell(sheet, r, Q.IND_KET, cell(grid, r, Q.IND_KET))
        for key, _ in NARRATIVES:
            r = L.narrative_rows[key] + offset
            read.narratives[key] = RawCell(sheet, r, NARRATIVE_LABEL_LAST + 1,
                                           cell(grid, r, NARRATIVE_LABEL_LAST + 1))

        formulas = self.source.formula_cells(sheet)
        if formulas:
            for cells in (read.budget_real, read.budget_ket, read.ind_real, read.ind_ket,
                          read.narratives):
                for c in cells.values():
                    text = formulas.get((c.row, c.col))
                    if text is not None:
                        read.formula_inputs[(c.row, c.col)] = text
        if not shifted and self.formula_map is not None:
            n = len(grid)
            read.derived = {(r, c): (grid[r][c] if r < n and c < len(grid[r]) else None)
                            for r, c in self.formula_map.quarter_cells}
        if self.formula_source is not None and not shifted:
            self._check_formulas(sheet, q, self.formula_map.quarter_map(q))
        return read

    def _header_intact(self, grid: Grid, sheet: str, q: int) -> bool:
        L = self.layout.quarter
        ket = self.cols.KET
        numbers = [number_value(cell(grid, L.number_row, c)) for c in range(Q.NO, ket + 1)]
        heads = {Q.NO: "NO.", Q.URAIAN: "PROGRAM/KEGIATAN/SUB KEGIATAN",
                 Q.PAGU: pagu_header(self.layout.form, q), ket: "KETERANGAN"}
        ok = numbers == list(range(1, ket + 2)) and all(
            str(cell(grid, L.header_top, c) or "").strip().upper() == text for c, text in heads.items())
        if not ok:
            self.add(Severity.ERROR, "INTEGRITY_COLUMNS_CHANGED",
                     "Susunan kolom sheet ini tidak sama dengan formulir (kolom disisipkan, dihapus "
                     "atau judul diubah). Isian sheet ini tidak dapat dibaca; salin isian ke formulir "
                     "asli.", sheet, a1(L.header_top, Q.NO), quarter=q)
        return ok

    @staticmethod
    def _ids_in_column(grid: Grid, col: int) -> dict[str, int]:
        out: dict[str, int] = {}
        for r, line in enumerate(grid):
            if col < len(line):
                v = line[col]
                if isinstance(v, str) and v and v not in out:
                    out[v] = r
        return out

    def _locked_text(self, grid, sheet, q, r, col, expected: str, what: str, ident: str) -> None:
        value = cell(grid, r, col)
        got = " ".join(str(value).split()) if value is not None else ""
        if got != " ".join(expected.split()):
            self.add(Severity.ERROR, "INTEGRITY_LOCKED_CHANGED",
                     f"Teks {what} diubah: formulir berisi '{_short(expected)}', berkas berisi "
                     f"'{_short(got)}'. Teks terkunci tidak boleh diubah; kembalikan seperti semula.",
                     sheet, a1(r, col), ident, q)

    def _locked_number(self, grid, sheet, q, r, col, expected: float, what: str, ident: str,
                       money: bool = False, display_scale: float = 1.0) -> None:
        value = number_value(cell(grid, r, col))
        if value is None or abs(value - expected) > (0.5 if money else 1e-9 * max(1, abs(expected))):
            fmt = format_rupiah if money else (lambda v: format_number(v * display_scale))
            got = fmt(value) if value is not None else repr(cell(grid, r, col))
            self.add(Severity.ERROR, "INTEGRITY_LOCKED_CHANGED",
                     f"{what.capitalize()} diubah: formulir berisi {fmt(expected)}, berkas berisi "
                     f"{got}. {what.capitalize()} hanya dapat diubah dengan formulir baru dari "
                     "pengelola.", sheet, a1(r, col), ident, q)

    def _check_formulas(self, sheet: str, q: int | None, expected: dict) -> None:
        try:
            formulas = self.formula_source.formulas(sheet)
            values = self.formula_source.values(sheet)
        except Exception as exc:  # noqa: BLE001 - a second engine failing is one finding, not a crash
            self.add(Severity.WARNING, "INTEGRITY_FORMULAS_UNREADABLE",
                     f"Rumus sheet ini tidak dapat dibaca ({type(exc).__name__}); keutuhan rumus "
                     "tidak diperiksa.", sheet, quarter=q)
            return
        if formulas is None:
            return
        overwritten = changed = 0
        for (r, c), formula in sorted(expected.items()):
            got = cell(formulas, r, c)
            ref = a1(r, c)
            if got is None:
                value = cell(values, r, c)
                overwritten += 1
                if overwritten <= 20:
                    if value is None:
                        msg = (f"Rumus di {ref} dihapus. Sel hitungan harus berisi rumus; salin "
                               "kembali dari formulir asli.")
                    else:
                        shown = format_rupiah(value) if isinstance(value, (int, float)) and \
                            not isinstance(value, bool) and abs(value) >= 1 else repr(value)
                        msg = (f"Rumus di {ref} ditimpa dengan nilai {shown}. Sel hitungan "
                               "harus berisi rumus; angka yang diketik di sini tidak dipakai.")
                    self.add(Severity.ERROR, "INTEGRITY_FORMULA_OVERWRITTEN", msg, sheet, ref,
                             quarter=q)
            elif normalize_formula(got) != normalize_formula(formula):
                changed += 1
                if changed <= 20:
                    self.add(Severity.ERROR, "INTEGRITY_FORMULA_CHANGED",
                             f"Rumus di {ref} diubah menjadi {got}; seharusnya ={formula}. "
                             "Kembalikan rumus dari formulir asli.", sheet, ref, quarter=q)
        for count, code in ((overwritten, "INTEGRITY_FORMULA_OVERWRITTEN"),
                            (changed, "INTEGRITY_FORMULA_CHANGED")):
            if count > 20:
                self.add(Severity.ERROR, code, f"... dan {count - 20} sel rumus lain di sheet ini.",
                         sheet, quarter=q)

    def _check_rekap(self, form: Form) -> None:
        grid = self.source.values(SHEET_REKAP)
        K = self.layout.rekap
        C = K.cols
        moved = [row for row in form.budget_rows()
                 if cell(grid, K.budget_rows[row.id], C.ID) != row.id]
        moved += [ind for _, ind in form.indicators()
                  if cell(grid, K.indicator_rows[ind.id], C.ID) != ind.id]
        if moved:
            first = moved[0]
            r = K.budget_rows.get(first.id, K.indicator_rows.get(first.id))
            self.add(Severity.ERROR, "INTEGRITY_ROWS_SHIFTED",
                     "Baris Rekap Tahunan disisipkan, dihapus atau diubah. Rekap dihitung ulang "
                     "dari sheet triwulan, tetapi formulir harus dikembalikan ke susunan aslinya.",
                     SHEET_REKAP, a1(r, C.URAIAN))
        elif self.formula_source is not None:
            self._check_formulas(SHEET_REKAP, None, self.formula_map.rekap)

    def _compare_texts_between_quarters(self, form: Form, quarters: dict[int, QuarterRead]) -> None:
        """Info: the same sasaran or indikator spelled differently in different quarters."""
        for kind, items, attr in (("sasaran", [(s.id, s.text) for s in form.sasaran], "sasaran_text"),
                                  ("indikator", [(i.id, i.text) for _, i in form.indicators()],
                                   "indikator_text")):
            for ident, _ in items:
                seen: dict[str, RawCell] = {}
                for q in QUARTERS:
                    raw = getattr(quarters[q], attr).get(ident)
                    if raw is None or raw.value is None:
                        continue
                    seen.setdefault(" ".join(str(raw.value).split()), raw)
                if len(seen) > 1:
                    spellings = "; ".join(f"TW {ROMAN[QUARTER_SHEETS.index(r.sheet) + 1]}: "
                                          f"'{_short(t, 60)}'" for t, r in seen.items())
                    second = list(seen.values())[1]
                    self.add(Severity.INFO, "TEXT_DIFFERS_BETWEEN_QUARTERS",
                             f"Teks {kind} berbeda antar triwulan ({spellings}). Samakan dengan "
                             "formulir.", second.sheet, second.a1, ident)


def _meta_text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _short(text: str, n: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def read_submission(source: WorkbookSource, formulas: WorkbookSource | None = None
                    ) -> tuple[Submission | None, list[Finding]]:
    """Read a workbook source; returns (submission or None, findings)."""
    reader = SubmissionReader(source, formulas)
    try:
        submission = reader.read()
    except ReadError as exc:
        return None, [exc.finding]
    return submission, reader.findings


