"""Renditions for a screen: the photo, plain or redacted, and an export at display size.

Every rendition is freshly encoded from the oriented pixels, so none carries the original's
metadata, and box coordinates in the report map onto it by one scale factor. The redacted
renditions apply the same regions and styles as an export (without the export's
re-analysis, which only the exported file needs). Made in the bounded worker
(:class:`pixelsafe.protect.bounded.Bounded`), never in a server's own process."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from .. import imageio
from ..report import Report
from .core import RedactOptions, apply, encode, plan


def rendition(path: Path, size: int, report: Report | None = None) -> bytes:
    """A JPEG at most ``size`` pixels on its long side; redacted when a report is given.
    Made from the 8-bit RGB pixels as displayed (a 16-bit greyscale PNG included)."""
    im = imageio.load(path).rgb.copy()
    if report is not None:
        for target in plan(report, RedactOptions(), im.width, im.height):
            apply(im, target)
    return _shrunk(im, size)


def shown(data: bytes, size: int) -> bytes:
    """An export PixelSafe wrote (``data``) as a JPEG at most ``size`` pixels on its long
    side: what a preview shows of it."""
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return _shrunk(im.convert("RGB"), size)


def _shrunk(im: Image.Image, size: int) -> bytes:
    im.thumbnail((size, size), Image.Resampling.LANCZOS)
    data, _ = encode(im, "JPEG")
    return data
