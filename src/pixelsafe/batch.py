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
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from .errors import AnalysisResourceError, AnalysisTimeoutError, PixelSafeError
from .model import Report

log = logging.getLogger(__name__)

STARTUP_GRACE = 60.0


@dataclass(frozen=True)
class Settings:
    detectors: tuple[str, ...] = ("faces", "text", "barcodes", "metadata")
    #: seconds per file, after which the worker is killed
    timeout: float = 60.0
    #: address-space limit per worker, in MiB (0: none)
    memory_mb: int = 8192
    threads: int = 0


@dataclass(frozen=True)
class Outcome:
    index: int
    path: str
    report: Report | None = None
    error_type: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.report is not None


def _worker(conn: Connection, settings: Settings) -> None:
    if settings.memory_mb:
        import resource

        limit = settings.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if settings.threads:
        os.environ["PIXELSAFE_THREADS"] = str(settings.threads)
    from .pipeline import Analyzer, detectors_named

    analyzer = Analyzer(detectors_named(settings.detectors), timeout=settings.timeout)
    while True:
        try:
            task = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        index, path = task
        try:
            report = analyzer.analyze(path)
            conn.send((index, "ok", report.to_json()))
        except PixelSafeError as exc:
            conn.send((index, exc.code, str(exc)))
        except MemoryError:
            conn.send((index, AnalysisResourceError.code,
                       f"{path}: out of memory (limit {settings.memory_mb} MiB)"))
        except Exception as exc:  # report, never kill the batch
            conn.send((index, type(exc).__name__, f"{path}: {exc}"))


class _Slot:
    def __init__(self, ctx: Any, settings: Settings) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, settings), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, str] | None = None
        self.deadline = 0.0
        #: a new worker's first file also pays for imports and model loading
        self.fresh = True

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


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
    settings = Settings(settings.detectors, settings.timeout, settings.memory_mb, per_worker)
    slots = [_Slot(ctx, settings) for _ in range(workers)]
    try:
        while todo or any(s.task for s in slots):
            for slot in slots:
                if slot.task is None and todo:
                    slot.task = todo.pop()
                    slot.deadline = (time.monotonic() + settings.timeout +
                                     (STARTUP_GRACE if slot.fresh else 0.0))
                    slot.conn.send(slot.task)
                    if on_start:
                        on_start(slot.task[1])
            busy = [s for s in slots if s.task]
            timeout = max(0.0, min(s.deadline for s in busy) - time.monotonic())
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout)
            for i, slot in enumerate(slots):
                if slot.task is None:
                    continue
                index, path = slot.task
                if slot.conn in ready:
                    try:
                        msg = slot.conn.recv()
                    except (EOFError, OSError):
                        msg = None
                    if msg is not None:
                        slot.task = None
                        slot.fresh = False
                        if msg[1] == "ok":
                            yield Outcome(index, path, report=Report.from_json(msg[2]))
                        else:
                            yield Outcome(index, path, error_type=msg[1], error_message=msg[2])
                        continue
                if slot.proc.sentinel in ready or not slot.proc.is_alive():
                    code = slot.proc.exitcode
                    slot.kill()
                    slots[i] = _Slot(ctx, settings)
                    yield Outcome(index, path, error_type=AnalysisResourceError.code,
                                  error_message=f"{path}: the analysis process died "
                                                f"(exit code {code}); the file may exhaust "
                                                f"memory or crash the decoder")
                elif time.monotonic() > slot.deadline:
                    slot.kill()
                    slots[i] = _Slot(ctx, settings)
                    yield Outcome(index, path, error_type=AnalysisTimeoutError.code,
                                  error_message=f"{path}: analysis took longer than "
                                                f"{settings.timeout:g} s and was stopped")
    finally:
        for slot in slots:
            try:
                slot.conn.send(None)
            except (OSError, ValueError):
                pass
            slot.proc.join(2)
            if slot.proc.is_alive():
                slot.proc.kill()
                slot.proc.join(2)
