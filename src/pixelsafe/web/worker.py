"""The background analysis worker: takes queued jobs from SQLite, one at a time, and runs
each in a supervised process (:class:`pixelsafe.batch.Supervisor`) with a time and memory
budget. Jobs live in the database, so a restart resumes the queue where it stopped."""

from __future__ import annotations

import logging
import threading

from ..batch import Settings, Supervisor
from ..store import Failure
from .library import Library

log = logging.getLogger(__name__)


class Worker(threading.Thread):
    """Analyses queued images one at a time. What is queued comes from the library's index,
    kept in step with the folder by :class:`pixelsafe.web.follow.Follower`; an idle
    worker waits for a job."""

    def __init__(self, library: Library, settings: Settings) -> None:
        super().__init__(name="pixelsafe-analysis", daemon=True)
        self.library = library
        self.settings = settings
        self.stopping = threading.Event()
        self._supervisor: Supervisor | None = None
        self._reload = threading.Event()

    def reconfigure(self, settings: Settings) -> None:
        """Use these settings (the VLM switched on or off) from the next job on."""
        self.settings = settings
        self._reload.set()
        self.library.wake.set()

    def run(self) -> None:
        self.library.requeue_interrupted()
        try:
            while not self.stopping.is_set():
                job = self.library.claim()
                if job is None:
                    self.library.wake.wait(60.0)  # a belt: every queueing wakes it
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
