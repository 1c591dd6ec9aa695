"""Forged restore headers (issue 15, break 3; break 5 for the region payloads): every
malformed header is `tampered`, found before scrypt runs or anything is allocated for it."""

from __future__ import annotations

import base64
import io
import json
import os
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from PIL import Image

from pixelsafe.errors import ProtectError, TamperedError
from pixelsafe.protect import sealed
from pixelsafe.report import Box

PASS = "correct horse battery"


@pytest.fixture
def no_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the KDF runs: a forged header must be refused before it."""
    def boom(*args: object) -> None:
        raise AssertionError("scrypt ran on a forged header")

    monkeypatch.setattr(sealed, "_derive", boom)


def _seal() -> bytes:
    return sealed.seal([sealed.Region(Box(0, 0, 4, 4), Image.new("RGB", (4, 4), "red"))],
                       (10, 10), "RGB", PASS, carrier=b"the redacted image")


GENUINE = _seal()  # made before any test replaces the KDF


def genuine() -> tuple[bytes, dict]:
    """A payload PixelSafe wrote, and a fresh copy of its header."""
    (hlen,) = struct.unpack(">I", GENUINE[5:9])
    return GENUINE, json.loads(GENUINE[9:9 + hlen])


def forged(header: dict, body: bytes = b"\0" * 40) -> bytes:
    raw = json.dumps(header).encode()
    return sealed.MAGIC + struct.pack(">I", len(raw)) + raw + body


@pytest.mark.parametrize("kdf", [
    {"n": 2**20, "r": 32, "p": 1},   # 4 GB and 10 s of scrypt before "wrong passphrase"
    {"n": 2**15, "r": 8, "p": 16},   # past 45 s
    {"n": 1000, "r": 8, "p": 1},     # not a power of two: ValueError inside scrypt
    {"n": 2**14, "r": 8, "p": 1},    # cheaper than what PixelSafe writes
    {"n": "x", "r": 8, "p": 1},
])
def test_kdf_parameters_other_than_ours_are_refused_before_scrypt(no_scrypt, kdf) -> None:
    _, header = genuine()
    header["kdf"].update(kdf)
    with pytest.raises(TamperedError):
        sealed.open_sealed(forged(header), PASS)


@pytest.mark.parametrize("change", [
    {"mode": "XYZ"}, {"mode": "CMYK"}, {"mode": "F"},
    {"size": [0, 10]}, {"size": [200_000, 200_000]}, {"size": "big"},
    {"regions": [[0, 0, 20, 20]]},          # outside the image
    {"regions": [[0, 0, 4, 4]] * 10_001},   # more regions than PixelSafe writes
    {"check": "AAAA"}, {"kdf": None}, {"regions": None},
    {"v": 3}, {"v": 2, "carrier": None}, {"carrier": "ab"},
])
def test_malformed_headers_are_tampered_before_scrypt(no_scrypt, change) -> None:
    _, header = genuine()
    header.update(change)
    with pytest.raises(TamperedError):
        sealed.open_sealed(forged(header), PASS)


def test_an_oversized_header_is_refused_from_its_length_alone(no_scrypt) -> None:
    blob = sealed.MAGIC + struct.pack(">I", sealed.MAX_HEADER + 1) + b"{" * 64
    with pytest.raises(TamperedError, match="header"):
        sealed.open_sealed(blob, PASS)


@pytest.mark.parametrize("blob", [b"", b"PXSF1", b"PXSF1\0\0\0\x05{}", b"PNG not ours"])
def test_short_or_foreign_payloads_are_tampered(blob) -> None:
    with pytest.raises(TamperedError):
        sealed.open_sealed(blob, PASS)


def _authentic(header: dict, body: bytes) -> bytes:
    """A payload that authenticates (as if made with the passphrase) around ``body``."""
    salt = base64.b64decode(header["kdf"]["salt"])
    key, check = sealed._derive(PASS, salt, sealed.SCRYPT_N, sealed.SCRYPT_R, sealed.SCRYPT_P)
    header = {**header, "check": base64.b64encode(check).decode()}
    raw = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    nonce = os.urandom(12)
    return sealed.MAGIC + struct.pack(">I", len(raw)) + raw + nonce + \
        AESGCM(key).encrypt(nonce, body, raw)


@pytest.mark.parametrize("fmt", ["TGA", "PPM", "BMP"])
def test_region_pixels_are_png_only(fmt) -> None:
    _, header = genuine()
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, fmt)
    blob = _authentic(header, struct.pack(">I", buf.tell()) + buf.getvalue())
    with pytest.raises(TamperedError, match="not a PNG"):
        sealed.open_sealed(blob, PASS)


def test_a_short_body_is_tampered() -> None:
    _, header = genuine()
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    blob = _authentic(header, struct.pack(">I", buf.tell() + 100) + buf.getvalue())
    with pytest.raises(TamperedError):
        sealed.open_sealed(blob, PASS)


def test_the_genuine_payload_still_opens() -> None:
    blob, _ = genuine()
    opened = sealed.open_sealed(blob, PASS)
    assert opened.size == (10, 10) and next(opened.regions()).pixels.getpixel((0, 0)) == (255, 0, 0)


# --- issue 29, point 6: what a restore decodes is bounded by the carrier's size -----------

def test_regions_covering_the_image_many_times_are_refused_before_scrypt(no_scrypt) -> None:
    """The attack: N regions each the size of a 100 MP image, sealed with the sender's
    passphrase; 4.9 MB took 4.2 GB to restore, 12 MB ended in MemoryError."""
    _, header = genuine()
    header.update({"size": [10_000, 10_000], "regions": [[0, 0, 10_000, 10_000]] * 50})
    with pytest.raises(TamperedError, match="more than 4 times"):
        sealed.open_sealed(forged(header), PASS)
    header["regions"] = [[0, 0, 10_000, 10_000]] * sealed.MAX_COVER  # the bound itself
    with pytest.raises(AssertionError, match="scrypt ran"):  # passes the header checks
        sealed.open_sealed(forged(header), PASS)


def test_sealing_refuses_what_a_restore_would_refuse() -> None:
    red = Image.new("RGB", (10, 10), "red")
    with pytest.raises(ProtectError, match="more than 4 times"):
        sealed.seal([sealed.Region(Box(0, 0, 10, 10), red)] * 5, (10, 10), "RGB", PASS,
                    carrier=b"x")


def test_regions_are_decoded_one_at_a_time() -> None:
    red = Image.new("RGB", (10, 10), "red")
    blob = sealed.seal([sealed.Region(Box(0, 0, 10, 10), red)] * 4, (10, 10), "RGB", PASS,
                       carrier=b"x")
    opened = sealed.open_sealed(blob, PASS)
    assert not any(isinstance(v, Image.Image) for v in vars(opened).values())
    regions = opened.regions()
    first = next(regions)
    assert first.pixels.getpixel((9, 9)) == (255, 0, 0)
    assert sum(1 for _ in regions) == 3


# --- issue 29, point 7: malformed headers and carriers are "tampered", never a traceback ----

def _with_size(text: str) -> bytes:
    _, header = genuine()
    header["size"] = "SIZE"
    return json.dumps(header).replace('"SIZE"', text).encode()


@pytest.mark.parametrize("raw", [
    b"[" * 100_000 + b"]" * 100_000,     # deep JSON: RecursionError
    _with_size("[Infinity, 10]"),        # Infinity: OverflowError in int()
    _with_size("[NaN, 10]"),             # NaN: ValueError
])
def test_malformed_header_json_is_tampered(no_scrypt, raw) -> None:
    blob = sealed.MAGIC + struct.pack(">I", len(raw)) + raw + b"\0" * 40
    with pytest.raises(TamperedError):
        sealed.open_sealed(blob, PASS)


def test_carrier_chunks_that_overrun_are_tampered() -> None:
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    data = png.getvalue()
    overrun = data[:33] + struct.pack(">I", 1 << 30) + sealed.PNG_CHUNK + b"short"
    with pytest.raises(TamperedError):
        sealed.split(overrun)
    jpeg = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(jpeg, "JPEG")
    data = jpeg.getvalue()
    for segment in (b"\xff\xeb\x00\x08" + sealed.JPEG_TAG + b"\x00\x00",   # cut short
                    b"\xff\xeb\xff\xf0" + sealed.JPEG_TAG):                 # past the end
        with pytest.raises(TamperedError):
            sealed.split(data[:2] + segment + (data[2:] if segment[2] == 0 else b""))
