"""Command line: ``xlkinerja generate``, ``master-template``, ``demo`` and friends.

Messages are in Bahasa Indonesia. A user never sees a traceback: problems with their input are
reported with the file, place and what to do; anything unexpected is reported in one line with a
way to get details (``XLKINERJA_DEBUG=1``).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from xlkinerja.base.version import __version__
from xlkinerja.form.yamlsource import DocumentError

EXIT_OK, EXIT_PROBLEM, EXIT_NOTHING, EXIT_INTERNAL = 0, 1, 2, 3


class UserError(Exception):
    """A problem the user can fix; the message says what and how."""


def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _output_path(value: str, allowed: tuple[str, ...] = (".xlsx", ".xlsm")) -> Path:
    path = Path(value)
    if path.suffix.lower() not in allowed:
        raise UserError(f"{value}: nama berkas keluaran harus berakhiran "
                        f"{' atau '.join(allowed)}")
    if path.exists() and path.is_dir():
        raise UserError(f"{value} adalah folder; berikan nama berkas, mis. {path / 'formulir.xlsx'}")
    return path


# -- generate ---------------------------------------------------------------------------------

def cmd_generate(args: argparse.Namespace) -> int:
    if args.tahun_berikut:
        return _roll_over(args)
    if args.master and args.spec:
        raise UserError("pilih salah satu: SPEC untuk satu OPD (generate SPEC.yaml -o "
                        "formulir.xlsx), atau --master untuk banyak OPD (generate --master "
                        "master.xlsx --out FOLDER), bukan keduanya")
    if args.master:
        return _generate_master(args)
    if not args.spec:
        raise UserError("sebutkan sumbernya: xlkinerja generate SPEC.yaml -o formulir.xlsx "
                        "(satu OPD), atau xlkinerja generate --master master.xlsx --out FOLDER "
                        "(satu workbook per OPD)")
    if args.out:
        raise UserError("--out FOLDER hanya untuk --master; untuk SPEC sebutkan berkas keluaran "
                        "dengan -o, mis. -o formulir.xlsx")
    if not args.output:
        raise UserError("sebutkan berkas keluaran dengan -o, mis. -o formulir.xlsx")
    from xlkinerja.workbook.generate import generate_from_spec

    out = _output_path(args.output)
    if args.dari:
        return _generate_revision(args, out)
    if args.revisi or args.mulai or args.tanggal:
        raise UserError("--revisi/--mulai/--tanggal membuat formulir revisi dari formulir lama: "
                        "sebutkan berkas lamanya dengan --dari BERKAS_LAMA.xlsx")
    with _issuing_register(args, out.parent) as register:
        written = generate_from_spec(Path(args.spec), out, password=args.password, fill=args.isian,
                                     register=register)
    _out(f"Ditulis: {written.path}")
    _out(f"  {written.summary}")
    _spec_notes(written)
    _register_line(register)
    return EXIT_OK


def _spec_notes(written) -> None:
    if written.notes:
        _out("Catatan (periksa; tidak menghalangi penulisan):")
        _problem_lines(written.notes, _out)


def _roll_over(args: argparse.Namespace) -> int:
    from xlkinerja.validation.carry import CarryError, roll_over

    if args.spec or args.master or args.dari:
        raise UserError("--tahun-berikut memakai satu sumber saja: --tahun-berikut SPEC.yaml "
                        "atau --tahun-berikut FORMULIR_TERISI.xlsx, dengan -o BERKAS.yaml")
    if not args.output or Path(args.output).suffix.lower() not in (".yaml", ".yml"):
        raise UserError("--tahun-berikut menulis spesifikasi YAML untuk diisi: -o "
                        "spesifikasi_tahun_depan.yaml")
    source = Path(args.tahun_berikut)
    if not source.is_file():
        raise UserError(f"{source}: tidak ditemukan")
    try:
        path, form, last = roll_over(source, Path(args.output))
    except CarryError as exc:
        raise UserError(str(exc)) from None
    _out(f"Ditulis: {path}")
    _out(f"  spesifikasi {form.opd_name} tahun {form.year + 1}: {len(form.leaves())} sub "
         f"kegiatan dan {len(form.indicators())} indikator dibawa dari {form.year}")
    known = sum(1 for v in last.values() if v is not None)
    if last:
        _out(f"  realisasi {form.year} sebagai pembanding: {known} dari {len(last)} indikator")
    _out("  Isi setiap 'target' dan 'pagu' yang bertanda ISI, lalu: xlkinerja generate "
         f"{path} -o formulir_{form.year + 1}.xlsx")
    return EXIT_OK


def _revision_args(args: argparse.Namespace) -> tuple[int | None, str | None]:
    from xlkinerja.form.formcheck import parse_quarter

    quarter = None
    if args.mulai:
        quarter = parse_quarter(args.mulai)
        if quarter is None:
            raise UserError(f"--mulai {args.mulai!r} tidak dikenal: tulis I, II, III atau IV")
    date = None
    if args.tanggal:
        import datetime as dt

        try:
            date = dt.date.fromisoformat(args.tanggal.strip()).isoformat()
        except ValueError:
            raise UserError(f"--tanggal {args.tanggal!r} tidak dikenal: tulis YYYY-MM-DD, "
                            "mis. 2024-09-16") from None
    return quarter, date


def _generate_revision(args: argparse.Namespace, out: Path) -> int:
    from xlkinerja.form.revision import RevisionError
    from xlkinerja.validation.carry import CarryError, generate_revision

    if args.isian:
        raise UserError("--isian tidak dipakai bersama --dari: isiannya diambil dari berkas lama")
    old = Path(args.dari)
    if not old.is_file():
        raise UserError(f"{old}: berkas lama tidak ditemukan (untuk satu OPD, --dari adalah "
                        "berkas formulir yang sudah diisi)")
    if old.resolve() == out.resolve():
        raise UserError(f"{out}: keluaran tidak boleh sama dengan berkas lama; berkas masukan "
                        "tidak pernah diubah")
    quarter, date = _revision_args(args)
    try:
        with _issuing_register(args, out.parent) as register:
            written, carried = generate_revision(Path(args.spec), out, old, args.revisi, quarter,
                                                 date, password=args.password, register=register,
                                                 source=Path(args.spec).resolve(),
                                                 source_kind="spec")
    except (RevisionError, CarryError) as exc:
        raise UserError(str(exc)) from None
    _out(f"Ditulis: {written.path}")
    _out(f"  {written.summary}")
    _spec_notes(written)
    _register_line(register)
    _report_carried(carried)
    return EXIT_OK if not carried.unplaced else EXIT_PROBLEM


def _report_carried(carried) -> None:
    _out(f"  Dari {carried.source}: {carried.n_carried} isian dipindahkan menurut identitasnya.")
    _out(f"  {carried.report.summary()}")
    for line in carried.report.lines():
        _out(f"    - {line}")
    for note in carried.notes:
        _out(f"  Catatan: {note}")
    if carried.unplaced:
        _err(f"  {len(carried.unplaced)} isian TIDAK dipindahkan (tidak ada tempatnya di "
             "formulir baru; sampaikan kepada OPD):")
        for line in carried.unplaced:
            _err(f"    - {line}")


class _NoRegister:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _issuing_register(args: argparse.Namespace, folder: Path, home: Path | None = None):
    """The register ``generate`` records into: --register, else one found in the output
    ``folder`` or above it, else a new one in ``home`` (default: ``folder``); none with
    --tanpa-register. Made only when the first form is written."""
    from xlkinerja.register import FILENAME, RegisterOnDemand, find_register

    if getattr(args, "tanpa_register", False):
        if args.register:
            raise UserError("pilih salah satu: --register BERKAS atau --tanpa-register")
        return _NoRegister()
    path = Path(args.register) if args.register else (
        find_register([folder]) or (home or folder) / FILENAME)
    if path.is_dir():
        raise UserError(f"--register {path} adalah folder; sebutkan berkasnya, mis. "
                        f"{path / FILENAME}")
    return RegisterOnDemand(path)


def _register_line(register) -> None:
    if register is None:
        _out("  Tanpa register: formulir tidak bertanda tangan; identitasnya tidak dapat "
             "dipastikan saat dikirim kembali.")
    else:
        from xlkinerja.register.signature import key_path

        _out(f"  Dicatat di register {register.path} (kunci {key_path(register.path).name}: "
             "simpan dan cadangkan, jangan dikirim ke OPD).")


def _generate_master(args: argparse.Namespace) -> int:
    from xlkinerja.workbook.generate import write_from_master
    from xlkinerja.form.master import read_master

    if args.output:
        raise UserError("dengan --master, setiap OPD mendapat berkasnya sendiri: sebutkan "
                        "foldernya dengan --out FOLDER, bukan -o")
    if not args.out:
        raise UserError("sebutkan folder keluaran dengan --out, mis. --master master.xlsx "
                        "--out formulir")
    if args.isian:
        raise UserError("--isian hanya untuk SPEC (satu OPD), tidak untuk --master")
    prepare = None
    if args.dari:
        prepare = _master_revision(args)
    elif args.revisi or args.mulai or args.tanggal:
        raise UserError("--revisi/--mulai/--tanggal membuat formulir revisi: sebutkan folder "
                        "berkas kembalian dengan --dari FOLDER")
    outdir = Path(args.out)
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"{outdir} sudah ada dan bukan folder; pilih folder lain untuk --out")
    master = read_master(args.master)
    if not master.readable:
        _err(f"{master.source}: master tidak dapat dipakai ({len(master.problems)} masalah).")
        _problem_lines(master.problems, _err)
        _err("  Tidak ada berkas yang ditulis. Perbaiki masalah di atas lalu ulangi.")
        return EXIT_NOTHING
    examples = (f"; {master.examples_skipped} baris contoh (Kode OPD CONTOH) dilewati"
                if master.examples_skipped else "")
    _out(f"Master: {master.source}")
    _out(f"  {len(master.opds)} OPD, {master.budget_lines} baris anggaran, "
         f"{master.indicator_lines} baris indikator{examples}")
    if any(o.spec is not None for o in master.opds):
        _out(f"Ditulis ke {outdir}:")
    # the forms folder holds what is sent out: the register and its key sit beside it
    with _issuing_register(args, outdir, outdir.resolve().parent) as register:
        run = write_from_master(master, outdir, password=args.password, progress=_out,
                                prepare=prepare, register=register)

    if run.refused or run.failed:
        _err(f"OPD yang TIDAK ditulis ({len(run.refused) + len(run.failed)}):")
        for opd in run.refused:
            _err(f"  {_opd_label(opd)}: {len(opd.problems)} masalah")
            _problem_lines(opd.problems, _err)
            for old in run.stale.get(opd.code, []):
                _err(f"    (berkas lama {old.name} di {outdir} TIDAK diperbarui)")
        for opd, why in run.failed:
            _err(f"  {_opd_label(opd)}: tidak dapat disimpan: {why}")
    if master.problems:
        _err("Masalah di luar OPD mana pun (baris ini tidak dipakai):")
        _problem_lines(master.problems, _err)
    if master.notes:
        _out("Catatan (periksa; tidak menghalangi penulisan):")
        _problem_lines(master.notes, _out)
    total = len(master.opds)
    _out(f"Hasil: {len(run.written)} dari {total} OPD ditulis"
         + (f"; {total - len(run.written)} tidak ditulis. Perbaiki master lalu jalankan ulang."
            if len(run.written) < total else "."))
    if run.written:
        _register_line(register)
    if not run.written:
        return EXIT_NOTHING
    return EXIT_OK if run.complete else EXIT_PROBLEM


def _master_revision(args: argparse.Namespace):
    """The revision of every OPD of the master from its newest returned file in --dari."""
    from xlkinerja.form.revision import RevisionError
    from xlkinerja.validation.carry import index_returned, master_prepare, resolve_request

    quarter, date = _revision_args(args)
    try:
        request = resolve_request(None, args.revisi, quarter, date)
    except RevisionError as exc:
        raise UserError(f"{exc} (untuk --master: --revisi perubahan --mulai III)") from None
    paths = _expand_inputs([args.dari])
    if not paths:
        raise UserError(f"{args.dari}: tidak ada berkas .xlsx/.xlsm kembalian di sana")
    returned = index_returned(paths)
    _out(f"Berkas kembalian di {args.dari}: {len(paths)} berkas, {len(returned.by_opd)} OPD")
    for why in returned.unreadable:
        _err(f"  dilewati: {why}")
    return master_prepare(returned, request)


def _opd_label(opd) -> str:
    return f"{opd.code} {opd.name}" if opd.name else f"OPD {opd.code}"


def _problem_lines(problems, emit) -> None:
    for p in problems:
        emit(f"    - {p.location()}: {p.message}" if p.cell or p.line else f"    - {p.message}")


def cmd_master_template(args: argparse.Namespace) -> int:
    from xlkinerja.workbook.generate import write_master_template

    if args.csv:
        out = Path(args.output)
        if out.suffix:
            raise UserError(f"{args.output}: dengan --csv, -o adalah folder untuk opd.csv, "
                            "anggaran.csv dan indikator.csv (tanpa akhiran berkas)")
        if out.exists() and not out.is_dir():
            raise UserError(f"{out} sudah ada dan bukan folder")
    else:
        out = _output_path(args.output, (".xlsx",))
    specs = [Path(p) for p in args.from_spec or []]
    paths = write_master_template(out, specs, as_csv=args.csv)
    for path in paths:
        _out(f"Ditulis: {path}")
    if specs:
        _out(f"  master berisi {len(specs)} OPD dari spesifikasi")
    else:
        _out("  master kosong dengan baris contoh (Kode OPD CONTOH, selalu dilewati); isi sheet "
             "OPD, Anggaran dan Indikator")
    source = out if args.csv else paths[0]
    _out(f"  lalu jalankan: xlkinerja generate --master {source} --out formulir")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from xlkinerja.workbook.generate import write_demo

    outdir = Path(args.out)
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"{outdir} sudah ada dan bukan folder; pilih folder lain untuk --out")
    from xlkinerja.validation.rules import format_text, validate_file

    from xlkinerja.register import FILENAME, Register, RegisterError

    try:
        register = Register.create(outdir / FILENAME)
    except RegisterError as exc:
        raise UserError(str(exc)) from None
    with register:
        demo = write_demo(outdir, register)
    _out(f"Contoh bawaan: Sekretariat Daerah Kota Jambi 2024 -> {outdir}")
    for item in demo.written:
        _out(f"  {item.path.name:<48} {item.summary}")
    for note in demo.skipped:
        _out(f"  Catatan: {note}")
    _out(f"  {FILENAME:<48} register formulir yang diterbitkan (kuncinya di sampingnya)")
    filled = [item.path for item in demo.written if item.kind == "filled"]
    if filled:
        from xlkinerja.consolidation import ConsolidateOptions, consolidate
        from xlkinerja.workbook.generate import demo_paths

        _out("")
        _out(f"Hasil pemeriksaan formulir terisi (xlkinerja validate {filled[0].name}):")
        _out(format_text([validate_file(filled[0])]))
        _out("")
        # the recap too has its Konsolidasi button (unless xlwings/pyOpenVBA were removed)
        macro = any(item.kind == "macro" for item in demo.written)
        recap = demo_paths(outdir)["recap_macro" if macro else "recap"]
        _out(f"Rekap contoh (xlkinerja consolidate {filled[0].name} -o {recap.relative_to(outdir)}):")
        _out(format_run_summary(consolidate([filled[0]], ConsolidateOptions(output=recap))))
    return EXIT_OK


# -- validate ---------------------------------------------------------------------------------

def _expand_inputs(items: list[str], exclude: list[Path] = ()) -> list[Path]:
    from xlkinerja.reading.files import discover

    paths, warnings = discover(items, exclude)
    for w in warnings:
        _err(f"Peringatan: {w}.")
    return paths


def _has_problem(report) -> bool:
    """A file the desk must look at: unreadable, or with an error or a warning."""
    from xlkinerja.findings import Severity

    return not report.readable or any(f.severity in (Severity.ERROR, Severity.WARNING)
                                      for f in report.findings)


def cmd_validate(args: argparse.Namespace) -> int:
    from xlkinerja.base.numbers import format_number
    from xlkinerja.validation.rules import (ReportCounts, ValidationOptions, format_codes,
                                            format_report, format_summary, iter_json,
                                            validate_files)

    paths = _expand_inputs(args.files)
    if not paths:
        raise UserError("tidak ada berkas untuk diperiksa")
    register = None if args.tanpa_register else _open_register(args.register, paths,
                                                                 required=bool(args.register))
    if register is not None:
        register.close()  # the workers open it themselves
    options = ValidationOptions(low_capaian=args.ambang_capaian / 100.0,
                                check_formulas=not args.cepat, expect_opd=args.opd,
                                expect_year=args.tahun,
                                register=str(register.path) if register else None)
    counts = ReportCounts()

    def counted(reports):
        for rep in reports:
            counts.add(rep)
            yield rep

    # each file's report is printed as soon as it and those before it are checked
    reports = counted(validate_files(paths, options, jobs=args.jobs))
    if args.hanya_masalah:
        reports = (rep for rep in reports if _has_problem(rep))
    if args.json:
        for piece in iter_json(reports):
            sys.stdout.write(piece)
        _out()
    else:
        for rep in reports:
            _out("\n".join(format_report(rep)))
        for line in format_codes(counts):
            _out(line)
        _out(format_summary(counts))
        if args.hanya_masalah:
            hidden = counts.files - counts.with_problems
            _out(f"{format_number(hidden)} berkas tanpa galat atau peringatan tidak ditampilkan "
                 "(--hanya-masalah).")
        _err(identity_line(options.register))  # stdout stays the report itself
    if counts.unreadable == counts.files:
        return EXIT_NOTHING
    return EXIT_PROBLEM if counts.any_errors else EXIT_OK


def identity_line(register: str | None) -> str:
    if register:
        return f"Identitas dan tanda tangan formulir diperiksa dengan register {register}."
    return ("Identitas formulir tidak dapat dipastikan: register formulir tidak ditemukan (sebutkan "
            "dengan --register); formulir buatan ulang di tempat lain tidak dapat dibedakan.")


def cmd_codes(args: argparse.Namespace) -> int:
    from xlkinerja.findings.catalogue import CODES

    wanted = [c.strip().upper() for c in args.kode]
    unknown = [c for c in wanted if c not in CODES]
    if unknown:
        raise UserError(f"kode {', '.join(unknown)} tidak dikenal. Jalankan 'xlkinerja kode' "
                        "tanpa argumen untuk daftar semua kode.")
    group = None
    for entry in [CODES[c] for c in wanted] if wanted else CODES.values():
        if not wanted and entry.group != group:
            _out(f"{'' if group is None else chr(10)}== {entry.group}")
            group = entry.group
        _out(f"{entry.code} ({entry.label})")
        _out(f"    Arti: {entry.meaning}")
        _out(f"    Tindakan: {entry.action}")
    return EXIT_OK


# -- consolidate, ledger ------------------------------------------------------------------------

def _read_opd_list(path: str) -> dict[str, str]:
    """Expected OPD: a CSV (kode;nama or kode,nama) or an .xlsx whose first sheet has them."""
    import csv

    p = Path(path)
    rows: list[list] = []
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(p))
            rows = wb.get_sheet_by_index(0).to_python()
        else:
            text = p.read_text(encoding="utf-8-sig")
            dialect = csv.Sniffer().sniff(text[:2000], delimiters=";,\t")
            rows = list(csv.reader(text.splitlines(), dialect))
    except Exception as exc:  # noqa: BLE001 - any unreadable list is the same user problem
        raise UserError(f"{path}: daftar OPD tidak dapat dibaca ({exc}). Gunakan CSV dengan kolom "
                        "kode dan nama.") from None
    out = {}
    for i, row in enumerate(rows, start=1):
        if len(row) < 2 or not str(row[0]).strip():
            continue
        code, name = str(row[0]).strip(), str(row[1]).strip()
        if i == 1 and code.lower() in ("kode", "kode opd", "kode_opd"):
            continue
        out[code] = name
    if not out:
        raise UserError(f"{path}: daftar OPD kosong; isi kolom kode dan nama")
    return out


def cmd_consolidate(args: argparse.Namespace) -> int:
    from xlkinerja.consolidation import ConsolidateOptions, consolidate
    from xlkinerja.consolidation.figures import DEFAULT_SCALE, parse_scale

    output = _output_path(args.output)
    if output.suffix.lower() == ".xlsm":  # say it now, not after reading every file
        from xlkinerja.workbook.vba import require_button_extra

        require_button_extra()
    scale = DEFAULT_SCALE
    if args.skala_predikat:
        try:
            scale = parse_scale(args.skala_predikat)
        except ValueError as exc:
            raise UserError(f"--skala-predikat: {exc}") from None
    for item in args.inputs:
        if not Path(item).exists():
            raise UserError(f"{item} tidak ditemukan")
    options = ConsolidateOptions(
        output=output, ledger=Path(args.ledger) if args.ledger else None, year=args.tahun,
        quarter=args.triwulan, jobs=args.jobs, check_formulas=args.periksa_rumus,
        low_capaian=args.ambang_capaian / 100.0, csv_dir=Path(args.csv) if args.csv else None,
        parquet=Path(args.parquet) if args.parquet else None, pemda=args.pemda,
        expected_opds=_read_opd_list(args.daftar_opd) if args.daftar_opd else None,
        scale=scale, progress=True if args.progress else None,
        register=Path(args.register) if args.register else None,
        use_register=not args.tanpa_register)
    if args.register and args.tanpa_register:
        raise UserError("pilih salah satu: --register BERKAS atau --tanpa-register")
    from xlkinerja.consolidation.ledger import LedgerError
    from xlkinerja.consolidation.plan import MixedYears

    try:
        summary = consolidate(args.inputs, options)
    except LedgerError as exc:
        raise UserError(str(exc)) from None
    except MixedYears as exc:
        _err(f"Galat: {exc} Tidak ada yang ditulis.")
        return EXIT_NOTHING
    _out(format_run_summary(summary))
    if summary.n_files == 0:
        return EXIT_NOTHING
    return EXIT_OK


def format_run_summary(s) -> str:
    from xlkinerja.consolidation.report import summary_lines

    lines = [f"Rekap ditulis: {s.output}", *("  " + line for line in summary_lines(s))]
    for path in s.exports:
        lines.append(f"  Ekspor: {path}")
    lines.append(f"  Waktu: {format(s.seconds, '.1f').replace('.', ',')} detik.")
    return "\n".join(lines)


def cmd_pembanding(args: argparse.Namespace) -> int:
    from xlkinerja import reference

    if args.sumber:
        src = reference.resolve_source(args.sumber, args.tahun)
        if src is None:
            known = ", ".join(sorted(reference.sources()))
            raise UserError(f"--sumber {args.sumber!r} tidak dikenal; pilih salah satu dari {known}")
        chosen = [src]
    else:
        chosen = [s for s in reference.sources().values()
                  if args.tahun is None or s.year == args.tahun]
    results = []
    for src in chosen:
        try:
            results.append((src, reference.benchmark(src.id, args.pemda)))
        except reference.UnknownPemda as exc:
            if args.sumber:
                raise UserError(str(exc)) from None
    if not results:
        raise UserError(f"{args.pemda!r} tidak ada pada data rujukan mana pun "
                        f"({', '.join(dict.fromkeys(s.short for s in chosen)) or '-'}): tulis nama resmi, mis. "
                        "'Kota Jambi', 'Kabupaten Muaro Jambi' atau 'Provinsi Jambi', atau kode "
                        "wilayahnya (mis. 15.71)")
    rows = [b.to_dict() for _, marks in results for b in marks]
    if args.csv:
        import csv as _csv
        from xlkinerja.base.atomic import AtomicFile
        from xlkinerja.reference.benchmark import COLUMNS

        target = AtomicFile(Path(args.csv))
        with target.tmp.open("w", newline="", encoding="utf-8") as fh:
            w = _csv.DictWriter(fh, COLUMNS)
            w.writeheader()
            w.writerows(rows)
        target.commit()
    if args.json:
        import json as _json

        _out(_json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for src, marks in results:
        _out(format_benchmark(src, marks))
        _out()
    if args.csv:
        _out(f"Tabel pembanding ditulis: {args.csv}")
    return EXIT_OK


def format_benchmark(src, marks) -> str:
    from xlkinerja.base.numbers import format_decimal

    def n(x, d=2):
        return "-" if x is None else format_decimal(x, d)

    total = marks[0]
    lines = [f"{src.value_label} {src.year}: {total.pemda} ({total.tingkat}, kode wilayah "
             f"{total.kode_wilayah}) menurut {src.short}"]
    for b in marks:
        value = n(b.nilai) if b.nilai is not None else (b.tanda or "-")
        head = f"  {b.nama_ukuran}: {value}" + (f" ({b.kategori})" if b.kategori else "")
        if b.peringkat is None:
            lines.append(head + ("; tidak ada pembanding pada sumber ini" if b.nilai is not None
                                 else "; tidak dihitung"))
            continue
        left = ""
        if b.jumlah_tanpa_nilai:
            left = (f"; {b.jumlah_tanpa_nilai} tanpa nilai tidak dihitung (NA {b.tanpa_nilai_na}, "
                    f"*NA {b.tanpa_nilai_bintang}, - {b.tanpa_nilai_kosong})")
        lines.append(f"{head}; peringkat {b.peringkat} dari {b.jumlah_pembanding} {b.tingkat}"
                     f"{left}")
        lines.append(f"      rerata nasional {n(b.rerata_nasional, 3)}, median {n(b.median_nasional)}")
        if b.jumlah_kabkota_provinsi:
            lines.append(f"      {b.provinsi}: rerata {b.jumlah_kabkota_provinsi} kab/kota "
                         f"{n(b.rerata_kabkota_provinsi, 3)}"
                         + (f", {b.kabkota_provinsi_tanpa_nilai} tanpa nilai"
                            if b.kabkota_provinsi_tanpa_nilai else "")
                         + (f", tidak tercantum: {b.kabkota_provinsi_tidak_tercantum}"
                            if b.kabkota_provinsi_tidak_tercantum else "")
                         + (f"; nilai provinsi {n(b.nilai_provinsi)}"
                            + (f" ({b.kategori_provinsi})" if b.kategori_provinsi else "")
                            if b.nilai_provinsi is not None else ""))
    return "\n".join(lines)


def cmd_ledger(args: argparse.Namespace) -> int:
    from xlkinerja.consolidation.ledger import Ledger, LedgerError
    from xlkinerja.form.model import ROMAN

    path = Path(args.ledger)
    if not path.exists():
        raise UserError(f"{path}: ledger tidak ditemukan. Ledger dibuat oleh 'xlkinerja consolidate' "
                        "di samping berkas rekap (<rekap>.ledger.sqlite).")
    try:
        ledger = Ledger(path)
    except LedgerError as exc:
        raise UserError(str(exc)) from None
    try:
        rows = list(ledger.history(all_runs=args.semua))
        runs = ledger.runs()
    finally:
        ledger.close()
    if args.json:
        import json
        from dataclasses import asdict

        _out(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        _out("Ledger belum berisi kiriman.")
        return EXIT_OK
    done = [r for r in runs if r[2]]
    _out(f"Ledger {path}: {len(done)} kali rekap; "
         + ("semua" if args.semua else f"rekap terakhir ({done[-1][1] if done else '-'})") + ".")
    current = None
    for r in rows:
        key = (r.run_id, r.opd_code)
        if key != current:
            current = key
            head = f"{r.opd_code} {r.opd_name}" if r.opd_code else "(tidak dikenali)"
            _out(f"\n[{head}]" + (f"  rekap #{r.run_id}" if args.semua else ""))
        tw = f"TW {ROMAN[r.quarter]}" if r.quarter else "    "
        when = (r.saved_at or "")[:16].replace("T", " ")
        extra = f" -> digantikan oleh {r.superseded_by}" if r.superseded_by and r.status == "digantikan" else ""
        note = f" ({r.note})" if r.note and r.status != "diterima" else ""
        _out(f"  {tw:<6} {r.status:<10} {r.name}  disimpan {when or '-'}  "
             f"galat {r.n_error or 0}, peringatan {r.n_warning or 0}{extra}{note}")
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace) -> int:
    """Withdraw a submission from the ledger: recorded with who, when and why."""
    import datetime as dt

    from xlkinerja.consolidation.ledger import Ledger, LedgerError
    from xlkinerja.consolidation.records import sha256_file

    path = Path(args.ledger)
    if not path.is_file():
        raise UserError(f"{path}: ledger tidak ditemukan (<rekap>.ledger.sqlite di samping rekap)")
    by, why = (args.oleh or "").strip(), (args.alasan or "").strip()
    if not by or not why:
        raise UserError("sebutkan siapa yang menarik (--oleh NAMA) dan alasannya (--alasan TEKS); "
                        "keduanya dicatat di ledger")
    try:
        ledger = Ledger(path)
    except LedgerError as exc:
        raise UserError(str(exc)) from None
    try:
        item = Path(args.kiriman)
        key = sha256_file(item) if item.is_file() else args.kiriman.strip()
        if not item.is_file() and len(key) < 8 and not key.lower().endswith((".xlsx", ".xlsm")):
            raise UserError(f"{args.kiriman}: sebutkan nama berkas kiriman, berkasnya, atau paling "
                            "sedikit 8 karakter awal sidik SHA-256-nya (xlkinerja ledger --json)")
        found = ledger.find_contents(key)
        if not found:
            raise UserError(f"{args.kiriman}: kiriman ini tidak tercatat di ledger {path}")
        if len(found) > 1:
            listing = "; ".join(f"{sha[:12]} {name} ({code or '-'})" for sha, code, _, _, name in found)
            raise UserError(f"{args.kiriman}: lebih dari satu kiriman cocok ({listing}); sebutkan "
                            "sidik SHA-256-nya")
        sha, code, opd_name, quarter, name = found[0]
        when = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        try:
            ledger.withdraw(sha, when, by, why, name)
        except Exception as exc:  # noqa: BLE001 - a ledger in use is the user's to resolve
            raise UserError(f"{path}: penarikan tidak dapat dicatat ({exc}); ulangi bila "
                            "konsolidasi lain sudah selesai") from None
    finally:
        ledger.close()
    tw = f" TW {ROMAN_TEXT[quarter]}" if quarter else ""
    _out(f"Ditarik: {name} ({code or '-'} {opd_name or ''}{tw}; sidik {sha[:12]}) oleh {by}: {why}.")
    _out("  Kiriman ini tidak dihitung lagi, dari folder kiriman maupun dari arsip ledger. Jalankan "
         "konsolidasi lagi untuk memperbarui rekap.")
    return EXIT_OK


def _open_register(value: str | None, near: list, required: bool = True):
    """The register given, or found near ``near``; None when not found and not ``required``."""
    from xlkinerja.register import FILENAME, Register, RegisterError, find_register

    path = Path(value) if value else find_register(near)
    if path is None:
        if required:
            raise UserError(f"register formulir tidak ditemukan ({FILENAME} di folder ini atau di "
                            "atasnya); sebutkan berkasnya, mis. xlkinerja register "
                            f"formulir/{FILENAME}")
        return None
    try:
        return Register.open(path)
    except RegisterError as exc:
        raise UserError(str(exc)) from None


def cmd_register(args: argparse.Namespace) -> int:
    from xlkinerja.base.numbers import format_rupiah

    register = _open_register(args.register, [Path.cwd()])
    with register:
        versions = register.versions(args.tahun)
        issues = {v.id: register.issues(v.id) for v in versions}
    if args.json:
        import json
        from dataclasses import asdict

        _out(json.dumps([{**asdict(v), "issues": [dict(zip(("issued_at", "source_kind", "source",
                                                            "output"), i)) for i in issues[v.id]]}
                         for v in versions], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not versions:
        _out(f"Register {register.path}: belum ada formulir yang diterbitkan"
             + (f" untuk tahun {args.tahun}." if args.tahun else "."))
        return EXIT_OK
    by_id = {v.id: v for v in versions}
    _out(f"Register {register.path}: {len(versions)} versi formulir.")
    year = None
    for v in versions:
        if v.year != year:
            year = v.year
            n_opd = len({x.opd_code for x in versions if x.year == year})
            _out(f"\nTahun {year}: {n_opd} OPD")
        current = register_current(versions, v)
        mark = "berlaku" if current else "diganti versi lebih baru"
        _out(f"  {v.opd_code} {v.opd_name}  versi {v.model_sha[:12]} ({mark})")
        _out(f"      total pagu {format_rupiah(v.total_pagu)}; {v.n_budget_rows} baris anggaran, "
             f"{v.n_indicators} indikator")
        if v.revises:
            old = by_id.get(v.revises)
            kind = f" ({v.revision_kind})" if v.revision_kind else ""
            since = f", berlaku mulai TW {ROMAN_TEXT[v.effective_quarter]}" if v.effective_quarter else ""
            _out(f"      merevisi versi {old.model_sha[:12] if old else v.revises}{kind}{since}")
        for when, kind, source, output in issues[v.id]:
            _out(f"      {when[:16].replace('T', ' ')}  {kind}: {source or '-'} -> "
                 f"{Path(output).name if output else '-'}")
    return EXIT_OK


ROMAN_TEXT = {1: "I", 2: "II", 3: "III", 4: "IV"}


def register_current(versions, v) -> bool:
    """Whether ``v`` is the version issued last for its OPD and year, among ``versions``."""
    same = [x for x in versions if x.opd_code == v.opd_code and x.year == v.year]
    return max(same, key=lambda x: (x.last_issued, x.id)).id == v.id


def _register_error() -> type[Exception]:
    from xlkinerja.register import RegisterError

    return RegisterError


def _button_extra_missing() -> type[Exception]:
    from xlkinerja.workbook.vba import ButtonExtraMissing

    return ButtonExtraMissing


# -- argparse in Bahasa Indonesia -------------------------------------------------------------
# argparse writes its own texts (usage, errors, help headings) through gettext's ``_``; these are
# those texts in Bahasa Indonesia. They are swapped in only while our parser works, so other
# argparse users in the same process (pytest, a notebook) keep theirs.
ARGPARSE_ID = {
    "usage: ": "pemakaian: ",
    "positional arguments": "argumen posisi",
    "options": "opsi",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "pilihan tidak dikenal: %(value)r (pilih salah satu: %(choices)s)",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "expected one argument": "perlu satu nilai",
    "expected at least one argument": "perlu sekurang-kurangnya satu nilai",
    "expected at most one argument": "paling banyak satu nilai",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak sah: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s":
        "opsi ambigu: %(option)s bisa berarti %(matches)s",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
    "one of the arguments %s is required": "salah satu argumen %s wajib diisi",
    "ignored explicit argument %r": "nilai %r diabaikan",
    "can't open '%(filename)s': %(error)s": "tidak dapat membuka '%(filename)s': %(error)s",
    "unexpected option string: %s": "opsi tidak terduga: %s",
}
#: the type names argparse puts into "invalid %(type)s value"
ARGPARSE_TYPES = {"int": "bilangan bulat", "float": "bilangan"}


def _argparse_text(message: str) -> str:
    return ARGPARSE_ID.get(message, message)


class _Indonesian:
    """While active, argparse's own texts are the Indonesian ones."""

    def __enter__(self):
        self.before = argparse._
        argparse._ = _argparse_text

    def __exit__(self, *exc):
        argparse._ = self.before


class IndonesianArgumentParser(argparse.ArgumentParser):
    """argparse with its usage, errors and help headings in Bahasa Indonesia, and an error that
    says how to see the help."""

    def __init__(self, *args, **kwargs):
        with _Indonesian():
            super().__init__(*args, **kwargs)

    def parse_known_args(self, *args, **kwargs):
        with _Indonesian():
            return super().parse_known_args(*args, **kwargs)

    def parse_args(self, *args, **kwargs):
        with _Indonesian():
            return super().parse_args(*args, **kwargs)

    def format_usage(self):
        with _Indonesian():
            return super().format_usage()

    def format_help(self):
        with _Indonesian():
            return super().format_help()

    def error(self, message):
        for english, indonesian in ARGPARSE_TYPES.items():
            message = message.replace(f"nilai {english} tidak sah", f"nilai {indonesian} tidak sah")
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: galat: {message}\nBantuan: {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    parser = IndonesianArgumentParser(
        prog="xlkinerja",
        description="Formulir Pengukuran Kinerja Perangkat Daerah: buat workbook Excel yang "
                    "terkunci dan memeriksa dirinya sendiri, baca kembali, periksa, dan rekap.",
    )
    parser.add_argument("--version", action="version", version=f"xlkinerja {__version__}",
                        help="tampilkan versi lalu keluar")
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH", title="perintah")

    g = sub.add_parser("generate", aliases=["buat"], help="buat workbook formulir dari spesifikasi YAML atau master",
                       description="Buat workbook formulir (.xlsx, atau .xlsm dengan tombol) "
                                   "dari spesifikasi YAML satu OPD (SPEC -o BERKAS), atau satu "
                                   "workbook per OPD dari master (--master MASTER --out FOLDER).")
    g.add_argument("spec", metavar="SPEC", nargs="?", help="berkas spesifikasi YAML (satu OPD)")
    g.add_argument("-o", "--output", metavar="KELUARAN",
                   help="untuk SPEC: berkas keluaran .xlsx (tanpa makro, untuk dikirim), atau "
                        ".xlsm (dengan tombol Validasi dan Konsolidasi; perlu xlkinerja[button])")
    g.add_argument("--master", nargs="+", metavar="MASTER",
                   help="master .xlsx, atau berkas .csv (opd, anggaran, indikator), atau folder "
                        "berisi CSV itu")
    g.add_argument("--out", metavar="FOLDER", help="untuk --master: folder keluaran, satu berkas "
                                                   "per OPD (TAHUN_KODE-OPD_nama-opd.xlsx)")
    g.add_argument("--password", help="kata sandi proteksi sheet (menggantikan yang di "
                                      "spesifikasi atau master)")
    g.add_argument("--isian", metavar="ISIAN", help="berkas YAML isian contoh untuk diisikan "
                                                   "(hanya untuk SPEC)")
    g.add_argument("--dari", metavar="BERKAS_LAMA",
                   help="formulir revisi (APBD perubahan/pergeseran): berkas formulir lama yang "
                        "sudah diisi (untuk SPEC), atau folder berkas kembalian (untuk --master); "
                        "semua isian dipindahkan menurut identitasnya")
    g.add_argument("--revisi", choices=["perubahan", "pergeseran"],
                   help="jenis revisi (bila tidak ditulis di spesifikasi)")
    g.add_argument("--mulai", metavar="TW",
                   help="triwulan pertama yang dilaporkan terhadap pagu revisi: I, II, III atau IV")
    g.add_argument("--tanggal", metavar="YYYY-MM-DD",
                   help="tanggal berlakunya revisi (menentukan triwulan bila --mulai tidak ada)")
    g.add_argument("--tahun-berikut", metavar="SUMBER",
                   help="buat spesifikasi tahun berikutnya (-o BERKAS.yaml) dari spesifikasi atau "
                        "formulir terisi tahun ini: susunan, kode, penandatangan dan indikator "
                        "dibawa; target dan pagu dikosongkan untuk diisi; realisasi tahun ini "
                        "disimpan sebagai pembanding")
    g.add_argument("--register", metavar="REGISTER",
                   help="register formulir tempat setiap formulir dicatat dan ditandatangani "
                        "(default: register_formulir.sqlite yang ada di folder keluaran atau di "
                        "atasnya; bila belum ada, dibuat di samping folder --out, atau di folder "
                        "berkas -o)")
    g.add_argument("--tanpa-register", action="store_true",
                   help="jangan catat di register (formulir tanpa tanda tangan: identitasnya "
                        "tidak dapat dipastikan saat dikirim kembali)")
    g.set_defaults(func=cmd_generate)

    v = sub.add_parser("validate", aliases=["validasi"], help="periksa workbook formulir yang dikirim kembali",
                       description="Periksa workbook formulir yang dikirim OPD: identitas, "
                                   "keutuhan template, dan isian. Status keluar: 0 tanpa galat, "
                                   "1 ada galat, 2 tidak ada berkas yang dapat dibaca.")
    v.add_argument("files", nargs="+", metavar="BERKAS", help="berkas .xlsx/.xlsm atau folder")
    v.add_argument("--json", action="store_true", help="keluaran JSON (daftar temuan)")
    v.add_argument("--opd", metavar="KODE", help="kode OPD yang diharapkan")
    v.add_argument("--tahun", type=int, metavar="TAHUN", help="tahun anggaran yang diharapkan")
    v.add_argument("--ambang-capaian", type=float, default=75, metavar="PERSEN",
                   help="capaian di bawah ambang ini wajib diberi keterangan (default 75)")
    v.add_argument("--cepat", action="store_true",
                   help="lewati pemeriksaan rumus (lebih cepat; nilai tersimpan tetap dicocokkan)")
    v.add_argument("--jobs", type=int, metavar="N",
                   help="jumlah proses pemeriksa (default: semua inti CPU)")
    v.add_argument("--hanya-masalah", action="store_true",
                   help="tampilkan hanya berkas yang tidak dapat dibaca atau punya galat atau "
                        "peringatan, lalu satu ringkasan")
    v.add_argument("--register", metavar="REGISTER",
                   help="register formulir untuk memeriksa identitas dan tanda tangan (default: "
                        "register_formulir.sqlite di folder berkas atau di atasnya)")
    v.add_argument("--tanpa-register", action="store_true",
                   help="jangan periksa identitas dengan register")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("consolidate", aliases=["konsolidasi"], help="gabungkan kiriman banyak OPD menjadi satu rekap",
                       description="Baca semua workbook kiriman OPD (berkas atau folder), periksa, "
                                   "dan gabungkan menjadi satu workbook rekap, dengan ledger setiap "
                                   "kiriman. Kiriman ulang: yang terakhir disimpan yang dipakai.")
    c.add_argument("inputs", nargs="+", metavar="MASUKAN", help="berkas .xlsx/.xlsm atau folder")
    c.add_argument("-o", "--output", required=True, metavar="REKAP.xlsx",
                   help="berkas rekap: .xlsx (tanpa makro), atau .xlsm dengan tombol Konsolidasi "
                        "yang memperbarui rekap dari folder yang sama (perlu xlkinerja[button])")
    c.add_argument("--ledger", metavar="BERKAS", help="lokasi ledger (default: <rekap>.ledger.sqlite)")
    c.add_argument("--tahun", type=int, help="tahun anggaran (default: tahun kiriman; bila kiriman "
                                             "berisi beberapa tahun, tahun yang diterbitkan di "
                                             "register, atau berhenti dan sebutkan tahunnya)")
    c.add_argument("--triwulan", type=int, choices=[1, 2, 3, 4],
                   help="triwulan pelaporan (default: triwulan terakhir yang dikirim)")
    c.add_argument("--daftar-opd", metavar="CSV", help="daftar OPD yang wajib mengirim (kode;nama); "
                                                      "dengan register tidak diperlukan")
    c.add_argument("--register", metavar="REGISTER",
                   help="register formulir yang diterbitkan (default: yang dipakai ledger ini "
                        "sebelumnya, atau register_formulir.sqlite di samping ledger, rekap atau "
                        "folder kiriman, atau di atasnya)")
    c.add_argument("--tanpa-register", action="store_true",
                   help="jangan periksa identitas dengan register (rekap menyatakan identitas "
                        "tidak dapat dipastikan)")
    c.add_argument("--pemda", metavar="NAMA", help="nama pemerintah daerah untuk judul rekap")
    c.add_argument("--csv", metavar="FOLDER", help="ekspor tabel panjang ke CSV")
    c.add_argument("--parquet", metavar="BERKAS", help="ekspor tabel panjang ke Parquet")
    c.add_argument("--jobs", type=int, help="jumlah proses pembaca (default: semua inti CPU)")
    c.add_argument("--periksa-rumus", action="store_true",
                   help="periksa juga keutuhan setiap rumus (lebih lambat)")
    c.add_argument("--ambang-capaian", type=float, default=75, metavar="PERSEN",
                   help="capaian di bawah ambang ini wajib diberi keterangan (default 75)")
    c.add_argument("--skala-predikat", metavar="SKALA",
                   help="mis. '91:Sangat Tinggi,76:Tinggi,66:Sedang,51:Rendah,0:Sangat Rendah'")
    c.add_argument("--progress", action="store_true", help="selalu tampilkan kemajuan")
    c.set_defaults(func=cmd_consolidate)

    k = sub.add_parser("kode", help="arti setiap kode temuan dan tindakannya",
                       description="Tampilkan arti kode temuan validasi dan konsolidasi (mis. "
                                   "ENTRY_ABOVE_PAGU) beserta tindakannya; tanpa KODE: semua kode.")
    k.add_argument("kode", nargs="*", metavar="KODE", help="kode temuan, mis. ENTRY_ABOVE_PAGU")
    k.set_defaults(func=cmd_codes)

    lg = sub.add_parser("ledger", help="daftar kiriman yang tercatat di ledger",
                        description="Tampilkan kiriman yang tercatat: apa yang masuk kapan, "
                                    "statusnya, dan apa yang digantikan oleh apa.")
    lg.add_argument("ledger", metavar="LEDGER", help="berkas ledger (<rekap>.ledger.sqlite)")
    lg.add_argument("--semua", action="store_true", help="semua rekap, bukan hanya yang terakhir")
    lg.add_argument("--json", action="store_true", help="keluaran JSON")
    lg.set_defaults(func=cmd_ledger)

    pb = sub.add_parser("pembanding", aliases=["benchmark"],
                        help="bandingkan nilai resmi (IPP, SAKIP) suatu pemda dengan sesamanya",
                        description="Tampilkan nilai terbitan (KepmenPANRB 659/2024, hasil evaluasi "
                                    "AKIP) suatu pemerintah daerah, peringkatnya di antara sesamanya "
                                    "(kota dengan kota, kabupaten dengan kabupaten, provinsi dengan "
                                    "provinsi), rerata dan median nasional, rerata kab/kota se-"
                                    "provinsi, dan nilai provinsinya. Nilai NA, *NA dan - tidak "
                                    "dihitung; jumlahnya disebutkan.")
    pb.add_argument("pemda", metavar="PEMDA",
                    help="nama resmi, mis. \"Kota Jambi\", atau kode wilayah, mis. 15.71")
    pb.add_argument("--sumber", metavar="ID", help="hanya sumber ini, mis. ipp-2024 atau sakip")
    pb.add_argument("--tahun", type=int, help="hanya sumber tahun ini")
    pb.add_argument("--json", action="store_true", help="keluaran JSON")
    pb.add_argument("--csv", metavar="BERKAS", help="tulis juga tabelnya ke berkas CSV")
    pb.set_defaults(func=cmd_pembanding)

    r = sub.add_parser("register", aliases=["daftar-formulir"],
                       help="daftar formulir yang diterbitkan (register formulir)",
                       description="Tampilkan formulir yang diterbitkan: OPD, tahun, versi "
                                   "formulir, total pagu, kapan dan dari sumber apa dibuat, dan "
                                   "versi mana yang direvisi oleh versi mana.")
    r.add_argument("register", metavar="REGISTER", nargs="?",
                   help="berkas register (default: register_formulir.sqlite di folder ini atau "
                        "di atasnya)")
    r.add_argument("--tahun", type=int, metavar="TAHUN", help="hanya tahun ini")
    r.add_argument("--json", action="store_true", help="keluaran JSON")
    r.set_defaults(func=cmd_register)

    w = sub.add_parser("tarik", aliases=["withdraw"],
                       help="tarik kiriman dari rekap (dicatat: siapa, kapan, mengapa)",
                       description="Tarik satu kiriman yang sudah diterima: kiriman itu tidak "
                                   "dihitung lagi pada konsolidasi berikutnya, walaupun berkasnya "
                                   "masih di folder kiriman atau di arsip ledger. Siapa yang "
                                   "menarik, kapan dan alasannya dicatat di ledger.")
    w.add_argument("ledger", metavar="LEDGER", help="berkas ledger (<rekap>.ledger.sqlite)")
    w.add_argument("kiriman", metavar="KIRIMAN",
                   help="nama berkas kiriman, berkasnya, atau awal sidik SHA-256-nya")
    w.add_argument("--oleh", required=True, metavar="NAMA", help="siapa yang menarik")
    w.add_argument("--alasan", required=True, metavar="TEKS", help="mengapa ditarik")
    w.set_defaults(func=cmd_withdraw)

    m = sub.add_parser("master-template", help="tulis master kosong untuk membuat formulir "
                                               "banyak OPD sekaligus",
                       description="Tulis master (.xlsx) berisi sheet OPD, Anggaran dan "
                                   "Indikator dengan baris contoh, untuk diisi (mis. ditempeli "
                                   "ekspor DPA) lalu dipakai dengan generate --master.")
    m.add_argument("-o", "--output", required=True, metavar="KELUARAN",
                   help="berkas master .xlsx; dengan --csv: folder")
    m.add_argument("--csv", action="store_true",
                   help="tulis tiga berkas CSV (opd.csv, anggaran.csv, indikator.csv; pemisah ;) "
                        "ke folder KELUARAN")
    m.add_argument("--from-spec", nargs="+", metavar="SPEC",
                   help="isi master dengan OPD dari spesifikasi YAML ini, bukan baris contoh")
    m.set_defaults(func=cmd_master_template)

    d = sub.add_parser("demo", help="tulis contoh bawaan (kosong dan terisi)",
                       description="Tulis workbook contoh Sekretariat Daerah Kota Jambi 2024: "
                                   "formulir kosong dan formulir terisi (.xlsx), formulir terisi "
                                   "dengan tombol Validasi dan Konsolidasi (.xlsm), master contoh, "
                                   "dan rekapnya (.xlsm dengan tombol Konsolidasi).")
    d.add_argument("--out", default="xlkinerja-demo", metavar="FOLDER",
                   help="folder tujuan (default: xlkinerja-demo)")
    d.set_defaults(func=cmd_demo)
    return parser


# Cyclic garbage collection for a command's run: collections are made rare, because the work
# creates no reference cycles on its hot paths (objects are freed as soon as they are unused), while
# a full collection walks every live object: consolidating 3,000 workbooks spent 14 of its 53
# seconds in full collections that found nothing. Restored when the command returns.
GC_THRESHOLDS = (10_000, 10, 1_000)


def main(argv: list[str] | None = None) -> int:
    import gc

    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*before)


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_NOTHING
    try:
        return args.func(args)
    except DocumentError as exc:
        _err(exc.report())
        return EXIT_PROBLEM
    except (UserError, _register_error()) as exc:
        _err(f"Galat: {exc}")
        return EXIT_PROBLEM
    except _button_extra_missing() as exc:
        _err(f"Galat: {exc}")
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        _err("Dibatalkan.")
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        _err(f"Galat berkas{where}: {exc.strerror or exc}. Periksa nama folder/berkas dan izin "
             "tulisnya, atau tutup berkas bila sedang dibuka di Excel.")
        return EXIT_PROBLEM
    except Exception as exc:  # noqa: BLE001 - last resort: never a traceback for users
        if os.environ.get("XLKINERJA_DEBUG"):
            traceback.print_exc()
        _err(f"Terjadi kesalahan internal xlkinerja {__version__}: {type(exc).__name__}: {exc}. "
             "Jalankan ulang dengan XLKINERJA_DEBUG=1 untuk rinciannya dan laporkan kepada "
             "pengembang.")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
