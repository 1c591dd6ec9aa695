"""Encrypted original pixels of redacted regions, and where they travel.

Format of a sealed payload (all integers big-endian)::

    b"PXSF1" | u32 header length | header (JSON, UTF-8) | 12-byte nonce | AES-256-GCM ciphertext

The header records the KDF (scrypt: salt, n, r, p), the image size and mode and the list of
regions, plus a 16-byte passphrase check. The key material is scrypt(passphrase) of 64
bytes: the first 32 are the AES key, the hash of the last 32 is the check, so a wrong
passphrase is told apart from a changed byte. The header is the AES-GCM associated data:
changing the size, a region or a KDF parameter makes authentication fail. The plaintext is
each region's original pixels as a PNG (lossless in every mode), length-prefixed.

Carriers: a PNG gets a private ancillary chunk ``psEc``; a JPEG gets APP11 segments tagged
``PXSF``; any other format gets a sidecar file ``<output>.pxsf``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from PIL import Image

from ..errors import PassphraseError, PayloadMissingError, ProtectError, TamperedError
from ..imageio import DEFAULT_LIMITS
from ..report import Box

MAGIC = b"PXSF1"
#: scrypt cost: about 0.1 s and 32 MiB here; recorded in each header
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
#: the only KDF parameters a payload may ask for: those PixelSafe writes. A header is read
#: before anything is authenticated, so a forged one must not choose scrypt's cost
#: (n=2^20, r=32 is 4 GB and 10 s before "wrong passphrase").
KDF_ALLOWED = frozenset({(SCRYPT_N, SCRYPT_R, SCRYPT_P)})
#: bounds checked before the header is parsed or anything allocated for its regions
MAX_HEADER = 1 << 20
MAX_REGIONS = 10_000
#: the pixel modes PixelSafe seals (those ``protect.core.oriented`` produces)
MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"})
PNG_CHUNK = b"psEc"
JPEG_TAG = b"PXSF"
SIDECAR_SUFFIX = ".pxsf"


@dataclass(frozen=True)
class Region:
    box: Box
    pixels: Image.Image


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    if not passphrase:
        raise PassphraseError("an empty passphrase cannot protect anything")
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return material[:32], hashlib.sha256(material[32:]).digest()[:16]


def seal(regions: list[Region], size: tuple[int, int], mode: str, passphrase: str) -> bytes:
    if len(regions) > MAX_REGIONS:
        raise ProtectError(f"{len(regions)} regions: at most {MAX_REGIONS} can be encrypted")
    salt = os.urandom(16)
    key, check = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header = json.dumps({
        "v": 1,
        "kdf": {"name": "scrypt", "salt": base64.b64encode(salt).decode(), "n": SCRYPT_N,
                "r": SCRYPT_R, "p": SCRYPT_P},
        "cipher": "AES-256-GCM",
        "check": base64.b64encode(check).decode(),
        "size": list(size), "mode": mode,
        "regions": [r.box.as_list() for r in regions],
    }, separators=(",", ":"), sort_keys=True).encode()
    body = io.BytesIO()
    for r in regions:
        buf = io.BytesIO()
        r.pixels.save(buf, format="PNG", compress_level=6)
        body.write(struct.pack(">I", buf.tell()))
        body.write(buf.getvalue())
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, body.getvalue(), header)
    return MAGIC + struct.pack(">I", len(header)) + header + nonce + ciphertext


@dataclass(frozen=True)
class Opened:
    size: tuple[int, int]
    mode: str
    regions: list[Region]


@dataclass(frozen=True)
class _Header:
    raw: bytes
    salt: bytes
    check: bytes
    kdf: tuple[int, int, int]
    size: tuple[int, int]
    mode: str
    boxes: list[Box]


def _header(blob: bytes) -> _Header:
    """The header's bytes and fields, every one checked before anything costly is done."""
    if not blob.startswith(MAGIC) or len(blob) < 9:
        raise ValueError("bad magic")
    (hlen,) = struct.unpack(">I", blob[5:9])
    if hlen > MAX_HEADER or 9 + hlen + 12 + 16 > len(blob):
        raise ValueError(f"a header of {hlen} bytes")
    header_bytes = blob[9:9 + hlen]
    header = json.loads(header_bytes)
    if not isinstance(header, dict):
        raise ValueError("the header is not an object")
    kdf = header["kdf"]
    n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
    if kdf["name"] != "scrypt" or (n, r, p) not in KDF_ALLOWED:
        raise ValueError(f"KDF parameters PixelSafe does not write: {kdf['name']} {n}/{r}/{p}")
    salt = base64.b64decode(kdf["salt"], validate=True)
    check = base64.b64decode(header["check"], validate=True)
    if len(salt) != 16 or len(check) != 16:
        raise ValueError("salt or check of the wrong length")
    width, height = (int(v) for v in header["size"])
    mode = str(header["mode"])
    if mode not in MODES or not (width > 0 and height > 0 and
                                 width * height <= DEFAULT_LIMITS.max_pixels):
        raise ValueError(f"image {width}x{height} in mode {mode!r}")
    raw = header["regions"]
    if not isinstance(raw, list) or len(raw) > MAX_REGIONS:
        raise ValueError("too many regions")
    boxes = [Box(*map(int, b)) for b in raw]
    if any(b.x1 < 0 or b.y1 < 0 or b.x2 > width or b.y2 > height for b in boxes):
        raise ValueError("a region outside the image")
    return _Header(header_bytes, salt, check, (n, r, p), (width, height), mode, boxes)


def open_sealed(blob: bytes, passphrase: str) -> Opened:
    """Decrypt a payload. Wrong passphrase: PassphraseError; anything altered or malformed:
    TamperedError, raised before any work that a forged header could make expensive."""
    try:
        h = _header(blob)
    except (ValueError, KeyError, TypeError, IndexError, struct.error) as exc:
        raise TamperedError(f"the encrypted payload is damaged ({exc})") from exc
    start = 9 + len(h.raw)
    nonce, ciphertext = blob[start:start + 12], blob[start + 12:]
    key, check = _derive(passphrase, h.salt, *h.kdf)
    if not hmac.compare_digest(check, h.check):
        raise PassphraseError("wrong passphrase")
    try:
        body = AESGCM(key).decrypt(nonce, ciphertext, h.raw)
    except InvalidTag as exc:
        raise TamperedError("the encrypted payload failed authentication: it was changed") \
            from exc
    return Opened(h.size, h.mode, _regions(body, h.boxes))


def _regions(body: bytes, boxes: list[Box]) -> list[Region]:
    """Each region's pixels: a PNG of exactly its box, nothing else is decoded."""
    regions: list[Region] = []
    pos = 0
    for box in boxes:
        try:
            (length,) = struct.unpack(">I", body[pos:pos + 4])
            data = body[pos + 4:pos + 4 + length]
            if len(data) != length or not data.startswith(b"\x89PNG\r\n\x1a\n"):
                raise ValueError("a region's pixels are not a PNG")
            pixels = Image.open(io.BytesIO(data), formats=["PNG"])
            if pixels.size != (box.width, box.height):
                raise ValueError("a region's pixels do not match its box")
            pixels.load()
        except (ValueError, OSError, struct.error, Image.DecompressionBombError) as exc:
            raise TamperedError(f"the encrypted regions are damaged ({exc})") from exc
        regions.append(Region(box, pixels))
        pos += 4 + length
    return regions


# --- carriers --------------------------------------------------------------------------

def png_chunk(data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + PNG_CHUNK + data
            + struct.pack(">I", zlib.crc32(PNG_CHUNK + data) & 0xFFFFFFFF))


def embed(encoded: bytes, fmt: str, payload: bytes) -> bytes | None:
    """The encoded image with the payload inside, or None when the format has no place."""
    if fmt == "PNG":
        # right after IHDR (8-byte signature + 25-byte IHDR chunk)
        return encoded[:33] + png_chunk(payload) + encoded[33:]
    if fmt == "JPEG":
        chunk = 65535 - 2 - len(JPEG_TAG) - 4
        parts = [payload[i:i + chunk] for i in range(0, len(payload), chunk)] or [b""]
        if len(parts) > 65535:
            return None
        segments = b"".join(
            b"\xff\xeb" + struct.pack(">H", 2 + len(JPEG_TAG) + 4 + len(part)) + JPEG_TAG
            + struct.pack(">HH", i, len(parts)) + part for i, part in enumerate(parts))
        return encoded[:2] + segments + encoded[2:]
    return None


def extract(data: bytes, path: Path | None = None) -> bytes:
    """Find a payload in a PNG chunk, JPEG APP11 segments or a sidecar next to ``path``."""
    found: bytes | None = None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        found = _from_png(data)
    elif data.startswith(b"\xff\xd8"):
        found = _from_jpeg(data)
    if found is None and path is not None:
        side = Path(str(path) + SIDECAR_SUFFIX)
        if side.is_file():
            found = side.read_bytes()
    if found is None:
        raise PayloadMissingError("this file carries no encrypted regions (made without "
                                  "--encrypt, or its payload or sidecar was removed)")
    return found


def _from_png(data: bytes) -> bytes | None:
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        if ctype == PNG_CHUNK:
            body = data[pos + 8:pos + 8 + length]
            (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
            if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
                raise TamperedError("the encrypted chunk's CRC does not match: it was changed")
            return body
        if ctype == b"IEND":
            break
        pos += 12 + length
    return None


def _from_jpeg(data: bytes) -> bytes | None:
    parts: dict[int, bytes] = {}
    total = 0
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        seg = data[pos + 4:pos + 2 + length]
        if marker == 0xEB and seg.startswith(JPEG_TAG):
            index, total = struct.unpack(">HH", seg[4:8])
            parts[index] = seg[8:]
        if marker == 0xDA:  # start of scan: no more headers
            break
        pos += 2 + length
    if not parts:
        return None
    if sorted(parts) != list(range(total)):
        raise TamperedError("some of the encrypted segments are missing")
    return b"".join(parts[i] for i in range(total))
