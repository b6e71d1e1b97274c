"""Finding the workbooks to read: files as given, folders searched recursively."""

from __future__ import annotations

from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def discover(items: list[str | Path], exclude: list[Path] = ()) -> tuple[list[Path], list[str]]:
    """Files as given; folders searched recursively for .xlsx/.xlsm, skipping Excel's ~$ lock
    files, hidden temporary files, and anything at or under ``exclude`` (the recap being written,
    the ledger's archive). Returns (files, warnings in Bahasa Indonesia)."""
    excluded = [Path(p).resolve() for p in exclude]

    def skipped(p: Path) -> bool:
        rp = p.resolve()
        return any(rp == e or e in rp.parents for e in excluded)

    out: list[Path] = []
    warnings: list[str] = []
    seen: set[Path] = set()
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and p.suffix.lower() in WORKBOOK_SUFFIXES
                           and not p.name.startswith(("~$", "."))
                           and not skipped(p))
            if not found:
                warnings.append(f"folder {path} tidak berisi berkas .xlsx/.xlsm")
            candidates = found
        else:
            candidates = [path]
        for p in candidates:
            key = p.resolve() if p.exists() else p
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out, warnings
