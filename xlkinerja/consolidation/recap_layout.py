"""Where every cell of the recap workbook is: the one place that knows a row or column of it.

The recap writer (:mod:`.recap`), the Konsolidasi button that rewrites a recap in place
(:mod:`xlkinerja.desk.refresh`), the exports (:mod:`.run`, whose column names are the long tables'
keys) and the tests ask this module; nothing else writes a number for a position. Adding a
column to a sheet is one edit here: a :class:`Col` in the sheet's column list (plus, for a
long table, its value in the row tuples of :mod:`.figures`).

Rows and columns are 0-based, as in XlsxWriter; :func:`~xlkinerja.workbook.layout.a1` gives
Excel's notation. The formulir's positions are :mod:`xlkinerja.workbook.layout`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from xlkinerja.form.model import QUARTERS, ROMAN
from xlkinerja.workbook.layout import (BUTTON_HEIGHT, BUTTON_WIDTH, MACRO_KONSOLIDASI, SHEET_META,
                                       SHEET_XLWINGS_CONF, ButtonPlace)

SHEET_RINGKASAN = "Ringkasan"
SHEET_STATUS = "Status Pengiriman"
SHEET_RINCIAN = "Rincian Anggaran"
SHEET_INDIKATOR = "Indikator"
SHEET_TEMUAN = "Temuan Validasi"
SHEET_TIDAK_DIHITUNG = "Tidak Dihitung"
SHEET_GRAFIK = "Grafik"
SHEET_PEMBANDING = "Pembanding"
OPD_CHART_SERIES = "% realisasi setahun"  # the series of Grafik's per-OPD chart

#: the two heading rows every visible sheet of the recap starts with (title, then subtitle),
#: each merged over the sheet's columns
TITLE_ROW = 0
SUBTITLE_ROW = 1
FIRST_COL = 0  # every sheet's tables and headings start in column A


@dataclass(frozen=True)
class Col:
    """One column of a recap sheet: a key (the export's column name, for a long table), the
    header a user reads, the width in characters, and the cell style (Formats properties)."""

    key: str
    header: str
    width: float
    style: tuple[tuple[str, Any], ...] = ()

    @property
    def props(self) -> dict[str, Any]:
        return dict(self.style)


MONEY = (("num_format", "#,##0"),)
PERCENT = (("num_format", "0.00%"),)
CAPAIAN = (("num_format", "0%"),)
WRAP = (("text_wrap", True),)


def _index(cols: tuple[Col, ...], key: str) -> int:
    for i, col in enumerate(cols):
        if col.key == key:
            return i
    raise KeyError(key)


# -- Ringkasan --------------------------------------------------------------------------------

RINGKASAN_COLUMNS = (
    Col("no", "NO.", 5), Col("kode_opd", "KODE OPD", 10), Col("nama_opd", "PERANGKAT DAERAH", 36),
    Col("pagu_murni", "PAGU MURNI", 18), Col("pagu", "PAGU PERUBAHAN", 18),
    *(Col(f"tw_{q}", f"REALISASI TW {ROMAN[q]}", 17) for q in QUARTERS),
    Col("realisasi_setahun", "REALISASI SETAHUN", 18), Col("persen", "% REALISASI", 11),
    Col("jumlah_indikator", "JUMLAH INDIKATOR", 11), Col("indikator_terukur", "INDIKATOR TERUKUR", 11),
    Col("capaian", "RATA-RATA CAPAIAN", 11), Col("predikat", "PREDIKAT", 14),
    Col("status", "STATUS", 15), Col("catatan", "CATATAN", 34), Col("galat", "GALAT", 8),
    Col("peringatan", "PERINGATAN", 11),
)


class RecapLayout:
    """The recap's sheets, the columns and rows of Ringkasan (0-based), the button, the charts."""

    sheets = (SHEET_RINGKASAN, SHEET_STATUS, SHEET_RINCIAN, SHEET_INDIKATOR, SHEET_TIDAK_DIHITUNG,
              SHEET_TEMUAN, SHEET_GRAFIK, SHEET_PEMBANDING)
    #: sheets a recap made before they existed lacks: the Konsolidasi button leaves them out
    #: there rather than refusing the whole refresh
    later_sheets = (SHEET_PEMBANDING,)

    title_row = TITLE_ROW
    title_height = 20  # points: room for the button of the .xlsm (the same in the .xlsx)
    info_row = SUBTITLE_ROW
    header_row = 3
    header_height = 30
    first_row = 4

    columns = RINGKASAN_COLUMNS
    NO = _index(columns, "no")
    KODE = _index(columns, "kode_opd")
    NAMA = _index(columns, "nama_opd")
    PAGU_MURNI = _index(columns, "pagu_murni")
    PAGU = _index(columns, "pagu")  # in force at year end (the perubahan; murni if none)
    TW1, TW2, TW3, TW4 = (_index(RINGKASAN_COLUMNS, f"tw_{q}") for q in QUARTERS)
    TOTAL = _index(columns, "realisasi_setahun")
    PERSEN = _index(columns, "persen")
    N_IND = _index(columns, "jumlah_indikator")
    N_UKUR = _index(columns, "indikator_terukur")
    CAPAIAN = _index(columns, "capaian")
    PREDIKAT = _index(columns, "predikat")
    STATUS = _index(columns, "status")
    CATATAN = _index(columns, "catatan")
    GALAT = _index(columns, "galat")
    PERINGATAN = _index(columns, "peringatan")
    TW = (TW1, TW2, TW3, TW4)
    LAST = len(columns) - 1
    headers = [c.header for c in columns]
    widths = [c.width for c in columns]
    #: the label of the total row is merged over these columns
    TOTAL_LABEL = (NO, NAMA)

    @classmethod
    def total_row(cls, n_opd: int) -> int:
        return cls.first_row + max(n_opd, 1)

    @classmethod
    def senders_row(cls, n_opd: int) -> int:
        """Below the city's total (pagu of every form issued): the pagu, realisasi and % of the
        OPD that reported a realisasi only."""
        return cls.total_row(n_opd) + 1

    @classmethod
    def last_opd_row(cls, n_opd: int) -> int:
        """The row of the last OPD (the first row when there is none: a column range stays valid)."""
        return cls.total_row(n_opd) - 1

    @classmethod
    def sheet_names(cls, macro: bool = False) -> list[str]:
        """All sheets in order, hidden ones included; the .xlsm adds `xlwings.conf`."""
        return [*cls.sheets, *([SHEET_XLWINGS_CONF] if macro else []), SHEET_META]

    @classmethod
    def data_sheets(cls) -> list[str]:
        """The sheets a consolidation writes (all but `xlwings.conf`): what the Konsolidasi
        button rewrites in the open workbook."""
        return [*cls.sheets, SHEET_META]

    @classmethod
    def buttons(cls, sheet: str) -> list[ButtonPlace]:
        """The .xlsm's button: Konsolidasi on Ringkasan, at the left of the title row (the
        title is centred over the whole table; the row stays on screen with the frozen
        header). Validasi belongs to the formulir: a recap has nothing to check."""
        if sheet != SHEET_RINGKASAN:
            return []
        return [ButtonPlace(MACRO_KONSOLIDASI, MACRO_KONSOLIDASI, cls.title_row, cls.NO, 4, 1,
                            BUTTON_WIDTH, BUTTON_HEIGHT)]

    @classmethod
    def freeze(cls) -> tuple[int, int]:
        """Frozen panes: the header rows and the columns up to the OPD's name."""
        return cls.first_row, cls.NAMA + 1

    # -- Grafik -----------------------------------------------------------------------------
    #: index of the per-OPD chart among Grafik's charts, in the order they are inserted
    #: (Excel's ChartObjects order): the city's realisasi per quarter first, then this one
    OPD_CHART = 1

    @classmethod
    def opd_chart_rows(cls, n_opd: int) -> tuple[int, int]:
        """First and last Ringkasan row of the per-OPD chart (categories NAMA, values PERSEN)."""
        return cls.first_row, cls.last_opd_row(n_opd)

    @staticmethod
    def opd_chart_height(n_opd: int) -> int:
        """Height in pixels of the per-OPD bar chart: a bar per OPD stays legible."""
        return max(320, 22 * n_opd + 120)


# -- Status Pengiriman ------------------------------------------------------------------------

class StatusLayout:
    """Status Pengiriman: a row per OPD with a block of three columns per triwulan (two header
    rows), then, below a gap, every file read, a row each."""

    header_top = 3  # NO./KODE/NAMA merged over both header rows; TRIWULAN x over its block
    header_bottom = 4  # STATUS / BERKAS / DITERIMA of each block
    first_row = 5
    NO, KODE, NAMA = 0, 1, 2
    lead_headers = ("NO.", "KODE OPD", "PERANGKAT DAERAH")
    lead_widths = (5, 10, 32)
    block_headers = ("STATUS", "BERKAS", "DITERIMA")
    block_widths = (12, 28, 16)
    BLOCK_STATUS, BLOCK_FILE, BLOCK_TIME = 0, 1, 2  # offsets inside a triwulan's block
    gap = 2  # empty rows between the OPD table and the file list

    files_headers = ("NO.", "KODE OPD", "BERKAS", "TW", "STATUS", "DIGANTIKAN OLEH",
                     "DITERIMA", "GALAT/PERINGATAN", "CATATAN")
    F_NO, F_KODE, F_BERKAS, F_TW, F_STATUS, F_SUPERSEDED, F_SAVED, F_COUNTS, F_NOTE = range(9)

    @classmethod
    def block(cls, q: int) -> int:
        """First column of triwulan ``q``'s block."""
        return len(cls.lead_headers) + len(cls.block_headers) * QUARTERS.index(q)

    @classmethod
    def widths(cls) -> list[float]:
        return [*cls.lead_widths, *cls.block_widths * len(QUARTERS)]

    @classmethod
    def last_col(cls) -> int:
        return len(cls.widths()) - 1

    @classmethod
    def files_title_row(cls, n_opd: int) -> int:
        """The row of the file list's title (its header follows, then a file a row)."""
        return cls.first_row + n_opd + cls.gap

    @classmethod
    def freeze(cls) -> tuple[int, int]:
        return cls.first_row, cls.NAMA + 1

    @classmethod
    def repeat(cls) -> tuple[int, int]:
        return cls.header_top, cls.header_bottom


# -- the long tables: Rincian Anggaran, Indikator, Temuan Validasi -----------------------------

@dataclass(frozen=True)
class LongTable:
    """A long sheet: the heading rows, a note or an Excel table from ``header_row`` down (one
    data row at least), one :class:`Col` per column. ``percent``: the keys of a column written
    as the formula realisasi / pagu, and of its realisasi and pagu columns."""

    sheet: str
    columns: tuple[Col, ...]
    subtitle: str
    percent: tuple[str, str, str] | None = None
    header_row: int = 3
    note_height: int = 36  # the row of the note shown instead of a table too long for Excel
    style_name: str = "Table Style Light 9"

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def widths(self) -> list[float]:
        return [c.width for c in self.columns]

    @property
    def last_col(self) -> int:
        return len(self.columns) - 1

    @property
    def table_name(self) -> str:
        return self.sheet.replace(" ", "")

    def col(self, key: str) -> int:
        return _index(self.columns, key)

    def percent_cols(self) -> tuple[int, int, int] | None:
        """(column of %, of realisasi, of pagu), or None."""
        return tuple(self.col(k) for k in self.percent) if self.percent else None

    def last_row(self, n_rows: int) -> int:
        """The table's last row for ``n_rows`` data rows (an empty table keeps one blank row)."""
        return self.first_row + max(n_rows, 1) - 1

    def freeze(self) -> tuple[int, int]:
        """Frozen panes: the rows down to the header, no column."""
        return self.first_row, FIRST_COL

    def with_header(self, key: str, header: str) -> "LongTable":
        """The same table with column ``key`` headed ``header``."""
        return replace(self, columns=tuple(replace(c, header=header) if c.key == key else c
                                           for c in self.columns))


RINCIAN = LongTable(
    SHEET_RINCIAN,
    (Col("kode_opd", "Kode OPD", 10), Col("nama_opd", "Perangkat Daerah", 28),
     Col("kode", "Kode", 18), Col("id", "Id", 20), Col("uraian", "Uraian", 48),
     Col("tingkat", "Tingkat", 12), Col("pagu_murni", "Pagu Murni", 17, MONEY),
     Col("pagu_perubahan", "Pagu Perubahan", 17, MONEY),
     Col("pagu", "Pagu Berlaku", 17, MONEY),
     Col("triwulan", "Triwulan", 9), Col("dasar", "Dasar Pagu", 11),
     Col("realisasi", "Realisasi", 17, MONEY),
     Col("persen", "% Realisasi", 11, PERCENT)),
    "Setiap baris anggaran setiap perangkat daerah per triwulan (realisasi triwulan itu saja). "
    "Pagu Berlaku: pagu yang berlaku pada triwulan itu (murni sebelum perubahan anggaran, "
    "perubahan sesudahnya); % terhadapnya. Gunakan filter di judul kolom.",
    percent=("persen", "realisasi", "pagu"))

INDIKATOR = LongTable(
    SHEET_INDIKATOR,
    (Col("kode_opd", "Kode OPD", 10), Col("nama_opd", "Perangkat Daerah", 26),
     Col("sasaran", "Sasaran", 36), Col("id", "Id", 18), Col("indikator", "Indikator", 36),
     Col("satuan", "Satuan", 9), Col("target", "Target", 9), Col("target_atas", "Target Atas", 9),
     Col("tw_i", "TW I", 9), Col("tw_ii", "TW II", 9), Col("tw_iii", "TW III", 9),
     Col("tw_iv", "TW IV", 9), Col("realisasi_akhir", "Realisasi Akhir", 11),
     Col("capaian", "Capaian", 10, CAPAIAN), Col("capaian_tanpa_batas", "Capaian Tanpa Batas", 11, CAPAIAN),
     Col("predikat", "Predikat", 13)),
    "Realisasi indikator dalam satuannya (persen ditulis 66,5 untuk 66,5%); capaian dan predikat "
    "dihitung ulang.")

def indikator_table(quarter: int | None) -> LongTable:
    """Indikator as a run at ``quarter`` writes it: the running value headed "Realisasi s.d.
    TW II", and "Realisasi Setahun" only at TW IV (the export's key stays realisasi_akhir)."""
    from xlkinerja.workbook.calc import running_label

    label = running_label(quarter, "Realisasi").replace("SETAHUN", "Setahun")
    return INDIKATOR.with_header("realisasi_akhir", label)


TEMUAN = LongTable(
    SHEET_TEMUAN,
    (Col("berkas", "Berkas", 30), Col("kode_opd", "Kode OPD", 10),
     Col("nama_opd", "Perangkat Daerah", 26), Col("sheet", "Sheet", 14), Col("sel", "Sel", 7),
     Col("tingkat", "Tingkat", 11), Col("kode", "Kode", 30), Col("pesan", "Pesan", 90, WRAP)),
    "Semua temuan pemeriksaan setiap berkas, dan temuan penggabungan (kiriman ulang, konflik, "
    "berkas ditolak).")

#: entries of the files used that no figure counts (the rows of
#: :meth:`xlkinerja.consolidation.figures.Uncounted.row`); the subtitle says how many
TIDAK_DIHITUNG = LongTable(
    SHEET_TIDAK_DIHITUNG,
    (Col("kode_opd", "Kode OPD", 10), Col("nama_opd", "Perangkat Daerah", 26),
     Col("berkas", "Berkas", 30), Col("triwulan", "Triwulan", 9), Col("sheet", "Sheet", 10),
     Col("sel", "Sel", 7), Col("jenis", "Jenis", 10), Col("uraian", "Uraian / Indikator", 40),
     Col("isi_sel", "Isi Sel", 18), Col("alasan", "Alasan dan perbaikan", 80, WRAP)),
    "Isian yang tidak dihitung dalam jumlah maupun capaian rekap ini.")


DECIMALS = (("num_format", "0.00"),)
MEAN = (("num_format", "0.000"),)

PEMBANDING = LongTable(
    SHEET_PEMBANDING,
    (Col("rujukan", "Sumber", 30, WRAP), Col("kode_opd", "Kode OPD", 10),
     Col("nama_opd", "Perangkat Daerah", 24, WRAP), Col("indikator", "Indikator", 24, WRAP),
     Col("ukuran", "Ukuran", 24, WRAP), Col("pemda", "Pemerintah Daerah", 16),
     Col("dilaporkan", "Realisasi Dilaporkan OPD", 11, DECIMALS),
     Col("nilai", "Nilai Terbitan", 10, DECIMALS), Col("kategori", "Kategori", 9),
     Col("peringkat", "Peringkat", 9), Col("jumlah_pembanding", "Pembanding Bernilai", 11),
     Col("tanpa_nilai", "Tanpa Nilai (tidak dihitung)", 12),
     Col("tanpa_nilai_na", "NA", 6), Col("tanpa_nilai_bintang", "*NA", 6),
     Col("rerata_nasional", "Rerata Nasional", 10, MEAN),
     Col("median_nasional", "Median Nasional", 10, DECIMALS), Col("provinsi", "Provinsi", 18),
     Col("rerata_kabkota_provinsi", "Rerata Kab/Kota se-Provinsi", 12, MEAN),
     Col("jumlah_kabkota_provinsi", "Kab/Kota se-Provinsi Bernilai", 12),
     Col("kabkota_provinsi_tidak_tercantum", "Kab/Kota se-Provinsi Tidak Tercantum", 16, WRAP),
     Col("nilai_provinsi", "Nilai Provinsi", 10, DECIMALS),
     Col("kategori_provinsi", "Kategori Provinsi", 9), Col("sumber", "Id Sumber", 11)),
    "Indikator bersumber resmi dibandingkan dengan sesamanya (kota dengan kota, kabupaten dengan "
    "kabupaten, provinsi dengan provinsi). Nilai NA, *NA dan - tidak dihitung dalam rerata, median "
    "dan peringkat; jumlahnya di kolom Tanpa Nilai.")

LONG_TABLES = {t.sheet: t for t in (RINCIAN, INDIKATOR, TIDAK_DIHITUNG, TEMUAN)}


class PembandingLayout:
    """Pembanding: the table of benchmarks (:data:`PEMBANDING`, also the exports' columns), then,
    below it, one block per source and pemda: the peers' values highest first (name, rank,
    value, national mean) with a column chart beside it, the pemda's bar in its own colour."""

    table = PEMBANDING
    gap = 2  # empty rows between the table and a block, and between blocks
    NAME, RANK, VALUE, MEAN = 0, 1, 2, 3  # a block's columns
    block_headers = ("Pemerintah Daerah", "Peringkat", "Nilai", "Rerata Nasional")
    chart_col = 5  # the chart's top-left column, on the block's title row
    chart_width = 900
    chart_min_rows = 24  # a block takes at least the chart's height in rows
    PEMDA_COLOUR = "#C00000"
    PEERS_COLOUR = "#9DC3E6"

    @classmethod
    def first_block_row(cls, n_rows: int) -> int:
        return cls.table.last_row(n_rows) + 1 + cls.gap

    @classmethod
    def block_rows(cls, n_peers: int) -> int:
        """Rows a block takes: title, header, a row per peer (at least the chart's height)."""
        return max(2 + n_peers, cls.chart_min_rows)

    @staticmethod
    def chart_height(n_peers: int) -> int:
        return max(360, min(560, 4 * n_peers + 200))


# -- Grafik -----------------------------------------------------------------------------------

class GrafikLayout:
    """Grafik: a small table of the city's realisasi per triwulan (what the column chart
    shows), the column chart beside it, the per-OPD bar chart below."""

    widths = [2, 12, 22] + [12] * 18
    heading_last_col = 16
    header_row = 3
    first_row = 4  # TW I; TW IV three rows below
    LABEL, VALUE = 1, 2
    headers = ("Triwulan", "Realisasi kota")
    city_chart_at = (3, 4)
    city_chart_size = (720, 300)
    opd_chart_at = (19, 1)
    opd_chart_width = 960

    @classmethod
    def quarter_row(cls, q: int) -> int:
        return cls.first_row + QUARTERS.index(q)

    @classmethod
    def last_row(cls) -> int:
        return cls.quarter_row(QUARTERS[-1])


# -- _xlkinerja ---------------------------------------------------------------------------------

class RecapMetaLayout:
    """The recap's hidden `_xlkinerja` sheet: a key a row, key in column A, value in B."""

    KEY, VALUE = 0, 1
