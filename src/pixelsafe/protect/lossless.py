"""Lossless metadata stripping for JPEG and PNG: segments and chunks are removed, the
image data is copied byte for byte (as ``exiftool -all=`` does), so the pixels do not
change and the file does not grow.

What stays: what decoding needs (JPEG tables, frames and scans, the Adobe segment that says
how colours are coded; PNG header, palette, transparency, gamma and colour chunks, image
data, APNG frames). What may stay on request: the ICC profile, the copyright. The EXIF
orientation is always written again, alone, when it is not 1: without it the photo would
show rotated, and it says nothing about anyone."""

from __future__ import annotations

import logging
import struct
import zlib
from collections.abc import Callable

from PIL import Image

from ..detectors.metadata import ENTROPY, jpeg_parts, png_end
from ..errors import CorruptImageError

#: PNG chunks that carry no metadata
PNG_KEEP = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB",
                      b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT"})
log = logging.getLogger(__name__)
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


#: segments that decoding needs, copied between the first scan and the last: Huffman and
#: quantisation tables, restart interval, arithmetic conditioning, line count, scan headers
BETWEEN_SCANS = frozenset({0xC4, 0xDB, 0xDD, 0xCC, 0xDC, 0xDA})
#: and before the first scan also the frame headers (SOF0-15 but DHT, JPG and DAC) and the
#: hierarchical ones (DHP, EXP)
FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
BEFORE_SCANS = BETWEEN_SCANS | FRAMES | {0xDE, 0xDF}
#: the Adobe segment's body: "Adobe", version, two flag words, colour transform
ADOBE_BODY = 12


def _jpeg_body_length(marker: int, body: bytes) -> int:
    """How many bytes of a decoding segment's body its own fields account for; a body
    longer than that carries something else, and only this much is copied."""
    def tables(entry: Callable[[int], int]) -> int:
        i = 0
        while i < len(body):
            i += entry(i)
        if i > len(body):
            raise CorruptImageError(f"a JPEG segment {marker:02X} overruns itself")
        return i

    if marker in FRAMES:
        return 6 + 3 * body[5] if len(body) >= 6 else len(body) + 1
    if marker == 0xDA:
        return 4 + 2 * body[0] if body else 1
    if marker in (0xDD, 0xDC):  # restart interval, number of lines
        return 2
    if marker == 0xDB:  # 1 + 64 or 128 bytes per table
        return tables(lambda i: 1 + 64 * (1 + (body[i] >> 4)))
    if marker == 0xC4:  # 1 + 16 counts + the symbols
        return tables(lambda i: 17 + sum(body[i + 1:i + 17]) if i + 17 <= len(body)
                      else len(body) + 1)
    return len(body)  # DAC, DHP, EXP: kept as they are


def jpeg(data: bytes, orientation: int, keep: frozenset[str], copyright_: str | None
         ) -> bytes:
    """The JPEG's decoding segments and image data, nothing else: no APPn (but the Adobe
    colour segment, cut to its fixed size, and the ICC profile on request), no comment, no
    segment after the last scan, no unknown marker, no byte beyond what a segment's own
    fields account for; the orientation (and copyright) written again alone."""
    try:
        parts = list(jpeg_parts(data))
    except ValueError as exc:
        raise CorruptImageError(f"the JPEG's segments cannot be followed: {exc}") from exc
    scans = [k for k, (marker, _, _) in enumerate(parts) if marker == ENTROPY]
    if not scans:
        raise CorruptImageError("the JPEG has no image data")
    first, last = scans[0], scans[-1]
    out = [b"\xff\xd8"]
    exif = _exif(orientation, copyright_ if "Copyright" in keep else None)
    if exif is not None:
        out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
    for k, (marker, a, b) in enumerate(parts[1:], start=1):
        if marker == ENTROPY or 0xD0 <= marker <= 0xD7 or marker == 0xD9:
            out.append(data[a:b])
            continue
        if k > last:  # after the last scan: only the EOI
            continue
        body = data[a + 4:b]
        if marker == 0xEE and body.startswith(b"Adobe") and k < first:
            if len(body) < ADOBE_BODY:
                raise CorruptImageError("the JPEG's Adobe segment is too short")
            body = body[:ADOBE_BODY]
        elif marker == 0xE2 and body.startswith(b"ICC_PROFILE") and "ICC" in keep:
            pass
        elif marker in (BEFORE_SCANS if k < first else BETWEEN_SCANS):
            size = _jpeg_body_length(marker, body)
            if size > len(body):
                raise CorruptImageError(f"a JPEG segment {marker:02X} is shorter than its "
                                        "fields")
            body = body[:size]
        else:  # APPn, comments, anything unknown
            continue
        out.append(bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body)
    return b"".join(out)


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + ctype + body
            + struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF))


def _png_length_ok(ctype: bytes, length: int, colour_type: int) -> bool:
    """Whether a chunk that decoding uses has the length its kind allows: a pHYs, gAMA or
    bKGD with bytes beyond its fields carries something else."""
    fixed = {b"IHDR": (13,), b"IEND": (0,), b"gAMA": (4,), b"cHRM": (32,), b"sRGB": (1,),
             b"pHYs": (9,), b"acTL": (8,), b"fcTL": (26,),
             b"sBIT": ({0: 1, 2: 3, 3: 3, 4: 2, 6: 4}.get(colour_type, 0),),
             b"bKGD": ({0: 2, 4: 2, 2: 6, 6: 6, 3: 1}.get(colour_type, 0),)}
    if ctype in fixed:
        return length in fixed[ctype]
    if ctype == b"PLTE":
        return 0 < length <= 768 and length % 3 == 0
    if ctype == b"tRNS":
        return {0: length == 2, 2: length == 6, 3: length <= 256}.get(colour_type, False)
    return True  # IDAT, fdAT, iCCP: their length is their data


def png(data: bytes, orientation: int, keep: frozenset[str], copyright_: str | None) -> bytes:
    """The PNG's decoding chunks, nothing else: a chunk whose length its kind does not
    allow is dropped (an ancillary one) or refused (the header)."""
    end = png_end(data)
    if end is None:
        raise CorruptImageError("the PNG's chunks cannot be followed")
    out = [data[:8]]
    colour_type = data[25] if len(data) > 25 and data[12:16] == b"IHDR" else -1
    i = 8
    while i + 12 <= end:
        length = struct.unpack(">I", data[i:i + 4])[0]
        ctype = data[i + 4:i + 8]
        chunk = data[i:i + 12 + length]
        if not _png_length_ok(ctype, length, colour_type):
            if ctype in (b"IHDR", b"IEND"):
                raise CorruptImageError(f"the PNG's {ctype.decode()} chunk has a wrong length")
            log.info("dropping a %s chunk of %d bytes", ctype, length)
        elif ctype in PNG_KEEP or (ctype == b"iCCP" and "ICC" in keep):
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
