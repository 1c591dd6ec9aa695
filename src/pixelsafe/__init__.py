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

__all__ = ["__version__", "analyze", "redact", "strip", "restore", "Analyzer", "Report",
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
