"""Barcode payload classification."""

from __future__ import annotations

import pytest

from pixelsafe.text.payloads import classify

BCBP = ("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100")


@pytest.mark.parametrize("text, kind, critical, fields", [
    ("WIFI:S:Home\\;Net;T:WPA;P:s3cr3t!;;", "wifi", True, {"wifi_ssid": "Home;Net"}),
    ("WIFI:T:nopass;S:Cafe;;", "wifi", False, {"wifi_ssid": "Cafe"}),
    (BCBP, "boarding_pass", True, {"person_name": "DESMARAIS, LUC", "booking_reference": "ABC123"}),
    ("MECARD:N:Doe,Jane;TEL:+15551234567;EMAIL:jane@example.org;;", "contact", False,
     {"person_name": "Doe, Jane", "phone": "+15551234567", "email": "jane@example.org"}),
    ("BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane\nFN:Jane Doe\nTEL;TYPE=cell:+44 20 7946 0958\n"
     "EMAIL:jane@example.org\nEND:VCARD", "contact", False,
     {"person_name": "Jane Doe", "phone": "+44 20 7946 0958", "email": "jane@example.org"}),
    ("mailto:jane.doe@example.org?subject=hi", "email_link", False,
     {"email": "jane.doe@example.org"}),
    ("tel:+15551234567", "phone_link", False, {"phone": "+15551234567"}),
    ("SMSTO:+15551234567:hello", "sms_link", False, {"phone": "+15551234567"}),
    ("BCD\n002\n1\nSCT\nBFSWDE33BER\nWikimedia Foerdergesellschaft\nDE33100205000001194700\n"
     "EUR123.45\n\n\nDonation", "payment", True,
     {"person_name": "Wikimedia Foerdergesellschaft", "iban": "DE33100205000001194700"}),
    ("https://example.org/path?q=1", "url", False, {}),
    ("Write to jane@example.org", "text", False, {"email": "jane@example.org"}),
    ("9783161484100", "text", False, {}),
])
def test_classify(text: str, kind: str, critical: bool, fields: dict[str, str]) -> None:
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
