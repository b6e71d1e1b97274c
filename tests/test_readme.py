"""The README's promises: its commands are the ones CI runs, its spec example is valid."""

from __future__ import annotations

import re
from pathlib import Path

from xlkinerja.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(name: str) -> str:
    m = re.search(rf"<!-- {name}:start -->\s*```\w*\n(.*?)```\s*<!-- {name}:end -->", README, re.S)
    assert m, f"README has no {name} block"
    return m.group(1).strip()


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command:start" in script and "README.md" in script
    cmd = block("test-command")
    assert "libreoffice-calc" in cmd and "pytest" in cmd and ".[test]" in cmd


def test_demo_command_runs_the_demo():
    cmd = block("demo-command")
    assert "pip install ." in cmd and "xlkinerja demo --out" in cmd


def test_spec_example_in_readme_is_valid():
    spec = parse_spec(block("spec-example"), "README.md")
    form = spec.form
    assert form.total_pagu == 350_000_000
    assert [r.id for r in form.leaves()] == ["4.01.01.2.01.0001", "evaluasi-kinerja"]
    assert [i.unit for _, i in form.indicators()] == ["nilai", "hari", "%"]
