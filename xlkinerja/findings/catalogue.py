"""The catalogue of finding codes: every code a check can report, once, with its severity, what it
means and what to do, in Bahasa Indonesia (the desk reads them in docs/kode-temuan.md, generated
from this table, and with ``xlkinerja kode``).

Adding a code is one line in ``CODES`` below, in its group. tests/test_catalogue.py fails when a
code used anywhere in xlkinerja/ is missing here, when a code here is used nowhere, when a check
reports a code with another severity than the one catalogued, and when docs/kode-temuan.md is not
the table this module writes (``python -m xlkinerja.findings.catalogue --tulis`` rewrites it).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from xlkinerja.findings import Severity

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Code:
    code: str  # stable: scripts, filters and the ledger keep it
    severity: Severity  # the severity every check reports it with
    meaning: str  # Bahasa Indonesia: what was found
    action: str  # Bahasa Indonesia: what the desk or the office does about it
    #: other severities the code is reported with in some cases (``meaning`` says when)
    also: tuple[Severity, ...] = ()

    @property
    def severities(self) -> tuple[Severity, ...]:
        return (self.severity, *self.also)

    @property
    def label(self) -> str:
        return " / ".join(s.label for s in self.severities)

    @property
    def group(self) -> str:
        return GROUPS[self.code.split("_", 1)[0]]


#: the first word of a code names its group, in the order the pipeline reaches it
GROUPS = {
    "FILE": "Berkas",
    "IDENTITY": "Identitas formulir",
    "INTEGRITY": "Keutuhan template",
    "ENTRY": "Isian",
    "TEXT": "Isian",
    "REFERENCE": "Data rujukan",
    "CONSOLIDATE": "Konsolidasi",
    "INTERNAL": "Internal",
}

# code, severity, arti (what was found), tindakan (what to do)[, other severities]. One line per
# code.
_ROWS = [
    ("FILE_NOT_FOUND", _E, "Berkas tidak ada di tempat yang disebut.", "Periksa nama berkas dan foldernya."),
    ("FILE_IS_FOLDER", _E, "Yang disebut sebagai berkas ternyata folder.", "Sebut berkasnya, atau berikan folder sebagai masukan agar semua berkas di dalamnya diperiksa."),
    ("FILE_UNREADABLE", _E, "Berkas ada tetapi tidak dapat dibaca (izin, berkas sedang dikunci program lain, atau gangguan disk/jaringan).", "Periksa izin baca, tutup berkas di program lain, salin ke folder lokal, lalu ulangi."),
    ("FILE_EMPTY", _E, "Berkas kosong (0 byte), biasanya lampiran e-mail yang tidak terunduh utuh.", "Unduh ulang lampirannya atau minta OPD mengirim ulang."),
    ("FILE_TOO_LARGE", _E, "Berkas jauh lebih besar dari ukuran formulir mana pun.", "Minta OPD mengirim berkas formulir aslinya, bukan berkas lain."),
    ("FILE_CORRUPT", _E, "Berkas rusak atau terpotong: bukan arsip .xlsx yang utuh, atau salah satu bagiannya rusak.", "Minta OPD menyimpan ulang formulir di Excel dan mengirimnya lagi."),
    ("FILE_ENCRYPTED", _E, "Berkas dikunci dengan kata sandi untuk membuka.", "Minta OPD membuka kunci kata sandi (File > Info > Protect Workbook) lalu mengirim ulang."),
    ("FILE_LEGACY_XLS", _E, "Berkas berformat Excel 97-2003 (.xls), bukan formulir xlkinerja.", "Minta OPD mengisi formulir .xlsx yang dikirimkan, bukan salinan lama."),
    ("FILE_ODS", _E, "Berkas berformat OpenDocument (.ods) dari LibreOffice/WPS.", "Minta OPD menyimpan dengan Save As > Excel 2007-365 (.xlsx)."),
    ("FILE_CSV", _E, "Berkas teks CSV yang diberi nama .xlsx.", "Minta OPD mengirim berkas formulir .xlsx aslinya."),
    ("FILE_HTML", _E, "Berkas halaman HTML yang diberi nama Excel (sering dari unduhan aplikasi web).", "Minta OPD mengirim berkas formulir .xlsx aslinya."),
    ("FILE_XML", _E, "Berkas XML (mis. XML Spreadsheet 2003), bukan workbook .xlsx.", "Minta OPD menyimpan dengan Save As > Excel Workbook (.xlsx)."),
    ("FILE_NOT_XLSX", _E, "Isi berkas bukan workbook Excel .xlsx (PDF, gambar, arsip lain, atau tidak dikenali).", "Minta OPD mengirim berkas formulir .xlsx."),
    ("FILE_ZIP_BOMB", _E, "Isi berkas bila dibuka mengembang jauh di atas batas (256 MB atau 200 kali): bukan formulir wajar.", "Jangan buka berkasnya; minta OPD mengirim formulir aslinya."),
    ("FILE_XML_ENTITIES", _E, "Bagian berkas memuat deklarasi DTD/ENTITY XML yang tidak pernah ditulis Excel.", "Jangan buka berkasnya; minta OPD mengirim formulir aslinya."),
    ("FILE_EXTERNAL_LINKS", _W, "Berkas menyimpan tautan ke workbook lain; tautan tidak diikuti dan nilainya tidak dihitung.", "Putuskan tautannya di Excel (Data > Edit Links > Break Link), ketik nilainya, lalu kirim ulang."),
    ("FILE_DDE_LINKS", _E, "Berkas menyimpan tautan DDE yang dapat menjalankan program di komputer yang membukanya; tidak diikuti.", "Jangan buka berkas ini di Excel dengan mengizinkan pembaruan tautan; minta OPD mengisi ulang formulir asli."),
    ("FILE_DATA_CONNECTIONS", _W, "Berkas menyimpan koneksi data (basis data atau web); tidak dijalankan dan hasilnya tidak dihitung.", "Hapus koneksinya (Data > Queries & Connections) lalu kirim ulang."),
    ("FILE_VBA_PROJECT", _W, "Berkas .xlsx berisi proyek VBA (makro) yang tidak berasal dari formulir; makro tidak dijalankan, isian tetap dibaca.", "Minta OPD menyimpan ulang dari formulir asli."),
    ("FILE_GUARDS_LOST", _W, "Berkas disimpan dengan program yang membuang pengaman formulir (kunci struktur, proteksi sheet, validasi isian, atau sheet identitas yang sangat tersembunyi); angka tetap dibaca dan diperiksa.", "Untuk pengiriman berikutnya, isi formulir asli dengan Microsoft Excel atau salin isian ke formulir asli; jangan simpan ulang dengan LibreOffice, Gnumeric atau WPS."),
    ("IDENTITY_NOT_XLKINERJA", _E, "Workbook ini bukan formulir xlkinerja (tidak ada identitas formulir di dalamnya).", "Minta OPD mengisi formulir yang dikirimkan, bukan salinan buatan sendiri."),
    ("IDENTITY_OTHER_TEMPLATE", _E, "Workbook dibuat dari template lain, bukan formulir pengukuran kinerja ini.", "Minta OPD mengisi formulir yang benar."),
    ("IDENTITY_UNKNOWN_TEMPLATE", _E, "Versi template formulir tidak dikenal versi xlkinerja ini.", "Minta OPD memakai formulir yang dibagikan."),
    ("IDENTITY_NEWER_TEMPLATE", _E, "Formulir dibuat oleh xlkinerja yang lebih baru dari yang terpasang.", "Perbarui xlkinerja (pip install -U xlkinerja) lalu ulangi."),
    ("IDENTITY_META_CORRUPT", _E, "Identitas tersembunyi formulir rusak atau tidak lengkap.", "Minta OPD memakai berkas formulir asli yang dikirimkan dan menyalin isiannya ke sana."),
    ("IDENTITY_OLD_TEMPLATE", _I, "Formulir dibuat dengan template versi lama (tanpa kolom REALISASI s.d. TW): isian dibaca dan dihitung ulang seperti biasa, tetapi rumus di berkasnya tidak diperiksa.", "Untuk triwulan berikutnya bagikan formulir baru (xlkinerja buat)."),
    ("IDENTITY_NOT_SIGNED", _E, "Formulir tidak bertanda tangan pengelola: bukan formulir yang diterbitkan (dibuat sendiri, atau dengan xlkinerja di tempat lain).", "Minta OPD mengisi formulir yang dibagikan dan mengirim ulang."),
    ("IDENTITY_SIGNATURE_INVALID", _E, "Tanda tangan formulir tidak cocok dengan register: formulir dibuat ulang di tempat lain, atau identitas/pagunya diubah.", "Minta OPD mengisi formulir yang dibagikan dan mengirim ulang."),
    ("IDENTITY_NOT_ISSUED", _E, "Formulir bertanda tangan, tetapi versi ini tidak tercatat di register formulir yang diterbitkan.", "Periksa register (xlkinerja register) dan minta OPD mengisi formulir yang berlaku."),
    ("IDENTITY_VERSION_SUPERSEDED", _W, "Formulir versi lama; sudah diterbitkan versi yang lebih baru untuk OPD dan tahun ini.", "Rekap memakai versi yang berlaku; minta OPD mengisi formulir versi terbaru."),
    ("IDENTITY_OPD_MISMATCH", _E, "Formulir milik OPD lain dari yang diharapkan (--opd).", "Periksa apakah berkas tertukar antar-OPD."),
    ("IDENTITY_YEAR_MISMATCH", _E, "Formulir untuk tahun anggaran lain dari yang diharapkan (--tahun).", "Periksa apakah OPD mengirim formulir tahun yang benar."),
    ("INTEGRITY_FORMULA_OVERWRITTEN", _E, "Sel hitungan (total, persen, capaian) diisi angka atau teks sehingga rumusnya hilang.", "Minta OPD mengembalikan rumusnya (salin isian ke formulir asli); rekap memakai hasil hitungan ulang."),
    ("INTEGRITY_FORMULA_CHANGED", _E, "Rumus sel hitungan diubah dari rumus formulir.", "Minta OPD memakai formulir asli; rekap memakai hasil hitungan ulang."),
    ("INTEGRITY_LOCKED_CHANGED", _E, "Pagu, target atau label yang terkunci berubah sejak formulir dibuat.", "Minta OPD mengisi formulir asli; perubahan pagu atau target dibuat desk lewat formulir perubahan."),
    ("INTEGRITY_ROWS_SHIFTED", _E, "Baris bergeser (disisipkan, dihapus atau diurutkan ulang); isian tetap dibaca menurut identitas baris bila bisa.", "Minta OPD tidak menyisipkan, menghapus atau mengurutkan baris."),
    ("INTEGRITY_ROW_MISSING", _E, "Baris anggaran atau indikator formulir tidak ditemukan lagi.", "Minta OPD memakai formulir asli; baris yang hilang tidak direkap."),
    ("INTEGRITY_ROW_ADDED", _E, "Ada baris isian yang tidak ada di formulir.", "Minta OPD menghapus baris tambahan; tambahan kegiatan lewat formulir perubahan dari desk."),
    ("INTEGRITY_COLUMNS_CHANGED", _E, "Kolom formulir disisipkan, dihapus atau dipindah.", "Minta OPD memakai formulir asli."),
    ("INTEGRITY_SHEET_MISSING", _E, "Sheet formulir hilang atau berganti nama.", "Minta OPD memakai formulir asli."),
    ("INTEGRITY_META_CHANGED", _E, "Identitas tersembunyi formulir diubah.", "Minta OPD memakai berkas formulir asli yang dikirimkan."),
    ("INTEGRITY_SHEET_ADDED", _W, "Ada sheet tambahan yang bukan bagian formulir.", "Boleh, tetapi isinya tidak dibaca; pindahkan catatan penting ke keterangan."),
    ("INTEGRITY_DERIVED_VALUE_MISMATCH", _W, "Nilai tersimpan sel hitungan berbeda dari hasil hitungan ulang (pemeriksaan --cepat).", "Periksa apakah rumus ditimpa; rekap memakai hasil hitungan ulang."),
    ("INTEGRITY_FORMULAS_UNREADABLE", _W, "Rumus tidak dapat dibaca, sehingga keutuhan rumus tidak diperiksa.", "Nilai tetap diperiksa; simpan ulang di Excel bila ingin rumusnya diperiksa."),
    ("ENTRY_NOT_NUMBER", _E, "Realisasi berisi teks, tanggal atau nilai lain yang bukan angka (pesan menyebut angka yang mungkin dimaksud, mis. \"4.497.357.736\", \"17,75\"); tidak dihitung di total mana pun dan tercantum di sheet Tidak Dihitung pada rekap.", "Ketik ulang sebagai angka (tanpa \"Rp\", tanpa apostrof di depan)."),
    ("ENTRY_FORMULA", _E, "Sel isian berisi rumus, bukan nilai yang diketik; tidak dihitung dalam rekap.", "Hapus rumusnya dan ketik nilainya."),
    ("ENTRY_FORMULA_EXTERNAL", _E, "Sel isian berisi rumus yang mengambil nilai dari workbook lain; tautannya tidak diikuti dan isian tidak dihitung.", "Hapus rumusnya dan ketik nilainya."),
    ("ENTRY_FORMULA_DDE", _E, "Sel isian berisi rumus DDE yang memanggil program lain; tidak dijalankan dan isian tidak dihitung.", "Hapus rumusnya dan ketik nilainya; jangan izinkan Excel menjalankan tautan berkas ini."),
    ("ENTRY_FORMULA_OUTSIDE", _E, "Sel isian berisi rumus yang membuka alamat atau layanan di luar workbook (mis. HYPERLINK, WEBSERVICE); tidak diikuti dan isian tidak dihitung.", "Hapus rumusnya dan ketik nilainya."),
    ("ENTRY_NEGATIVE", _E, "Realisasi negatif.", "Koreksi angkanya: realisasi triwulan tidak boleh kurang dari 0."),
    ("ENTRY_ABOVE_PAGU", _E, "Realisasi satu triwulan di atas pagu.", "Periksa angkanya (kelebihan nol? diisi kumulatif?)."),
    ("ENTRY_CUMULATIVE_ABOVE_PAGU", _E, "Realisasi TW I sampai triwulan ini bersama-sama melebihi pagu.", "Realisasi diisi per triwulan, bukan kumulatif: periksa angka triwulan ini dan sebelumnya."),
    ("ENTRY_MISSING", _W, "Sub kegiatan kosong pada triwulan yang sudah diisi di baris lain, tanpa keterangan.", "Isi realisasinya (0 bila memang nihil) atau jelaskan di kolom KETERANGAN."),
    ("ENTRY_INDICATOR_MISSING", _W, "Indikator triwulanan kosong pada triwulan yang sudah diisi, tanpa keterangan.", "Isi realisasinya atau beri keterangan."),
    ("ENTRY_YEARLY_MISSING", _W, "Indikator tahunan belum berisi realisasi pada TW IV dan tanpa keterangan.", "Isi realisasi tahunannya atau beri keterangan."),
    ("ENTRY_LOW_CAPAIAN", _W, "Capaian di bawah ambang (--ambang-capaian, bawaan 75 %) tanpa keterangan.", "Jelaskan penyebabnya di kolom KETERANGAN."),
    ("ENTRY_PERCENT_SCALE", _W, "Indikator persen diketik sebagai 66,5 padahal maksudnya 66,5 % (PERINGATAN di atas 200 %; GALAT dan tidak dihitung di atas 1.000 %).", "Ketik dengan tanda persen (66,5%) atau sebagai pecahan.", (_E,)),
    ("ENTRY_INDICATOR_DECREASED", _W, "Indikator yang tidak boleh turun bernilai lebih rendah dari triwulan sebelumnya; yang dihitung tetap nilai tertinggi.", "Periksa angkanya, atau jelaskan di kolom KETERANGAN."),
    ("ENTRY_FORM_EMPTY", _W, "Formulir yang dikirim belum diisi sama sekali (TW I sampai TW IV kosong).", "Periksa apakah OPD mengirim formulir kosong, bukan berkas yang sudah diisi."),
    ("ENTRY_NARRATIVE_EMPTY", _W, "Faktor Pendorong, Uraian Permasalahan atau Rencana Tindak Lanjut kosong pada triwulan yang diisi.", "Lengkapi uraiannya."),
    ("ENTRY_DUPLICATE_AMOUNT", _I, "Jumlah yang sama persis di baris bersaudara (contoh formulir TW I berisi 6.179.600 dua kali).", "Periksa apakah angka tersalin ke baris yang salah; bila benar, abaikan."),
    ("TEXT_DIFFERS_BETWEEN_QUARTERS", _I, "Sasaran atau indikator yang sama ditulis berbeda antar-triwulan.", "Samakan tulisannya bila memang sama."),
    ("REFERENCE_MATCH", _I, "Realisasi indikator sama dengan nilai terbitan sumber resminya (IPP, SAKIP).", "Tidak perlu tindakan."),
    ("REFERENCE_MISMATCH", _W, "Realisasi indikator berbeda dari nilai terbitan sumber resminya (IPP, SAKIP).", "Periksa angkanya; bila angka lain yang benar, jelaskan sumbernya di kolom KETERANGAN."),
    ("REFERENCE_NOT_AVAILABLE", _I, "Sumber resmi indikator tidak memuat nilai untuk pemda ini (NA, *NA atau kosong).", "Sebutkan asal angka di kolom KETERANGAN."),
    ("CONSOLIDATE_SUPERSEDED", _I, "Kiriman ini digantikan kiriman OPD yang sama yang lebih baru; yang berubah disebut di pesan.", "Tidak perlu tindakan; rekap memakai kiriman terbaru."),
    ("CONSOLIDATE_CONFLICT", _E, "Kiriman memakai versi formulir yang berbeda dengan kiriman terbaru OPD yang sama.", "Pastikan OPD mengisi formulir yang berlaku; rekap memakai versi terbaru."),
    ("CONSOLIDATE_DUPLICATE", _I, "Isi kiriman sama persis dengan kiriman lain; dihitung sekali.", "Tidak perlu tindakan."),
    ("CONSOLIDATE_OTHER_YEAR", _E, "Kiriman untuk tahun anggaran lain dari rekap ini; tidak dipakai.", "Pindahkan berkasnya ke folder tahun yang benar."),
    ("CONSOLIDATE_REJECTED", _E, "Berkas ditolak (identitas, tanda tangan atau keutuhan) dan tidak dihitung dalam rekap.", "OPD harus mengirim ulang formulir yang berlaku."),
    ("CONSOLIDATE_ARCHIVE_MISSING", _W, "Kiriman yang diterima pada rekap sebelumnya tidak ada lagi di folder kiriman dan salinannya di arsip ledger hilang atau berubah; tidak dihitung.", "Minta OPD mengirim ulang atau kembalikan berkasnya ke folder kiriman."),
    ("CONSOLIDATE_SAVED_AT_IMPLAUSIBLE", _W, "Waktu simpan workbook tidak masuk akal (sesudah diterima atau sebelum formulir diterbitkan); urutan kiriman memakai waktu diterima.", "Periksa jam komputer pengirim; tidak perlu tindakan lain."),
    ("CONSOLIDATE_NOT_FILLED", _W, "Kiriman belum berisi isian triwulan mana pun; tidak dipakai.", "Minta OPD mengisi lalu mengirim ulang."),
    ("CONSOLIDATE_VERSION", _I, "Formulir OPD ini direvisi (perubahan/pergeseran); pesan menyebut dari versi mana angka setiap triwulan diambil.", "Tidak perlu tindakan; periksa bila versi yang dipakai tidak sesuai harapan."),
    ("CONSOLIDATE_OLD_VERSION_QUARTER", _W, "Triwulan sesudah revisi diisi pada formulir sebelum revisi; triwulan itu dari berkas ini tidak dihitung.", "Minta OPD mengisi triwulan itu pada formulir revisi."),
    ("CONSOLIDATE_NOT_COUNTED", _W, "Realisasi dari formulir sebelum revisi untuk baris yang tidak ada di formulir revisi; tidak dihitung.", "Buat ulang formulir revisi dengan --dari berkas lama agar baris itu tersimpan sebagai dihapus."),
    ("INTERNAL_ERROR", _E, "Kesalahan di xlkinerja sendiri saat memeriksa berkas ini; berkas lain tetap diperiksa.", "Laporkan kepada pengembang beserta berkasnya (XLKINERJA_DEBUG=1 untuk rinciannya)."),
]

CODES: dict[str, Code] = {row[0]: Code(*row) for row in _ROWS}
assert len(CODES) == len(_ROWS), "a code is listed twice"


def lookup(code: str) -> Code | None:
    return CODES.get(code)


def severity_of(code: str) -> Severity | None:
    entry = CODES.get(code)
    return entry.severity if entry else None


# -- the docs table ---------------------------------------------------------------------------------

DOC = Path("docs") / "kode-temuan.md"
START, END = "<!-- codes:start -->", "<!-- codes:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table() -> str:
    """The table docs/kode-temuan.md carries between its codes markers, one section per group."""
    out: list[str] = []
    for group in dict.fromkeys(GROUPS.values()):
        rows = [c for c in CODES.values() if c.group == group]
        if not rows:
            continue
        out += [f"### {group}", "", "| kode | tingkat | arti | tindakan |", "| --- | --- | --- | --- |"]
        out += [f"| `{c.code}` | {c.label} | {_cell(c.meaning)} | {_cell(c.action)} |"
                for c in rows]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def rewrite_doc(text: str) -> str:
    """``text`` (the page) with the table between the markers replaced by ``markdown_table()``."""
    head, sep, rest = text.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"{DOC} tidak memuat penanda {START} ... {END}")
    return f"{head}{START}\n{markdown_table()}{END}{tail}"


def documented_table(text: str) -> str:
    _, _, rest = text.partition(START)
    return rest.partition(END)[0].strip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m xlkinerja.findings.catalogue``: print the table; ``--tulis`` rewrites the page
    (run from the repository root)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--tulis"]:
        DOC.write_text(rewrite_doc(DOC.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"{DOC} diperbarui ({len(CODES)} kode).")
    else:
        sys.stdout.write(markdown_table())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
