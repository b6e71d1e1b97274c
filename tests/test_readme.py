"""The README's and docs/' promises: the README's commands are the ones CI runs, the spec example
of docs/spec-format.md is valid, docs/master.md's columns are the master format."""

from __future__ import annotations

import re
from pathlib import Path

from xlkinerja.form.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SPEC_PAGE = (ROOT / "docs" / "spec-format.md").read_text(encoding="utf-8")
MASTER_PAGE = (ROOT / "docs" / "master.md").read_text(encoding="utf-8")


def block(name: str, text: str = README, where: str = "README") -> str:
    m = re.search(rf"<!-- {name}:start -->\s*```\w*\n(.*?)```\s*<!-- {name}:end -->", text, re.S)
    assert m, f"{where} has no {name} block"
    return m.group(1).strip()


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command:start" in script and "README.md" in script
    cmd = block("test-command")
    assert "libreoffice-calc" in cmd and "pytest" in cmd and ".[test]" in cmd
    assert "gnumeric" in cmd  # the Gnumeric recalculation test is part of the proof, as LibreOffice's


def test_the_default_install_has_what_the_buttons_need():
    """`pip install .` (the demo command) installs xlwings and pyOpenVBA, pinned as the `button`
    extra and the tests pin them, so the demo writes both .xlsm (tests/test_xlsm.py)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    default = {re.split(r"[=<>]", d)[0].lower(): d for d in project["dependencies"]}
    assert default["xlwings"] == "xlwings==0.37.8"
    assert default["pyopenvba"].startswith("pyOpenVBA>=") and "<" in default["pyopenvba"]
    for extra in ("button", "test"):
        for dep in project["optional-dependencies"][extra]:
            name = re.split(r"[=<>]", dep)[0].lower()
            if name in ("xlwings", "pyopenvba"):
                assert dep == default[name], (extra, dep)
    assert ".xlsm" in README.split("<!-- demo-command:start -->")[0].split("## Try it")[1]


def test_demo_command_runs_the_demo():
    cmd = block("demo-command")
    assert "pip install ." in cmd and "xlkinerja demo --out" in cmd


def test_spec_example_in_docs_is_valid():
    spec = parse_spec(block("spec-example", SPEC_PAGE, "docs/spec-format.md"), "docs/spec-format.md")
    form = spec.form
    assert form.total_pagu == 350_000_000
    assert [r.id for r in form.leaves()] == ["4.01.01.2.01.0001", "evaluasi-kinerja"]
    assert [i.unit for _, i in form.indicators()] == ["nilai", "hari", "%"]


def test_docs_master_columns_are_the_master_format():
    from xlkinerja.form.masterformat import TABLES

    m = re.search(r"<!-- master-columns:start -->(.*?)<!-- master-columns:end -->", MASTER_PAGE,
                  re.S)
    assert m, "docs/master.md has no master-columns block"
    documented = {}
    sheet = None
    for line in m.group(1).splitlines():
        head = re.match(r"\*\*(\w+)\*\* \(`([\w.]+)`\)", line)
        if head:
            sheet = head.group(1)
            documented[sheet] = {"csv": head.group(2), "columns": []}
        row = re.match(r"\| ([^|]+?) \| (yes|no) \|", line)
        if row:
            documented[sheet]["columns"].append((row.group(1), row.group(2) == "yes"))
    assert documented == {t.sheet: {"csv": t.csv_name,
                                    "columns": [(c.header, c.required) for c in t.columns]}
                          for t in TABLES}


def test_readme_lists_the_master_commands():
    for command in ("xlkinerja generate --master MASTER.xlsx --out DIR",
                    "xlkinerja master-template -o master.xlsx", "--master FOLDER"):
        assert command in README


def test_every_subpackage_is_installed():
    """A non-editable install ships only the packages pyproject lists: every folder of the
    package with an __init__.py must be there (a missing one breaks `pip install .`)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "xlkinerja").rglob("__init__.py")}
    assert found <= listed, found - listed


def test_wheel_carries_the_templates_and_macros(tmp_path):
    """What `pip install .` installs: the package, its subpackages, the bundled templates and the
    VBA source (the README's first command runs the demo from exactly this)."""
    import subprocess
    import sys
    import zipfile

    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                           "-w", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("xlkinerja-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("xlkinerja/cli.py", "xlkinerja/consolidation/run.py",
                     "xlkinerja/workbook_templates/setda_kota_jambi_2024.yaml",
                     "xlkinerja/workbook_templates/setda_kota_jambi_2024.isian.yaml",
                     "xlkinerja/workbook_templates/setda_kota_jambi_2024.master.xlsx",
                     "xlkinerja/macros/xlkinerja.bas"):
        assert required in names, required
