"""MRZ: check digits, parsing of the three formats, and the repair rule (a repair is kept
only when its check digit confirms it)."""

from __future__ import annotations

import pytest

from pixelsafe.text import mrz

# ICAO 9303 specimens (part 4, 5 and 6 examples)
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
       "D231458907UTO7408122F1204159<<<<<<<6")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<",
       "7408122F1204159UTO<<<<<<<<<<<6",
       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


@pytest.mark.parametrize("data, digit", [
    ("L898902C3", 6), ("740812", 2), ("120415", 9), ("D23145890", 7), ("<<<<", 0),
])
def test_check_digit(data: str, digit: int) -> None:
    assert mrz.check_digit(data) == digit


@pytest.mark.parametrize("lines, fmt, kind, number", [
    (TD3, "TD3", "passport", "L898902C3"),
    (TD2, "TD2", "id_card", "D23145890"),
    (TD1, "TD1", "id_card", "D23145890"),
])
def test_specimens_verify_and_parse(lines: tuple[str, ...], fmt: str, kind: str,
                                    number: str) -> None:
    parsed = mrz.parse(lines)
    assert parsed is not None
    assert parsed.verified, parsed.checks
    assert (parsed.format, parsed.kind, parsed.number) == (fmt, kind, number)
    assert (parsed.surname, parsed.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert (parsed.issuing_state, parsed.nationality) == ("UTO", "UTO")
    assert (parsed.birth_date, parsed.sex, parsed.expiry_date) == ("740812", "F", "120415")
    assert parsed.repaired == ()


def test_ocr_confusions_are_repaired_when_the_check_digits_agree() -> None:
    # O for 0 in the birth date, I for 1 in the expiry, S for 5 in the document number
    line2 = "L898902C36UTO74O8122F12O4I59ZE184226B<<<<<10"
    parsed = mrz.parse((TD3[0], line2))
    assert parsed is not None and parsed.verified
    assert parsed.birth_date == "740812" and parsed.expiry_date == "120415"
    assert set(parsed.repaired) == {"birth_date", "expiry_date"}
    td1 = ("I<UTOD23I458907<<<<<<<<<<<<<<<",) + TD1[1:]
    fixed = mrz.parse(td1)
    assert fixed is not None and fixed.verified and fixed.number == "D23145890"
    assert fixed.repaired == ("number",)


def test_a_repair_that_the_check_digit_refutes_is_not_kept() -> None:
    # a wrong digit (3 for 2) in the birth date: no look-alike swap can fix it
    parsed = mrz.parse((TD3[0], "L898902C36UTO7408132F1204159ZE184226B<<<<<10"))
    assert parsed is not None
    assert not parsed.verified
    assert {c.name for c in parsed.checks if not c.ok} == {"birth_date", "composite"}


def test_a_changed_name_does_not_break_td3_checks_but_a_changed_number_does() -> None:
    changed = mrz.parse(("P<UTOERIKSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<", TD3[1]))
    assert changed is not None and changed.verified  # names carry no check digit in TD3
    broken = mrz.parse((TD3[0], "L898902C46UTO7408122F1204159ZE184226B<<<<<10"))
    assert broken is not None and not broken.verified


def test_missing_trailing_fillers_are_padded() -> None:
    parsed = mrz.parse((TD3[0].rstrip("<"), TD3[1]))
    assert parsed is not None and parsed.verified
    assert parsed.lines[0] == TD3[0]


def test_ocr_lookalikes_of_the_filler() -> None:
    assert mrz.normalise("P«UTO ERIKSSON‹‹ANNA") == "P<UTOERIKSSON<<ANNA"
    assert mrz.normalise("|<UTO") == "I<UTO"


@pytest.mark.parametrize("texts, zones", [
    (["UTOPIA", TD1[0], TD1[1], TD1[2], "end"], [[1, 2, 3]]),
    (["header", TD3[0], TD3[1]], [[1, 2]]),
    (["just words here", "and a 2024 invoice"], []),
    ([TD3[0]], []),  # one line is not a zone
])
def test_group_zones(texts: list[str], zones: list[list[int]]) -> None:
    assert mrz.group_zones(texts) == zones


@pytest.mark.parametrize("read, repaired", [
    ("PUSAWARNERCCAARONCCCCCCCCCCC", "P<USAWARNER<<AARON<<<<<<<<<<<"),
    ("P<USAWARNER<<AARON<<<K<KK<<<<KK<<<<<<", "P<USAWARNER<<AARON" + "<" * 19),
    ("P<USAMCCARTHY<<JOHN<<<<", "P<USAMCCARTHY<<JOHN<<<<"),  # a real CC stays
])
def test_filler_repair(read: str, repaired: str) -> None:
    assert mrz.repair_fillers(read) == repaired


def test_short_name_line_starts_a_zone() -> None:
    texts = ["SEE PAGE 27", "PUSAHODGECROBERTCCC<", "3332427883USA6994622M0084815975<951755"]
    assert mrz.group_zones(texts) == [[1, 2]]
