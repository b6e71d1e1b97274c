"""Look at a file before any spreadsheet library opens it.

Files arrive by e-mail: truncated, encrypted, legacy .xls, .ods, a CSV renamed to .xlsx, empty, a
zip bomb, XML with entity declarations. Each gets one clear finding here, cheaply, from the bytes
and the zip directory, before calamine or openpyxl see it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from xlkinerja.findings import Finding, Severity

MAX_FILE_BYTES = 64 * 1024 * 1024  # a 300-row formulir is ~0.2 MB
MAX_UNCOMPRESSED = 256 * 1024 * 1024  # all parts together, once unzipped
MAX_RATIO = 200  # compression ratio of one large part; real xlsx parts stay far below
XML_HEAD = 4096  # a DOCTYPE must come before the root element

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"


@dataclass
class Preflight:
    ok: bool
    finding: Finding | None = None
    macro_enabled: bool = False


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


def preflight(path: Path, name: str | None = None) -> Preflight:
    name = name or path.name

    def bad(code: str, message: str) -> Preflight:
        return Preflight(False, Finding(file=name, severity=Severity.ERROR, code=code, message=message))

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return bad("FILE_NOT_FOUND", "Berkas tidak ditemukan. Periksa nama dan foldernya.")
    except OSError as exc:
        return bad("FILE_UNREADABLE", f"Berkas tidak dapat dibaca ({exc.strerror}). Periksa izin "
                                      "aksesnya.")
    if path.is_dir():
        return bad("FILE_IS_FOLDER", "Ini folder, bukan berkas.")
    if size == 0:
        return bad("FILE_EMPTY", "Berkas kosong (0 byte), mungkin lampiran e-mail tidak terunduh "
                                 "penuh. Minta OPD mengirim ulang berkasnya.")
    if size > MAX_FILE_BYTES:
        return bad("FILE_TOO_LARGE", f"Berkas berukuran {_mb(size)}, jauh di atas ukuran formulir "
                                     f"(batas {_mb(MAX_FILE_BYTES)}). Periksa apakah berkas yang "
                                     "dikirim benar.")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return bad("FILE_UNREADABLE", f"Berkas tidak dapat dibaca ({exc.strerror}).")

    if head.startswith(OLE_MAGIC):
        return _ole(path, bad)
    if not (head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC)):
        return _not_zip(head, bad)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return bad("FILE_CORRUPT", "Berkas rusak atau terpotong: isinya bukan arsip .xlsx yang utuh. "
                                   "Minta OPD mengirim ulang; bila lewat e-mail, pastikan lampiran "
                                   "terunduh penuh.")
    except (OSError, ValueError, RuntimeError, NotImplementedError) as exc:
        return bad("FILE_CORRUPT", f"Berkas rusak dan tidak dapat dibuka ({exc}). Minta OPD mengirim "
                                   "ulang berkasnya.")
    with zf:
        return _zip(zf, bad)


def _ole(path: Path, bad) -> Preflight:
    """An OLE compound file is a legacy .xls or an encrypted OOXML package."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return bad("FILE_UNREADABLE", f"Berkas tidak dapat dibaca ({exc.strerror}).")
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return bad("FILE_ENCRYPTED", "Berkas dikunci dengan kata sandi untuk membuka, sehingga tidak "
                                     "dapat diperiksa. Minta OPD membuka berkas, menghapus kata sandi "
                                     "pembuka (File > Info > Protect Workbook > Encrypt with Password, "
                                     "kosongkan) lalu mengirim ulang.")
    return bad("FILE_LEGACY_XLS", "Berkas berformat Excel 97-2003 (.xls), bukan formulir xlkinerja. "
                                  "Formulir harus diisi pada berkas .xlsx yang dibagikan; minta OPD "
                                  "memindahkan isiannya ke formulir asli dan mengirim ulang.")


def _not_zip(head: bytes, bad) -> Preflight:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    low = text[:200].lower()
    if low.startswith(b"<!doctype html") or low.startswith(b"<html") or b"<table" in low:
        return bad("FILE_HTML", "Berkas ini halaman HTML yang diberi nama Excel (sering dari unduhan "
                                "aplikasi web), bukan formulir xlkinerja. Isi formulir .xlsx yang "
                                "dibagikan dan kirim ulang.")
    if low.startswith(b"<?xml"):
        return bad("FILE_XML", "Berkas ini XML (mis. 'XML Spreadsheet 2003'), bukan workbook .xlsx. "
                               "Isi formulir .xlsx yang dibagikan dan kirim ulang.")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and (decoded.count(";") + decoded.count(",") + decoded.count("\t")) >= 2:
        return bad("FILE_CSV", "Berkas ini teks CSV yang diberi nama .xlsx, bukan workbook Excel: "
                               "rumus, identitas dan proteksi formulir hilang. Minta OPD mengirim "
                               "berkas formulir .xlsx aslinya.")
    return bad("FILE_NOT_XLSX", "Berkas bukan workbook Excel .xlsx (isinya tidak dikenali). Minta OPD "
                                "mengirim berkas formulir yang benar.")


def _zip(zf: zipfile.ZipFile, bad) -> Preflight:
    try:
        infos = zf.infolist()
    except Exception as exc:  # noqa: BLE001 - any damage to the directory means the same thing
        return bad("FILE_CORRUPT", f"Daftar isi arsip rusak ({exc}). Minta OPD mengirim ulang.")
    names = {i.filename for i in infos}
    if "mimetype" in names:
        try:
            mimetype = zf.read("mimetype")[:100]
        except Exception:  # noqa: BLE001
            mimetype = b""
        if b"opendocument" in mimetype:
            return bad("FILE_ODS", "Berkas berformat OpenDocument (.ods, LibreOffice/WPS), bukan "
                                   "formulir .xlsx. Buka formulir .xlsx asli, isi di sana, dan simpan "
                                   "tetap sebagai .xlsx (Excel 2007-365).")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.compress_size and \
                info.file_size / info.compress_size > MAX_RATIO:
            return bad("FILE_ZIP_BOMB", f"Bagian '{info.filename}' mengembang {info.file_size // max(1, info.compress_size)} "
                                        "kali saat dibuka; berkas ditolak demi keamanan. Minta OPD "
                                        "mengirim berkas formulir aslinya.")
    if total > MAX_UNCOMPRESSED:
        return bad("FILE_ZIP_BOMB", f"Isi berkas bila dibuka berukuran {_mb(total)} (batas "
                                    f"{_mb(MAX_UNCOMPRESSED)}); berkas ditolak demi keamanan.")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            what = "dokumen Word"
        elif "ppt/presentation.xml" in names:
            what = "presentasi PowerPoint"
        else:
            what = "arsip zip biasa"
        return bad("FILE_NOT_XLSX", f"Berkas ini {what}, bukan workbook Excel. Kirim berkas formulir "
                                    ".xlsx yang diisi.")
    for info in infos:
        lower = info.filename.lower()
        if not lower.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(XML_HEAD)
        except Exception as exc:  # noqa: BLE001 - CRC errors, truncated data, bad compression
            return bad("FILE_CORRUPT", f"Bagian '{info.filename}' rusak ({type(exc).__name__}); berkas "
                                       "mungkin terpotong. Minta OPD mengirim ulang.")
        probe = head
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            probe = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
        up = probe.upper()
        if b"<!DOCTYPE" in up or b"<!ENTITY" in up:
            return bad("FILE_XML_ENTITIES", f"Bagian '{info.filename}' memuat deklarasi DTD/ENTITY XML "
                                            "yang tidak pernah ditulis Excel; berkas ditolak demi "
                                            "keamanan. Minta OPD mengirim berkas formulir aslinya.")
    content_types = ""
    try:
        content_types = zf.read("[Content_Types].xml")[:20000].decode("utf-8", "ignore")
    except Exception as exc:  # noqa: BLE001
        return bad("FILE_CORRUPT", f"Bagian [Content_Types].xml rusak ({type(exc).__name__}).")
    return Preflight(True, macro_enabled="macroEnabled" in content_types)
