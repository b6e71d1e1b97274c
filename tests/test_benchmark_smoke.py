"""The benchmark (benchmarks/bench.py) runs end to end at N=4, so that it cannot rot.

It is not a timing test: it checks that the script completes, that its corpus is what the real
generator and a person filling the form would produce (the script verifies that itself), and that
it reports every step. The real runs are described in BENCHMARKS.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_runs_at_n4(tmp_path):
    out = tmp_path / "hasil.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--n", "4",
                           "--work", str(tmp_path / "kerja"), "--verify-corpus", "4",
                           "--gen-repeat", "1", "--repeat", "1", "--json", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    steps = {r["step"] for r in report["rows"]}
    assert steps == {"validate --cepat", "validate (rumus)", "consolidate", "consolidate (ulang)",
                     "bare calamine", "naive pandas"}
    assert all(r["ms_per_file"] > 0 and r["peak_rss_total"] > 0 for r in report["rows"])
    checks = " ".join(report["checks"])
    assert "4 files equal, cell for cell, the generator's own filled workbook" in checks
    assert "no FILE/IDENTITY/INTEGRITY/INTERNAL finding" in checks
    assert "equal the entries typed in" in checks
    assert set(report["ratios"]["4"]) >= {"naive_over_consolidate_wall", "consolidate_over_bare_wall"}
    assert "| consolidate |" in proc.stdout and "## Summary" in proc.stdout
    assert not (tmp_path / "kerja" / "n4").exists()  # outputs removed unless --keep
