"""Issue 29, point 5: the lossless strip copied everything after a JPEG's first scan and every
pHYs, bKGD and gAMA chunk whole, so EXIF with GPS and comments survived between progressive
scans, after the last scan, in an Adobe segment's or a DNL segment's tail, and in PNG
chunks' tails. Now only what decoding uses is copied, at the length its fields give."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelsafe import imageio
from pixelsafe.protect.stripping import strip

SECRET = b"Secret-Holder-51.5007N"


def pixels() -> Image.Image:
    rng = np.random.default_rng(5)
    small = rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((320, 240), Image.Resampling.BICUBIC)


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SECRET.decode()  # ImageDescription
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 2.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    return exif.tobytes()  # b"Exif\0\0" + TIFF


def segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


def progressive_jpeg() -> bytes:
    out = io.BytesIO()
    pixels().save(out, "JPEG", quality=90, progressive=True)
    return out.getvalue()


def insert(data: bytes, at: int, extra: bytes) -> bytes:
    return data[:at] + extra + data[at:]


def second_scan(data: bytes) -> int:
    """Where the second scan header starts: in entropy-coded data 0xFF is always followed
    by 0x00 or a restart marker, so every FF DA is a scan header."""
    first = data.index(b"\xff\xda")
    return data.index(b"\xff\xda", first + 2)


def stripped(tmp_path: Path, data: bytes, suffix: str) -> bytes:
    src = tmp_path / f"in{suffix}"
    src.write_bytes(data)
    before = imageio.load(src).original.tobytes()
    out = strip(src, tmp_path / f"out{suffix}", overwrite=True)
    result = out.read_bytes()
    assert imageio.decode(result, out.name).original.tobytes() == before  # same pixels
    return result


@pytest.mark.parametrize("where", ["between scans", "after the last scan"])
def test_exif_and_comments_between_or_after_scans_are_dropped(tmp_path, where):
    data = progressive_jpeg()
    hidden = segment(0xE1, gps_exif()) + segment(0xFE, b"comment " + SECRET)
    at = second_scan(data) if where == "between scans" else data.rindex(b"\xff\xd9")
    planted = insert(data, at, hidden)
    assert Image.open(io.BytesIO(planted)).tobytes() == Image.open(io.BytesIO(data)).tobytes()
    result = stripped(tmp_path, planted, ".jpg")
    assert SECRET not in result and b"Exif" not in result
    assert result.count(b"\xff\xda") == data.count(b"\xff\xda")  # every scan is kept


def test_an_adobe_segments_tail_and_a_dnl_tail_are_dropped(tmp_path):
    data = progressive_jpeg()
    adobe = segment(0xEE, b"Adobe" + bytes([0, 100, 0, 0, 0, 0, 1]) + SECRET)
    planted = insert(data, 2, adobe)
    planted = insert(planted, second_scan(planted), segment(0xDC, b"\x00\xf0" + SECRET))
    result = stripped(tmp_path, planted, ".jpg")
    assert SECRET not in result
    # the Adobe segment itself stays, at its fixed size: it says how colours are coded
    assert segment(0xEE, b"Adobe" + bytes([0, 100, 0, 0, 0, 0, 1])) in result


def chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(
        ">I", zlib.crc32(ctype + body) & 0xFFFFFFFF)


def test_png_chunks_with_tails_are_dropped(tmp_path):
    out = io.BytesIO()
    pixels().save(out, "PNG")
    data = out.getvalue()
    tails = (chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1) + SECRET)
             + chunk(b"bKGD", struct.pack(">HHH", 255, 255, 255) + SECRET)
             + chunk(b"gAMA", struct.pack(">I", 45455) + SECRET))
    planted = insert(data, 8 + 25, tails)  # after the signature and IHDR
    result = stripped(tmp_path, planted, ".png")
    assert SECRET not in result
    for ctype in (b"pHYs", b"bKGD", b"gAMA"):
        assert ctype not in result
    well_formed = insert(data, 8 + 25, chunk(b"gAMA", struct.pack(">I", 45455)))
    assert chunk(b"gAMA", struct.pack(">I", 45455)) in stripped(tmp_path, well_formed, ".png")
