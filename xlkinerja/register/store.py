"""The register of issued forms: an SQLite file kept by the office that generates the forms.

Tables:

- ``versions``: one row per form version issued to an OPD for a year (identified by the SHA-256
  of the form's canonical JSON), with its signature, its total pagu, and, for a version that
  replaces another of the same OPD and year, the version it ``revises``, what kind of revision
  it is (``revision_kind``, e.g. an APBD Perubahan) and from which triwulan it applies
  (``effective_quarter``). A new version of the same OPD and year without a stated kind revises
  the one issued before it.
- ``budget_rows``: the pagu of every budget row of every version, in form order.
- ``models``: the form of each version as JSON (zlib), so that consolidation knows the pagu of
  an OPD that sent nothing.
- ``issues``: every time a version was written to a workbook: when, from which spec or master,
  into which file, by which xlkinerja.

The secret key that signs the forms sits beside the register (``<register>.key``, 0600); see
:mod:`.signature`. The register is written in one short transaction per issued form.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from xlkinerja.base.version import __version__
from xlkinerja.form.model import Form, form_json, form_sha256
from xlkinerja.register import signature as sig
from xlkinerja.register.signature import RegisterError

FILENAME = "register_formulir.sqlite"
SCHEMA_VERSION = "1"
#: how far up from a folder :func:`find_register` looks for the register (the folder itself,
#: then its parent and grandparent: ``kantor/rekap/`` finds ``kantor/register_formulir.sqlite``)
SEARCH_DEPTH = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    opd_code TEXT NOT NULL,
    opd_name TEXT NOT NULL,
    year INTEGER NOT NULL,
    model_sha TEXT NOT NULL,
    signature TEXT NOT NULL,
    total_pagu REAL NOT NULL,
    n_budget_rows INTEGER NOT NULL,
    n_indicators INTEGER NOT NULL,
    first_issued TEXT NOT NULL,
    revises INTEGER REFERENCES versions(id),
    revision_kind TEXT,
    effective_quarter INTEGER CHECK (effective_quarter IS NULL OR effective_quarter BETWEEN 1 AND 4),
    UNIQUE (opd_code, year, model_sha)
);
CREATE TABLE IF NOT EXISTS budget_rows (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    position INTEGER NOT NULL,
    row_id TEXT NOT NULL,
    code TEXT,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    pagu REAL NOT NULL,
    PRIMARY KEY (version_id, row_id)
);
CREATE TABLE IF NOT EXISTS models (model_sha TEXT PRIMARY KEY, model BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS issues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    issued_at TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source TEXT,
    output TEXT,
    generator TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_opd ON versions(year, opd_code);
CREATE INDEX IF NOT EXISTS issues_version ON issues(version_id);
"""


@dataclass(frozen=True)
class IssuedVersion:
    """One version of one OPD's form for one year, as the register knows it."""

    id: int
    opd_code: str
    opd_name: str
    year: int
    model_sha: str
    total_pagu: float
    n_budget_rows: int
    n_indicators: int
    first_issued: str
    last_issued: str
    n_issues: int
    revises: int | None = None
    revision_kind: str | None = None
    effective_quarter: int | None = None
    outputs: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Check:
    """What the register says about the identity a workbook claims.

    ``status``: ``"issued"`` (signature verifies, the version is the current one of its OPD and
    year), ``"older"`` (verifies, but a later version of the same OPD and year was issued:
    ``current`` names it), ``"unsigned"`` (no signature), ``"bad_signature"`` (a signature this
    register's key did not make: regenerated elsewhere, or the identity or form edited),
    ``"not_issued"`` (the signature verifies but the register has no such version)."""

    status: str
    version: IssuedVersion | None = None
    current: IssuedVersion | None = None
    other_register: bool = False  # the workbook names another register than this one

    @property
    def authentic(self) -> bool:
        return self.status in ("issued", "older")


class Register:
    """An open register. ``Register.open(path)`` for an existing one, ``Register.create(path)``
    to open or make one (with its key). Close it (or use ``with``)."""

    def __init__(self, path: Path, db: sqlite3.Connection, key: bytes, writable: bool):
        self.path = path
        self.db = db
        self.key = key
        self.writable = writable
        self.id = self._meta("register_id") or ""

    # -- opening ------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, writable: bool = False) -> "Register":
        path = Path(path)
        if not path.is_file():
            raise RegisterError(f"{path}: register formulir tidak ditemukan. Register dibuat oleh "
                                "'xlkinerja generate' di folder formulir yang diterbitkan "
                                f"({FILENAME}); sebutkan lokasinya dengan --register.")
        key = sig.load_key(sig.key_path(path), create=False)
        if key is None:
            raise RegisterError(f"{sig.key_path(path)}: kunci register tidak ada. Tanpa kunci ini "
                                "tanda tangan formulir tidak dapat diperiksa; kembalikan berkas "
                                "kunci dari cadangan ke samping register.")
        return cls(path, cls._connect(path, writable), key, writable)

    @classmethod
    def create(cls, path: str | Path) -> "Register":
        """Open the register at ``path`` for writing, making it and its key if absent."""
        path = Path(path)
        if path.exists() and not path.is_file():
            raise RegisterError(f"{path} adalah folder; register adalah sebuah berkas "
                                f"(mis. {path / FILENAME})")
        fresh = not path.exists()
        if not fresh and sig.load_key(sig.key_path(path), create=False) is None:
            raise RegisterError(f"{sig.key_path(path)}: kunci register tidak ada, padahal register "
                                "sudah berisi formulir. Kembalikan kunci dari cadangan; kunci baru "
                                "membuat formulir yang sudah diterbitkan tidak dapat diperiksa.")
        key = sig.load_key(sig.key_path(path), create=True)
        db = cls._connect(path, writable=True)
        reg = cls(path, db, key, writable=True)
        if not reg.id:
            reg.id = str(uuid.uuid4())
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('register_id', ?)", (reg.id,))
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('created', ?)", (_now(),))
            reg.id = reg._meta("register_id")
        return reg

    @staticmethod
    def _connect(path: Path, writable: bool) -> sqlite3.Connection:
        try:
            if writable:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, isolation_level=None, timeout=30.0)
                db.execute("PRAGMA journal_mode=DELETE")
                db.execute("PRAGMA synchronous=FULL")
                db.executescript(SCHEMA)
                db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                           (SCHEMA_VERSION,))
            else:
                db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                     isolation_level=None, timeout=30.0)
            row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{path}: bukan register formulir xlkinerja yang sah ({exc}).") from None
        if row is None or row[0] != SCHEMA_VERSION:
            db.close()
            raise RegisterError(f"{path}: register versi {row[0] if row else '?'} tidak dikenal oleh "
                                "xlkinerja ini; perbarui xlkinerja.")
        return db

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Register":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- issuing --------------------------------------------------------------------------------
    def signature_for(self, form: Form) -> str:
        return sig.sign(self.key, form.opd_code, form.year, form_sha256(form))

    def issue(self, form: Form, output: str | Path | None, source: str | Path | None,
              source_kind: str, issued_at: dt.datetime | None = None, revises: int | None = None,
              revision_kind: str | None = None,
              effective_quarter: int | None = None) -> IssuedVersion:
        """Record that ``form`` was written to ``output`` (one transaction). The version is
        recorded once; every issue of it is a row of ``issues``. A new version of an OPD and year
        that already has one revises the latest unless ``revises`` says otherwise; a form that
        carries its revision (``Form.revision``) names its kind, the triwulan it applies from, and
        the version it revises."""
        if not self.writable:
            raise RegisterError(f"{self.path}: register dibuka hanya untuk dibaca")
        rev = getattr(form, "revision", None)  # an APBD Perubahan or pergeseran says what it revises
        if rev is not None:
            revision_kind = revision_kind or rev.kind.value
            effective_quarter = effective_quarter or rev.effective_quarter
            if revises is None and rev.revises:
                revised = self.find(form.opd_code, form.year, rev.revises)
                revises = revised.id if revised else None
        when = (issued_at or dt.datetime.now()).astimezone().replace(microsecond=0).isoformat()
        text = form_json(form)
        sha = form_sha256(form)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute("SELECT id FROM versions WHERE opd_code=? AND year=? AND model_sha=?",
                                  (form.opd_code, form.year, sha)).fetchone()
            if row is None:
                if revises is None:
                    prev = self._current_row(form.opd_code, form.year)
                    revises = prev[0] if prev else None
                cur = self.db.execute(
                    """INSERT INTO versions(opd_code, opd_name, year, model_sha, signature, total_pagu,
                       n_budget_rows, n_indicators, first_issued, revises, revision_kind,
                       effective_quarter) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
                    (form.opd_code, form.opd_name, form.year, sha, self.signature_for(form),
                     float(form.total_pagu), len(form.budget_rows()), len(form.indicators()), when,
                     revises, revision_kind, effective_quarter))
                version_id = cur.lastrowid
                self.db.executemany(
                    "INSERT INTO budget_rows(version_id, position, row_id, code, name, level, pagu) "
                    "VALUES (?,?,?,?,?,?,?)",
                    [(version_id, i, r.id, r.code, r.name, r.level.value, float(r.pagu))
                     for i, r in enumerate(form.budget_rows())])
                self.db.execute("INSERT OR IGNORE INTO models(model_sha, model) VALUES (?, ?)",
                                (sha, zlib.compress(text.encode("utf-8"), 6)))
            else:
                version_id = row[0]
            self.db.execute(
                "INSERT INTO issues(version_id, issued_at, source_kind, source, output, generator) "
                "VALUES (?,?,?,?,?,?)",
                (version_id, when, source_kind, None if source is None else str(source),
                 None if output is None else str(Path(output).resolve()), f"xlkinerja {__version__}"))
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        return self.version(version_id)

    # -- reading --------------------------------------------------------------------------------
    _VERSION_SQL = """SELECT v.id, v.opd_code, v.opd_name, v.year, v.model_sha, v.total_pagu,
        v.n_budget_rows, v.n_indicators, v.first_issued, MAX(i.issued_at), COUNT(i.id), v.revises,
        v.revision_kind, v.effective_quarter, MAX(i.id)
        FROM versions v LEFT JOIN issues i ON i.version_id = v.id"""

    def _make(self, row) -> IssuedVersion:
        outputs = tuple(r[0] for r in self.db.execute(
            "SELECT output FROM issues WHERE version_id=? AND output IS NOT NULL ORDER BY id",
            (row[0],)))
        return IssuedVersion(*row[:9], last_issued=row[9] or row[8], n_issues=row[10],
                             revises=row[11], revision_kind=row[12], effective_quarter=row[13],
                             outputs=outputs)

    def version(self, version_id: int) -> IssuedVersion:
        row = self.db.execute(self._VERSION_SQL + " WHERE v.id=? GROUP BY v.id", (version_id,)).fetchone()
        return self._make(row)

    def find(self, opd_code: str, year: int, model_sha: str) -> IssuedVersion | None:
        row = self.db.execute(self._VERSION_SQL + " WHERE v.opd_code=? AND v.year=? AND v.model_sha=? "
                              "GROUP BY v.id", (opd_code, int(year), model_sha)).fetchone()
        return self._make(row) if row else None

    def _current_row(self, opd_code: str, year: int):
        """The version issued last for this OPD and year (by the order of issue)."""
        return self.db.execute(
            """SELECT v.id FROM versions v JOIN issues i ON i.version_id = v.id
               WHERE v.opd_code=? AND v.year=? ORDER BY i.id DESC LIMIT 1""",
            (opd_code, int(year))).fetchone()

    def current(self, opd_code: str, year: int) -> IssuedVersion | None:
        row = self._current_row(opd_code, year)
        return self.version(row[0]) if row else None

    def versions(self, year: int | None = None) -> list[IssuedVersion]:
        where = "" if year is None else " WHERE v.year=?"
        rows = self.db.execute(self._VERSION_SQL + where + " GROUP BY v.id ORDER BY v.year, v.opd_code, v.id",
                               () if year is None else (int(year),)).fetchall()
        return [self._make(r) for r in rows]

    def current_versions(self, year: int) -> dict[str, IssuedVersion]:
        """Who must report for ``year``: every OPD with a form issued for it, and its current
        version (the one issued last)."""
        latest: dict[str, tuple[int, IssuedVersion]] = {}
        for v in self.versions(year):
            last_issue = self.db.execute("SELECT MAX(id) FROM issues WHERE version_id=?",
                                         (v.id,)).fetchone()[0] or 0
            if v.opd_code not in latest or last_issue > latest[v.opd_code][0]:
                latest[v.opd_code] = (last_issue, v)
        return {code: v for code, (_, v) in sorted(latest.items())}

    def years(self) -> dict[int, int]:
        """Years with issued forms, and how many OPD each."""
        return {y: n for y, n in self.db.execute(
            "SELECT year, COUNT(DISTINCT opd_code) FROM versions GROUP BY year ORDER BY year")}

    def model(self, model_sha: str) -> str | None:
        row = self.db.execute("SELECT model FROM models WHERE model_sha=?", (model_sha,)).fetchone()
        return zlib.decompress(row[0]).decode("utf-8") if row else None

    def form(self, version: IssuedVersion) -> Form:
        import json

        return Form.from_dict(json.loads(self.model(version.model_sha)))

    def issues(self, version_id: int) -> list[tuple[str, str, str | None, str | None]]:
        """(issued_at, source_kind, source, output) of every issue of a version, oldest first."""
        return list(self.db.execute(
            "SELECT issued_at, source_kind, source, output FROM issues WHERE version_id=? ORDER BY id",
            (version_id,)))

    # -- checking a workbook ------------------------------------------------------------------------
    def check(self, opd_code: str, year: int, model_sha: str, signature: object,
              register_id: object = None) -> Check:
        other = bool(register_id) and isinstance(register_id, str) and register_id != self.id
        if not isinstance(signature, str) or not signature.strip():
            return Check("unsigned", other_register=other)
        if not sig.verify(self.key, signature, opd_code, year, model_sha):
            return Check("bad_signature", other_register=other)
        version = self.find(opd_code, year, model_sha)
        if version is None:
            return Check("not_issued", other_register=other)
        current = self.current(opd_code, year)
        if current is not None and current.id != version.id:
            return Check("older", version, current)
        return Check("issued", version, version)


class RegisterOnDemand:
    """A register for ``generate`` that is opened (and, when absent, made with its key) only when
    the first form is about to be written: a run that writes nothing leaves no register behind."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._reg: Register | None = None

    def _open(self) -> Register:
        if self._reg is None:
            self._reg = Register.create(self.path)
        return self._reg

    @property
    def opened(self) -> bool:
        return self._reg is not None

    @property
    def id(self) -> str:
        return self._open().id

    def signature_for(self, form: Form) -> str:
        return self._open().signature_for(form)

    def issue(self, *args, **kwargs) -> IssuedVersion:
        return self._open().issue(*args, **kwargs)

    def close(self) -> None:
        if self._reg is not None:
            self._reg.close()

    def __enter__(self) -> "RegisterOnDemand":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def find_register(places: Iterable[str | Path], depth: int = SEARCH_DEPTH) -> Path | None:
    """The register beside the first of ``places`` (files or folders) that has one, looking in
    the folder and up to ``depth`` folders above it."""
    for place in places:
        folder = Path(place)
        if not folder.is_dir():
            folder = folder.parent
        folder = folder.resolve()
        for candidate in [folder, *list(folder.parents)[:depth]]:
            path = candidate / FILENAME
            if path.is_file():
                return path
    return None


def _now() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


__all__ = ["Register", "RegisterOnDemand", "RegisterError", "IssuedVersion", "Check", "find_register", "FILENAME"]
