"""Renditions for the browser: thumbnails and display-size images, plain or redacted.

Every rendition is freshly encoded from the oriented pixels, so none carries the
original's metadata, and box coordinates in the report map onto it by one scale factor.
The redacted renditions apply the same regions and styles as an export (without the
export's re-analysis, which only the exported file needs)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from .. import imageio
from ..protect.core import RedactOptions, apply, encode, plan
from ..report import Report

SIZES = {"thumb": 480, "display": 1600}


def rendition(path: Path, size: int, report: Report | None = None) -> bytes:
    """A JPEG at most ``size`` pixels on its long side; redacted when a report is given.
    Made from the 8-bit RGB pixels as displayed (a 16-bit greyscale PNG included)."""
    im = imageio.load(path).rgb.copy()
    if report is not None:
        for target in plan(report, RedactOptions(), im.width, im.height):
            apply(im, target)
    im.thumbnail((size, size), Image.Resampling.LANCZOS)
    data, _ = encode(im, "JPEG")
    return data
