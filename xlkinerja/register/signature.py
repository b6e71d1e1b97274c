"""The signature an issued workbook carries: an HMAC-SHA256 made with the register's secret key.

What is signed is the form's identity and content: the OPD code, the year and the SHA-256 of the
form's canonical JSON (the JSON the workbook carries in its hidden sheet), behind a fixed label
and version, so that a signature of one kind of message can never be taken for another::

    xlkinerja-formulir/1 \\n <opd code> \\n <year> \\n <sha256 of the canonical form JSON>

The key is 32 random bytes in a file beside the register (``<register>.key``), created on first
use with permissions 0600, and never written into a workbook. Only the office that holds the key
can make a signature that verifies: a form regenerated elsewhere (another key, or none) or whose
JSON was edited does not.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

LABEL = "xlkinerja-formulir/1"
KEY_BYTES = 32
#: how a signature is written in the workbook: scheme, then the hex digest
PREFIX = "hmac-sha256:"


class RegisterError(Exception):
    """The register or its key cannot be used; the message says which file and what to do."""


def message(opd_code: str, year: int, model_sha: str) -> bytes:
    return f"{LABEL}\n{opd_code}\n{int(year)}\n{model_sha}".encode("utf-8")


def sign(key: bytes, opd_code: str, year: int, model_sha: str) -> str:
    digest = hmac.new(key, message(opd_code, year, model_sha), hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(key: bytes, signature: object, opd_code: str, year: int, model_sha: str) -> bool:
    """True when ``signature`` (as read from a workbook: anything) was made with ``key`` over
    exactly this identity and form."""
    if not isinstance(signature, str) or not signature.startswith(PREFIX):
        return False
    return hmac.compare_digest(signature.strip(), sign(key, opd_code, year, model_sha))


def key_path(register_path: Path) -> Path:
    return register_path.with_name(register_path.name + ".key")


def load_key(path: Path, create: bool) -> bytes | None:
    """The key in ``path``; made (0600, written atomically) when absent and ``create``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        return _create_key(path)
    except OSError as exc:
        raise RegisterError(f"{path}: kunci register tidak dapat dibaca ({exc.strerror}). Periksa izin "
                        "berkasnya; tanpa kunci ini tanda tangan formulir tidak dapat dibuat atau "
                        "diperiksa.") from None
    key = bytes.fromhex(data.decode("ascii", "replace").strip()) if _is_hex(data) else b""
    if len(key) != KEY_BYTES:
        raise RegisterError(f"{path}: berkas kunci register rusak (bukan {KEY_BYTES} byte heksadesimal). "
                        "Kembalikan dari cadangan; membuat kunci baru membuat semua formulir yang "
                        "sudah diterbitkan tidak dapat diperiksa lagi.")
    return key


def _is_hex(data: bytes) -> bool:
    text = data.decode("ascii", "replace").strip()
    return bool(text) and all(c in "0123456789abcdefABCDEF" for c in text)


def _create_key(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
        os.chmod(tmp, 0o600)  # whatever the umask
        try:
            os.link(tmp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            return load_key(path, create=False)
        except OSError:  # file systems without hard links
            if path.exists():
                return load_key(path, create=False)
            os.replace(tmp, path)
    except OSError as exc:
        raise RegisterError(f"{path}: kunci register tidak dapat dibuat ({exc.strerror or exc}). "
                        "Pilih folder register yang dapat ditulisi.") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return key
