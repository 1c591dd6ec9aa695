"""Issue 31: a date of birth printed on an identity page is found through what its verified
MRZ says, in any printed form and under any label (a bilingual one on the line above
included); the date grammar is one table of cases."""

from __future__ import annotations

import pytest

from pixelsafe.detectors.documents import DocumentDetector
from pixelsafe.text.page import Line, TextPage
from pixelsafe.text.recognizers import date_values

# the ICAO 9303 specimen: ERIKSSON, ANNA MARIA, born 12 August 1974, expires 15 April 2012
MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


@pytest.mark.parametrize(("text", "values"), [
    ("23 DEC 1991", {(1991, 12, 23)}),
    ("23 DEC/DÉC 1991", {(1991, 12, 23)}),
    ("23DEC1991", {(1991, 12, 23)}),
    ("Dec 23, 1991", {(1991, 12, 23)}),
    ("23 déc. 91", {(91, 12, 23)}),
    ("12. März 1955", {(1955, 3, 12)}),
    ("12 JUIL 1980", {(1980, 7, 12)}),
    ("15 MAI 1970", {(1970, 5, 15)}),
    ("23.12.1991", {(1991, 12, 23)}),
    ("12/23/1991", {(1991, 12, 23)}),
    ("1991-12-23", {(1991, 12, 23)}),
    ("03/04/05", {(5, 3, 4), (5, 4, 3)}),  # both orders: the MRZ decides
    ("31/31/1990", set()),
])
def test_the_values_a_printed_date_can_stand_for(text, values):
    assert date_values(text) == values


def _page(*texts: str) -> TextPage:
    lines = [Line(t, 0.95, ((40.0, 30.0 + 40 * i), (40.0 + 18 * len(t), 30.0 + 40 * i),
                            (40.0 + 18 * len(t), 56.0 + 40 * i), (40.0, 56.0 + 40 * i)), ())
             for i, t in enumerate(texts)]
    return TextPage(lines, 1000, 60 + 40 * len(texts))


def _births(page: TextPage) -> list[str]:
    return [c.text for c in DocumentDetector().read(page) if c.label == "date_of_birth"]


@pytest.mark.parametrize("printed", ["12 AUG/AOÛT 74", "12.08.1974", "1974-08-12",
                                     "12 AUG 1974", "Aug 12, 1974"])
def test_the_birth_date_of_a_verified_mrz_is_found_as_printed(printed):
    page = _page("PASSPORT / PASSEPORT", "Date of birth / Date de naissance", printed,
                 "Date of expiry / Date d'expiration", "15 APR/AVR 12", *MRZ)
    found = DocumentDetector().read(page)
    births = [c for c in found if c.label == "date_of_birth"]
    assert [c.text for c in births] == [printed]
    box = births[0].box
    assert births[0].data["from_mrz"] and 110 <= (box[1] + box[3]) / 2 <= 136  # its own line
    assert any(c.label == "passport" for c in found)


def test_no_birth_date_from_an_mrz_whose_check_digit_fails():
    broken = (MRZ[0], MRZ[1][:19] + "3" + MRZ[1][20:])  # the birth date's check digit
    assert _births(_page("Date of birth", "12 AUG 1974", *broken)) == []
    assert _births(_page("Date of birth", "13 AUG 1974", *MRZ)) == []  # another date


def _td3(birth: str) -> tuple[str, str]:
    """A passport's two zone lines for a birth date (YYMMDD), every check digit right."""
    from pixelsafe.text.mrz import check_digit

    number, expiry, personal = "L898902C3", "301231", "<" * 14
    body = (number + str(check_digit(number)) + "UTO" + birth + str(check_digit(birth)) + "F"
            + expiry + str(check_digit(expiry)) + personal + str(check_digit(personal)))
    composite = (number + str(check_digit(number)) + birth + str(check_digit(birth)) + expiry
                 + str(check_digit(expiry)) + personal + str(check_digit(personal)))
    return "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", body + str(check_digit(composite))


@pytest.mark.parametrize(("printed", "birth"), [("04 0CT 83", "831004"),
                                                ("12 N0V 1970", "701112")])
def test_a_zero_read_for_the_o_of_a_printed_month_is_still_the_birth_date(printed, birth):
    """The OCR reads passports' O as a zero now and then ("04 0CT 83", seen on a passport
    page photographed on its side): the date the verified MRZ holds is found all the same,
    its box on its own characters."""
    page = _page("Date of birth / Date de naissance", printed, *_td3(birth))
    assert _births(page) == [printed]


def test_a_zero_beside_capitals_elsewhere_is_no_birth_date():
    """The letters-for-zeros reading looks for the MRZ's date only: another date on the
    page with a zero among capitals is not taken for it."""
    page = _page("Date of issue", "04 0CT 13", *_td3("831004"))
    assert _births(page) == []
