"""``pixelsafe doctor`` and ``pixelsafe serve``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..errors import PixelSafeError
from .common import VLM_KEYS, ExitStatus, err_console, escape, vlm_settings, with_vlm


@click.command()
@with_vlm
def doctor(**vlm: Any) -> None:
    """Check the models (files and SHA-256) and the optional VLM (Ollama, model, vision).

    Exits 1 when a model is missing or altered; a VLM problem only with --vlm, which says
    that you mean to use it."""
    from ..models import check_all

    console = Console()
    failed = False
    for name, ok, message in check_all():
        failed |= not ok
        console.print(f"{'[green]ok[/]' if ok else '[red]FAIL[/]'}  {name}: {escape(message)}")
    from ..vlm import Vlm

    settings = vlm_settings(True, *(vlm[k] for k in VLM_KEYS))
    status = Vlm(settings).status()
    mark = "[green]ok[/]" if status.ok else ("[red]FAIL[/]" if vlm["vlm"] else "[yellow]--[/]")
    optional = "" if status.ok or vlm["vlm"] else " (optional: the detectors work without it)"
    console.print(f"{mark}  VLM {escape(settings.tag)} at {escape(settings.url)}: "
                  f"{escape(status.message)}{optional}")
    sys.exit(ExitStatus.FAILED if failed or (vlm["vlm"] and not status.ok) else ExitStatus.OK)


@click.command()
@click.option("--library", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of photos (default: the bundled samples, or $PIXELSAFE_LIBRARY).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite database (default: library.db in the library's data folder).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="The library's private data folder: database, renditions, kept exports "
                   "(default: $PIXELSAFE_DATA or ~/.local/share/pixelsafe/libraries/…, "
                   "never inside the photo folder).")
@click.option("--keep-exports", is_flag=True,
              help="Keep a copy of each export in the data folder (default: sent, not kept).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback needs --allow-remote.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--allow-remote", is_flag=True,
              help="Allow a non-loopback --host: anyone who reaches it sees your photos.")
@click.option("--max-upload-mb", default=100, show_default=True, type=click.IntRange(1, 256))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Request threads of the WSGI server.")
@click.option("--open", "open_browser", is_flag=True,
              help="Open the gallery in the default browser (through a private file, so the "
                   "key never shows in the process list).")
@with_vlm
def serve(library: Path | None, db: Path | None, data_dir: Path | None, keep_exports: bool,
          host: str, port: int, allow_remote: bool, max_upload_mb: int, threads: int,
          open_browser: bool, **vlm: Any) -> None:
    """Run the gallery web app (waitress) on http://HOST:PORT."""
    from ..web import create_app, shutdown
    from ..web.security import LOOPBACK_HOSTS, host_name, new_token
    from ..web.serving import bind, make_server

    if host_name(host) not in LOOPBACK_HOSTS:
        if not allow_remote:
            raise click.UsageError(f"--host {host} is not loopback: the gallery would be open "
                                   "to your network. Add --allow-remote if you mean it.")
        err_console.print(f"[bold red]warning:[/] serving on {escape(host)}: anyone who can reach "
                  "this address can see and change your library.")
    try:
        sock = bind(host, port)  # before anything is created: a busy port is one line
    except PixelSafeError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        key = new_token()
        app = create_app({"LIBRARY": library, "DB": db, "HOST": host, "ACCESS_KEY": key,
                          "DATA_DIR": data_dir, "KEEP_EXPORTS": keep_exports,
                          "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024,
                          "VLM": vlm_settings(True, *(vlm[k] for k in VLM_KEYS)),
                          "VLM_ENABLED": vlm["vlm"],
                          # listen at once; the gallery fills as the folder is looked through
                          "INDEX_IN_BACKGROUND": True})
    except PixelSafeError as exc:
        sock.close()
        raise click.ClickException(str(exc)) from exc
    # the address first: the port accepts connections only once the server is made. The key
    # travels in the fragment, which no browser sends to a server (web.security)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{sock.getsockname()[1]}/#key={key}"
    opener = opener_file(Path(app.config["DATA_DIR"]), address)
    err_console.print(f"PixelSafe gallery of {escape(app.config['LIBRARY'])} on "
              f"[bold]{escape(address)}[/] (open this address: its key is this session's; "
              f"or open {escape(opener.as_uri())}; Ctrl+C stops). The phone app, which "
              f"analyses in the browser itself: http://{shown}:{sock.getsockname()[1]}/phone/",
              soft_wrap=True)
    server = make_server(app, sock, threads, max_body=(max_upload_mb + 1) * 1024 * 1024)
    if open_browser:
        import webbrowser

        webbrowser.open(opener.as_uri())  # the process list shows a file name, not the key

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)  # SIGTERM as Ctrl+C: the worker and the database close cleanly

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    finally:
        opener.unlink(missing_ok=True)
        server.task_dispatcher.shutdown()
        shutdown(app)


def opener_file(data: Path, address: str) -> Path:
    """A page in the library's private data folder (0700; the file 0600) that sends the
    browser on to ``address``: a browser started with it shows this file's name in the
    process list, where the address would show the session's key to every local user."""
    import html
    import os

    from ..fsutil import write_atomic

    path = data / "open.html"
    target = html.escape(address, quote=True)
    page = (f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" '
            f'content="0;url={target}"><title>PixelSafe</title>'
            f'<p><a href="{target}">Open the PixelSafe gallery</a></p>\n')
    mask = os.umask(0o077)
    try:
        write_atomic(path, page.encode())
    finally:
        os.umask(mask)
    return path


@click.command("phone-site")
@click.argument("folder", type=click.Path(path_type=Path))
def phone_site(folder: Path) -> None:
    """Write the phone app as a static site into FOLDER (new or empty), for any HTTPS host:
    a phone opens it there, and from then on it works offline. The headers it needs (COOP,
    COEP, its CSP) are in FOLDER/_headers; a host that does not read that file must send
    them itself."""
    from ..phone import export_site

    out = export_site(folder)
    Console().print(f"phone app written to {escape(str(out))} (headers in _headers)")

