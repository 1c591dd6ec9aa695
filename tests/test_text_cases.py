"""The shared table of text cases (phone/tests/text-cases.json), run through the library's
rules; phone/tests/text.test.js runs the same table through the phone app's. Neither side
can drift from the other without one of them failing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pixelsafe.text import mrz
from pixelsafe.text.recognizers import (
    DATES,
    PHONE_LABELS,
    PhoneRecognizer,
    date_values,
    find_all,
    for_page,
    iban_ok,
    luhn_ok,
    validate_card,
)

CASES = json.loads((Path(__file__).resolve().parents[1] / "phone" / "tests" /
                    "text-cases.json").read_text())


@pytest.mark.parametrize("digits, ok", CASES["luhn"])
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize("number, network", CASES["cards"])
def test_card_networks(number: str, network: str | None) -> None:
    verdict = validate_card(number)
    assert (verdict["network"] if isinstance(verdict, dict) else None) == network


@pytest.mark.parametrize("iban, ok", CASES["iban"])
def test_iban_mod_97(iban: str, ok: bool) -> None:
    assert iban_ok(iban) is ok


@pytest.mark.parametrize("data, digit", CASES["mrz_check_digits"])
def test_mrz_check_digits(data: str, digit: int) -> None:
    assert mrz.check_digit(data) == digit


@pytest.mark.parametrize("text, values", CASES["date_forms"])
def test_date_forms(text: str, values: list[list[int]]) -> None:
    match = DATES.fullmatch(text.strip()) or DATES.search(text)
    assert match is not None and match.group() == re.sub(r"^the ", "", text), text
    assert date_values(match.group()) == {tuple(v) for v in values}


@pytest.mark.parametrize("text, found", CASES["dates_in_text"])
def test_dates_in_text(text: str, found: list[str]) -> None:
    assert [m.group() for m in DATES.finditer(text)] == found


@pytest.mark.parametrize("text, context, page, found", CASES["phone_texts"])
def test_phone_texts(text: str, context: str, page: str, found: list[list[object]]) -> None:
    """What the recognisers the phone runs report on a line (phone numbers, e-mails, cards,
    IBANs), with the line above as context and the page's named countries."""
    recognizers = [r for r in for_page(page or text)
                   if isinstance(r, PhoneRecognizer) or r.label in PHONE_LABELS]
    got = [[m.label, m.text, round(m.score, 2)] for m in find_all(text, context, recognizers)]
    assert got == found


@pytest.mark.parametrize("lines, data", CASES["mrz_zones"])
def test_mrz_zones(lines: list[str], data: dict[str, object] | None) -> None:
    parsed = mrz.parse(lines)
    assert (parsed.to_data() if parsed else None) == data


@pytest.mark.parametrize("texts, zones", CASES["mrz_groups"])
def test_mrz_zones_among_lines(texts: list[str], zones: list[list[int]]) -> None:
    assert mrz.group_zones(texts) == zones
