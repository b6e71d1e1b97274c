"""The rules that turn a template document into a :class:`~xlkinerja.form.model.Form`.

A template reaches xlkinerja in two shapes: a YAML spec (one OPD, nested) and a master table
(many OPD, one row per line; :mod:`xlkinerja.form.master`). Both front-ends build the same nested
values (the spec's keys) and hand them to :func:`build_form` together with a *document* that
knows where each value came from. So every rule (codes, NIP, pagu sums, ids, targets) is written
once, and every problem names the place the user must fix: a line of the YAML file, or a cell of
the master.

A document provides:

- ``problem(path, message) -> Problem``: a problem located at ``path`` (or its nearest parent);
- ``where(path) -> str``: the place in words, "baris 12" or "Anggaran!C7";
- ``label(path) -> str | None``: the user's name for the value at ``path`` (a column header),
  or None to keep the spec's key in messages;
- ``quote_hint``: how to keep a long digit string (a NIP) as text in that kind of document.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any, Protocol

from xlkinerja.form import codes
from xlkinerja.form.model import (Annual, BudgetRow, CapaianSettings, Form, Frequency, Indikator, Level,
                    LowerFormula, Polarity, RevisionKind, Sasaran, Signatory)
from xlkinerja.form.nip import parse_nip
from xlkinerja.form.revision import RevisionRequest
from xlkinerja.base.numbers import format_number, format_rupiah, parse_number_text
from xlkinerja.form.yamlsource import Problem
from xlkinerja import reference

__all__ = ["TemplateSpec", "Checker", "Ids", "build_form", "POLARITY", "FREQUENCY", "ANNUAL",
           "LOWER", "BUDGET_LEVELS"]


@dataclass
class TemplateSpec:
    form: Form
    password: str | None
    source: str
    #: the spec declares that it revises an issued form (``revisi``); see :mod:`.revision`
    revision: RevisionRequest | None = None
    #: remarks that block nothing (located like problems), e.g. a target below last year's
    notes: list = field(default_factory=list)


class Document(Protocol):
    quote_hint: str

    def problem(self, path: tuple, message: str) -> Problem: ...

    def where(self, path: tuple) -> str: ...

    def label(self, path: tuple) -> str | None: ...


class Checker:
    """Walks a located document, converting values and collecting problems."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def note(self, path: tuple, message: str) -> None:
        """Worth checking, but the form can be generated."""
        self.notes.append(self.doc.problem(path, message))

    def name(self, path: tuple, default: str) -> str:
        """How messages call the value at ``path``: the document's label, else ``default``."""
        return self.doc.label(path) or default

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
        what = self.name(path + (key,), repr(key))
        if value is None:
            if required:
                self.problem(path + (key,), f"{what} wajib diisi")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(path + (key,), f"{what} harus berupa teks")
            return None
        value = " ".join(value.split()) if "\n" not in value.strip() else value.strip()
        if required and not value:
            self.problem(path + (key,), f"{what} tidak boleh kosong")
            return None
        if len(value) > max_len:
            self.problem(path + (key,), f"{what} terlalu panjang ({len(value)} karakter, "
                                        f"paling banyak {max_len})")
            return None
        return value

    def number(self, value: Any, path: tuple, what: str, minimum: float | None = None,
               integer: bool = False) -> float | int | None:
        what = self.name(path, what)
        if value is None:
            self.problem(path, f"{what} wajib diisi (berupa angka)")
            return None
        if isinstance(value, bool):
            self.problem(path, f"{what} harus berupa angka")
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
        # one value, one representation: 70 from YAML, 70.0 from a spreadsheet cell and "70"
        # from a CSV must give the same model (and the same JSON carried in the workbook)
        return int(value) if isinstance(value, float) and value.is_integer() else value

    def choice(self, d: dict, key: str, path: tuple, options: dict[str, Any], default: Any) -> Any:
        value = d.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or value.strip().lower() not in options:
            self.problem(path + (key,), f"{self.name(path + (key,), repr(key))} harus salah satu "
                                        f"dari {', '.join(sorted(options))} (ditemukan {value!r})")
            return default
        return options[value.strip().lower()]


class Ids:
    """Stable ids: the official code, an explicit id, or a slug of the label; unique."""

    def __init__(self, checker: Checker, what: str):
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
                                     f"{self.what} {ident!r} sudah dipakai di "
                                     f"{self.checker.doc.where(self.seen[ident])}")
            n = 2
            while f"{ident}-{n}" in self.seen:
                n += 1
            ident = f"{ident}-{n}"
        self.seen[ident] = path
        return ident


# Accepted words for the enumerations: the spec's English values and the users' Indonesian ones.
POLARITY = {"higher": Polarity.HIGHER, "lower": Polarity.LOWER, "range": Polarity.RANGE,
            "naik": Polarity.HIGHER, "turun": Polarity.LOWER, "rentang": Polarity.RANGE}
FREQUENCY = {"quarterly": Frequency.QUARTERLY, "yearly": Frequency.YEARLY,
             "triwulan": Frequency.QUARTERLY, "triwulanan": Frequency.QUARTERLY,
             "tahunan": Frequency.YEARLY}
ANNUAL = {"last": Annual.LAST, "sum": Annual.SUM, "average": Annual.AVERAGE,
          "nondecreasing": Annual.NONDECREASING,
          "terakhir": Annual.LAST, "jumlah": Annual.SUM, "rata-rata": Annual.AVERAGE,
          "tidak turun": Annual.NONDECREASING, "tidak_turun": Annual.NONDECREASING,
          "tidak-turun": Annual.NONDECREASING}
LOWER = {"pmk": LowerFormula.PMK, "inverse": LowerFormula.INVERSE,
         "kebalikan": LowerFormula.INVERSE}

# The budget tree as the spec nests it: (level, key of a row of this level, key of its children).
BUDGET_LEVELS = (
    (Level.PROGRAM, "program", "kegiatan"),
    (Level.KEGIATAN, "kegiatan", "sub_kegiatan"),
    (Level.SUB_KEGIATAN, "sub_kegiatan", None),
)


def build_form(c: Checker, top: dict, source: str) -> TemplateSpec | None:
    """Check the template values ``top`` (the spec's keys) and build the form.

    Problems go to ``c.problems``; the result is None when there are any.
    """
    opd = c.mapping(top.get("opd"), ("opd",), {"code", "name"}, "'opd'") or {}
    opd_name = c.text(opd, "name", ("opd",), max_len=200)
    opd_code = c.text(opd, "code", ("opd",), max_len=60)
    if opd_code and not all(ch.isalnum() or ch in ".-_" for ch in opd_code):
        c.problem(("opd", "code"), "kode OPD hanya boleh berisi huruf, angka, titik, - dan _")
        opd_code = None

    year = top.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        c.problem(("year",), f"{c.name(('year',), repr('year'))} harus tahun anggaran, mis. 2024 "
                             f"(ditemukan {year!r})")
        year = None

    sig = c.mapping(top.get("signatory"), ("signatory",),
                    {"jabatan", "name", "pangkat", "nip"}, "'signatory'") or {}
    jabatan = c.text(sig, "jabatan", ("signatory",), max_len=200)
    sig_name = c.text(sig, "name", ("signatory",), max_len=200)
    pangkat = c.text(sig, "pangkat", ("signatory",), max_len=200)
    nip = _nip(c, sig.get("nip"))

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
    lower = c.choice(cap, "lower_is_better", ("capaian",), LOWER, LowerFormula.PMK)

    password = top.get("password")
    if password is not None and (not isinstance(password, (str, int)) or isinstance(password, bool)
                                 or len(str(password)) > 255):
        c.problem(("password",), f"{c.name(('password',), repr('password'))} harus teks "
                                 "(paling panjang 255 karakter)")
        password = None
    elif password is not None:
        password = str(password)

    sasaran = _parse_sasaran(c, top.get("sasaran"))
    murni: dict[str, float] = {}
    programs = _parse_budget(c, top.get("program"), opd_code or "", murni)
    revision = _parse_revision(c, top.get("revisi"), murni) if "revisi" in top else None
    if murni and "revisi" not in top:
        c.problem(("program",), "'pagu_murni' hanya dipakai pada formulir revisi: tambahkan "
                                "'revisi: {jenis: perubahan, mulai_triwulan: III}' atau hapus "
                                "'pagu_murni'")

    pemda = _pemda(c, top, year, sasaran)
    if c.problems:
        return None
    notes = [(("sasaran", si, "indikator", ii, "target"), why)
             for si, s in enumerate(sasaran) for ii, ind in enumerate(s.indikator)
             if (why := target_below_last_year(ind))]
    form = Form(opd_code=opd_code, opd_name=opd_name, year=year,
                signatory=Signatory(jabatan, sig_name, pangkat, nip),
                sasaran=sasaran, programs=programs,
                capaian=CapaianSettings(display_cap=display_cap, lower_formula=lower),
                pemda=pemda)
    return TemplateSpec(form=form, password=password, source=source, revision=revision,
                        notes=[c.doc.problem(path, why) for path, why in notes]
                        + list(c.notes))


def _pemda(c: Checker, top: dict, year: int | None, sasaran: list[Sasaran]) -> str | None:
    """The pemda's official name (``pemda:``), and every indicator's ``sumber`` checked against
    the shipped reference data (:mod:`xlkinerja.reference`)."""
    pemda = None
    if top.get("pemda") is not None:
        raw = c.text(top, "pemda", (), max_len=120)
        if raw:
            pemda = reference.official_name(raw)
            if pemda is None:
                c.problem(("pemda",), f"pemerintah daerah {raw!r} tidak dikenal: tulis nama "
                                      "resminya, mis. 'Kota Jambi', 'Kabupaten Muaro Jambi' atau "
                                      "'Provinsi Jambi' (lihat docs/data-rujukan.md)")
    for si, s in enumerate(sasaran):
        for ii, ind in enumerate(s.indikator):
            if not ind.sumber:
                continue
            path = ("sasaran", si, "indikator", ii, "sumber")
            src = reference.resolve_source(ind.sumber, year)
            if src is None:
                known = ", ".join(sorted({*reference.sources(),
                                          *(x.family for x in reference.sources().values())}))
                c.problem(path, f"sumber {ind.sumber!r} tidak dikenal untuk tahun {year}: pilih "
                                f"salah satu dari {known}")
            elif pemda is None and top.get("pemda") is None:
                c.problem(path, f"indikator bersumber {src.short} memerlukan 'pemda' (nama "
                                "pemerintah daerah, mis. pemda: Kota Jambi) di awal spesifikasi")
            elif pemda is not None:
                try:
                    reference.find(src.id, pemda)
                except reference.UnknownPemda:
                    c.problem(path, f"{pemda} tidak ada pada {src.short}: hapus 'sumber' atau "
                                    "pilih sumber lain")
    return pemda


def target_below_last_year(ind: Indikator) -> str | None:
    """The AKIP finding "targets set below what was already achieved": a target easier than
    last year's realisasi with no reason given (``alasan_target``). None when fine."""
    if ind.last_year is None or ind.target_note or ind.polarity is Polarity.RANGE:
        return None
    unit = "%" if ind.is_percent else f" {ind.unit}"
    if ind.polarity is Polarity.HIGHER and ind.target < ind.last_year:
        how = "lebih rendah dari"
    elif ind.polarity is Polarity.LOWER and ind.target > ind.last_year:
        how = "lebih longgar (lebih tinggi) dari"
    else:
        return None
    return (f"target '{ind.text}' {format_number(ind.target)}{unit} {how} realisasi tahun lalu "
            f"{format_number(ind.last_year)}{unit}, tanpa alasan: evaluasi AKIP mencatat target "
            "di bawah capaian tahun sebelumnya; naikkan targetnya atau tulis alasannya di "
            "'alasan_target'")


REVISION_KINDS = {"perubahan": RevisionKind.PERUBAHAN, "pergeseran": RevisionKind.PERGESERAN}


def _parse_revision(c: Checker, raw: Any, murni: dict[str, float]) -> RevisionRequest | None:
    """``revisi: {jenis: perubahan|pergeseran, mulai_triwulan: III, tanggal: 2024-09-16}``, or
    just ``revisi: perubahan`` with the date or triwulan given on the command line."""
    path = ("revisi",)
    if isinstance(raw, str):
        raw = {"jenis": raw}
    d = c.mapping(raw, path, {"jenis", "mulai_triwulan", "tanggal"}, "'revisi'")
    if d is None:
        return None
    kind = c.choice(d, "jenis", path, REVISION_KINDS, None)
    if "jenis" not in d:
        c.problem(path, "'revisi' perlu 'jenis': perubahan atau pergeseran")
    quarter = None
    if d.get("mulai_triwulan") is not None:
        quarter = parse_quarter(d["mulai_triwulan"])
        if quarter is None:
            c.problem(path + ("mulai_triwulan",), f"triwulan {d['mulai_triwulan']!r} tidak dikenal; "
                                                  "tulis I, II, III atau IV")
    date = None
    if d.get("tanggal") is not None:
        date = _iso_date(d["tanggal"])
        if date is None:
            c.problem(path + ("tanggal",), f"tanggal {d['tanggal']!r} tidak dikenal; tulis "
                                           "YYYY-MM-DD, mis. 2024-09-16")
    if kind is None or c.problems:
        return None
    if quarter is None and date is None:
        quarter = 0  # to be given on the command line (--mulai); checked there
        return RevisionRequest(kind, 0, None, murni)
    return RevisionRequest.of(kind, quarter, date, murni)


def parse_quarter(value: Any) -> int | None:
    """III, 'TW III', 3 -> 3."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in (1, 2, 3, 4) else None
    text = str(value).strip().upper().removeprefix("TW").removeprefix("TRIWULAN").strip()
    if text.isdigit():
        return parse_quarter(int(text))
    return {"I": 1, "II": 2, "III": 3, "IV": 4}.get(text)


def _iso_date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        return None


def _nip(c: Checker, raw: Any) -> str | None:
    path = ("signatory", "nip")
    what = c.name(path, repr("nip"))
    if raw is None:
        c.problem(path, f"{what} wajib diisi (18 digit, {c.doc.quote_hint})")
        return None
    if isinstance(raw, (int, str)) and not isinstance(raw, bool):
        _, why = parse_nip(str(raw))
        if why:
            c.problem(path, why)
            return None
        return str(raw).replace(" ", "")
    c.problem(path, f"{what} harus 18 digit angka ({c.doc.quote_hint})")
    return None


def _parse_sasaran(c: Checker, raw: Any) -> list[Sasaran]:
    out: list[Sasaran] = []
    sasaran_ids, indikator_ids = Ids(c, "id sasaran"), Ids(c, "id indikator")
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
                                         "polarity", "frequency", "annual_value",
                                         "realisasi_tahun_lalu", "alasan_target", "quarter_targets",
                                         "sumber"},
                                        "indikator")
            if ind is None:
                continue
            itext = c.text(ind, "text", ipath)
            unit = c.text(ind, "unit", ipath, max_len=40)
            cara = c.text(ind, "cara_pengukuran", ipath)
            polarity = c.choice(ind, "polarity", ipath, POLARITY, Polarity.HIGHER)
            frequency = c.choice(ind, "frequency", ipath, FREQUENCY, Frequency.QUARTERLY)
            annual = c.choice(ind, "annual_value", ipath, ANNUAL, Annual.LAST)
            target, target_high = _parse_target(c, ind.get("target"), ipath + ("target",), polarity)
            quarter = _parse_quarter_targets(c, ind.get("quarter_targets"),
                                             ipath + ("quarter_targets",), polarity)
            iid = indikator_ids.assign(ind.get("id"), None, itext or f"indikator-{ii + 1}", ipath)
            last = None
            if ind.get("realisasi_tahun_lalu") is not None:
                last = c.number(ind["realisasi_tahun_lalu"], ipath + ("realisasi_tahun_lalu",),
                                "realisasi tahun lalu")
            note = c.text(ind, "alasan_target", ipath, False, 1000)
            sumber = c.text(ind, "sumber", ipath, False, 40)
            if None not in (itext, unit, cara, target) and quarter is not False:
                item = Indikator(id=iid, text=itext, target=target, unit=unit,
                                 cara_pengukuran=cara, polarity=polarity, frequency=frequency,
                                 annual=annual, target_high=target_high, last_year=last,
                                 target_note=note, quarter_targets=quarter,
                                 sumber=sumber.strip().lower() if sumber else None)
                _indicator_notes(c, item, ipath)
                items.append(item)
        if text:
            out.append(Sasaran(id=sid, text=text, indikator=items))
    return out


def _parse_target(c: Checker, raw: Any, path: tuple, polarity: Polarity):
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
        c.problem(path, "target berupa rentang (batas bawah dan batas atas) hanya untuk "
                        "polaritas rentang (range)")
        return None, None
    value = c.number(raw, path, "target")
    return value, None


_ROMAN = ("I", "II", "III", "IV")


def _parse_quarter_targets(c: Checker, raw: Any, path: tuple, polarity: Polarity):
    """Targets of TW I..IV: None when not given, False when wrong (a problem is reported)."""
    if raw is None or raw == [] or (isinstance(raw, list) and all(v is None for v in raw)):
        return None
    if polarity is Polarity.RANGE:
        c.problem(path, "target triwulan tidak dipakai untuk polaritas rentang; kosongkan")
        return False
    if not isinstance(raw, list) or len(raw) != 4:
        c.problem(path, "target triwulan ditulis sebagai empat angka TW I..IV, mis. [3, 6, 9, 12]")
        return False
    values = []
    for i, v in enumerate(raw):
        value = c.number(v, path + (i,), f"target TW {_ROMAN[i]}")
        if value is None:
            return False
        values.append(value)
    return tuple(values)


def _indicator_notes(c: Checker, ind: Indikator, path: tuple) -> None:
    """What makes capaian undefined or misleading, said when the form is made (not an error:
    the form can be generated, but the office should know)."""
    from xlkinerja.base.numbers import format_number

    unit = "%" if ind.is_percent else ""
    targets = [("target", path + ("target",), ind.target)]
    if ind.quarter_targets:
        targets += [(f"target TW {_ROMAN[i]}", path + ("quarter_targets", i), t)
                    for i, t in enumerate(ind.quarter_targets)]
    if ind.polarity is Polarity.HIGHER:
        for what, where, t in targets:
            if t == 0:
                c.note(where, f"{what} 0 dengan polaritas naik: capaian (realisasi / target) tidak "
                              "dapat dihitung dan akan kosong. Tetapkan target lebih dari 0, atau "
                              "pilih polaritas turun bila 0 adalah hasil terbaik (realisasi 0 = "
                              "capaian 100 %)")
                return
    qt = ind.quarter_targets
    if qt:
        combined = {Annual.SUM: sum(qt), Annual.AVERAGE: sum(qt) / 4}.get(ind.annual, qt[3])
        how = {Annual.SUM: "jumlah target TW I..IV", Annual.AVERAGE: "rata-rata target TW I..IV"
               }.get(ind.annual, "target TW IV")
        if abs(combined - ind.target) > 1e-9 * max(1.0, abs(ind.target)):
            c.note(path + ("quarter_targets",),
                   f"{how} ({format_number(combined)}{unit}) tidak sama dengan target tahunan "
                   f"({format_number(ind.target)}{unit}); periksa salah satunya")
    elif ind.annual is Annual.SUM and ind.frequency is Frequency.QUARTERLY and ind.target:
        c.note(path + ("annual_value",),
               f"nilai tahunan jumlah tanpa target triwulan: sebelum TW IV capaian membandingkan "
               f"jumlah sementara dengan target setahun ({format_number(ind.target)}{unit}), "
               "sehingga mudah tampak 100 % (atau jauh di bawahnya). Isi target triwulan agar "
               "capaian tiap triwulan bermakna")


def _parse_budget(c: Checker, raw: Any, opd_code: str,
                  murni: dict[str, float] | None = None) -> list[BudgetRow]:
    ids = Ids(c, "kode/id anggaran")
    murni = {} if murni is None else murni

    def node(value: Any, path: tuple, depth: int, parent_code: str | None) -> BudgetRow | None:
        level, what, child_key = BUDGET_LEVELS[depth]
        allowed = {"id", "name", "code", "pagu"} | ({child_key} if child_key else {"pagu_murni"})
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
            if d.get("pagu_murni") is not None:  # a revised form: the pagu before the revision
                value = c.number(d["pagu_murni"], path + ("pagu_murni",), "pagu murni", minimum=0,
                                 integer=True)
                if value is not None:
                    murni[ident] = value
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
