"""The gallery web app: an app factory, the JSON API blueprint and the page.

``create_app(config)`` opens the library (indexing new files and queuing their analysis)
and starts the background worker unless ``START_WORKER`` is false. Run it with
``pixelsafe serve``, which uses waitress; Flask's debug server is never used."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from werkzeug.routing import IntegerConverter

from ..batch import Settings
from ..pipeline import DETECTOR_NAMES, pipeline_id
from . import errors, security
from .library import Library

views = Blueprint("views", __name__)


@views.get("/")
def index() -> str:
    return render_template("index.html", token=current_app.config["CSRF_TOKEN"])


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


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        LIBRARY=None, DB=None, HOST="127.0.0.1", START_WORKER=True,
        MAX_CONTENT_LENGTH=100 * 1024 * 1024, ANALYSIS_TIMEOUT=120.0, MEMORY_MB=8192,
        CSRF_TOKEN=security.new_token(), EXPORT_DIR=None)
    app.config.update(config or {})
    app.debug = False
    root = Path(app.config["LIBRARY"] or default_library()).resolve()
    data = root / ".pixelsafe"
    app.config["LIBRARY"] = str(root)
    app.config["DB"] = str(app.config["DB"] or data / "library.db")
    app.config["EXPORT_DIR"] = str(app.config["EXPORT_DIR"] or data / "exports")
    app.config["ALLOWED_HOSTS"] = security.allowed_hosts(app.config["HOST"])
    library = Library(root, app.config["DB"], pipeline_id(DETECTOR_NAMES))
    library.index()
    app.extensions["pixelsafe"] = library
    if app.config["START_WORKER"]:
        from .worker import Worker

        worker = Worker(library, Settings(DETECTOR_NAMES, app.config["ANALYSIS_TIMEOUT"],
                                          app.config["MEMORY_MB"]))
        worker.start()
        app.extensions["pixelsafe.worker"] = worker

    from .api import bp

    app.url_map.converters["id"] = ImageId
    security.install(app)
    errors.install(app)
    app.register_blueprint(views)
    app.register_blueprint(bp)
    return app


def shutdown(app: Flask) -> None:
    worker = app.extensions.pop("pixelsafe.worker", None)
    if worker is not None:
        worker.stop()
    app.extensions["pixelsafe"].close()
