"""SQLite cache of analyses, keyed by content SHA-256 and pipeline version.

One connection, one writer, WAL, an idempotent schema with named migrations. Every result
is committed as soon as it exists, so a scan killed with SIGKILL loses nothing finished.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreError
from .fsutil import private_file
from .report import Report

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_files_reports", """
        CREATE TABLE files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            seen_at REAL NOT NULL
        );
        CREATE TABLE reports (
            sha256 TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            report TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (sha256, pipeline)
        );
        CREATE TABLE failures (
            sha256 TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            type TEXT NOT NULL,
            message TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (sha256, pipeline)
        );
    """),
    # the web app's library: images by path, the analysis queue, cached thumbnails. Ids are
    # AUTOINCREMENT: a deleted image's or job's id is never given to a new one (a worker
    # finishing a deleted job must not touch a new job that took its id)
    ("0002_library", """
        CREATE TABLE images (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            width INTEGER,
            height INTEGER,
            format TEXT,
            added_at REAL NOT NULL,
            locked INTEGER NOT NULL DEFAULT 0,
            exported INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX images_sha256 ON images (sha256);
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            image_id INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
            error_type TEXT,
            error_message TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX jobs_state ON jobs (state, id);
        CREATE INDEX jobs_image ON jobs (image_id, id);
        CREATE TABLE thumbnails (
            sha256 TEXT NOT NULL,
            variant TEXT NOT NULL,
            data BLOB NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (sha256, variant)
        )
    """),
    # what the gallery lists, filters and counts by, kept beside each image from the report
    # shown for it (web.library's SUMMARY): its score (0 before any report), its risk level
    # and its kinds of finding (",face,barcode,"); indexed in each order the gallery sorts
    # by. `listing` says which pipelines the summaries were made for.
    ("0003_listing", """
        ALTER TABLE images ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE images ADD COLUMN risk TEXT;
        ALTER TABLE images ADD COLUMN kinds TEXT;
        CREATE INDEX images_added ON images (added_at, id);
        CREATE INDEX images_score ON images (score, added_at, id);
        CREATE INDEX images_risk ON images (risk, added_at, id);
        CREATE INDEX images_name ON images (name COLLATE NOCASE, id);
        CREATE TABLE listing (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            base TEXT NOT NULL,
            accept TEXT NOT NULL
        )
    """),
    # and whether its analysis failed (with this pipeline), so the counts read no failure
    ("0004_listing_failed", """
        ALTER TABLE images ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
        DELETE FROM listing
    """),
)


@dataclass(frozen=True)
class Failure:
    type: str
    message: str


class Store:
    def __init__(self, path: str | Path, threads: bool = False) -> None:
        """``threads``: the connection may be used from several threads (the caller
        serialises its use, as the web app's single writer does)."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            private_file(self.path)  # reports hold GPS and the text read in photos
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                        check_same_thread=not threads)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            # a deleted row's bytes (text read in a photo, a thumbnail) are overwritten,
            # not left in a free page for anyone who reads the file
            self.conn.execute("PRAGMA secure_delete=ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS migrations "
                          "(name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
        done = {row[0] for row in self.conn.execute("SELECT name FROM migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                for statement in filter(str.strip, sql.split(";")):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def scrub(self) -> None:
        """Fold the write-ahead log into the database and truncate it: old versions of
        deleted rows do not stay in the WAL file."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- files ----------------------------------------------------------------------
    def known_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The stored hash of ``path`` if its size and mtime are unchanged."""
        row = self.conn.execute("SELECT size, mtime_ns, sha256 FROM files WHERE path = ?",
                                (path,)).fetchone()
        if row and row[0] == size and row[1] == mtime_ns:
            return str(row[2])
        return None

    def remember_file(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        self.conn.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "size=excluded.size, mtime_ns=excluded.mtime_ns, sha256=excluded.sha256, "
            "seen_at=excluded.seen_at", (path, size, mtime_ns, sha256, time.time()))

    # -- results --------------------------------------------------------------------
    def report(self, sha256: str, pipeline: str) -> Report | None:
        row = self.conn.execute("SELECT report FROM reports WHERE sha256 = ? AND pipeline = ?",
                                (sha256, pipeline)).fetchone()
        return Report.from_json(row[0]) if row else None

    def failure(self, sha256: str, pipeline: str) -> Failure | None:
        row = self.conn.execute("SELECT type, message FROM failures WHERE sha256 = ? AND "
                                "pipeline = ?", (sha256, pipeline)).fetchone()
        return Failure(row[0], row[1]) if row else None

    def save_report(self, report: Report, pipeline: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?)",
                          (report.image.sha256, pipeline, report.with_path(None).to_json(),
                           time.time()))

    def save_failure(self, sha256: str, pipeline: str, failure: Failure) -> None:
        self.conn.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?)",
                          (sha256, pipeline, failure.type, failure.message, time.time()))

    def count_reports(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0])


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
