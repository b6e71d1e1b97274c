"""The register of issued forms: what the issuing office can vouch for.

:mod:`.store` is the SQLite register (every form version issued to an OPD for a year, the pagu of
its rows, every time it was written and from what; the ``revises`` lineage of versions), and
:mod:`.signature` the HMAC-SHA256 signature each issued workbook carries, made with a secret key
kept beside the register and never written into a workbook.

``generate`` (the workbook layer) records and signs; validation and consolidation check a returned
workbook's identity against it. Without a register everything works, but identities cannot be
confirmed.
"""

from xlkinerja.register.signature import RegisterError
from xlkinerja.register.store import (FILENAME, Check, IssuedVersion, Register, RegisterOnDemand,
                                      find_register)

__all__ = ["Register", "RegisterOnDemand", "RegisterError", "IssuedVersion", "Check", "find_register", "FILENAME"]
