"""The gallery web app: an app factory, the JSON API blueprint and the page.

``create_app(config)`` opens the library (indexing new files and queuing their analysis)
and starts the background worker unless ``START_WORKER`` is false. Run it with
``pixelsafe serve``, which uses waitress; Flask's debug server is never used."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    send_from_directory,
)
from werkzeug.routing import IntegerConverter

from ..batch import Settings
from ..detectors.registry import DEFAULT as DETECTOR_NAMES
from ..fsutil import library_data, owned_entry, private_dir
from ..pipeline import pipeline_id
from ..protect.bounded import Bounded
from ..vlm import VlmSettings
from . import errors, security
from .library import Library

log = logging.getLogger(__name__)
views = Blueprint("views", __name__)


@views.get("/")
def index() -> str:
    return render_template("index.html", token=current_app.config["CSRF_TOKEN"])


PHONE_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
               ".onnx": "application/octet-stream", ".json": "application/json",
               ".html": "text/html", ".css": "text/css", ".svg": "image/svg+xml"}


@views.get("/phone/")
@views.get("/phone/<path:name>")
def phone(name: str = "index.html") -> Response:
    """The phone app (built by ``make setup``): static files, nothing private in them."""
    from ..phone import APP_DIR, HEADERS

    suffix = Path(name).suffix
    if suffix not in PHONE_TYPES:
        abort(404)
    response = send_from_directory(APP_DIR, name, mimetype=PHONE_TYPES[suffix],
                                   max_age=0)
    for header, value in HEADERS:  # the same as the static site's _headers
        response.headers[header] = value
    return response


class ImageId(IntegerConverter):
    """An image id: a non-negative integer that fits SQLite's INTEGER (larger ones: 404)."""

    def __init__(self, url_map: object) -> None:
        super().__init__(url_map, max=2**63 - 1)  # type: ignore[arg-type]


def default_library() -> Path:
    """``$PIXELSAFE_LIBRARY``, else the bundled samples of a source checkout, else
    ``./samples``."""
    if os.environ.get("PIXELSAFE_LIBRARY"):
        return Path(os.environ["PIXELSAFE_LIBRARY"])
    bundled = Path(__file__).resolve().parents[3] / "samples"
    return bundled if bundled.is_dir() else Path("samples")


class VlmSwitch:
    """The web app's VLM setting: on or off, and which model at which URL. Switching it
    re-points the library's pipeline and the worker; images queue again for the VLM."""

    def __init__(self, app: Flask, settings: VlmSettings, enabled: bool) -> None:
        self.app = app
        self.settings = settings
        self.enabled = enabled
        self._lock = threading.Lock()

    def apply(self, settings: VlmSettings | None = None, enabled: bool | None = None,
              index: bool = True) -> None:
        with self._lock:
            if settings is not None:
                self.settings = settings
            if enabled is not None:
                self.enabled = enabled
            library: Library = self.app.extensions["pixelsafe"]
            vlm = self.settings if self.enabled else None
            pipeline = pipeline_id(DETECTOR_NAMES, vlm)
            library.configure(pipeline, pipeline if vlm else library.base)
            worker = self.app.extensions.get("pixelsafe.worker")
            if worker is not None:
                worker.reconfigure(self.worker_settings())
        if index:
            library.index()

    def worker_settings(self) -> Settings:
        config = self.app.config
        return Settings(DETECTOR_NAMES, config["ANALYSIS_TIMEOUT"], config["MEMORY_MB"],
                        vlm=self.settings if self.enabled else None)

    def status(self) -> dict[str, Any]:
        from ..vlm import Vlm

        found = Vlm(self.settings).status()
        return {"enabled": self.enabled, "url": self.settings.url,
                "model": self.settings.model, "timeout": self.settings.timeout,
                "keep_alive": self.settings.keep_alive,
                "status": {"ok": found.ok, "message": found.message, "vision": found.vision}}


def sweep_stray(root: Path, exports: Path) -> list[Path]:
    """What a crash mid-write left behind, removed at start: half-written files of an atomic
    write (``.NAME.XXXX.tmp``) in uploads/ and exports/, and a restore's working folder
    (the uploaded protected file and the restored original)."""
    import shutil

    from .api import RESTORE_PREFIX

    removed: list[Path] = []
    for folder in (root / "uploads", exports):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for entry in folder.iterdir():
            if entry.is_symlink():
                continue
            if entry.is_file() and entry.name.startswith(".") and entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)
                removed.append(entry)
            elif entry.is_dir() and entry.name.startswith(RESTORE_PREFIX):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


#: where the first versions kept the library's data: inside the photo folder
OLD_DATA = ".pixelsafe"


def migrate_from_photo_folder(root: Path, data: Path) -> None:
    """Move what an earlier version kept in ``LIBRARY/.pixelsafe`` (the database with the
    text read in the photos, renditions, copies of exports) out of the photo folder, into
    the private data folder; nothing is lost, nothing stays where the photos are shared.

    Only this user's own regular files and folders are moved: the photo folder may be
    writable by someone else, who could plant ``.pixelsafe/library.db`` as a link to a
    database of theirs. A ``.pixelsafe`` that is a link or another user's is left alone;
    links and others' files inside it are not moved, and go with the old folder."""
    import shutil

    old = root / OLD_DATA
    if owned_entry(old) != "dir":
        if old.is_symlink() or old.exists():
            log.warning("%s is not this user's folder: not migrated", old)
        return

    def merge(src: Path, dst: Path) -> None:
        for entry in src.iterdir():
            kind = owned_entry(entry)
            target = dst / entry.name
            if kind is None:
                log.warning("%s is a link or not this user's: not migrated", entry)
            elif kind == "dir":
                merge(entry, private_dir(target))
            elif not os.path.lexists(target):
                shutil.move(str(entry), str(target))
            # else: the data folder's own newer copy wins

    merge(old, data)
    shutil.rmtree(old, ignore_errors=True)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        LIBRARY=None, DB=None, HOST="127.0.0.1", START_WORKER=True,
        MAX_CONTENT_LENGTH=100 * 1024 * 1024, ANALYSIS_TIMEOUT=120.0, MEMORY_MB=8192,
        CSRF_TOKEN=security.new_token(), EXPORT_DIR=None, VLM=None, VLM_ENABLED=False,
        # None: no access key (the app in tests and embedded); `pixelsafe serve` sets one
        ACCESS_KEY=None,
        # the library's private data folder (default: fsutil.library_data, outside the
        # photo folder); exports are sent and not kept unless KEEP_EXPORTS
        DATA_DIR=None, KEEP_EXPORTS=False,
        # the folder is followed by notification (watchdog), and looked at whole every
        # FULL_RESCAN_SECONDS; without notifications (FOLLOW off, or none to be had), every
        # RESCAN_SECONDS instead (0: only at start)
        FOLLOW=True, FULL_RESCAN_SECONDS=600.0, RESCAN_SECONDS=5.0,
        # the first look through the folder in the worker's thread, after the app is made
        # (`pixelsafe serve`: it listens at once) rather than before create_app returns
        INDEX_IN_BACKGROUND=False)
    app.config.update(config or {})
    app.debug = False
    root = Path(app.config["LIBRARY"] or default_library()).resolve()
    data = Path(app.config["DATA_DIR"] or library_data(root))
    # the parent is made if missing, never changed: `--data-dir X/Y` leaves X's mode alone
    data.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_dir(data)  # the database, renditions, exports: only for this user
    migrate_from_photo_folder(root, data)
    app.config["LIBRARY"] = str(root)
    app.config["DATA_DIR"] = str(data)
    app.config["DB"] = str(app.config["DB"] or data / "library.db")
    app.config["EXPORT_DIR"] = str(app.config["EXPORT_DIR"] or data / "exports")
    sweep_stray(root, Path(app.config["EXPORT_DIR"]))
    app.config["ALLOWED_HOSTS"] = security.allowed_hosts(app.config["HOST"])
    library = Library(root, app.config["DB"], pipeline_id(DETECTOR_NAMES))
    app.extensions["pixelsafe"] = library
    # renditions, previews, exports, strips and restores: decoded in one bounded worker
    app.extensions["pixelsafe.engine"] = Bounded()
    switch = VlmSwitch(app, app.config["VLM"] or VlmSettings.from_env(),
                       bool(app.config["VLM_ENABLED"]))
    app.extensions["pixelsafe.vlm"] = switch
    worker = follower = None
    if app.config["START_WORKER"]:
        from .follow import Follower
        from .worker import Worker

        worker = Worker(library, switch.worker_settings())
        follower = Follower(library, float(app.config["RESCAN_SECONDS"]),
                            float(app.config["FULL_RESCAN_SECONDS"]),
                            index_first=bool(app.config["INDEX_IN_BACKGROUND"]),
                            notify=bool(app.config["FOLLOW"]))
        app.extensions["pixelsafe.worker"] = worker
        app.extensions["pixelsafe.follow"] = follower
        follower.watch()  # before the first look: nothing changed during it is missed
    # points the library at the pipeline, then indexes the folder (here, or in the
    # follower's thread)
    switch.apply(index=follower is None or not follower.index_first)
    if worker is not None and follower is not None:
        worker.start()  # once the library knows its pipeline
        follower.start()

    from .api import bp

    app.url_map.converters["id"] = ImageId
    security.install(app)
    errors.install(app)
    app.register_blueprint(views)
    app.register_blueprint(bp)
    return app


def shutdown(app: Flask) -> None:
    for name in ("pixelsafe.follow", "pixelsafe.worker"):
        thread = app.extensions.pop(name, None)
        if thread is not None:
            thread.stop()
    app.extensions["pixelsafe.engine"].close()
    app.extensions["pixelsafe"].close()
