"""PixelSafe: find what a photo gives away before anyone shares it, entirely offline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
