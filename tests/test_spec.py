"""Template specs: the seed loads; every kind of mistake is reported with its line and key."""

from __future__ import annotations

import pytest

from xlkinerja.base import bundled
from xlkinerja.form.model import Frequency, Level, Polarity
from xlkinerja.form.nip import parse_nip
from xlkinerja.base.numbers import format_number, format_percent, format_rupiah, parse_number_text
from xlkinerja.form.spec import DocumentError, parse_fill, parse_spec

SEED = bundled.seed_spec_text()


def test_seed_spec_reproduces_the_printed_pagu(form):
    assert form.opd_name == "Sekretariat Daerah Kota Jambi" and form.year == 2024
    assert form.total_pagu == 71_845_569_394
    assert [p.pagu for p in form.programs] == [25_338_739_129, 1_809_859_950, 44_696_970_315]
    assert len(form.budget_rows()) == 40 and len(form.leaves()) == 25
    assert [len(s.indikator) for s in form.sasaran] == [4, 1]
    assert all(i.frequency is Frequency.YEARLY and i.polarity is Polarity.HIGHER
               for _, i in form.indicators())
    balancing = [r for r in form.budget_rows() if "penyeimbang" in r.name]
    assert len(balancing) == 4 and all("tidak tercantum" in r.name for r in balancing)
    assert form.signatory.nip == "196611071985121001"


def test_seed_fill_reproduces_quarter_entries(form, entries):
    assert set(entries) == {1, 2, 3, 4}
    tw4 = entries[4]
    assert tw4.indikator["nilai-sakip"].realisasi == 68.64
    assert tw4.indikator["persentase-tingkat-kesehatan-bumd-dan-blud"].realisasi == 66.5
    assert tw4.indikator["indeks-reformasi-hukum"].realisasi == "-"
    assert tw4.faktor_pendorong.startswith("Adanya komitmen")
    assert entries[1].faktor_pendorong is None  # TW I-III forms print none
    assert all(e.uraian_permasalahan and e.rencana_tindak_lanjut for e in entries.values())


def _problems(text: str):
    with pytest.raises(DocumentError) as info:
        parse_spec(text, "uji.yaml")
    return info.value


def _line_of(text: str, needle: str, start: int = 0) -> int:
    """Line number of the first line at or after character ``start`` that contains ``needle``."""
    first = text.count("\n", 0, start) + 1
    for i, line in enumerate(text.splitlines()[first - 1:], start=first):
        if needle in line:
            return i
    raise AssertionError(needle)


CASES = [
    # (replace this, with this, line containing, message fragment)
    ('nip: "196611071985121001"', 'nip: "19661107198512100"', "nip:", "18 digit"),
    ('nip: "196611071985121001"', 'nip: "196613071985121001"', "nip:", "tanggal lahir"),
    ('nip: "196611071985121001"', 'nip: "196611071980101001"', "nip:", "berumur 13 tahun"),
    ('nip: "196611071985121001"', 'nip: "196611071985131001"', "nip:", "bulan pengangkatan"),
    ('nip: "196611071985121001"', 'nip: "196611071985123001"', "nip:", "jenis kelamin"),
    ("            pagu: 180_000_000", "            pagu: seratus juta", "pagu: seratus juta",
     "harus berupa angka"),
    ("            pagu: 180_000_000", "            pagu: -5", "pagu: -5", "tidak boleh kurang"),
    ("            pagu: 180_000_000", "            pagu: 1.5", "pagu: 1.5", "bilangan bulat"),
    ("        sub_kegiatan:\n          - name: Fasilitasi Kerja Sama Dalam Negeri",
     "        sub_kegiatn:\n          - name: Fasilitasi Kerja Sama Dalam Negeri", "sub_kegiatn",
     "mungkin maksudnya 'sub_kegiatan'"),
    ('    code: "4.01.03"', '    code: "4.01.02"', 'code: "4.01.02"', "sudah dipakai"),
    ('    code: "4.01.03"', '    code: "4.1.3"', 'code: "4.1.3"', "tidak sesuai pola"),
    ('        code: "X.XX.01.2.02"', '        code: "X.XX.02.2.02"', 'code: "X.XX.02.2.02"',
     "tidak berada di bawah kode induknya"),
    ("    pagu: 1_809_859_950", "    pagu: 1_809_859_951", "pagu: 1_809_859_951",
     "selisih 1"),  # the program's stated pagu disagrees with its kegiatan
    ("        polarity: higher\n        frequency: yearly\n  - text: Meningkatkan Kualitas",
     "        polarity: upward\n        frequency: yearly\n  - text: Meningkatkan Kualitas",
     "polarity: upward", "harus salah satu dari"),
    # target 0 is a note now (tests/test_indicators.py); a NIP Excel cut to 15 digits is refused
    ('nip: "196611071985121001"', 'nip: "196611071985121000"', "nip:", "nomor urut"),
    ("year: 2024", "year: duaribu", "year:", "tahun anggaran"),
    ("  name: Sekretariat Daerah Kota Jambi\n", "  name: ''\n", "  name: ''", "tidak boleh kosong"),
]


@pytest.mark.parametrize("old,new,line_has,message", CASES)
def test_spec_mistakes_are_located(old, new, line_has, message):
    assert old in SEED
    text = SEED.replace(old, new, 1)
    err = _problems(text)
    hits = [p for p in err.problems if message in p.message]
    assert hits, err.report()
    assert hits[0].line == _line_of(text, line_has, SEED.index(old)), err.report()
    report = err.report()
    assert "uji.yaml" in report and f"baris {hits[0].line}" in report
    assert "Tidak ada berkas yang ditulis" in report


def test_all_problems_reported_at_once():
    text = SEED.replace('nip: "196611071985121001"', 'nip: "123"').replace(
        "            pagu: 180_000_000", "            pagu: x").replace("year: 2024", "year: 1800")
    err = _problems(text)
    assert len(err.problems) >= 3


def test_yaml_syntax_error_names_the_line():
    text = SEED.replace("  pangkat: Pembina Utama Madya", "  pangkat: [Pembina Utama Madya")
    err = _problems(text)
    assert err.problems[0].line is not None and "format YAML tidak sah" in err.problems[0].message


def test_duplicate_key_is_refused():
    text = SEED.replace("year: 2024\n", "year: 2024\nyear: 2025\n")
    err = _problems(text)
    assert "ditulis dua kali" in err.problems[0].message
    assert err.problems[0].line == _line_of(text, "year: 2025")


def test_empty_and_non_mapping_documents():
    assert "kosong" in _problems("").problems[0].message
    assert "pemetaan" in _problems("- a\n- b\n").problems[0].message


def test_indonesian_numbers_in_spec_are_understood():
    text = SEED.replace("            pagu: 180_000_000", '            pagu: "180.000.000"').replace(
        "        target: 2.7", '        target: "2,7"')
    form = parse_spec(text).form
    assert form.total_pagu == 71_845_569_394
    assert form.sasaran[0].indikator[0].target == 2.7


def test_range_and_lower_is_better_targets():
    text = SEED.replace("        target: 70\n        unit: indeks\n        cara_pengukuran: Penilaian dari KEMENKUMHAM RI\n        polarity: higher",
                        "        target: [60, 80]\n        unit: indeks\n        cara_pengukuran: Penilaian dari KEMENKUMHAM RI\n        polarity: range")
    text = text.replace("        target: 3.9\n        unit: indeks\n        cara_pengukuran: Penilaian dari KEMENPAN RB\n        polarity: higher",
                        "        target: 8\n        unit: bulan\n        cara_pengukuran: Lama penyelesaian\n        polarity: lower")
    form = parse_spec(text).form
    rng = form.sasaran[0].indikator[1]
    assert rng.polarity is Polarity.RANGE and (rng.target, rng.target_high) == (60, 80)
    assert form.sasaran[0].indikator[3].polarity is Polarity.LOWER


def test_fill_refers_to_ids_and_reports_unknown_ones(form):
    err = None
    with pytest.raises(DocumentError) as info:
        parse_fill("triwulan:\n  I:\n    anggaran:\n      tidak-ada: 5\n", form, "isian.yaml")
    err = info.value
    assert err.problems[0].line == 4 and "tidak dikenal" in err.problems[0].message
    with pytest.raises(DocumentError) as info:
        parse_fill("triwulan:\n  I:\n    anggaran:\n      4.01.02: 5\n", form, "isian.yaml")
    assert "dihitung dari sub kegiatan" in info.value.problems[0].message


def test_levels_follow_the_tree(form):
    assert all(p.level is Level.PROGRAM for p in form.programs)
    assert all(k.level is Level.KEGIATAN for p in form.programs for k in p.children)


# -- small domain helpers ---------------------------------------------------------------------

@pytest.mark.parametrize("text,value,pct", [
    ("4.497.357.736", 4_497_357_736, False), ("17,75", 17.75, False), ("17,75%", 0.1775, True),
    ("Rp 1.234.567,50", 1_234_567.5, False), ("1,234,567", 1_234_567, False),
    ("  25338739129 ", 25_338_739_129, False), ("(1.000)", -1000, False), ("66,50 %", 0.665, True),
])
def test_parse_indonesian_number_text(text, value, pct):
    parsed = parse_number_text(text)
    assert parsed is not None and parsed.value == pytest.approx(value) and parsed.is_percent == pct


@pytest.mark.parametrize("text", ["", "abc", "1.2.3,4,5", "-", "Rp", "12a"])
def test_not_numbers(text):
    assert parse_number_text(text) is None


def test_formatting_like_the_form():
    assert format_rupiah(25_338_739_129) == "25.338.739.129"
    assert format_percent(0.17749) == "17,75%"
    assert format_number(2.7) == "2,7" and format_number(70) == "70" and format_number(68.35) == "68,35"


def test_nip_of_the_seed_signatory():
    nip, why = parse_nip("196611071985121001")
    assert why is None
    assert nip.birth_date.isoformat() == "1966-11-07" and nip.appointed == (1985, 12)
    assert nip.gender == 1 and nip.sequence == 1
