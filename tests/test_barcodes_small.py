"""Codes too small or soft for zxing's first read: the passes over sharpened, upscaled
pictures read them, with boxes in the image's own pixels (zxing and OpenCV for real)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image

from pixelsafe.detectors.barcodes import _sharpened, read_codes


def scene(text: str, fmt: zxingcpp.BarcodeFormat, scale: float, blur: float,
          size: tuple[int, int]) -> Image.Image:
    """A code of ``scale`` pixels per module at (500, 400), soft, on a grey textured page."""
    code = np.array(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, fmt),
                                                    scale=1, add_quiet_zones=False))
    code = np.pad(code, 6, constant_values=255)
    h, w = int(code.shape[0] * scale), int(code.shape[1] * scale)
    small = cv2.resize(code, (w, h), interpolation=cv2.INTER_AREA)
    rng = np.random.default_rng(0)
    page = cv2.GaussianBlur(rng.integers(90, 170, size, dtype=np.uint8), (0, 0), 3)
    page[400:400 + h, 500:500 + w] = small
    return Image.fromarray(cv2.GaussianBlur(page, (0, 0), blur)).convert("RGB")


def first_read(image: Image.Image) -> list[str]:
    return [c.text for c in zxingcpp.read_barcodes(image) if c.valid]


def test_a_small_bar_code_is_read_from_its_upscaled_crop() -> None:
    image = scene("PARCEL4711-0042", zxingcpp.BarcodeFormat.Code128, 1.7, 1.0, (1600, 2200))
    assert first_read(image) == []
    found = read_codes(image)
    assert [c.text for c, _ in found] == ["PARCEL4711-0042"]
    corners = found[0][1]
    assert abs(corners[:, 0].min() - 510) < 6 and abs(corners[:, 1].min() - 410) < 6


def test_a_small_qr_code_in_a_small_image_is_read_from_the_upscaled_image() -> None:
    text = "WIFI:T:WPA;S:HomeNet;P:secret123;;"
    image = scene(text, zxingcpp.BarcodeFormat.QRCode, 2.0, 1.0, (900, 1200))
    assert first_read(image) == []
    assert [c.text for c, _ in read_codes(image)] == [text]


def test_no_code_is_made_up_from_texture() -> None:
    rng = np.random.default_rng(1)
    noise = cv2.GaussianBlur(rng.integers(0, 255, (900, 1200), dtype=np.uint8), (0, 0), 1)
    stripes = np.tile((np.arange(1200) // 6 % 2 * 200).astype(np.uint8), (900, 1))
    for array in (noise, stripes):
        assert read_codes(Image.fromarray(array).convert("RGB")) == []


def test_a_code_read_twice_in_one_place_is_one_code() -> None:
    """A receipt's EAN-13 (bench/gen_receipts.py) gives the sharpened whole-image pass a
    second read at the same place with other digits and a valid check digit: a misread,
    not a second code."""
    with Image.open(Path(__file__).parent / "data" / "receipt-ean13.jpg") as im:
        image = im.convert("RGB")
    sharpened = _sharpened(np.asarray(image.convert("L")), 2)
    reads = {c.text for c in zxingcpp.read_barcodes(sharpened) if c.valid}
    assert len(reads) == 2  # the picture still holds the misread
    assert [c.text for c, _ in read_codes(image)] == ["2883708488138"]
