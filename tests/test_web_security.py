"""Each door of the local server, tested closed: bind address, Host allow-list (DNS
rebinding), no CORS, CSRF on every state-changing route, CSP, path traversal, no debug."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from webutil import TOKEN_HEADER, headers, library_with, make_app, shutdown

from pixelsafe.cli import main
from pixelsafe.web.security import host_name


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = library_with(tmp_path_factory.mktemp("lib"), "letter-contact-details.png")
    app = make_app(root, START_WORKER=False)
    yield app, app.test_client(), root
    shutdown(app)


def image_id(client) -> int:
    return client.get("/api/images").get_json()["images"][0]["id"]


# every state-changing route, with a body that would succeed with the token
def writes(iid: int) -> list[tuple[str, str, dict]]:
    return [
        ("post", "/api/images", {"data": {"file": (io.BytesIO(b"x"), "a.png")}}),
        ("post", f"/api/images/{iid}/analyze", {}),
        ("post", f"/api/images/{iid}/lock", {"json": {"locked": True}}),
        ("post", f"/api/images/{iid}/export", {"json": {}}),
        ("post", f"/api/images/{iid}/preview", {"json": {}}),
        ("post", f"/api/images/{iid}/encrypt", {"json": {"passphrase": "long enough"}}),
        ("post", f"/api/images/{iid}/strip", {}),
        ("post", "/api/export", {"json": {"ids": [iid]}}),
        ("post", "/api/restore", {"data": {"passphrase": "x"}}),
        ("post", "/api/vlm", {"json": {"enabled": True}}),
        ("delete", f"/api/images/{iid}", {}),
        ("delete", "/api/trash", {}),
    ]


def test_every_state_changing_route_is_listed(web):
    """The CSRF tests below cover every route that is not GET: adding one without adding it
    to ``writes`` fails here."""
    app, client, _ = web
    routes = {(m.lower(), r.rule) for r in app.url_map.iter_rules()
              for m in r.methods - {"GET", "HEAD", "OPTIONS"}}
    listed = {(m, url.replace(str(image_id(client)), "<id:image_id>"))
              for m, url, _ in writes(image_id(client))}
    assert routes == listed


@pytest.mark.parametrize("index", range(12))
def test_state_changing_routes_need_the_token(web, index):
    app, client, _ = web
    method, url, kwargs = writes(image_id(client))[index]
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 403
    assert response.get_json()["error"]["type"] == "csrf_token"
    method, url, kwargs = writes(image_id(client))[index]  # fresh upload streams
    wrong = getattr(client, method)(url, headers={TOKEN_HEADER: "guess"}, **kwargs)
    assert wrong.status_code == 403


@pytest.mark.parametrize("index", range(12))
def test_cross_site_requests_are_refused_even_with_the_token(web, index):
    app, client, _ = web
    method, url, kwargs = writes(image_id(client))[index]
    cross = getattr(client, method)(url, headers=headers(app, **{"Sec-Fetch-Site": "cross-site"}),
                                    **kwargs)
    assert cross.status_code == 403 and cross.get_json()["error"]["type"] == "cross_site"
    method, url, kwargs = writes(image_id(client))[index]
    origin = getattr(client, method)(url, headers=headers(app, Origin="http://evil.example"),
                                     **kwargs)
    assert origin.status_code == 403 and origin.get_json()["error"]["type"] == "cross_origin"


def test_a_cross_site_form_post_gets_403(web):
    """What a malicious page can send: a form POST, no custom header, its own Origin."""
    _, client, root = web
    iid = image_id(client)
    response = client.post(f"/api/images/{iid}/lock", data={"locked": "true"},
                           headers={"Origin": "http://evil.example",
                                    "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    gone = client.post(f"/api/images/{iid}/lock", data={"locked": "true"},
                       content_type="application/x-www-form-urlencoded")
    assert gone.status_code == 403
    assert client.get(f"/api/images/{iid}").get_json()["locked"] is False
    delete = client.delete(f"/api/images/{iid}", headers={"Sec-Fetch-Site": "same-site"})
    assert delete.status_code == 403 and (root / "letter-contact-details.png").exists()


def test_same_origin_request_with_the_token_passes(web):
    app, client, _ = web
    iid = image_id(client)
    response = client.post(f"/api/images/{iid}/lock", json={"locked": False}, headers=headers(
        app, Origin="http://localhost", **{"Sec-Fetch-Site": "same-origin"}))
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:3000", "192.168.1.10:3000",
                                  "localhost.evil.example", "127.0.0.1.nip.io", "",
                                  "[::1]evil.example", "[::1]:3000evil", "[::1"])
def test_foreign_host_headers_are_refused(web, host):
    """DNS rebinding: the attacker's name resolves to 127.0.0.1, but the Host header still
    carries the attacker's name."""
    _, client, _ = web
    for url in ("/", "/api/images", "/api/status", "/static/app.js"):
        response = client.get(url, headers={"Host": host})
        assert response.status_code == 403, (host, url)
        assert response.get_json()["error"]["type"] == "host_not_allowed"


@pytest.mark.parametrize("host", ["localhost", "localhost:3000", "127.0.0.1:3000",
                                  "[::1]:3000", "LOCALHOST:8080"])
def test_loopback_host_headers_pass(web, host):
    _, client, _ = web
    assert client.get("/api/status", headers={"Host": host}).status_code == 200


def test_configured_host_is_allowed(tmp_path):
    root = library_with(tmp_path / "lib", "letter-contact-details.png")
    app = make_app(root, START_WORKER=False, HOST="photos.lan")
    try:
        client = app.test_client()
        assert client.get("/api/status", headers={"Host": "photos.lan:3000"}).status_code == 200
        assert client.get("/api/status", headers={"Host": "other.lan"}).status_code == 403
    finally:
        shutdown(app)


@pytest.mark.parametrize("host", ["[::1]:80", "::1", "Localhost:3000", "127.0.0.1"])
def test_host_name_parsing(host):
    assert host_name(host) in {"::1", "localhost", "127.0.0.1"}


def test_the_page_and_the_api_are_never_cached(web):
    """The page carries the session's token: no cache may keep it."""
    _, client, _ = web
    for url in ("/", "/api/status"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_no_cors_headers_anywhere(web):
    app, client, _ = web
    iid = image_id(client)
    evil = {"Origin": "http://evil.example"}
    responses = [
        client.get("/", headers=evil), client.get("/api/images", headers=evil),
        client.get(f"/api/images/{iid}/file", headers=evil),
        client.options("/api/images", headers={**evil, "Access-Control-Request-Method": "POST"}),
        client.post(f"/api/images/{iid}/lock", json={"locked": False}, headers=headers(app)),
    ]
    for response in responses:
        assert not [h for h in response.headers.keys() if h.lower().startswith("access-control")]
        response.close()  # a file response streams until the server closes it


def test_content_security_policy_and_hardening_headers(web):
    _, client, _ = web
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert b"<script>" not in page.data and b" onclick=" not in page.data  # no inline code
    for url in ("/api/status", "/static/app.js"):
        with client.get(url) as response:
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_page_escapes_and_carries_the_token(web):
    app, client, _ = web
    page = client.get("/").data.decode()
    assert f'content="{app.config["CSRF_TOKEN"]}"' in page


@pytest.mark.parametrize("url", [
    "/static/../../../../etc/passwd", "/static/..%2f..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/web/api.py", "/api/images/..%2f..%2fetc%2fpasswd",
    "/api/images/-1/file", "/api/images/1%2f..%2f..%2fetc/file", "/..%2f..%2fetc/passwd",
])
def test_path_traversal_finds_nothing(web, url):
    _, client, _ = web
    response = client.get(url)
    assert response.status_code in (400, 404), url
    assert b"root:" not in response.data and b"[project]" not in response.data
    assert b"def " not in response.data


def test_library_never_resolves_outside_its_root(web):
    from pixelsafe.web.library import NotFound

    app, _, _ = web
    library = app.extensions["pixelsafe"]
    for rel in ("../x.png", "/etc/passwd", "uploads/../../x"):
        with pytest.raises(NotFound):
            library.resolve(rel)


def test_debug_is_off(web):
    app, client, _ = web
    assert app.debug is False
    response = client.get("/api/images/1/thumb?size=display&redacted=1&x=\x00")
    assert b"Traceback" not in response.data and b"Werkzeug Debugger" not in response.data


def test_serve_refuses_a_public_bind_without_the_flag(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--library", str(tmp_path), "--host",
                                       "0.0.0.0"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), 0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {host}:{port}")


def run_serve(args: list[str], port: int, probe: str) -> tuple[str, bool]:
    """Start ``pixelsafe serve``; returns its stderr and whether ``probe`` could connect."""
    proc = subprocess.Popen([sys.executable, "-m", "pixelsafe.cli", "serve", *args,
                             "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port)
        try:
            with socket.create_connection((probe, port), 1):
                reached = True
        except OSError:
            reached = False
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=20)
    return stderr, reached


def outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for UDP connect
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_serve_binds_loopback_by_default(tmp_path):
    library_with(tmp_path / "lib", "letter-contact-details.png")
    port = free_port()
    address = outside_address()
    stderr, reached = run_serve(["--library", str(tmp_path / "lib")], port,
                                address or "127.0.0.1")
    assert "http://127.0.0.1:" in stderr
    if address:
        assert not reached, f"reachable on {address}"


def test_serve_warns_on_a_public_bind(tmp_path):
    library_with(tmp_path / "lib", "letter-contact-details.png")
    port = free_port()
    stderr, reached = run_serve(["--library", str(tmp_path / "lib"), "--host", "0.0.0.0",
                                 "--allow-remote"], port, "127.0.0.1")
    assert reached and "warning" in stderr and "anyone" in stderr


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_cross_site_image_tag_gets_no_rendition(web, site):
    """Break 1: another site's <img> may not make the server decode anything."""
    app, client, _ = web
    iid = image_id(client)
    for url in (f"/api/images/{iid}/thumb?size=display", f"/api/images/{iid}/original",
                f"/api/images/{iid}", "/api/images"):
        response = client.get(url, headers={"Sec-Fetch-Site": site})
        assert response.status_code == 403, url
        assert response.get_json()["error"]["type"] == "cross_site"
    ok = client.get(f"/api/images/{iid}/thumb", headers={"Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 200 and ok.mimetype == "image/jpeg"


def test_a_16_bit_greyscale_png_gets_its_thumbnail(tmp_path, monkeypatch):
    """A 16-bit PNG rendered (it failed with 'image has wrong mode'); a file that cannot be
    rendered is decoded once, not at every view."""
    import numpy as np
    from PIL import Image

    root = tmp_path / "lib"
    root.mkdir()
    grey = (np.random.default_rng(0).random((2100, 2100)) * 65535).astype(np.uint16)
    Image.fromarray(grey).save(root / "grey16.png")
    (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    app = make_app(root, START_WORKER=False)
    try:
        client = app.test_client()
        images = {i["name"]: i["id"] for i in client.get("/api/images").get_json()["images"]}
        thumb = client.get(f"/api/images/{images['grey16.png']}/thumb")
        assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
        calls = []
        renderer = app.extensions["pixelsafe.engine"]
        real = renderer.render
        monkeypatch.setattr(renderer, "render", lambda *a: calls.append(a) or real(*a))
        for _ in range(3):
            assert client.get(f"/api/images/{images['broken.png']}/thumb").status_code >= 400
        assert len(calls) == 1
    finally:
        shutdown(app)


def test_renditions_are_decoded_outside_the_server_process(tmp_path, monkeypatch):
    """Break 1: the server does not decode photos itself. With the decoder broken in this
    (the server's) process, thumbnails are still made: by the bounded render worker."""
    from PIL import Image

    from pixelsafe import imageio

    root = tmp_path / "lib"
    root.mkdir()
    Image.new("RGB", (900, 600), (30, 120, 200)).save(root / "blue.jpg")
    app = make_app(root, START_WORKER=False)
    try:
        def no_decoding_here(*args, **kwargs):
            raise AssertionError("decoded in the server process")

        monkeypatch.setattr(imageio, "load", no_decoding_here)
        monkeypatch.setattr(imageio, "decode", no_decoding_here)
        client = app.test_client()
        iid = client.get("/api/images").get_json()["images"][0]["id"]
        for size in ("thumb", "display"):
            response = client.get(f"/api/images/{iid}/thumb?size={size}")
            assert response.status_code == 200 and response.mimetype == "image/jpeg"
            with Image.open(io.BytesIO(response.data)) as im:
                assert max(im.size) == 900 if size == "display" else max(im.size) == 480
    finally:
        shutdown(app)


def test_a_rendition_over_the_memory_limit_is_a_typed_error(tmp_path):
    """Break 1: the 233 KB 16-bit PNG of 10950x10950 that took 3.3 GB of the server: in a
    render worker limited to 400 MiB it fails as resource_limit, and the worker is
    replaced, so the next rendition is made."""
    from PIL import Image

    from pixelsafe.errors import AnalysisResourceError
    from pixelsafe.protect.bounded import Bounded

    bomb, fine = tmp_path / "grey16.png", tmp_path / "fine.png"
    Image.new("I;16", (10950, 10950)).save(bomb)
    assert bomb.stat().st_size < 1_000_000
    Image.new("RGB", (64, 48), "white").save(fine)
    renderer = Bounded(memory_mb=400)
    try:
        with pytest.raises(AnalysisResourceError) as caught:
            renderer.render(bomb, 480)
        assert str(tmp_path) not in str(caught.value)  # no server path in the message
        assert renderer.render(fine, 480)[:2] == b"\xff\xd8"
    finally:
        renderer.close()
