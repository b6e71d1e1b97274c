"""A master full of mistakes: every planted mistake is reported at its cell, in Bahasa Indonesia;
the OPD with mistakes get no workbook, the others do; nothing ever ends in a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from xlkinerja.form.master import read_master
from xlkinerja.form.masterformat import ANGGARAN, INDIKATOR, OPD, Table
from xlkinerja.workbook.masterwriter import write_master_xlsx
from xlkinerja.form.yamlsource import cell_name


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, timeout=300)


class Planted:
    """Rows for the master, and where each planted mistake must be reported."""

    def __init__(self):
        self.rows = {"opd": [], "anggaran": [], "indikator": []}
        self.mistakes: list[tuple[str, str, str]] = []  # (opd code, cell, message fragment)
        self.notes: list[tuple[str, str]] = []  # (cell, fragment)
        self.general: list[tuple[str, str]] = []

    def add(self, table: Table, row: dict, mistake: tuple[str, str] | None = None,
            owner: str | None = None, note: tuple[str, str] | None = None) -> None:
        self.rows[table.key].append(row)
        for planted, target in ((mistake, "mistakes"), (note, "notes")):
            if planted:
                key, fragment = planted
                cell = f"{table.sheet}!{cell_name(len(self.rows[table.key]) + 1, table.col_index(key))}"
                if target == "notes":
                    self.notes.append((cell, fragment))
                elif owner is None:
                    self.general.append((cell, fragment))
                else:
                    self.mistakes.append((owner, cell, fragment))


def opd(code: str, name: str, nip: str = "196611071985121001", **extra) -> dict:
    return {"kode_opd": code, "nama_opd": name, "tahun": 2024, "jabatan": f"KEPALA {name.upper()}",
            "nama_ttd": "Budi Santoso, S.T.", "pangkat": "Pembina", "nip": nip, **extra}


def budget(code: str, uraian: str, level: str | None, pagu=None, kode=None, **extra) -> dict:
    return {"kode_opd": code, "uraian": uraian, "level": level, "pagu": pagu, "kode": kode, **extra}


def indicator(code: str, sasaran: str | None, text: str, target=80, unit="nilai", **extra) -> dict:
    return {"kode_opd": code, "sasaran": sasaran, "indikator": text, "target": target,
            "satuan": unit, "cara_pengukuran": f"Pengukuran {text}", **extra}


def good_lines(p: Planted, code: str) -> None:
    p.add(ANGGARAN, budget(code, "Program A", "Program"))
    p.add(ANGGARAN, budget(code, "Kegiatan A", "Kegiatan"))
    p.add(ANGGARAN, budget(code, "Sub A", "Sub Kegiatan", 1_000_000))


def good_indicator(p: Planted, code: str) -> None:
    p.add(INDIKATOR, indicator(code, "Sasaran A", "Indikator A"))


def planted_master() -> Planted:
    p = Planted()
    # OPD sheet --------------------------------------------------------------------------------
    p.add(OPD, opd("4.01", "Sekretariat Daerah Kota Contoh", kata_sandi="rahasia"))
    p.add(OPD, opd("1.01", "Dinas Pendidikan"))
    p.add(OPD, opd("1.02", "Dinas Kesehatan"))  # budget mistakes
    p.add(OPD, opd("2.01", "Dinas Tenaga Kerja"))  # indicator mistakes
    p.add(OPD, opd("3.01", "Dinas Pertanian", nip="196613071985121001", jabatan=None,
                   tahun="duaribu"), ("nip", "tanggal lahir"), "3.01")
    p.mistakes += [("3.01", f"OPD!{cell_name(len(p.rows['opd']) + 1, OPD.col_index(k))}", f)
                   for k, f in (("jabatan", "Jabatan Penandatangan wajib diisi"),
                                ("tahun", "harus tahun anggaran"))]
    p.add(OPD, opd("3.02", "Dinas Perdagangan", nip=196611071985121001.0),
          ("nip", "tersimpan sebagai angka"), "3.02")
    p.add(OPD, opd("3.03", "Dinas Pariwisata", batas_capaian="seratus", rumus_turun="lain"),
          ("batas_capaian", "harus berupa angka"), "3.03")
    p.mistakes.append(("3.03", f"OPD!{cell_name(len(p.rows['opd']) + 1, OPD.col_index('rumus_turun'))}",
                       "harus salah satu dari"))
    p.add(OPD, opd("1.02", "Dinas Kesehatan (lagi)"), ("kode_opd", "sudah dipakai di baris 4"), "1.02")
    p.add(OPD, opd("6.01", "Dinas Tanpa Anggaran"), ("kode_opd", "tidak punya baris di sheet Anggaran"),
          "6.01")
    p.add(OPD, {"kode_opd": None, "nama_opd": "Tanpa kode", "jabatan": "KEPALA"},
          ("kode_opd", "Kode OPD wajib diisi"))  # belongs to no OPD

    # Anggaran ----------------------------------------------------------------------------------
    # 4.01: correct, official codes with the X.XX support program, stated parent pagu
    p.add(ANGGARAN, budget("4.01", "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
                           "Program", "300.000.000", "X.XX.01"))
    p.add(ANGGARAN, budget("4.01", "Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah",
                           "Kegiatan", 300_000_000, "X.XX.01.2.01"),
          note=("nama_opd", "berbeda dengan nama di sheet OPD"))
    p.rows["anggaran"][-1]["nama_opd"] = "Sekretariat DPRD"
    p.add(ANGGARAN, budget("4.01", "Penyusunan Dokumen Perencanaan Perangkat Daerah",
                           "Sub Kegiatan", "Rp 100.000.000", "X.XX.01.2.01.0001"))
    p.add(ANGGARAN, budget("4.01", "Evaluasi Kinerja Perangkat Daerah", "Sub Kegiatan",
                           200_000_000, id="evaluasi-kinerja"))
    # 1.01: correct, levels only
    good_lines(p, "1.01")
    # 1.02: one mistake per row
    c = "1.02"
    p.add(ANGGARAN, budget(c, "Program Kesehatan", "Program"))
    p.add(ANGGARAN, budget(c, "Sub tanpa induk", "Sub Kegiatan", 5), ("level", "tanpa kegiatan induk"), c)
    p.add(ANGGARAN, budget(c, "Kegiatan Satu", "Kegiatan", 10))  # stated 10, children 3+4 = 7
    p.mistakes.append((c, f"Anggaran!{cell_name(len(p.rows['anggaran']) + 1, ANGGARAN.col_index('pagu'))}",
                       "selisih 3"))
    p.add(ANGGARAN, budget(c, "Sub Satu", "Sub Kegiatan", 3))
    p.add(ANGGARAN, budget(c, "Sub Dua", "Sub Kegiatan", "4"))
    p.add(ANGGARAN, budget(c, "Kegiatan Kosong", "Kegiatan"), ("uraian", "tidak punya sub kegiatan"), c)
    p.add(ANGGARAN, budget(c, "Kegiatan Dua", "Kegiatan"))
    p.add(ANGGARAN, budget(c, "Sub tanpa pagu", "Sub Kegiatan"), ("pagu", "Pagu wajib diisi"), c)
    p.add(ANGGARAN, budget(c, "Sub teks", "Sub Kegiatan", "seratus juta"),
          ("pagu", "Pagu harus berupa angka, bukan 'seratus juta'"), c)
    p.add(ANGGARAN, budget(c, "Sub negatif", "Sub Kegiatan", -5), ("pagu", "tidak boleh kurang dari 0"), c)
    p.add(ANGGARAN, budget(c, "Sub pecahan", "Sub Kegiatan", 1_500_000.5), ("pagu", "bilangan bulat"), c)
    p.add(ANGGARAN, budget(c, "Sub aneh", "Aktivitas", 1), ("level", "Level 'Aktivitas' tidak dikenal"), c)
    p.add(ANGGARAN, budget(c, None, "Sub Kegiatan", 1), ("uraian", "Uraian wajib diisi"), c)
    p.add(ANGGARAN, budget(None, "Sub tanpa OPD", "Sub Kegiatan", 1), ("kode_opd", "dianggap milik OPD 1.02"), c)
    p.add(ANGGARAN, budget(c, "Program Berkode", "Program", kode="1.02.02"))
    p.add(ANGGARAN, budget(c, "Kegiatan salah pola", "Kegiatan", kode="1.2.3"),
          ("kode", "tidak sesuai pola Kepmendagri"), c)
    p.add(ANGGARAN, budget(c, "Sub di bawahnya", "Sub Kegiatan", 1))
    p.add(ANGGARAN, budget(c, "Kegiatan program lain", "Kegiatan", kode="1.02.03.2.01"),
          ("kode", "tidak berada di bawah kode induknya '1.02.02'"), c)
    p.add(ANGGARAN, budget(c, "Sub Berkode", None, 1, kode="1.02.03.2.01.0001"))
    p.add(ANGGARAN, budget(c, "Sub Berkode Kembar", None, 1, kode="1.02.03.2.01.0001"),
          ("kode", "sudah dipakai di Anggaran baris"), c)
    # 2.01, 3.01, 3.02, 3.03: correct lines
    for code in ("2.01", "3.01", "3.02", "3.03"):
        good_lines(p, code)
    # 5.01: lines, but no row in the OPD sheet (so no signatory)
    p.add(ANGGARAN, budget("5.01", "Program Tanpa OPD", "Program"),
          ("kode_opd", "tidak ada di sheet OPD"), "5.01")
    p.add(ANGGARAN, budget("5.01", "Kegiatan", "Kegiatan"))
    p.add(ANGGARAN, budget("5.01", "Sub", "Sub Kegiatan", 1))
    p.add(ANGGARAN, budget("CONTOH", "Baris contoh", "Program"))  # skipped, never a problem

    # Indikator ---------------------------------------------------------------------------------
    p.add(INDIKATOR, indicator("4.01", "Meningkatkan Efektivitas Tata Kelola Pemerintahan",
                               "Nilai SAKIP", 70, polaritas="naik", frekuensi="tahunan"))
    p.add(INDIKATOR, indicator("4.01", None, "Persentase dokumen tepat waktu", "75%", "%"))
    p.add(INDIKATOR, indicator("4.01", "Meningkatkan Efektifitas Tata Kelola Pemerintahan",
                               "Indeks Reformasi Hukum", 70),
          note=("sasaran", "hampir sama dengan sasaran di baris 2"))
    good_indicator(p, "1.01")
    good_indicator(p, "1.02")
    c = "2.01"
    p.add(INDIKATOR, indicator(c, None, "Tanpa sasaran"), ("sasaran", "Sasaran wajib diisi"), c)
    p.add(INDIKATOR, indicator(c, "Sasaran Tenaga Kerja", "Target teks", "tinggi"),
          ("target", "Target harus berupa angka, bukan 'tinggi'"), c)
    p.add(INDIKATOR, indicator(c, None, "Polaritas asing", polaritas="meningkat"),
          ("polaritas", "harus salah satu dari"), c)
    # higher-is-better with target 0: no capaian can be computed, said as a note (the form can
    # still be made)
    p.add(INDIKATOR, indicator(c, None, "Target nol", 0), note=("target", "target 0"))
    p.add(INDIKATOR, indicator(c, None, "Rentang tanpa batas atas", 10, polaritas="rentang"),
          ("target_atas", "Target Atas wajib diisi"), c)
    p.add(INDIKATOR, indicator(c, None, "Rentang terbalik", 20, polaritas="rentang", target_atas=10),
          ("target", "lebih besar dari batas atas"), c)
    p.add(INDIKATOR, indicator(c, None, "Batas atas tanpa rentang", 20, target_atas=30),
          ("target_atas", "hanya untuk polaritas rentang"), c)
    p.add(INDIKATOR, indicator(c, None, "Tanpa satuan", unit=None), ("satuan", "Satuan wajib diisi"), c)
    p.add(INDIKATOR, indicator(c, None, "Bulanan", frekuensi="bulanan"),
          ("frekuensi", "harus salah satu dari"), c)
    for code in ("3.01", "3.02", "3.03", "6.01"):
        good_indicator(p, code)
    return p  # 6.01 has an indicator but no budget line (planted above)


GOOD = {"4.01", "1.01"}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    p = planted_master()
    base = tmp_path_factory.mktemp("salah")
    path = write_master_xlsx(p.rows, base / "master_salah.xlsx")
    return p, path, base


def test_every_planted_mistake_is_reported_at_its_cell_and_nothing_else(planted):
    p, path, _ = planted
    master = read_master([path])
    assert master.readable
    by_code = {o.code: o for o in master.opds}
    assert set(by_code) == {"4.01", "1.01", "1.02", "2.01", "3.01", "3.02", "3.03", "5.01", "6.01"}
    assert master.examples_skipped == 1
    for code, opd_ in by_code.items():
        want = sorted((cell, frag) for owner, cell, frag in p.mistakes if owner == code)
        got = [(q.cell, q.message) for q in opd_.problems]
        # the same cells, no more (no cascade of follow-up messages), each with its message
        assert sorted(cell for cell, _ in got) == sorted(cell for cell, _ in want), \
            (code, got, want)
        for cell, frag in want:
            assert any(c == cell and frag in m for c, m in got), (code, cell, frag, got)
        assert (opd_.spec is None) == bool(want)
    assert len(p.mistakes) >= 30
    general = [(q.cell, q.message) for q in master.problems]
    assert [c for c, _ in general] == [c for c, _ in p.general]
    assert all(any(frag in m for _, m in general) for _, frag in p.general)
    notes = [(q.cell, q.message) for q in master.notes]
    for cell, frag in p.notes:
        assert any(c == cell and frag in m for c, m in notes), (cell, frag, notes)
    assert len(notes) == len(p.notes)


def test_cli_writes_the_good_opd_refuses_the_others_and_exits_1(planted):
    p, path, base = planted
    out = base / "keluar"
    proc = run("generate", "--master", str(path), "--out", str(out))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    written = sorted(x.name for x in out.iterdir())
    assert written == ["2024_1.01_dinas-pendidikan.xlsx",
                       "2024_4.01_sekretariat-daerah-kota-contoh.xlsx"]
    assert "Hasil: 2 dari 9 OPD ditulis; 7 tidak ditulis" in proc.stdout
    for owner, cell, frag in p.mistakes:
        assert any(cell in line and frag in line for line in proc.stderr.splitlines()), \
            (cell, frag)
    assert "OPD yang TIDAK ditulis (7)" in proc.stderr
    cell = next(c for _, c, f in p.mistakes if f == "Pagu wajib diisi")
    assert f"    - {cell} (Pagu): Pagu wajib diisi (berupa angka)" in proc.stderr.splitlines()
    for cell, frag in p.notes:
        assert cell in proc.stdout


def test_an_older_workbook_of_a_refused_opd_is_pointed_out(planted, tmp_path):
    p, path, base = planted
    out = tmp_path / "keluar"
    out.mkdir()
    (out / "2024_1.02_dinas-kesehatan.xlsx").write_bytes(b"dari minggu lalu")
    proc = run("generate", "--master", str(path), "--out", str(out))
    assert proc.returncode == 1
    assert "berkas lama 2024_1.02_dinas-kesehatan.xlsx" in proc.stderr
    assert (out / "2024_1.02_dinas-kesehatan.xlsx").read_bytes() == b"dari minggu lalu"


def test_nothing_written_when_every_opd_is_wrong_exit_2(tmp_path):
    p = Planted()
    p.add(OPD, opd("1.01", "Dinas A", nip="123"))
    good_lines(p, "1.01")
    good_indicator(p, "1.01")
    path = write_master_xlsx(p.rows, tmp_path / "m.xlsx")
    proc = run("generate", "--master", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "OPD!G2 (NIP): NIP harus 18 digit" in proc.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_unreadable_or_incomplete_masters_exit_2_with_a_reason(tmp_path):
    bad = tmp_path / "rusak.xlsx"
    bad.write_bytes(b"bukan workbook")
    cases = [(bad, "tidak dapat dibaca sebagai workbook Excel"),
             (tmp_path / "tidak-ada.xlsx", "berkas tidak ditemukan")]
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "OPD"
    wb["OPD"].append(["Kode OPD", "Nama OPD", "Tahun", "Jabatan Penandatangan",
                      "Nama Penandatangan", "Pangkat", "NIP"])
    ws = wb.create_sheet("Anggaran")
    ws.append(["Kode OPD", "Uraian", "Level"])  # no Pagu column
    wb.create_sheet("Lain")
    no_sheet = tmp_path / "kurang.xlsx"
    wb.save(no_sheet)
    cases += [(no_sheet, "Anggaran!1:1: kolom wajib tidak ditemukan: Pagu"),
              (no_sheet, "sheet 'Indikator': tidak ditemukan (ada: OPD, Anggaran, Lain)")]
    for path, message in cases:
        proc = run("generate", "--master", str(path), "--out", str(tmp_path / "out"))
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr, proc.stderr
        assert "Tidak ada berkas yang ditulis" in proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "out").exists()
