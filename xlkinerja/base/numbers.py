"""Numbers as Indonesian users write and read them.

Excel stores numbers; people type text. In Indonesia "4.497.357.736" is four billion and
"17,75" is seventeen and three quarters. These helpers turn such text into numbers (saying how
sure they are) and format numbers the way the seed form prints them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["ParsedNumber", "parse_number_text", "guess_amount_text", "format_rupiah", "format_decimal",
           "format_percent"]

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# 1.234.567 or 1.234.567,89 (Indonesian grouping)
_ID_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
# 1,234,567 or 1,234,567.89 (US grouping)
_US_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_ID_DECIMAL = re.compile(r"^-?\d+,\d+$")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_DASH_END = re.compile(r"(?<=\d)[,.]?[-\u2013\u2014]$")
# "1,25 M", "2 miliar", "1,5 jt", "500 rb": amounts written in words of magnitude
_MAGNITUDE = re.compile(r"^(?P<number>.+?)(?P<word>t|triliun|trilyun|m|miliar|milyar|jt|juta|rb|ribu)\.?$",
                        re.IGNORECASE)
_MAGNITUDES = {"t": 10 ** 12, "triliun": 10 ** 12, "trilyun": 10 ** 12, "m": 10 ** 9,
               "miliar": 10 ** 9, "milyar": 10 ** 9, "jt": 10 ** 6, "juta": 10 ** 6,
               "rb": 10 ** 3, "ribu": 10 ** 3}


@dataclass(frozen=True)
class ParsedNumber:
    """A number recovered from text, with the reading that produced it."""

    value: float
    is_percent: bool
    style: str  # "id" (Indonesian separators), "us", "plain"

    @property
    def as_int_if_whole(self) -> float | int:
        return int(self.value) if float(self.value).is_integer() else self.value


def parse_number_text(text: str) -> ParsedNumber | None:
    """Read a number typed as text: "Rp 4.497.357.736", "17,75", "17,75 %", "1,234.5".

    Indonesian separators win where the text is ambiguous ("1.234" is one thousand two hundred
    thirty-four, as an Indonesian user means it). Returns None when the text is not a number.
    A percent sign gives the fraction (``"17,75%"`` -> 0.1775) and ``is_percent``.
    """
    if not isinstance(text, str):
        return None
    s = _SPACES.sub("", text.strip())
    if not s:
        return None
    s = re.sub(r"^(?i:rp\.?)", "", s)
    s = _DASH_END.sub("", s)  # "537.500.000,-": rupiah written with its customary ",-"
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    is_percent = s.endswith("%")
    if is_percent:
        s = s[:-1]
    if not s:
        return None
    if _ID_GROUPED.match(s):
        value, style = float(s.replace(".", "").replace(",", ".")), "id"
    elif _ID_DECIMAL.match(s):
        value, style = float(s.replace(",", ".")), "id"
    elif _US_GROUPED.match(s):
        value, style = float(s.replace(",", "")), "us"
    elif _PLAIN.match(s):
        value, style = float(s), "plain"
    else:
        return None
    if negative:
        value = -value
    if is_percent:
        value = value / 100.0
    if not math.isfinite(value):
        return None
    return ParsedNumber(value=value, is_percent=is_percent, style=style)


def guess_amount_text(text: str) -> float | None:
    """What an amount typed as text probably means, for a "kemungkinan maksudnya" hint only
    (never counted): everything :func:`parse_number_text` reads, and amounts in words of
    magnitude, "1,25 M" (miliar) = 1.250.000.000, "1,5 jt", "500 rb"."""
    parsed = parse_number_text(text)
    if parsed is not None:
        return None if parsed.is_percent else parsed.value
    if not isinstance(text, str):
        return None
    s = _SPACES.sub("", text.strip())
    s = re.sub(r"^(?i:rp\.?)", "", s)
    m = _MAGNITUDE.match(s)
    if not m:
        return None
    number = parse_number_text(m.group("number"))
    if number is None or number.is_percent:
        return None
    value = number.value * _MAGNITUDES[m.group("word").lower()]
    return float(round(value, 2))


def _group(int_text: str) -> str:
    out = []
    while len(int_text) > 3:
        out.append(int_text[-3:])
        int_text = int_text[:-3]
    out.append(int_text)
    return ".".join(reversed(out))


def format_decimal(value: float, decimals: int = 0) -> str:
    """Indonesian style: 25.338.739.129 and 17,75."""
    if value is None:
        return ""
    negative = value < 0
    text = f"{abs(value):.{decimals}f}"
    if "." in text:
        whole, frac = text.split(".")
    else:
        whole, frac = text, ""
    out = _group(whole) + ("," + frac if frac else "")
    return "-" + out if negative else out


def format_rupiah(value: float) -> str:
    """An amount as the form prints it, e.g. 25.338.739.129 (cents only when present)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return format_decimal(value, 0)
    return format_decimal(value, 2)


def format_percent(fraction: float, decimals: int = 2) -> str:
    """A fraction as an Indonesian percentage: 0.1775 -> "17,75%"."""
    if fraction is None:
        return ""
    return format_decimal(fraction * 100.0, decimals) + "%"


def format_number(value: float, max_decimals: int = 4) -> str:
    """A measurement with only the decimals it has: 2.7 -> "2,7", 70 -> "70", 68.35 -> "68,35"."""
    if value is None:
        return ""
    text = f"{float(value):.{max_decimals}f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return format_decimal(float(value), decimals)
