"""A reader of compound files and VBA projects written from [MS-CFB] and [MS-OVBA], for tests.

It shares no code with pyOpenVBA (which builds our vbaProject.bin) or with xlkinerja: it parses
the bytes as the specifications describe them and lists every writer MUST it finds broken, so
that pyOpenVBA is never the one checking itself. Section numbers are those of [MS-CFB] v20240423
and [MS-OVBA] v20240423.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
FREESECT, ENDOFCHAIN, FATSECT, DIFSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC, 0xFFFFFFFF
MAXREGSECT = 0xFFFFFFFA
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class Entry:
    index: int
    name: str
    kind: int
    color: int
    left: int
    right: int
    child: int
    clsid: bytes
    start: int
    size: int
    created: int
    modified: int


@dataclass
class CompoundFile:
    data: bytes
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        d = self.data
        p = self.problems
        if d[:8] != SIGNATURE:
            raise ValueError("[MS-CFB] 2.2: header signature missing")
        (minor, major, order, shift, mini_shift) = struct.unpack_from("<HHHHH", d, 24)
        if d[8:24] != bytes(16):
            p.append("2.2 Header CLSID MUST be all zeroes")
        if minor != 0x003E:
            p.append(f"2.2 Minor Version SHOULD be 0x003E, is 0x{minor:04X}")
        if (major, shift) not in ((3, 9), (4, 12)):
            p.append(f"2.2 Major Version {major} with Sector Shift {shift}")
        if order != 0xFFFE:
            p.append("2.2 Byte Order MUST be 0xFFFE")
        if mini_shift != 6:
            p.append("2.2 Mini Sector Shift MUST be 6")
        if d[34:40] != bytes(6):
            p.append("2.2 Reserved MUST be zero")
        (n_dir, n_fat, self.first_dir, _txn, cutoff, self.first_minifat, n_minifat,
         first_difat, n_difat) = struct.unpack_from("<IIIIIIIII", d, 40)
        if major == 3 and n_dir != 0:
            p.append("2.2 Number of Directory Sectors MUST be 0 for version 3")
        if cutoff != 0x1000:
            p.append("2.2 Mini Stream Cutoff Size MUST be 4096")
        self.sector_size = 1 << shift
        difat = list(struct.unpack_from("<109I", d, 76))
        sector = first_difat
        for _ in range(n_difat):
            words = struct.unpack_from(f"<{self.sector_size // 4}I", d, self._offset(sector))
            difat.extend(words[:-1])
            sector = words[-1]
        fat_sectors = [s for s in difat if s != FREESECT]
        if len(fat_sectors) != n_fat:
            p.append(f"2.2 Number of FAT Sectors {n_fat}, DIFAT lists {len(fat_sectors)}")
        self.fat: list[int] = []
        for s in fat_sectors:
            self.fat.extend(struct.unpack_from(f"<{self.sector_size // 4}I", d, self._offset(s)))
        for s in fat_sectors:
            if self.fat[s] != FATSECT:
                p.append(f"2.3 FAT sector {s} MUST be marked FATSECT")
        dir_bytes = self._chain_bytes(self.first_dir)
        self.entries = [self._entry(i, dir_bytes[i * 128:(i + 1) * 128])
                        for i in range(len(dir_bytes) // 128)]
        root = self.entries[0]
        if root.kind != ROOT:
            p.append("2.6.2 the first directory entry MUST be the root storage")
        self.ministream = self._chain_bytes(root.start)[:root.size] if root.start != ENDOFCHAIN else b""
        self.minifat = list(struct.unpack(f"<{len(b) // 4}I", b)) if (
            b := self._chain_bytes(self.first_minifat) if self.first_minifat != ENDOFCHAIN else b"") else []
        self._check_entries()
        self._check_trees()

    # -- sectors and chains ----------------------------------------------------------------
    def _offset(self, sector: int) -> int:
        return (sector + 1) * self.sector_size

    def _chain(self, start: int, fat: list[int]) -> list[int]:
        out, seen = [], set()
        s = start
        while s != ENDOFCHAIN:
            if s > MAXREGSECT or s >= len(fat) or s in seen:
                raise ValueError(f"[MS-CFB] 2.3: broken sector chain at {s:#x}")
            seen.add(s)
            out.append(s)
            s = fat[s]
        return out

    def _chain_bytes(self, start: int) -> bytes:
        return b"".join(self.data[self._offset(s):self._offset(s) + self.sector_size]
                        for s in self._chain(start, self.fat))

    def stream(self, entry: Entry) -> bytes:
        if entry.size < 0x1000:
            parts = [self.ministream[s * 64:(s + 1) * 64] for s in self._chain(entry.start, self.minifat)] \
                if entry.size else []
            return b"".join(parts)[:entry.size]
        return self._chain_bytes(entry.start)[:entry.size]

    # -- directory -------------------------------------------------------------------------
    @staticmethod
    def _entry(i: int, raw: bytes) -> Entry:
        length = struct.unpack_from("<H", raw, 64)[0]
        name = raw[:max(0, length - 2)].decode("utf-16-le", "replace")
        kind, color = raw[66], raw[67]
        left, right, child = struct.unpack_from("<III", raw, 68)
        created, modified = struct.unpack_from("<QQ", raw, 100)
        start, size = struct.unpack_from("<IQ", raw, 116)
        return Entry(i, name, kind, color, left, right, child, raw[80:96], start, size, created, modified)

    def _check_entries(self) -> None:
        p = self.problems
        for e in self.entries:
            if e.kind == 0:
                continue
            if e.color not in (RED, BLACK):
                p.append(f"2.6.1 entry {e.name!r}: Color Flag MUST be 0 or 1")
            if e.kind == STORAGE and (e.start != 0 or e.size != 0):
                p.append(f"2.6.3 storage {e.name!r}: Starting Sector Location and Stream Size "
                         f"MUST be 0 (are {e.start:#x}, {e.size})")
            if e.kind == STREAM:
                if e.clsid != bytes(16):
                    p.append(f"2.6.1 stream {e.name!r}: CLSID MUST be zero")
                if e.created or e.modified:
                    p.append(f"2.6.1 stream {e.name!r}: times MUST be zero")
                if e.child != NOSTREAM:
                    p.append(f"2.6.1 stream {e.name!r}: Child ID MUST be NOSTREAM")
            if e.kind == ROOT and e.created:
                p.append("2.6.2 root entry: Creation Time MUST be zero")

    @staticmethod
    def _less(a: str, b: str) -> bool:
        if len(a) != len(b):
            return len(a) < len(b)
        return a.upper() < b.upper()

    def _check_trees(self) -> None:
        """2.6.4: per storage, its children form a tree with a black root, no red node with a
        red child, and left < right in CFB name order."""
        p = self.problems
        for parent in (e for e in self.entries if e.kind in (STORAGE, ROOT)):
            if parent.child == NOSTREAM:
                continue
            top = self.entries[parent.child]
            if top.color != BLACK:
                p.append(f"2.6.4 storage {parent.name!r}: the root of its tree MUST be black")
            stack = [(top, None, None)]
            while stack:
                node, low, high = stack.pop()
                if low is not None and not self._less(low, node.name):
                    p.append(f"2.6.4 {parent.name!r}: {node.name!r} out of order")
                if high is not None and not self._less(node.name, high):
                    p.append(f"2.6.4 {parent.name!r}: {node.name!r} out of order")
                for side, lo, hi in ((node.left, low, node.name), (node.right, node.name, high)):
                    if side == NOSTREAM:
                        continue
                    kid = self.entries[side]
                    if node.color == RED and kid.color == RED:
                        p.append(f"2.6.4 {parent.name!r}: red {node.name!r} has red child {kid.name!r}")
                    stack.append((kid, lo, hi))

    def children(self, parent: Entry) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        stack = [parent.child]
        while stack:
            i = stack.pop()
            if i == NOSTREAM:
                continue
            e = self.entries[i]
            out[e.name] = e
            stack += [e.left, e.right]
        return out

    def path(self, *names: str) -> Entry:
        e = self.entries[0]
        for name in names:
            e = {k.upper(): v for k, v in self.children(e).items()}[name.upper()]
        return e


# -- [MS-OVBA] 2.4.1 decompression --------------------------------------------------------------

def decompress(data: bytes) -> bytes:
    if not data or data[0] != 0x01:
        raise ValueError("[MS-OVBA] 2.4.1.1.1: CompressedContainer SignatureByte MUST be 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError("[MS-OVBA] 2.4.1.1.5: CompressedChunkSignature MUST be 0b011")
        chunk = data[pos + 2:pos + size]
        pos += size
        start = len(out)
        if not header >> 15:
            out += chunk[:4096]
            continue
        i = 0
        while i < len(chunk):
            flags = chunk[i]
            i += 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if not flags >> bit & 1:
                    out.append(chunk[i])
                    i += 1
                    continue
                token = struct.unpack_from("<H", chunk, i)[0]
                i += 2
                difference = len(out) - start
                bits = max((difference - 1).bit_length(), 4)
                length_mask = 0xFFFF >> bits
                length = (token & length_mask) + 3
                offset = (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


# -- [MS-OVBA] 2.3.4.2 dir stream ---------------------------------------------------------------

@dataclass
class Module:
    name: str
    stream_name: str
    offset: int
    kind: int  # 0x0021 procedural, 0x0022 document/class
    cookie: int


@dataclass
class Project:
    cfb: CompoundFile
    storage: tuple[str, ...] = ("VBA",)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        vba = self.storage
        head = self.cfb.stream(self.cfb.path(*vba, "_VBA_PROJECT"))
        reserved1, version = struct.unpack_from("<HH", head, 0)
        if reserved1 != 0x61CC:
            self.problems.append("2.3.4.1 _VBA_PROJECT Reserved1 MUST be 0x61CC")
        self.version, self.vba_project = version, head
        raw = decompress(self.cfb.stream(self.cfb.path(*vba, "dir")))
        self.modules: list[Module] = []
        self.project_cookie = None
        self._parse_dir(raw)

    def _parse_dir(self, raw: bytes) -> None:
        pos, current = 0, None
        while True:
            rid, size = struct.unpack_from("<HI", raw, pos)
            body_at = pos + 6
            if rid == 0x0009:  # PROJECTVERSION: Reserved (4) says 4, MajorVersion 4 + MinorVersion 2
                size = 6
            body = raw[body_at:body_at + size]
            pos = body_at + size
            if rid == 0x0013:
                self.project_cookie = struct.unpack("<H", body)[0]
            elif rid == 0x0019:
                current = Module(body.decode("cp1252"), "", 0, 0, -1)
            elif rid == 0x001A:
                current.stream_name = body.decode("cp1252")
            elif rid == 0x0031:
                current.offset = struct.unpack("<I", body)[0]
            elif rid in (0x0021, 0x0022):
                current.kind = rid
            elif rid == 0x002C:
                current.cookie = struct.unpack("<H", body)[0]
            elif rid == 0x002B:
                self.modules.append(current)
                current = None
            elif rid == 0x0010:
                if pos != len(raw):
                    self.problems.append(f"2.3.4.2 dir stream: {len(raw) - pos} bytes after the "
                                         "Terminator")
                break
        self.dir_size = len(raw)

    def project_properties(self) -> list[tuple[str, str]]:
        """The PROJECT stream's properties ([MS-OVBA] 2.3.1), in order (``Document=Sheet1/&H0``
        names a document module, ``Class=`` a class, ``Module=`` a standard module)."""
        text = self.cfb.stream(self.cfb.path("PROJECT")).decode("cp1252")
        out = []
        for line in text.split("\r\n"):
            if line.startswith("["):
                break
            if "=" in line:
                key, value = line.split("=", 1)
                out.append((key, value))
        return out

    def document_modules(self) -> set[str]:
        return {v.split("/")[0] for k, v in self.project_properties() if k == "Document"}

    def source(self, module: Module) -> str:
        data = self.cfb.stream(self.cfb.path(*self.storage, module.stream_name))
        return decompress(data[module.offset:]).decode("cp1252")

    def writer_problems(self) -> list[str]:
        """Every MUST for a writer this reader checks, broken."""
        out = list(self.cfb.problems) + list(self.problems)
        if self.version != 0xFFFF:
            out.append(f"2.3.4.1 _VBA_PROJECT Version MUST be 0xFFFF on write, is 0x{self.version:04X}")
        elif self.vba_project != b"\xCC\x61\xFF\xFF\x00\x00\x00":
            out.append("2.3.4.1 with Version 0xFFFF the stream is the 7-byte form "
                       "(Reserved2 0x00, Reserved3 0x0000, no PerformanceCache)")
        if self.project_cookie != 0xFFFF:
            out.append(f"2.3.4.2.3.1 PROJECTCOOKIE Cookie MUST be 0xFFFF on write "
                       f"(is {self.project_cookie:#06x})")
        for m in self.modules:
            if m.cookie != 0xFFFF:
                out.append(f"2.3.4.2.3.2.9 MODULECOOKIE of {m.name} MUST be 0xFFFF on write "
                           f"(is {m.cookie:#06x})")
        return out
