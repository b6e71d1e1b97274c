"""The model of the form: what a formulir holds, independent of any spreadsheet.

A :class:`Form` is the template (OPD, year, signatory, sasaran with indikator, the budget tree
with pagu). :class:`QuarterEntries` are what an OPD fills in one triwulan. The writer turns both
into a workbook, the reader turns a workbook back into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterator

QUARTERS = (1, 2, 3, 4)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
FROM_ROMAN = {v: k for k, v in ROMAN.items()}


class Level(str, Enum):
    PROGRAM = "program"
    KEGIATAN = "kegiatan"
    SUB_KEGIATAN = "sub_kegiatan"

    @property
    def label(self) -> str:
        return {"program": "Program", "kegiatan": "Kegiatan", "sub_kegiatan": "Sub Kegiatan"}[self.value]

    @property
    def depth(self) -> int:
        return {"program": 0, "kegiatan": 1, "sub_kegiatan": 2}[self.value]


class Polarity(str, Enum):
    HIGHER = "higher"  # higher is better: capaian = R / T
    LOWER = "lower"  # lower is better: capaian = (2T - R) / T (or T / R, a setting)
    RANGE = "range"  # target is a range [low, high]

    @property
    def label(self) -> str:
        return {"higher": "Semakin tinggi semakin baik", "lower": "Semakin rendah semakin baik",
                "range": "Dalam rentang target"}[self.value]


class Frequency(str, Enum):
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return {"quarterly": "Triwulanan", "yearly": "Tahunan"}[self.value]


class Annual(str, Enum):
    """How the year's realisasi of an indicator follows from the quarters."""

    LAST = "last"  # the latest quarter with a value (indices, percentages)
    SUM = "sum"  # counts that add up over the year
    AVERAGE = "average"
    #: percentages that may not fall (coverage built up over the year): the highest value so
    #: far counts, and a quarter below an earlier one is reported
    NONDECREASING = "nondecreasing"

    @property
    def label(self) -> str:
        return {"last": "nilai triwulan terakhir", "sum": "jumlah triwulan",
                "average": "rata-rata triwulan terisi",
                "nondecreasing": "nilai tertinggi (tidak boleh turun)"}[self.value]


class RevisionKind(str, Enum):
    """How a form revises an issued one: APBD Perubahan (Perda) or a pergeseran (Perkada)."""

    PERUBAHAN = "perubahan"
    PERGESERAN = "pergeseran"

    @property
    def label(self) -> str:
        return {"perubahan": "Perubahan", "pergeseran": "Pergeseran"}[self.value]


MURNI = "murni"  # the basis of quarters reported against the original budget


def quarter_of_date(iso_date: str) -> int:
    """The triwulan a date falls in (2024-09-15 -> 3): the first one reported against a
    revision that takes effect that day."""
    month = int(iso_date[5:7])
    return (month - 1) // 3 + 1


@dataclass(frozen=True)
class Revision:
    """This form revises an issued form of the same OPD and year.

    ``effective_quarter`` is the first triwulan reported against the revised pagu; earlier ones
    keep the pagu they were reported against (murni, or an earlier revision's). ``basis`` names
    the budget in force in each triwulan, e.g. ("murni", "murni", "perubahan", "perubahan").
    ``revises`` is the model hash of the form revised (the version issued before this one).
    """

    kind: RevisionKind
    effective_quarter: int
    basis: tuple[str, str, str, str]
    effective_date: str | None = None
    revises: str | None = None
    revises_generated_at: str | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "effective_quarter": self.effective_quarter,
                "basis": list(self.basis), "effective_date": self.effective_date,
                "revises": self.revises, "revises_generated_at": self.revises_generated_at}

    @classmethod
    def from_dict(cls, d: dict) -> "Revision":
        q = int(d["effective_quarter"])
        if q not in QUARTERS:
            raise ValueError("effective_quarter")
        basis = tuple(str(b) for b in d["basis"])
        if len(basis) != 4:
            raise ValueError("basis")
        return cls(kind=RevisionKind(d["kind"]), effective_quarter=q, basis=basis,
                   effective_date=d.get("effective_date"), revises=d.get("revises"),
                   revises_generated_at=d.get("revises_generated_at"))


class RowChange(str, Enum):
    """What the latest revision did to a budget row (None: kept, perhaps with another pagu)."""

    NEW = "baru"  # not in the form revised: no realisasi before the revision
    REMOVED = "dihapus"  # no longer budgeted: pagu 0 from the revision on, earlier realisasi kept


class LowerFormula(str, Enum):
    PMK = "pmk"  # (2T - R) / T, PermenPANRB 8/2021
    INVERSE = "inverse"  # T / R, used by some local systems


@dataclass(frozen=True)
class Signatory:
    jabatan: str
    name: str
    pangkat: str
    nip: str


@dataclass(frozen=True)
class CapaianSettings:
    """How capaian is computed and shown. ``display_cap`` is a fraction (1.0 = 100 %) or None."""

    display_cap: float | None = 1.0
    lower_formula: LowerFormula = LowerFormula.PMK


@dataclass
class Indikator:
    id: str
    text: str
    target: float
    unit: str
    cara_pengukuran: str
    polarity: Polarity = Polarity.HIGHER
    frequency: Frequency = Frequency.QUARTERLY
    annual: Annual = Annual.LAST
    target_high: float | None = None  # upper bound when polarity is RANGE
    last_year: float | None = None  # realisasi of the previous year, for comparison (AKIP)
    target_note: str | None = None  # why the target is what it is (e.g. below last year's)
    #: targets of TW I..IV (in the unit), or None: capaian of a quarter then compares the value
    #: so far with the yearly target (see :mod:`xlkinerja.workbook.calc`)
    quarter_targets: tuple[float, float, float, float] | None = None
    #: the official source that publishes this indicator's value (xlkinerja.reference id or
    #: family, e.g. "ipp-2024", "sakip"); the pemda is the form's
    sumber: str | None = None

    def quarter_target(self, quarter: int) -> float | None:
        return self.quarter_targets[quarter - 1] if self.quarter_targets else None

    @property
    def is_percent(self) -> bool:
        return self.unit.strip() == "%"

    @property
    def scale(self) -> float:
        """Model values are in the unit (75 for 75 %); cells hold 0.75 for percent units."""
        return 100.0 if self.is_percent else 1.0


@dataclass
class Sasaran:
    id: str
    text: str
    indikator: list[Indikator]


@dataclass
class BudgetRow:
    id: str
    name: str
    level: Level
    code: str | None = None
    own_pagu: int | float | None = None  # leaves (sub kegiatan) only; in force at year end
    children: list["BudgetRow"] = field(default_factory=list)
    # a revised form (Form.revision) only, leaves only:
    pagu_murni: int | float | None = None  # the original budget (None: the same as own_pagu)
    pagu_tw: tuple | None = None  # the pagu in force in TW I..IV (None: own_pagu all year)
    change: RowChange | None = None  # what the latest revision did to this row
    change_quarter: int | None = None  # the first triwulan of that change

    @property
    def is_leaf(self) -> bool:
        return self.level is Level.SUB_KEGIATAN

    @property
    def pagu(self) -> int | float:
        """The pagu in force at year end (perubahan in a revised form)."""
        if self.is_leaf:
            return self.own_pagu or 0
        return sum(child.pagu for child in self.children)

    @property
    def murni(self) -> int | float:
        """The original pagu (APBD murni); the same as :attr:`pagu` in a form never revised."""
        if self.is_leaf:
            return self.pagu_murni if self.pagu_murni is not None else (self.own_pagu or 0)
        return sum(child.murni for child in self.children)

    def pagu_at(self, quarter: int) -> int | float:
        """The pagu in force in one triwulan."""
        if self.is_leaf:
            if self.pagu_tw is not None:
                return self.pagu_tw[quarter - 1]
            return self.own_pagu or 0
        return sum(child.pagu_at(quarter) for child in self.children)

    def open_in(self, quarter: int) -> bool:
        """Whether the OPD reports realisasi of this leaf in ``quarter``: not before a new row
        existed, not after a removed row was taken out of the budget."""
        if self.change is RowChange.NEW:
            return quarter >= (self.change_quarter or 1)
        if self.change is RowChange.REMOVED:
            return quarter < (self.change_quarter or 5)
        return True

    def walk(self) -> Iterator["BudgetRow"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Form:
    """One OPD's formulir for one year: everything the template fixes."""

    opd_code: str
    opd_name: str
    year: int
    signatory: Signatory
    sasaran: list[Sasaran]
    programs: list[BudgetRow]
    capaian: CapaianSettings = field(default_factory=CapaianSettings)
    revision: Revision | None = None  # this form revises an issued one (APBD Perubahan, pergeseran)
    #: the local government the OPD belongs to, official name (e.g. "Kota Jambi"); needed to
    #: look an indicator's published value up in its source
    pemda: str | None = None

    def budget_rows(self) -> list[BudgetRow]:
        """Every budget row in form order: program, its kegiatan, each followed by its subs."""
        return [row for program in self.programs for row in program.walk()]

    def leaves(self) -> list[BudgetRow]:
        return [row for row in self.budget_rows() if row.is_leaf]

    def indicators(self) -> list[tuple[Sasaran, Indikator]]:
        return [(s, i) for s in self.sasaran for i in s.indikator]

    @property
    def total_pagu(self) -> int | float:
        return sum(p.pagu for p in self.programs)

    @property
    def total_murni(self) -> int | float:
        return sum(p.murni for p in self.programs)

    def total_pagu_at(self, quarter: int) -> int | float:
        return sum(p.pagu_at(quarter) for p in self.programs)

    def basis(self, quarter: int) -> str:
        """The budget a triwulan is reported against: "murni", "perubahan" or "pergeseran"."""
        return self.revision.basis[quarter - 1] if self.revision else MURNI

    # -- serialisation: the workbook carries its own model as JSON ---------------------------
    def to_dict(self) -> dict:
        row = _row_to_dict
        return {
            "opd": {"code": self.opd_code, "name": self.opd_name},
            "year": self.year,
            "signatory": {"jabatan": self.signatory.jabatan, "name": self.signatory.name,
                          "pangkat": self.signatory.pangkat, "nip": self.signatory.nip},
            "capaian": {"display_cap": self.capaian.display_cap,
                        "lower_formula": self.capaian.lower_formula.value},
            "sasaran": [
                {"id": s.id, "text": s.text, "indikator": [
                    {"id": i.id, "text": i.text, "target": i.target, "target_high": i.target_high,
                     "unit": i.unit, "cara_pengukuran": i.cara_pengukuran,
                     "polarity": i.polarity.value, "frequency": i.frequency.value,
                     "annual": i.annual.value,
                     # only when set, so that a form without them keeps its JSON and hash
                     **({"last_year": i.last_year} if i.last_year is not None else {}),
                     **({"target_note": i.target_note} if i.target_note else {}),
                     **({"quarter_targets": list(i.quarter_targets)} if i.quarter_targets else {}),
                     **({"sumber": i.sumber} if i.sumber else {})}
                    for i in s.indikator]}
                for s in self.sasaran],
            "programs": [row(p) for p in self.programs],
            # only in a revised form, so that a form never revised keeps its JSON and hash
            **({"revision": self.revision.to_dict()} if self.revision else {}),
            **({"pemda": self.pemda} if self.pemda else {}),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Form":
        row = _row_from_dict
        sig = d["signatory"]
        cap = d.get("capaian", {})
        return cls(
            opd_code=d["opd"]["code"], opd_name=d["opd"]["name"], year=int(d["year"]),
            signatory=Signatory(sig["jabatan"], sig["name"], sig["pangkat"], sig["nip"]),
            capaian=CapaianSettings(display_cap=cap.get("display_cap", 1.0),
                                    lower_formula=LowerFormula(cap.get("lower_formula", "pmk"))),
            sasaran=[Sasaran(id=s["id"], text=s["text"], indikator=[
                Indikator(id=i["id"], text=i["text"], target=i["target"],
                          target_high=i.get("target_high"), unit=i["unit"],
                          cara_pengukuran=i["cara_pengukuran"], polarity=Polarity(i["polarity"]),
                          frequency=Frequency(i["frequency"]), annual=Annual(i.get("annual", "last")),
                          last_year=i.get("last_year"), target_note=i.get("target_note"),
                          quarter_targets=tuple(i["quarter_targets"]) if i.get("quarter_targets")
                          else None, sumber=i.get("sumber"))
                for i in s["indikator"]]) for s in d["sasaran"]],
            programs=[row(p) for p in d["programs"]],
            revision=Revision.from_dict(d["revision"]) if d.get("revision") else None,
            pemda=d.get("pemda"),
        )


def form_json(form: Form) -> str:
    """The form as the workbook carries it (canonical JSON: sorted keys, no spaces)."""
    import json

    return json.dumps(form.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def form_sha256(form: Form) -> str:
    """The form's version: the hash of :func:`form_json` (``model_sha256`` in the workbook)."""
    import hashlib

    return hashlib.sha256(form_json(form).encode("utf-8")).hexdigest()


_LEVELS = {level.value: level for level in Level}  # Level(value), without Enum's lookup per row


# The budget tree to and from its dict, recursively. Module-level functions, not closures: a
# nested function that calls itself is a reference cycle (function, cell, function) holding its
# whole call's data until the cyclic garbage collector runs; thousands of workbooks make that
# garbage, and collecting it, a noticeable cost.

def _row_to_dict(r: BudgetRow) -> dict:
    d = {"id": r.id, "name": r.name, "level": r.level.value, "code": r.code}
    if r.is_leaf:
        d["pagu"] = r.own_pagu
        if r.pagu_murni is not None:  # revised forms only
            d["pagu_murni"] = r.pagu_murni
        if r.pagu_tw is not None:
            d["pagu_tw"] = list(r.pagu_tw)
        if r.change is not None:
            d["change"] = r.change.value
            d["change_quarter"] = r.change_quarter
    else:
        d["children"] = [_row_to_dict(c) for c in r.children]
    return d


def _row_from_dict(x: dict) -> BudgetRow:
    value = x["level"]
    level = _LEVELS[value] if value.__class__ is str and value in _LEVELS else Level(value)
    row = BudgetRow(id=x["id"], name=x["name"], level=level, code=x.get("code"),
                    own_pagu=x.get("pagu") if level is Level.SUB_KEGIATAN else None,
                    children=[_row_from_dict(c) for c in x.get("children", [])])
    if level is Level.SUB_KEGIATAN and len(x) > 5:  # a revised form's row
        row.pagu_murni = x.get("pagu_murni")
        tw = x.get("pagu_tw")
        if tw is not None:
            if len(tw) != 4:
                raise ValueError("pagu_tw")
            row.pagu_tw = tuple(tw)
        if x.get("change") is not None:
            row.change = RowChange(x["change"])
            row.change_quarter = int(x["change_quarter"])
    return row

NOT_AVAILABLE = "-"  # an indicator realisasi of "-" means: not yet available


@dataclass
class BudgetEntry:
    realisasi: float | int | None = None
    keterangan: str | None = None


@dataclass
class IndicatorEntry:
    realisasi: float | str | None = None  # a number in the indicator's unit, "-" or None
    keterangan: str | None = None


@dataclass
class QuarterEntries:
    """What an OPD fills in for one triwulan (input cells only)."""

    budget: dict[str, BudgetEntry] = field(default_factory=dict)
    indikator: dict[str, IndicatorEntry] = field(default_factory=dict)
    faktor_pendorong: str | None = None
    uraian_permasalahan: str | None = None
    rencana_tindak_lanjut: str | None = None

    def is_empty(self) -> bool:
        return (not any(e.realisasi is not None for e in self.budget.values())
                and not any(e.realisasi not in (None,) for e in self.indikator.values())
                and not (self.faktor_pendorong or self.uraian_permasalahan
                         or self.rencana_tindak_lanjut))


def sheet_name(quarter: int) -> str:
    return f"TW {ROMAN[quarter]}"
