"""Template specs (YAML) and fill data, read into the model with every problem located.

A spec fixes one OPD's formulir for a year; see the README for the format. Loading checks the
whole document and reports every problem at once with its line and key (in Bahasa Indonesia);
nothing is generated from a spec with problems.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import codes
from .model import (NOT_AVAILABLE, QUARTERS, Annual, BudgetEntry, BudgetRow, CapaianSettings,
                    Form, Frequency, IndicatorEntry, Indikator, Level, LowerFormula, Polarity,
                    QuarterEntries, FROM_ROMAN, Sasaran, Signatory)
from .nip import parse_nip
from .numbers import parse_number_text
from .yamlsource import DocumentError, Located, Problem, load_located, read_text

SPEC_FORMAT = "xlkinerja-spec/1"
FILL_FORMAT = "xlkinerja-isian/1"

__all__ = ["TemplateSpec", "load_spec", "parse_spec", "load_fill", "parse_fill", "SPEC_FORMAT",
           "FILL_FORMAT", "DocumentError"]


@dataclass
class TemplateSpec:
    form: Form
    password: str | None
    source: str


class _Checker:
    """Walks a located document, converting values and collecting problems."""

    def __init__(self, doc: Located):
        self.doc = doc
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(path, self.doc.line(path), message))

    def mapping(self, value: Any, path: tuple, allowed: set[str], what: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"{what} harus berupa pemetaan kunci: nilai")
            return None
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                extra = f"; mungkin maksudnya {hint[0]!r}?" if hint else \
                    f"; kunci yang dikenal: {', '.join(sorted(allowed))}"
                self.problem(path + (key,), f"kunci {key!r} tidak dikenal{extra}")
        return value

    def sequence(self, value: Any, path: tuple, what: str, required: bool = True) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.problem(path, f"{what} harus berupa daftar yang tidak kosong")
            return []
        return value

    def text(self, d: dict, key: str, path: tuple, required: bool = True,
             max_len: int = 1000) -> str | None:
        value = d.get(key)
        if value is None:
            if required:
                self.problem(path + (key,), f"{key!r} wajib diisi")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(path + (key,), f"{key!r} harus berupa teks")
            return None
        value = " ".join(value.split()) if "\n" not in value.strip() else value.strip()
        if required and not value:
            self.problem(path + (key,), f"{key!r} tidak boleh kosong")
            return None
        if len(value) > max_len:
            self.problem(path + (key,), f"{key!r} terlalu panjang ({len(value)} karakter, "
                                        f"paling banyak {max_len})")
            return None
        return value

    def number(self, value: Any, path: tuple, what: str, minimum: float | None = None,
               integer: bool = False) -> float | int | None:
        if isinstance(value, bool) or value is None:
            self.problem(path, f"{what} wajib berupa angka")
            return None
        if isinstance(value, str):
            parsed = parse_number_text(value)
            if parsed is None:
                self.problem(path, f"{what} harus berupa angka, bukan {value!r}")
                return None
            value = parsed.value * (100 if parsed.is_percent else 1)
        if not isinstance(value, (int, float)):
            self.problem(path, f"{what} harus berupa angka")
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(path, f"{what} harus berupa angka yang terhingga")
            return None
        if minimum is not None and value < minimum:
            self.problem(path, f"{what} tidak boleh kurang dari {minimum:g} (ditemukan {value:g})")
            return None
        if integer:
            if float(value) != int(value):
                self.problem(path, f"{what} harus bilangan bulat rupiah (ditemukan {value})")
                return None
            return int(value)
        return value

    def choice(self, d: dict, key: str, path: tuple, options: dict[str, Any], default: Any) -> Any:
        value = d.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or value.strip().lower() not in options:
            self.problem(path + (key,), f"{key!r} harus salah satu dari "
                                        f"{', '.join(sorted(options))} (ditemukan {value!r})")
            return default
        return options[value.strip().lower()]


class _Ids:
    """Stable ids: the official code, an explicit id, or a slug of the label; unique."""

    def __init__(self, checker: _Checker, what: str):
        self.checker, self.what = checker, what
        self.seen: dict[str, tuple] = {}

    def assign(self, explicit: Any, code: str | None, label: str, path: tuple) -> str:
        if explicit is not None:
            if not isinstance(explicit, str) or not explicit.strip() or len(explicit) > 80 \
                    or any(c.isspace() for c in explicit.strip()):
                self.checker.problem(path + ("id",), "id harus teks tanpa spasi, paling panjang 80")
                explicit = None
        ident = (explicit.strip() if explicit else None) or code or codes.slugify(label)
        if ident in self.seen:
            if explicit or code:
                self.checker.problem(path + ("id" if explicit else "code",),
                                     f"{self.what} {ident!r} sudah dipakai di baris "
                                     f"{self.checker.doc.line(self.seen[ident])}")
            n = 2
            while f"{ident}-{n}" in self.seen:
                n += 1
            ident = f"{ident}-{n}"
        self.seen[ident] = path
        return ident


_POLARITY = {"higher": Polarity.HIGHER, "lower": Polarity.LOWER, "range": Polarity.RANGE,
             "naik": Polarity.HIGHER, "turun": Polarity.LOWER, "rentang": Polarity.RANGE}
_FREQUENCY = {"quarterly": Frequency.QUARTERLY, "yearly": Frequency.YEARLY,
              "triwulan": Frequency.QUARTERLY, "tahunan": Frequency.YEARLY}
_ANNUAL = {"last": Annual.LAST, "sum": Annual.SUM, "average": Annual.AVERAGE}
_LOWER = {"pmk": LowerFormula.PMK, "inverse": LowerFormula.INVERSE}

_TOP_KEYS = {"format", "opd", "year", "signatory", "capaian", "password", "sasaran", "program"}


def parse_spec(text: str, source: str = "<spec>") -> TemplateSpec:
    doc = load_located(text, source)
    c = _Checker(doc)
    top = c.mapping(doc.data, (), _TOP_KEYS, "spesifikasi")
    if top is None:
        raise DocumentError(source, c.problems)

    fmt = top.get("format", SPEC_FORMAT)
    if fmt != SPEC_FORMAT:
        c.problem(("format",), f"format {fmt!r} tidak dikenal; versi ini membaca {SPEC_FORMAT!r}")

    opd = c.mapping(top.get("opd"), ("opd",), {"code", "name"}, "'opd'") or {}
    opd_name = c.text(opd, "name", ("opd",), max_len=200)
    opd_code = c.text(opd, "code", ("opd",), max_len=60)
    if opd_code and not all(ch.isalnum() or ch in ".-_" for ch in opd_code):
        c.problem(("opd", "code"), "kode OPD hanya boleh berisi huruf, angka, titik, - dan _")
        opd_code = None

    year = top.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        c.problem(("year",), f"'year' harus tahun anggaran, mis. 2024 (ditemukan {year!r})")
        year = None

    sig = c.mapping(top.get("signatory"), ("signatory",),
                    {"jabatan", "name", "pangkat", "nip"}, "'signatory'") or {}
    jabatan = c.text(sig, "jabatan", ("signatory",), max_len=200)
    sig_name = c.text(sig, "name", ("signatory",), max_len=200)
    pangkat = c.text(sig, "pangkat", ("signatory",), max_len=200)
    nip_raw = sig.get("nip")
    nip = None
    if nip_raw is None:
        c.problem(("signatory", "nip"), "'nip' wajib diisi (18 digit, tulis dalam tanda kutip)")
    elif isinstance(nip_raw, (int, str)) and not isinstance(nip_raw, bool):
        parsed, why = parse_nip(str(nip_raw))
        if why:
            c.problem(("signatory", "nip"), why)
        else:
            nip = str(nip_raw).replace(" ", "")
    else:
        c.problem(("signatory", "nip"), "'nip' harus 18 digit angka dalam tanda kutip")

    cap = c.mapping(top.get("capaian", {}) or {}, ("capaian",),
                    {"display_cap", "lower_is_better"}, "'capaian'") or {}
    display_cap: float | None = 1.0
    if "display_cap" in cap:
        raw = cap["display_cap"]
        if raw is False or raw is None:
            display_cap = None
        else:
            value = c.number(raw, ("capaian", "display_cap"),
                             "'display_cap' (persen, mis. 100, atau false)", minimum=1)
            display_cap = value / 100.0 if value is not None else 1.0
    lower = c.choice(cap, "lower_is_better", ("capaian",), _LOWER, LowerFormula.PMK)

    password = top.get("password")
    if password is not None and (not isinstance(password, (str, int)) or isinstance(password, bool)
                                 or len(str(password)) > 255):
        c.problem(("password",), "'password' harus teks (paling panjang 255 karakter)")
        password = None
    elif password is not None:
        password = str(password)

    sasaran = _parse_sasaran(c, top.get("sasaran"))
    programs = _parse_budget(c, top.get("program"), opd_code or "")

    if c.problems:
        raise DocumentError(source, c.problems)
    form = Form(opd_code=opd_code, opd_name=opd_name, year=year,
                signatory=Signatory(jabatan, sig_name, pangkat, nip),
                sasaran=sasaran, programs=programs,
                capaian=CapaianSettings(display_cap=display_cap, lower_formula=lower))
    return TemplateSpec(form=form, password=password, source=source)


def _parse_sasaran(c: _Checker, raw: Any) -> list[Sasaran]:
    out: list[Sasaran] = []
    sasaran_ids, indikator_ids = _Ids(c, "id sasaran"), _Ids(c, "id indikator")
    for si, s in enumerate(c.sequence(raw, ("sasaran",), "'sasaran'")):
        path = ("sasaran", si)
        s = c.mapping(s, path, {"id", "text", "indikator"}, "sasaran")
        if s is None:
            continue
        text = c.text(s, "text", path)
        sid = sasaran_ids.assign(s.get("id"), None, text or f"sasaran-{si + 1}", path)
        items: list[Indikator] = []
        for ii, ind in enumerate(c.sequence(s.get("indikator"), path + ("indikator",), "'indikator'")):
            ipath = path + ("indikator", ii)
            ind = c.mapping(ind, ipath, {"id", "text", "target", "unit", "cara_pengukuran",
                                         "polarity", "frequency", "annual_value"}, "indikator")
            if ind is None:
                continue
            itext = c.text(ind, "text", ipath)
            unit = c.text(ind, "unit", ipath, max_len=40)
            cara = c.text(ind, "cara_pengukuran", ipath)
            polarity = c.choice(ind, "polarity", ipath, _POLARITY, Polarity.HIGHER)
            frequency = c.choice(ind, "frequency", ipath, _FREQUENCY, Frequency.QUARTERLY)
            annual = c.choice(ind, "annual_value", ipath, _ANNUAL, Annual.LAST)
            target, target_high = _parse_target(c, ind.get("target"), ipath + ("target",), polarity)
            iid = indikator_ids.assign(ind.get("id"), None, itext or f"indikator-{ii + 1}", ipath)
            if None not in (itext, unit, cara, target):
                items.append(Indikator(id=iid, text=itext, target=target, unit=unit,
                                       cara_pengukuran=cara, polarity=polarity,
                                       frequency=frequency, annual=annual, target_high=target_high))
        if text:
            out.append(Sasaran(id=sid, text=text, indikator=items))
    return out


def _parse_target(c: _Checker, raw: Any, path: tuple, polarity: Polarity):
    if polarity is Polarity.RANGE:
        if not isinstance(raw, list) or len(raw) != 2:
            c.problem(path, "target rentang ditulis [batas_bawah, batas_atas], mis. [10, 15]")
            return None, None
        low = c.number(raw[0], path + (0,), "batas bawah target")
        high = c.number(raw[1], path + (1,), "batas atas target")
        if low is not None and high is not None and low > high:
            c.problem(path, "batas bawah target lebih besar dari batas atas")
            return None, None
        return low, high
    if isinstance(raw, list):
        c.problem(path, "target berupa rentang hanya untuk polarity: range")
        return None, None
    value = c.number(raw, path, "target")
    if value is not None and value == 0 and polarity is Polarity.HIGHER:
        c.problem(path, "target 0 tidak dapat dipakai untuk menghitung capaian (R / T)")
        return None, None
    return value, None


def _parse_budget(c: _Checker, raw: Any, opd_code: str) -> list[BudgetRow]:
    ids = _Ids(c, "kode/id anggaran")
    spec = [
        (Level.PROGRAM, "program", "kegiatan"),
        (Level.KEGIATAN, "kegiatan", "sub_kegiatan"),
        (Level.SUB_KEGIATAN, "sub_kegiatan", None),
    ]

    def node(value: Any, path: tuple, depth: int, parent_code: str | None) -> BudgetRow | None:
        level, what, child_key = spec[depth]
        allowed = {"id", "name", "code", "pagu"} | ({child_key} if child_key else set())
        d = c.mapping(value, path, allowed, level.label.lower())
        if d is None:
            return None
        name = c.text(d, "name", path, max_len=500)
        code = None
        if d.get("code") is not None:
            code, why = codes.resolve_code(d["code"], level, opd_code)
            if why:
                c.problem(path + ("code",), why)
            elif parent_code and not codes.is_child_code(parent_code, code):
                c.problem(path + ("code",), f"kode {code!r} tidak berada di bawah kode induknya "
                                            f"{parent_code!r}")
        ident = ids.assign(d.get("id"), code, name or what, path)
        row = BudgetRow(id=ident, name=name or "", level=level, code=code)
        if child_key is None:
            row.own_pagu = c.number(d.get("pagu"), path + ("pagu",), "pagu", minimum=0, integer=True)
            return row
        for i, child in enumerate(c.sequence(d.get(child_key), path + (child_key,), repr(child_key))):
            built = node(child, path + (child_key, i), depth + 1, code)
            if built is not None:
                row.children.append(built)
        if "pagu" in d:  # a parent's pagu, when given, is a check on its children
            stated = c.number(d.get("pagu"), path + ("pagu",), "pagu", minimum=0, integer=True)
            complete = all(ch.own_pagu is not None if ch.is_leaf else bool(ch.children)
                           for ch in row.walk())
            if stated is not None and complete:
                if stated != row.pagu:
                    from .numbers import format_rupiah
                    c.problem(path + ("pagu",), f"pagu {level.label.lower()} {format_rupiah(stated)} "
                              f"tidak sama dengan jumlah rinciannya {format_rupiah(row.pagu)} "
                              f"(selisih {format_rupiah(stated - row.pagu)})")
        return row

    out = []
    for i, program in enumerate(c.sequence(raw, ("program",), "'program'")):
        built = node(program, ("program", i), 0, None)
        if built is not None:
            out.append(built)
    return out


def load_spec(path: str | Path) -> TemplateSpec:
    path = Path(path)
    return parse_spec(read_text(path), str(path))


# -- fill data: example entries for the four quarters ------------------------------------------

_Q_KEYS = {"anggaran", "indikator", "faktor_pendorong", "uraian_permasalahan",
           "rencana_tindak_lanjut"}


def parse_fill(text: str, form: Form, source: str = "<isian>") -> dict[int, QuarterEntries]:
    """Read fill data (realisasi and narratives per triwulan), keyed by the form's ids."""
    doc = load_located(text, source)
    c = _Checker(doc)
    top = c.mapping(doc.data, (), {"format", "triwulan"}, "isian")
    if top is None:
        raise DocumentError(source, c.problems, kind="isian")
    if top.get("format", FILL_FORMAT) != FILL_FORMAT:
        c.problem(("format",), f"format {top.get('format')!r} tidak dikenal; versi ini membaca "
                               f"{FILL_FORMAT!r}")
    leaves = {r.id: r for r in form.leaves()}
    all_rows = {r.id for r in form.budget_rows()}
    indicators = {i.id: i for _, i in form.indicators()}
    out: dict[int, QuarterEntries] = {}
    quarters = c.mapping(top.get("triwulan"), ("triwulan",), set(FROM_ROMAN), "'triwulan'") or {}
    for roman, q in quarters.items():
        if roman not in FROM_ROMAN:
            continue
        path = ("triwulan", roman)
        q = c.mapping(q or {}, path, _Q_KEYS, f"triwulan {roman}")
        if q is None:
            continue
        entries = QuarterEntries()
        for rid, value in (c.mapping(q.get("anggaran") or {}, path + ("anggaran",), set(leaves) | all_rows,
                                     "'anggaran'") or {}).items():
            rpath = path + ("anggaran", rid)
            if rid not in leaves:
                if rid in all_rows:
                    if isinstance(value, dict) and set(value) <= {"keterangan"}:
                        entries.budget[rid] = BudgetEntry(None, c.text(value, "keterangan", rpath, False))
                    else:
                        c.problem(rpath, f"{rid!r} adalah program/kegiatan: realisasinya dihitung "
                                         "dari sub kegiatan; isi hanya 'keterangan'")
                continue
            entries.budget[rid] = _budget_entry(c, value, rpath)
        for iid, value in (c.mapping(q.get("indikator") or {}, path + ("indikator",), set(indicators),
                                     "'indikator'") or {}).items():
            if iid in indicators:
                entries.indikator[iid] = _indicator_entry(c, value, path + ("indikator", iid))
        entries.faktor_pendorong = c.text(q, "faktor_pendorong", path, False, 5000)
        entries.uraian_permasalahan = c.text(q, "uraian_permasalahan", path, False, 5000)
        entries.rencana_tindak_lanjut = c.text(q, "rencana_tindak_lanjut", path, False, 5000)
        out[FROM_ROMAN[roman]] = entries
    if c.problems:
        raise DocumentError(source, c.problems, kind="isian")
    for q in QUARTERS:
        out.setdefault(q, QuarterEntries())
    return out


def _budget_entry(c: _Checker, value: Any, path: tuple) -> BudgetEntry:
    if isinstance(value, dict):
        c.mapping(value, path, {"realisasi", "keterangan"}, "isian anggaran")
        real = value.get("realisasi")
        ket = c.text(value, "keterangan", path, False)
    else:
        real, ket = value, None
    amount = None if real is None else c.number(real, path, "realisasi", minimum=0)
    return BudgetEntry(amount, ket)


def _indicator_entry(c: _Checker, value: Any, path: tuple) -> IndicatorEntry:
    if isinstance(value, dict):
        c.mapping(value, path, {"realisasi", "keterangan"}, "isian indikator")
        real = value.get("realisasi")
        ket = c.text(value, "keterangan", path, False)
    else:
        real, ket = value, None
    if real is None or (isinstance(real, str) and real.strip() == NOT_AVAILABLE):
        return IndicatorEntry(NOT_AVAILABLE if real is not None else None, ket)
    return IndicatorEntry(c.number(real, path, "realisasi indikator"), ket)


def load_fill(path: str | Path, form: Form) -> dict[int, QuarterEntries]:
    path = Path(path)
    return parse_fill(read_text(path), form, str(path))
