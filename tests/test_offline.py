"""Analysis must not open any socket that leaves this machine."""

from __future__ import annotations

import ipaddress
import socket
import sys

from conftest import SAMPLES

from pixelsafe.pipeline import Analyzer

_recording: list[tuple[str, object]] | None = None


def _hook(event: str, args: tuple) -> None:
    if _recording is not None and event in ("socket.connect", "socket.getaddrinfo",
                                            "socket.sendto", "socket.bind"):
        _recording.append((event, args[1] if event != "socket.getaddrinfo" else args[0]))


sys.addaudithook(_hook)


def _is_loopback(target: object) -> bool:
    host = target[0] if isinstance(target, tuple) else target
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def test_the_hook_sees_connections():
    global _recording
    _recording = []
    try:
        with socket.socket() as s:
            s.settimeout(0.01)
            try:
                s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed
            except OSError:
                pass
    finally:
        seen, _recording = _recording, None
    assert seen and not _is_loopback(seen[0][1])


def test_analysis_opens_no_outside_socket():
    global _recording
    _recording = []
    try:
        analyzer = Analyzer()  # fresh: the model is loaded while recording
        for path in sorted(SAMPLES.glob("*.*g")):
            analyzer.analyze(path)
    finally:
        seen, _recording = _recording, None
    assert [s for s in seen if not _is_loopback(s[1])] == []
