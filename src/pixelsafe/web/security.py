"""The local server's doors, each closed by a request hook.

* Host allow-list: a request whose Host header names anything but localhost, 127.0.0.1,
  [::1] or the configured host is refused. A DNS-rebinding page reaches us under its own
  host name, so it is refused before any route runs.
* No CORS: no ``Access-Control-*`` header is ever sent, so other origins cannot read
  responses.
* CSRF: every state-changing request must come from our own origin (``Sec-Fetch-Site`` and
  ``Origin``, when the browser sends them) and carry the per-process token in the
  ``X-PixelSafe-Token`` header. A cross-site form can set neither.
* A Content-Security-Policy with ``script-src 'self'`` and no inline script or style, plus
  nosniff, no framing and no referrer.
* A per-session access key (``ACCESS_KEY``, set by ``pixelsafe serve``), and no ambient
  credential: the address ``serve`` prints carries the key in its fragment (``/#key=…``),
  which a browser never sends to any server; the page keeps it in ``sessionStorage``,
  which belongs to this origin (scheme, host *and port*), and sends it in the
  ``X-PixelSafe-Key`` header of every API request; images are fetched by the page with it.
  A cookie would do no such thing: browsers send a ``127.0.0.1`` cookie to every port, so a
  page that navigates the tab to another local user's listener would hand it over. The page
  and its scripts hold nothing private and are served without the key; every ``/api/``
  request without it is 401.
"""

from __future__ import annotations

import hmac
import re
import secrets

from flask import Flask, Response, current_app, request

from .errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_HEADER = "X-PixelSafe-Token"
KEY_HEADER = "X-PixelSafe-Key"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
       "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
#: for image bytes opened directly: nothing in them may run
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def host_name(host: str) -> str:
    """``[::1]:3000`` -> ``::1``; ``LocalHost:80`` -> ``localhost``."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        rest = host[end + 1:] if end > 0 else ""
        # "[::1]evil.example" is no loopback host: after "]" only a port may follow
        if end < 0 or rest and not re.fullmatch(r":\d{1,5}", rest):
            return host
        return host[1:end]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_hosts(configured: str | None) -> frozenset[str]:
    hosts = set(LOOPBACK_HOSTS)
    if configured and configured not in ("0.0.0.0", "::"):
        hosts.add(host_name(configured) if not configured.startswith("[") else
                  configured.strip("[]"))
    return frozenset(hosts)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def check_access(key: str) -> None:
    """Every API request carries the session's key in its header (see the module's notes)."""
    if not request.path.startswith("/api/"):
        return  # the page, its scripts and styles: nothing private
    if not hmac.compare_digest(request.headers.get(KEY_HEADER, "").encode(), key.encode()):
        raise ApiError(401, "access_key", "no access key: open the address that "
                       "`pixelsafe serve` printed (its key is this session's)")


def check_request() -> None:
    host = request.headers.get("Host", "")
    if host_name(host) not in current_app.config["ALLOWED_HOSTS"]:
        raise ApiError(403, "host_not_allowed",
                       f"Host {host!r} is not allowed; open the app as http://127.0.0.1 or "
                       "http://localhost")
    key = current_app.config.get("ACCESS_KEY")
    if key:
        check_access(key)
    site = request.headers.get("Sec-Fetch-Site")
    if request.method in SAFE_METHODS:
        # a cross-site <img> or fetch of an API resource (a rendition, an original, a
        # report) is refused before any work: another site may not make this server decode
        if request.path.startswith("/api/") and site not in (None, "same-origin", "none"):
            raise ApiError(403, "cross_site", f"cross-site request refused ({site})")
        return
    if site is not None and site not in ("same-origin", "none"):
        raise ApiError(403, "cross_site", f"cross-site request refused ({site})")
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{host}":
        raise ApiError(403, "cross_origin", f"request from origin {origin!r} refused")
    token = request.headers.get(TOKEN_HEADER, "")
    if not hmac.compare_digest(token.encode(), current_app.config["CSRF_TOKEN"].encode()):
        raise ApiError(403, "csrf_token", f"missing or wrong {TOKEN_HEADER} header")


#: on every response, the app's own and the WSGI server's error replies alike
FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def set_headers(response: Response) -> Response:
    for name in [h for h in response.headers.keys() if h.lower().startswith("access-control-")]:
        del response.headers[name]
    response.headers.setdefault("Content-Security-Policy", CSP)
    for name, value in FIXED_HEADERS:
        response.headers[name] = value
    # the API and the page (it carries the session's token) are never cached
    if request.path.startswith("/api/") or response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def install(app: Flask) -> None:
    app.before_request(check_request)
    app.after_request(set_headers)
