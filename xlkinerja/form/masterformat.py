"""The master table: one workbook (or a set of CSV files) describing the formulir of many OPD.

Planning staff hold the pagu of every sub kegiatan in the DPA, exported from the budget system
to Excel. The master lets them paste those lines once for every OPD, add the indicators and the
OPD's signatory, and generate one formulir per OPD. This module defines the three tables, their
columns and the words the cells accept; :mod:`xlkinerja.form.master` reads them and
:mod:`xlkinerja.workbook.masterwriter` writes the template. Both (and the template's Petunjuk sheet and
docs/master.md) take the columns from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlkinerja.form.model import Annual, Frequency, Level, LowerFormula, Polarity

EXAMPLE_OPD = "CONTOH"  # rows whose Kode OPD is this are the template's examples: skipped
NO_CAP_WORDS = ("tanpa", "tanpa batas", "tidak", "tidak dibatasi")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as the template writes it
    required: bool  # the column must be in the table (its cells may still be blank, see note)
    width: float
    note: str  # what the cell holds, shown as the header's comment and in the Petunjuk
    kind: str = "text"  # text | code | integer | amount | number | choice | nip
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other headers accepted (exports name columns their own way)


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    csv_name: str
    title: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def col_index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)


def _kode_opd(where: str) -> Column:
    return Column("kode_opd", "Kode OPD", True, 11,
                  f"Kode OPD pemilik baris ini, sama persis dengan kode di sheet OPD{where}.",
                  kind="code", aliases=("kode skpd", "kode perangkat daerah", "kode pd",
                                        "kode unit"))


def _nama_opd(required: bool) -> Column:
    note = ("Nama OPD lengkap seperti dicetak pada formulir, mis. Sekretariat Daerah Kota Jambi."
            if required else
            "Nama OPD; bila diisi harus sama dengan nama di sheet OPD (membantu "
            "menemukan kode OPD yang salah ketik).")
    return Column("nama_opd", "Nama OPD", required, 34 if required else 26, note,
                  aliases=("nama skpd", "skpd", "opd", "perangkat daerah",
                           "nama perangkat daerah"))


LEVEL_CHOICES = {Level.PROGRAM: "Program", Level.KEGIATAN: "Kegiatan",
                 Level.SUB_KEGIATAN: "Sub Kegiatan"}
POLARITY_CHOICES = {Polarity.HIGHER: "naik", Polarity.LOWER: "turun", Polarity.RANGE: "rentang"}
FREQUENCY_CHOICES = {Frequency.QUARTERLY: "triwulanan", Frequency.YEARLY: "tahunan"}
ANNUAL_CHOICES = {Annual.LAST: "terakhir", Annual.SUM: "jumlah", Annual.AVERAGE: "rata-rata",
                  Annual.NONDECREASING: "tidak turun"}
LOWER_CHOICES = {LowerFormula.PMK: "pmk", LowerFormula.INVERSE: "kebalikan"}

OPD = Table("opd", "OPD", "opd.csv", "Data OPD: satu baris per OPD", (
    _kode_opd(" dan di sheet Anggaran dan Indikator; unik. Untuk kode Kepmendagri "
              "050-5889/2021 mulailah dengan urusan.bidang (mis. 4.01 untuk Sekretariat Daerah): "
              "awalan X.XX pada kode program penunjang diganti dengan itu"),
    _nama_opd(True),
    Column("tahun", "Tahun", True, 8, "Tahun anggaran, mis. 2024.", kind="integer",
           aliases=("tahun anggaran",)),
    Column("jabatan", "Jabatan Penandatangan", True, 34,
           "Jabatan penanda tangan formulir, mis. SEKRETARIS DAERAH KOTA JAMBI.",
           aliases=("jabatan",)),
    Column("nama_ttd", "Nama Penandatangan", True, 28, "Nama dan gelar penanda tangan.",
           aliases=("penandatangan", "nama pejabat")),
    Column("pangkat", "Pangkat", True, 22, "Pangkat/golongan, mis. Pembina Utama Madya.",
           aliases=("pangkat golongan", "golongan")),
    Column("nip", "NIP", True, 21,
           "NIP 18 digit (boleh dengan spasi: 19661107 198512 1 001). Kolom ini berformat Teks; "
           "NIP yang tersimpan sebagai angka kehilangan digit terakhirnya.", kind="nip",
           aliases=("nip penandatangan",)),
    Column("kata_sandi", "Kata Sandi", False, 13,
           "Kata sandi proteksi sheet formulir OPD ini; kosong = terkunci tanpa "
           "kata sandi.", aliases=("password",)),
    Column("batas_capaian", "Batas Capaian (%)", False, 11,
           "Batas tampilan capaian dalam persen; kosong = 100. Tulis 'tanpa' agar "
           "capaian tidak dibatasi.", kind="number",
           aliases=("batas tampilan capaian", "display cap")),
    Column("rumus_turun", "Rumus Indikator Turun", False, 14,
           "Capaian indikator 'turun' (semakin rendah semakin baik): pmk = (2 × "
           "target − realisasi) ÷ target, PermenPANRB 8/2021 (bawaan); kebalikan = target ÷ "
           "realisasi.", kind="choice", choices=tuple(LOWER_CHOICES.values()),
           aliases=("rumus semakin rendah", "lower is better")),
    Column("pemda", "Pemerintah Daerah", False, 22,
           "Nama resmi pemerintah daerah OPD ini, mis. Kota Jambi; diperlukan bila ada "
           "indikator dengan Sumber Resmi (docs/data-rujukan.md).",
           aliases=("pemda", "pemerintah daerah")),
))

ANGGARAN = Table("anggaran", "Anggaran", "anggaran.csv",
                 "Baris anggaran (DPA): program, kegiatan, sub kegiatan berurutan", (
    _kode_opd(""),
    _nama_opd(False),
    Column("kode", "Kode", False, 20,
           "Kode Kepmendagri 050-5889/2021: program 4.01.01, kegiatan 4.01.01.2.01, "
           "sub kegiatan 4.01.01.2.01.0001. Awalan X.XX (program penunjang) diganti dengan "
           "urusan.bidang OPD. Tanpa kode, urutan dan Level menentukan induknya.", kind="code",
           aliases=("kode rekening", "kode program kegiatan sub kegiatan", "kode sub kegiatan",
                    "kode nomenklatur")),
    Column("uraian", "Uraian", True, 58, "Nama program, kegiatan, atau sub kegiatan.",
           aliases=("nama program kegiatan sub kegiatan", "program kegiatan sub kegiatan",
                    "nomenklatur", "nama")),
    Column("level", "Level", False, 14,
           "Program, Kegiatan, atau Sub Kegiatan. Boleh kosong bila Kode diisi (level dibaca "
           "dari kode). Urutan: baris program, lalu kegiatannya, masing-masing diikuti sub "
           "kegiatannya.", kind="choice", choices=tuple(LEVEL_CHOICES.values()),
           aliases=("tingkat", "jenis")),
    Column("pagu", "Pagu", True, 18,
           "Pagu dalam rupiah, bilangan bulat ≥ 0. Wajib untuk sub kegiatan. Pada program dan "
           "kegiatan boleh kosong; bila diisi, harus sama dengan jumlah rinciannya.",
           kind="amount", aliases=("pagu anggaran", "anggaran", "jumlah", "jumlah anggaran")),
    Column("id", "ID", False, 22,
           "Pengenal tetap untuk baris tanpa kode (huruf, angka, -, tanpa spasi). "
           "Kosong = kode, atau dibuat dari uraian.", kind="code", aliases=("id baris",)),
))

INDIKATOR = Table("indikator", "Indikator", "indikator.csv",
                  "Sasaran dan indikator kinerja: satu baris per indikator", (
    _kode_opd(""),
    _nama_opd(False),
    Column("sasaran", "Sasaran", True, 40,
           "Sasaran strategis. Indikator dengan tulisan sasaran yang sama dikelompokkan; sel "
           "kosong = sama dengan baris di atasnya.", aliases=("sasaran strategis",)),
    Column("indikator", "Indikator", True, 36, "Indikator sasaran.",
           aliases=("indikator sasaran", "indikator kinerja")),
    Column("target", "Target", True, 9,
           "Target dalam satuannya: 70, 2,7, atau 75 untuk 75%. Untuk polaritas rentang: batas "
           "bawah.", kind="number"),
    Column("target_atas", "Target Atas", False, 9,
           "Hanya untuk polaritas rentang: batas atas target.", kind="number",
           aliases=("batas atas target", "batas atas")),
    Column("satuan", "Satuan", True, 10, "Satuan indikator: %, nilai, indeks, skor, hari ...",
           aliases=("unit",)),
    Column("cara_pengukuran", "Cara Pengukuran", True, 40, "Cara pengukuran indikator.",
           aliases=("cara pengukuran indikator", "cara pengukuran indikator sasaran")),
    Column("polaritas", "Polaritas", False, 11,
           "naik = semakin tinggi semakin baik (bawaan); turun = semakin rendah semakin baik; "
           "rentang = dalam rentang Target..Target Atas.", kind="choice",
           choices=tuple(POLARITY_CHOICES.values()), aliases=("polarity",)),
    Column("frekuensi", "Frekuensi", False, 12,
           "triwulanan (bawaan) atau tahunan (nilai terbit sekali setahun; TW I-III diisi -).",
           kind="choice", choices=tuple(FREQUENCY_CHOICES.values()),
           aliases=("frequency", "periode")),
    Column("nilai_tahunan", "Nilai Tahunan", False, 12,
           "Nilai setahun dari nilai triwulan: terakhir (bawaan), jumlah, rata-rata, atau tidak "
           "turun (nilai tertinggi; persentase yang tidak boleh turun).",
           kind="choice", choices=tuple(ANNUAL_CHOICES.values()), aliases=("annual value",)),
    *(Column(f"target_tw_{r.lower()}", f"Target TW {r}", False, 9,
             f"Target triwulan {r} (boleh kosong; isi keempatnya atau tidak sama sekali). Bila "
             "diisi, capaian triwulan membandingkan realisasi triwulan dengan target "
             "triwulannya; bila kosong, realisasi s.d. triwulan itu dengan target tahunan.",
             kind="number", aliases=(f"target triwulan {r.lower()}",))
      for r in ("I", "II", "III", "IV")),
    Column("id_sasaran", "ID Sasaran", False, 16,
           "Pengenal tetap sasaran; kosong = dibuat dari tulisan sasaran.",
           kind="code"),
    Column("id_indikator", "ID Indikator", False, 16,
           "Pengenal tetap indikator; kosong = dibuat dari tulisan indikator.",
           kind="code", aliases=("id",)),
    Column("sumber", "Sumber Resmi", False, 12,
           "Sumber resmi yang menerbitkan nilai indikator ini: ipp-2024 (KepmenPANRB 659/2024) "
           "atau sakip (hasil evaluasi AKIP); kosong = tidak ada. Validasi membandingkan "
           "realisasi dengan nilai terbitan.", aliases=("sumber resmi", "sumber data")),
))

TABLES = (OPD, ANGGARAN, INDIKATOR)


def normalize_header(text: object) -> str:
    """"Pagu (Rp)" -> "pagu"; "Pangkat/Golongan" -> "pangkat golongan"."""
    t = re.sub(r"\([^)]*\)", " ", str(text).lower())
    return re.sub(r"[^a-z0-9]+", " ", t).strip()


def header_keys(table: Table) -> dict[str, str]:
    """Normalized header text -> column key, for every header and alias the table accepts."""
    out: dict[str, str] = {}
    for col in table.columns:
        for name in (col.header, *col.aliases):
            out.setdefault(normalize_header(name), col.key)
    return out
