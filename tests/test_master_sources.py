"""Masters as users really produce them: CSV saved by Excel (comma or semicolon, ANSI or UTF-8),
and workbooks of their own (other sheet names, a title above the header, an export's column
names, numbers Excel mangled)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

from masters import read_back
from xlkinerja.form.master import read_master

OPD_CSV = ("Kode SKPD,Nama SKPD,Tahun Anggaran,Jabatan,Nama Penandatangan,Pangkat/Golongan,NIP\r\n"
           "2.07,Dinas Penanaman Modal dan PTSP,2024,KEPALA DINAS,Ir. Andi Pratama,"
           "Pembina Tingkat I,19700812 199503 1 002\r\n")
# An export with a title line, its own column order and names, an extra column, Rp amounts
BUDGET_CSV = ("DPA SKPD TAHUN 2024\r\n"
              "Kode Rekening,Nama Program/Kegiatan/Sub Kegiatan,Sumber Dana,Kode SKPD,Pagu (Rp),Tingkat\r\n"
              "X.XX.01,Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota,,2.07,,\r\n"
              "X.XX.01.2.02,Administrasi Keuangan Perangkat Daerah,,2.07,,\r\n"
              'X.XX.01.2.02.0001,Penyediaan Gaji dan Tunjangan ASN,DAU,2.07,"Rp 2.500.000.000,00",\r\n'
              "X.XX.01.2.02.0002,Pelaksanaan Akuntansi SKPD,PAD,2.07,1.234.567,\r\n"
              ",Penanaman Modal,,2.07,,Program\r\n"
              ",Promosi Penanaman Modal,,2.07,,Kegiatan\r\n"
              ",Pameran Investasi \u2013 Jambi Expo,PAD,2.07,750000000,Sub Kegiatan\r\n")
INDICATOR_CSV = ("Kode SKPD,Sasaran Strategis,Indikator Kinerja,Target,Satuan,Cara Pengukuran,Polaritas\r\n"
                 "2.07,Meningkatnya investasi,Nilai realisasi investasi,\"1.500\",miliar rupiah,"
                 "Laporan LKPM,naik\r\n"
                 ",,,,,,\r\n"
                 "2.07,,Persentase perizinan tepat waktu,95%,%,Izin tepat waktu dibagi seluruh izin,\r\n")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, timeout=120)


def write_csvs(folder: Path, encoding: str, budget: str = BUDGET_CSV) -> list[Path]:
    folder.mkdir()
    files = []
    for name, text in (("data opd.csv", OPD_CSV), ("dpa_anggaran.csv", budget),
                       ("indikator kinerja.csv", INDICATOR_CSV)):
        (folder / name).write_bytes(text.encode(encoding))
        files.append(folder / name)
    return files


def test_comma_separated_ansi_csv_export(tmp_path):
    files = write_csvs(tmp_path / "csv", "cp1252")
    out = tmp_path / "out"
    proc = run("generate", "--master", *map(str, files), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "kolom yang tidak dikenal diabaikan: Sumber Dana" in proc.stdout
    rb = read_back(out / "2024_2.07_dinas-penanaman-modal-dan-ptsp.xlsx")
    form = rb.form
    assert form.signatory.nip == "197008121995031002"
    assert [r.id for r in form.leaves()] == ["2.07.01.2.02.0001", "2.07.01.2.02.0002",
                                            "pameran-investasi-jambi-expo"]
    assert [r.pagu for r in form.leaves()] == [2_500_000_000, 1_234_567, 750_000_000]
    assert [r.name for r in form.leaves()][-1] == "Pameran Investasi \u2013 Jambi Expo"
    assert form.total_pagu == 3_251_234_567
    (s,) = form.sasaran
    assert [(i.target, i.unit) for i in s.indikator] == [(1500, "miliar rupiah"), (95, "%")]


def test_separator_is_found_even_when_the_text_has_the_other_one():
    from xlkinerja.form.master import _delimiter

    semicolon = ("Kode OPD;Uraian;Pagu\n"
                 "4.01;Perencanaan, Penganggaran, dan Evaluasi Kinerja, Perangkat Daerah;1.000,50\n"
                 "4.01;Administrasi Keuangan, Umum, dan Kepegawaian;2,5\n")
    comma = 'DPA 2024\nKode,Uraian,Pagu\n4.01,"Sewa; gedung",1000\n4.01,Gaji,5\n'
    assert (_delimiter(semicolon), _delimiter(comma), _delimiter("a\tb\n1\t2, 3\n")) == \
        (";", ",", "\t")


def test_semicolon_utf8_csv_folder_and_located_problems(tmp_path):
    semicolon = BUDGET_CSV.replace(",", ";").replace('"Rp 2.500.000.000;00"', "Rp 2.500.000.000")
    write_csvs(tmp_path / "csv", "utf-8-sig", semicolon.replace(";1.234.567;", ";satu juta;"))
    # (the OPD and indicator files stay comma separated: each file is read on its own)
    proc = run("generate", "--master", str(tmp_path / "csv"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    # the title line counts: the header is line 2, the bad amount is on line 6, column E
    assert "dpa_anggaran.csv!E6 (Pagu (Rp)): Pagu (Rp) harus berupa angka, bukan 'satu juta'" \
        in proc.stderr


def test_a_workbook_of_their_own(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data OPD"
    ws.append(["DAFTAR OPD KOTA CONTOH 2024"])
    ws.append(["Kode SKPD", "Nama SKPD", "Tahun", "Jabatan", "Nama Penandatangan", "Pangkat",
               "NIP"])
    ws.append([4.1, "Sekretariat DPRD Kota Contoh", 2024, "SEKRETARIS DPRD", "H. Rahmat, S.H.",
               "Pembina Utama Muda", "197203151998032002"])  # 4.10 typed into a General cell
    ws = wb.create_sheet("DPA 2024")
    ws.append(["Kode SKPD", "Kode Rekening", "Uraian", "Pagu Anggaran"])
    for row in (["4.10", "X.XX.01", "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota", None],
                ["4.10", "X.XX.01.2.01", "Perencanaan, Penganggaran, dan Evaluasi Kinerja", 300e6],
                ["4.10", "X.XX.01.2.01.0001", "Penyusunan Dokumen Perencanaan Perangkat Daerah", 100e6],
                ["4.10", "X.XX.01.2.01.0007", "Evaluasi Kinerja Perangkat Daerah", 200e6]):
        ws.append(row)
    ws = wb.create_sheet("IKU")
    ws.append(["Kode OPD", "Sasaran", "Indikator", "Target", "Satuan", "Cara Pengukuran",
               "Frekuensi"])
    ws.append(["4.10", "Meningkatnya kualitas fasilitasi DPRD", "Persentase perda tepat waktu",
               "80%", "%", "Perda tepat waktu dibagi perda", "tahunan"])
    path = tmp_path / "punya_sendiri.xlsx"
    wb.save(path)
    master = read_master([path])
    assert master.readable, [p.message for p in master.problems]
    (opd,) = master.opds
    assert not opd.problems, [f"{p.location()}: {p.message}" for p in opd.problems]
    form = opd.spec.form
    assert form.opd_code == "4.10"  # Excel's 4.1, read as urusan.bidang
    assert [r.code for r in form.budget_rows()] == ["4.10.01", "4.10.01.2.01",
                                                    "4.10.01.2.01.0001", "4.10.01.2.01.0007"]
    assert [r.level.value for r in form.budget_rows()] == ["program", "kegiatan", "sub_kegiatan",
                                                          "sub_kegiatan"]
    assert form.total_pagu == 300_000_000
    assert form.sasaran[0].indikator[0].target == 80


def test_a_second_file_for_the_same_table_is_refused_not_ignored(tmp_path):
    files = write_csvs(tmp_path / "csv", "utf-8")
    extra = tmp_path / "csv" / "anggaran tambahan.csv"
    extra.write_text(BUDGET_CSV, encoding="utf-8")
    proc = run("generate", "--master", str(tmp_path / "csv"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "satu berkas per tabel" in proc.stderr
    assert "anggaran tambahan.csv" in proc.stderr or "dpa_anggaran.csv" in proc.stderr
    proc = run("generate", "--master", str(files[0]), str(files[1]), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "berkas CSV untuk sheet Indikator" in proc.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists()
