"""The web app's library: a folder of photos and its SQLite database.

One writer: every write goes through :meth:`Library.write`, which holds a process-wide lock
around a ``BEGIN IMMEDIATE`` transaction on the single read-write connection. Request
handlers read through their own read-only connections (``mode=ro``), opened per request.
Analyses live in the store's ``reports``/``failures`` tables, keyed by SHA-256 and pipeline,
so the CLI's ``scan`` and the web app share one cache.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import policy
from ..errors import PixelSafeError
from ..fsutil import private_dir, regular_inside, write_atomic
from ..imageio import DEFAULT_LIMITS, sha256_file
from ..pipeline import is_image_path
from ..report import Report
from ..store import Failure, Store

log = logging.getLogger(__name__)

#: folders inside a library that are never indexed
PRIVATE_DIRS = {".pixelsafe", ".trash"}
UPLOADS = "uploads"
TRASH = ".trash"
HIGH_RISK = tuple(sorted(level.value for level in policy.HIGH_RISK))


#: new or changed files a look through the folder adds in one transaction
ADD_BATCH = 200


class NotFound(PixelSafeError):
    code = "not_found"
    http_status = 404


@dataclass(frozen=True)
class Job:
    id: int
    image_id: int
    path: Path
    sha256: str
    pipeline: str


def safe_name(name: str) -> str:
    """A file name made of portable characters only (the display name is kept apart)."""
    base = os.path.basename(name.replace("\\", "/"))
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:60] or "image"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:5].lower()
    return f"{stem}.{ext}" if ext else stem


class Library:
    def __init__(self, root: str | Path, db: str | Path, pipeline: str) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotFound(f"library folder {self.root} does not exist")
        self.db_path = Path(db).resolve()
        #: the detectors' pipeline: every report shown starts with it
        self.base = pipeline
        self.pipeline = pipeline
        #: a report whose pipeline starts with this counts as done (see :meth:`configure`)
        self.accept = pipeline
        self.store = Store(self.db_path, threads=True)
        self._lock = threading.RLock()
        #: how many times what the gallery shows has changed (an image added, changed,
        #: analysed, flagged or forgotten): the page asks for this number while idle and
        #: loads again when it moves
        self.changes = 0
        self._touched = False
        self._listing()
        #: set whenever a job is queued; the worker waits on it
        self.wake = threading.Event()
        #: set when the first look through the folder has ended: `serve` listens before it
        #: (the gallery says it is still looking, and fills as files are found)
        self.indexed = threading.Event()

    def configure(self, pipeline: str, accept: str) -> None:
        """Analyse with ``pipeline`` from now on. Reports whose pipeline starts with
        ``accept`` still count as done: with the VLM off, a report made with it is kept
        (it only adds to the detectors' findings); with it on, only its own reports count,
        and the gallery shows the detector report until the VLM's arrives."""
        with self._lock:
            self.pipeline = pipeline
            self.accept = accept
            self._listing()

    def _listing(self) -> None:
        """Summarise every image again when the pipelines its summary was made for are not
        these (a new version, the VLM switched on or off)."""
        with self.write() as conn:
            row = conn.execute("SELECT base, accept FROM listing").fetchone()
            if row is not None and tuple(row) == (self.base, self.accept):
                return
            self._summarise(conn)
            conn.execute("INSERT OR REPLACE INTO listing VALUES (1, ?, ?)",
                         (self.base, self.accept))

    def _summarise(self, conn: sqlite3.Connection, where: str = "", **params: Any) -> None:
        """Write the summary (:data:`SUMMARY`) of the images ``where`` selects."""
        conn.execute(SUMMARY + where, {"base": self.base, "accept": self.accept,
                                       "pipeline": self.pipeline, **params})
        self._touched = True

    def close(self) -> None:
        with self._lock:
            self.store.close()

    # -- connections ------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            with self.store.transaction() as conn:
                yield conn
            if self._touched:  # counted once committed: a reader told of it sees it
                self._touched = False
                self.changes += 1

    def reader(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn

    # -- files ------------------------------------------------------------------------
    def resolve(self, rel: str) -> Path:
        """The absolute path of a library-relative path; never outside the library."""
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise NotFound(f"{rel} is not inside the library")
        return path

    def files(self) -> Iterator[tuple[Path, os.stat_result]]:
        """The library's image files with their status: regular files inside the library
        only. A link that leaves it (``passwd.jpg -> /etc/passwd``), a FIFO or a device is
        skipped, never opened or hashed. The walk never follows a link to a folder, so a
        file reached through no link is inside by construction and its ``lstat`` (which
        the folder listing mostly has already) is all it costs; only a link is resolved."""
        stack = [self.root]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                log.warning("cannot list %s: %s", folder, exc)
                continue
            folders: list[Path] = []
            for entry in entries:
                if entry.name.startswith(".") or entry.name in PRIVATE_DIRS:  # hidden
                    continue
                path = Path(entry.path)
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(path)
                        continue
                    if not is_image_path(path):
                        continue
                    st = self._regular(path, entry.stat(follow_symlinks=False))
                except OSError:
                    continue
                if st is not None:
                    yield path, st
            stack.extend(reversed(folders))

    def _regular(self, path: Path, st: os.stat_result) -> os.stat_result | None:
        """The status of a library image: a regular file, or a link to one inside the
        library (followed); None for anything else."""
        if stat.S_ISLNK(st.st_mode):
            if not self._inside(path):
                return None
            st = path.stat()
        if stat.S_ISREG(st.st_mode):
            return st
        log.info("skipping %s: not a regular file", path)
        return None

    def _inside(self, path: Path) -> bool:
        if not regular_inside(path, self.root):
            log.info("skipping %s: not a regular file inside the library", path)
            return False
        return True

    def index(self) -> int:
        """Add new and changed files, forget vanished ones, queue what needs analysing.
        Returns the number of images queued.

        What the database knows of the folder is read in one query and compared in memory:
        an unchanged file (same size and mtime) costs its ``stat``, and only new or changed
        files are hashed and written. The queue and the forgetting are one transaction each.
        The idle server's rescan of 20,000 unchanged, analysed files took 1.36 s of CPU
        with a transaction per file, and takes 0.22 s (``bench/library_index.py``)."""
        try:
            return self._index()
        finally:
            self.indexed.set()

    def _index(self) -> int:
        with self.write() as conn:
            known = {rel: (int(i), size, mtime) for rel, i, size, mtime in conn.execute(
                "SELECT path, id, size, mtime_ns FROM images")}
        seen: set[str] = set()
        ids: list[int] = []
        batch: list[tuple[str, str, str, int, int]] = []
        for path, st in self.files():
            rel = path.relative_to(self.root).as_posix()
            seen.add(rel)
            row = known.get(rel)
            if row and row[1] == st.st_size and row[2] == st.st_mtime_ns:
                ids.append(row[0])
                continue
            try:  # one descriptor checks it (regular, not too large) and hashes it
                sha256 = sha256_file(path, max_bytes=DEFAULT_LIMITS.max_bytes)
            except (OSError, PixelSafeError) as exc:
                log.warning("cannot index %s: %s", path, exc)
                continue
            batch.append((rel, path.name, sha256, st.st_size, st.st_mtime_ns))
            if len(batch) >= ADD_BATCH:  # the gallery fills a batch at a time
                ids += self.add_many(batch)
                batch = []
        if batch:
            ids += self.add_many(batch)
        queued = self.enqueue_all(ids)
        gone = known.keys() - seen
        if gone:  # only what was known before this walk: an upload made during it stays
            with self.write() as conn:
                for rel in sorted(gone):
                    self._forget(conn, rel)
        return queued

    def refresh(self, paths: Iterable[Path]) -> int:
        """Look at these paths alone (what the folder's notifications named): a new or
        changed image is hashed and queued, one that is gone, or is no longer an image of
        the library, is forgotten; an unchanged one costs its ``lstat``. Paths outside the
        library, hidden or private are passed over. Returns the number queued."""
        queued = 0
        for path in sorted(set(paths)):
            try:
                rel = path.relative_to(self.root)
            except ValueError:
                continue
            if not rel.parts or any(p.startswith(".") or p in PRIVATE_DIRS for p in rel.parts):
                continue
            key = rel.as_posix()
            try:
                st = self._regular(path, path.lstat()) if is_image_path(path) else None
            except OSError:  # gone
                st = None
            with self.write() as conn:
                row = conn.execute("SELECT size, mtime_ns FROM images WHERE path = ?",
                                   (key,)).fetchone()
                if st is None:
                    if row is not None:
                        self._forget(conn, key)
                    continue
            if row is not None and (row[0], row[1]) == (st.st_size, st.st_mtime_ns):
                continue
            try:
                sha256 = sha256_file(path, max_bytes=DEFAULT_LIMITS.max_bytes)
                self.add(key, path.name, sha256, st.st_size, st.st_mtime_ns)
                queued += 1
            except (OSError, PixelSafeError) as exc:
                log.warning("cannot index %s: %s", path, exc)
        return queued

    def add(self, rel: str, name: str, sha256: str, size: int, mtime_ns: int) -> int:
        """Add or update an image and queue its analysis (see :meth:`add_many`)."""
        return self.add_many([(rel, name, sha256, size, mtime_ns)])[0]

    def add_many(self, files: Sequence[tuple[str, str, str, int, int]]) -> list[int]:
        """Add or update images (path, name, sha256, size, mtime) and queue their analyses
        in one transaction, so that no reader sees an image without its job. Returns their
        ids."""
        ids: list[int] = []
        edited = False
        with self.write() as conn:
            for rel, name, sha256, size, mtime_ns in files:
                before = conn.execute("SELECT sha256 FROM images WHERE path = ?",
                                      (rel,)).fetchone()
                conn.execute(
                    "INSERT INTO images (path, name, sha256, size, mtime_ns, added_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
                    "sha256=excluded.sha256, size=excluded.size, mtime_ns=excluded.mtime_ns",
                    (rel, name, sha256, size, mtime_ns, time.time()))
                image_id = int(conn.execute("SELECT id FROM images WHERE path = ?",
                                            (rel,)).fetchone()[0])
                self._summarise(conn, "WHERE i.id = :id", id=image_id)
                self._enqueue(conn, image_id)
                ids.append(image_id)
                if before is not None and before[0] != sha256:
                    self._drop_unused(conn, before[0])  # edited in place: its old bytes go
                    edited = True
        if edited:
            self.store.scrub()
        self.wake.set()
        return ids

    def _forget(self, conn: sqlite3.Connection, rel: str) -> None:
        """Forget an image, and every trace of its bytes (renditions, reports with the text
        read in it and its GPS) unless another image has the same bytes."""
        row = conn.execute("SELECT sha256 FROM images WHERE path = ?", (rel,)).fetchone()
        conn.execute("DELETE FROM jobs WHERE image_id IN (SELECT id FROM images WHERE path=?)",
                     (rel,))
        conn.execute("DELETE FROM images WHERE path = ?", (rel,))
        self._touched = True
        if row is not None:
            self._drop_unused(conn, row[0])

    @staticmethod
    def _drop_unused(conn: sqlite3.Connection, sha256: str) -> None:
        """Delete what the bytes ``sha256`` gave (renditions, reports with the text read in
        them and their GPS, failures) unless an image still has those bytes."""
        if conn.execute("SELECT 1 FROM images WHERE sha256 = ?", (sha256,)).fetchone() is None:
            for table in ("thumbnails", "reports", "failures"):
                conn.execute(f"DELETE FROM {table} WHERE sha256 = ?", (sha256,))

    def by_sha256(self, sha256: str) -> int | None:
        with self.write() as conn:
            row = conn.execute("SELECT id FROM images WHERE sha256 = ? ORDER BY id LIMIT 1",
                               (sha256,)).fetchone()
        return int(row[0]) if row else None

    def save_upload(self, name: str, data: bytes, sha256: str, suffix: str
                    ) -> tuple[int, bool]:
        """Store uploaded bytes under ``uploads/`` with the ``suffix`` of the format their
        bytes announce, never the sender's extension (a JPEG+HTML polyglot sent as
        ``x.html`` is stored as ``….jpg``, and indexed again after a restart); returns
        (image id, created). The same bytes uploaded twice give the existing image."""
        with self._lock:
            existing = self.by_sha256(sha256)
            if existing is not None:
                return existing, False
            folder = private_dir(self.root / UPLOADS)
            path = folder / f"{sha256[:12]}-{Path(safe_name(name)).stem}{suffix}"
            write_atomic(path, data)
            st = path.stat()
            image_id = self.add(path.relative_to(self.root).as_posix(),
                                os.path.basename(name.replace("\\", "/")) or path.name,
                                sha256, st.st_size, st.st_mtime_ns)
        return image_id, True

    def trash(self, image_id: int) -> Path:
        """Move the image's file into the library's trash folder and forget it."""
        with self._lock:
            rel = self.image_path(image_id)
            src = self.resolve(rel)
            folder = private_dir(self.root / TRASH)
            dst = folder / src.name
            n = 1
            while dst.exists():
                dst = folder / f"{src.stem}.{n}{src.suffix}"
                n += 1
            if src.exists():
                os.replace(src, dst)
            with self.write() as conn:
                self._forget(conn, rel)
            self.store.scrub()
            return dst

    def trash_files(self) -> list[Path]:
        """The files in the trash folder (regular files; links are not followed)."""
        folder = self.root / TRASH
        if not folder.is_dir() or folder.is_symlink():
            return []
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink())

    def empty_trash(self) -> int:
        """Delete every file in the trash, and scrub the database's log of what was
        deleted with them. Returns the number of files deleted."""
        with self._lock:
            files = self.trash_files()
            for path in files:
                path.unlink(missing_ok=True)
            self.store.scrub()
        return len(files)

    def image_path(self, image_id: int) -> str:
        with self.write() as conn:
            row = conn.execute("SELECT path FROM images WHERE id = ?", (image_id,)).fetchone()
        if row is None:
            raise NotFound(f"no image {image_id}")
        return str(row[0])

    def set_flag(self, image_id: int, column: str, value: bool) -> None:
        if column not in ("locked", "exported"):
            raise ValueError(column)
        with self.write() as conn:
            cur = conn.execute(f"UPDATE images SET {column} = ? WHERE id = ?",
                               (int(value), image_id))
            if cur.rowcount == 0:
                raise NotFound(f"no image {image_id}")
            self._touched = True

    # -- the queue --------------------------------------------------------------------
    def enqueue(self, image_id: int) -> int | None:
        """Queue an analysis unless the image has one (cached) or one is pending.
        Returns the job id, or None when nothing needed doing."""
        with self.write() as conn:
            job_id = self._enqueue(conn, image_id)
        self.wake.set()
        return job_id

    def enqueue_all(self, image_ids: list[int]) -> int:
        """:meth:`enqueue` each image, in one transaction: the images with nothing cached
        are found in one query. Returns how many have a job queued or running."""
        if not image_ids:
            return 0
        with self.write() as conn:
            todo = {int(i): sha for i, sha in conn.execute(
                "SELECT id, sha256 FROM images AS i WHERE NOT " + DONE,
                {"accept": self.accept, "pipeline": self.pipeline})}
            wanted = [i for i in dict.fromkeys(image_ids) if i in todo]
            for image_id in wanted:
                self._queue(conn, image_id, todo[image_id])
        if wanted:
            self.wake.set()
        return len(wanted)

    def _enqueue(self, conn: sqlite3.Connection, image_id: int) -> int | None:
        row = conn.execute("SELECT i.sha256, " + DONE + " FROM images AS i WHERE i.id = :id",
                           {"id": image_id, "accept": self.accept, "pipeline": self.pipeline}
                           ).fetchone()
        if row is None:
            raise NotFound(f"no image {image_id}")
        sha, done = row
        return None if done else self._queue(conn, image_id, sha)

    def _queue(self, conn: sqlite3.Connection, image_id: int, sha: str) -> int:
        """The image's pending job, or a new one: its cache is known to have nothing."""
        pending = conn.execute("SELECT id FROM jobs WHERE image_id = ? AND state IN "
                               "('queued', 'running')", (image_id,)).fetchone()
        if pending:
            return int(pending[0])
        now = time.time()
        cur = conn.execute("INSERT INTO jobs (image_id, sha256, pipeline, state, created_at, "
                           "updated_at) VALUES (?, ?, ?, 'queued', ?, ?)",
                           (image_id, sha, self.pipeline, now, now))
        return int(cur.lastrowid or 0)

    def requeue_interrupted(self) -> int:
        """After a restart, jobs that were running are queued again."""
        with self.write() as conn:
            cur = conn.execute("UPDATE jobs SET state = 'queued', updated_at = ? "
                               "WHERE state = 'running'", (time.time(),))
            return cur.rowcount

    def claim(self) -> Job | None:
        """The next queued job, marked running. A job whose file is no longer a regular
        file inside the library (replaced by a link since it was indexed) fails, and the
        next one is taken: one bad file never stops the queue."""
        while True:
            with self.write() as conn:
                row = conn.execute(
                    "SELECT j.id, j.image_id, i.path, j.sha256, j.pipeline FROM jobs j "
                    "JOIN images i ON i.id = j.image_id WHERE j.state = 'queued' "
                    "ORDER BY j.id LIMIT 1").fetchone()
                if row is None:
                    return None
                path = self.root / row[2]
                if self._inside(path):
                    conn.execute("UPDATE jobs SET state = 'running', updated_at = ? "
                                 "WHERE id = ?", (time.time(), row[0]))
                    return Job(int(row[0]), int(row[1]), self.resolve(row[2]), str(row[3]),
                               str(row[4]))
                conn.execute("UPDATE jobs SET state = 'failed', error_type = 'not_found', "
                             "error_message = ?, updated_at = ? WHERE id = ?",
                             (f"{row[2]} is not a regular file inside the library",
                              time.time(), row[0]))

    def cached(self, sha256: str) -> bool:
        with self.write() as conn:
            return conn.execute("SELECT 1 FROM reports WHERE sha256 = ? AND substr(pipeline, 1, "
                                "?) = ?", (sha256, len(self.accept), self.accept)
                                ).fetchone() is not None

    def finish(self, job: Job, report: Report | None, failure: Failure | None) -> None:
        with self.write():
            if report is not None:
                # a report whose VLM call failed is kept as a detector report, so that the
                # VLM is asked again once it answers
                vlm_failed = any(e.detector == "vlm" for e in report.analyzer.errors)
                self.store.save_report(report.with_path(None),
                                       self.base if vlm_failed else report.analyzer.pipeline)
                self.store.conn.execute(
                    "UPDATE images SET width = ?, height = ?, format = ? WHERE sha256 = ?",
                    (report.image.width, report.image.height, report.image.format,
                     report.image.sha256))
                self._summarise(self.store.conn, "WHERE i.sha256 = :sha",
                                sha=report.image.sha256)
            if failure is not None:
                self.store.save_failure(job.sha256, job.pipeline, failure)
                self._summarise(self.store.conn, "WHERE i.sha256 = :sha", sha=job.sha256)
            self.store.conn.execute(
                "UPDATE jobs SET state = ?, error_type = ?, error_message = ?, updated_at = ? "
                "WHERE id = ? AND sha256 = ? AND state = 'running'",
                ("failed" if failure else "done", failure.type if failure else None,
                 failure.message if failure else None, time.time(), job.id, job.sha256))

    # -- thumbnails -------------------------------------------------------------------
    def thumbnail(self, sha256: str, variant: str) -> bytes | None:
        with self.write() as conn:
            row = conn.execute("SELECT data FROM thumbnails WHERE sha256 = ? AND variant = ?",
                               (sha256, variant)).fetchone()
        return bytes(row[0]) if row else None

    def save_thumbnail(self, sha256: str, variant: str, data: bytes) -> None:
        with self.write() as conn:
            conn.execute("INSERT OR REPLACE INTO thumbnails VALUES (?, ?, ?, ?)",
                         (sha256, variant, data, time.time()))


# -- read queries (any connection) ----------------------------------------------------------

#: each image with the report to show: the newest accepted one (with the VLM on: its own
#: report once there is one; with it off: the newest, which keeps what the VLM added)
#: whether the image ``i`` counts as done: a report of the pipeline that counts (its
#: pipeline starts with :accept), or a failure of the library's :pipeline
DONE = (
    "(EXISTS (SELECT 1 FROM reports r WHERE r.sha256 = i.sha256 "
    "AND substr(r.pipeline, 1, length(:accept)) = :accept) OR EXISTS (SELECT 1 FROM failures f "
    "WHERE f.sha256 = i.sha256 AND f.pipeline = :pipeline))")

#: the report shown for the image ``i``: one made by this version's detectors (its
#: pipeline starts with :base), preferring one that counts as done (starts with :accept,
#: the VLM's when it is on), the newest first
CHOSEN_REPORT = (
    "FROM reports r WHERE r.sha256 = i.sha256 AND substr(r.pipeline, 1, length(:base)) = :base "
    "ORDER BY substr(r.pipeline, 1, length(:accept)) = :accept DESC, r.created_at DESC LIMIT 1")

#: what the gallery lists, filters and counts by, written beside each image from its chosen
#: report (store migrations 0003, 0004): the score (0 before any report), the risk level,
#: the kinds (",face,barcode,") and whether its analysis with the library's pipeline
#: failed. Kept by :meth:`Library._summarise` whenever an image, a report, a failure or the
#: pipelines change.
SUMMARY = (
    "UPDATE images AS i SET (score, risk, kinds) = (SELECT coalesce(max(score), 0), max(risk), "
    "max(kinds) FROM (SELECT json_extract(r.report, '$.privacy_score') AS score, "
    "json_extract(r.report, '$.risk_level') AS risk, (SELECT ',' || group_concat(k, ',') || ',' "
    "FROM (SELECT DISTINCT json_extract(value, '$.kind') AS k FROM "
    "json_each(r.report, '$.findings'))) AS kinds " + CHOSEN_REPORT + ")), "
    "failed = EXISTS (SELECT 1 FROM failures f WHERE f.sha256 = i.sha256 "
    "AND f.pipeline = :pipeline) ")

IMAGE_COLUMNS = (
    "SELECT i.id, i.path, i.name, i.sha256, i.size, i.width, i.height, i.format, "
    "i.added_at, i.locked, i.exported, i.score, i.risk, (SELECT r.report " + CHOSEN_REPORT +
    ") AS report, f.type AS error_type, f.message AS error_message, "
    "(SELECT state FROM jobs j WHERE j.image_id = i.id ORDER BY j.id DESC LIMIT 1) AS job "
    "FROM images i LEFT JOIN failures f ON f.sha256 = i.sha256 AND f.pipeline = :pipeline ")


def _filters(risk: str | None, kind: str | None) -> str:
    """The WHERE clause of a listing: by the summary's indexed risk, and its kinds."""
    clauses = (["i.risk = :risk"] if risk else []) + (
        ["i.kinds LIKE '%,' || :kind || ',%'"] if kind else [])
    return ("WHERE " + " AND ".join(clauses) + " ") if clauses else ""


def _state(row: sqlite3.Row) -> str:
    if row["report"] is not None:
        return "done"  # a newer analysis may be pending: see "pending"
    if row["error_type"] is not None:
        return "failed"
    return str(row["job"] or "queued")


def image_record(row: sqlite3.Row, full: bool = False) -> dict[str, Any]:
    report = json.loads(row["report"]) if row["report"] else None
    out: dict[str, Any] = {
        "id": row["id"], "name": row["name"], "path": row["path"], "sha256": row["sha256"],
        "bytes": row["size"], "width": row["width"], "height": row["height"],
        "format": row["format"], "added_at": row["added_at"], "locked": bool(row["locked"]),
        "exported": bool(row["exported"]), "state": _state(row),
        "error": ({"type": row["error_type"], "message": row["error_message"]}
                  if row["error_type"] else None),
        "privacy_score": report["privacy_score"] if report else None,
        "risk_level": report["risk_level"] if report else None,
        "explanation": report["explanation"] if report else None,
        "recommended_action": (policy.action_title(report["recommended_action"]) if report
                               else None),
        "kinds": sorted({f["kind"] for f in report["findings"]}) if report else [],
        "findings": len(report["findings"]) if report else 0,
        "pending": row["job"] in ("queued", "running"),
        "vlm": bool(report and report["analyzer"].get("vlm")),  # the VLM answered
    }
    if full:
        out["report"] = report
    return out


def _params(library: Library, **extra: Any) -> dict[str, Any]:
    return {"pipeline": library.pipeline, "base": library.base, "accept": library.accept,
            **extra}


#: the gallery's orders: name -> (title, ORDER BY). Every order ends on the id, so a page
#: boundary never repeats or skips a photo. By risk: the highest score first, photos not
#: analysed yet last, the newest first among equals.
SORTS: dict[str, tuple[str, str]] = {
    "newest": ("Newest first", "i.added_at DESC, i.id DESC"),
    "risk": ("Highest risk first", "i.score DESC, i.added_at DESC, i.id DESC"),
    "name": ("Name", "i.name COLLATE NOCASE, i.id"),
}
#: where a page that follows a given photo starts, in each order (keyset pagination: the
#: index is entered at the cursor instead of counting the photos before it), and the
#: columns the cursor holds
AFTER: dict[str, tuple[str, tuple[str, ...]]] = {
    "newest": ("(i.added_at, i.id) < (:k0, :k1)", ("added_at", "id")),
    "risk": ("(i.score, i.added_at, i.id) < (:k0, :k1, :k2)", ("score", "added_at", "id")),
    "name": ("(i.name COLLATE NOCASE, i.id) > (:k0, :k1)", ("name", "id")),
}


class BadCursor(PixelSafeError):
    code = "bad_request"
    http_status = 400


def cursor(row: sqlite3.Row, sort: str) -> str:
    """An opaque cursor for the page after ``row``: its sort key, as URL-safe text."""
    key = [row[column] for column in AFTER[sort][1]]
    return base64.urlsafe_b64encode(json.dumps([sort, *key]).encode()).decode().rstrip("=")


def _key(after: str, sort: str) -> dict[str, Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
        ok = (isinstance(raw, list) and raw[:1] == [sort]
              and len(raw) == len(AFTER[sort][1]) + 1
              and all(isinstance(v, (int, float, str)) for v in raw[1:]))
    except (ValueError, TypeError):
        ok = False
    if not ok:
        raise BadCursor("after must be the `next` of a listing in the same order")
    return {f"k{n}": v for n, v in enumerate(raw[1:])}


def list_images(conn: sqlite3.Connection, library: Library, page: int, per_page: int,
                risk: str | None, kind: str | None, sort: str = "newest",
                after: str | None = None) -> tuple[list[dict[str, Any]], int, str | None]:
    """A page of the listing and the number of photos it filters, and the cursor of the
    page after it (None on the last). With ``after`` (a previous page's cursor) the page
    starts after that photo, however deep; else at ``page`` (counted: slower far in)."""
    params = _params(library, risk=risk, kind=kind, limit=per_page,
                     offset=0 if after else (page - 1) * per_page)
    where = _filters(risk, kind)
    total = conn.execute("SELECT COUNT(*) FROM images i " + where, params).fetchone()[0]
    if after:
        params.update(_key(after, sort))
        where += ("AND " if where else "WHERE ") + AFTER[sort][0] + " "
    rows = conn.execute(IMAGE_COLUMNS + where + f"ORDER BY {SORTS[sort][1]} "
                        "LIMIT :limit + 1 OFFSET :offset", params).fetchall()
    more = len(rows) > per_page
    rows = rows[:per_page]
    return ([image_record(r) for r in rows], int(total),
            cursor(rows[-1], sort) if more else None)


def get_image(conn: sqlite3.Connection, library: Library, image_id: int) -> dict[str, Any]:
    row = conn.execute(IMAGE_COLUMNS + "WHERE i.id = :id",
                       _params(library, id=image_id)).fetchone()
    if row is None:
        raise NotFound(f"no image {image_id}")
    return image_record(row, full=True)


def stats(conn: sqlite3.Connection, library: Library) -> dict[str, int | bool]:
    """The gallery's counts, from the summary's columns."""
    row = conn.execute(
        "SELECT COUNT(*), SUM(risk IN (?, ?)), SUM(locked), SUM(score > 0), SUM(exported), "
        "SUM(failed AND score = 0) FROM images", HIGH_RISK).fetchone()
    jobs = dict(conn.execute("SELECT state, COUNT(*) FROM jobs WHERE state IN "
                             "('queued', 'running') GROUP BY state").fetchall())
    failed = row[5]
    return {"total": int(row[0] or 0), "high_risk": int(row[1] or 0),
            "protected": int(row[2] or 0), "analysed": int(row[3] or 0),
            "exported": int(row[4] or 0),
            "failed": int(failed or 0), "queued": int(jobs.get("queued", 0)),
            "running": int(jobs.get("running", 0)),
            "indexing": not library.indexed.is_set()}
