"""Official codes of program, kegiatan and sub kegiatan (Kepmendagri 050-5889/2021, amended 2024).

``Urusan.Bidang.Program.2.Kegiatan.SubKegiatan``, e.g. 4.01.01.2.01.0001. Support programs
shared by every OPD are published with the prefix ``X.XX``, which each OPD replaces by its own
urusan/bidang (4.01 for Sekretariat Daerah).
"""

from __future__ import annotations

import re
import unicodedata

from xlkinerja.form.model import Level

_PREFIX = r"(?:\d\.\d{2}|X\.XX)"
PATTERNS = {
    Level.PROGRAM: re.compile(rf"^{_PREFIX}\.\d{{2}}$"),
    Level.KEGIATAN: re.compile(rf"^{_PREFIX}\.\d{{2}}\.\d\.\d{{2}}$"),
    Level.SUB_KEGIATAN: re.compile(rf"^{_PREFIX}\.\d{{2}}\.\d\.\d{{2}}\.\d{{2,4}}$"),
}
EXAMPLES = {Level.PROGRAM: "4.01.01", Level.KEGIATAN: "4.01.01.2.01",
            Level.SUB_KEGIATAN: "4.01.01.2.01.0001"}
_BIDANG = re.compile(r"^(\d\.\d{2})(?:\.|$)")


def opd_bidang(opd_code: str) -> str | None:
    """The urusan.bidang that an OPD code starts with ("4.01" of "4.01" or "4.01.0.00...")."""
    m = _BIDANG.match(opd_code.strip())
    return m.group(1) if m else None


def resolve_code(code: str, level: Level, opd_code: str) -> tuple[str | None, str | None]:
    """Check an official code for its level and replace an X.XX prefix; (code, problem)."""
    code = str(code).strip()
    if not PATTERNS[level].match(code):
        return None, (f"kode {level.label.lower()} {code!r} tidak sesuai pola Kepmendagri "
                      f"050-5889/2021 (contoh: {EXAMPLES[level]})")
    if code.startswith("X.XX"):
        bidang = opd_bidang(opd_code)
        if bidang is None:
            return None, (f"kode {code!r} memakai awalan X.XX, tetapi kode OPD {opd_code!r} "
                          "tidak diawali urusan.bidang (mis. 4.01) untuk menggantinya")
        code = bidang + code[4:]
    return code, None


def is_child_code(parent: str, child: str) -> bool:
    return child.startswith(parent + ".")


def slugify(text: str, max_len: int = 80) -> str:
    """A readable ascii id from a label: 'Fasilitasi Bantuan Hukum' -> 'fasilitasi-bantuan-hukum'."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", norm).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_len // 2:] else cut
    return slug or "baris"
