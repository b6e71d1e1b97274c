"""Write a master: the empty template (with example rows), or the master of existing specs.

The workbook is meant to be filled by planning staff who paste a DPA export: one sheet per
table, a header row with a note on every column, dropdowns and input messages in Bahasa
Indonesia, text format on code and NIP columns (so Excel keeps "4.10" and all 18 digits of a
NIP), frozen header, filter buttons, print setup; and a Petunjuk sheet generated from the
same column definitions the reader uses. The CSV variant writes what Indonesian Excel writes
with "Simpan sebagai CSV": semicolons, UTF-8 with BOM, 25.338.739.129 and 2,7.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, Iterable

import xlsxwriter

from xlkinerja.base.version import __version__
from xlkinerja.form import codes
from xlkinerja.base.atomic import atomic_path
from xlkinerja.form.formcheck import TemplateSpec
from xlkinerja.form.masterformat import (ANGGARAN, ANNUAL_CHOICES, EXAMPLE_OPD, FREQUENCY_CHOICES, INDIKATOR,
                           LEVEL_CHOICES, LOWER_CHOICES, OPD, POLARITY_CHOICES, TABLES, Column,
                           Table)
from xlkinerja.base.numbers import format_decimal, format_number
from xlkinerja.workbook.layout import MasterLayout as ML
from xlkinerja.workbook.layout import a1
from xlkinerja.form.spec import parse_spec
from xlkinerja.form.yamlsource import DocumentError, Problem, load_located

__all__ = ["MasterRows", "example_rows", "spec_rows", "write_master_xlsx", "write_master_csv"]

MasterRows = dict[str, list[dict[str, Any]]]  # table key -> rows, each by column key

DATA_ROWS = 20_000  # validation and formats reach this far below the header
REQUIRED_FILL, OPTIONAL_FILL = "#1F4E79", "#5B7DB1"
EXAMPLE_FONT = "#7F7F7F"
PAPER_FOLIO = 14


# -- what goes in ------------------------------------------------------------------------------

def example_rows() -> MasterRows:
    """The template's example: the spec example of docs/spec-format.md, under Kode OPD CONTOH (skipped)."""
    opd = {"kode_opd": EXAMPLE_OPD, "nama_opd": "Sekretariat Daerah Kota Contoh"}
    return {
        "opd": [{**opd, "tahun": 2025, "jabatan": "SEKRETARIS DAERAH KOTA CONTOH",
                 "nama_ttd": "Dra. Siti Aminah, M.Si", "pangkat": "Pembina Utama Muda",
                 "nip": "197203151998032002", "batas_capaian": 100, "rumus_turun": "pmk"}],
        "anggaran": [
            {**opd, "kode": "X.XX.01", "level": "Program", "pagu": 350_000_000,
             "uraian": "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota"},
            {**opd, "kode": "X.XX.01.2.01", "level": "Kegiatan", "pagu": 350_000_000,
             "uraian": "Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah"},
            {**opd, "kode": "X.XX.01.2.01.0001", "level": "Sub Kegiatan", "pagu": 150_000_000,
             "uraian": "Penyusunan Dokumen Perencanaan Perangkat Daerah"},
            {**opd, "level": "Sub Kegiatan", "pagu": 200_000_000, "id": "evaluasi-kinerja",
             "uraian": "Evaluasi Kinerja Perangkat Daerah"},
        ],
        "indikator": [
            {**opd, "sasaran": "Meningkatkan akuntabilitas kinerja Sekretariat Daerah",
             "indikator": "Nilai SAKIP", "target": 70, "satuan": "nilai",
             "cara_pengukuran": "Penilaian dari KEMENPAN RB", "polaritas": "naik",
             "frekuensi": "tahunan", "nilai_tahunan": "terakhir"},
            {**opd, "indikator": "Rata-rata lama penyelesaian dokumen", "target": 5,
             "satuan": "hari", "polaritas": "turun", "frekuensi": "triwulanan",
             "cara_pengukuran": "Jumlah hari penyelesaian dibagi jumlah dokumen",
             "nilai_tahunan": "rata-rata"},
            {**opd, "indikator": "Persentase kegiatan tepat waktu", "target": 90, "satuan": "%",
             "cara_pengukuran": "Kegiatan tepat waktu dibagi seluruh kegiatan x 100%",
             "polaritas": "naik", "frekuensi": "triwulanan", "nilai_tahunan": "terakhir"},
        ],
    }


def spec_rows(text: str, source: str) -> MasterRows:
    """The master rows of a YAML spec: generating from them gives the spec's own form.

    Codes are kept as the spec writes them (X.XX stays X.XX), ids are written only where the
    master would not make the same one itself, and parents carry their pagu as a check.
    """
    spec = parse_spec(text, source)  # DocumentError when the spec itself is wrong
    raw = load_located(text, source).data
    return _form_rows(spec, raw, source)


def _form_rows(spec: TemplateSpec, raw: dict, source: str) -> MasterRows:
    form = spec.form
    cap = form.capaian.display_cap
    opd = {"kode_opd": form.opd_code, "nama_opd": form.opd_name}
    sig = form.signatory
    rows: MasterRows = {"opd": [{
        **opd, "tahun": form.year, "jabatan": sig.jabatan, "nama_ttd": sig.name,
        "pangkat": sig.pangkat, "nip": sig.nip, "kata_sandi": spec.password,
        "batas_capaian": "tanpa" if cap is None else round(cap * 100, 6),
        "rumus_turun": LOWER_CHOICES[form.capaian.lower_formula], "pemda": form.pemda}],
        "anggaran": [], "indikator": []}

    def budget(row, node: dict) -> None:
        code = node.get("code")
        default = row.code or codes.slugify(row.name)
        rows["anggaran"].append({
            **opd, "kode": str(code) if code is not None else None, "uraian": row.name,
            "level": LEVEL_CHOICES[row.level], "pagu": row.pagu,
            "id": row.id if row.id != default else None})
        key = {"program": "kegiatan", "kegiatan": "sub_kegiatan"}.get(row.level.value)
        for child, child_node in zip(row.children, node.get(key) or []):
            budget(child, child_node)

    for program, node in zip(form.programs, raw.get("program") or []):
        budget(program, node)

    texts = [s.text for s in form.sasaran]
    for s in form.sasaran:
        if texts.count(s.text) > 1:
            raise DocumentError(source, [Problem((), None, (
                f"dua sasaran bertulisan sama ({s.text!r}); di master keduanya menjadi satu "
                "sasaran: bedakan tulisannya dulu"))], kind="spesifikasi")
        for ind in s.indikator:
            rows["indikator"].append({
                **opd, "sasaran": s.text, "indikator": ind.text, "target": ind.target,
                "target_atas": ind.target_high, "satuan": ind.unit,
                "cara_pengukuran": ind.cara_pengukuran,
                "polaritas": POLARITY_CHOICES[ind.polarity],
                "frekuensi": FREQUENCY_CHOICES[ind.frequency],
                "nilai_tahunan": ANNUAL_CHOICES[ind.annual],
                "id_sasaran": s.id if s.id != codes.slugify(s.text) else None,
                "id_indikator": ind.id if ind.id != codes.slugify(ind.text) else None,
                "sumber": ind.sumber})
    return rows


def merge_rows(parts: Iterable[MasterRows]) -> MasterRows:
    out: MasterRows = {t.key: [] for t in TABLES}
    for part in parts:
        for key, rows in part.items():
            out[key].extend(rows)
    return out


# -- xlsx --------------------------------------------------------------------------------------

def _short(text: str, limit: int = 255) -> str:
    """Excel's input messages hold 255 characters: cut at a sentence that fits."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return cut[:end + 1] if end > 0 else cut[:limit - 1] + "…"


class _Book:
    def __init__(self, wb):
        self.wb = wb
        self.cache: dict[tuple, Any] = {}

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.wb.add_format({"font_name": "Arial", "font_size": 10,
                                                  "valign": "top", **props})
        return self.cache[key]


_NUM_FORMAT = {"code": "@", "nip": "@", "number": "@", "amount": "#,##0", "integer": "0"}


def _cell_props(col: Column) -> dict:
    props: dict[str, Any] = {"num_format": _NUM_FORMAT.get(col.kind, "General")}
    if col.kind in ("integer", "number"):
        props["align"] = "center"
    return props


def write_master_xlsx(rows: MasterRows, path: str | Path, examples: bool = False,
                      created: dt.datetime | None = None) -> Path:
    """Write the master workbook atomically; ``examples`` styles the rows as the template's."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False,
                                            "strings_to_formulas": False,
                                            "strings_to_urls": False})
        wb.set_properties({
            "title": "Master Formulir Pengukuran Kinerja Perangkat Daerah",
            "subject": "Data OPD, anggaran (DPA) dan indikator untuk membuat formulir per OPD",
            "author": "xlkinerja", "comments": f"Dibuat dengan xlkinerja {__version__}",
            "created": created or dt.datetime.now().replace(microsecond=0)})
        book = _Book(wb)
        _petunjuk(book, wb.add_worksheet("Petunjuk"))
        for table in TABLES:
            _table_sheet(book, wb.add_worksheet(table.sheet), table, rows.get(table.key, []),
                         examples)
        wb.close()
    return path


def _table_sheet(book: _Book, ws, table: Table, rows: list[dict], examples: bool) -> None:
    n = len(rows)
    last = ML.first_row + max(n, 1) - 1  # a table needs one data row
    columns = []
    for j, col in enumerate(table.columns):
        ws.set_column(j, j, col.width, book.fmt(**_cell_props(col)))
        columns.append({"header": col.header, "header_format": book.fmt(
            bold=True, font_color="#FFFFFF", text_wrap=True, valign="vcenter", border=1,
            bg_color=REQUIRED_FILL if col.required else OPTIONAL_FILL)})
    ws.add_table(ML.header_row, ML.first_col, last, ML.first_col + len(table.columns) - 1, {
        "name": f"tabel_{table.sheet}", "style": "Table Style Light 1", "columns": columns})
    ws.set_row(ML.header_row, 30)
    for i, row in enumerate(rows, start=ML.first_row):
        for j, col in enumerate(table.columns):
            value = row.get(col.key)
            props = _cell_props(col)
            if examples:
                props.update(italic=True, font_color=EXAMPLE_FONT)
            f = book.fmt(**props)
            if value is None:
                if examples:
                    ws.write_blank(i, j, None, f)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(i, j, value, f)
            else:
                ws.write_string(i, j, str(value), f)
    for j, col in enumerate(table.columns):
        need = "wajib" if col.required else "opsional"
        ws.write_comment(ML.header_row, j, f"{col.header} ({need})\n{col.note}",
                         {"author": "xlkinerja", "x_scale": 2.4, "y_scale": 1.8, "font_size": 9})
        ws.data_validation(ML.first_row, j, ML.first_row + DATA_ROWS - 1, j,
                           _validation(table, col, j))
    ws.freeze_panes(ML.first_row, ML.first_col)  # the header row, no column
    ws.set_zoom(90)
    ws.set_landscape()
    ws.set_paper(PAPER_FOLIO)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(ML.header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(f"&L&8Master formulir · sheet {table.sheet}&R&8Halaman &P dari &N")


def _validation(table: Table, col: Column, j: int) -> dict:
    title = col.header[:32]
    message = _short(col.note if col.required else f"Opsional. {col.note}")
    v: dict[str, Any] = {"validate": "any", "input_title": title, "input_message": message}
    if col.kind == "choice":
        v = {"validate": "list", "source": list(col.choices), "input_title": title,
             "input_message": message, "error_title": f"{col.header} tidak dikenal"[:32],
             "error_message": _short(f"Pilih dari daftar: {', '.join(col.choices)}.")}
    elif col.key == "kode_opd" and table is not OPD:
        ref = "=" + ML.column_ref(OPD.col_index("kode_opd"), DATA_ROWS, OPD.sheet)
        v = {"validate": "list", "source": ref, "input_title": title, "input_message": message,
             "error_type": "warning", "error_title": "Kode OPD belum terdaftar",
             "error_message": "Kode OPD ini belum ada di sheet OPD. Tambahkan OPD-nya di sheet "
                              "OPD (dengan penanda tangan), atau periksa ketikannya."}
    elif col.kind == "amount":
        v = {"validate": "decimal", "criteria": ">=", "value": 0, "input_title": title,
             "input_message": message, "error_title": "Pagu tidak sah",
             "error_message": "Pagu harus angka rupiah >= 0, tanpa 'Rp', mis. 150000000."}
    elif col.kind == "integer":
        v = {"validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
             "input_title": title, "input_message": message, "error_title": "Tahun tidak sah",
             "error_message": "Tulis tahun anggaran empat angka, mis. 2024."}
    elif col.kind == "nip":
        cell = a1(ML.first_row, j)
        v = {"validate": "custom", "value": f'=LEN(SUBSTITUTE({cell}," ",""))=18',
             "input_title": title, "input_message": message, "error_type": "warning",
             "error_title": "NIP harus 18 digit",
             "error_message": "NIP terdiri dari 18 digit (spasi boleh). Periksa kembali."}
    return v


def petunjuk_lines() -> list[tuple[str, str]]:
    """(style, text) of the Petunjuk sheet; styles: title, heading, text, required, optional."""
    out: list[tuple[str, str]] = [
        ("title", "MASTER FORMULIR PENGUKURAN KINERJA PERANGKAT DAERAH"),
        ("text", "Berkas ini memuat data semua OPD. Dari berkas ini xlkinerja membuat satu "
                 "workbook formulir untuk setiap OPD, lengkap dengan pagu, indikator, dan penanda "
                 "tangannya."),
        ("heading", "1. Langkah"),
        ("text", f"a. Sheet {OPD.sheet}: satu baris per OPD: kode, nama, tahun, dan penanda "
                 "tangan (jabatan, nama, pangkat, NIP)."),
        ("text", f"b. Sheet {ANGGARAN.sheet}: tempel baris DPA semua OPD, urut seperti di DPA: "
                 "baris program, lalu kegiatannya, masing-masing diikuti sub kegiatannya. Kolom "
                 "Kode OPD menandai pemilik setiap baris. Kode boleh kosong bila Level diisi."),
        ("text", f"c. Sheet {INDIKATOR.sheet}: satu baris per indikator sasaran."),
        ("text", "d. Jalankan: xlkinerja generate --master master.xlsx --out formulir"),
        ("text", "e. Baca laporannya. Setiap masalah disebut dengan selnya (mis. Anggaran!F12). "
                 "OPD yang bermasalah tidak dibuatkan formulir; OPD lain tetap dibuat. Perbaiki "
                 "master lalu jalankan ulang."),
        ("heading", "2. Baris contoh"),
        ("text", f"Baris bertulisan miring abu-abu dengan Kode OPD {EXAMPLE_OPD} adalah contoh dan "
                 "selalu dilewati. Boleh dihapus atau dibiarkan."),
        ("heading", "3. Kolom"),
        ("text", "Judul kolom biru tua wajib ada; biru muda opsional (boleh dihapus). Arahkan "
                 "tetikus ke judul kolom untuk penjelasannya. Urutan kolom bebas; kolom lain "
                 "diabaikan."),
    ]
    for table in TABLES:
        out.append(("subheading", f"Sheet {table.sheet} ({table.title})"))
        for col in table.columns:
            need = "wajib" if col.required else "opsional"
            out.append(("required" if col.required else "optional",
                        f"{col.header} ({need}): {col.note}"))
    out += [
        ("heading", "4. Yang diperiksa"),
        ("text", "• Pagu: rupiah bulat >= 0; angka atau teks bergaya Indonesia (1.234.567). Pagu "
                 "program/kegiatan, bila diisi, harus sama dengan jumlah rinciannya."),
        ("text", "• Kode: pola Kepmendagri 050-5889/2021 sesuai levelnya, berada di bawah kode "
                 "induknya, dan tidak dipakai dua kali dalam satu OPD."),
        ("text", "• Level: setiap kegiatan di bawah program, setiap sub kegiatan di bawah "
                 "kegiatan; program dan kegiatan tidak boleh tanpa rincian."),
        ("text", "• NIP: 18 digit; tanggal lahir sah, bulan pengangkatan sah pada umur 18 tahun "
                 "atau lebih, digit jenis kelamin 1 atau 2."),
        ("text", "• Target: angka (tidak 0 untuk polaritas naik); polaritas rentang memerlukan "
                 "Target Atas."),
        ("text", "• Setiap OPD harus punya baris di ketiga sheet."),
        ("heading", "5. Tanpa Excel: CSV"),
        ("text", "Master juga boleh berupa tiga berkas CSV, satu per sheet, dengan judul kolom "
                 f"yang sama ({OPD.csv_name}, {ANGGARAN.csv_name}, {INDIKATOR.csv_name}), "
                 "mis. dari Simpan Sebagai CSV di Excel: pemisah titik koma atau koma, UTF-8 atau "
                 "ANSI. Jalankan: xlkinerja generate --master FOLDER --out formulir."),
    ]
    return out


def _petunjuk(book: _Book, ws) -> None:
    styles = {
        "title": book.fmt(bold=True, font_size=14, font_color=REQUIRED_FILL),
        "heading": book.fmt(bold=True, font_size=11, font_color=REQUIRED_FILL),
        "subheading": book.fmt(bold=True, font_size=10),
        "text": book.fmt(text_wrap=True),
        "required": book.fmt(text_wrap=True, left=6, left_color=REQUIRED_FILL, indent=1),
        "optional": book.fmt(text_wrap=True, left=6, left_color=OPTIONAL_FILL, indent=1),
    }
    ws.set_column(ML.petunjuk_margin_col, ML.petunjuk_margin_col, 2)
    ws.set_column(ML.petunjuk_text_col, ML.petunjuk_text_col, 120)
    ws.hide_gridlines(2)
    r = ML.petunjuk_first_row
    for style, text in petunjuk_lines():
        if style in ("heading", "subheading"):
            r += 1
        ws.write_string(r, ML.petunjuk_text_col, text, styles[style])
        lines = max(1, -(-len(text) // 150))
        ws.set_row(r, 14 * lines + (8 if style == "title" else 2))
        r += 1
    ws.set_landscape()
    ws.set_paper(PAPER_FOLIO)
    ws.fit_to_pages(1, 0)
    ws.print_area(ML.petunjuk_first_row, ML.petunjuk_margin_col, r, ML.petunjuk_text_col)
    ws.activate()


# -- csv ---------------------------------------------------------------------------------------

def _csv_text(value: Any, col: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if col.kind == "amount":
            return format_decimal(value, 0 if float(value).is_integer() else 2)
        if col.kind == "integer":
            return str(int(value))
        return format_number(value, 6)
    return str(value)


def write_master_csv(rows: MasterRows, folder: str | Path) -> list[Path]:
    """One CSV per table, as Indonesian Excel saves it: ; separated, UTF-8 with BOM."""
    folder = Path(folder)
    out = []
    for table in TABLES:
        path = folder / table.csv_name
        with atomic_path(path) as tmp:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
                w.writerow([c.header for c in table.columns])
                for row in rows.get(table.key, []):
                    w.writerow([_csv_text(row.get(c.key), c) for c in table.columns])
        out.append(path)
    return out
