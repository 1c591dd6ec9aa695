"""Barcode payload classification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelsafe.text.payloads import classify

CASES = json.loads((Path(__file__).resolve().parents[1] / "phone" / "tests" /
                    "text-cases.json").read_text())

BCBP = ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100")


@pytest.mark.parametrize("text, kind, critical, fields", CASES["payloads"])
def test_classify(text: str, kind: str, critical: bool, fields: dict[str, str]) -> None:
    """The shared table of payloads (phone/tests/text-cases.json), which payloads.js runs
    too."""
    payload = classify(text)
    assert payload.type == kind
    assert payload.critical is critical
    assert payload.fields == fields


def test_wifi_password_is_never_copied() -> None:
    payload = classify("WIFI:S:Home;T:WPA;P:hunter22;;")
    assert "hunter22" not in repr(payload)
    assert payload.data["has_password"] and payload.data["password_length"] == 8


def test_boarding_pass_flight() -> None:
    payload = classify(BCBP)
    assert payload.data["from"] == "YUL" and payload.data["to"] == "FRA"
    assert payload.data["flight"] == "AC834"
