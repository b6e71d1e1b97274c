"""Benchmark: generation, validation and consolidation, from one city to the whole country.

    python benchmarks/bench.py                      # N = 40 and 1,000
    python benchmarks/bench.py --country            # also N = 10,000
    python benchmarks/bench.py --n 4 --work /tmp/b  # any N (the smoke test uses 4)

In one run it builds a corpus of OPD workbooks (~300 budget rows each) filled as a person would
(see corpus.py), then for each N measures, each step as its own process (what a user runs):

- ``validate``: ``xlkinerja validate --cepat --json`` over all N files (entries, identity, locked
  values, stored results); must report no FILE/IDENTITY/INTEGRITY/INTERNAL finding;
- ``validate+rumus``: ``xlkinerja validate`` with its default formula check (openpyxl), on all files
  or an even sample of ``--formulas-sample`` of them;
- ``consolidate``: ``xlkinerja consolidate DIR -o rekap.xlsx`` into a fresh ledger; the recap's
  totals must equal the entries typed in; then ``consolidate (ulang)``: the same command again,
  every file known to the ledger;
- ``bare calamine``: python-calamine reading the six sheets consolidation reads (``_xlkinerja``,
  ``TW I``-``TW IV``, ``Rekap Tahunan``) of every file, nothing else, in the same number of
  processes as consolidation;
- ``naive pandas``: ``pandas.read_excel(path, sheet_name=None)`` with pandas' default engine
  (openpyxl for .xlsx) over every sheet, summing the realisasi of the sub kegiatan rows of the four
  TW sheets, in a plain loop in one process; on every file up to ``--baseline-sample`` files, else
  on an even sample of that many (its cost per file does not depend on N: no state is shared
  between files; its totals are checked against the entries too);
- ``generate``: one 300-row formulir written by the real generator, median of 5, one process.

Per step: wall time, ms per file, files per second, CPU time per file (the step's processes
together), peak RSS of the largest process (exact, from the kernel's accounting) and of all its
processes together (sampled every 50 ms from /proc; Linux). Ratios compare steps of the same run.
Not part of the test suite (tests/test_benchmark_smoke.py runs it at N=4 so it cannot rot).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SHEETS = ("_xlkinerja", "TW I", "TW II", "TW III", "TW IV", "Rekap Tahunan")
POOL = 40
BYTES_PER_FILE = 170_000  # a filled 305-row formulir is ~160 KB


# -- measuring a step ---------------------------------------------------------------------------

def _tree_rss(root: int) -> dict[int, int]:
    """RSS in bytes of ``root`` and each of its descendants, from /proc (Linux)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read()
                parent[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, ppid in parent.items():
            if ppid == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    page = os.sysconf("SC_PAGE_SIZE")
    out = {}
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                out[pid] = int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return out


# A small process that runs the command and reports what the kernel counted for it and its
# descendants: the largest RSS any of them reached, and their CPU time. (Measured from here, the
# RSS would include this benchmark's own memory, copied into the child before exec.)
_WRAPPER = """
import json, resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as fh:
    json.dump({"rc": rc, "maxrss": u.ru_maxrss * 1024, "cpu": u.ru_utime + u.ru_stime}, fh)
"""


def measure(cmd: list[str], stdout: Path | None = None, env: dict | None = None) -> dict:
    """Run ``cmd``; wall and CPU time, peak RSS of its largest process and of all of them."""
    import tempfile

    out = open(stdout, "w") if stdout else subprocess.DEVNULL
    fd, usage_file = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _WRAPPER, usage_file, *map(str, cmd)],
                            stdout=out, stderr=subprocess.PIPE, env=env, text=True)
    peak = {"parent": 0, "total": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss = _tree_rss(proc.pid)
            rss.pop(proc.pid, None)  # the wrapper itself
            if rss:
                peak["total"] = max(peak["total"], sum(rss.values()))
                peak["parent"] = max(peak["parent"], min(rss.items())[1])  # the command: lowest pid
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if sys.platform.startswith("linux"):
        sampler.start()
    err = proc.stderr.read()
    proc.wait()
    wall = time.perf_counter() - started
    stop.set()
    if stdout:
        out.close()
    try:
        usage = json.loads(Path(usage_file).read_text())
    except (OSError, ValueError):
        usage = {"rc": proc.returncode or -1, "maxrss": 0, "cpu": 0.0}
    finally:
        os.unlink(usage_file)
    return {"cmd": cmd, "rc": usage["rc"], "wall": wall, "cpu": usage["cpu"],
            "maxrss_process": usage["maxrss"], "peak_rss_parent": peak["parent"],
            "peak_rss_total": max(peak["total"], usage["maxrss"]), "stderr": err[-2000:]}


def repeated(cmd: list[str], times: int, stdout: Path | None = None, prepare=None,
             ok: tuple[int, ...] = (0,), what: str = "") -> dict:
    """``measure`` ``times`` times (``prepare()`` before each); the run of median wall time, with
    every wall time and the load average before the first run."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    runs = []
    for _ in range(times):
        if prepare:
            prepare()
        m = measure(cmd, stdout)
        if m["rc"] not in ok:
            _check(m, what or " ".join(map(str, cmd)))
        runs.append(m)
    runs.sort(key=lambda m: m["wall"])
    median = dict(runs[len(runs) // 2])
    median["walls"] = [m["wall"] for m in runs]
    median["load"] = load
    return median


def _check(m: dict, what: str) -> dict:
    if m["rc"] not in (0,):
        raise SystemExit(f"{what} failed (exit {m['rc']}): {' '.join(map(str, m['cmd']))}\n{m['stderr']}")
    return m


def _py(*args) -> list[str]:
    return [sys.executable, *map(str, args)]


def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "xlkinerja", *map(str, args)]


# -- steps run in their own process ------------------------------------------------------------

def _read_bare(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    cells = 0
    for name in SHEETS:
        cells += sum(len(row) for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
    wb.close()
    return cells


def step_bare(folder: str, jobs: int) -> None:
    """python-calamine alone: the six sheets of every file, in ``jobs`` processes."""
    files = sorted(str(p) for p in Path(folder).glob("*.xlsx"))
    if jobs <= 1:
        cells = sum(map(_read_bare, files))
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as ex:
            cells = sum(ex.map(_read_bare, files, chunksize=8))
    print(json.dumps({"files": len(files), "cells": cells}))


def naive_total(path: str) -> list[float]:
    """The naive consolidation of one file: pandas over every sheet, default engine."""
    import pandas as pd

    sheets = pd.read_excel(path, sheet_name=None, header=None)
    out = []
    for name in ("TW I", "TW II", "TW III", "TW IV"):
        df = sheets[name]
        sub = df[8].astype(str).str.startswith("Sub Kegiatan")
        out.append(float(pd.to_numeric(df.loc[sub, 10], errors="coerce").sum()))
    return out


def step_naive(listing: str) -> None:
    import warnings

    warnings.simplefilter("ignore")  # pandas 3 announces calamine as its future default engine
    import pandas as pd

    files = Path(listing).read_text().split("\n")
    totals = {Path(p).name: naive_total(p) for p in files if p}
    print(json.dumps({"engine": pd.get_option("io.excel.xlsx.reader"), "totals": totals}))


def step_generate(repeat: int) -> None:
    import datetime as dt
    import tempfile

    import xlsxwriter

    from corpus import pool_form
    from xlkinerja.workbook.writer import write_workbook

    form = pool_form(0)
    rows = len(form.budget_rows())
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        write_workbook(form, Path(tmp) / "pemanasan.xlsx")  # imports, caches
        for i in range(repeat):
            started = time.perf_counter()
            write_workbook(form, Path(tmp) / f"f{i}.xlsx", generated_at=dt.datetime(2024, 1, 8))
            times.append(time.perf_counter() - started)
    print(json.dumps({"rows": rows, "times": times, "xlsxwriter": xlsxwriter.__version__}))


# -- the run ------------------------------------------------------------------------------------

def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "cores_usable": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity") else os.cpu_count()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    from importlib.metadata import version

    for pkg in ("xlkinerja", "XlsxWriter", "python-calamine", "openpyxl", "pandas"):
        try:
            info[pkg] = version(pkg)
        except Exception:  # noqa: BLE001
            info[pkg] = "?"
    try:
        info["commit"] = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return info


def even_sample(files: list[Path], k: int) -> list[Path]:
    if k >= len(files):
        return list(files)
    step = len(files) / k
    return [files[int(i * step)] for i in range(k)]


def link_folder(folder: Path, files: list[Path]) -> Path:
    """A folder holding exactly ``files`` (hard links: no copy)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for f in files:
        os.link(f, folder / f.name)
    return folder


def recap_totals(recap: Path) -> dict[str, dict]:
    from python_calamine import CalamineWorkbook

    from xlkinerja.consolidation.recap import RecapLayout as L

    rows = CalamineWorkbook.from_path(str(recap)).get_sheet_by_name("Ringkasan").to_python()
    out = {}
    for row in rows[L.first_row:]:
        if not row[L.KODE] or row[L.KODE] == "":
            break
        out[str(row[L.KODE])] = {"pagu": row[L.PAGU], "tw": [row[c] for c in L.TW], "status": row[L.STATUS]}
    return out


def verify_corpus(files: list[Path], pool: int, work: Path) -> list[str]:
    """The first files against the real generator's own filled workbook (every cell of every
    sheet, read with calamine) and against the blank template filled through openpyxl (same
    entries, same findings)."""
    import datetime as dt

    from python_calamine import CalamineWorkbook

    from corpus import file_entries, file_form
    from xlkinerja.testing import fill_like_a_person
    from xlkinerja.validation.rules import ValidationOptions, validate_file
    from xlkinerja.workbook.writer import write_workbook

    notes = []
    ref_dir = work / "verifikasi"
    ref_dir.mkdir(parents=True, exist_ok=True)
    for k, path in enumerate(files):
        form, entries = file_form(k, pool), None
        entries = file_entries(form)
        ref = write_workbook(form, ref_dir / f"generator_{k}.xlsx", entries=entries,
                             generated_at=dt.datetime(2024, 1, 8, 8, 0, 0))
        a, b = CalamineWorkbook.from_path(str(path)), CalamineWorkbook.from_path(str(ref))
        if a.sheet_names != b.sheet_names:
            raise SystemExit(f"{path.name}: sheets differ from the generator's")
        for sheet in a.sheet_names:
            if a.get_sheet_by_name(sheet).to_python(skip_empty_area=False) != \
                    b.get_sheet_by_name(sheet).to_python(skip_empty_area=False):
                raise SystemExit(f"{path.name}: sheet {sheet} differs from the generator's filled workbook")
        blank = write_workbook(form, ref_dir / f"kosong_{k}.xlsx")
        person = fill_like_a_person(blank, ref_dir / f"orang_{k}.xlsx", form, entries, [1, 2, 3, 4])
        for check_formulas in (False, True):
            options = ValidationOptions(check_formulas=check_formulas)
            ours, theirs = validate_file(path, options), validate_file(person, options)
            if ours.submission.entries() != theirs.submission.entries():
                raise SystemExit(f"{path.name}: entries differ from the same form filled through openpyxl")
            codes = sorted(f.code for f in ours.findings)
            if codes != sorted(f.code for f in theirs.findings):
                raise SystemExit(f"{path.name}: findings differ: {codes}")
        notes.append(path.name)
    return notes


def fmt_mib(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f}"


def row_of(name: str, n: int, m: dict, note: str = "") -> dict:
    return {"step": name, "n": n, "wall": m["wall"], "ms_per_file": m["wall"] / n * 1000,
            "files_per_s": n / m["wall"], "cpu_ms_per_file": m["cpu"] / n * 1000,
            "maxrss_process": m["maxrss_process"], "peak_rss_parent": m["peak_rss_parent"],
            "peak_rss_total": m["peak_rss_total"], "note": note, "walls": m.get("walls"),
            "load": m.get("load")}


def run(args) -> dict:
    work = Path(args.work).resolve()
    ns = sorted(set(args.n + ([10_000] if args.country else [])))
    biggest = max(ns)
    need = int(biggest * BYTES_PER_FILE * 2.3 + sum(ns) * BYTES_PER_FILE)  # corpus + archives
    work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(work).free
    if free < need:
        raise SystemExit(f"{work}: {free / 1e9:.1f} GB free, the run needs about {need / 1e9:.1f} GB")
    jobs = args.jobs
    report: dict = {"machine": machine(), "jobs": jobs, "ns": ns, "rows": [], "checks": [],
                    "ratios": {}, "command": " ".join(sys.argv)}
    say = print if not args.quiet else (lambda *a, **k: None)
    say(f"# xlkinerja benchmark: N = {', '.join(map(str, ns))}; jobs {jobs}; work {work}")
    say("machine: " + json.dumps(report["machine"]))

    # corpus: the pool with the real generator, then N files filled on the XML
    import corpus

    pool = min(POOL, biggest)
    pool_dir, all_dir = work / "pool", work / "corpus"
    started = time.perf_counter()
    if not (pool_dir / f"template_{pool - 1:03d}.xlsx").exists() or args.rebuild:
        gen_times = corpus.generate_pool(pool_dir, pool, jobs)
    else:
        gen_times = []
    t_pool = time.perf_counter() - started
    existing = sorted(all_dir.glob("*.xlsx")) if all_dir.exists() else []
    started = time.perf_counter()
    if len(existing) != biggest or args.rebuild:
        if all_dir.exists():
            shutil.rmtree(all_dir)
        corpus.build_corpus(all_dir, biggest, pool, pool_dir, jobs)
        built = True
    else:
        built = False
    t_fill = time.perf_counter() - started
    files = sorted(all_dir.glob("*.xlsx"))
    stats_file = work / "corpus.json"
    if gen_times:
        (work / "pool.json").write_text(json.dumps({"seconds": t_pool, "times": gen_times}))
    pool_stats = json.loads((work / "pool.json").read_text()) if (work / "pool.json").exists() else {}
    if built:
        stats_file.write_text(json.dumps({"files": biggest, "seconds": t_fill}))
    fill_stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    report["corpus"] = {"files": len(files), "pool": pool, "bytes": sum(f.stat().st_size for f in files),
                        "pool_seconds": pool_stats.get("seconds"),
                        "pool_generate_median": statistics.median(pool_stats["times"])
                        if pool_stats.get("times") else None,
                        "fill_seconds": fill_stats.get("seconds"), "reused": not built}
    c = report["corpus"]
    say(f"corpus ({'reused' if c['reused'] else 'built'}): pool of {pool} generated in "
        f"{c['pool_seconds'] or 0:.1f} s (median {c['pool_generate_median'] or 0:.2f} s per workbook, "
        f"{jobs} processes); {len(files)} files filled in {c['fill_seconds'] or 0:.1f} s "
        f"({(c['fill_seconds'] or 0) / max(1, len(files)) * 1000:.1f} ms/file), {c['bytes'] / 1e6:.0f} MB")
    if args.verify_corpus:
        verified = verify_corpus(files[:args.verify_corpus], pool, work)
        report["checks"].append(f"corpus: {len(verified)} files equal, cell for cell, the generator's "
                                "own filled workbook, and read like the same form filled via openpyxl")
        say(report["checks"][-1])

    # generation of one workbook
    m = _check(measure(_py(__file__, "_generate", args.gen_repeat), stdout=work / "generate.json"),
               "generate")
    gen = json.loads((work / "generate.json").read_text())
    report["generate"] = {**gen, "median": statistics.median(gen["times"]),
                          "maxrss_process": m["maxrss_process"]}
    say(f"generate: one {gen['rows']}-row formulir in {report['generate']['median'] * 1000:.0f} ms "
        f"(median of {len(gen['times'])}; {', '.join(f'{t * 1000:.0f}' for t in gen['times'])} ms)")

    from corpus import expected_totals

    for n in ns:
        sub = files[:n]
        folder = link_folder(work / f"n{n}" / "masuk", sub)
        out = work / f"n{n}" / "keluar"
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        expected = expected_totals(n, pool)
        rows = []
        times = args.repeat if n <= args.repeat_upto else 1

        m = repeated(_cli("validate", "--cepat", "--json", "--jobs", jobs, folder), times,
                     stdout=out / "validate.json", ok=(0, 1), what="validate")
        findings = json.loads((out / "validate.json").read_text())
        bad = [f for f in findings if f["code"].split("_")[0] in ("FILE", "IDENTITY", "INTEGRITY", "INTERNAL")]
        if bad:
            raise SystemExit(f"N={n}: the corpus has {len(bad)} FILE/IDENTITY/INTEGRITY findings, e.g. {bad[:3]}")
        codes: dict[str, int] = {}
        for f in findings:
            codes[f["code"]] = codes.get(f["code"], 0) + 1
        report["checks"].append(f"N={n}: validate: {n} files, no FILE/IDENTITY/INTEGRITY/INTERNAL "
                                f"finding (findings: {codes or 'none'})")
        rows.append(row_of("validate --cepat", n, m))

        k = min(n, args.formulas_sample)
        sample_dir = folder if k == n else link_folder(work / f"n{n}" / "sampel_rumus", even_sample(sub, k))
        m = repeated(_cli("validate", "--jobs", jobs, "--json", sample_dir), times,
                     stdout=out / "validate_rumus.json", ok=(0, 1), what="validate with formulas")
        bad = [f for f in json.loads((out / "validate_rumus.json").read_text())
               if f["code"].split("_")[0] in ("FILE", "IDENTITY", "INTEGRITY", "INTERNAL")]
        if bad:
            raise SystemExit(f"N={n}: formula check found {bad[:3]}")
        rows.append(row_of("validate (rumus)", k, m, "" if k == n else f"sample of {k}"))

        recap = out / "rekap.xlsx"

        def fresh() -> None:
            for leftover in out.glob("rekap*"):
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()

        m = repeated(_cli("consolidate", folder, "-o", recap, "--jobs", jobs), times, prepare=fresh,
                     what="consolidate")
        rows.append(row_of("consolidate", n, m))
        got = recap_totals(recap)
        wrong = [c for c, e in expected.items()
                 if c not in got or abs(got[c]["pagu"] - e["pagu"]) > 0.5
                 or any(abs((g or 0) - w) > 0.5 for g, w in zip(got[c]["tw"], e["tw"]))]
        if wrong or len(got) != n:
            raise SystemExit(f"N={n}: recap totals differ from the entries for {len(wrong)} OPD, e.g. {wrong[:3]}")
        report["checks"].append(f"N={n}: recap: {n} OPD, pagu and realisasi TW I-IV of every OPD equal "
                                "the entries typed in")
        m = repeated(_cli("consolidate", folder, "-o", recap, "--jobs", jobs), times,
                     what="consolidate again")
        rows.append(row_of("consolidate (ulang)", n, m, "every file known to the ledger"))
        shutil.rmtree(out / "rekap.ledger.sqlite.arsip", ignore_errors=True)

        m = repeated(_py(__file__, "_bare", folder, jobs), times, what="bare calamine")
        rows.append(row_of("bare calamine", n, m))

        k = min(n, args.baseline_sample)
        chosen = even_sample(sub, k)
        listing = out / "naive_files.txt"
        listing.write_text("\n".join(map(str, chosen)))
        m = repeated(_py(__file__, "_naive", listing), times, stdout=out / "naive.json",
                     what="naive baseline")
        naive = json.loads((out / "naive.json").read_text())
        for name, tw in naive["totals"].items():
            code = "9." + name.split("_")[1].split(".")[1]
            if any(abs(a - b) > 0.5 for a, b in zip(tw, expected[code]["tw"])):
                raise SystemExit(f"naive baseline disagrees with the entries for {name}")
        rows.append(row_of("naive pandas", k, m, f"engine {naive['engine']} (openpyxl)"
                           + ("" if k == n else f"; even sample of {k}")))
        report["checks"].append(f"N={n}: naive baseline: totals of its {k} files equal the entries")

        by = {r["step"]: r for r in rows}
        cons, bare, nv = by["consolidate"], by["bare calamine"], by["naive pandas"]
        report["ratios"][n] = {
            "naive_over_consolidate_wall": nv["ms_per_file"] / cons["ms_per_file"],
            "naive_over_consolidate_cpu": nv["cpu_ms_per_file"] / cons["cpu_ms_per_file"],
            "consolidate_over_bare_wall": cons["ms_per_file"] / bare["ms_per_file"],
            "consolidate_over_bare_cpu": cons["cpu_ms_per_file"] / bare["cpu_ms_per_file"],
        }
        report["rows"].extend(rows)
        say(table(rows, n, report["ratios"][n]))
        shutil.rmtree(work / f"n{n}" / "keluar" / "rekap.ledger.sqlite.arsip", ignore_errors=True)
    say(summary(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    if not args.keep:
        for n in ns:
            shutil.rmtree(work / f"n{n}", ignore_errors=True)
    return report


def table(rows: list[dict], n: int, ratios: dict) -> str:
    lines = [f"\n## N = {n:,}", "",
             "| step | files | wall s | ms/file | files/s | CPU ms/file | peak RSS MiB (largest process) "
             "| peak RSS MiB (all processes) | runs (wall s) | load | note |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |"]
    for r in rows:
        walls = ", ".join(f"{w:.1f}" for w in r.get("walls") or [r["wall"]])
        load = f"{r['load']:.1f}" if r.get("load") is not None else ""
        lines.append(f"| {r['step']} | {r['n']:,} | {r['wall']:.1f} | {r['ms_per_file']:.1f} | "
                     f"{r['files_per_s']:.1f} | {r['cpu_ms_per_file']:.1f} | {fmt_mib(r['maxrss_process'])} | "
                     f"{fmt_mib(r['peak_rss_total'])} | {walls} | {load} | {r['note']} |")
    lines += ["", f"- naive pandas / consolidate: {ratios['naive_over_consolidate_wall']:.1f}x per file "
              f"(wall), {ratios['naive_over_consolidate_cpu']:.1f}x per CPU-second",
              f"- consolidate / bare calamine: {ratios['consolidate_over_bare_wall']:.2f}x per file "
              f"(wall, same processes), {ratios['consolidate_over_bare_cpu']:.2f}x per CPU-second"]
    return "\n".join(lines)


def summary(report: dict) -> str:
    lines = ["\n## Summary", "",
             "| N | consolidate ms/file | files/s | peak RSS MiB (all processes) | naive / xlkinerja | "
             "xlkinerja / bare calamine | validate --cepat ms/file |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in report["ns"]:
        rows = {r["step"]: r for r in report["rows"] if r["n"] == n or r["step"] in ("naive pandas", "validate (rumus)")}
        cons = next(r for r in report["rows"] if r["step"] == "consolidate" and r["n"] == n)
        val = next(r for r in report["rows"] if r["step"] == "validate --cepat" and r["n"] == n)
        ratio = report["ratios"][n]
        lines.append(f"| {n:,} | {cons['ms_per_file']:.1f} | {cons['files_per_s']:.1f} | "
                     f"{fmt_mib(cons['peak_rss_total'])} | {ratio['naive_over_consolidate_wall']:.1f}x | "
                     f"{ratio['consolidate_over_bare_wall']:.2f}x | {val['ms_per_file']:.1f} |")
        del rows
    g = report["generate"]
    lines += ["", f"generate: one {g['rows']}-row formulir in {g['median'] * 1000:.0f} ms (median)", ""]
    lines += [f"- {c}" for c in report["checks"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_bare":
        step_bare(argv[1], int(argv[2]))
        return 0
    if argv and argv[0] == "_naive":
        step_naive(argv[1])
        return 0
    if argv and argv[0] == "_generate":
        step_generate(int(argv[1]))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, nargs="+", default=[40, 1000], help="numbers of OPD workbooks")
    p.add_argument("--country", action="store_true", help="also N = 10,000")
    p.add_argument("--work", default="/tmp/xlkinerja-bench", help="folder for the corpus and outputs")
    p.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0))
                   if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    p.add_argument("--baseline-sample", type=int, default=200,
                   help="naive baseline on at most this many files (an even sample)")
    p.add_argument("--repeat", type=int, default=3,
                   help="runs of each step, median reported (for N up to --repeat-upto)")
    p.add_argument("--repeat-upto", type=int, default=100)
    p.add_argument("--formulas-sample", type=int, default=200,
                   help="validate with formula check on at most this many files")
    p.add_argument("--verify-corpus", type=int, default=3,
                   help="check this many files against the real generator and an openpyxl fill")
    p.add_argument("--gen-repeat", type=int, default=5)
    p.add_argument("--rebuild", action="store_true", help="rebuild the corpus even if present")
    p.add_argument("--keep", action="store_true", help="keep the per-N outputs (recaps, ledgers)")
    p.add_argument("--json", help="write every figure to this JSON file")
    p.add_argument("--quiet", action="store_true")
    run(p.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
