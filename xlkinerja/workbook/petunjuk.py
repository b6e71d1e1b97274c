"""Text of the Petunjuk (instructions) sheet, in Bahasa Indonesia."""

from __future__ import annotations

from xlkinerja.base.version import __version__
from xlkinerja.workbook.layout import QUARTER_SHEETS, SHEET_HASIL, SHEET_REKAP, TEMPLATE_VERSION, Q, printed_col
from xlkinerja.form.model import Form
from xlkinerja.base.numbers import format_decimal


def petunjuk_blocks(form: Form, vba: bool = False,
                    xlwings_version: str | None = None) -> list[tuple[str, str]]:
    """(style, text) pairs; style is title, heading, text, input, over, header, plain, small, gap.

    ``vba``: the .xlsm, whose buttons need xlwings ``xlwings_version`` on the PC."""
    cap = form.capaian.display_cap
    cap_text = (f"dibatasi paling tinggi {format_decimal(cap * 100, 0)}% untuk tampilan (nilai sebenarnya "
                f"tetap tercatat di kolom CAPAIAN TANPA BATAS pada sheet {SHEET_REKAP})"
                if cap is not None else "tidak dibatasi")
    lower = ("(2 × target − realisasi) ÷ target, paling rendah 0%"
             if form.capaian.lower_formula.value == "pmk" else "target ÷ realisasi")
    sheets = ", ".join(QUARTER_SHEETS)
    n = {col: printed_col(col) for col in Q if col <= Q.KET}  # the numbers printed above the columns
    blocks: list[tuple[str, str]] = [
        ("title", f"PETUNJUK PENGISIAN FORMULIR PENGUKURAN KINERJA PERANGKAT DAERAH TAHUN {form.year}"),
        ("text", f"Perangkat Daerah: {form.opd_name} (kode {form.opd_code})"),
        ("gap", ""),
        ("heading", "1. Apa yang diisi"),
        ("text", f"Isi sheet triwulan yang sedang dilaporkan ({sheets}). Hanya sel berwarna kuning "
                 "yang dapat diisi; sel lain terkunci agar rumus dan pagu tidak berubah."),
        ("text", f"• Kolom {n[Q.IND_REAL]} REALISASI (indikator): nilai indikator pada triwulan "
                 "itu, dalam satuan indikator. Bila nilainya belum tersedia (misalnya indeks "
                 f"tahunan yang belum diterbitkan), ketik tanda - dan jelaskan di kolom {n[Q.IND_KET]} KETERANGAN."),
        ("text", f"• Kolom {n[Q.REAL]} REALISASI (anggaran): realisasi belanja setiap sub "
                 "kegiatan pada triwulan itu saja, bukan jumlah sejak awal tahun, dalam rupiah. "
                 "Ketik angkanya saja tanpa 'Rp'; pemisah ribuan muncul sendiri. Isi 0 bila belum "
                 "ada belanja."),
        ("text", f"• Kolom {n[Q.IND_KET]} dan {n[Q.KET]} KETERANGAN: penjelasan singkat, wajib "
                 "bila capaian rendah, bila realisasi belum ada, atau bila ada hal yang perlu "
                 "diketahui pemeriksa."),
        ("text", "• Faktor Pendorong, Uraian Permasalahan dan Rencana Tindak Lanjut di bawah tabel: "
                 "wajib diisi setiap triwulan."),
        ("gap", ""),
        ("heading", "2. Yang dihitung otomatis (tidak perlu dan tidak dapat diubah)"),
        ("text", f"• Kolom {n[Q.PERSEN]} % anggaran = realisasi ÷ pagu, dua desimal; kosong bila "
                 "realisasi belum diisi atau pagu 0."),
        ("text", f"• Kolom {n[Q.REAL_SD]} dan {n[Q.PERSEN_SD]} REALISASI s.d. TW: jumlah realisasi "
                 "TW I sampai triwulan sheet ini (dari sheet-sheet TW), dan persennya terhadap pagu."),
        ("text", "• Di samping Total Anggaran: jumlah isian realisasi yang bukan angka (mis. "
                 "\"2 isian tidak terhitung\"); sel itu ditandai merah dan tidak masuk jumlah mana "
                 "pun sampai diketik ulang sebagai angka."),
        ("text", "• Realisasi dan pagu kegiatan dan program = jumlah rinciannya; Total Anggaran = "
                 "jumlah semua program."),
        ("text", f"• Kolom {n[Q.CAPAIAN]} % capaian indikator, tanpa desimal: realisasi ÷ target "
                 f"untuk indikator yang semakin tinggi semakin baik; {lower} untuk indikator yang "
                 f"semakin rendah semakin baik; {cap_text}. Tanda - atau sel kosong berarti belum ada capaian. "
                 "Yang dibandingkan (nilai triwulan dengan target triwulan, atau nilai s.d. "
                 "triwulan itu dengan target tahunan) tertulis di catatan di bawah tabel."),
        ("text", f"• Sheet {SHEET_REKAP}: realisasi anggaran per triwulan dan setahun, sisa "
                 "anggaran, serta realisasi akhir dan capaian setiap indikator."),
        ("gap", ""),
        ("heading", "3. Arti warna"),
        ("input", "Kuning: sel isian."),
        ("over", "Merah: realisasi melebihi pagu (periksa kembali angkanya)."),
        ("header", "Biru: judul kolom."),
        ("plain", "Putih atau abu-abu: teks, pagu, target dan hasil hitungan (terkunci)."),
        ("gap", ""),
        ("heading", "4. Pesan saat mengisi"),
        ("text", "Excel menolak isian yang bukan angka pada kolom realisasi anggaran dan "
                 "menampilkan pesan. Jangan menempel (paste) angka dari dokumen lain sebagai teks: "
                 "gunakan Tempel Spesial > Nilai, atau ketik ulang angkanya."),
        ("gap", ""),
        ("heading", "5. Cara mengirim"),
        ("text", "Simpan berkas (Ctrl+S) dalam format yang sama, lalu kirim berkas ini melalui "
                 "e-mail kepada pengelola di Bagian Perencanaan/Keuangan. Kirim berkas yang sama "
                 "setiap triwulan: isian triwulan sebelumnya tetap di dalamnya. Bila mengirim "
                 "perbaikan, kirim berkas lengkap yang baru; berkas terakhir yang dipakai."),
        ("text", "Jangan mengganti nama sheet, menambah atau menghapus baris, atau membuka proteksi "
                 "sheet. Perubahan pagu atau target dilakukan oleh pengelola dengan menerbitkan "
                 "formulir baru. Berkas yang rumus atau pagunya diubah akan ditolak saat diperiksa."),
    ]
    if not vba:
        blocks += [
            ("text", "Berkas .xlsx ini tidak memuat makro, sehingga aman dikirim melalui e-mail. "
                     "Pengelola dapat membuat formulir yang sama sebagai .xlsm dengan tombol "
                     "Validasi dan Konsolidasi untuk memeriksa berkas di komputernya."),
        ]
    if vba:
        blocks += [
            ("gap", ""),
            ("heading", "6. Dua bentuk berkas: .xlsx untuk dikirim, .xlsm dengan tombol"),
            ("text", "Formulir ini ada dalam dua bentuk yang isinya sama. Berkas .xlsx (tanpa "
                     "makro) adalah yang dikirim ke OPD dan dikirim kembali melalui e-mail, karena "
                     "banyak server e-mail menahan lampiran .xlsm dan Office memblokir makro dari "
                     "internet. Berkas .xlsm ini memuat tombol Validasi dan Konsolidasi dan "
                     "dipakai di meja yang memeriksa, di komputer yang sudah dipasangi Python."),
            ("text", "• Tombol ada di kiri atas setiap sheet triwulan dan sheet "
                     f"{SHEET_REKAP}, di kanan atas sheet ini, dan di sheet {SHEET_HASIL}."),
            ("text", "• Validasi: memeriksa isian seperti yang tampak di layar (perubahan yang "
                     f"belum disimpan ikut diperiksa), menulis daftar temuan ke sheet {SHEET_HASIL} "
                     "dengan tautan ke setiap sel, dan menandai sel yang bermasalah (merah = galat, "
                     "jingga = peringatan, dengan catatan berisi pesannya). Menjalankannya lagi "
                     "mengganti hasil dan tanda sebelumnya."),
            ("text", f"• Konsolidasi: menghitung ulang {SHEET_REKAP} lalu memperbarui "
                     f"{SHEET_HASIL}."),
            ("text", "• Syarat di komputer pemeriksa: Python 3.10 atau lebih baru dengan paket "
                     "xlkinerja[button] (perintah: pip install \"xlkinerja[button]\"), yang "
                     f"memasang xlwings{' ' + xlwings_version if xlwings_version else ''}, versi "
                     "yang sama dengan modul xlwings di dalam workbook ini. Add-in xlwings tidak "
                     "diperlukan."),
            ("heading", "Bila tombol tidak berjalan karena makro diblokir"),
            ("text", "Berkas .xlsm yang diterima dari e-mail atau diunduh dari internet diberi "
                     "tanda oleh Windows (Mark of the Web) dan Office memblokir makronya. Tutup "
                     "berkas, simpan ke folder di komputer, klik kanan berkas > Properties, pada "
                     "tab General centang Unblock (Buka blokir), lalu OK. Atau simpan berkas di "
                     "folder Trusted Location (File > Options > Trust Center > Trust Center "
                     "Settings > Trusted Locations). Saat dibuka, klik Enable Content bila "
                     "diminta."),
            ("text", "Bila sheet dikunci dengan kata sandi, tombol memerlukan kata sandi itu: "
                     "isi variabel lingkungan XLKINERJA_PASSWORD di komputer pemeriksa dengan "
                     "kata sandinya. Tanpa kata sandi (bawaan), tidak ada yang perlu diatur."),
        ]
    blocks += [
        ("gap", ""),
        ("small", f"Dibuat dengan xlkinerja {__version__}, template versi {TEMPLATE_VERSION}. "
                  f"Identitas berkas: OPD {form.opd_code}, tahun {form.year}."),
    ]
    return blocks
