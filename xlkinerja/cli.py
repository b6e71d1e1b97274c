"""Command line: ``xlkinerja generate``, ``xlkinerja demo`` and friends.

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
    from .generate import generate_from_spec

    out = _output_path(args.output)
    written = generate_from_spec(Path(args.spec), out, password=args.password, fill=args.isian)
    _out(f"Ditulis: {written.path}")
    _out(f"  {written.summary}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .generate import write_demo

    outdir = Path(args.out)
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"{outdir} sudah ada dan bukan folder; pilih folder lain untuk --out")
    from .validate import format_text, validate_file

    demo = write_demo(outdir)
    _out(f"Contoh bawaan: Sekretariat Daerah Kota Jambi 2024 -> {outdir}")
    for item in demo.written:
        _out(f"  {item.path.name:<48} {item.summary}")
    for note in demo.skipped:
        _out(f"  Catatan: {note}")
    filled = [item.path for item in demo.written if item.kind == "filled"]
    if filled:
        _out("")
        _out(f"Hasil pemeriksaan formulir terisi (xlkinerja validate {filled[0].name}):")
        _out(format_text([validate_file(filled[0])]))
    return EXIT_OK


# -- validate ---------------------------------------------------------------------------------

def _expand_inputs(items: list[str]) -> list[Path]:
    """Files as given; folders searched recursively for .xlsx and .xlsm (Excel's ~$ lock files
    skipped)."""
    out: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith("~$"))
            if not found:
                _err(f"Peringatan: folder {path} tidak berisi berkas .xlsx/.xlsm.")
            out.extend(found)
        else:
            out.append(path)
    return out


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import ValidationOptions, format_text, to_json, validate_files

    paths = _expand_inputs(args.files)
    if not paths:
        raise UserError("tidak ada berkas untuk diperiksa")
    options = ValidationOptions(low_capaian=args.ambang_capaian / 100.0,
                                check_formulas=not args.cepat, expect_opd=args.opd,
                                expect_year=args.tahun)
    reports = list(validate_files(paths, options))
    if args.json:
        _out(to_json(reports))
    else:
        _out(format_text(reports))
    if not any(r.readable for r in reports):
        return EXIT_NOTHING
    return EXIT_PROBLEM if any(r.has_errors for r in reports) else EXIT_OK


def _button_extra_missing() -> type[Exception]:
    from .vba import ButtonExtraMissing

    return ButtonExtraMissing


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlkinerja",
        description="Formulir Pengukuran Kinerja Perangkat Daerah: buat workbook Excel yang "
                    "terkunci dan memeriksa dirinya sendiri, baca kembali, periksa, dan rekap.",
    )
    parser.add_argument("--version", action="version", version=f"xlkinerja {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH")

    g = sub.add_parser("generate", help="buat workbook formulir dari spesifikasi YAML",
                       description="Buat workbook formulir (.xlsx, atau .xlsm dengan tombol) "
                                   "dari spesifikasi YAML.")
    g.add_argument("spec", metavar="SPEC", help="berkas spesifikasi YAML")
    g.add_argument("-o", "--output", required=True, metavar="KELUARAN",
                   help="berkas keluaran .xlsx (tanpa makro, untuk dikirim), atau .xlsm (dengan "
                        "tombol Validasi dan Konsolidasi; perlu xlkinerja[button])")
    g.add_argument("--password", help="kata sandi proteksi sheet (menggantikan yang di spesifikasi)")
    g.add_argument("--isian", metavar="ISIAN", help="berkas YAML isian contoh untuk diisikan")
    g.set_defaults(func=cmd_generate)

    v = sub.add_parser("validate", help="periksa workbook formulir yang dikirim kembali",
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
    v.set_defaults(func=cmd_validate)

    d = sub.add_parser("demo", help="tulis contoh bawaan (kosong dan terisi)",
                       description="Tulis workbook contoh Sekretariat Daerah Kota Jambi 2024: "
                                   "formulir kosong dan formulir terisi (.xlsx), dan formulir "
                                   "terisi dengan tombol (.xlsm) bila xlkinerja[button] terpasang.")
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
