"""Encrypted original pixels of redacted regions, and where they travel.

Format of a sealed payload (all integers big-endian)::

    b"PXSF1" | u32 header length | header (JSON, UTF-8) | 12-byte nonce | AES-256-GCM ciphertext

The header records the KDF (scrypt: salt, n, r, p), the image size and mode, the list of
regions and the SHA-256 of the carrier (the encoded redacted image without the payload),
plus a 16-byte passphrase check. The key material is scrypt(passphrase) of 64
bytes: the first 32 are the AES key, the hash of the last 32 is the check, so a wrong
passphrase is told apart from a changed byte. The header is the AES-GCM associated data:
changing the size, a region, a KDF parameter or the carrier digest makes authentication
fail, and a carrier whose bytes changed (a box painted on the visible image, the payload
copied into another picture) no longer matches its authenticated digest. Version 1 headers
(before the digest) still open; their carrier cannot be checked. The plaintext is
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
from collections.abc import Iterator
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
#: the regions together cover at most this many times the image's area: what a restore
#: decodes is bounded by the carrier's size, not by the payload's choice (forged with the
#: sender's passphrase, 4.9 MB of full-size regions took 4.2 GB before)
MAX_COVER = 4
#: the pixel modes PixelSafe seals (those ``protect.core.oriented`` produces)
MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"})
PNG_CHUNK = b"psEc"
JPEG_TAG = b"PXSF"
SIDECAR_SUFFIX = ".pxsf"


class UnverifiedCarrierWarning(UserWarning):
    """A restore whose payload does not record its carrier (made by an earlier version)."""


@dataclass(frozen=True)
class Region:
    box: Box
    pixels: Image.Image


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    if not passphrase:
        raise PassphraseError("an empty passphrase cannot protect anything")
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return material[:32], hashlib.sha256(material[32:]).digest()[:16]


def carrier_digest(carrier: bytes) -> str:
    return hashlib.sha256(carrier).hexdigest()


def seal(regions: list[Region], size: tuple[int, int], mode: str, passphrase: str,
         carrier: bytes) -> bytes:
    """Encrypt the regions' pixels for the encoded redacted image ``carrier``."""
    if len(regions) > MAX_REGIONS:
        raise ProtectError(f"{len(regions)} regions: at most {MAX_REGIONS} can be encrypted")
    if sum(r.box.width * r.box.height for r in regions) > MAX_COVER * size[0] * size[1]:
        raise ProtectError(f"the regions cover the image more than {MAX_COVER} times: "
                           "too much to encrypt (merge overlapping boxes)")
    salt = os.urandom(16)
    key, check = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header = json.dumps({
        "v": 2, "carrier": carrier_digest(carrier),
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
    boxes: list[Box]
    #: each region's PNG, checked to be a PNG of exactly its box; decoded by :meth:`regions`
    pngs: list[bytes]
    #: the SHA-256 of the carrier the payload was sealed for (None: a version 1 payload)
    carrier: str | None = None

    def regions(self) -> Iterator[Region]:
        """Each region's pixels, decoded one at a time, so that a restore holds the image
        and one region, not all of them."""
        for box, data in zip(self.boxes, self.pngs, strict=True):
            try:
                pixels = Image.open(io.BytesIO(data), formats=["PNG"])
                if pixels.size != (box.width, box.height):
                    raise ValueError("a region's pixels do not match its box")
                pixels.load()
            except (ValueError, OSError, Image.DecompressionBombError) as exc:
                raise TamperedError(f"the encrypted regions are damaged ({exc})") from exc
            yield Region(box, pixels)


def _pngs(body: bytes, boxes: list[Box]) -> list[bytes]:
    """The regions' PNGs, each checked without decoding: its length, its signature and
    the size its header gives, which must be its box's."""
    out: list[bytes] = []
    pos = 0
    for box in boxes:
        if pos + 4 > len(body):
            raise TamperedError("the encrypted regions are damaged (cut short)")
        (length,) = struct.unpack(">I", body[pos:pos + 4])
        data = body[pos + 4:pos + 4 + length]
        if len(data) != length or not data.startswith(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"):
            raise TamperedError("the encrypted regions are damaged (a region's pixels are "
                                "not a PNG)")
        if struct.unpack(">II", data[16:24]) != (box.width, box.height):
            raise TamperedError("the encrypted regions are damaged (a region's pixels do "
                                "not match its box)")
        out.append(data)
        pos += 4 + length
    return out


@dataclass(frozen=True)
class _Header:
    raw: bytes
    salt: bytes
    check: bytes
    kdf: tuple[int, int, int]
    size: tuple[int, int]
    mode: str
    boxes: list[Box]
    carrier: str | None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} in the header")  # JSON has no Infinity or NaN; Python reads them


def _header(blob: bytes) -> _Header:
    """The header's bytes and fields, every one checked before anything costly is done."""
    if not blob.startswith(MAGIC) or len(blob) < 9:
        raise ValueError("bad magic")
    (hlen,) = struct.unpack(">I", blob[5:9])
    if hlen > MAX_HEADER or 9 + hlen + 12 + 16 > len(blob):
        raise ValueError(f"a header of {hlen} bytes")
    header_bytes = blob[9:9 + hlen]
    header = json.loads(header_bytes, parse_constant=_no_constant)
    if not isinstance(header, dict):
        raise ValueError("the header is not an object")
    version = header.get("v")
    carrier = header.get("carrier") if version == 2 else None
    if version not in (1, 2) or (version == 2 and not (
            isinstance(carrier, str) and len(carrier) == 64)):
        raise ValueError(f"header version {version!r}")
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
    if sum(b.width * b.height for b in boxes) > MAX_COVER * width * height:
        raise ValueError(f"regions covering the image more than {MAX_COVER} times")
    return _Header(header_bytes, salt, check, (n, r, p), (width, height), mode, boxes,
                   carrier)


def open_sealed(blob: bytes, passphrase: str) -> Opened:
    """Decrypt a payload. Wrong passphrase: PassphraseError; anything altered or malformed:
    TamperedError, raised before any work that a forged header could make expensive."""
    try:
        h = _header(blob)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError,
            struct.error) as exc:
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
    return Opened(h.size, h.mode, h.boxes, _pngs(body, h.boxes), h.carrier)


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


#: where each carrier format keeps its payload
EMBEDDED_FORMATS = frozenset({"PNG", "JPEG"})
SIDECAR_FORMATS = frozenset({"WEBP", "TIFF", "BMP", "GIF", "HEIF"})


@dataclass(frozen=True)
class Carried:
    payload: bytes
    #: the carrier's bytes without the payload: what the header's digest covers
    carrier: bytes
    sidecar: bool


def extract(data: bytes, path: Path | None = None) -> bytes:
    """Find a payload in a PNG chunk, JPEG APP11 segments or a sidecar next to ``path``."""
    return split(data, path).payload


def split(data: bytes, path: Path | None = None) -> Carried:
    """The payload and the carrier it travels in, the carrier as it was before the payload
    was put in. A PNG or JPEG carries its payload inside; a sidecar is only looked for
    beside another format PixelSafe writes."""
    found: tuple[bytes, bytes] | None = None
    fmt = None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        fmt, found = "PNG", _from_png(data)
    elif data.startswith(b"\xff\xd8"):
        fmt, found = "JPEG", _from_jpeg(data)
    if found is not None:
        return Carried(found[0], found[1], False)
    if fmt is None and path is not None:
        side = Path(str(path) + SIDECAR_SUFFIX)
        if side.is_file():
            from ..imageio import sniff_format

            sniffed = sniff_format(data[:16])
            if sniffed not in SIDECAR_FORMATS:
                raise TamperedError(
                    f"a {sniffed or 'non-image'} file cannot carry a sidecar: PixelSafe writes "
                    "sidecars only beside " + ", ".join(sorted(SIDECAR_FORMATS)))
            if side.stat().st_size > DEFAULT_LIMITS.max_bytes:
                raise TamperedError("the sidecar is larger than any PixelSafe writes")
            return Carried(side.read_bytes(), data, True)
    raise PayloadMissingError("this file carries no encrypted regions (made without "
                              "--encrypt, or its payload or sidecar was removed)")


def _from_png(data: bytes) -> tuple[bytes, bytes] | None:
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        if pos + 12 + length > len(data):
            raise TamperedError(f"a {ctype!r} chunk runs past the end of the file")
        if ctype == PNG_CHUNK:
            body = data[pos + 8:pos + 8 + length]
            (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
            if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
                raise TamperedError("the encrypted chunk's CRC does not match: it was changed")
            return body, data[:pos] + data[pos + 12 + length:]
        if ctype == b"IEND":
            break
        pos += 12 + length
    return None


def _from_jpeg(data: bytes) -> tuple[bytes, bytes] | None:
    parts: dict[int, bytes] = {}
    total = 0
    pos = 2
    kept = [data[:2]]
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            kept.append(data[pos:pos + 2])
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            raise TamperedError(f"a JPEG segment {marker:02X} runs past the end of the file")
        seg = data[pos + 4:pos + 2 + length]
        if marker == 0xEB and seg.startswith(JPEG_TAG):
            if len(seg) < 8:
                raise TamperedError("an encrypted segment is cut short")
            index, count = struct.unpack(">HH", seg[4:8])
            if parts and count != total:
                raise TamperedError("the encrypted segments disagree on their number")
            total = count
            parts[index] = seg[8:]
        else:
            kept.append(data[pos:pos + 2 + length])
        pos += 2 + length
        if marker == 0xDA:  # start of scan: no more headers
            break
    if not parts:
        return None
    if sorted(parts) != list(range(total)):
        raise TamperedError("some of the encrypted segments are missing")
    kept.append(data[pos:])
    return b"".join(parts[i] for i in range(total)), b"".join(kept)
