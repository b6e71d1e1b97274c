"""Consolidation when xlkinerja itself fails on a file: one finding, the others consolidated.

A bug while reading a file, or a reading process that dies (killed for memory, a crash in a native
library), rejects that file with one INTERNAL_ERROR finding; it is not stored in the ledger, so the
next run reads it again.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from xlkinerja.consolidation import ConsolidateOptions, consolidate
from xlkinerja.consolidation import run as run_module
from xlkinerja.base.parallel import ordered_map
from xlkinerja.testing import synthetic_entries, synthetic_form
from xlkinerja.workbook.writer import write_workbook


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("masuk")
    out = []
    for i in range(1, 10):
        form = synthetic_form(i, programs=1, kegiatan=2, subs=2, indicators=2)
        out.append(write_workbook(form, d / f"{form.opd_code}.xlsx", entries=synthetic_entries(form)))
    return out


def test_a_bug_on_one_file_rejects_it_alone_and_the_next_run_reads_it_again(files, tmp_path, monkeypatch):
    real = run_module.read_file
    bad = files[1]

    def buggy(path, options, sha=None):
        if Path(path) == bad:
            raise KeyError("uji")
        return real(path, options, sha)

    monkeypatch.setattr(run_module, "read_file", buggy)
    options = ConsolidateOptions(output=tmp_path / "rekap.xlsx", jobs=1)
    summary = consolidate(files[:3], options)
    assert summary.statuses == {"diterima": 2, "ditolak": 1}
    db = sqlite3.connect(options.ledger_path)
    status = dict(db.execute("SELECT name, status FROM sightings"))
    assert status[bad.name] == "ditolak"
    assert db.execute("SELECT COUNT(*) FROM contents").fetchone()[0] == 2  # not stored
    db.close()
    monkeypatch.setattr(run_module, "read_file", real)
    again = consolidate(files[:3], options)
    assert (again.n_read, again.n_reused) == (1, 2)
    assert again.statuses == {"diterima": 3}


def _read_or_die(args):
    if Path(args[0]).name == "9.004.xlsx":
        os._exit(9)
    return run_module._read_one(args)


def test_a_reading_process_that_dies_is_one_finding(files):
    """What _read_all does, with a worker that dies on one file."""
    args = [(str(p), "", False, 0.75) for p in files]
    results = list(ordered_map(_read_or_die, args, jobs=2, on_crash=run_module._crashed))
    assert [r.name for r in results] == [p.name for p in files]
    dead = [r for r in results if r.name == "9.004.xlsx"]
    assert len(dead) == 1 and dead[0].transient and not dead[0].readable
    assert [f["code"] for f in dead[0].findings] == ["INTERNAL_ERROR"]
    assert "berhenti mendadak" in dead[0].findings[0]["message"]
    assert all(r.readable and not r.transient and r.entries_blob for r in results if r is not dead[0])
