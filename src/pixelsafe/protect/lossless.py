"""Lossless metadata stripping for JPEG and PNG: segments and chunks are removed, the
image data is copied byte for byte (as ``exiftool -all=`` does), so the pixels do not
change and the file does not grow.

What stays: what decoding needs (JPEG tables, frames and scans, the Adobe segment that says
how colours are coded; PNG header, palette, transparency, gamma and colour chunks, image
data, APNG frames). What may stay on request: the ICC profile, the copyright. The EXIF
orientation is always written again, alone, when it is not 1: without it the photo would
show rotated, and it says nothing about anyone."""

from __future__ import annotations

import struct
import zlib

from PIL import Image

from ..detectors.metadata import jpeg_end, png_end
from ..errors import CorruptImageError

#: PNG chunks that carry no metadata
PNG_KEEP = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB",
                      b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT"})
ORIENTATION = 0x0112
COPYRIGHT = 0x8298


def _exif(orientation: int, copyright_: str | None) -> bytes | None:
    """A TIFF-structured EXIF block holding only the orientation (and the copyright)."""
    exif = Image.Exif()
    if orientation != 1:
        exif[ORIENTATION] = orientation
    if copyright_:
        exif[COPYRIGHT] = copyright_
    return exif.tobytes() if len(exif) else None  # b"Exif\0\0" + TIFF


def jpeg(data: bytes, orientation: int, keep: frozenset[str], copyright_: str | None
         ) -> bytes:
    end = jpeg_end(data)
    if end is None:
        raise CorruptImageError("the JPEG's segments cannot be followed")
    out = [b"\xff\xd8"]
    exif = _exif(orientation, copyright_ if "Copyright" in keep else None)
    if exif is not None:
        out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
    i = 2
    while i + 4 <= end:
        if data[i] != 0xFF:
            raise CorruptImageError("the JPEG's segments cannot be followed")
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        segment = data[i:i + 2 + length]
        if marker == 0xDA:  # the first scan: from here on, image data and its tables
            out.append(data[i:end])
            break
        app, body = 0xE0 <= marker <= 0xEF, segment[4:]
        keep_it = (not app and marker != 0xFE) or (
            marker == 0xEE and body.startswith(b"Adobe")) or (
            marker == 0xE2 and body.startswith(b"ICC_PROFILE") and "ICC" in keep)
        if keep_it:
            out.append(segment)
        i += 2 + length
    return b"".join(out)


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + ctype + body
            + struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF))


def png(data: bytes, orientation: int, keep: frozenset[str], copyright_: str | None) -> bytes:
    end = png_end(data)
    if end is None:
        raise CorruptImageError("the PNG's chunks cannot be followed")
    out = [data[:8]]
    i = 8
    while i + 12 <= end:
        length = struct.unpack(">I", data[i:i + 4])[0]
        ctype = data[i + 4:i + 8]
        chunk = data[i:i + 12 + length]
        if ctype in PNG_KEEP or (ctype == b"iCCP" and "ICC" in keep):
            out.append(chunk)
        if ctype == b"IHDR":
            exif = _exif(orientation, None)
            if exif is not None:
                out.append(_chunk(b"eXIf", exif[6:]))  # eXIf holds the TIFF part only
            if copyright_ and "Copyright" in keep:
                out.append(_chunk(b"tEXt", b"Copyright\0" + copyright_.encode("latin-1",
                                                                              "replace")))
        i += 12 + length
    return b"".join(out)
