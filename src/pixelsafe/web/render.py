"""Renditions for the browser: thumbnails and display-size images, plain or redacted.

Every rendition is freshly encoded from the oriented pixels, so none carries the
original's metadata, and box coordinates in the report map onto it by one scale factor.
The redacted renditions apply the same regions and styles as an export (without the
export's re-analysis, which only the exported file needs).

The server never decodes a photo in its own process: :class:`Renderer` renders in one
supervised worker process with a memory limit and a time budget, one rendition at a time,
so a file that decodes to gigabytes (a 16-bit PNG of 120 MP is 233 KB on disk) costs the
worker its limit and a typed error, never the server's memory."""

from __future__ import annotations

import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from PIL import Image

from .. import imageio
from ..batch import Settings, Supervisor, limit_memory, serve_tasks
from ..errors import PixelSafeError
from ..protect.core import RedactOptions, apply, encode, plan
from ..report import Report

SIZES = {"thumb": 480, "display": 1600}
#: the render worker's address-space limit: a 120 MP image (the decoder's ceiling) in RGB
#: with one working copy fits; more than that fails as a typed error
RENDER_MEMORY_MB = 3072
#: seconds per rendition before the worker is replaced
RENDER_TIMEOUT = 30.0


def rendition(path: Path, size: int, report: Report | None = None) -> bytes:
    """A JPEG at most ``size`` pixels on its long side; redacted when a report is given.
    Made from the 8-bit RGB pixels as displayed (a 16-bit greyscale PNG included)."""
    im = imageio.load(path).rgb.copy()
    if report is not None:
        for target in plan(report, RedactOptions(), im.width, im.height):
            apply(im, target)
    im.thumbnail((size, size), Image.Resampling.LANCZOS)
    data, _ = encode(im, "JPEG")
    return data


def _render_task(task: tuple[Any, ...]) -> bytes:
    _, path, size, report = task
    return rendition(Path(path), size, Report.from_json(report) if report else None)


def _render_worker(conn: Connection, settings: Settings) -> None:
    limit_memory(settings.memory_mb)
    serve_tasks(conn, settings, _render_task)


class Renderer:
    """Renditions made in a bounded worker process, started at the first request."""

    def __init__(self, memory_mb: int = RENDER_MEMORY_MB,
                 timeout: float = RENDER_TIMEOUT) -> None:
        self.settings = Settings(detectors=(), timeout=timeout, memory_mb=memory_mb, threads=1)
        self._lock = threading.Lock()
        self._supervisor: Supervisor | None = None
        self.closed = False

    def render(self, path: Path, size: int, report: Report | None = None) -> bytes:
        with self._lock:
            if self.closed:
                raise PixelSafeError("the server is shutting down")
            if self._supervisor is None:
                self._supervisor = Supervisor(self.settings, _render_worker, "rendering")
            data: bytes = self._supervisor.result(
                (0, str(path), size, report.to_json() if report is not None else None))
        return data

    def close(self) -> None:
        with self._lock:
            self.closed = True
            if self._supervisor is not None:
                self._supervisor.close()
                self._supervisor = None
