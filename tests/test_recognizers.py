"""Recognisers as tables: what must fire, what must not, and the validators."""

from __future__ import annotations

import pytest

from pixelsafe.text.recognizers import (
    card_network,
    find_all,
    iban_ok,
    label_of,
    luhn_ok,
    ssn_ok,
    value_ok,
)


def labels(text: str, context: str = "") -> list[tuple[str, str]]:
    return [(m.label, m.text) for m in find_all(text, context)]


@pytest.mark.parametrize("text, expected", [
    ("Mail me at jane.doe@example.org today", [("email", "jane.doe@example.org")]),
    ("From: Flanagan, Troy [mailto:mif@gmabrands.com]", [("email", "mif@gmabrands.com")]),
    ("please note my new phone number +44 20 7946 0958 and my",
     [("phone", "+44 20 7946 0958")]),
    ("Call (202) 555-0143 after six", [("phone", "(202) 555-0143")]),
    ("202/295-3925", [("phone", "202/295-3925")]),
    ("Card: 4111 1111 1111 1111 exp 12/29", [("payment_card", "4111 1111 1111 1111")]),
    ("5555-5555-5555-4444", [("payment_card", "5555-5555-5555-4444")]),
    ("amex 378282246310005", [("payment_card", "378282246310005")]),
    ("IBAN: GB82 WEST 1234 5698 7654 32", [("iban", "GB82 WEST 1234 5698 7654 32")]),
    ("DE89370400440532013000", [("iban", "DE89370400440532013000")]),
    ("SSN 123-45-6788", [("national_id", "123-45-6788")]),
    ("Social security: 219 09 9998", [("national_id", "219 09 9998")]),
    ("Date of birth: 12.08.1974", [("date_of_birth", "12.08.1974")]),
    ("born 24 Nov 1987 in Paramaribo", [("date_of_birth", "24 Nov 1987")]),
    # issue 31: abbreviated and dotted labels, and dates as letters write them
    ("D. O. B. 14/08/1943", [("date_of_birth", "14/08/1943")]),
    ("Geb.-Datum: 12.03.1975", [("date_of_birth", "12.03.1975")]),
    ("Geb.-Dat. 12.03.1975", [("date_of_birth", "12.03.1975")]),
    ("F. Nac.: 12/03/1975", [("date_of_birth", "12/03/1975")]),
    ("Data Nasc. 12/03/1975", [("date_of_birth", "12/03/1975")]),
    ("Date Naiss. : 12.03.1975", [("date_of_birth", "12.03.1975")]),
    ("chemist; b. Berlin, Mar. 16. 1840; s. A. F. T.", [("date_of_birth", "Mar. 16. 1840")]),
    ("I was born on the 12th of March 1975", [("date_of_birth", "12th of March 1975")]),
    ("Birth: March 12th, 1975", [("date_of_birth", "March 12th, 1975")]),
    ("DOB 1st Feb 1990", [("date_of_birth", "1st Feb 1990")]),
    ("Né(e) le 28/04/1980", [("date_of_birth", "28/04/1980")]),
    ("Nato/a il 03.11.1962", [("date_of_birth", "03.11.1962")]),
    ("Natola il 26.5.1988", [("date_of_birth", "26.5.1988")]),  # its slash read as an l
    ("Data nascita: 03.11.1962", [("date_of_birth", "03.11.1962")]),
    # possible but not in an allocated range: still the user's number
    ("Phone: +1 555 010 9999", [("phone", "+1 555 010 9999")]),
    ("+91 00000 00000", [("phone", "+91 00000 00000")]),
    ("Tel: 555 0100", [("phone", "555 0100")]),
])
def test_hits(text: str, expected: list[tuple[str, str]]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize("text", [
    "Invoice INV-2024-00871 is attached; the total is 1,249.00 GBP.",
    "ISBN 978-3-16-148410-0",
    "ISBN 9783161484100",
    "Price: $1,299.99",
    "Meeting on 12.08.1974 at noon",          # a plain date: no birth context
    "Meeting on the 12th of March 1975",
    "Sub. total 12.03 on 04.05.2024",         # no label ends in "b." there
    "2083395078",                             # archive number printed sideways on a scan
    "53097 8630",
    "RJR0000000528004185",
    "4111 1111 1111 1112",                    # fails Luhn
    "1234 5678 9012 3452",                    # passes Luhn, no issuer uses prefix 1
    "GB82 WEST 1234 5698 7654 33",            # fails mod-97
    "DE8937040044053201300",                  # one character short for DE
    "SSN 000-12-3456",                        # SSN area 000
    "123456789",                              # 9 digits without context
    "Order 2024-05-18, ref 0000-0000",
    "Valid until 04.01.2033",                 # a date that phone patterns also match
    "Issued 12.03.2021 Expiry 04.01.2033",
    "123-45-6789",                            # SSN-shaped: not a phone
    "Invoice 555 0100",                       # a possible number with no phone word
])
def test_decoys_do_not_fire(text: str) -> None:
    assert labels(text) == []


@pytest.mark.parametrize("text", ["SSN 666-12-3456", "SSN 900-12-3456", "ssn 123-00-4567"])
def test_invalid_ssn_is_not_an_id(text: str) -> None:
    assert "national_id" not in [label for label, _ in labels(text)]


def test_context_turns_a_bare_number_into_a_phone() -> None:
    assert labels("2025550143") == []
    assert labels("2025550143", context="Mobile:") == [("phone", "2025550143")]


def test_context_raises_the_score() -> None:
    plain = find_all("4111 1111 1111 1111")[0].score
    with_context = find_all("Visa 4111 1111 1111 1111")[0].score
    assert with_context > plain


def test_card_beats_the_phone_inside_it() -> None:
    assert [m.label for m in find_all("Tel 4111 1111 1111 1111")] == ["payment_card"]


@pytest.mark.parametrize("digits, ok", [
    ("79927398713", True), ("79927398710", False), ("4111111111111111", True),
])
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize("digits, network", [
    ("4111111111111111", "visa"), ("5555555555554444", "mastercard"),
    ("2223003122003222", "mastercard"), ("378282246310005", "amex"),
    ("6011111111111117", "discover"), ("3530111333300000", "jcb"),
    ("1234567890123452", None),
])
def test_card_network(digits: str, network: str | None) -> None:
    assert card_network(digits) == network


@pytest.mark.parametrize("iban, ok", [
    ("GB82WEST12345698765432", True), ("NL91ABNA0417164300", True),
    ("FR1420041010050500013M02606", True), ("GB82WEST12345698765431", False),
    ("XX82WEST12345698765432", False),
])
def test_iban(iban: str, ok: bool) -> None:
    assert iban_ok(iban) is ok


@pytest.mark.parametrize("ssn, ok", [
    ("123-45-6788", True), ("000-45-6789", False), ("912-45-6789", False),
    ("123-00-6789", False), ("123-45-0000", False), ("078-05-1120", False),
])
def test_ssn(ssn: str, ok: bool) -> None:
    assert ssn_ok(ssn) is ok


@pytest.mark.parametrize("line, label, value", [
    ("From: Robinson, John", "person_name", "Robinson, John"),
    ("CC: Townsend, David", "person_name", "Townsend, David"),
    ("Surname", "person_name", ""),
    ("Given Names / Prénoms /Nombres", "person_name", ""),
    ("home address: 221B Baker Street, London NW1 6XE.", "address",
     "221B Baker Street, London NW1 6XE."),
    ("Passport No: X1234567", "passport_number", "X1234567"),
    ("Document no.", "passport_number", ""),
])
def test_labels(line: str, label: str, value: str) -> None:
    hit = label_of(line)
    assert hit is not None
    rule, found, _ = hit
    assert rule.label == label
    assert found.strip() == value


@pytest.mark.parametrize("line", [
    "To be confirmed later",       # "To" without a colon is not a header
    "Subject: RE: Training Session",
    "Tomorrow at 10",
])
def test_not_labels(line: str) -> None:
    assert label_of(line) is None


def test_value_shapes() -> None:
    rule = label_of("Name:")[0]  # type: ignore[index]
    assert value_ok(rule, "Jane Doe")
    assert not value_ok(rule, "N/A")
    assert not value_ok(rule, "1234 5678")


@pytest.mark.parametrize("label, value, ok", [
    ("Address:", "221B Baker Street, London NW1 6XE.", True),
    ("Address:", "12 rue de la Paix, 75002 Paris", True),
    ("Address:", "Flat 3, Wellington Road", True),
    ("Address:", "Invoice INV-2024-00871 is attached; the total is 1,249.00 GBP.", False),
    ("Address:", "Please see below", False),
    ("Given names", "Date of birth", False),   # the next label, not a value
    ("Name:", "Expiry", False),
    ("Name:", "EDUCATiON", False),             # a CV's next section heading
    ("Name:", "Work History", False),
])
def test_field_values(label: str, value: str, ok: bool) -> None:
    hit = label_of(label)
    assert hit is not None
    assert value_ok(hit[0], value) is ok
