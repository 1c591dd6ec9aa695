"""The background analysis worker: takes queued jobs from SQLite, one at a time, and runs
each in a supervised process (:class:`pixelsafe.batch.Supervisor`) with a time and memory
budget. Jobs live in the database, so a restart resumes the queue where it stopped."""

from __future__ import annotations

import logging
import threading
import time

from ..batch import Settings, Supervisor
from ..store import Failure
from .library import Library

log = logging.getLogger(__name__)


#: while idle, the library folder is looked at again this often (seconds): new, changed and
#: removed files are picked up while the server runs (a rescan checks size and mtime first,
#: so an unchanged folder costs a directory walk)
RESCAN_SECONDS = 5.0


class Worker(threading.Thread):
    def __init__(self, library: Library, settings: Settings,
                 rescan: float = RESCAN_SECONDS, index_first: bool = False) -> None:
        super().__init__(name="pixelsafe-analysis", daemon=True)
        self.library = library
        self.settings = settings
        self.stopping = threading.Event()
        self._supervisor: Supervisor | None = None
        self._reload = threading.Event()
        self.rescan = rescan
        #: look through the folder before the first job (the server is listening already)
        self.index_first = index_first
        self._scanned = time.monotonic()

    def reconfigure(self, settings: Settings) -> None:
        """Use these settings (the VLM switched on or off) from the next job on."""
        self.settings = settings
        self._reload.set()
        self.library.wake.set()

    def run(self) -> None:
        self.library.requeue_interrupted()
        if self.index_first:
            try:
                self.library.index()
            except Exception as exc:  # a folder gone for a moment: the rescan tries again
                log.warning("indexing the library failed: %s", exc)
            self._scanned = time.monotonic()
        try:
            while not self.stopping.is_set():
                job = self.library.claim()
                if job is None:
                    if self.rescan and time.monotonic() - self._scanned >= self.rescan:
                        self._scanned = time.monotonic()
                        try:
                            self.library.index()
                        except Exception as exc:  # a folder gone for a moment: next time
                            log.warning("rescan of the library failed: %s", exc)
                        continue
                    self.library.wake.wait(1.0)
                    self.library.wake.clear()
                    continue
                if self.library.cached(job.sha256):  # the same bytes under another name
                    self.library.finish(job, None, None)
                    continue
                if self._reload.is_set() and self._supervisor is not None:
                    self._supervisor.close()
                    self._supervisor = None
                self._reload.clear()
                if self._supervisor is None:
                    self._supervisor = Supervisor(self.settings)
                try:
                    outcome = self._supervisor.analyze(str(job.path))
                except Exception as exc:  # one bad job never stops the worker
                    log.warning("analysis of %s failed: %s", job.path, exc)
                    self.library.finish(job, None, Failure(type(exc).__name__, str(exc)))
                    continue
                if self.stopping.is_set() and not outcome.ok:
                    break  # killed by shutdown: stays 'running', requeued at next start
                failure = None if outcome.ok else Failure(outcome.error_type or "error",
                                                          outcome.error_message or "")
                self.library.finish(job, outcome.report, failure)
        except Exception:  # pragma: no cover - logged, the server keeps serving
            log.exception("analysis worker stopped")
        finally:
            if self._supervisor is not None:
                self._supervisor.close()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.library.wake.set()
        self.join(timeout)
