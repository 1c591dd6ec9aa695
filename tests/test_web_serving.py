"""The WSGI server's limits (issue 15, break 8 and 13; issue 14, point 10): slow
connections do not lock the page out, a request that trickles is closed, waitress's own
error replies carry a CSP, and a busy port is one line before anything is created."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from webutil import library_with, live_server, make_app, shutdown

from pixelsafe.web import serving

SLOW_UPLOAD = (b"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n")


@pytest.fixture
def served(tmp_path):
    app = make_app(library_with(tmp_path / "lib", "letter-contact-details.png"),
                   START_WORKER=False)
    try:
        with live_server(app, threads=4) as url:
            yield url
    finally:
        shutdown(app)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def trickle(socks: list[socket.socket], stop: threading.Event) -> None:
    """A byte every second on every connection, as the attacker's slow uploads did."""
    while not stop.wait(1.0):
        for s in socks:
            try:
                s.send(b"x")
            except OSError:
                pass


def test_150_slow_uploads_do_not_lock_the_page_out(served):
    """Waitress's default of 100 connections: 101 slow uploads made the server unreachable."""
    port = port_of(served)
    socks = []
    stop = threading.Event()
    try:
        for _ in range(150):
            s = socket.create_connection(("127.0.0.1", port), 5)
            s.sendall(SLOW_UPLOAD)
            socks.append(s)
        feeder = threading.Thread(target=trickle, args=(socks, stop), daemon=True)
        feeder.start()
        time.sleep(1.5)  # every one of them accepted and trickling
        started = time.monotonic()
        with urllib.request.urlopen(served + "/", timeout=10) as response:
            assert response.status == 200
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        for s in socks:
            s.close()


def test_a_request_that_trickles_is_closed_at_its_deadline(tmp_path, monkeypatch):
    monkeypatch.setattr(serving, "REQUEST_DEADLINE", 2.0)
    monkeypatch.setattr(serving, "CLEANUP_INTERVAL", 1)
    app = make_app(library_with(tmp_path / "lib", "letter-contact-details.png"),
                   START_WORKER=False)
    stop = threading.Event()
    try:
        with live_server(app, threads=2) as url:
            s = socket.create_connection(("127.0.0.1", port_of(url)), 5)
            s.sendall(SLOW_UPLOAD)
            threading.Thread(target=trickle, args=([s], stop), daemon=True).start()
            s.settimeout(15)
            started = time.monotonic()
            try:
                data = s.recv(65536)  # closed by the server: b"" (or a reset)
            except ConnectionResetError:
                data = b""
            assert data == b"" or data.startswith(b"HTTP/1.1 4")
            assert time.monotonic() - started < 12
            s.close()
    finally:
        stop.set()
        shutdown(app)


def test_waitress_error_replies_carry_a_csp(served):
    port = port_of(served)
    with socket.create_connection(("127.0.0.1", port), 5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n")
        s.settimeout(5)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    head = reply.split(b"\r\n\r\n")[0].decode("latin-1").lower()
    assert head.startswith("http/1.1 400")
    assert "content-security-policy: default-src 'none'" in head
    assert "x-content-type-options: nosniff" in head


def test_serve_on_a_busy_port_is_one_line_and_creates_nothing(tmp_path):
    root = library_with(tmp_path / "lib", "letter-contact-details.png")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "pixelsafe.cli", "serve", "--library", str(root),
             "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "already in use" in result.stderr and "Traceback" not in result.stderr
    assert "http://" not in result.stderr  # no URL printed for a server that never ran
    assert not (root / ".pixelsafe").exists()


def test_serve_needs_the_session_key_it_printed(tmp_path):
    """Issue 15, break 9: another local user could read the whole API. Issue 29, point 1: the
    key was then a cookie, which a browser sends to every port of 127.0.0.1, so a page that
    navigated the tab to another local listener handed it over. Now the key travels in the
    address's fragment and in a header; nothing ever sets or accepts a cookie, and the
    address is in a private file for a browser to open, out of the process list."""
    import http.client
    import re
    import stat

    root = library_with(tmp_path / "lib", "letter-contact-details.png")
    data = tmp_path / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "pixelsafe.cli", "serve", "--library",
                             str(root), "--data-dir", str(data), "--port", str(port)],
                            stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 90
        while "key=" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/#key=([A-Za-z0-9_-]+)", line)
        assert found, line
        key = found.group(2)
        opener = data / "open.html"
        assert opener.as_uri() in line
        assert stat.S_IMODE(opener.stat().st_mode) == 0o600
        assert f"url=http://127.0.0.1:{port}/#key={key}" in opener.read_text()
        deadline = time.monotonic() + 60  # the address is printed just before it listens
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.1)

        def get(path: str, **headers: str) -> http.client.HTTPResponse:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers={k.replace("_", "-"): v
                                               for k, v in headers.items()})
            response = conn.getresponse()
            response.body = response.read()
            conn.close()
            return response

        page = get("/")
        assert page.status == 200 and key.encode() not in page.body  # the page holds no key
        assert get("/api/images").status == 401
        assert get(f"/api/images?key={key}").status == 401
        for cookie in (f"pixelsafe-{port}={key}", f"key={key}"):
            assert get("/api/images", Cookie=cookie).status == 401  # no ambient credential
        assert get("/api/images", X_PixelSafe_Key="y" * len(key)).status == 401
        assert get("/api/images", X_PixelSafe_Key=key).status == 200
        for path in ("/", f"/?key={key}", "/api/images"):
            assert get(path, X_PixelSafe_Key=key).getheader("Set-Cookie") is None
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert not opener.exists()
