"""Validation of many files on every core: the same reports in the same order as one by one, a
worker that dies is one finding for its file, and the streamed output is the same text."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlkinerja.validation import rules as validate
from xlkinerja.findings import Finding, Severity
from xlkinerja.base.parallel import MIN_PARALLEL, ordered_map
from xlkinerja.validation.rules import FileReport, ValidationOptions, validate_files


# -- ordered_map ----------------------------------------------------------------------------------

def _square_slowly_first(x: int) -> int:
    if x == 0:
        import time

        time.sleep(0.5)  # the first item finishes last
    return x * x


def _die_on_seven(x: int) -> int:
    if x == 7:
        os._exit(3)  # the worker process dies, as when the system kills it for memory
    return x + 100


def _crash_result(x: int, exc: BaseException) -> str:
    return f"crash {x}: {type(exc).__name__}"


def test_ordered_map_keeps_input_order():
    items = list(range(40))
    assert list(ordered_map(_square_slowly_first, items, jobs=2)) == [x * x for x in items]


def test_a_worker_that_dies_costs_its_item_only():
    items = list(range(30))
    got = list(ordered_map(_die_on_seven, items, jobs=2, on_crash=_crash_result))
    assert got == [("crash 7: BrokenProcessPool" if x == 7 else x + 100) for x in items]


def test_without_crash_handler_the_crash_propagates():
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        list(ordered_map(_die_on_seven, list(range(12)), jobs=2))


def _die_on_zero(x: int) -> int:
    if x == 0:
        os._exit(3)
    return x + 100


class _BreaksWhileRefilling:
    """A real process pool (the first one made) whose second submit waits until the worker
    that ran the first item has died: the pool breaks while the window refills, as it does
    now and then when a worker dies early, made certain."""

    made = 0

    def __new__(cls, *args, **kwargs):
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(*args, **kwargs)
        cls.made += 1
        if cls.made == 1:
            submit, calls = pool.submit, []

            def slow_submit(fn, *a, **kw):
                calls.append(a)
                if len(calls) == 2:
                    import time

                    for _ in range(600):  # the dead worker is noticed within milliseconds
                        if pool._broken:
                            break
                        time.sleep(0.05)
                    assert pool._broken, "the worker did not die"
                return submit(fn, *a, **kw)

            pool.submit = slow_submit
        return pool


@pytest.mark.parametrize("crash_handler", [True, False])
def test_a_pool_that_breaks_while_the_window_refills(monkeypatch, crash_handler):
    from concurrent.futures.process import BrokenProcessPool

    from xlkinerja.base import parallel

    monkeypatch.setattr(_BreaksWhileRefilling, "made", 0)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", _BreaksWhileRefilling)
    items = list(range(20))
    if crash_handler:
        got = list(ordered_map(_die_on_zero, items, jobs=2, on_crash=_crash_result))
        assert got == [("crash 0: BrokenProcessPool" if x == 0 else x + 100) for x in items]
        assert _BreaksWhileRefilling.made >= 3  # the broken pool, one alone for 0 and 1, a new pool
    else:
        with pytest.raises(BrokenProcessPool):
            list(ordered_map(_die_on_zero, items, jobs=2))


def test_few_items_run_in_this_process():
    assert list(ordered_map(os.getpid().__add__, [0] * (MIN_PARALLEL - 1), jobs=2)) == \
        [os.getpid()] * (MIN_PARALLEL - 1)


# -- validate_files ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mixed(tmp_path_factory, filled_xlsx, blank_xlsx) -> list[Path]:
    """Good, blank and broken files, shuffled: more than enough to go parallel."""
    d = tmp_path_factory.mktemp("campur")
    files = []
    for i in range(5):
        files.append(Path(shutil.copyfile(filled_xlsx, d / f"terisi_{i}.xlsx")))
        files.append(Path(shutil.copyfile(blank_xlsx, d / f"kosong_{i}.xlsx")))
    (d / "nol.xlsx").write_bytes(b"")
    (d / "potong.xlsx").write_bytes(filled_xlsx.read_bytes()[:20000])
    (d / "teks.xlsx").write_bytes(b"kode;pagu\n1;2\n")
    files += [d / "nol.xlsx", d / "potong.xlsx", d / "teks.xlsx", d / "tidak_ada.xlsx"]
    random.Random(7).shuffle(files)
    return files


def _plain(reports: list[FileReport]) -> list[tuple]:
    return [(r.file, r.readable, r.summary, [f.to_dict() for f in r.sorted_findings()])
            for r in reports]


@pytest.mark.parametrize("check_formulas", [False, True])
def test_parallel_reports_equal_one_by_one_in_order(mixed, check_formulas):
    options = ValidationOptions(check_formulas=check_formulas)
    one = [validate.validate_file(p, options) for p in mixed]
    for r in one:
        r.submission = None
    parallel = list(validate_files(mixed, options, jobs=2))
    assert [r.file for r in parallel] == [p.name for p in mixed]
    assert _plain(parallel) == _plain(one)
    assert _plain(list(validate_files(mixed, options, jobs=1))) == _plain(one)
    assert all(r.submission is None for r in parallel)  # memory stays flat
    assert sum(r.readable for r in parallel) == 10


def _validate_or_die(item):
    if Path(item[0]).name == "potong.xlsx":
        os._exit(9)
    return validate._validate_one(item)


def test_a_crash_while_validating_is_one_finding_for_that_file(mixed):
    """What validate_files does, with a worker that dies on one file."""
    options = ValidationOptions(check_formulas=False)
    items = [(str(p), options) for p in mixed]
    reports = list(ordered_map(_validate_or_die, items, jobs=2, on_crash=validate._crashed))
    assert [r.file for r in reports] == [p.name for p in mixed]
    expected = _plain(list(validate_files(mixed, options, jobs=1)))
    for got, want in zip(_plain(reports), expected):
        if got[0] == "potong.xlsx":
            assert not got[1]
            assert [(f["code"], f["severity"]) for f in got[3]] == [("INTERNAL_ERROR", "error")]
            assert "berhenti mendadak" in got[3][0]["message"]
        else:
            assert got == want


def test_a_bug_while_validating_is_one_finding(monkeypatch, tmp_path):
    def boom(path, options=None):
        raise ZeroDivisionError("uji")

    monkeypatch.setattr(validate, "validate_file", boom)
    reports = list(validate_files([tmp_path / "a.xlsx"], jobs=1))
    assert [f.code for f in reports[0].findings] == ["INTERNAL_ERROR"]
    assert "ZeroDivisionError: uji" in reports[0].findings[0].message


def test_cli_streams_the_same_text_and_json(mixed):
    from xlkinerja.validation.rules import format_text, to_json

    options = ValidationOptions(check_formulas=False)
    reports = list(validate_files(mixed, options, jobs=1))
    for extra, expected in (([], format_text(reports)), (["--json"], to_json(reports))):
        for jobs in ("1", "2"):
            proc = subprocess.run([sys.executable, "-m", "xlkinerja", "validate", "--cepat",
                                   "--jobs", jobs, *extra, *map(str, mixed)],
                                  capture_output=True, text=True, timeout=600)
            assert proc.returncode == 1, proc.stderr
            assert proc.stdout == expected + "\n"
            assert "Traceback" not in proc.stderr


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.lists(st.lists(st.builds(
    Finding, file=_text, severity=st.sampled_from(list(Severity)), code=_text, message=_text,
    sheet=st.none() | _text, cell=st.none() | st.sampled_from(["A1", "K12", "AB300"]),
    ident=st.none() | _text, quarter=st.none() | st.integers(1, 4)), max_size=3), max_size=4))
@settings(max_examples=100, deadline=None)
def test_streamed_json_is_json_dumps(findings):
    reports = [FileReport(file=f"f{i}.xlsx", findings=fs) for i, fs in enumerate(findings)]
    rows = [f.to_dict() for r in reports for f in r.sorted_findings()]
    assert validate.to_json(reports) == json.dumps(rows, ensure_ascii=False, indent=2)
