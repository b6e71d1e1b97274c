"""The templates shipped with the package (``workbook_templates/`` in the source tree)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from importlib.resources import as_file, files
from pathlib import Path

SEED = "setda_kota_jambi_2024"


def template_text(name: str) -> str:
    """Text of a bundled file, e.g. ``setda_kota_jambi_2024.yaml``."""
    return files("xlkinerja.workbook_templates").joinpath(name).read_text(encoding="utf-8")


def template_path(name: str) -> AbstractContextManager[Path]:
    """A bundled binary file (e.g. the seed master) as a path on disk, for the ``with`` block."""
    return as_file(files("xlkinerja.workbook_templates").joinpath(name))


def seed_spec_text() -> str:
    return template_text(f"{SEED}.yaml")


def seed_fill_text() -> str:
    return template_text(f"{SEED}.isian.yaml")


def macro_text(name: str) -> str:
    return files("xlkinerja.macros").joinpath(name).read_text(encoding="utf-8")
