"""Is this the form the office issued? A returned workbook's identity checked against the register.

With a register (:mod:`xlkinerja.register`), a workbook is authentic when its signature verifies
with the register's key over the identity and form it carries, and the register holds that form
version for that OPD and year. Without a register nothing is checked here, and callers say that
identities could not be confirmed.

Registers are opened read-only, once per process (validation runs in worker processes).
"""

from __future__ import annotations

from xlkinerja.findings import Finding, Severity
from xlkinerja.reading.reader import Submission
from xlkinerja.register import Register

_OPEN: dict[str, Register] = {}


def open_register(path: str) -> Register:
    """The register at ``path``, opened once per process (raises RegisterError)."""
    reg = _OPEN.get(path)
    if reg is None:
        reg = _OPEN[path] = Register.open(path)
    return reg


def register_findings(sub: Submission, register_path: str) -> list[Finding]:
    reg = open_register(register_path)
    form = sub.form
    check = reg.check(form.opd_code, form.year, sub.model_sha256 or "", sub.signature,
                      sub.register_id)
    where = f"OPD {form.opd_code} ({form.opd_name}) tahun {form.year}"

    def error(code: str, message: str) -> list[Finding]:
        return [Finding(file=sub.name, severity=Severity.ERROR, code=code, message=message)]

    if check.status == "unsigned":
        return error("IDENTITY_NOT_SIGNED",
                     f"Formulir {where} tidak bertanda tangan pengelola: bukan formulir yang "
                     "diterbitkan (dibuat sendiri, atau dengan xlkinerja di tempat lain). Berkas "
                     "tidak dapat diterima; minta OPD mengisi formulir yang dibagikan dan mengirim "
                     "ulang.")
    if check.status == "bad_signature":
        elsewhere = (" Formulir ini dibuat dengan register lain." if check.other_register else "")
        return error("IDENTITY_SIGNATURE_INVALID",
                     f"Tanda tangan formulir {where} tidak cocok dengan register pengelola: "
                     "formulir dibuat ulang di tempat lain, atau identitas/pagunya diubah."
                     f"{elsewhere} Berkas tidak dapat diterima; minta OPD mengisi formulir yang "
                     "dibagikan dan mengirim ulang.")
    if check.status == "not_issued":
        return error("IDENTITY_NOT_ISSUED",
                     f"Formulir {where} bertanda tangan, tetapi versi ini tidak tercatat di register "
                     "formulir yang diterbitkan. Berkas tidak dapat diterima; periksa register "
                     "(xlkinerja register) dan minta OPD mengisi formulir yang berlaku.")
    if check.status == "older":
        cur = check.current
        return [Finding(
            file=sub.name, severity=Severity.WARNING, code="IDENTITY_VERSION_SUPERSEDED",
            message=f"Formulir ini versi lama {where} (diterbitkan "
                    f"{check.version.first_issued[:10]}); versi yang berlaku diterbitkan "
                    f"{cur.last_issued[:10]}. Rekap memakai versi yang berlaku; minta OPD mengisi "
                    "formulir versi terbaru.")]
    return []
