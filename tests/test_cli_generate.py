"""The command line, run as a user runs it: a separate process, exit codes, messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

from xlkinerja.base import bundled


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkinerja", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def _no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr


def test_generate_writes_the_workbook(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(bundled.seed_spec_text(), encoding="utf-8")
    out = tmp_path / "keluar" / "formulir.xlsx"
    proc = run("generate", str(spec), "-o", str(out), "--password", "rahasia")
    assert proc.returncode == 0, proc.stderr
    assert f"Ditulis: {out}" in proc.stdout and "71.845.569.394" in proc.stdout
    wb = openpyxl.load_workbook(out)
    assert wb["TW I"].protection.password
    assert not list(out.parent.glob(".*tmp"))  # no temporary file left behind


def test_generate_with_fill_data(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(bundled.seed_spec_text(), encoding="utf-8")
    fill = tmp_path / "isian.yaml"
    fill.write_text(bundled.seed_fill_text(), encoding="utf-8")
    out = tmp_path / "terisi.xlsx"
    proc = run("generate", str(spec), "-o", str(out), "--isian", str(fill))
    assert proc.returncode == 0, proc.stderr
    assert "terisi TW I, II, III, IV" in proc.stdout


def test_bad_spec_writes_nothing_and_says_where(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(bundled.seed_spec_text().replace("            pagu: 180_000_000",
                                                     "            pagu: banyak"), encoding="utf-8")
    out = tmp_path / "formulir.xlsx"
    proc = run("generate", str(spec), "-o", str(out))
    assert proc.returncode == 1
    _no_traceback(proc)
    assert str(spec) in proc.stderr and "baris" in proc.stderr and "pagu" in proc.stderr
    assert "Tidak ada berkas yang ditulis" in proc.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [spec]


def test_existing_output_survives_a_failed_run(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("opd: [", encoding="utf-8")
    out = tmp_path / "formulir.xlsx"
    out.write_bytes(b"previous")
    proc = run("generate", str(spec), "-o", str(out))
    assert proc.returncode == 1 and out.read_bytes() == b"previous"


def test_missing_spec_and_wrong_suffix(tmp_path):
    proc = run("generate", str(tmp_path / "tidak-ada.yaml"), "-o", str(tmp_path / "a.xlsx"))
    assert proc.returncode == 1 and "tidak dapat dibaca" in proc.stderr
    _no_traceback(proc)
    proc = run("generate", str(tmp_path / "x.yaml"), "-o", str(tmp_path / "a.pdf"))
    assert proc.returncode == 1 and ".xlsx" in proc.stderr


def test_demo_writes_blank_and_filled(tmp_path):
    out = tmp_path / "demo"
    proc = run("demo", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert "setda_kota_jambi_2024_formulir_kosong.xlsx" in names
    assert "setda_kota_jambi_2024_formulir_terisi.xlsx" in names
    for name in names:
        if name.endswith(".xlsx"):
            assert name in proc.stdout
