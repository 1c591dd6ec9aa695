"""Helpers for the web app's tests: an app over a temporary library, a live waitress server
on loopback, and waiting for the analysis queue."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import SAMPLES

TOKEN_HEADER = "X-PixelSafe-Token"


def library_with(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
    return folder


def make_app(library: Path, **config: Any) -> Any:
    from pixelsafe.web import create_app

    return create_app({"LIBRARY": library, **config})


def headers(app: Any, **extra: str) -> dict[str, str]:
    return {TOKEN_HEADER: app.config["CSRF_TOKEN"], **extra}


def wait_idle(client: Any, timeout: float = 180.0) -> dict[str, Any]:
    """Poll /api/status until nothing is queued or running; returns the stats."""
    deadline = time.monotonic() + timeout
    while True:
        stats = client.get("/api/status").get_json()["stats"]
        if stats["queued"] == 0 and stats["running"] == 0:
            return stats
        if time.monotonic() > deadline:
            raise TimeoutError(f"analysis queue not idle after {timeout} s: {stats}")
        time.sleep(0.25)


@contextmanager
def live_server(app: Any, threads: int = 8) -> Iterator[str]:
    """Serve ``app`` with waitress on 127.0.0.1 (a free port); yields the base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(5)


def shutdown(app: Any) -> None:
    from pixelsafe.web import shutdown as stop

    stop(app)
