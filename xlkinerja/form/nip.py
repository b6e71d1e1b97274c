"""NIP (Nomor Induk Pegawai) of a civil servant: 18 digits with meaning (Perka BKN 22/2007).

``YYYYMMDD`` birth date, ``YYYYMM`` first appointment (TMT CPNS), one gender digit (1 man,
2 woman) and a three-digit sequence: 196611071985121001 = born 1966-11-07, appointed 1985-12,
man, number 001.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MIN_AGE_AT_APPOINTMENT = 18


@dataclass(frozen=True)
class Nip:
    birth_date: dt.date
    appointed: tuple[int, int]  # (year, month)
    gender: int
    sequence: int


def parse_nip(text: str) -> tuple[Nip | None, str | None]:
    """Parse a NIP; returns (nip, None) or (None, problem in Bahasa Indonesia)."""
    raw = str(text).strip()
    digits = raw.replace(" ", "")
    if not digits.isdigit():
        return None, f"NIP hanya boleh berisi angka, bukan {raw!r}"
    if len(digits) != 18:
        return None, f"NIP harus 18 digit, bukan {len(digits)} digit ({raw!r})"
    try:
        birth = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None, f"8 digit pertama NIP ({digits[0:8]}) bukan tanggal lahir yang sah (TTTTBBHH)"
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        return None, f"digit 9-14 NIP ({digits[8:14]}) bukan bulan pengangkatan yang sah (TTTTBB)"
    age = year - birth.year - (1 if month < birth.month else 0)
    if age < MIN_AGE_AT_APPOINTMENT:
        return None, (f"NIP menyatakan pengangkatan {year}-{month:02d}, ketika pegawai berumur "
                      f"{age} tahun (lahir {birth.isoformat()}); periksa digit 9-14")
    if year > dt.date.today().year + 1:
        return None, f"tahun pengangkatan dalam NIP ({year}) ada di masa depan"
    gender = int(digits[14])
    if gender not in (1, 2):
        return None, f"digit ke-15 NIP (jenis kelamin) harus 1 atau 2, bukan {gender}"
    sequence = int(digits[15:18])
    if sequence == 0:
        return None, (f"3 digit terakhir NIP (nomor urut) {digits[15:18]}: NIP yang sah tidak "
                      "pernah bernomor urut 000. Excel mungkin memotong NIP yang diketik sebagai "
                      "angka menjadi 15 digit (digit terakhir menjadi 0); format selnya sebagai "
                      "Teks lalu ketik ulang NIP-nya")
    return Nip(birth, (year, month), gender, sequence), None


def format_nip(text: str) -> str:
    """A NIP as it is printed on official documents, its four parts apart:
    196611071985121001 -> "19661107 198512 1 001". Anything not 18 digits is returned as given."""
    digits = str(text).replace(" ", "")
    if len(digits) != 18 or not digits.isdigit():
        return str(text)
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
