"""Score rules for text, documents and barcodes, and the explanation built from them."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from pixelsafe import fuse
from pixelsafe.report import Box, Finding, Kind, Redaction


def finding(kind: Kind, label: str, text: str | None = None, **data) -> Finding:
    return Finding(id="", kind=kind, label=label, confidence=0.9, source="test",
                   redaction=Redaction.FILL, box=Box(0, 0, 10, 10), text=text,
                   data=data or None)


#: the score cases the phone app's scorer runs too (phone/tests/score.test.js)
SHARED = json.loads((ROOT / "phone" / "tests" / "score-cases.json").read_text())
SCORE_CASES = SHARED["cases"]


@pytest.mark.parametrize("case", SCORE_CASES, ids=lambda c: ",".join(
    sorted({f"{f['kind']}:{f['label']}" for f in c["findings"]})) or "none")
def test_scores(case: dict) -> None:
    """Issue 14 point 9 (many faces weigh as much as a GPS tag), issue 27 (a passport with
    its holder's face is critical whether or not its check digits survived; a paper's cited
    authors are named, not scored), issue 28 point 5 (every rule a row of the policy
    table)."""
    findings = [finding(Kind(f["kind"]), f["label"], **f.get("data", {}))
                for f in case["findings"]]
    assert fuse.score(findings) == case["score"]


@pytest.mark.parametrize("case", SHARED["explanations"], ids=lambda c: c["explanation"][:40])
def test_explanations(case: dict) -> None:
    """The explanations the phone app's score.js makes too, from the same findings."""
    findings = [finding(Kind(f["kind"]), f["label"], f.get("text"), **f.get("data", {}))
                for f in case["findings"]]
    assert fuse.explain(findings, checked=case["checked"]) == case["explanation"]


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

