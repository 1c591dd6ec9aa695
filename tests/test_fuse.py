"""Score rules for text, documents and barcodes, and the explanation built from them."""

from __future__ import annotations

import pytest

from pixelsafe import fuse
from pixelsafe.report import Box, Finding, Kind, Redaction


def finding(kind: Kind, label: str, text: str | None = None, **data) -> Finding:
    return Finding(id="", kind=kind, label=label, confidence=0.9, source="test",
                   redaction=Redaction.FILL, box=Box(0, 0, 10, 10), text=text,
                   data=data or None)


@pytest.mark.parametrize("findings, expected", [
    ([], 1),
    ([finding(Kind.PERSONAL_TEXT, "email", "a@b.org")], 2),
    ([finding(Kind.PERSONAL_TEXT, "email", "a@b.org"),
      finding(Kind.PERSONAL_TEXT, "phone", "+44 20 7946 0958")], 3),
    ([finding(Kind.PERSONAL_TEXT, "payment_card", "4111 1111 1111 1111")], 5),
    ([finding(Kind.PERSONAL_TEXT, "iban", "GB82WEST12345698765432")], 5),
    ([finding(Kind.DOCUMENT, "passport", verified=True)], 5),
    ([finding(Kind.DOCUMENT, "passport", verified=False)], 4),
    # issue 27: a passport with its holder's face is critical whether or not its check
    # digits survived the photo
    ([finding(Kind.DOCUMENT, "passport", verified=False), finding(Kind.FACE, "face")], 5),
    ([finding(Kind.DOCUMENT, "id_card", verified=False), finding(Kind.FACE, "face")], 5),
    ([finding(Kind.DOCUMENT, "document_page")], 2),
    ([finding(Kind.LICENSE_PLATE, "license_plate", "ABC1234")], 2),
    ([finding(Kind.BARCODE, "qr_code", payload_type="wifi", critical=True)], 5),
    ([finding(Kind.BARCODE, "qr_code", payload_type="wifi", critical=False)], 2),
    ([finding(Kind.BARCODE, "pdf417", payload_type="boarding_pass", critical=True)], 5),
    ([finding(Kind.BARCODE, "qr_code", payload_type="url", critical=False)], 2),
    # issue 14, point 9: many identifiable faces weigh at least as much as a GPS tag
    ([finding(Kind.FACE, "face")] * 2, 2),
    ([finding(Kind.FACE, "face")] * 5, 3),
    ([finding(Kind.FACE, "face")] * 6, 4),
    ([finding(Kind.FACE, "face")] * 40, 4),
    ([finding(Kind.LOCATION, "gps")], 4),
    # issue 27: a paper's cited authors are named, not scored as the page's personal text
    ([finding(Kind.DOCUMENT, "document_page"),
      finding(Kind.PERSONAL_TEXT, "cited_author", "Haseltine")], 2),
    ([finding(Kind.PERSONAL_TEXT, "cited_author", "Haseltine"),
      finding(Kind.PERSONAL_TEXT, "email", "a@b.org")], 2),
])
def test_scores(findings: list[Finding], expected: int) -> None:
    assert fuse.score(findings) == expected


def test_explanation_names_what_was_found_and_masks_numbers() -> None:
    text = fuse.explain([
        finding(Kind.DOCUMENT, "passport", verified=True, surname="HODGE",
                given_names="ROBERT"),
        finding(Kind.PERSONAL_TEXT, "payment_card", "4111 1111 1111 1111"),
        finding(Kind.LICENSE_PLATE, "license_plate", "ABC1234"),
    ])
    assert text.startswith("A passport (MRZ verified) for HODGE, ROBERT;")
    assert "1 payment card (…1111)" in text and "4111 1111" not in text
    assert "licence plate ABC1234" in text


def test_an_unverified_passport_does_not_read_as_not_sure() -> None:
    text = fuse.explain([finding(Kind.DOCUMENT, "passport", verified=False, surname="HODGE",
                                 given_names="ROBERT")])
    assert "not verified" not in text
    assert text.startswith("A passport (MRZ read, check digits do not match) for HODGE, ROBERT")


def test_names_are_listed_once_and_not_beside_their_documents_holder() -> None:
    """Issue 27: "3 names (HODGE, ROBERT, UNITED STATES OF AMERICA)" beside "a passport
    for HODGE, ROBERT", and the same name listed twice."""
    text = fuse.explain([
        finding(Kind.DOCUMENT, "passport", verified=True, surname="HODGE",
                given_names="ROBERT"),
        finding(Kind.PERSONAL_TEXT, "person_name", "HODGE"),
        finding(Kind.PERSONAL_TEXT, "person_name", "ROBERT"),
        finding(Kind.PERSONAL_TEXT, "person_name", "Jane Roe"),
        finding(Kind.PERSONAL_TEXT, "person_name", "JANE  ROE"),
        finding(Kind.PERSONAL_TEXT, "email", "a@b.org"),
        finding(Kind.PERSONAL_TEXT, "email", "a@b.org"),
    ])
    assert "1 name (Jane Roe)" in text and "HODGE, ROBERT;" in text
    assert "1 email" in text and text.count("a@b.org") == 1


def test_cited_authors_are_named_apart_from_the_pages_names() -> None:
    text = fuse.explain([finding(Kind.PERSONAL_TEXT, "cited_author", "Haseltine"),
                         finding(Kind.PERSONAL_TEXT, "cited_author", "Gupta"),
                         finding(Kind.PERSONAL_TEXT, "person_name", "Karen Chaikin")])
    assert "2 cited authors (Haseltine, Gupta)" in text and "1 name (Karen Chaikin)" in text

