"""Which findings make a returned file unacceptable as a whole (``ditolak``).

The Petunjuk tells OPD staff that a file whose formulas or pagu were changed is rejected;
validation says so for such a file, and consolidation does not count it. The file must be sent
again from the form that was issued. Every other error (an entry that is not a number, a formula
typed into an input cell, a reference to another workbook) leaves the file counted and that entry
out.
"""

from __future__ import annotations

from typing import Iterable

#: codes after which nothing in the file can be vouched for
REJECTING = frozenset({
    "IDENTITY_OPD_MISMATCH",        # another OPD's form than the one expected
    "IDENTITY_YEAR_MISMATCH",       # another year's form than the one expected
    "IDENTITY_NOT_SIGNED",          # the register is used, the form carries no signature
    "IDENTITY_SIGNATURE_INVALID",   # a signature the register's key did not make
    "IDENTITY_NOT_ISSUED",          # signed, but no such form was issued
    "INTEGRITY_META_CHANGED",       # the hidden form JSON was edited
    "INTEGRITY_LOCKED_CHANGED",     # pagu, target or a locked text changed
    "INTEGRITY_FORMULA_OVERWRITTEN",
    "INTEGRITY_FORMULA_CHANGED",
})


def rejects(code: str) -> bool:
    return code in REJECTING


def rejecting_codes(codes: Iterable[str]) -> list[str]:
    """The rejecting codes among ``codes``, each once, in a stable order."""
    return sorted({c for c in codes if c in REJECTING})


#: what the OPD is told when its file is rejected, by code (Bahasa Indonesia, short)
REASONS = {
    "IDENTITY_OPD_MISMATCH": "formulir OPD lain",
    "IDENTITY_YEAR_MISMATCH": "formulir tahun lain",
    "IDENTITY_NOT_SIGNED": "formulir tidak bertanda tangan (bukan formulir yang diterbitkan)",
    "IDENTITY_SIGNATURE_INVALID": "tanda tangan formulir tidak sah (dibuat ulang di tempat lain "
                                  "atau identitasnya diubah)",
    "IDENTITY_NOT_ISSUED": "formulir tidak tercatat di register",
    "INTEGRITY_META_CHANGED": "identitas formulir tersembunyi diubah",
    "INTEGRITY_LOCKED_CHANGED": "pagu, target atau teks terkunci diubah",
    "INTEGRITY_FORMULA_OVERWRITTEN": "rumus ditimpa",
    "INTEGRITY_FORMULA_CHANGED": "rumus diubah",
}


def rejection_text(codes: Iterable[str]) -> str | None:
    """``"kirim ulang: rumus ditimpa; pagu ... diubah"``, or None when nothing rejects."""
    found = rejecting_codes(codes)
    if not found:
        return None
    return "kirim ulang dari formulir asli: " + "; ".join(REASONS[c] for c in found)

