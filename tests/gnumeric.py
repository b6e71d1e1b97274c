"""Gnumeric's ssconvert as a second, independent spreadsheet engine for the tests.

``ssconvert --recalc IN.xlsx OUT.xlsx`` loads the workbook, recalculates every formula from
scratch (without --recalc it keeps the cached results) and writes what it computed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def find_ssconvert() -> str | None:
    return os.environ.get("XLKINERJA_SSCONVERT") or shutil.which("ssconvert")


def recalculate(src: Path, out: Path, timeout: float = 300) -> Path:
    exe = find_ssconvert()
    if not exe:
        raise RuntimeError("Gnumeric (ssconvert) not found: apt-get install gnumeric")
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(out.parent)}  # its settings go to a throw-away home
    proc = subprocess.run([exe, "--recalc", "--export-type=Gnumeric_Excel:xlsx2", str(src), str(out)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"ssconvert failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return out
