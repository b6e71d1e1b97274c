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

from . import __version__
from .yamlsource import DocumentError

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
    from .generate import generate_from_spec

    out = _output_path(args.output)
    written = generate_from_spec(Path(args.spec), out, password=args.password, fill=args.isian)
    _out(f"Ditulis: {written.path}")
    _out(f"  {written.summary}")
    return EXIT_OK


def _generate_master(args: argparse.Namespace) -> int:
    from .generate import write_from_master
    from .master import read_master

    if args.output:
        raise UserError("dengan --master, setiap OPD mendapat berkasnya sendiri: sebutkan "
                        "foldernya dengan --out FOLDER, bukan -o")
    if not args.out:
        raise UserError("sebutkan folder keluaran dengan --out, mis. --master master.xlsx "
                        "--out formulir")
    if args.isian:
        raise UserError("--isian hanya untuk SPEC (satu OPD), tidak untuk --master")
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
    run = write_from_master(master, outdir, password=args.password, progress=_out)

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
    if not run.written:
        return EXIT_NOTHING
    return EXIT_OK if run.complete else EXIT_PROBLEM


def _opd_label(opd) -> str:
    return f"{opd.code} {opd.name}" if opd.name else f"OPD {opd.code}"


def _problem_lines(problems, emit) -> None:
    for p in problems:
        emit(f"    - {p.location()}: {p.message}" if p.cell or p.line else f"    - {p.message}")


def cmd_master_template(args: argparse.Namespace) -> int:
    from .generate import write_master_template

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
    from .generate import write_demo

    outdir = Path(args.out)
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"{outdir} sudah ada dan bukan folder; pilih folder lain untuk --out")
    results = write_demo(outdir)
    _out(f"Contoh bawaan: Sekretariat Daerah Kota Jambi 2024 -> {outdir}")
    for item in results:
        _out(f"  {item.path.name:<48} {item.summary}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlkinerja",
        description="Formulir Pengukuran Kinerja Perangkat Daerah: buat workbook Excel yang "
                    "terkunci dan memeriksa dirinya sendiri, baca kembali, periksa, dan rekap.",
    )
    parser.add_argument("--version", action="version", version=f"xlkinerja {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH")

    g = sub.add_parser("generate", help="buat workbook formulir dari spesifikasi YAML atau master",
                       description="Buat workbook formulir (.xlsx, atau .xlsm dengan tombol) "
                                   "dari spesifikasi YAML satu OPD (SPEC -o BERKAS), atau satu "
                                   "workbook per OPD dari master (--master MASTER --out FOLDER).")
    g.add_argument("spec", metavar="SPEC", nargs="?", help="berkas spesifikasi YAML (satu OPD)")
    g.add_argument("-o", "--output", metavar="KELUARAN",
                   help="untuk SPEC: berkas keluaran .xlsx (atau .xlsm)")
    g.add_argument("--master", nargs="+", metavar="MASTER",
                   help="master .xlsx, atau berkas .csv (opd, anggaran, indikator), atau folder "
                        "berisi CSV itu")
    g.add_argument("--out", metavar="FOLDER", help="untuk --master: folder keluaran, satu berkas "
                                                   "per OPD (TAHUN_KODE-OPD_nama-opd.xlsx)")
    g.add_argument("--password", help="kata sandi proteksi sheet (menggantikan yang di "
                                      "spesifikasi atau master)")
    g.add_argument("--isian", metavar="ISIAN", help="berkas YAML isian contoh untuk diisikan "
                                                   "(hanya untuk SPEC)")
    g.set_defaults(func=cmd_generate)

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
                                   "formulir kosong dan formulir terisi.")
    d.add_argument("--out", default="xlkinerja-demo", metavar="FOLDER",
                   help="folder tujuan (default: xlkinerja-demo)")
    d.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
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
    except UserError as exc:
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
