"""Outputs are written atomically: to a temporary file beside the target, then renamed.

An interrupted run leaves the previous output intact; a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class AtomicFile:
    """A temporary file beside ``path``: ``commit()`` renames it into place, ``abort()`` drops it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(tmp)

    def commit(self) -> Path:
        os.chmod(self.tmp, _umask_mode())
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        if self.tmp.exists():
            self.tmp.unlink()


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``path``."""
    f = AtomicFile(path)
    try:
        yield f.tmp
        f.commit()
    finally:
        f.abort()
