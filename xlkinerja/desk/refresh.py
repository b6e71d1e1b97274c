"""The Konsolidasi button of the recap workbook (.xlsm): consolidate again the submissions the
recap was made from, into the recap itself, while it is open in Excel.

The recap's hidden `_xlkinerja` sheet records what was consolidated and how
(:class:`~.recap.RecapMeta`: the input folders and files, the ledger, the options). The button
(:func:`konsolidasi_rekap`, registered in :data:`xlkinerja.desk.buttons.KONSOLIDASI` for the recap's
marker) checks that they are still there, runs :func:`~.run.consolidate` with them into a
temporary recap file (the ledger records the run as usual, with the open workbook as its
output), and brings the open workbook up to date in place: the workbook's file cannot be
replaced while Excel has it open, and the user keeps the window. Each data sheet is rewritten
from the temporary file (:mod:`xlkinerja.desk.sheetimage`: values and formulas, formats, merged
cells, row heights, Excel tables resized, conditional formats, print area); the per-OPD chart of
Grafik gets its new source rows and height (positions from
:class:`~xlkinerja.consolidation.recap_layout.RecapLayout`). Sheets are unprotected and protected again around the writes exactly as for the formulir
(:class:`xlkinerja.desk.buttons.ProtectionAccess`). The user gets a message in Bahasa Indonesia: the
files read, what became of them, the OPD statuses, the findings, where the ledger is.

Nothing in the workbook changes when the inputs, the ledger or the files are missing, or the
ledger is in use: the message says what to do.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from xlkinerja.desk.excel import ButtonProblem, ProtectionAccess, quiet_screen, xlwings_version_note
from xlkinerja.workbook.layout import SHEET_META
from xlkinerja.reading.sources import XlwingsSource
from xlkinerja.consolidation.recap import RecapMeta
from xlkinerja.consolidation.recap_layout import OPD_CHART_SERIES, SHEET_GRAFIK, SHEET_RINGKASAN, RecapLayout

__all__ = ["konsolidasi_rekap", "refresh_workbook"]

ACTION = "Konsolidasi"
POINTS_PER_PIXEL = 0.75  # Excel's chart sizes are in points, the layout's in pixels (96 dpi)
NOT_CHANGED = "Rekap tidak diubah."


def konsolidasi_rekap(book) -> str:
    """The button in a recap: consolidate and rewrite the open workbook; the message."""
    from xlkinerja.reading.files import discover
    from xlkinerja.consolidation.ledger import LedgerError
    from xlkinerja.consolidation.report import summary_lines
    from xlkinerja.consolidation.plan import MixedYears
    from xlkinerja.consolidation.run import ExportRefused, consolidate
    from xlkinerja.register import RegisterError

    meta = _meta(book)
    _check_structure(book)
    missing = [p for p in meta.inputs if not Path(p).exists()]
    if missing:
        raise ButtonProblem(
            f"{ACTION}: folder atau berkas kiriman yang dicatat rekap ini tidak ditemukan: "
            f"{'; '.join(missing)}. Mungkin dipindahkan, diganti namanya, atau drive jaringannya "
            f"belum tersambung. {NOT_CHANGED} Kembalikan atau sambungkan foldernya, atau buat "
            "rekap baru dari lokasi yang sekarang: xlkinerja consolidate FOLDER -o REKAP.xlsm.")
    ledger = Path(meta.ledger)
    if not ledger.is_file():
        raise ButtonProblem(
            f"{ACTION}: ledger rekap ini tidak ditemukan: {ledger}. Ledger mencatat setiap "
            f"kiriman yang sudah dibaca; tanpa ledger itu riwayatnya hilang. {NOT_CHANGED} "
            "Kembalikan berkas ledger ke tempatnya (beserta folder .arsip di sampingnya), atau "
            "buat rekap baru: xlkinerja consolidate FOLDER -o REKAP.xlsm.")
    target = _own_path(book)
    exclude = [ledger, ledger.with_name(ledger.name + ".arsip"), *([target] if target else [])]
    files, _ = discover(meta.inputs, exclude=exclude)
    if not files:
        raise ButtonProblem(
            f"{ACTION}: tidak ada berkas .xlsx/.xlsm di {'; '.join(meta.inputs)}. {NOT_CHANGED} "
            "Simpan berkas kiriman OPD di folder itu, lalu tekan Konsolidasi lagi.")
    if meta.settings.get("parquet") and importlib.util.find_spec("pyarrow") is None:
        raise ButtonProblem(
            f"{ACTION}: rekap ini juga memperbarui ekspor Parquet, yang memerlukan pyarrow: "
            f"pip install \"xlkinerja[button,parquet]\". {NOT_CHANGED}")

    with tempfile.TemporaryDirectory(prefix="xlkinerja-rekap-", ignore_cleanup_errors=True) as tmp:
        options = meta.options(Path(tmp) / "rekap.xlsx", target=target)
        try:
            summary = consolidate(meta.inputs, options)
        except (LedgerError, RegisterError) as exc:
            raise ButtonProblem(f"{ACTION} tidak dijalankan: {exc} {NOT_CHANGED}") from None
        except (ExportRefused, MixedYears) as exc:
            raise ButtonProblem(f"{ACTION} tidak dijalankan: {exc} {NOT_CHANGED}") from None
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            raise ButtonProblem(
                f"{ACTION} tidak dapat membaca atau menulis berkas{where}: "
                f"{exc.strerror or exc}. {NOT_CHANGED} Periksa izin folder dan ledger.") from None
        refresh_workbook(book, options.output, summary.n_opd)

    lines = [f"{ACTION} selesai: rekap diperbarui dari {'; '.join(meta.inputs)}.",
             *summary_lines(summary)]
    if summary.exports:
        lines.append(f"Ekspor diperbarui: {'; '.join(str(p) for p in summary.exports)}.")
    lines.append("Simpan workbook ini (Ctrl+S) agar rekap yang baru tersimpan.")
    note = xlwings_version_note(book)
    return "\n".join(lines + ([note] if note else []))


def refresh_workbook(book, recap_file: Path, n_opd: int) -> None:
    """Make the data sheets of the open ``book`` what the recap file ``recap_file`` holds
    (``n_opd`` rows on Ringkasan), under restored protection."""
    from xlkinerja.desk.sheetimage import apply_image, read_images

    present = {s.name for s in book.sheets}
    names = [n for n in RecapLayout.data_sheets()
             if n in present or n not in RecapLayout.later_sheets]
    images = read_images(recap_file, names)
    for name in names:  # checked before anything is written
        have = {t.name for t in book.sheets[name].tables}
        if have != set(images[name].tables):
            raise ButtonProblem(
                f"{ACTION}: tabel di sheet '{name}' ({', '.join(sorted(have)) or '-'}) tidak "
                f"sama dengan rekap baru ({', '.join(sorted(images[name].tables)) or '-'}), "
                "misalnya karena jumlah baris melewati batas tabel Excel. Ledger sudah "
                f"diperbarui; {NOT_CHANGED} Buat rekap baru dengan xlkinerja consolidate "
                "FOLDER -o REKAP.xlsm.")
    with ProtectionAccess(book, ACTION) as access, quiet_screen(book):
        for name in names:
            sheet = book.sheets[name]
            access.sheet(sheet)
            apply_image(images[name], sheet)
        _opd_chart(book, n_opd)
    book.app.calculate()  # the totals, also when Excel is set to manual calculation
    book.sheets[SHEET_RINGKASAN].activate()


def _opd_chart(book, n_opd: int) -> None:
    """The per-OPD chart of Grafik: the Ringkasan rows of this many OPD, a bar each."""
    L = RecapLayout
    ringkasan = book.sheets[SHEET_RINGKASAN]
    first, last = L.opd_chart_rows(n_opd)
    chart = book.sheets[SHEET_GRAFIK].charts[L.OPD_CHART]
    chart.set_source_data(ringkasan.range((first + 1, L.PERSEN + 1), (last + 1, L.PERSEN + 1)),
                          plot_by="columns")
    chart.set_x_axis_values(ringkasan.range((first + 1, L.NAMA + 1), (last + 1, L.NAMA + 1)))
    chart.series[0].name = OPD_CHART_SERIES
    chart.height = L.opd_chart_height(n_opd) * POINTS_PER_PIXEL


def _meta(book) -> RecapMeta:
    try:
        return RecapMeta.parse(XlwingsSource(book).values(SHEET_META))
    except ValueError as exc:
        raise ButtonProblem(
            f"{ACTION}: catatan tersembunyi rekap '{book.name}' rusak atau tidak lengkap ({exc}). "
            f"{NOT_CHANGED} Buat rekap baru dengan xlkinerja consolidate FOLDER -o "
            "REKAP.xlsm.") from None


def _check_structure(book) -> None:
    present = {s.name for s in book.sheets}
    missing = [name for name in RecapLayout.data_sheets()
               if name not in present and name not in RecapLayout.later_sheets]
    charts = len(book.sheets[SHEET_GRAFIK].charts) if SHEET_GRAFIK in present else 0
    if missing or charts <= RecapLayout.OPD_CHART:
        what = (f"sheet {', '.join(missing)} tidak ada" if missing
                else f"grafik di sheet {SHEET_GRAFIK} tidak lengkap")
        raise ButtonProblem(
            f"{ACTION}: susunan rekap '{book.name}' sudah berubah ({what}). {NOT_CHANGED} "
            "Buat rekap baru dengan xlkinerja consolidate FOLDER -o REKAP.xlsm.")


def _own_path(book) -> Path | None:
    """The open workbook's file, when it is one on this computer (not a OneDrive URL)."""
    try:
        path = Path(book.fullname)
    except Exception:  # noqa: BLE001 - a workbook never saved, or an engine without it
        return None
    return path if path.is_file() else None
