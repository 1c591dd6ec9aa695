"""Barcodes and QR codes with zxing-cpp, decoded and classified by payload."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..report import CodeDetail, Kind
from ..text.payloads import Payload, classify
from .base import Candidate, Deadline, Detector, Rect, Scene

#: codes whose symbol is one row of bars: zxing reports the scan line, not the symbol
LINEAR = {"EAN-13", "EAN-8", "UPC-A", "UPC-E", "Code128", "Code39", "Code93", "Codabar", "ITF",
          "DataBar", "DataBarExpanded", "DataBarLimited", "Code 128", "Code 39", "Code 93"}
#: personal fields of a payload and the personal_text label each one gets
FIELD_LABELS = {"person_name": "person_name", "phone": "phone", "email": "email",
                "address": "address", "iban": "iban", "booking_reference": "booking_reference",
                "date_of_birth": "date_of_birth", "payment_card": "payment_card",
                "national_id": "national_id", "wifi_ssid": "wifi_network"}


def _label(format_name: str) -> str:
    return format_name.lower().replace(" ", "_").replace("-", "")


def _box(position: Any, linear: bool) -> Rect:
    pts = np.array([[p.x, p.y] for p in (position.top_left, position.top_right,
                                         position.bottom_right, position.bottom_left)], float)
    x1, y1 = pts.min(axis=0)
    x2, y2 = pts.max(axis=0)
    w = max(1.0, x2 - x1)
    if linear and (y2 - y1) < 0.35 * w:  # grow the scan line to the height of the bars
        cy = (y1 + y2) / 2
        y1, y2 = cy - 0.3 * w, cy + 0.3 * w
    pad = max(2.0, 0.04 * w)  # the quiet zone edge, so no module is left outside
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

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Sequence[Candidate]:
        import zxingcpp

        out: list[Candidate] = []
        for code in zxingcpp.read_barcodes(scene.image.rgb):
            if not code.valid:
                continue
            fmt = str(code.format)
            box = _box(code.position, fmt in LINEAR)
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
