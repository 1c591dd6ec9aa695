"""Protect operations under the same bounds as analysis: each in a supervised worker
process with a memory limit and a time budget (:class:`pixelsafe.batch.Supervisor`).

``pixelsafe redact`` on a 466 KB PNG of 119 MP used 4.5 GB and 24.7 s with no limit; here it
costs the worker its limit and the file a typed error, and the next file goes on in a
fresh worker. The worker keeps its models loaded from one file to the next.

The CLI's redact, strip and restore and everything the web app decodes (renditions,
previews, exports, strips, restores) run here: the server never decodes a photo in its own
process, and a file that decodes to gigabytes (a 16-bit PNG of 120 MP is 233 KB on disk)
costs the worker its limit and a typed error, never the server's memory or its other
requests. One operation at a time per instance."""

from __future__ import annotations

import threading
import warnings
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

from ..batch import Settings, Supervisor, limit_memory, serve_tasks
from ..errors import PixelSafeError
from ..report import Report
from .core import RedactOptions, RedactResult
from .sealed import UnverifiedCarrierWarning


def _report(text: str | None) -> Report | None:
    return Report.from_json(text) if text is not None else None


def _restore(src: str, dst: str, passphrase: str, overwrite: bool) -> tuple[str, list[str]]:
    from .restoration import restore

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", UnverifiedCarrierWarning)
        out = restore(src, dst, passphrase, overwrite)
    return str(out), [str(w.message) for w in seen
                      if issubclass(w.category, UnverifiedCarrierWarning)]


def _preview(src: str, dst: str, options: RedactOptions, report: str | None, size: int
             ) -> tuple[bytes, RedactResult]:
    from .redaction import redact
    from .rendition import shown

    result = redact(src, dst, options, report=_report(report))
    out = Path(dst)
    try:
        data = out.read_bytes()
    finally:
        out.unlink(missing_ok=True)
    return shown(data, size), result


def _task(task: tuple[Any, ...]) -> Any:
    _, src, op, *args = task
    if op == "render":  # without the detectors' imports: a worker that only renders is small
        from .rendition import rendition

        size, report = args
        return rendition(Path(src), size, _report(report))
    from .redaction import redact
    from .stripping import strip

    if op == "redact":
        dst, options, report = args
        return redact(src, dst, options, report=_report(report))
    if op == "preview":
        return _preview(src, *args)
    if op == "strip":
        dst, options = args
        return strip(src, dst, **options)
    if op == "restore":
        return _restore(src, *args)
    raise ValueError(f"unknown operation {op!r}")


def _worker(conn: Connection, settings: Settings) -> None:
    limit_memory(settings.memory_mb)
    from ..models import cache

    cache.configure(settings.threads or None)
    serve_tasks(conn, settings, _task)


def _json(report: Report | None) -> str | None:
    return report.to_json() if report is not None else None


class Bounded:
    """Protect operations in a bounded worker, started at the first one; use as a context
    manager, or close. Safe to share between threads: one operation runs at a time."""

    def __init__(self, timeout: float = 60.0, memory_mb: int = 8192) -> None:
        self.settings = Settings(detectors=(), timeout=timeout, memory_mb=memory_mb)
        self._supervisor: Supervisor | None = None
        self._lock = threading.Lock()
        self.closed = False

    def _run(self, task: tuple[Any, ...]) -> Any:
        with self._lock:
            if self.closed:
                raise PixelSafeError("shutting down: no new work is started")
            if self._supervisor is None:
                self._supervisor = Supervisor(self.settings, _worker, "protect")
            return self._supervisor.result(task)

    def redact(self, src: Path, dst: Path, options: RedactOptions,
               report: Report | None = None) -> RedactResult:
        """:func:`pixelsafe.protect.redaction` (with the report already made, when given)."""
        result: RedactResult = self._run((0, str(src), "redact", str(dst), options,
                                          _json(report)))
        return result

    def preview(self, src: Path, dst: Path, options: RedactOptions, report: Report | None,
                size: int) -> tuple[bytes, RedactResult]:
        """What :meth:`redact` writes, as a JPEG of at most ``size`` pixels on its long side,
        and its result; the file written at ``dst`` on the way is removed."""
        out: tuple[bytes, RedactResult] = self._run(
            (0, str(src), "preview", str(dst), options, _json(report), size))
        return out

    def strip(self, src: Path, dst: Path, keep_icc: bool = False, overwrite: bool = False,
              keep_tags: frozenset[str] = frozenset()) -> Path:
        out: Path = self._run((0, str(src), "strip", str(dst),
                               {"keep_icc": keep_icc, "overwrite": overwrite,
                                "keep_tags": keep_tags}))
        return out

    def restore(self, src: Path, dst: Path, passphrase: str, overwrite: bool = False) -> Path:
        """:func:`pixelsafe.protect.restoration`; its :class:`UnverifiedCarrierWarning`, if
        any, is warned again here."""
        out, notes = self._run((0, str(src), "restore", str(dst), passphrase, overwrite))
        for note in notes:
            warnings.warn(UnverifiedCarrierWarning(note), stacklevel=2)
        return Path(out)

    def render(self, path: Path, size: int, report: Report | None = None) -> bytes:
        """:func:`pixelsafe.protect.rendition.rendition`."""
        data: bytes = self._run((0, str(path), "render", size, _json(report)))
        return data

    def close(self) -> None:
        with self._lock:
            self.closed = True
            if self._supervisor is not None:
                self._supervisor.close()
                self._supervisor = None

    def __enter__(self) -> Bounded:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
