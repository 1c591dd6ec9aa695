"""Scan a folder: every image below it analysed once per content and pipeline, the results
kept in a :class:`~pixelsafe.store.Store` as they arrive, so a scan killed at any point
resumes without redoing finished work.

The analysis runs on this machine (:func:`pixelsafe.batch.run`, supervised worker
processes) or on a Ray cluster (:func:`pixelsafe.cluster.run`); the listing, the cache and
the store are the same either way, so a scan started one way resumes the other.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .batch import Outcome, Settings, run
from .errors import AnalysisResourceError, AnalysisTimeoutError, PixelSafeError
from .fsutil import cache_home
from .imageio import DEFAULT_LIMITS, IMAGE_SUFFIXES, sha256_file
from .store import Failure, Store

#: (stage, done so far, total, the file at hand): the stages are "checking" (listing and
#: hashing against the store) and "analysing"
Progress = Callable[[str, int, int, str], None]

#: the checking stage reports progress this many files at a time (a report per file cost
#: more than the check)
PROGRESS_STEP = 64

#: failures that say nothing of the file's bytes (the next scan tries again)
TRANSIENT = (AnalysisTimeoutError.code, AnalysisResourceError.code)

#: analyses paths, yielding one outcome per path (``Outcome.index``: its position), in any
#: order
Engine = Callable[[list[str]], Iterable[Outcome]]


def default_db() -> Path:
    """The store a scan keeps its results in unless told otherwise."""
    return cache_home() / "scan.db"


def engine(settings: Settings, workers: int | None = None, ray: str | None = None) -> Engine:
    """How a scan analyses: ``ray`` None, ``workers`` supervised processes here (default
    one); otherwise on Ray (:mod:`pixelsafe.cluster`): "local" starts a runtime on this
    machine, "auto" or "ray://host:port" joins a cluster, and ``workers`` counts actors
    (default: one per CPU of the cluster). A process already connected to Ray uses that
    connection whatever the address."""
    if ray is None:
        return partial(run, settings=settings, workers=workers or 1)
    from .cluster import RaySettings
    from .cluster import run as run_on_ray

    cluster = RaySettings(None if ray == "local" else ray, workers)
    return partial(run_on_ray, settings=settings, cluster=cluster)


def walk_images(root: Path, skip: Path | None = None) -> list[Path]:
    """The image files below ``root`` (by suffix; hidden files and folders left out), and
    not below ``skip`` (an output folder inside the input)."""
    found = []
    skipped = skip.resolve() if skip is not None else None
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (Path(dirpath) / d).resolve() != skipped)
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES:
                found.append(Path(dirpath) / name)
    return found


def _resolved(path: Path, folders: dict[Path, str]) -> str:
    """The file's real path, its key in the store: its folder resolved once per folder
    (``folders`` keeps them), a link resolved itself. The same file reached through a
    linked folder has the same key."""
    if path.is_symlink():
        return str(path.resolve())
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = str(path.parent.resolve())
    return os.path.join(folder, path.name)


#: a listed file as a scan keeps it: its path, its hash (None: unreadable), and an error
#: the store does not hold (unreadable, or a timeout that the next scan tries again)
Entry = tuple[str, str | None, str | None, str | None]


@dataclass
class ScanResult:
    """What a scan did. Its outcomes are read back from the store when asked for, in the
    listing's order: a scan of millions of files holds a line per file, not a report."""

    db: Path
    pipeline: str
    #: one per image file below the folder, in the order it was listed
    entries: list[Entry] = field(default_factory=list)
    #: distinct contents analysed by this scan
    analysed: int = 0
    #: files whose result came from the store
    cached: int = 0
    #: files left unanalysed because another file has the same content
    copies: int = 0
    #: files without a report
    failed: int = 0
    #: files whose report scores high or critical (4 or 5)
    high: int = 0

    def outcomes(self) -> Iterator[Outcome]:
        """An outcome per file, in the listing's order, each read from the store."""
        with Store(self.db) as store:
            for index, (path, sha, error_type, message) in enumerate(self.entries):
                report = store.report(sha, self.pipeline) if sha and not error_type else None
                if report is not None:
                    yield Outcome(index, path, report=report.with_path(path))
                    continue
                failure = store.failure(sha, self.pipeline) if sha and not error_type else None
                if failure is not None:
                    error_type, message = failure.type, failure.message
                yield Outcome(index, path, error_type=error_type or "error",
                              error_message=message or "")

    def count(self, outcome: Outcome) -> None:
        if outcome.report is None:
            self.failed += 1
        elif outcome.report.privacy_score >= 4:
            self.high += 1


def check_files(store: Store, files: list[Path], pipeline: str, result: ScanResult,
                progress: Progress | None = None) -> list[tuple[int, Path, str]]:
    """Fill ``result`` with an entry per file, counting those the store or the file itself
    settles; return the (index, path, sha256) still to analyse. A file whose size and mtime
    are unchanged is not hashed again."""
    todo: list[tuple[int, Path, str]] = []
    folders: dict[Path, str] = {}
    for index, path in enumerate(files):
        if progress is not None and index % PROGRESS_STEP == 0:
            progress("checking", index, len(files), str(path))
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                # a FIFO would block the hash, a link to /dev/zero would never end
                raise OSError(f"{path}: not a regular file (a FIFO, a device or a socket)")
            key = _resolved(path, folders)
            sha = store.known_hash(key, st.st_size, st.st_mtime_ns)
            if sha is None:  # checked through the descriptor it is hashed from
                sha = sha256_file(path, max_bytes=DEFAULT_LIMITS.max_bytes)
                store.remember_file(key, st.st_size, st.st_mtime_ns, sha)
        except (OSError, PixelSafeError) as exc:  # unreadable, not regular, over the limit
            code = exc.code if isinstance(exc, PixelSafeError) else "input_error"
            message = (f"{path}: {exc.strerror}" if isinstance(exc, OSError) and exc.strerror
                       else str(exc))
            result.entries.append((str(path), None, code, message))
            result.failed += 1
            continue
        result.entries.append((str(path), sha, None, None))
        report = store.report(sha, pipeline)
        if report is None and store.failure(sha, pipeline) is None:
            todo.append((index, path, sha))
            continue
        result.cached += 1
        result.count(Outcome(index, str(path), report=report))
    if progress is not None:
        progress("checking", len(files), len(files), "")
    return todo


def scan(directory: Path, store: Store, pipeline: str, engine: Engine,
         progress: Progress | None = None) -> ScanResult:
    """Scan ``directory`` recursively with ``engine``; unchanged files are not analysed
    again, identical contents are analysed once, every result is in ``store`` as soon as
    it arrives (a report, or a failure that belongs to the bytes)."""
    files = walk_images(directory)
    result = ScanResult(store.path, pipeline)
    todo = check_files(store, files, pipeline, result, progress)
    copies: dict[str, list[tuple[int, Path]]] = {}
    for index, path, sha in todo:
        copies.setdefault(sha, []).append((index, path))
    unique = list(copies)
    for done, outcome in enumerate(_arrivals(engine, [str(copies[s][0][1]) for s in unique]),
                                   start=1):
        sha = unique[outcome.index]
        if outcome.report is not None:
            store.save_report(outcome.report, pipeline)
        elif outcome.error_type not in TRANSIENT:
            # input errors are a property of the bytes: do not retry them
            store.save_failure(sha, pipeline, Failure(outcome.error_type or "error",
                                                      outcome.error_message or ""))
        for index, path in copies[sha]:
            if outcome.report is None and outcome.error_type in TRANSIENT:
                result.entries[index] = (str(path), sha, outcome.error_type,
                                         outcome.error_message)
            result.count(outcome)
        if progress is not None:
            progress("analysing", done, len(unique), outcome.path)
    result.analysed, result.copies = len(unique), len(todo) - len(unique)
    return result


def _arrivals(engine: Engine, paths: list[str]) -> Iterator[Outcome]:
    if paths:
        yield from engine(paths)
