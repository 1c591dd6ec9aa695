"""PixelSafe: find what a photo gives away before anyone shares it, entirely offline."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# onnxruntime 1.29 and later keep a device id and a queue of usage events under
# ~/.cache/Microsoft on Linux and macOS, and upload them, unless this is set before it is
# imported: PixelSafe opens no connection but the ones its user named
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .pipeline import Analyzer
    from .protect import RedactOptions, RedactResult
    from .report import Report
    from .scanner import Progress, ScanResult

__all__ = ["__version__", "analyze", "scan", "redact", "strip", "restore", "Analyzer", "Report",
           "RedactOptions", "RedactResult", "DETECTORS"]

#: the detectors ``analyze(detectors=...)`` accepts, and the group
#: ``text`` (``pii``, ``documents``, ``plates``: the three that read the OCR result)
DETECTORS = ("faces", "pii", "documents", "plates", "barcodes", "metadata")


def analyze(source: Any, detectors: Iterable[str] | None = None) -> Report:
    """Analyse a file path or a PIL image: the default detectors, or only ``detectors``
    (names from :data:`DETECTORS`, or ``"text"``). An analyser is kept per choice, so
    models load once; for many images, an :class:`Analyzer` of one's own does the same."""
    from .pipeline import analyze as _analyze
    from .pipeline import analyzer_of

    if detectors is None:
        return _analyze(source)
    return analyzer_of(tuple(detectors)).analyze(source)


def scan(directory: Any, db: Any = None, *, workers: int | None = None, ray: str | None = None,
         detectors: Iterable[str] | None = None,
         progress: Progress | None = None) -> ScanResult:
    """Scan a folder recursively, as `pixelsafe scan` does: each content analysed once per
    choice of detectors, every result kept in the store at ``db`` (default: the CLI's) as
    it arrives, so a scan stopped at any point resumes. ``ray`` None: ``workers``
    processes on this machine; "local", "auto" or "ray://host:port": on Ray, ``workers``
    actors (see :func:`pixelsafe.scanner.engine`). ``progress`` is called with
    (stage, done, total, path). The result counts; its ``outcomes()`` reads each file's
    report back from the store, in the listing's order."""
    from pathlib import Path

    from .batch import Settings
    from .detectors import registry
    from .pipeline import pipeline_id
    from .scanner import default_db, engine
    from .scanner import scan as _scan
    from .store import Store

    settings = Settings(registry.expand(detectors) if detectors is not None else registry.DEFAULT)
    with Store(db if db is not None else default_db()) as store:
        return _scan(Path(directory), store, pipeline_id(settings.detectors),
                     engine(settings, workers, ray), progress)


def redact(path: Any, out: Any, options: RedactOptions | None = None) -> RedactResult:
    """Write a redacted copy of the image at ``path`` to ``out`` (the original is never
    touched), as `pixelsafe redact` does: every finding hidden in its default style unless
    ``options`` says otherwise, the output checked again. See :class:`RedactOptions`."""
    from .protect import redact as _redact

    return _redact(path, out, options)


def strip(path: Any, out: Any, keep_tags: Iterable[str] = ()) -> Any:
    """Write a copy without metadata to ``out`` (lossless for JPEG and PNG), as
    `pixelsafe strip` does; ``keep_tags`` may keep Orientation, ICC and Copyright."""
    from .protect import strip as _strip

    tags = frozenset(keep_tags)
    return _strip(path, out, keep_icc="ICC" in tags, keep_tags=tags)


def restore(path: Any, out: Any, passphrase: str) -> Any:
    """Put back the original pixels that `redact --encrypt` kept for ``passphrase``."""
    from .protect import restore as _restore

    return _restore(path, out, passphrase)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from .report import Report

        return Report
    if name == "Analyzer":
        from .pipeline import Analyzer

        return Analyzer
    if name in ("RedactOptions", "RedactResult"):
        from . import protect

        return getattr(protect, name)
    raise AttributeError(name)
