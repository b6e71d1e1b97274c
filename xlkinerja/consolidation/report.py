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
        *trust_lines(s),
        f"Ledger: {s.ledger}",
        *_exports_only_lines(s),
    ]


def identity_text(register) -> str:
    """What the recap and the summary say about identities (``register``: its path or None)."""
    if register:
        return f"Identitas dan tanda tangan formulir diperiksa dengan register {register}."
    return ("Identitas formulir tidak dapat dipastikan: tanpa register formulir, formulir yang "
            "dibuat ulang atau diubah di tempat lain tidak dapat dibedakan dari yang diterbitkan.")


def trust_lines(s) -> list[str]:
    """What the run could vouch for and what it left out."""
    lines = [identity_text(s.register)]
    if getattr(s, "register_note", None):
        lines.append(f"Catatan: {s.register_note}.")
    if s.n_not_authentic:
        lines.append(f"{s.n_not_authentic} berkas ditolak (bukan formulir yang diterbitkan, tanda "
                     "tangan tidak sah, atau pagu/rumus/identitas diubah) dan tidak dihitung; OPD-nya "
                     "harus mengirim ulang.")
    if s.n_withdrawn:
        lines.append(f"{s.n_withdrawn} berkas sudah ditarik (xlkinerja tarik) dan tidak dihitung.")
    if s.n_archive:
        lines.append(f"{s.n_archive} kiriman dihitung dari arsip ledger (berkasnya tidak ada lagi di "
                     "folder kiriman).")
    if s.archive_missing:
        lines.append(f"{len(s.archive_missing)} kiriman yang diterima sebelumnya tidak dapat dihitung: "
                     "berkas dan salinan arsipnya hilang (" + ", ".join(s.archive_missing) + ").")
    if s.n_missing_opd:
        lines.append(f"{s.n_missing_opd} perangkat daerah belum mengirim; pagunya dari register "
                     "tetap dijumlahkan dalam pagu kota.")
    return lines


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
