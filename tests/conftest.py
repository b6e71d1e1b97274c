"""Shared fixtures: the seed example written by the generator, and LibreOffice.

Tests that need LibreOffice are marked ``libreoffice``. When soffice is missing they FAIL (they
are part of the product's proof, and CI installs LibreOffice); deselect them explicitly with
``-m "not libreoffice"`` on a machine without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lo
from xlkinerja.workbook.generate import seed_entries, seed_spec
from xlkinerja.workbook.writer import write_workbook

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def spec():
    return seed_spec()


@pytest.fixture(scope="session")
def form(spec):
    return spec.form


@pytest.fixture(scope="session")
def entries(form):
    return seed_entries(form)


@pytest.fixture(scope="session")
def printed():
    """Figures exactly as the seed's four forms print them."""
    return json.loads((DATA / "seed_printed_figures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def blank_xlsx(tmp_path_factory, form):
    return write_workbook(form, tmp_path_factory.mktemp("blank") / "kosong.xlsx")


@pytest.fixture(scope="session")
def filled_xlsx(tmp_path_factory, form, entries):
    return write_workbook(form, tmp_path_factory.mktemp("filled") / "terisi.xlsx", entries=entries)


@pytest.fixture
def xl(monkeypatch):
    """The openpyxl-backed xlwings engine (``xlwings_openpyxl.py``) registered and active in
    xlwings, no password in the environment; no mock caller left behind."""
    import xlwings_openpyxl as engine
    from xlkinerja.desk import buttons as button

    monkeypatch.delenv(button.PASSWORD_ENV, raising=False)
    with engine.registered():
        yield engine


@pytest.fixture(scope="session")
def soffice():
    exe = lo.find_soffice()
    if not exe:
        pytest.fail("LibreOffice (soffice) tidak ditemukan: pasang paket libreoffice-calc, atau "
                    "jalankan pytest -m 'not libreoffice' untuk melewati uji ini secara sadar.")
    return exe


@pytest.fixture(scope="session")
def recalculated_filled(tmp_path_factory, form, entries, soffice):
    """The filled example written WITHOUT cached results (every formula caches 0), then
    recalculated by LibreOffice: any right number in it was computed by the spreadsheet engine."""
    src = write_workbook(form, tmp_path_factory.mktemp("nocache") / "terisi_tanpa_cache.xlsx",
                         entries=entries, cached_results=False)
    out = tmp_path_factory.mktemp("recalc")
    return lo.recalculate([src], out, soffice=soffice)[0]
