"""Analyse many files in supervised worker processes.

Each worker loads the models once and analyses one file at a time. The parent gives every
file a wall-clock budget; a worker that overruns it is killed and replaced, and one that
dies (a decoder crash, the memory limit) is replaced too. Either way the file gets a typed
error and the batch goes on.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from typing import Any

from .detectors.registry import DEFAULT
from .errors import AnalysisResourceError, AnalysisTimeoutError, PixelSafeError
from .report import Report
from .vlm import VlmSettings

log = logging.getLogger(__name__)

STARTUP_GRACE = 60.0


@dataclass(frozen=True)
class Settings:
    detectors: tuple[str, ...] = DEFAULT
    #: seconds per file, after which the worker is killed
    timeout: float = 60.0
    #: address-space limit per worker, in MiB (0: none)
    memory_mb: int = 8192
    threads: int = 0
    #: the optional VLM (Ollama); None: detectors only
    vlm: VlmSettings | None = None

    @property
    def budget(self) -> float:
        """Seconds per file before the worker is killed: the detectors' timeout, plus the
        VLM's when it runs (it runs beside them, but can be the slower one)."""
        return self.timeout + (self.vlm.timeout + 15.0 if self.vlm is not None else 0.0)


@dataclass(frozen=True)
class Outcome:
    index: int
    path: str
    report: Report | None = None
    error_type: str | None = None
    error_message: str | None = None
    #: what a worker other than the analysis one returned (a rendition's bytes, a
    #: redaction's result)
    value: Any = None

    @property
    def ok(self) -> bool:
        return self.report is not None or self.value is not None


def limit_memory(memory_mb: int) -> None:
    """Bound this process's address space (0: no bound)."""
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker(conn: Connection, settings: Settings) -> None:
    limit_memory(settings.memory_mb)
    from .detectors import registry
    from .models import cache
    from .pipeline import Analyzer

    cache.configure(settings.threads or None)

    vlm = None
    if settings.vlm is not None:
        from .vlm import AnswerCache, Vlm

        vlm = Vlm(settings.vlm, AnswerCache())
    analyzer = Analyzer(registry.build(settings.detectors), timeout=settings.timeout, vlm=vlm)
    serve_tasks(conn, settings, lambda task: analyzer.analyze(task[1]).to_json())


def serve_tasks(conn: Connection, settings: Settings,
                handle: Callable[[tuple[Any, ...]], Any]) -> None:
    """A worker's loop: take ``(index, path, ...)`` tasks until told to stop, answer each with
    ``handle``'s result (a report as JSON text, or any other picklable value) or a typed
    error; a worker out of memory answers, then retires."""
    while True:
        try:
            task = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        index, path = task[:2]
        try:
            conn.send((index, "ok", handle(task), False))
        except PixelSafeError as exc:
            # a typed error that ran out of memory (a decoder's) retires the worker too
            spent = isinstance(exc.__cause__, MemoryError)
            conn.send((index, exc.code, str(exc), spent))
            if spent:
                return
        except MemoryError:
            # What ran out of memory may keep its arenas: a worker that goes on fails the
            # next files too. Retire, and the supervisor starts a fresh one.
            conn.send((index, AnalysisResourceError.code,
                       f"{path}: out of memory (limit {settings.memory_mb} MiB)", True))
            return
        except Exception as exc:  # report, never kill the batch
            conn.send((index, type(exc).__name__, f"{path}: {exc}", False))


Target = Callable[[Connection, Settings], None]


class _Slot:
    def __init__(self, ctx: Any, settings: Settings, target: Target = _worker,
                 what: str = "analysis") -> None:
        self.target = target
        self.what = what
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=target, args=(child, settings), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[Any, ...] | None = None
        self.deadline = 0.0
        #: the worker said it stops after its last file (it ran out of memory)
        self.retired = False
        #: a new worker's first file also pays for imports and model loading
        self.fresh = True

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(2)

    def send(self, task: tuple[Any, ...], timeout: float) -> None:
        self.task = task
        self.deadline = time.monotonic() + timeout + (STARTUP_GRACE if self.fresh else 0.0)
        self.conn.send(task)

    def receive(self) -> Outcome | None:
        """The finished task's outcome, or None if the worker hung up instead."""
        assert self.task is not None
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            return None
        index, path = self.task[:2]
        self.task = None
        self.fresh = False
        self.retired = bool(msg[3])
        if msg[1] == "ok" and isinstance(msg[2], str):
            return Outcome(index, path, report=Report.from_json(msg[2]))
        if msg[1] == "ok":
            return Outcome(index, path, value=msg[2])
        return Outcome(index, path, error_type=msg[1], error_message=msg[2])

    def died(self) -> Outcome:
        """Kill the worker (it died) and give its task a typed error."""
        assert self.task is not None
        index, path = self.task[:2]
        code = self.proc.exitcode
        self.kill()
        return Outcome(index, path, error_type=AnalysisResourceError.code,
                       error_message=f"{path}: the {self.what} process died (exit code {code}); "
                                     f"the file may exhaust memory or crash the decoder")

    def timed_out(self, timeout: float) -> Outcome:
        assert self.task is not None
        index, path = self.task[:2]
        self.kill()
        return Outcome(index, path, error_type=AnalysisTimeoutError.code,
                       error_message=f"{path}: {self.what} took longer than {timeout:g} s and "
                                     f"was stopped")


def run(paths: Iterable[str], settings: Settings, workers: int = 1,
        on_start: Callable[[str], None] | None = None) -> Iterator[Outcome]:
    """Yield one Outcome per path, in completion order."""
    todo = list(enumerate(paths))
    if not todo:
        return
    todo.reverse()
    ctx = mp.get_context("spawn")
    workers = max(1, min(workers, len(todo)))
    per_worker = settings.threads or max(1, (os.cpu_count() or 1) // workers)
    settings = replace(settings, threads=per_worker)
    slots = [_Slot(ctx, settings) for _ in range(workers)]
    try:
        while todo or any(s.task for s in slots):
            for slot in slots:
                if slot.task is None and todo:
                    task = todo.pop()
                    slot.send(task, settings.budget)
                    if on_start:
                        on_start(task[1])
            busy = [s for s in slots if s.task]
            timeout = max(0.0, min(s.deadline for s in busy) - time.monotonic())
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout)
            for i, slot in enumerate(slots):
                if slot.task is None:
                    continue
                if slot.conn in ready:
                    outcome = slot.receive()
                    if outcome is not None:
                        if slot.retired:
                            slot.stop()
                            slots[i] = _Slot(ctx, settings)
                        yield outcome
                        continue
                if slot.proc.sentinel in ready or not slot.proc.is_alive():
                    slots[i] = _Slot(ctx, settings)
                    yield slot.died()
                elif time.monotonic() > slot.deadline:
                    slots[i] = _Slot(ctx, settings)
                    yield slot.timed_out(settings.budget)
    finally:
        for slot in slots:
            slot.stop()


class Supervisor:
    """One long-lived supervised worker process for callers that analyse one file at a
    time (the web app's queue). Same guarantees as :func:`run`: a per-file wall-clock
    budget, a memory limit, and a typed error when the worker dies or overruns; the worker
    is then replaced. ``target`` is another worker loop with the same protocol (the web
    app's renderer)."""

    def __init__(self, settings: Settings, target: Target = _worker,
                 what: str = "analysis") -> None:
        self.ctx = mp.get_context("spawn")
        self.settings = replace(settings, threads=settings.threads or max(1, os.cpu_count() or 1))
        self.target = target
        self.what = what
        self.slot = self._slot()

    def _slot(self) -> _Slot:
        return _Slot(self.ctx, self.settings, self.target, self.what)

    def analyze(self, path: str) -> Outcome:
        return self.call((0, path))

    def call(self, task: tuple[Any, ...]) -> Outcome:
        """Run one task (``(index, path, ...)``) in the worker and wait for its outcome."""
        slot = self.slot
        slot.send(task, self.settings.budget)
        while True:
            left = max(0.0, slot.deadline - time.monotonic())
            ready = wait([slot.conn, slot.proc.sentinel], left)
            if slot.conn in ready:
                outcome = slot.receive()
                if outcome is not None:
                    if slot.retired:
                        slot.stop()
                        self.slot = self._slot()
                    return outcome
            if slot.proc.sentinel in ready or not slot.proc.is_alive():
                self.slot = self._slot()
                return slot.died()
            if time.monotonic() > slot.deadline:
                self.slot = self._slot()
                return slot.timed_out(self.settings.budget)

    def result(self, task: tuple[Any, ...]) -> Any:
        """Run one task and return its value, or raise its error typed again, with the
        task's path shortened to its name (no server path in a message)."""
        from .errors import by_code

        outcome = self.call(task)
        if outcome.ok:
            return outcome.report if outcome.report is not None else outcome.value
        path = str(task[1])
        message = (outcome.error_message or "failed").replace(path, os.path.basename(path))
        raise by_code(outcome.error_type or "error")(message)

    def close(self) -> None:
        self.slot.stop()
