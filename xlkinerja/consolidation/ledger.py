"""The ledger: an SQLite database of every file consolidation has seen.

- ``contents``: one row per distinct file content (sha256): identity, findings and the input cells,
  so a later run reads only new or changed files.
- ``models``: the form of each template version (by hash), stored once.
- ``sightings``: every file seen at a path in a run, with its status (diterima, digantikan,
  ditolak, duplikat, konflik) and what superseded it.
- ``runs``: when each consolidation ran, over what, into what.
- ``quarter_sources``: per run, OPD and triwulan, the file (content) and the form version its
  figures came from, and the budget that quarter was reported against (murni, perubahan,
  pergeseran): which version each quarter came from after an APBD Perubahan.
- ``withdrawals``: submissions withdrawn explicitly (``xlkinerja tarik``): who, when, why. A
  withdrawn content is not counted again, from the inputs or from the archive.
- ``exports``: every export file a run wrote and its SHA-256, so that the recap's button never
  writes over a file xlkinerja did not write.

Order of arrival is the ledger's: ``contents.first_seen`` (the run that first saw a content) and
``first_mtime`` (the file's time on disk then), never the workbook's own "last saved".

A run writes in one transaction: an interrupted run leaves the previous ledger as it was.
Accepted versions are archived by content under ``<ledger>.arsip/ab/abcdef....xlsx``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from xlkinerja.consolidation.blobs import pack, pack_model, unpack
from xlkinerja.consolidation.records import FileResult

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contents (
    sha256 TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    size INTEGER NOT NULL,
    readable INTEGER NOT NULL,
    opd_code TEXT, opd_name TEXT, year INTEGER, quarter INTEGER, filled TEXT,
    model_sha TEXT, generated_at TEXT, saved_at TEXT,
    n_error INTEGER NOT NULL, n_warning INTEGER NOT NULL, n_info INTEGER NOT NULL,
    findings BLOB NOT NULL,
    entries BLOB,
    archive TEXT,
    first_seen TEXT NOT NULL,
    first_mtime REAL,
    signature TEXT,
    register_id TEXT
);
CREATE TABLE IF NOT EXISTS models (model_sha TEXT PRIMARY KEY, model BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL, finished TEXT, output TEXT, inputs TEXT,
    n_files INTEGER, n_read INTEGER, summary TEXT
);
CREATE TABLE IF NOT EXISTS sightings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    path TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL,
    size INTEGER NOT NULL, mtime REAL NOT NULL,
    status TEXT NOT NULL, superseded_by TEXT, note TEXT
);
CREATE TABLE IF NOT EXISTS withdrawals (
    sha256 TEXT PRIMARY KEY,
    withdrawn_at TEXT NOT NULL, withdrawn_by TEXT NOT NULL, reason TEXT NOT NULL,
    name TEXT
);
CREATE TABLE IF NOT EXISTS exports (
    path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, run_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sightings_run ON sightings(run_id);
CREATE TABLE IF NOT EXISTS quarter_sources (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    opd_code TEXT NOT NULL, quarter INTEGER NOT NULL,
    sha256 TEXT NOT NULL, name TEXT NOT NULL, model_sha TEXT, basis TEXT NOT NULL,
    PRIMARY KEY (run_id, opd_code, quarter)
);
CREATE INDEX IF NOT EXISTS contents_opd ON contents(opd_code, year);
"""


class LedgerError(Exception):
    pass


def _busy(exc: sqlite3.Error) -> bool:
    """SQLite gave up waiting for another connection that holds the database."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _busy_error(path: Path) -> LedgerError:
    return LedgerError(f"{path}: ledger sedang dipakai proses lain (konsolidasi lain sedang "
                       "berjalan, atau ledger dibuka program lain). Tunggu sampai selesai, lalu "
                       "ulangi.")


@dataclass
class Sighting:
    run_id: int
    started: str
    path: str
    name: str
    sha256: str
    status: str
    superseded_by: str | None
    note: str | None
    opd_code: str | None
    opd_name: str | None
    year: int | None
    quarter: int | None
    saved_at: str | None
    n_error: int
    n_warning: int
    n_info: int


class Ledger:
    busy_timeout = 30.0  # seconds to wait for another process that is writing the ledger

    def __init__(self, path: Path):
        self.path = Path(path)
        self.archive_dir = self.path.with_name(self.path.name + ".arsip")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=self.busy_timeout)
            self.db.execute("PRAGMA journal_mode=DELETE")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            if _busy(exc):
                raise _busy_error(self.path) from None
            raise LedgerError(f"{self.path}: bukan berkas ledger xlkinerja yang sah ({exc}). "
                              "Pilih lokasi ledger lain dengan --ledger.") from None
        if row is None:
            self.db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise LedgerError(f"{self.path}: ledger versi {row[0]} tidak dikenal oleh xlkinerja ini.")
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(contents)")}
        for name, kind in (("first_mtime", "REAL"), ("signature", "TEXT"), ("register_id", "TEXT")):
            if name not in columns:  # a ledger made before the register: same schema, more columns
                self.db.execute(f"ALTER TABLE contents ADD COLUMN {name} {kind}")
        self.run_id: int | None = None

    # -- a run: one transaction --------------------------------------------------------------
    def begin_run(self, started: str, output: str, inputs: list[str]) -> int:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise _busy_error(self.path) from None
            raise
        cur = self.db.execute("INSERT INTO runs(started, output, inputs) VALUES (?, ?, ?)",
                              (started, output, json.dumps(inputs, ensure_ascii=False)))
        self.run_id = cur.lastrowid
        return self.run_id

    def commit_run(self, finished: str, n_files: int, n_read: int, summary: dict) -> None:
        self.db.execute("UPDATE runs SET finished=?, n_files=?, n_read=?, summary=? WHERE id=?",
                        (finished, n_files, n_read, json.dumps(summary, ensure_ascii=False), self.run_id))
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def close(self) -> None:
        self.rollback()
        self.db.close()

    # -- contents ------------------------------------------------------------------------------
    def known(self, sha: str, fingerprint: str) -> bool:
        row = self.db.execute("SELECT fingerprint FROM contents WHERE sha256=?", (sha,)).fetchone()
        return row is not None and row[0] == fingerprint

    def store(self, result: FileResult, fingerprint: str, seen: str) -> None:
        model = result.model_blob if result.model_blob is not None else (
            pack_model(result.model) if result.model is not None else None)
        if model is not None:
            self.db.execute("INSERT OR IGNORE INTO models(model_sha, model) VALUES (?, ?)",
                            (result.model_sha, model))
        entries = result.entries_blob if result.entries_blob is not None else (
            pack(result.entries) if result.entries is not None else None)
        self.db.execute(
            """INSERT OR REPLACE INTO contents(sha256, fingerprint, size, readable, opd_code, opd_name,
               year, quarter, filled, model_sha, generated_at, saved_at, n_error, n_warning, n_info,
               findings, entries, archive, first_seen, first_mtime, signature, register_id)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,
                       (SELECT archive FROM contents WHERE sha256=?),
                       COALESCE((SELECT first_seen FROM contents WHERE sha256=?), ?),
                       COALESCE((SELECT first_mtime FROM contents WHERE sha256=?), ?), ?, ?)""",
            (result.sha256, fingerprint, result.size, int(result.readable), result.opd_code,
             result.opd_name, result.year, result.quarter, json.dumps(result.filled),
             result.model_sha, result.generated_at, result.saved_at, result.n_error,
             result.n_warning, result.n_info, pack(result.findings), entries,
             result.sha256, result.sha256, seen, result.sha256, result.mtime, result.signature,
             result.register_id))
        result.arrived, result.arrived_mtime = self.arrival(result.sha256)

    def load(self, sha: str, path: str, name: str, mtime: float) -> FileResult:
        """The stored result of a content, as a FileResult for this path."""
        row = self.db.execute(
            """SELECT size, readable, opd_code, opd_name, year, quarter, filled, model_sha,
               generated_at, saved_at, n_error, n_warning, n_info, findings, first_seen,
               first_mtime, signature, register_id
               FROM contents WHERE sha256=?""", (sha,)).fetchone()
        findings = unpack(row[13])
        for f in findings:  # the findings belong to this file name now
            f["file"] = name
        return FileResult(path=path, name=name, sha256=sha, size=row[0], mtime=mtime,
                          saved_at=row[9], readable=bool(row[1]), opd_code=row[2], opd_name=row[3],
                          year=row[4], quarter=row[5], filled=json.loads(row[6] or "[]"),
                          model_sha=row[7], generated_at=row[8], n_error=row[10], n_warning=row[11],
                          n_info=row[12], findings=findings, arrived=row[14],
                          arrived_mtime=row[15] if row[15] is not None else mtime,
                          signature=row[16], register_id=row[17])

    def arrival(self, sha: str) -> tuple[str | None, float | None]:
        row = self.db.execute("SELECT first_seen, first_mtime FROM contents WHERE sha256=?",
                              (sha,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def entries(self, sha: str) -> dict | None:
        row = self.db.execute("SELECT entries FROM contents WHERE sha256=?", (sha,)).fetchone()
        return unpack(row[0]) if row else None

    def model(self, model_sha: str) -> str:
        row = self.db.execute("SELECT model FROM models WHERE model_sha=?", (model_sha,)).fetchone()
        return zlib.decompress(row[0]).decode("utf-8")

    def archive(self, source: Path, sha: str) -> str:
        """Keep a copy of an accepted version, addressed by its content."""
        suffix = source.suffix.lower() if source.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
        target = self.archive_dir / sha[:2] / f"{sha}{suffix}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            shutil.copyfile(source, tmp)
            tmp.replace(target)
        rel = str(target.relative_to(self.path.parent))
        self.db.execute("UPDATE contents SET archive=? WHERE sha256=?", (rel, sha))
        return rel

    def archived_copy(self, sha: str) -> Path | None:
        """The archived copy of a content, when the ledger has one and it is still that content
        (its SHA-256 checked); None otherwise."""
        from xlkinerja.consolidation.records import sha256_file

        row = self.db.execute("SELECT archive FROM contents WHERE sha256=?", (sha,)).fetchone()
        if not row or not row[0]:
            return None
        path = self.path.parent / row[0]
        try:
            return path if path.is_file() and sha256_file(path) == sha else None
        except OSError:
            return None

    def last_accepted(self) -> list[tuple[str, str]]:
        """(sha256, name) of every submission the last finished run counted (``diterima``)."""
        return list(self.db.execute(
            """SELECT DISTINCT sha256, name FROM sightings WHERE status='diterima' AND run_id =
               (SELECT MAX(id) FROM runs WHERE finished IS NOT NULL) ORDER BY name"""))

    # -- withdrawals --------------------------------------------------------------------------
    def withdraw(self, sha: str, when: str, by: str, reason: str, name: str | None) -> None:
        """Record, in its own transaction, that a submission is withdrawn."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("INSERT OR REPLACE INTO withdrawals(sha256, withdrawn_at, withdrawn_by, "
                            "reason, name) VALUES (?,?,?,?,?)", (sha, when, by, reason, name))
            self.db.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def withdrawals(self) -> dict[str, tuple[str, str, str, str | None]]:
        """sha256 -> (when, by whom, why, file name) of every withdrawn submission."""
        return {r[0]: tuple(r[1:]) for r in self.db.execute(
            "SELECT sha256, withdrawn_at, withdrawn_by, reason, name FROM withdrawals")}

    def find_contents(self, text: str) -> list[tuple[str, str | None, str | None, int | None, str]]:
        """Contents whose SHA-256 starts with ``text`` or that were seen under the file name
        ``text``: (sha256, opd_code, opd_name, quarter, name)."""
        return list(self.db.execute(
            """SELECT DISTINCT c.sha256, c.opd_code, c.opd_name, c.quarter, s.name
               FROM contents c JOIN sightings s ON s.sha256 = c.sha256
               WHERE c.sha256 LIKE ? OR s.name = ? GROUP BY c.sha256 ORDER BY c.first_seen""",
            (text.lower() + "%", text)))

    # -- exports --------------------------------------------------------------------------------
    def export_written(self, path: Path, sha: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO exports(path, sha256, run_id) VALUES (?,?,?)",
                        (str(Path(path).resolve()), sha, self.run_id))

    def export_sha(self, path: Path) -> str | None:
        row = self.db.execute("SELECT sha256 FROM exports WHERE path=?",
                              (str(Path(path).resolve()),)).fetchone()
        return row[0] if row else None

    # -- the register this ledger was consolidated with --------------------------------------------
    def remembered_register(self) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key='register'").fetchone()
        return row[0] if row else None

    def remember_register(self, path: Path) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('register', ?)",
                        (str(Path(path).resolve()),))

    # -- sightings -----------------------------------------------------------------------------
    def sight(self, result: FileResult, status: str, superseded_by: str | None = None,
              note: str | None = None) -> None:
        self.db.execute(
            """INSERT INTO sightings(run_id, path, name, sha256, size, mtime, status, superseded_by,
               note) VALUES (?,?,?,?,?,?,?,?,?)""",
            (self.run_id, result.path, result.name, result.sha256, result.size, result.mtime,
             status, superseded_by, note))

    def source_of_quarter(self, opd_code: str, quarter: int, result: FileResult,
                          model_sha: str | None, basis: str) -> None:
        """Where one OPD's quarter came from in this run (see ``quarter_sources``)."""
        self.db.execute(
            """INSERT INTO quarter_sources(run_id, opd_code, quarter, sha256, name, model_sha, basis)
               VALUES (?,?,?,?,?,?,?)""",
            (self.run_id, opd_code, quarter, result.sha256, result.name, model_sha, basis))

    def quarter_sources(self, run_id: int | None = None) -> list[tuple]:
        """(opd_code, quarter, file name, sha256, model_sha, basis) of a run (default: the last
        finished one)."""
        if run_id is None:
            row = self.db.execute("SELECT MAX(id) FROM runs WHERE finished IS NOT NULL").fetchone()
            run_id = row[0]
        return list(self.db.execute(
            """SELECT opd_code, quarter, name, sha256, model_sha, basis FROM quarter_sources
               WHERE run_id=? ORDER BY opd_code, quarter""", (run_id,)))

    def history(self, all_runs: bool = False) -> Iterator[Sighting]:
        where = "" if all_runs else "WHERE s.run_id = (SELECT MAX(id) FROM runs WHERE finished IS NOT NULL)"
        query = f"""SELECT s.run_id, r.started, s.path, s.name, s.sha256, s.status, s.superseded_by,
                    s.note, c.opd_code, c.opd_name, c.year, c.quarter, c.saved_at, c.n_error,
                    c.n_warning, c.n_info
                    FROM sightings s JOIN runs r ON r.id = s.run_id
                    LEFT JOIN contents c ON c.sha256 = s.sha256 {where}
                    ORDER BY s.run_id, c.opd_code, c.quarter, c.saved_at, s.name"""
        for row in self.db.execute(query):
            yield Sighting(*row)

    def runs(self) -> list[tuple]:
        return list(self.db.execute(
            "SELECT id, started, finished, output, n_files, n_read FROM runs ORDER BY id"))
