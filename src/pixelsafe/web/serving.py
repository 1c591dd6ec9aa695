"""The WSGI server around the app: waitress, with limits that keep the page usable.

* The port is bound before the library is opened, so a busy port is one clear error and
  nothing is created (``bind``).
* waitress's default of 100 connections let 101 slow uploads (a byte every 2 s) lock the
  page out. Here up to ``CONNECTION_LIMIT`` connections are served, a connection idle for
  ``CHANNEL_TIMEOUT`` seconds is closed, and a request whose headers and body have not all
  arrived ``REQUEST_DEADLINE`` seconds after they began is closed too, however steadily it
  trickles (a 100 MB upload over loopback takes well under a second).
* waitress's own error replies (a malformed request, a header or body over its limits) get
  the app's security headers and a CSP that allows nothing.
"""

from __future__ import annotations

import errno
import socket
import time
import weakref
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from ..errors import PixelSafeError
from .security import FIXED_HEADERS

CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT = 30
REQUEST_DEADLINE = 30.0
#: how often (seconds) the server looks for connections to close
CLEANUP_INTERVAL = 2
#: headers of waitress's own error replies
ERROR_HEADERS = (("Content-Security-Policy", "default-src 'none'"),
                 ("Cache-Control", "no-store"), *FIXED_HEADERS)


class PortInUseError(PixelSafeError):
    code = "port_in_use"


class _ErrorTask(ErrorTask):  # type: ignore[misc]
    def execute(self) -> None:
        self.response_headers.extend(ERROR_HEADERS)
        super().execute()


class _Channel(HTTPChannel):  # type: ignore[misc]
    error_task_class = _ErrorTask


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (it listens once the server is made), or
    PortInUseError in one line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(f"port {port} on {host} is already in use (another PixelSafe, "
                                 "or another program): choose another with --port") from exc
        raise PixelSafeError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def make_server(app: Any, sock: socket.socket, threads: int = 8,
                max_body: int | None = None) -> Any:
    """A waitress server for ``app`` on the bound socket ``sock`` (not yet running)."""
    _raise_fd_limit(CONNECTION_LIMIT + 256)
    kwargs: dict[str, Any] = {}
    if max_body is not None:
        kwargs["max_request_body_size"] = max_body
    server = create_server(app, sockets=[sock], threads=threads, ident="PixelSafe",
                           connection_limit=CONNECTION_LIMIT, channel_timeout=CHANNEL_TIMEOUT,
                           cleanup_interval=CLEANUP_INTERVAL, **kwargs)
    server.channel_class = _Channel
    started: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
    idle = server.maintenance

    def maintenance(now: float) -> None:
        idle(now)
        for channel in list(server.active_channels.values()):
            request = getattr(channel, "request", None)
            if request is None:
                continue
            first = started.setdefault(request, time.time())
            if time.time() - first > REQUEST_DEADLINE:
                channel.will_close = True

    server.maintenance = maintenance
    return server


def _raise_fd_limit(wanted: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
