"""How the ledger stores entries and models: compact JSON (or the model text), zlib-compressed.

Workers compress (:meth:`~.records.FileResult.pack_for_ledger`) so that the process writing the
ledger only inserts bytes; the ledger unpacks.
"""

from __future__ import annotations

import json
import zlib


def pack(obj) -> bytes:
    return zlib.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def pack_model(model: str) -> bytes:
    return zlib.compress(model.encode("utf-8"), 6)


def unpack(blob):
    if blob is None:
        return None
    return json.loads(zlib.decompress(blob).decode("utf-8"))
