"""Codes at any angle, read without zxing's own rotations (bench/codes.py measures the
cost): bars and PDF417 turned a quarter are read from the turned image, with corners in
the image's own pixels; Data Matrix at an odd angle still reads (zxing and OpenCV for real)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import zxingcpp
from PIL import Image

from pixelsafe.detectors.barcodes import CodeConfig, read_codes

F = zxingcpp.BarcodeFormat


def page_with(text: str, fmt: zxingcpp.BarcodeFormat, angle: float, scale: int = 4
              ) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A code of ``scale`` px per module turned by ``angle`` degrees, centred at (1200, 450)
    of a 1800x1400 grey page; returns the page and the code's bounding box."""
    art = np.array(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, fmt),
                                                   scale=1, add_quiet_zones=True))
    if art.shape[0] < 4:  # a linear code's one row
        art = np.repeat(art, 30, axis=0)
    art = cv2.resize(art, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    h, w = art.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    page = np.full((1400, 1800), 150, np.uint8)
    matrix[:, 2] += (1200 - w / 2, 450 - h / 2)
    ink = cv2.warpAffine(255 - art, matrix, (1800, 1400))
    shape = cv2.warpAffine(np.full_like(art, 255), matrix, (1800, 1400))
    page[shape > 0] = 255 - ink[shape > 0]
    ys, xs = np.nonzero(shape)
    return Image.fromarray(page).convert("RGB"), (xs.min(), ys.min(), xs.max(), ys.max())


@pytest.mark.parametrize(("fmt", "text", "angle"), [
    (F.Code128, "PARCEL-004711", 90),
    (F.EAN13, "4006381333931", 270),
    (F.PDF417, "DAQ D1234567 DCS DOE DAC JANE", 90),
    (F.DataMatrix, "LOT004711-EXP2027", 33),
    (F.QRCode, "https://example.org/p/1", 140),
])
def test_a_turned_code_is_read_where_it_is(fmt, text, angle) -> None:
    image, (x1, y1, x2, y2) = page_with(text, fmt, angle)
    found = read_codes(image)
    assert [c.text for c, _ in found] == [text]
    corners = found[0][1]
    cx, cy = corners.mean(axis=0)
    assert x1 <= cx <= x2 and y1 <= cy <= y2  # in the image's pixels, not the turned ones
    # the same as zxing's own search with its rotations
    before = read_codes(image, CodeConfig(quarter_turn=False))
    assert [c.text for c, _ in before] == [text]


def test_two_codes_with_one_text_are_both_found() -> None:
    """Two labels of one parcel: each is a place to cover."""
    image, (x1, y1, x2, y2) = page_with("PARCEL-004711", F.Code128, 0)
    array = np.array(image)
    h, w = y2 - y1 + 41, x2 - x1 + 41
    array[800:800 + h, 100:100 + w] = array[y1 - 20:y1 - 20 + h, x1 - 20:x1 - 20 + w]
    found = read_codes(Image.fromarray(array))
    assert [c.text for c, _ in found] == ["PARCEL-004711"] * 2
    assert sorted(round(q[:, 1].mean()) // 100 for _, q in found) == [4, 9]
