"""Where every cell of the workbook is: the single source of truth for writer, reader and button.

Nothing outside this module knows a row or column number. The layout is computed from the
:class:`~xlkinerja.form.model.Form` alone, so a returned workbook (which carries its form as JSON)
yields the same layout the generator used.

All rows and columns are 0-based, as in xlsxwriter; :func:`a1` gives Excel's notation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from xlkinerja.form.model import QUARTERS, Form, Level, sheet_name

TEMPLATE_VERSION = 2  # 2: cumulative columns REALISASI s.d. TW n, the capaian note (1 still read); bump when the layout changes; the reader refuses newer versions

SHEET_PETUNJUK = "Petunjuk"
SHEET_REKAP = "Rekap Tahunan"
SHEET_META = "_xlkinerja"
SHEET_XLWINGS_CONF = "xlwings.conf"
SHEET_HASIL = "Hasil Validasi"
QUARTER_SHEETS = tuple(sheet_name(q) for q in QUARTERS)
PETUNJUK_TEXT_COL = 1  # the Petunjuk text sits in one wide column B
PETUNJUK_MARGIN_COL = 0  # a narrow margin left of it
PETUNJUK_FIRST_ROW = 0  # the title; a block a row from there


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int, absolute: bool = False) -> str:
    if absolute:
        return f"${col_letter(col)}${row + 1}"
    return f"{col_letter(col)}{row + 1}"


def sheet_ref(sheet: str, row: int, col: int) -> str:
    return f"'{sheet}'!{a1(row, col)}"


class Q(IntEnum):
    """Columns of a quarter sheet; the printed column number is ``value + 1`` up to KET."""

    NO = 0
    SASARAN = 1
    INDIKATOR = 2
    TARGET = 3
    CARA = 4
    IND_REAL = 5
    CAPAIAN = 6
    IND_KET = 7
    URAIAN = 8
    PAGU = 9
    REAL = 10
    PERSEN = 11
    REAL_SD = 12  # REALISASI s.d. TW n: the quarter sheets' realisasi up to this one, summed
    PERSEN_SD = 13
    KET = 14
    IND_ID = 15  # hidden: stable id of the indicator on this row
    ROW_ID = 16  # hidden: stable id of the budget row on this row


LAST_PRINTED_COL = Q.KET


@dataclass(frozen=True)
class QuarterCols:
    """The columns that moved between template versions (everything left of REAL_SD did not):
    what the reader needs to read a form issued before REALISASI s.d. TW n existed."""

    KET: int = Q.KET
    IND_ID: int = Q.IND_ID
    ROW_ID: int = Q.ROW_ID

    @classmethod
    def for_version(cls, version: int) -> "QuarterCols":
        if version < 2:  # template 1: KETERANGAN at 12 (printed 13), the ids at 13 and 14
            return cls(KET=Q.REAL_SD, IND_ID=Q.PERSEN_SD, ROW_ID=Q.KET)
        return cls()


def printed_col(col: Q) -> int:
    """The number printed above column ``col`` of a quarter sheet (its column-number row), the
    one messages and the Petunjuk cite ("KETERANGAN (kolom 13)")."""
    if not Q.NO <= col <= LAST_PRINTED_COL:
        raise ValueError(f"column {col!r} has no printed number")
    return int(col) + 1

NARRATIVE_LABEL_LAST = Q.CARA  # label merged A..E, text merged F..M


class R(IntEnum):
    """Columns of the Rekap Tahunan sheet (budget section / indicator section)."""

    KODE = 0  # kode | no
    URAIAN = 1
    LEVEL = 2  # level | satuan
    PAGU = 3  # pagu | target
    TW1 = 4
    TW2 = 5
    TW3 = 6
    TW4 = 7
    TOTAL = 8  # realisasi setahun | realisasi akhir
    SISA = 9  # sisa anggaran | capaian (ditampilkan)
    PERSEN = 10  # % realisasi | capaian sebenarnya
    ID = 11  # hidden


REKAP_TW = (R.TW1, R.TW2, R.TW3, R.TW4)


@dataclass(frozen=True)
class RekapCols:
    """The columns of one workbook's Rekap Tahunan: :class:`R` for a form never revised; a
    revised form (APBD Perubahan, pergeseran) adds PAGU MURNI before and the change after its
    PAGU (which is then the pagu in force at year end), everything right of it moving by two.

    In the indicator section, the target spans TARGET..TARGET_LAST (the three pagu columns)."""

    KODE: int = R.KODE
    URAIAN: int = R.URAIAN
    LEVEL: int = R.LEVEL
    PAGU_MURNI: int | None = None
    PAGU: int = R.PAGU
    SELISIH: int | None = None
    TW1: int = R.TW1
    TW2: int = R.TW2
    TW3: int = R.TW3
    TW4: int = R.TW4
    TOTAL: int = R.TOTAL
    SISA: int = R.SISA
    PERSEN: int = R.PERSEN
    ID: int = R.ID

    @property
    def TW(self) -> tuple[int, int, int, int]:
        return (self.TW1, self.TW2, self.TW3, self.TW4)

    @property
    def TARGET(self) -> int:
        return self.PAGU_MURNI if self.PAGU_MURNI is not None else self.PAGU

    @property
    def TARGET_LAST(self) -> int:
        return self.SELISIH if self.SELISIH is not None else self.PAGU

    @property
    def revised(self) -> bool:
        return self.PAGU_MURNI is not None

    @classmethod
    def for_form(cls, form: Form) -> "RekapCols":
        if form.revision is None:
            return cls()
        return cls(PAGU_MURNI=3, PAGU=4, SELISIH=5, TW1=6, TW2=7, TW3=8, TW4=9, TOTAL=10,
                   SISA=11, PERSEN=12, ID=13)


PLAIN_REKAP = RekapCols()


def pagu_header(form: Form, quarter: int) -> str:
    """The PAGU column's header on a TW sheet (writer and reader): in a revised form, which
    budget is in force there ("PAGU MURNI", "PAGU PERUBAHAN")."""
    if form.revision is None:
        return "PAGU"
    return f"PAGU {form.basis(quarter).upper()}"


@dataclass(frozen=True)
class InputCell:
    """A cell the OPD fills: what it is, for which id, where."""

    kind: str  # "realisasi", "keterangan", "ind_realisasi", "ind_keterangan", or a narrative key
    ident: str | None
    row: int
    col: int

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)


NARRATIVES = (
    ("faktor_pendorong", "Faktor Pendorong"),
    ("uraian_permasalahan", "Uraian Permasalahan"),
    ("rencana_tindak_lanjut", "Rencana Tindak Lanjut"),
)


@dataclass
class QuarterLayout:
    """Rows of a TW sheet (the four are identical)."""

    title_row: int = 0
    opd_row: int = 2
    revision_row: int = 3  # a revised form's note: the budget this triwulan reports against
    header_top: int = 4
    header_bottom: int = 5
    number_row: int = 6
    body_start: int = 7
    indicator_rows: dict[str, int] = field(default_factory=dict)
    sasaran_rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    budget_rows: dict[str, int] = field(default_factory=dict)
    body_end: int = 7  # exclusive
    total_row: int = 0
    capaian_note_row: int = 0  # what the capaian column compares, per kind of indicator
    narrative_rows: dict[str, int] = field(default_factory=dict)
    signature_rows: dict[str, int] = field(default_factory=dict)
    last_row: int = 0

    def input_cells(self, form: Form, quarter: int | None = None) -> list[InputCell]:
        """The cells the OPD fills; with ``quarter``, on that TW sheet (in a revised form a
        row the revision added is closed before it, one it removed from it on)."""
        cells: list[InputCell] = []
        for _, ind in form.indicators():
            r = self.indicator_rows[ind.id]
            cells.append(InputCell("ind_realisasi", ind.id, r, Q.IND_REAL))
            cells.append(InputCell("ind_keterangan", ind.id, r, Q.IND_KET))
        for row in form.budget_rows():
            r = self.budget_rows[row.id]
            if row.is_leaf and (quarter is None or row.open_in(quarter)):
                cells.append(InputCell("realisasi", row.id, r, Q.REAL))
            cells.append(InputCell("keterangan", row.id, r, Q.KET))
        for key, _ in NARRATIVES:
            cells.append(InputCell(key, None, self.narrative_rows[key], NARRATIVE_LABEL_LAST + 1))
        return cells

    @property
    def print_last_row(self) -> int:
        return self.last_row


@dataclass
class RekapLayout:
    title_row: int = 0
    opd_row: int = 1
    budget_title_row: int = 3
    budget_header_top: int = 4
    budget_header_bottom: int = 5
    budget_start: int = 6
    budget_rows: dict[str, int] = field(default_factory=dict)
    budget_total_row: int = 0
    indicator_title_row: int = 0
    indicator_header_top: int = 0
    indicator_header_bottom: int = 0
    sasaran_rows: dict[str, int] = field(default_factory=dict)
    indicator_rows: dict[str, int] = field(default_factory=dict)
    last_row: int = 0
    cols: RekapCols = PLAIN_REKAP


@dataclass
class MetaLayout:
    """The hidden sheet that carries the workbook's identity and its form as JSON."""

    #: ``register_id`` and ``signature``: the register that issued the form and its HMAC
    #: signature (see :mod:`xlkinerja.register`); empty in a form made without a register
    keys: tuple[str, ...] = ("marker", "template_version", "opd_code", "opd_name", "year",
                             "generator", "generated_at", "model_sha256", "model_chunks",
                             "register_id", "signature")
    key_col: int = 0  # a key a row in column A, its value in B
    value_col: int = 1
    chunk_col: int = 1
    chunk_start: int = 12
    chunk_size: int = 30000  # under Excel's 32,767 characters a cell

    def key_row(self, key: str) -> int:
        return self.keys.index(key)

    @property
    def chunk_label_row(self) -> int:
        """The row of the label above the form's JSON chunks."""
        return self.chunk_start - 1


META_MARKER = "xlkinerja-formulir"
#: the marker of the recap workbook (``xlkinerja consolidate``), in the same place
RECAP_MARKER = "xlkinerja-rekap"


class WorkbookLayout:
    """Everything about positions, for one form."""

    def __init__(self, form: Form, version: int = TEMPLATE_VERSION):
        """``version``: the template the workbook was made with (the reader reads a form
        issued with template 1, which had no capaian note row, by the rows it had)."""
        self.form = form
        self.version = version
        self.qcols = QuarterCols.for_version(version)
        self.quarter = self._quarter(form, version)
        self.rekap = self._rekap(form)
        self.meta = MetaLayout()

    @staticmethod
    def sheet_names(include_meta: bool = True, macro: bool = False) -> list[str]:
        """Sheets in workbook order. ``macro``: the .xlsm, which adds the visible
        `Hasil Validasi` sheet and the hidden `xlwings.conf` sheet before the metadata."""
        names = [SHEET_PETUNJUK, *QUARTER_SHEETS, SHEET_REKAP]
        if macro:
            names += [SHEET_HASIL, SHEET_XLWINGS_CONF]
        return names + [SHEET_META] if include_meta else names

    @staticmethod
    def sheet_codenames(macro: bool = True) -> dict[str, str]:
        """VBA code name of every sheet of the formulir (see :func:`sheet_codenames`)."""
        return sheet_codenames(WorkbookLayout.sheet_names(include_meta=True, macro=macro))

    @staticmethod
    def _quarter(form: Form, version: int = TEMPLATE_VERSION) -> QuarterLayout:
        q = QuarterLayout()
        r = q.body_start
        for s in form.sasaran:
            first = r
            for ind in s.indikator:
                q.indicator_rows[ind.id] = r
                r += 1
            q.sasaran_rows[s.id] = (first, max(first, r - 1))
        indicator_end = r
        r = q.body_start
        for row in form.budget_rows():
            q.budget_rows[row.id] = r
            r += 1
        q.body_end = max(indicator_end, r, q.body_start + 1)
        q.total_row = q.body_end
        q.capaian_note_row = q.total_row + 2
        r = q.capaian_note_row + 2 if version >= 2 else q.total_row + 2
        for key, _ in NARRATIVES:
            q.narrative_rows[key] = r
            r += 1
        r += 1
        q.signature_rows = {"jabatan": r, "name": r + 4, "pangkat": r + 5, "nip": r + 6}
        q.last_row = r + 6
        return q

    @staticmethod
    def _rekap(form: Form) -> RekapLayout:
        k = RekapLayout(cols=RekapCols.for_form(form))
        r = k.budget_start
        for row in form.budget_rows():
            k.budget_rows[row.id] = r
            r += 1
        k.budget_total_row = r
        k.indicator_title_row = r + 2
        k.indicator_header_top = r + 3
        k.indicator_header_bottom = r + 4
        r += 5
        for s in form.sasaran:
            k.sasaran_rows[s.id] = r
            r += 1
            for ind in s.indikator:
                k.indicator_rows[ind.id] = r
                r += 1
        k.last_row = r - 1
        return k

    # convenience -------------------------------------------------------------------------
    def leaf_level(self, ident: str) -> Level:
        for row in self.form.budget_rows():
            if row.id == ident:
                return row.level
        raise KeyError(ident)


# -- the macro-enabled workbook (.xlsm) -------------------------------------------------------

WORKBOOK_CODENAME = "ThisWorkbook"


def sheet_codenames(names: list[str]) -> dict[str, str]:
    """VBA code name of every sheet (hidden ones included): Sheet1..SheetN in sheet order, as
    Excel names them. A macro workbook's VBA project has one document module per code name."""
    return {name: f"Sheet{i}" for i, name in enumerate(names, start=1)}

MACRO_VALIDASI = "Validasi"
MACRO_KONSOLIDASI = "Konsolidasi"


@dataclass(frozen=True)
class ButtonPlace:
    """A form button: the VBA Sub it runs, its caption, and where it sits.

    ``row``/``col`` is the anchor cell; offsets and size are in pixels (xlsxwriter's
    convention; an offset wider than the anchor column carries on into the next columns).
    """

    macro: str
    caption: str
    row: int
    col: int
    x_offset: int
    y_offset: int
    width: int
    height: int


BUTTON_WIDTH, BUTTON_HEIGHT, BUTTON_GAP = 100, 24, 8


def _button_pair(row: int, col: int, x: int, y: int) -> list[ButtonPlace]:
    return [ButtonPlace(macro, macro, row, col, x + i * (BUTTON_WIDTH + BUTTON_GAP), y,
                        BUTTON_WIDTH, BUTTON_HEIGHT)
            for i, macro in enumerate((MACRO_VALIDASI, MACRO_KONSOLIDASI))]


class HV(IntEnum):
    """Columns of the `Hasil Validasi` sheet: one finding a row, and (hidden) the register of
    the cells the button marked, so that the next run can take the marks off again."""

    NO = 0
    TINGKAT = 1  # severity label: GALAT / PERINGATAN / INFO
    SHEET = 2
    SEL = 3  # HYPERLINK to the cell
    KODE = 4
    PESAN = 5
    MARK_SHEET = 7  # hidden from here on
    MARK_CELL = 8
    MARK_FILL = 9  # the cell's fill before marking: "#RRGGBB", or empty for none
    MARK_NOTE = 10  # "1" when the button added the cell's note


@dataclass(frozen=True)
class HasilLayout:
    title_row: int = 0
    summary_row: int = 1  # counts, time, or the reason validation could not run
    legend_row: int = 2  # what the marks mean
    header_row: int = 4
    first_row: int = 5  # first finding (and first register entry)
    buttons_col: int = HV.KODE  # the buttons sit right of the title


@dataclass(frozen=True)
class XlwingsConfLayout:
    """The hidden `xlwings.conf` sheet: xlwings reads key/value pairs from A1 down to the
    first empty row (``GetConfigFromSheet`` in xlwings.bas); our notes start below a gap."""

    n_settings: int
    key_col: int = 0
    value_col: int = 1

    @property
    def settings_row(self) -> int:
        return 0

    @property
    def version_row(self) -> int:
        """Label and version of the xlwings VBA module embedded in the workbook."""
        return self.n_settings + 1

    @property
    def notes_row(self) -> int:
        return self.version_row + 2


def button_places(sheet: str) -> list[ButtonPlace]:
    """The buttons of ``sheet`` in the .xlsm, where a user finds them without searching.

    Quarter sheets and Rekap Tahunan: top left, in the title row (the title is centred over
    the whole table, so the left of its row is empty, and the row stays on screen with the
    frozen header). Petunjuk: right of the title. Hasil Validasi: right of its title.
    """
    if sheet in QUARTER_SHEETS:
        return _button_pair(QuarterLayout.title_row, Q.NO, 4, 1)
    if sheet == SHEET_REKAP:
        return _button_pair(RekapLayout.title_row, R.KODE, 4, 1)
    if sheet == SHEET_PETUNJUK:
        return _button_pair(PETUNJUK_FIRST_ROW, PETUNJUK_TEXT_COL + 1, 8, 1)
    if sheet == SHEET_HASIL:
        return _button_pair(HasilLayout.title_row, HasilLayout.buttons_col, 4, 1)
    return []


# -- the master template (``xlkinerja master``) ---------------------------------------------

class MasterLayout:
    """The master template: a sheet per table (header row, then a row per record, a column per
    :class:`~xlkinerja.form.masterformat.Column` in order) and a Petunjuk sheet (a margin
    column, the text in B). The master reader finds its header by name, anywhere near the top,
    so that a planner's own sheet reads too; this is where the template puts it."""

    header_row = 0
    first_row = 1  # the first record; validations and formats reach ``first_row + rows - 1``
    first_col = 0
    petunjuk_margin_col = 0
    petunjuk_text_col = 1
    petunjuk_first_row = 0

    @classmethod
    def column_ref(cls, col: int, rows: int, sheet: str | None = None) -> str:
        """Absolute reference of column ``col``'s records (``rows`` of them), e.g. for a list
        validation: ``=OPD!$A$2:$A$20001``."""
        ref = f"{a1(cls.first_row, col, True)}:{a1(cls.first_row + rows - 1, col, True)}"
        return f"{sheet}!{ref}" if sheet else ref
