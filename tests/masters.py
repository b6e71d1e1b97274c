"""Synthetic masters with their truth, and generated workbooks read back through the layout.

The truth is kept by the test, not derived from xlkinerja: each line knows its name, level,
resolved code and the pagu the form must show (own for a sub kegiatan, the sum of its subs for
a parent, computed here).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from xlkinerja.workbook.layout import (QUARTER_SHEETS, SHEET_META, SHEET_REKAP, MetaLayout, Q, R,
                              WorkbookLayout)
from xlkinerja.form.masterformat import TABLES
from xlkinerja.form.model import Form
from xlkinerja.base.numbers import format_decimal, format_number

NIPS = ["196611071985121001", "197203151998032002", "198001012005011003",
        "197512302000122001", "198508172010011002", "196909091990031004"]


@dataclass
class Line:
    level: str  # "Program" | "Kegiatan" | "Sub Kegiatan"
    name: str
    code: str | None = None  # resolved (X.XX replaced)
    own: int | None = None  # sub kegiatan only
    children: list["Line"] = field(default_factory=list)

    @property
    def pagu(self) -> int:
        return self.own if self.level == "Sub Kegiatan" else sum(c.pagu for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class Indicator:
    sasaran: str
    text: str
    target: float
    unit: str
    polarity: str = "naik"
    target_high: float | None = None


@dataclass
class OpdTruth:
    code: str
    name: str
    year: int
    programs: list[Line]
    indicators: list[Indicator]

    def lines(self) -> list[Line]:
        return [line for p in self.programs for line in p.walk()]

    @property
    def file_stem_start(self) -> str:
        return f"{self.year}_{self.code}_"


WORDS = ["Penyediaan", "Pengelolaan", "Koordinasi", "Fasilitasi", "Pembinaan", "Peningkatan",
         "Evaluasi", "Penyusunan", "Pengembangan", "Pelaksanaan"]
THINGS = ["Administrasi Perkantoran", "Sarana Pendidikan", "Pelayanan Kesehatan", "Data Statistik",
          "Kerja Sama Daerah", "Jasa Kantor", "Barang Milik Daerah", "Sumber Daya Manusia",
          "Dokumen Perencanaan", "Pengadaan Barang dan Jasa", "Informasi Publik", "Produk Hukum"]

# (code, name, style): how each OPD writes its lines in the master
OPD_STYLES = [
    ("4.01", "Sekretariat Daerah Kota Contoh", "codes"),  # full codes, X.XX support program
    ("1.01", "Dinas Pendidikan Kota Contoh", "levels"),  # levels only, repeated names
    ("1.02", "Dinas Kesehatan Kota Contoh", "codes-no-level"),  # Level blank: read from codes
    ("2.07", "Dinas Penanaman Modal dan PTSP Kota Contoh", "text-pagu"),  # "1.234.567" as text
    ("3.25", "Dinas Perikanan Kota Contoh", "split"),  # lines in two separate blocks
    ("7.01", "Kecamatan Kota Baru", "levels-big"),
]


def synthetic(seed: int = 2024) -> tuple[dict, dict[str, OpdTruth]]:
    """A master of several OPD (a few hundred lines) and the truth of each OPD."""
    rnd = random.Random(seed)
    rows = {t.key: [] for t in TABLES}
    truth: dict[str, OpdTruth] = {}
    later: list[dict] = []  # the second block of the "split" OPD goes after everyone else
    for n, (code, name, style) in enumerate(OPD_STYLES):
        year = 2025 if n % 2 else 2024
        rows["opd"].append({"kode_opd": code, "nama_opd": name, "tahun": year,
                            "jabatan": f"KEPALA {name.upper()}", "nama_ttd": f"Pejabat {n + 1}, S.E.",
                            "pangkat": "Pembina Tingkat I", "nip": NIPS[n],
                            "kata_sandi": "rahasia" if n == 0 else None})
        n_prog = {"levels-big": 5}.get(style, 3)
        programs = []
        for p in range(n_prog):
            support = style == "codes" and p == 0
            pnum = p + 1 if style.startswith("codes") else None
            prog = Line("Program", "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota"
                        if support else f"Program {rnd.choice(WORDS)} {THINGS[p % len(THINGS)]}",
                        code=f"{code}.{pnum:02d}" if pnum else None)
            for k in range(rnd.randint(2, 4)):
                keg = Line("Kegiatan", f"Kegiatan {rnd.choice(WORDS)} {rnd.choice(THINGS)}",
                           code=f"{prog.code}.2.{k + 1:02d}" if prog.code else None)
                for s in range(rnd.randint(2, 6 if style != "levels-big" else 7)):
                    sub_name = ("Penyediaan Jasa Kantor" if style.startswith("levels") and s == 0
                                else f"{rnd.choice(WORDS)} {rnd.choice(THINGS)} {k + 1}.{s + 1}")
                    keg.children.append(Line(
                        "Sub Kegiatan", sub_name,
                        code=f"{keg.code}.{s + 1:04d}" if keg.code else None,
                        own=rnd.randrange(0, 5_000_000_000, 1000) if s else rnd.randrange(1, 99) * 10**6))
                prog.children.append(keg)
            programs.append(prog)

        moved = {id(x) for x in programs[-1].walk()} if style == "split" else set()
        for line in (x for prog in programs for x in prog.walk()):
            row = {"kode_opd": code, "nama_opd": name, "uraian": line.name, "level": line.level}
            if line.code:
                support = style == "codes" and line.code.startswith(f"{code}.01")
                row["kode"] = "X.XX" + line.code[len(code):] if support else line.code
                if style == "codes-no-level":
                    row["level"] = None
            if line.level == "Sub Kegiatan":
                row["pagu"] = (format_decimal(line.own) if style == "text-pagu" and line.own % 3
                               else f"Rp {format_decimal(line.own)},00" if style == "text-pagu"
                               else line.own)
            elif style in ("codes", "split") or (style == "text-pagu" and line.level == "Program"):
                row["pagu"] = line.pagu  # a parent's pagu, stated: checked against its subs
            (later if id(line) in moved else rows["anggaran"]).append(row)

        indicators = [
            Indicator(f"Meningkatkan kinerja {name}", "Nilai SAKIP", 70 + n, "nilai"),
            Indicator(f"Meningkatkan kinerja {name}", "Persentase dokumen tepat waktu", 90, "%"),
            Indicator(f"Meningkatkan pelayanan {name}", "Rata-rata hari layanan", 5, "hari",
                      polarity="turun"),
            Indicator(f"Meningkatkan pelayanan {name}", "Indeks kepuasan", 3.5, "indeks",
                      polarity="rentang", target_high=4.25),
        ]
        for i, ind in enumerate(indicators):
            rows["indikator"].append({
                "kode_opd": code, "nama_opd": name,
                "sasaran": ind.sasaran if i % 2 == 0 else None,  # blank: same as the row above
                "indikator": ind.text, "target": ind.target, "target_atas": ind.target_high,
                "satuan": ind.unit, "cara_pengukuran": f"Pengukuran {ind.text.lower()}",
                "polaritas": ind.polarity, "frekuensi": "tahunan" if i == 0 else "triwulanan"})
        truth[code] = OpdTruth(code, name, year, programs, indicators)
    rows["anggaran"].extend(later)
    return rows, truth


# -- reading a generated workbook back -----------------------------------------------------------

@dataclass
class ReadBack:
    form: Form
    layout: WorkbookLayout
    sheets: dict[str, list[list]]


def read_back(path: Path) -> ReadBack:
    """Cell values (calamine) of every sheet, and the layout of the form the workbook carries."""
    wb = CalamineWorkbook.from_path(str(path))
    sheets = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
              for name in wb.sheet_names}
    meta, M = sheets[SHEET_META], MetaLayout()
    chunks = int(meta[M.key_row("model_chunks")][1])
    text = "".join(meta[M.chunk_start + i][M.chunk_col] for i in range(chunks))
    form = Form.from_dict(json.loads(text))
    return ReadBack(form, WorkbookLayout(form), sheets)


def check_against_truth(rb: ReadBack, truth: OpdTruth) -> int:
    """Assert every budget line and indicator of the workbook against the truth; returns the
    number of pagu cells compared."""
    form, L = rb.form, rb.layout
    assert (form.opd_code, form.opd_name, form.year) == (truth.code, truth.name, truth.year)
    lines = truth.lines()
    rows = form.budget_rows()
    assert len(rows) == len(lines)
    assert len({r.id for r in rows}) == len(rows)  # ids unique, even for repeated names
    compared = 0
    for line, row in zip(lines, rows):
        if line.code:
            assert row.id == line.code
        for name in QUARTER_SHEETS:
            grid = rb.sheets[name]
            r = L.quarter.budget_rows[row.id]
            assert grid[r][Q.ROW_ID] == row.id  # the hidden id column
            assert grid[r][Q.URAIAN] == line.name
            assert grid[r][Q.PAGU] == line.pagu, (name, line.name)
            compared += 1
        grid = rb.sheets[SHEET_REKAP]
        r = L.rekap.budget_rows[row.id]
        assert (grid[r][R.ID], grid[r][R.KODE], grid[r][R.LEVEL]) == \
            (row.id, line.code or "", line.level)
        assert grid[r][R.PAGU] == line.pagu
        compared += 1
    total = sum(p.pagu for p in truth.programs)
    for name in QUARTER_SHEETS:
        assert rb.sheets[name][L.quarter.total_row][Q.PAGU] == total
    assert rb.sheets[SHEET_REKAP][L.rekap.budget_total_row][R.PAGU] == total

    indicators = form.indicators()
    assert len(indicators) == len(truth.indicators)
    for want, (sasaran, ind) in zip(truth.indicators, indicators):
        assert (sasaran.text, ind.text, ind.unit) == (want.sasaran, want.text, want.unit)
        grid = rb.sheets[QUARTER_SHEETS[0]]
        r = L.quarter.indicator_rows[ind.id]
        assert grid[r][Q.IND_ID] == ind.id and grid[r][Q.INDIKATOR] == want.text
        if want.target_high is None:
            scale = 100 if want.unit == "%" else 1
            assert grid[r][Q.TARGET] == want.target / scale
        else:
            assert grid[r][Q.TARGET] == f"{format_number(want.target)} – " \
                                        f"{format_number(want.target_high)}"
    return compared
