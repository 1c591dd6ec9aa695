"""PixelSafe: find what a photo gives away before anyone shares it, entirely offline."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# onnxruntime 1.29 and later keep a device id and a queue of usage events under
# ~/.cache/Microsoft on Linux and macOS, and upload them, unless this is set before it is
# imported: PixelSafe opens no connection but the ones its user named
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .report import Report

__all__ = ["__version__", "analyze", "Report"]


def analyze(source: Any) -> Report:
    """Analyse a file path or a PIL image with the default detectors."""
    from .pipeline import analyze as _analyze

    return _analyze(source)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(name)
