"""Validation of returned workbooks: identity, integrity and entries, one finding each.

``validate_file`` is what the command line and consolidation call for a file on disk;
``validate_source`` is what the button calls for the workbook open on screen. Both return a
:class:`FileReport` whose findings carry a stable code, the sheet and cell, a severity and a
message in Bahasa Indonesia that says what to do.

Finding codes (stable; each one in :mod:`xlkinerja.findings.catalogue`, and docs/kode-temuan.md):

- FILE_*: the file cannot be opened as a workbook (empty, truncated, encrypted, .xls, .ods, CSV,
  zip bomb, XML entities, ...). One finding per file; nothing else is checked.
- IDENTITY_*: not an xlkinerja formulir, unknown or newer template, OPD or year not the expected;
  with a register (:mod:`.identity`): not signed, signature not valid, not issued, an older
  version (IDENTITY_NOT_SIGNED, _SIGNATURE_INVALID, _NOT_ISSUED, _VERSION_SUPERSEDED).
- FILE_EXTERNAL_LINKS, FILE_DDE_LINKS, FILE_DATA_CONNECTIONS, FILE_VBA_PROJECT: parts a returned
  file should not carry (never followed, never run).
- ENTRY_FORMULA, _DDE, _EXTERNAL, _OUTSIDE: a formula typed into an input cell (not counted).
- Which codes make a file unacceptable, and which leave an entry out:
  :mod:`xlkinerja.findings.acceptance`.
- INTEGRITY_*: the template was changed: formulas overwritten or edited, locked values (pagu,
  target, labels) changed, rows or sheets added or removed, hidden identity edited.
- ENTRY_*: the OPD's entries: not a number, negative, above the pagu (in a quarter or together),
  missing, yearly indicator missing in TW IV, low capaian without keterangan, narrative missing,
  identical amounts in sibling rows, percent typed on the wrong scale (an error above 1.000 %), a
  "tidak turun" indicator that fell, a form returned with no entry at all (ENTRY_FORM_EMPTY).
  Entries no figure counts carry ``extra[UNCOUNTED]`` (see :mod:`xlkinerja.findings`).
- TEXT_DIFFERS_BETWEEN_QUARTERS: the same sasaran/indikator spelled differently (info).
- REFERENCE_*: an indicator that names its official source (``sumber: ipp-2024``) compared with
  the value the source publishes for the form's pemda (:mod:`xlkinerja.reference`): MATCH (info),
  MISMATCH (warning naming both values), NOT_AVAILABLE (info: the source printed NA/*NA).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from xlkinerja import reference
from xlkinerja.workbook import calc
from xlkinerja.findings import UNCOUNTED, Finding, Severity
from xlkinerja.findings.acceptance import rejection_text
from xlkinerja.findings.catalogue import CODES
from xlkinerja.workbook.formulas import quarter_values
from xlkinerja.validation.guards import guard_findings
from xlkinerja.workbook.layout import NARRATIVES, QUARTER_SHEETS, Q, a1, printed_col
from xlkinerja.form.model import NOT_AVAILABLE, QUARTERS, ROMAN, Annual, Frequency, Indikator
from xlkinerja.base.numbers import (format_decimal, format_number, format_percent, format_rupiah,
                                    guess_amount_text,
                                    parse_number_text)
from xlkinerja.reading.preflight import preflight
from xlkinerja.reading.reader import RawCell, Submission, number_value, read_submission
from xlkinerja.reading.sources import CalamineSource, OpenpyxlFormulaSource, WorkbookSource

__all__ = ["ValidationOptions", "FileReport", "ReportSummary", "validate_file", "validate_files",
           "validate_source", "format_text", "format_report", "format_summary", "ReportCounts",
           "to_json", "iter_json"]


@dataclass
class ValidationOptions:
    low_capaian: float = 0.75  # capaian (uncapped) below this needs a keterangan
    check_formulas: bool = True  # read formulas with openpyxl (slower) to check integrity
    expect_opd: str | None = None
    expect_year: int | None = None
    #: the register of issued forms (a path): identity and signature are checked against it;
    #: None: not checked (identities cannot be confirmed)
    register: str | None = None


@dataclass(frozen=True)
class ReportSummary:
    """What a report says about a readable workbook besides its findings (small, picklable)."""

    opd_code: str
    opd_name: str
    year: int
    filled_quarters: tuple[int, ...]

    @classmethod
    def of(cls, sub: Submission) -> "ReportSummary":
        return cls(sub.form.opd_code, sub.form.opd_name, sub.form.year, tuple(sub.filled_quarters))


@dataclass
class FileReport:
    file: str
    findings: list[Finding] = field(default_factory=list)
    submission: Submission | None = None  # the workbook as read (not kept by validate_files)
    path: Path | None = None
    summary: ReportSummary | None = None  # set whenever the workbook could be read

    @property
    def readable(self) -> bool:
        return self.submission is not None or self.summary is not None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: f.sort_key)


# -- entry rules ----------------------------------------------------------------------------------

class EntryRules:
    def __init__(self, sub: Submission, options: ValidationOptions):
        self.sub, self.options = sub, options
        self.form = sub.form
        self.findings: list[Finding] = []

    def add(self, severity: Severity, code: str, message: str, raw: RawCell | None = None,
            ident: str | None = None, quarter: int | None = None, sheet: str | None = None,
            cell_ref: str | None = None, extra: dict | None = None) -> None:
        self.findings.append(Finding(
            file=self.sub.name, severity=severity, code=code, message=message,
            sheet=raw.sheet if raw else sheet, cell=raw.a1 if raw else cell_ref,
            ident=ident, quarter=quarter, extra=extra or {}))

    def uncounted(self, severity: Severity, code: str, message: str, raw: RawCell, ident: str,
                  quarter: int, kind: str) -> None:
        """An entry left out of every figure (the formulir's totals, Rekap Tahunan, the recap):
        the finding carries what the cell holds, so the recap can list it
        (:func:`xlkinerja.consolidation.figures.uncounted_entries`)."""
        self.add(severity, code, message, raw, ident, quarter,
                 extra={UNCOUNTED: {"kind": kind, "value": _cell_text(raw.value)}})

    def run(self) -> list[Finding]:
        if not self.sub.filled_quarters and all(r.readable for r in self.sub.quarters.values()):
            self.add(Severity.WARNING, "ENTRY_FORM_EMPTY",
                     "Formulir belum diisi: tidak ada realisasi, nilai indikator, atau uraian pada "
                     "TW I sampai TW IV. Periksa apakah yang dikirim formulir kosong, bukan berkas "
                     "yang sudah diisi.")
        self.identity()
        self.input_formulas()
        self.budget()
        self.indicators()
        self.narratives()
        self.derived_values()
        return self.findings

    # identity expectations
    def identity(self) -> None:
        o, f = self.options, self.form
        if o.expect_opd is not None and str(o.expect_opd).strip() != f.opd_code:
            self.add(Severity.ERROR, "IDENTITY_OPD_MISMATCH",
                     f"Formulir ini milik OPD {f.opd_code} ({f.opd_name}), bukan OPD "
                     f"{o.expect_opd} yang diharapkan. Periksa apakah berkas tertukar.")
        if o.expect_year is not None and int(o.expect_year) != f.year:
            self.add(Severity.ERROR, "IDENTITY_YEAR_MISMATCH",
                     f"Formulir ini untuk tahun {f.year}, bukan {o.expect_year}. Periksa apakah "
                     "berkas yang dikirim formulir tahun berjalan.")

    # formulas typed into input cells: never counted, never followed
    def input_formulas(self) -> None:
        from xlkinerja.reading.package import formula_kind

        names = {r.id: r.name for r in self.form.budget_rows()}
        names.update({i.id: i.text for _, i in self.form.indicators()})
        for q in QUARTERS:
            read = self.sub.quarters[q]
            if not read.formula_inputs:
                continue
            where = {}
            for cells in (read.budget_real, read.budget_ket, read.ind_real, read.ind_ket, read.narratives):
                for ident, raw in cells.items():
                    where[(raw.row, raw.col)] = (ident, raw)
            for (r, c), text in sorted(read.formula_inputs.items()):
                ident, raw = where[(r, c)]
                what = f"'{_short(names[ident])}'" if ident in names else "isian"
                shown = _short("=" + text, 60) if text else "rumus"
                code, why = _FORMULA_KINDS[formula_kind(text)]
                message = (f"Sel isian {what} berisi rumus {shown}, bukan nilai yang diketik. {why} "
                           "Isian ini tidak dihitung dalam rekap; hapus rumusnya dan ketik nilainya.")
                if ident in names and raw.col in (Q.REAL, Q.IND_REAL):  # an amount or a value
                    kind = "anggaran" if raw.col == Q.REAL else "indikator"
                    self.add(Severity.ERROR, code, message, raw, ident, q,
                             extra={UNCOUNTED: {"kind": kind, "value": "=" + text if text else "rumus"}})
                else:
                    self.add(Severity.ERROR, code, message, raw, ident if ident in names else None, q)

    # budget rows
    def budget(self) -> None:
        leaves = self.form.leaves()
        parent_of = {c.id: p for p in self.form.budget_rows() for c in p.children}
        running = {leaf.id: 0.0 for leaf in leaves}
        pagus = {leaf.id: leaf.pagu for leaf in leaves}
        revised = self.form.revision is not None
        for q in QUARTERS:
            read = self.sub.quarters[q]
            if not read.readable:
                continue
            filled = read.is_filled
            by_parent: dict[str, list[tuple[float, RawCell, str]]] = {}
            real, kets = read.budget_real, read.budget_ket
            formulas = read.formula_inputs
            for leaf in leaves:
                raw = real.get(leaf.id)
                if raw is None or (formulas and (raw.row, raw.col) in formulas):
                    continue
                value = raw.value
                if value is None or (isinstance(value, str) and not value.strip()):  # is_empty
                    ket = kets.get(leaf.id)
                    has_ket = ket is not None and not ket.is_empty
                    if filled and not has_ket:
                        self.add(Severity.WARNING, "ENTRY_MISSING",
                                 f"Realisasi '{_short(leaf.name)}' kosong padahal sub kegiatan lain "
                                 f"di TW {ROMAN[q]} sudah diisi. Isi 0 bila belum ada belanja, atau "
                                 f"jelaskan di KETERANGAN (kolom {printed_col(Q.KET)}).", raw, leaf.id, q)
                    continue
                amount = number_value(value)
                if amount is None:
                    self._amount(raw, leaf.name, q, leaf.id)  # reports what the cell holds
                    continue
                pagu = pagus[leaf.id] if not revised else leaf.pagu_at(q)  # the pagu in force
                if amount < 0:
                    self.uncounted(Severity.ERROR, "ENTRY_NEGATIVE",
                                   f"Realisasi '{_short(leaf.name)}' negatif ({format_rupiah(amount)}). "
                                   "Realisasi triwulan tidak boleh kurang dari 0; koreksi angkanya. "
                                   f"{NOT_COUNTED_BUDGET}", raw, leaf.id, q, "anggaran")
                    continue
                if amount > pagu:
                    self.add(Severity.ERROR, "ENTRY_ABOVE_PAGU",
                             f"Realisasi TW {ROMAN[q]} '{_short(leaf.name)}' {format_rupiah(amount)} "
                             f"melebihi pagu {format_rupiah(pagu)}. Periksa angkanya (kelebihan "
                             "nol? kumulatif?).", raw, leaf.id, q)
                else:
                    before = running[leaf.id]
                    if before <= pagu < before + amount:
                        self.add(Severity.ERROR, "ENTRY_CUMULATIVE_ABOVE_PAGU",
                                 f"Realisasi '{_short(leaf.name)}' TW I sampai TW {ROMAN[q]} berjumlah "
                                 f"{format_rupiah(before + amount)}, melebihi pagu "
                                 f"{format_rupiah(pagu)}. Realisasi diisi per triwulan, bukan "
                                 "kumulatif; periksa angka triwulan ini dan sebelumnya.",
                                 raw, leaf.id, q)
                running[leaf.id] += amount
                if amount > 0:
                    parent = parent_of.get(leaf.id)
                    by_parent.setdefault(parent.id if parent else "", []).append((amount, raw, leaf.name))
            for siblings in by_parent.values():
                seen: dict[float, tuple[RawCell, str]] = {}
                for amount, raw, name in siblings:
                    if amount in seen:
                        other_raw, other = seen[amount]
                        self.add(Severity.INFO, "ENTRY_DUPLICATE_AMOUNT",
                                 f"Realisasi {format_rupiah(amount)} sama persis dengan sub kegiatan "
                                 f"'{_short(other, 100)}' ({other_raw.a1}). Periksa apakah angka "
                                 "tersalin; abaikan bila memang sama.", raw, quarter=q)
                    else:
                        seen[amount] = (raw, name)

    def _amount(self, raw: RawCell, name: str, q: int, ident: str) -> float | None:
        value = number_value(raw.value)
        if value is not None:
            return value
        self.uncounted(Severity.ERROR, "ENTRY_NOT_NUMBER",
                       f"{_not_number_message(raw.value, name, money=True)} {NOT_COUNTED_BUDGET}",
                       raw, ident, q, "anggaran")
        return None

    # indicators
    def indicators(self) -> None:
        settings = self.form.capaian
        entries = self.sub.entries()
        for _, ind in self.form.indicators():
            # the values as every figure takes them (TW I..IV): what the quarter sheet's capaian
            # and Rekap Tahunan compute from, so a low capaian here is the one the sheet shows
            values = []
            for q in QUARTERS:
                e = entries.get(q)
                entry = e.indikator.get(ind.id) if e else None
                values.append(calc.indicator_value(entry.realisasi if entry else None, ind))
            highest: tuple[float, int] | None = None
            for q in QUARTERS:
                read = self.sub.quarters[q]
                if not read.readable or ind.id not in read.ind_real:
                    continue
                raw = read.ind_real[ind.id]
                if (raw.row, raw.col) in read.formula_inputs:
                    continue  # reported by input_formulas, not counted
                ket = read.ind_ket.get(ind.id)
                has_ket = ket is not None and not ket.is_empty
                value = raw.value
                if raw.is_empty or (isinstance(value, str) and value.strip() == NOT_AVAILABLE):
                    if q == 4 and ind.frequency is Frequency.YEARLY and read.is_filled and not has_ket:
                        self.add(Severity.WARNING, "ENTRY_YEARLY_MISSING",
                                 f"Indikator tahunan '{_short(ind.text)}' belum berisi realisasi pada "
                                 f"TW IV. Isi nilainya, atau jelaskan di KETERANGAN (kolom {printed_col(Q.IND_KET)}) mengapa "
                                 "belum tersedia.", ket or raw, ind.id, q)
                    elif (raw.is_empty and ind.frequency is Frequency.QUARTERLY and read.is_filled
                          and not has_ket):
                        self.add(Severity.WARNING, "ENTRY_INDICATOR_MISSING",
                                 f"Realisasi indikator '{_short(ind.text)}' kosong pada TW {ROMAN[q]}. "
                                 "Isi nilainya, ketik - bila belum tersedia dan jelaskan di "
                                 "KETERANGAN.", raw, ind.id, q)
                    continue
                number = number_value(value)
                if number is None:
                    self.uncounted(Severity.ERROR, "ENTRY_NOT_NUMBER",
                                   f"{_not_number_message(value, ind.text, money=False, percent=ind.is_percent)}"
                                   f" {NOT_COUNTED_INDICATOR}", raw, ind.id, q, "indikator")
                    continue
                model_value = number * ind.scale
                if calc.out_of_scale(model_value, ind):
                    self.uncounted(Severity.ERROR, "ENTRY_PERCENT_SCALE",
                                   f"Realisasi '{_short(ind.text)}' tampil sebagai "
                                   f"{format_number(model_value)}%, di atas 1.000%: nilai dengan skala "
                                   f"yang salah (persen diketik tanpa tanda %). Ketik misalnya "
                                   f"{format_number(number)}% (dengan tanda %). {NOT_COUNTED_INDICATOR}",
                                   raw, ind.id, q, "indikator")
                    continue
                if ind.is_percent and abs(number) > 2:
                    self.add(Severity.WARNING, "ENTRY_PERCENT_SCALE",
                             f"Realisasi '{_short(ind.text)}' tampil sebagai "
                             f"{format_number(model_value)}%: tampaknya persen diketik tanpa tanda %. "
                             f"Ketik misalnya {format_number(number)}% (dengan tanda %).",
                             raw, ind.id, q)
                    continue
                if ind.annual is Annual.NONDECREASING:
                    if highest is not None and model_value < highest[0]:
                        self.add(Severity.WARNING, "ENTRY_INDICATOR_DECREASED",
                                 f"Realisasi '{_short(ind.text)}' TW {ROMAN[q]} "
                                 f"{_value_text(ind, model_value)} lebih rendah dari TW "
                                 f"{ROMAN[highest[1]]} ({_value_text(ind, highest[0])}), padahal "
                                 "nilainya tidak boleh turun; yang dihitung tetap nilai tertinggi. "
                                 f"Periksa angkanya, atau jelaskan di KETERANGAN (kolom {printed_col(Q.IND_KET)}).",
                                 raw, ind.id, q)
                    if highest is None or model_value > highest[0]:
                        highest = (model_value, q)
                raw_capaian = calc.quarter_capaian_raw(values[:q], ind, settings)
                if raw_capaian is not None and raw_capaian < self.options.low_capaian and not has_ket:
                    self.add(Severity.WARNING, "ENTRY_LOW_CAPAIAN",
                             f"Capaian '{_short(ind.text)}' TW {ROMAN[q]} {format_percent(raw_capaian, 0)} "
                             f"({calc.quarter_basis_text(ind, q)}: realisasi "
                             f"{_value_text(ind, calc.value_so_far(values[:q], ind) if not ind.quarter_targets else model_value)}"
                             f", target {_target_text(ind, q)}) di bawah "
                             f"{format_percent(self.options.low_capaian, 0)}. "
                             f"Jelaskan penyebabnya di KETERANGAN (kolom {printed_col(Q.IND_KET)}).",
                             ket or raw, ind.id, q)
                if ind.sumber and (ind.frequency is Frequency.YEARLY or q == 4):
                    self._against_source(ind, model_value, raw, q)

    def _against_source(self, ind: Indikator, value: float, raw: RawCell, q: int) -> None:
        """The reported realisasi against the value the indicator's official source publishes."""
        src = reference.resolve_source(ind.sumber, self.form.year)
        if src is None or not self.form.pemda:
            return
        try:
            row = reference.find(src.id, self.form.pemda)
        except reference.UnknownPemda:
            return
        pub = row.value
        where = f"'{_short(ind.text)}' TW {ROMAN[q]}"
        if not pub.counted:
            self.add(Severity.INFO, "REFERENCE_NOT_AVAILABLE",
                     f"Realisasi {where} {format_number(value)}: {src.short} tidak memuat nilai "
                     f"untuk {row.name} (tertulis {pub.mark or 'kosong'}). Sebutkan asal angka "
                     f"ini di KETERANGAN (kolom {printed_col(Q.IND_KET)}).", raw, ind.id, q)
            return
        published = format_decimal(pub.number, src.decimals)
        category = f", kategori {row.category}" if row.category else ""
        if round(value, src.decimals) == round(pub.number, src.decimals):
            self.add(Severity.INFO, "REFERENCE_MATCH",
                     f"Realisasi {where} {published} sesuai {src.short} ({row.name} "
                     f"{published}{category}).", raw, ind.id, q)
        else:
            self.add(Severity.WARNING, "REFERENCE_MISMATCH",
                     f"Realisasi {where} {format_number(value)} berbeda dari nilai terbitan "
                     f"{src.short} untuk {row.name}: {published}{category}. Periksa angkanya; "
                     f"bila angka lain yang benar, jelaskan sumbernya di KETERANGAN (kolom "
                     f"{printed_col(Q.IND_KET)}).", raw, ind.id, q)

    def narratives(self) -> None:
        for q in QUARTERS:
            read = self.sub.quarters[q]
            if not read.readable or not read.is_filled:
                continue
            for key, label in NARRATIVES:
                raw = read.narratives.get(key)
                if raw is not None and raw.is_empty:
                    self.add(Severity.WARNING, "ENTRY_NARRATIVE_EMPTY",
                             f"{label} TW {ROMAN[q]} belum diisi, padahal triwulan ini sudah berisi "
                             "realisasi. Isi uraiannya.", raw, quarter=q)

    def derived_values(self) -> None:
        """Without formulas to look at, a cached result that disagrees with the recomputed figure
        means the cell no longer computes (overwritten) or the file was not recalculated."""
        if self.sub.formulas_checked:
            return
        entries = self.sub.entries()
        for q in QUARTERS:
            read = self.sub.quarters[q]
            if not read.readable or not read.derived:
                continue
            expected = quarter_values(self._fmap, entries, q)
            money = (Q.PAGU, Q.REAL)
            mismatches = []
            for (r, c), cached in read.derived.items():
                if cached is None:
                    continue
                want = expected.get((r, c))
                if want is None or isinstance(want, str):
                    continue
                got = number_value(cached)
                if got is None:
                    continue
                tolerance = 0.5 if c in money else 1e-6
                if abs(got - want) > tolerance:
                    mismatches.append((r, c, got, want))
            for r, c, got, want in sorted(mismatches)[:10]:  # the first ten, in sheet order
                self.add(Severity.WARNING, "INTEGRITY_DERIVED_VALUE_MISMATCH",
                         f"Nilai tersimpan di {a1(r, c)} ({_num_text(got, c)}) tidak sama dengan "
                         f"hasil hitungan ({_num_text(want, c)}): rumus mungkin ditimpa, atau "
                         "berkas disimpan tanpa dihitung ulang. Rekap memakai hasil hitungan.",
                         sheet=QUARTER_SHEETS[q - 1], cell_ref=a1(r, c), quarter=q)

    @property
    def _fmap(self):
        from xlkinerja.workbook.formulas import FormulaMap
        from xlkinerja.workbook.layout import WorkbookLayout

        if not hasattr(self, "_fm"):
            self._fm = self.sub.formula_map or FormulaMap(self.form, WorkbookLayout(self.form))
        return self._fm


_FORMULA_KINDS = {
    "dde": ("ENTRY_FORMULA_DDE", "Rumus ini memanggil program lain (DDE) dan dapat menjalankan "
                                 "perintah di komputer yang membukanya; tidak dijalankan."),
    "external": ("ENTRY_FORMULA_EXTERNAL", "Rumus ini mengambil nilai dari workbook lain; tautannya "
                                           "tidak diikuti."),
    "outside": ("ENTRY_FORMULA_OUTSIDE", "Rumus ini membuka alamat atau layanan di luar workbook "
                                         "(mis. HYPERLINK, WEBSERVICE); tidak diikuti."),
    "formula": ("ENTRY_FORMULA", "Nilai hasil rumus tidak dipakai."),
}


def _num_text(value: float, col: int) -> str:
    return format_rupiah(value) if col in (Q.PAGU, Q.REAL) else format_percent(value)


def _value_text(ind: Indikator, value: float) -> str:
    return format_number(value) + ("%" if ind.is_percent else f" {ind.unit}")


def _target_text(ind: Indikator, quarter: int | None = None) -> str:
    if ind.target_high is not None:
        return f"{format_number(ind.target)}–{format_number(ind.target_high)}"
    target = ind.quarter_target(quarter) if quarter and ind.quarter_targets else ind.target
    return format_number(target) + ("%" if ind.is_percent else "")


NOT_COUNTED_BUDGET = ("Isian ini tidak dihitung dalam jumlah (Total Anggaran, Rekap Tahunan, "
                      "rekap) sampai diperbaiki.")
NOT_COUNTED_INDICATOR = ("Nilai ini tidak dihitung dalam capaian maupun rekap sampai "
                         "diperbaiki.")


def _cell_text(value) -> str:
    """What a cell holds, as the recap lists it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = format_number(value)  # 66,5 as the user sees it typed
    else:
        text = str(value) if not isinstance(value, str) else value.strip()
    return text if len(text) <= 60 else text[:59] + "…"


def _short(text: str, n: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _not_number_message(value, name: str, money: bool, percent: bool = False) -> str:
    what = f"Realisasi '{_short(name)}'"
    if isinstance(value, str):
        parsed = parse_number_text(value)
        if parsed is not None:
            if money:
                meant = format_rupiah(parsed.value)
            elif parsed.is_percent or percent:
                meant = format_number(parsed.value * (100 if parsed.is_percent else 1)) + "%"
            else:
                meant = format_number(parsed.value)
            style = " (ditulis dengan pemisah gaya Inggris)" if parsed.style == "us" else ""
            return (f"{what} berisi teks '{value.strip()}', bukan angka{style}; kemungkinan maksudnya "
                    f"{meant}. Hapus isinya lalu ketik ulang sebagai angka (jangan menempel teks "
                    "dari dokumen lain; gunakan Tempel Spesial > Nilai).")
        guess = guess_amount_text(value) if money else None
        if guess is not None:
            return (f"{what} berisi teks '{value.strip()}', bukan angka; kemungkinan maksudnya "
                    f"{format_rupiah(guess)}. Hapus isinya lalu ketik angkanya saja "
                    f"({format_rupiah(guess).replace('.', '')}); pemisah ribuan muncul sendiri.")
        hint = "angka rupiah" if money else "angka, atau tanda - bila belum tersedia"
        return f"{what} berisi teks '{_short(value.strip(), 40)}', bukan angka. Isi dengan {hint}."
    kind = type(value).__name__
    label = {"datetime": "tanggal", "date": "tanggal", "time": "jam", "bool": "nilai logika",
             "timedelta": "durasi"}.get(kind, kind)
    return f"{what} berisi {label}, bukan angka. Ubah format sel kembali dan ketik angkanya."


# -- one file, many files ---------------------------------------------------------------------------

def validate_source(source: WorkbookSource, formulas: WorkbookSource | None = None,
                    options: ValidationOptions | None = None) -> FileReport:
    """Validate a workbook source (a file read by calamine, or the open workbook via xlwings)."""
    options = options or ValidationOptions()
    report = FileReport(file=source.name)
    submission, findings = read_submission(source, formulas)
    report.findings.extend(findings)
    report.submission = submission
    if submission is not None:
        report.summary = ReportSummary.of(submission)
        if options.register:
            from xlkinerja.validation.identity import register_findings

            report.findings.extend(register_findings(submission, options.register))
        report.findings.extend(EntryRules(submission, options).run())
    return report


def validate_file(path: str | Path, options: ValidationOptions | None = None,
                  name: str | None = None) -> FileReport:
    """Validate one file on disk. Never raises for a bad file: every problem is a finding."""
    options = options or ValidationOptions()
    path = Path(path)
    name = name or path.name
    check = preflight(path, name)
    if not check.ok:
        return FileReport(file=name, findings=[check.finding], path=path)
    from xlkinerja.reading.package import scan

    package = scan(path)
    values = formulas = None
    try:
        try:
            values = CalamineSource(path, name, formula_cells=package.formulas)
        except _ENGINE_ERRORS as exc:  # the engine's own diagnosis is the message
            if isinstance(exc, _NEVER_SWALLOW):
                raise
            return FileReport(file=name, path=path, findings=[Finding(
                file=name, severity=Severity.ERROR, code="FILE_CORRUPT",
                message=f"Workbook rusak dan tidak dapat dibaca ({_engine_error(exc)}). Minta OPD "
                        "membuka berkasnya di Excel, menyimpan ulang, lalu mengirim kembali.")])
        if options.check_formulas:
            try:
                formulas = OpenpyxlFormulaSource(path, name)
            except _ENGINE_ERRORS as exc:
                if isinstance(exc, _NEVER_SWALLOW):
                    raise
                formulas = None
                unreadable = Finding(file=name, severity=Severity.WARNING,
                                     code="INTEGRITY_FORMULAS_UNREADABLE",
                                     message=f"Rumus tidak dapat dibaca ({_engine_error(exc)}); "
                                             "keutuhan rumus tidak diperiksa.")
            else:
                unreadable = None
        else:
            unreadable = None
        try:
            report = validate_source(values, formulas, options)
        except _ENGINE_ERRORS as exc:  # calamine raises its own types, Rust panics included
            if isinstance(exc, _NEVER_SWALLOW):
                raise
            if _from_engine(exc):
                return FileReport(file=name, path=path, findings=[Finding(
                    file=name, severity=Severity.ERROR, code="FILE_CORRUPT",
                    message=f"Isi workbook rusak dan tidak dapat dibaca ({_engine_error(exc)}). "
                            "Minta OPD membuka berkasnya di Excel, menyimpan ulang, lalu mengirim "
                            "kembali.")])
            raise
        if unreadable is not None:
            report.findings.append(unreadable)
        if report.submission is not None:
            sub = report.submission
            layout = sub.formula_map.layout if sub.formula_map is not None else None
            report.findings.extend(guard_findings(path, name, sub.form, layout))
        if report.readable:
            report.findings.extend(package_findings(package, name))
        report.path = path
        return report
    finally:
        for src in (values, formulas):
            if src is not None:
                src.close()


def package_findings(package, name: str) -> list[Finding]:
    """Parts a returned formulir should not carry (never followed, never run)."""
    out = []
    links = len(package.external_links) - package.dde_links
    if links > 0:
        out.append(Finding(name, Severity.WARNING, "FILE_EXTERNAL_LINKS",
                           f"Berkas menyimpan {links} tautan ke workbook lain. Tautan tidak diikuti "
                           "dan nilai dari workbook lain tidak dihitung. Putuskan tautannya di Excel "
                           "(Data > Edit Links > Break Link), ketik nilainya, lalu kirim ulang."))
    if package.dde_links:
        out.append(Finding(name, Severity.ERROR, "FILE_DDE_LINKS",
                           f"Berkas menyimpan {package.dde_links} tautan DDE, yang dapat menjalankan "
                           "program di komputer yang membukanya. Tautan tidak diikuti; jangan buka "
                           "berkas ini di Excel dengan mengizinkan pembaruan tautan. Minta OPD mengisi "
                           "ulang formulir asli tanpa rumus tautan."))
    if package.connections:
        out.append(Finding(name, Severity.WARNING, "FILE_DATA_CONNECTIONS",
                           "Berkas menyimpan koneksi data (ke basis data atau web). Koneksi tidak "
                           "dijalankan dan hasilnya tidak dihitung; hapus koneksinya (Data > "
                           "Queries & Connections)."))
    if package.vba_project and not package.macro_enabled:
        out.append(Finding(name, Severity.WARNING, "FILE_VBA_PROJECT",
                           "Berkas .xlsx ini berisi proyek VBA (makro) yang tidak berasal dari "
                           "formulir. Makro tidak dijalankan; isian tetap dibaca. Minta OPD menyimpan "
                           "ulang dari formulir asli."))
    return out


# pyo3 turns a Rust panic in python-calamine into PanicException, which derives from
# BaseException: a damaged file must still be one finding, while Ctrl+C and exit keep their meaning.
_ENGINE_ERRORS = BaseException
_NEVER_SWALLOW = (KeyboardInterrupt, SystemExit, GeneratorExit)


def _engine_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _from_engine(exc: BaseException) -> bool:
    """True when the exception was raised inside a reading library, not in xlkinerja's rules."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return True
    last = frames[-1].filename.replace("\\", "/")
    return "/xlkinerja/" not in last or last.endswith(("/sources.py",))


def validate_files(paths: Iterable[str | Path], options: ValidationOptions | None = None,
                   jobs: int | None = None) -> Iterator[FileReport]:
    """Validate many files, in ``jobs`` worker processes (default: every core); reports come in
    the order of ``paths``, one at a time, each with its findings and summary but without the
    submission (so that memory stays flat for thousands of files; :func:`validate_file` keeps it).
    One bad file never stops the others: a bug, or a worker process that dies, is one
    INTERNAL_ERROR finding for that file."""
    from xlkinerja.base.parallel import ordered_map

    options = options or ValidationOptions()
    items = [(str(p), options) for p in paths]
    yield from ordered_map(_validate_one, items, jobs, on_crash=_crashed)


def _validate_one(item: tuple[str, ValidationOptions]) -> FileReport:
    path, options = item
    try:
        report = validate_file(path, options)
    except BaseException as exc:  # a bug must not stop the batch, and must show
        if isinstance(exc, _NEVER_SWALLOW):
            raise
        return _internal_error(path, f"{type(exc).__name__}: {exc}")
    report.submission = None
    return report


def _crashed(item: tuple[str, ValidationOptions], exc: BaseException) -> FileReport:
    from concurrent.futures.process import BrokenProcessPool

    what = ("proses pemeriksa berhenti mendadak" if isinstance(exc, BrokenProcessPool)
            else f"{type(exc).__name__}: {exc}")
    return _internal_error(item[0], what)


def _internal_error(path: str | Path, what: str) -> FileReport:
    name = Path(path).name
    return FileReport(file=name, path=Path(path), findings=[Finding(
        file=name, severity=Severity.ERROR, code="INTERNAL_ERROR",
        message=f"Kesalahan internal xlkinerja saat memeriksa berkas ini ({what}). Laporkan "
                "kepada pengembang beserta berkasnya.")])


# -- output -------------------------------------------------------------------------------------

def to_json(reports: Iterable[FileReport]) -> str:
    return "".join(iter_json(reports))


def iter_json(reports: Iterable[FileReport]) -> Iterator[str]:
    """:func:`to_json` in pieces, one finding at a time (the same text)."""
    first = True
    for r in reports:
        for f in r.sorted_findings():
            item = json.dumps(f.to_dict(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
            yield ("[\n  " if first else ",\n  ") + item
            first = False
    yield "[]" if first else "\n]"


def format_text(reports: list[FileReport]) -> str:
    lines: list[str] = []
    for rep in reports:
        lines.extend(format_report(rep))
    counts = ReportCounts.of(reports)
    lines.extend(format_codes(counts))  # as the command prints it
    lines.append(format_summary(counts))
    return "\n".join(lines)


@dataclass
class ReportCounts:
    files: int = 0
    unreadable: int = 0
    with_errors: int = 0  # readable files with an error
    any_errors: bool = False  # some file, readable or not, has an error
    with_problems: int = 0  # unreadable, or with an error or a warning
    rejected: int = 0  # readable files that cannot be accepted at all (among with_errors)
    codes: dict[str, int] = field(default_factory=dict)  # code -> how many findings, all files

    def add(self, rep: FileReport) -> None:
        self.files += 1
        for f in rep.findings:
            self.codes[f.code] = self.codes.get(f.code, 0) + 1
        self.any_errors = self.any_errors or rep.has_errors
        if not rep.readable or rep.count(Severity.ERROR) or rep.count(Severity.WARNING):
            self.with_problems += 1
        if not rep.readable:
            self.unreadable += 1
        elif rep.has_errors:
            self.with_errors += 1
            if rejection_text(f.code for f in rep.findings):
                self.rejected += 1

    @classmethod
    def of(cls, reports: Iterable[FileReport]) -> "ReportCounts":
        counts = cls()
        for rep in reports:
            counts.add(rep)
        return counts


def format_summary(counts: ReportCounts) -> str:
    ok = counts.files - counts.unreadable - counts.with_errors
    rejected = f" ({counts.rejected} di antaranya ditolak)" if counts.rejected else ""
    return (f"Ringkasan: {counts.files} berkas diperiksa; {ok} tanpa galat, {counts.with_errors} "
            f"dengan galat{rejected}, {counts.unreadable} tidak dapat dibaca.")


def format_codes(counts: ReportCounts) -> list[str]:
    """The codes the batch raised, worst first, each with its count, meaning and what to do, from
    the catalogue: the desk reads what a code means next to the report instead of looking it up."""
    if not counts.codes:
        return []
    lines = ["Kode temuan (arti dan tindakan; daftar lengkap: xlkinerja kode):"]
    for code in sorted(counts.codes, key=lambda c: (_code_rank(c), c)):
        entry = CODES.get(code)
        n = format_number(counts.codes[code])
        if entry is None:  # a code the catalogue lacks: tests/test_catalogue.py prevents it
            lines.append(f"  {code} ({n}x)")
            continue
        lines.append(f"  {code} ({entry.label}, {n}x): {entry.meaning}")
        lines.append(f"      Tindakan: {entry.action}")
    lines.append("")
    return lines


def _code_rank(code: str) -> int:
    entry = CODES.get(code)
    return entry.severity.rank if entry else 3


def format_report(rep: FileReport) -> list[str]:
    """The lines of one file's report, ending with an empty line."""
    lines: list[str] = []
    e, w, i = (rep.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    rejected = rejection_text(f.code for f in rep.findings) if rep.readable else None
    status = "tidak dapat dibaca" if not rep.readable else (
        "DITOLAK" if rejected else
        "ada galat" if e else ("perlu diperiksa" if w else "baik"))
    head = f"== {rep.file}: {status}"
    if rep.readable:
        sub = rep.summary or ReportSummary.of(rep.submission)
        filled = ", ".join(ROMAN[q] for q in sub.filled_quarters)
        filled = f"terisi TW {filled}" if filled else "belum terisi"
        head += (f" ({sub.opd_name} {sub.year}; {filled}; "
                 f"{e} galat, {w} peringatan, {i} info)")
    lines.append(head)
    if rejected:
        lines.append(f"  Berkas tidak dapat diterima dan tidak dihitung dalam rekap; {rejected}.")
    groups: dict[str, list[Finding]] = {}
    for f in rep.sorted_findings():
        groups.setdefault(f.sheet or "", []).append(f)
    order = sorted(groups, key=lambda s: (s != "", _sheet_order(s)))
    for sheet in order:
        lines.append(f"  [{sheet or 'berkas'}]")
        for f in groups[sheet]:
            where = f"{f.cell:<6}" if f.cell else "      "
            lines.append(f"    {where} {f.severity.label:<10} {f.code}")
            lines.append(f"           {f.message}")
    if not rep.findings:
        lines.append("  Tidak ada temuan.")
    lines.append("")
    return lines


def _sheet_order(sheet: str) -> int:
    order = ["", *QUARTER_SHEETS, "Rekap Tahunan", "Petunjuk", "_xlkinerja"]
    return order.index(sheet) if sheet in order else len(order)
