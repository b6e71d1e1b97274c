"""What a consolidation run did, in Bahasa Indonesia: for the command line and the button."""

from __future__ import annotations

from xlkinerja.form.model import ROMAN
from xlkinerja.consolidation.plan import ACCEPTED, CONFLICT, DUPLICATE, REJECTED, SUPERSEDED
from xlkinerja.consolidation.recap import SHEET_TEMUAN

FILE_STATUSES = (ACCEPTED, SUPERSEDED, CONFLICT, DUPLICATE, REJECTED)


def summary_lines(s) -> list[str]:
    """The state reached, the files and what became of them, the findings, the ledger, one
    line each, of a :class:`~xlkinerja.consolidation.run.RunSummary`."""
    st = s.statuses
    parts = [f"{st[k]} {k}" for k in FILE_STATUSES if st.get(k)]
    opd = ", ".join(f"{n} {k}" for k, n in sorted(s.opd_statuses.items()))
    tw = f"TW {ROMAN[s.quarter]}" if s.quarter else "-"
    return [
        f"Tahun {s.year or '-'}, keadaan s.d. {tw}; {s.n_opd} perangkat daerah ({opd or '-'}).",
        f"{s.n_files} berkas: {', '.join(parts) or '-'}; {s.n_read} baru atau berubah (dibaca), "
        f"{s.n_reused} sudah tercatat di ledger.",
        f"Temuan: {s.findings.get('error', 0)} galat, {s.findings.get('warning', 0)} peringatan, "
        f"{s.findings.get('info', 0)} info (sheet Temuan Validasi).",
        *([f"{s.n_uncounted} isian tidak dihitung (teks di sel angka, angka negatif, persen "
           "dengan skala salah): lihat sheet Tidak Dihitung."] if getattr(s, "n_uncounted", 0) else []),
        f"Ledger: {s.ledger}",
        *_exports_only_lines(s),
    ]


def _exports_only_lines(s) -> list[str]:
    lines = []
    for sheet, n, exported in s.exports_only:
        if exported:
            where = "ada di ekspor"
        elif sheet == SHEET_TEMUAN:  # the Parquet export has no findings table
            where = "hanya ditulis ke ekspor CSV: jalankan ulang dengan --csv FOLDER"
        else:
            where = ("hanya ditulis ke ekspor, yang tidak diminta pada proses ini: jalankan ulang dengan "
                     "--csv FOLDER atau --parquet BERKAS")
        lines.append(f"Sheet {sheet}: {format(n, ',').replace(',', '.')} baris, terlalu banyak untuk "
                     f"Excel; tabelnya {where}.")
    return lines
