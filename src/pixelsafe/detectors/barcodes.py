"""Barcodes and QR codes with zxing-cpp, decoded and classified by payload.

zxing reads the image as it is first: every format as the image stands, then the formats
whose readers scan along rows (bars, PDF417) on the image turned a quarter, which finds
what zxing's own ``try_rotate`` finds at a third of its cost (its search turns the image
for every format; QR, Data Matrix and Aztec are found at any angle without it). Codes too
small or too soft for it get two more tries, each on a sharpened, upscaled picture: the
crops around the bar patterns and QR finder patterns that OpenCV's detectors see, and for
an image of at most ``WHOLE_PASS_PIXELS`` (a screenshot, a small photo) the whole image.
Every decode is checked by zxing's own checksums, so the extra passes find codes, not
noise."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..report import CodeDetail, Kind, Rect
from ..text.payloads import Payload, classify
from .base import Candidate, Deadline, Detector, Scene

#: codes whose symbol is one row of bars: zxing reports the scan line, not the symbol
LINEAR = {"EAN-13", "EAN-8", "UPC-A", "UPC-E", "Code128", "Code39", "Code93", "Codabar", "ITF",
          "DataBar", "DataBarExpanded", "DataBarLimited", "Code 128", "Code 39", "Code 93"}
#: personal fields of a payload and the personal_text label each one gets
FIELD_LABELS = {"person_name": "person_name", "phone": "phone", "email": "email",
                "address": "address", "iban": "iban", "booking_reference": "booking_reference",
                "date_of_birth": "date_of_birth", "payment_card": "payment_card",
                "national_id": "national_id", "wifi_ssid": "wifi_network"}


@functools.cache
def _passes() -> tuple[tuple[Any, bool, bool], ...]:
    """The whole-image reads: (formats, zxing's try_rotate, on the image turned a quarter).

    zxing's ``try_rotate`` turns the image for every format (a 12 MP photo: 290 ms against
    72 ms without). QR codes and Aztec are found at any angle without it; the readers that
    scan along rows (bars, PDF417) read the image turned a quarter instead; only Data
    Matrix keeps it (its finder searches in all directions with it: 3 of 12 codes at odd
    angles in ``bench/codes.py`` were read only so)."""
    import zxingcpp

    F = zxingcpp.BarcodeFormat
    readable = zxingcpp.barcode_formats_list(zxingcpp.BarcodeFormats(F.AllReadable))
    rest = tuple(f for f in readable if f != F.DataMatrix)
    return ((rest, False, False), (F.DataMatrix, True, False),
            ((F.LinearCodes, F.PDF417), False, True))


def _label(format_name: str) -> str:
    return format_name.lower().replace(" ", "_").replace("-", "")


#: the whole image is upscaled for a last pass only up to this size (2 MP: the pass costs
#: about 65 ms for 1 MP on one core, and a larger photo prints its codes larger)
WHOLE_PASS_PIXELS = 2_000_000
#: upscale factors of the crops around a seen pattern
CROP_SCALES = (2, 3)


def _corners(position: Any) -> np.ndarray:
    return np.array([[p.x, p.y] for p in (position.top_left, position.top_right,
                                          position.bottom_right, position.bottom_left)], float)


def _sharpened(gray: np.ndarray, scale: int) -> np.ndarray:
    import cv2

    big = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.addWeighted(big, 1.8, cv2.GaussianBlur(big, (0, 0), 1.5), -0.8, 0)


#: the patterns are looked for on the image scaled down to this longest side (on a 12 MP
#: photo the detectors cost 185 ms at full size); the crops are cut from the full image
PATTERN_SIDE = 2000


def _patterns(gray: np.ndarray) -> list[np.ndarray]:
    """Where OpenCV sees bars or QR finder patterns: corner points in image pixels."""
    import cv2

    factor = min(1.0, PATTERN_SIDE / max(gray.shape[:2]))
    small = gray if factor == 1.0 else cv2.resize(gray, None, fx=factor, fy=factor,
                                                  interpolation=cv2.INTER_AREA)
    out: list[np.ndarray] = []
    for found, pts in (cv2.barcode.BarcodeDetector().detect(small),
                       cv2.QRCodeDetector().detectMulti(small)):
        if found and pts is not None:
            out.extend(np.asarray(q, float).reshape(-1, 2) / factor for q in pts)
    return out


@dataclass(frozen=True)
class CodeConfig:
    #: True: one read without zxing's rotations, and one of the row-scanned formats on the
    #: image turned a quarter; False: zxing's own search with rotations (3x the time on a
    #: 12 MP photo; ``bench/codes.py`` compares them)
    quarter_turn: bool = True


def _first_read(rgb: Any, gray: np.ndarray, config: CodeConfig) -> list[tuple[Any, np.ndarray]]:
    """What zxing reads in the whole image at its own size, with corners in its pixels."""
    import cv2
    import zxingcpp

    if not config.quarter_turn:
        return [(c, _corners(c.position)) for c in zxingcpp.read_barcodes(rgb) if c.valid]
    found: list[tuple[Any, np.ndarray]] = []
    turned = None
    for formats, rotate, quarter in _passes():
        if quarter and turned is None:
            turned = cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE)
        for c in zxingcpp.read_barcodes(turned if quarter else gray, formats=formats,
                                        try_rotate=rotate):
            if not c.valid:
                continue
            pts = _corners(c.position)
            if quarter:  # a pixel (x, y) of the turned image is (y, H - 1 - x) of the image
                pts = np.stack([pts[:, 1], gray.shape[0] - 1 - pts[:, 0]], axis=1)
                if any(c.text == d.text and _inside(pts.mean(axis=0), q) for d, q in found):
                    continue  # read already in the image as it stands
            found.append((c, pts))
    return found


def _inside(point: np.ndarray, corners: np.ndarray) -> bool:
    """Whether ``point`` lies in the bounding box of ``corners`` (with a linear code's
    scan line grown to its bars' height, as :func:`_box` does)."""
    x1, y1, x2, y2 = _box(corners, True)
    return bool(x1 <= point[0] <= x2 and y1 <= point[1] <= y2)


def read_codes(rgb: Any, config: CodeConfig | None = None) -> list[tuple[Any, np.ndarray]]:
    """Every valid code zxing reads, with its corners in image pixels, after the extra
    passes over upscaled, sharpened pictures."""
    import zxingcpp

    config = config or CodeConfig()
    gray = np.asarray(rgb.convert("L"))

    def keep(codes: Any, scale: float, dx: float, dy: float) -> None:
        for c in codes:
            key = (str(c.format), c.text)
            pts = _corners(c.position) / scale + (dx, dy)
            # a read centred on a code read already is that code misread (a sharpened
            # EAN-13 on a receipt read twice, once with other digits and a valid check)
            if c.valid and key not in seen and not any(_inside(pts.mean(axis=0), q)
                                                       for _, q in found):
                seen.add(key)
                found.append((c, pts))

    found = _first_read(rgb, gray, config)
    seen = {(str(c.format), c.text) for c, _ in found}
    height, width = gray.shape[:2]
    for q in _patterns(gray):
        (x1, y1), (x2, y2) = q.min(axis=0), q.max(axis=0)
        if any(p[:, 0].min() <= (x1 + x2) / 2 <= p[:, 0].max()
               and p[:, 1].min() <= (y1 + y2) / 2 <= p[:, 1].max() for _, p in found):
            continue  # read already
        pad = 0.25 * max(x2 - x1, y2 - y1)
        X1, Y1 = int(max(0, x1 - pad)), int(max(0, y1 - pad))
        X2, Y2 = int(min(width, x2 + pad)), int(min(height, y2 + pad))
        crop = gray[Y1:Y2, X1:X2]
        if crop.size == 0 or crop.shape[0] * crop.shape[1] > WHOLE_PASS_PIXELS:
            continue
        for scale in CROP_SCALES:
            before = len(found)
            keep(zxingcpp.read_barcodes(_sharpened(crop, scale)), scale, X1, Y1)
            if len(found) > before:
                break
    if width * height <= WHOLE_PASS_PIXELS:
        keep(zxingcpp.read_barcodes(_sharpened(gray, 2)), 2, 0, 0)
    return found


#: a linear code's box: zxing reports its scan line; a line lower than ``SCAN_LINE`` of its
#: width grows to ``BAR_HEIGHT`` of it above and below its middle, and every box is padded
#: by ``PAD`` of its width (at least ``PAD_MIN`` px) so that no module is left outside.
#: The phone app reads these (``box_rules``)
SCAN_LINE, BAR_HEIGHT, PAD, PAD_MIN = 0.35, 0.3, 0.04, 2.0


def box_rules() -> dict[str, object]:
    """How a code's box is made and what its finding is called, as data for the phone app
    (formats without spaces or hyphens, as zxing-wasm names them: its names are zxing-cpp's
    enum names or printed names, so both are keys of ``labels``) and the label each field
    of a payload gets."""
    import zxingcpp

    labels = {}
    for f in zxingcpp.barcode_formats_list(zxingcpp.BarcodeFormats(
            zxingcpp.BarcodeFormat.AllReadable)):
        for name in (f.name, str(f)):
            labels[re.sub(r"[^A-Za-z0-9]", "", name)] = _label(str(f))
    return {"linear": sorted({f.replace(" ", "").replace("-", "") for f in LINEAR}),
            "scan_line": SCAN_LINE, "bar_height": BAR_HEIGHT, "pad": PAD, "pad_min": PAD_MIN,
            "labels": labels, "field_labels": FIELD_LABELS}


def _box(pts: np.ndarray, linear: bool) -> Rect:
    x1, y1 = pts.min(axis=0)
    x2, y2 = pts.max(axis=0)
    w = max(1.0, x2 - x1)
    if linear and (y2 - y1) < SCAN_LINE * w:  # grow the scan line to the height of the bars
        cy = (y1 + y2) / 2
        y1, y2 = cy - BAR_HEIGHT * w, cy + BAR_HEIGHT * w
    pad = max(PAD_MIN, PAD * w)  # the quiet zone edge, so no module is left outside
    return (x1 - pad, y1 - pad, x2 + 1 + pad, y2 + 1 + pad)


def _public_text(text: str, payload: Payload) -> str:
    """The payload as the report shows it: a Wi-Fi password is never copied."""
    if payload.type == "wifi":
        ssid = payload.data.get("ssid", "")
        return f"Wi-Fi network {ssid!r}" + (" with its password" if payload.data.get(
            "has_password") else "")
    return text if len(text) <= 300 else text[:299] + "…"


class BarcodeDetector(Detector):
    name = "barcodes"
    #: zxing and OpenCV's detectors use one core: beside the networks, which use both, a
    #: 12 MP photo's analysis took 924 -> 789 ms, a receipt's 1857 -> 1705 ms (in process)
    beside = True

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Sequence[Candidate]:
        out: list[Candidate] = []
        for code, corners in read_codes(scene.image.rgb):
            fmt = str(code.format)
            box = _box(corners, fmt in LINEAR)
            text = code.text
            payload = classify(text)
            out.append(Candidate(
                Kind.BARCODE, _label(fmt), 1.0, "zxing-cpp", box, _public_text(text, payload),
                data={"fields": dict(payload.fields), **payload.data},
                detail=CodeDetail(fmt, payload.type, payload.critical)))
            for key, value in payload.fields.items():
                label = FIELD_LABELS.get(key)
                if label and value:
                    out.append(Candidate(
                        Kind.PERSONAL_TEXT, label, 1.0, "zxing-cpp+payload", box, value,
                        data={"in": _label(fmt), "payload_type": payload.type}))
        return out
