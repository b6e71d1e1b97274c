"""Every kind of workbook the product writes, made once per test session, for the checks that
must hold for all of them (schema, formulas, cached results): the blank and the filled formulir
(.xlsx), the filled formulir as .xlsm, the master, and the recap of a small city (.xlsx and
.xlsm, through the consolidation the desk runs)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from xlkinerja.consolidation import ConsolidateOptions, consolidate
from xlkinerja.testing import fill_like_a_person, synthetic_entries, synthetic_form
from xlkinerja.workbook.generate import seed_entries, seed_spec, write_seed_master
from xlkinerja.workbook.vba import xlsm_options
from xlkinerja.workbook.writer import write_workbook

KINDS = ("blank", "filled", "macro", "master", "recap", "recap_macro")


def small_city_inputs(root: Path, n_opd: int = 3) -> list[Path]:
    """Three synthetic OPD, every quarter filled through openpyxl as a person would."""
    out = []
    for i in range(1, n_opd + 1):
        form = synthetic_form(i, programs=2, kegiatan=2, subs=2, indicators=4)
        entries = synthetic_entries(form)
        blank = write_workbook(form, root / "kosong" / f"{form.opd_code}.xlsx")
        dst = root / "masuk" / f"{form.opd_code}_TW4.xlsx"
        dst.parent.mkdir(parents=True, exist_ok=True)
        out.append(fill_like_a_person(blank, dst, form, entries, [1, 2, 3, 4]))
    return out


def write_every_kind(root: Path) -> dict[str, Path]:
    spec = seed_spec()
    entries = seed_entries(spec.form)
    paths = {
        "blank": write_workbook(spec.form, root / "kosong.xlsx"),
        "filled": write_workbook(spec.form, root / "terisi.xlsx", entries=entries),
        "macro": write_workbook(spec.form, root / "terisi.xlsm", entries=entries, **xlsm_options()),
        "master": write_seed_master(root / "master.xlsx"),
    }
    inputs = small_city_inputs(root / "kota")
    for kind, name in (("recap", "rekap.xlsx"), ("recap_macro", "rekap.xlsm")):
        out = root / kind / name
        out.parent.mkdir(parents=True, exist_ok=True)
        consolidate(inputs, ConsolidateOptions(output=out, jobs=1, progress=False))
        paths[kind] = out
    return paths


_SHEET_PART = re.compile(r"xl/worksheets/sheet\d+\.xml$")
_CELL = re.compile(r"<c ([^>]*[^/])>(.*?)</c>", re.S)  # not <c .../>


def formula_cells(path: Path):
    """(part, attributes, formula, cached value) of every formula cell of every sheet."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not _SHEET_PART.match(name):
                continue
            xml = z.read(name).decode("utf-8")
            for attrs, body in _CELL.findall(xml):
                f = re.search(r"<f[^>]*>(.*?)</f>", body, re.S)
                if f is None:
                    continue
                v = re.search(r"<v>(.*?)</v>", body, re.S)
                yield name, attrs, f.group(1), v.group(1) if v else None
