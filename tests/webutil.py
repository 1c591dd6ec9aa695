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
    """Poll /api/status until the folder is looked through and nothing is queued or
    running; returns the stats."""
    deadline = time.monotonic() + timeout
    while True:
        stats = client.get("/api/status").get_json()["stats"]
        if stats["queued"] == 0 and stats["running"] == 0 and not stats["indexing"]:
            return stats
        if time.monotonic() > deadline:
            raise TimeoutError(f"analysis queue not idle after {timeout} s: {stats}")
        time.sleep(0.25)


@contextmanager
def live_server(app: Any, threads: int = 8, drain: float = 15.0) -> Iterator[str]:
    """Serve ``app`` with waitress on 127.0.0.1 (a free port); yields the base URL.

    Shut down cleanly: stop accepting, let the requests in flight finish (up to ``drain``
    seconds), then close every socket *in the loop's own thread*. Closing them from this
    thread while the loop sat in select() gave EBADF on a busy machine (issue 15)."""
    from waitress import wasyncore

    from pixelsafe.web.serving import bind, make_server

    server = make_server(app, bind("127.0.0.1", 0), threads=threads)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)
        for channel in list(server._map.values()):
            if channel is not server and channel is not server.trigger:
                channel.close()
        server.close()  # the listening socket and the trigger

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.accepting = False  # no new connections; the loop stops selecting the socket
        deadline = time.monotonic() + drain
        while server.active_channels and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        thread.join(10)
        server.task_dispatcher.shutdown()


def shutdown(app: Any) -> None:
    from pixelsafe.web import shutdown as stop

    stop(app)
