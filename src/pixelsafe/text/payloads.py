"""What a barcode's payload gives away: Wi-Fi credentials, boarding passes (IATA BCBP),
contacts (vCard, MECARD), mailto/tel/sms links, EPC payment QR codes, URLs and plain text.

``classify`` returns the payload type, a severity and the personal fields found inside.
Secrets (a Wi-Fi password) are never copied into the report: only their presence and
length are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from .recognizers import find_all, iban_ok


@dataclass(frozen=True)
class Payload:
    type: str
    #: True for credentials, boarding passes and payment data: critical on their own
    critical: bool
    #: personal fields: label -> value (never a password)
    fields: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


def _mecard_fields(body: str) -> dict[str, str]:
    """Split ``K:v;K2:v2;;`` with backslash escapes (Wi-Fi and MECARD share this syntax)."""
    out: dict[str, str] = {}
    key, buf, i = None, [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            buf.append(body[i + 1])
            i += 2
            continue
        if c == ":" and key is None:
            key, buf = "".join(buf).upper(), []
        elif c == ";":
            if key is not None:
                out.setdefault(key, "".join(buf))
            key, buf = None, []
        else:
            buf.append(c)
        i += 1
    if key is not None:
        out.setdefault(key, "".join(buf))
    return out


def _wifi(text: str) -> Payload:
    f = _mecard_fields(text[5:])
    password = f.get("P", "")
    security = f.get("T", "") or ("nopass" if not password else "")
    return Payload("wifi", bool(password), {"wifi_ssid": f.get("S", "")},
                   {"ssid": f.get("S", ""), "security": security,
                    "has_password": bool(password), "password_length": len(password),
                    "hidden": f.get("H", "").lower() == "true"})


def _mecard(text: str) -> Payload:
    f = _mecard_fields(text[7:])
    fields = {"person_name": f.get("N", "").replace(",", ", ").strip(", "),
              "phone": f.get("TEL", ""), "email": f.get("EMAIL", ""), "address": f.get("ADR", "")}
    return Payload("contact", False, {k: v for k, v in fields.items() if v})


def _vcard(text: str) -> Payload:
    fields: dict[str, str] = {}
    for raw in re.split(r"\r?\n", text):
        name, _, value = raw.partition(":")
        key = name.split(";")[0].upper()
        value = value.replace(";", " ").strip()
        if not value:
            continue
        if key == "FN" or (key == "N" and "person_name" not in fields):
            fields["person_name"] = " ".join(value.split())
        elif key == "TEL":
            fields.setdefault("phone", value)
        elif key == "EMAIL":
            fields.setdefault("email", value)
        elif key == "ADR":
            fields.setdefault("address", " ".join(value.split()))
        elif key == "BDAY":
            fields.setdefault("date_of_birth", value)
        elif key == "ORG":
            fields.setdefault("organisation", value)
    return Payload("contact", False, fields)


def _bcbp(text: str) -> Payload | None:
    """IATA Resolution 792 boarding pass, mandatory items of the first leg."""
    if len(text) < 60 or text[0] != "M" or not text[1].isdigit():
        return None
    name = text[2:22].strip()
    pnr = text[23:30].strip()
    origin, dest, carrier = text[30:33], text[33:36], text[36:39].strip()
    flight = text[39:44].strip().lstrip("0")
    if not (origin.isalpha() and dest.isalpha() and "/" in name):
        return None
    surname, _, given = name.partition("/")
    return Payload("boarding_pass", True,
                   {"person_name": f"{surname.strip()}, {given.strip()}".strip(", "),
                    "booking_reference": pnr},
                   {"legs": int(text[1]), "from": origin, "to": dest,
                    "flight": f"{carrier}{flight}", "seat": text[48:52].strip().lstrip("0"),
                    "date_julian": text[44:47]})


def _epc(text: str) -> Payload | None:
    """European Payments Council QR (SEPA credit transfer)."""
    rows = text.splitlines()
    if len(rows) < 7 or rows[0].strip() != "BCD":
        return None
    name = rows[5].strip() if len(rows) > 5 else ""
    iban = rows[6].strip().replace(" ", "") if len(rows) > 6 else ""
    amount = rows[7].strip() if len(rows) > 7 else ""
    return Payload("payment", True, {k: v for k, v in
                                     {"person_name": name, "iban": iban}.items() if v},
                   {"iban_valid": iban_ok(iban), "amount": amount})


def classify(text: str) -> Payload:
    head = text[:8].upper()
    if head.startswith("WIFI:"):
        return _wifi(text)
    if head.startswith("MECARD:"):
        return _mecard(text)
    if head.startswith("BEGIN:VC"):
        return _vcard(text)
    if head.startswith("MAILTO:"):
        target = unquote(urlsplit(text).path)
        return Payload("email_link", False, {"email": target})
    if head.startswith(("TEL:",)):
        return Payload("phone_link", False, {"phone": text[4:].strip()})
    if head.startswith(("SMS:", "SMSTO:")):
        number = text.split(":", 2)[1] if head.startswith("SMSTO:") else \
            urlsplit(text).path.split("?")[0]
        return Payload("sms_link", False, {"phone": number.strip()})
    epc = _epc(text)
    if epc is not None:
        return epc
    bcbp = _bcbp(text)
    if bcbp is not None:
        return bcbp
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        return Payload("url", False, _text_fields(text),
                       {"host": urlsplit(text).hostname or ""})
    return Payload("text", False, _text_fields(text))


def _text_fields(text: str) -> dict[str, str]:
    """Personal data inside free text, by the same recognisers as OCR text."""
    out: dict[str, str] = {}
    for m in find_all(text):
        out.setdefault(m.label, m.text)
    return out
