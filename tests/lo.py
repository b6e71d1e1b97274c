"""Headless LibreOffice helpers: recalculate xlsx formulas, export PDF, rasterise PDF.

xlsxwriter stores 0 as the cached result of every formula, and LibreOffice 7.x
does not recalculate OOXML on load by default.  We therefore run soffice with a
throw-away user profile whose registrymodifications.xcu sets
/org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode = 0 ("always").
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

__all__ = [
    "SofficeError", "find_soffice", "recalculate", "to_pdf", "pdf_to_png",
    "RECALC_XCU",
]

# 0 = always recalculate, 1 = never, 2 = prompt (headless: treated as never)
RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
PDF_FILTER = "pdf:calc_pdf_Export"
_INPUT_SUFFIXES = {".xlsx", ".xlsm"}


class SofficeError(RuntimeError):
    """soffice missing, timed out, or did not produce the expected output."""


def find_soffice() -> str | None:
    """Return the path of a LibreOffice ``soffice`` executable, or None."""
    env = os.environ.get("XLKINERJA_SOFFICE") or os.environ.get("SOFFICE")
    if env and Path(env).is_file():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = [
        "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
        "/snap/bin/libreoffice",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    ]
    candidates += sorted(str(p) for p in Path("/opt").glob("libreoffice*/program/soffice"))
    for c in candidates:
        if Path(c).is_file():
            return c
    return None


def _write_profile(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")


def _run_soffice(paths: Sequence[Path], outdir: Path, convert_to: str,
                 out_suffix: str, timeout: float, soffice: str | None) -> list[Path]:
    exe = soffice or find_soffice()
    if not exe:
        raise SofficeError("LibreOffice (soffice) not found; install libreoffice-calc "
                           "or set XLKINERJA_SOFFICE")
    paths = [Path(p).resolve() for p in paths]
    if not paths:
        return []
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(p)
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)

    outputs = [outdir / (p.stem + out_suffix) for p in paths]
    if len(set(outputs)) != len(outputs):
        raise ValueError("input files share a basename; outputs would collide: "
                         + ", ".join(str(p) for p in paths))
    clash = [p for p, o in zip(paths, outputs) if p == o]
    if clash:
        raise ValueError(f"outdir must differ from the input directory (would overwrite "
                         f"{clash[0]})")
    for o in outputs:  # make the existence check meaningful
        if o.exists():
            o.unlink()

    profile = Path(tempfile.mkdtemp(prefix="xlkinerja-lo-profile-"))
    try:
        _write_profile(profile)
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}",
               "--headless", "--invisible", "--norestore", "--nologo",
               "--nodefault", "--nolockcheck",
               "--convert-to", convert_to, "--outdir", str(outdir),
               *[str(p) for p in paths]]
        env = dict(os.environ)
        env.setdefault("SAL_USE_VCLPLUGIN", "svp")  # no X display needed
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env,
                                start_new_session=(os.name == "posix"))
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            out, err = proc.communicate()
            raise SofficeError(
                f"soffice timed out after {timeout:g}s converting {len(paths)} file(s)\n"
                f"command: {cmd}\nstdout: {_dec(out)}\nstderr: {_dec(err)}") from None
        missing = [o for o in outputs if not o.is_file() or o.stat().st_size == 0]
        if missing:
            raise SofficeError(
                f"soffice (exit {proc.returncode}) did not produce: "
                + ", ".join(str(m) for m in missing)
                + f"\ncommand: {cmd}\nstdout: {_dec(out)}\nstderr: {_dec(err)}")
        return outputs
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _kill_tree(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)  # oosplash + soffice.bin
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _dec(b: bytes | None) -> str:
    return (b or b"").decode("utf-8", "replace").strip()


def recalculate(paths: Iterable[Path], outdir: Path, timeout: float = 180,
                soffice: str | None = None) -> list[Path]:
    """Open each .xlsx/.xlsm in one headless soffice run, recalculate all formulas,
    and save as ``outdir/<stem>.xlsx`` (macros of .xlsm are dropped).
    Returns the output paths in input order.  Raises SofficeError."""
    paths = [Path(p) for p in paths]
    bad = [p for p in paths if p.suffix.lower() not in _INPUT_SUFFIXES]
    if bad:
        raise ValueError(f"not an xlsx/xlsm file: {bad[0]}")
    return _run_soffice(paths, outdir, XLSX_FILTER, ".xlsx", timeout, soffice)


def to_pdf(paths: Iterable[Path], outdir: Path, timeout: float = 180,
           soffice: str | None = None) -> list[Path]:
    """Export each workbook (all sheets, its own print settings) to ``outdir/<stem>.pdf``,
    recalculating formulas on load."""
    return _run_soffice([Path(p) for p in paths], outdir, PDF_FILTER, ".pdf", timeout, soffice)


def pdf_to_png(pdf: Path, outprefix: Path, dpi: int = 100, timeout: float = 120) -> list[Path]:
    """Render every page of *pdf* to ``<outprefix>-<n>.png``; returns the pages in order."""
    exe = shutil.which("pdftoppm")
    if not exe:
        raise SofficeError("pdftoppm not found (install poppler-utils)")
    outprefix = Path(outprefix)
    outprefix.parent.mkdir(parents=True, exist_ok=True)
    pat = re.compile(re.escape(outprefix.name) + r"-(\d+)\.png$")

    def pages() -> list[Path]:
        found = [(int(m.group(1)), p) for p in outprefix.parent.iterdir()
                 if (m := pat.match(p.name))]
        return [p for _, p in sorted(found)]

    for old in pages():
        old.unlink()
    r = subprocess.run([exe, "-png", "-r", str(dpi), str(pdf), str(outprefix)],
                       capture_output=True, timeout=timeout)
    result = pages()
    if r.returncode != 0 or not result:
        raise SofficeError(f"pdftoppm failed (exit {r.returncode}): {_dec(r.stderr)}")
    return result
