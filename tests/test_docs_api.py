"""docs/api.md's examples run, in order, as the page says: in an empty folder where
``xlkinerja demo --out xlkinerja-demo`` was run first."""

from __future__ import annotations

import re
from pathlib import Path

from xlkinerja.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_api_page_has_examples():
    assert len(blocks()) >= 5
    text = DOC.read_text(encoding="utf-8")
    assert "xlkinerja demo --out xlkinerja-demo" in text


def test_api_examples_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--out", "xlkinerja-demo"]) == 0
    namespace: dict = {"__name__": "docs_api"}
    for i, code in enumerate(blocks(), start=1):
        try:
            exec(compile(code, f"docs/api.md example {i}", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - name the example that failed
            raise AssertionError(f"docs/api.md example {i} failed: {exc!r}\n{code}") from exc
    out = capsys.readouterr().out
    assert "setda_kota_jambi_2024_formulir_terisi.xlsx" in out
    assert Path("rekap/rekap.xlsx").is_file() and Path("formulir/4.01.xlsx").is_file()
