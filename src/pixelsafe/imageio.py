"""Safe loading: size limits before decoding, an allow-list of formats, EXIF orientation.

Every coordinate that PixelSafe reports is in the image returned here, which already has
its EXIF orientation applied.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import stat
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import (
    CorruptImageError,
    DecompressionBombError,
    EmptyFileError,
    FileTooLargeError,
    InputError,
    UnsupportedFormatError,
)

log = logging.getLogger(__name__)

#: Pillow format names that PixelSafe accepts. HEIF comes from pillow-heif.
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF", "HEIF")

#: File name suffixes of those formats (for walking folders).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".tif", ".tiff",
                            ".bmp", ".dib", ".gif", ".heic", ".heif", ".hif"})

# Leading bytes of the accepted formats, to tell "corrupt" from "not an image we read".
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


@dataclass(frozen=True)
class Limits:
    """Ceilings applied before any pixel is decoded.

    ``max_pixels`` (default 120 MP) covers the largest phone sensors (108 MP) with room; a
    header that claims more is refused as a decompression bomb. ``max_bytes`` bounds the
    file read into memory.
    """

    max_pixels: int = 120_000_000
    max_bytes: int = 256 * 1024 * 1024


DEFAULT_LIMITS = Limits()

_heif_lock = threading.Lock()
_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    with _heif_lock:
        if not _heif_registered:
            import pillow_heif

            pillow_heif.register_heif_opener()
            _heif_registered = True


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image and the raw material that metadata detectors read."""

    path: str | None
    data: bytes
    sha256: str
    format: str
    #: decoded pixels with EXIF orientation applied, in RGB
    rgb: Image.Image
    #: the image as opened, before orientation (its info and EXIF are untouched)
    original: Image.Image
    orientation: int

    @property
    def width(self) -> int:
        return self.rgb.width

    @property
    def height(self) -> int:
        return self.rgb.height


@contextlib.contextmanager
def open_regular(path: str | os.PathLike[str], max_bytes: int | None = None
                 ) -> Iterator[BinaryIO]:
    """``path`` opened for reading as a regular file, checked through its own descriptor:
    opened without blocking (a FIFO cannot hang the open), then fstat: a folder, FIFO,
    device or socket (a link to /dev/zero, or one swapped in after the caller's own check)
    is an :class:`InputError`, never read; over ``max_bytes`` a :class:`FileTooLargeError`
    before any read."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError as exc:
        raise InputError(f"{p}: is a directory") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot read file ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise InputError(f"{p}: is a directory")
            raise InputError(f"{p}: not a regular file (a FIFO, a device or a socket)")
        if max_bytes is not None and st.st_size > max_bytes:
            raise FileTooLargeError(f"{p.name}: {st.st_size} bytes is over the limit of "
                                    f"{max_bytes} bytes")
        yield fh


def sha256_file(path: str | os.PathLike[str], max_bytes: int | None = None) -> str:
    """SHA-256 of a regular file (see :func:`open_regular`), read in 1 MiB chunks."""
    with open_regular(path, max_bytes) as fh:
        digest = hashlib.sha256()
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sniff_format(head: bytes) -> str | None:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        return "HEIF"
    return None


def read_bytes(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    p = Path(path)
    try:
        with open_regular(p, limits.max_bytes) as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{p}: cannot read file ({exc.strerror or exc})") from exc
    if len(data) > limits.max_bytes:
        raise FileTooLargeError(f"{p.name}: over the limit of {limits.max_bytes} bytes")
    return data


def open_image(data: bytes, name: str = "image", limits: Limits = DEFAULT_LIMITS
               ) -> Image.Image:
    """Open (header only) and check the pixel count; nothing is decoded yet."""
    if not data:
        raise EmptyFileError(f"{name}: the file is empty")
    sniffed = sniff_format(data[:16])
    _register_heif()
    try:
        with warnings.catch_warnings():
            # Our own ceiling below replaces Pillow's warning band; Pillow's warnings about
            # odd but readable files (bad EXIF, malformed MPO) are not the caller's business.
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise DecompressionBombError(f"{name}: {exc}") from exc
    except UnidentifiedImageError as exc:
        if sniffed:
            raise CorruptImageError(f"{name}: looks like {sniffed} but cannot be read") from exc
        raise UnsupportedFormatError(
            f"{name}: not a supported image (accepted: JPEG, PNG, WebP, TIFF, BMP, GIF, HEIC/HEIF)"
        ) from exc
    except Exception as exc:  # Pillow plugins raise many types on broken headers
        raise CorruptImageError(f"{name}: broken image header ({exc})") from exc
    width, height = im.size
    if width <= 0 or height <= 0:
        raise CorruptImageError(f"{name}: image has no pixels ({width}x{height})")
    if width * height > limits.max_pixels:
        raise DecompressionBombError(
            f"{name}: {width}x{height} = {width * height} pixels is over the limit of "
            f"{limits.max_pixels} pixels")
    return im


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
        return int(value) if int(value) in range(1, 9) else 1
    except Exception:  # unreadable EXIF: keep the pixels as stored
        return 1


def decode(data: bytes, name: str = "image", limits: Limits = DEFAULT_LIMITS,
           path: str | None = None) -> LoadedImage:
    """Decode the first frame, apply the EXIF orientation and convert to RGB."""
    im = open_image(data, name, limits)
    fmt = "HEIF" if im.format in ("HEIF", "AVIF") else (im.format or "unknown")
    if fmt == "MPO":
        fmt = "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im.seek(0)
            im.load()
            orientation = _orientation(im)
            try:
                oriented = ImageOps.exif_transpose(im) or im
            except Exception:
                log.debug("%s: orientation could not be applied", name, exc_info=True)
                oriented = im
            rgb = _to_rgb(oriented)
    except Image.DecompressionBombError as exc:
        raise DecompressionBombError(f"{name}: {exc}") from exc
    except MemoryError as exc:
        raise DecompressionBombError(f"{name}: out of memory while decoding") from exc
    except Exception as exc:  # truncated streams, broken tiles, bad palettes, ...
        raise CorruptImageError(f"{name}: cannot decode image data ({exc})") from exc
    return LoadedImage(path=path, data=data, sha256=hashlib.sha256(data).hexdigest(),
                       format=fmt, rgb=rgb, original=im, orientation=orientation)


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return _grey_to_rgb(im)
    return im.convert("RGB")


def _grey_to_rgb(im: Image.Image) -> Image.Image:
    """16-bit, 32-bit and float greyscale scaled to 8 bits (not clipped), a band of rows
    at a time: a 120 MP 16-bit image costs its 8-bit result, not a float64 copy of 1 GB."""
    import numpy as np

    extrema = im.getextrema()
    hi = float(extrema[1]) if isinstance(extrema[1], int | float) else 1.0
    scale = 255.0 / (hi or 1.0)
    out = np.empty((im.height, im.width), dtype=np.uint8)
    band = max(1, 4_000_000 // max(1, im.width))
    for top in range(0, im.height, band):
        rows = np.asarray(im.crop((0, top, im.width, min(im.height, top + band))),
                          dtype=np.float32)
        out[top:top + rows.shape[0]] = (rows * scale).clip(0, 255).astype(np.uint8)
    return Image.fromarray(out).convert("RGB")


def load(source: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> LoadedImage:
    """Read and decode a file. Raises a :class:`~pixelsafe.errors.InputError` subclass."""
    path = os.fspath(source)
    data = read_bytes(path, limits)
    return decode(data, Path(path).name, limits, path=path)


def from_pil(image: Image.Image, limits: Limits = DEFAULT_LIMITS) -> LoadedImage:
    """Wrap an in-memory image (already decoded) without touching the caller's object."""
    width, height = image.size
    if width * height > limits.max_pixels:
        raise DecompressionBombError(f"{width}x{height} pixels is over the limit")
    copy = image.copy()
    buf = io.BytesIO()
    # stored, not deflated: the bytes exist for the hash and the metadata readers, and a
    # 12 MP image took 5 s to compress (0.45 s stored)
    copy.save(buf, format="PNG", compress_level=0)
    data = buf.getvalue()
    return LoadedImage(path=None, data=data, sha256=hashlib.sha256(data).hexdigest(),
                       format=image.format or "PIL", rgb=_to_rgb(copy), original=copy,
                       orientation=1)
