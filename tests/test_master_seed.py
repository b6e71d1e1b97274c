"""The bundled example as a master: shipped, reproducible, and generating the same workbook as
its YAML spec (the same Form, and the same cells in every sheet)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xlkinerja.base import bundled
from xlkinerja.workbook.generate import SEED_MASTER, write_seed_master
from xlkinerja.workbook.layout import SHEET_META, MetaLayout
from xlkinerja.form.master import read_master
from xlkinerja.workbook.writer import model_sha256

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbook_templates" / SEED_MASTER
REBUILD = ('python3 -c \'from xlkinerja.workbook.generate import write_seed_master; '
           f'write_seed_master("workbook_templates/{SEED_MASTER}")\'')


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, timeout=300)


def workbook_content(path: Path, skip: set[tuple[str, str]] = frozenset()) -> dict:
    """Everything a user sees or the reader uses, per sheet: values and formulas of every cell,
    merged ranges, comments, data validations, tables, frozen panes, column widths."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row
                 if c.value is not None and (ws.title, c.coordinate) not in skip}
        out[ws.title] = {
            "cells": cells,
            "formats": {c.coordinate: c.number_format for row in ws.iter_rows() for c in row
                        if c.value is not None},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "comments": {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row
                         if c.comment},
            "validations": sorted((str(v.sqref), v.type, v.formula1, v.prompt or "", v.error or "")
                                  for v in ws.data_validations.dataValidation),
            "tables": sorted((t.name, t.ref) for t in ws.tables.values()),
            "freeze": ws.freeze_panes,
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "state": ws.sheet_state,
        }
    return out


def test_shipped_seed_master_is_what_the_code_builds(tmp_path):
    rebuilt = write_seed_master(tmp_path / SEED_MASTER)
    assert SHIPPED.is_file(), f"missing {SHIPPED}; build it with: {REBUILD}"
    assert workbook_content(SHIPPED) == workbook_content(rebuilt), \
        f"{SHIPPED.name} is out of date; rebuild it with: {REBUILD}"


def test_seed_master_reads_to_the_seed_spec_form(spec):
    master = read_master([SHIPPED])
    assert master.readable and not master.problems and not master.notes
    (opd,) = master.opds
    assert not opd.problems
    assert opd.spec.form == spec.form
    assert opd.spec.password == spec.password
    assert (opd.budget_lines, opd.indicator_lines) == (40, 5)


def test_seed_master_keeps_the_official_codes_as_written():
    rows = openpyxl.load_workbook(SHIPPED)["Anggaran"]
    codes = [r[2] for r in rows.iter_rows(min_row=2, values_only=True) if r[2]]
    assert "X.XX.01" in codes and "X.XX.01.2.01.0001" in codes and "4.01.02" in codes


def test_generating_from_the_master_gives_the_spec_workbook(tmp_path):
    spec_file = tmp_path / "setda.yaml"
    spec_file.write_text(bundled.seed_spec_text(), encoding="utf-8")
    from_spec = tmp_path / "dari_spec.xlsx"
    proc = run("generate", str(spec_file), "-o", str(from_spec))
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "dari_master"
    proc = run("generate", "--master", str(SHIPPED), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    from_master = out / "2024_4.01_sekretariat-daerah-kota-jambi.xlsx"
    assert from_master.is_file()

    stamp = {(SHEET_META, f"B{MetaLayout().key_row('generated_at') + 1}")}  # the time of writing
    a, b = workbook_content(from_spec, stamp), workbook_content(from_master, stamp)
    assert a["sheets"] == b["sheets"]
    for sheet in a["sheets"]:
        assert a[sheet] == b[sheet], sheet
    assert sum(len(a[s]["cells"]) for s in a["sheets"]) > 1000
    formulas = [v for s in a["sheets"] for v in a[s]["cells"].values()
                if isinstance(v, str) and v.startswith("=")]
    assert len(formulas) > 300  # the comparison covers formulas, not only constants


def test_seed_as_indonesian_csv_gives_the_same_form(tmp_path, spec):
    spec_file = tmp_path / "setda.yaml"
    spec_file.write_text(bundled.seed_spec_text(), encoding="utf-8")
    folder = tmp_path / "master_csv"
    proc = run("master-template", "--from-spec", str(spec_file), "--csv", "-o", str(folder))
    assert proc.returncode == 0, proc.stderr
    raw = (folder / "anggaran.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel's "CSV UTF-8"
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "Kode OPD;Nama OPD;Kode;Uraian;Level;Pagu;ID"
    assert ";25.338.739.129;" in text  # Indonesian grouping
    assert ";2,7;" in (folder / "indikator.csv").read_text(encoding="utf-8-sig")
    master = read_master([folder])
    (opd,) = master.opds
    assert opd.spec is not None and opd.spec.form == spec.form
    assert model_sha256(opd.spec.form) == model_sha256(spec.form)


def test_master_from_several_specs(tmp_path):
    seed = tmp_path / "setda.yaml"
    seed.write_text(bundled.seed_spec_text(), encoding="utf-8")
    other = tmp_path / "bappeda.yaml"
    other.write_text(bundled.seed_spec_text().replace('code: "4.01"', 'code: "5.01"').replace(
        "name: Sekretariat Daerah Kota Jambi", "name: Bappeda Kota Jambi"), encoding="utf-8")
    master = tmp_path / "gabungan.xlsx"
    proc = run("master-template", "--from-spec", str(seed), str(other), "-o", str(master))
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "keluar"
    proc = run("generate", "--master", str(master), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "2024_4.01_sekretariat-daerah-kota-jambi.xlsx", "2024_5.01_bappeda-kota-jambi.xlsx"]
    proc = run("master-template", "--from-spec", str(seed), str(seed), "-o", str(master))
    assert proc.returncode == 1 and "OPD 4.01 sudah ada" in proc.stderr


@pytest.mark.parametrize("args,message", [
    (["--master", "m.xlsx"], "--out"),
    (["--master", "m.xlsx", "--out", "x", "-o", "a.xlsx"], "bukan -o"),
    (["s.yaml", "--master", "m.xlsx", "--out", "x"], "bukan keduanya"),
    ([], "sebutkan sumbernya"),
    (["s.yaml"], "-o"),
    (["s.yaml", "-o", "a.xlsx", "--out", "x"], "hanya untuk --master"),
    (["--master", "m.xlsx", "--out", "x", "--isian", "i.yaml"], "hanya untuk SPEC"),
])
def test_generate_says_which_form_of_the_command_to_use(tmp_path, args, message):
    proc = subprocess.run([sys.executable, "-m", "xlkinerja", "generate", *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and not list(tmp_path.iterdir())
