"""The visible image is bound to its encrypted regions (issue 15, break 4), and only carriers
PixelSafe writes are decoded (break 5): a restore into a changed or foreign picture, or from
a format PixelSafe never writes, is `tampered` and writes nothing."""

from __future__ import annotations

import base64
import io
import json
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from test_sealed_headers import _authentic

from pixelsafe.errors import TamperedError
from pixelsafe.protect import RedactOptions, UnverifiedCarrierWarning, redact, restore, sealed
from pixelsafe.report import Box

PASS = "correct horse battery"
BOX = Box(20, 20, 70, 50)


def protected(tmp_path: Path, suffix: str = ".png") -> tuple[Path, Path]:
    src = tmp_path / "in.png"
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (90, 120, 3), dtype=np.uint8)).save(src)
    out = tmp_path / f"protected{suffix}"
    redact(src, out, RedactOptions(only=frozenset(), boxes=[BOX], passphrase=PASS,
                                   verify=False))
    return src, out


def png_with_chunk(im: Image.Image, chunk_payload: bytes) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return sealed.embed(buf.getvalue(), "PNG", chunk_payload) or b""


def test_a_forged_box_on_the_visible_image_is_refused(tmp_path: Path) -> None:
    """The repro: re-encode the protected PNG with a red "FORGED" box, keep its psEc chunk."""
    _, out = protected(tmp_path)
    payload = sealed.extract(out.read_bytes())
    with Image.open(out) as im:
        forged = im.convert("RGB")
    ImageDraw.Draw(forged).rectangle((75, 10, 115, 30), fill="red")
    bad = tmp_path / "forged.png"
    bad.write_bytes(png_with_chunk(forged, payload))
    back = tmp_path / "back.png"
    with pytest.raises(TamperedError, match="visible image was changed"):
        restore(bad, back, PASS)
    assert not back.exists()


def test_the_payload_copied_into_another_picture_is_refused(tmp_path: Path) -> None:
    _, out = protected(tmp_path)
    payload = sealed.extract(out.read_bytes())
    blue = tmp_path / "blue.png"
    blue.write_bytes(png_with_chunk(Image.new("RGB", (120, 90), "blue"), payload))
    with pytest.raises(TamperedError, match="visible image was changed"):
        restore(blue, tmp_path / "back.png", PASS)


def test_an_untouched_jpeg_carrier_still_restores(tmp_path: Path) -> None:
    src, out = protected(tmp_path, ".jpg")
    back = tmp_path / "back.png"
    restore(out, back, PASS)
    a, b = np.asarray(Image.open(src)), np.asarray(Image.open(back))
    assert np.array_equal(a[BOX.y1:BOX.y2, BOX.x1:BOX.x2], b[BOX.y1:BOX.y2, BOX.x1:BOX.x2])
    # one byte of the JPEG's image data changed: refused
    data = bytearray(out.read_bytes())
    data[-100] ^= 0x40
    changed = tmp_path / "changed.jpg"
    changed.write_bytes(bytes(data))
    with pytest.raises(TamperedError, match="visible image was changed"):
        restore(changed, tmp_path / "back2.png", PASS)


@pytest.mark.parametrize("fmt", ["TGA", "PCX", "SGI", "PPM", "ICO"])
def test_a_sidecar_beside_a_format_pixelsafe_never_writes_is_refused(tmp_path: Path,
                                                                     fmt: str) -> None:
    _, out = protected(tmp_path, ".webp")
    side = Path(str(out) + sealed.SIDECAR_SUFFIX)
    carrier = tmp_path / f"carrier.{fmt.lower()}"
    Image.new("RGB", (120, 90), "white").save(carrier, fmt)
    Path(str(carrier) + sealed.SIDECAR_SUFFIX).write_bytes(side.read_bytes())
    with pytest.raises(TamperedError):
        restore(carrier, tmp_path / "back.png", PASS)


def test_a_webp_with_its_sidecar_restores_and_a_swapped_webp_does_not(tmp_path: Path) -> None:
    _, out = protected(tmp_path, ".webp")
    restore(out, tmp_path / "back.png", PASS)
    other = tmp_path / "other.webp"
    Image.new("RGB", (120, 90), "white").save(other, "WEBP")
    Path(str(other) + sealed.SIDECAR_SUFFIX).write_bytes(
        Path(str(out) + sealed.SIDECAR_SUFFIX).read_bytes())
    with pytest.raises(TamperedError, match="visible image was changed"):
        restore(other, tmp_path / "back2.png", PASS)


def test_a_version_1_payload_restores_with_a_warning(tmp_path: Path) -> None:
    """Files protected before this change keep opening: nothing is lost."""
    _, out = protected(tmp_path)
    data = out.read_bytes()
    carried = sealed.split(data)
    (hlen,) = struct.unpack(">I", carried.payload[5:9])
    header = json.loads(carried.payload[9:9 + hlen])
    region = Image.new("RGB", (BOX.width, BOX.height), (1, 2, 3))
    buf = io.BytesIO()
    region.save(buf, "PNG")
    header["v"] = 1
    del header["carrier"]
    assert base64.b64decode(header["kdf"]["salt"])
    old = _authentic(header, struct.pack(">I", buf.tell()) + buf.getvalue())
    legacy = tmp_path / "legacy.png"
    legacy.write_bytes(sealed.embed(carried.carrier, "PNG", old) or b"")
    back = tmp_path / "back.png"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        restore(legacy, back, PASS)
    assert any(issubclass(w.category, UnverifiedCarrierWarning) for w in seen)
    with Image.open(back) as im:
        assert im.convert("RGB").getpixel((BOX.x1, BOX.y1)) == (1, 2, 3)
