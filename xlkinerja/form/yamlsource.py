"""YAML documents that remember where every value came from.

Spec and fill files are written by people; an error must name the line. PyYAML's composer keeps
the position of every node; this module turns the node tree into plain Python values and a map
from each value's path to its line, and refuses duplicate keys (which PyYAML silently merges).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple  # a path into the document: ("program", 2, "kegiatan", 0, "name")


@dataclass
class Problem:
    """One thing wrong with a document, where it is and what to do.

    A YAML problem has a ``line``; a problem in a table (the master) has a ``cell`` instead:
    ``sheet``, 1-based ``row`` and 0-based ``col`` as Excel shows them ("Anggaran!F12") and the
    ``column`` header.
    """

    path: Path_
    line: int | None
    message: str
    sheet: str | None = None
    row: int | None = None
    col: int | None = None
    column: str | None = None

    def where(self) -> str:
        return format_path(self.path)

    @property
    def cell(self) -> str | None:
        if self.sheet is None or self.row is None:
            return None
        if self.col is None:
            return f"{self.sheet}!{self.row}:{self.row}"
        return f"{self.sheet}!{cell_name(self.row, self.col)}"

    def location(self) -> str:
        """Where, in words: "Anggaran!F12 (Pagu)", or "baris 12, program[0].pagu"."""
        if self.cell:
            return self.cell + (f" ({self.column})" if self.column else "")
        loc = f"baris {self.line}" if self.line else "dokumen"
        where = self.where()
        return loc + (f", {where}" if where else "")


class DocumentError(Exception):
    """A document (spec, fill data, master) is wrong; nothing was written."""

    def __init__(self, source: str, problems: list[Problem], kind: str = "spesifikasi"):
        self.source = source
        self.problems = problems
        self.kind = kind
        super().__init__(self.report())

    def report(self) -> str:
        head = f"{self.source}: {self.kind} tidak dapat dipakai ({len(self.problems)} masalah)."
        lines = [head]
        for p in self.problems:
            lines.append(f"  - {p.location()}: {p.message}")
        lines.append("  Tidak ada berkas yang ditulis. Perbaiki masalah di atas lalu ulangi.")
        return "\n".join(lines)


def cell_name(row: int, col: int) -> str:
    """Excel's name of a cell from a 1-based row and a 0-based column: (12, 5) -> "F12"."""
    letters, n = "", col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Located:
    """A parsed document with the line of every path (a document for :mod:`formcheck`)."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    quote_hint = "tulis dalam tanda kutip"

    def line(self, path: Path_) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(path, self.line(path), message)

    def where(self, path: Path_) -> str:
        return f"baris {self.line(path)}"

    def label(self, path: Path_) -> str | None:
        return None  # messages name the spec's own keys


def load_located(text: str, source: str) -> Located:
    """Parse YAML text; raise DocumentError naming the line on syntax errors or duplicate keys."""
    problems: list[Problem] = []
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "format YAML tidak sah"
        raise DocumentError(source, [Problem((), line, f"format YAML tidak sah: {what}")]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - defensive
        raise DocumentError(source, [Problem((), None, f"format YAML tidak sah: {exc}")]) from None
    if root is None:
        raise DocumentError(source, [Problem((), None, "berkas kosong")])

    lines: dict[Path_, int] = {}
    constructor = yaml.SafeLoader("")

    def convert(node: yaml.Node, path: Path_, line: int | None = None) -> Any:
        # a mapping entry is located at its key (a block value starts on the next line)
        lines[path] = line or node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for key_node, value_node in node.value:
                key = constructor.construct_object(key_node, deep=True)
                if isinstance(key, (list, dict)):
                    problems.append(Problem(path, key_node.start_mark.line + 1,
                                            "kunci harus berupa teks"))
                    continue
                if key in out:
                    problems.append(Problem(path + (key,), key_node.start_mark.line + 1,
                                            f"kunci {key!r} ditulis dua kali"))
                    continue
                out[key] = convert(value_node, path + (key,), key_node.start_mark.line + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [convert(item, path + (i,)) for i, item in enumerate(node.value)]
        return constructor.construct_object(node, deep=True)

    try:
        data = convert(root, ())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DocumentError(source, [Problem((), mark.line + 1 if mark else None,
                                             f"nilai YAML tidak sah: {exc}")]) from None
    if problems:
        raise DocumentError(source, problems)
    return Located(data, lines)


def read_text(path: Path) -> str:
    """Read a document as UTF-8 (BOM tolerated); DocumentError when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(str(path), [Problem((), None, f"berkas tidak dapat dibaca: {exc.strerror}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(str(path), [Problem((), None,
                            "berkas bukan teks UTF-8; simpan ulang sebagai UTF-8")]) from None
