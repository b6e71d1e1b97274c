"""Is this the form the office issued? A returned workbook's identity checked against the register.

With a register (:mod:`xlkinerja.register`), a workbook is authentic when its signature verifies
with the register's key over the identity and form it carries, and the register holds that form
version for that OPD and year. Without a register nothing is checked here, and callers say that
identities could not be confirmed.

Registers are opened read-only, once per process (validation runs in worker processes).
"""

from __future__ import annotations

from xlkinerja.findings import Finding, Severity
from xlkinerja.form.model import form_sha256
from xlkinerja.reading.reader import Submission
from xlkinerja.register import Check, Register

_OPEN: dict[str, Register] = {}


def open_register(path: str) -> Register:
    """The register at ``path``, opened once per process (raises RegisterError)."""
    reg = _OPEN.get(path)
    if reg is None:
        reg = _OPEN[path] = Register.open(path)
    return reg


def register_findings(sub: Submission, register_path: str) -> list[Finding]:
    """What the register at ``register_path`` says about the workbook ``sub`` (validate)."""
    form = sub.form
    return identity_findings(open_register(register_path), sub.name, form.opd_code, form.opd_name,
                             form.year, form_sha256(form), sub.signature, sub.register_id)[1]


def identity_findings(reg: Register, file: str, opd_code: str, opd_name: str, year: int,
                      model_sha: str, signature: str | None, register_id: str | None
                      ) -> tuple[Check, list[Finding]]:
    """The register's verdict on an identity a workbook claims, and its findings: the one
    function validate and consolidate both use, so that they agree on every file. ``model_sha``
    is the SHA-256 of the canonical JSON of the form the file carries."""
    check = reg.check(opd_code, year, model_sha or "", signature, register_id)
    where = f"OPD {opd_code} ({opd_name}) tahun {year}"

    def error(code: str, message: str) -> tuple[Check, list[Finding]]:
        return check, [Finding(file=file, severity=Severity.ERROR, code=code, message=message)]

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
        return check, [Finding(
            file=file, severity=Severity.WARNING, code="IDENTITY_VERSION_SUPERSEDED",
            message=f"Formulir ini versi lama {where} (diterbitkan "
                    f"{check.version.first_issued[:10]}); versi yang berlaku diterbitkan "
                    f"{cur.last_issued[:10]}. Rekap memakai versi yang berlaku; minta OPD mengisi "
                    "formulir versi terbaru.")]
    return check, []
