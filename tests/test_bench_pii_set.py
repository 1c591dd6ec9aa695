"""The ground truth of bench/pii_set.py: its made-up values pass the checks real ones pass,
and its scoring counts what it says it counts."""

from __future__ import annotations

import json
import sys

import phonenumbers
import pytest
from conftest import ROOT

from pixelsafe.text.recognizers import iban_ok, luhn_ok

sys.path.insert(0, str(ROOT / "bench"))
import pii_set  # noqa: E402


@pytest.fixture(scope="module")
def items(tmp_path_factory):
    out = tmp_path_factory.mktemp("pii")
    built = pii_set.build(out, pages=3)
    assert json.loads((out / "truth.json").read_text())[0]["image"] == built[0].image
    assert len(list(out.glob("page_*.png"))) == 3
    return built


def test_values_are_valid_like_real_ones(items):
    kinds = {i.kind for i in items}
    assert {"email", "phone", "iban", "payment_card"} <= kinds
    assert "" in kinds  # look-alikes are part of every set
    for item in items:
        if item.kind == "payment_card":
            assert luhn_ok(item.text.replace(" ", ""))
        elif item.kind == "iban":
            assert iban_ok(item.text.replace(" ", ""))
        elif item.kind == "phone":
            assert phonenumbers.is_valid_number(phonenumbers.parse(item.text, "US"))
        x1, y1, x2, y2 = item.box
        assert 0 <= x1 < x2 <= 1240 and 0 <= y1 < y2 <= 1754


def test_same_seed_same_set(tmp_path, items):
    again = pii_set.build(tmp_path, pages=3)
    assert [(i.kind, i.text, i.box) for i in again] == [(i.kind, i.text, i.box) for i in items]


def test_scoring_counts_kinds_and_places(items):
    personal = [i for i in items if i.kind]
    exact = {}
    for i in personal:
        exact.setdefault(i.image, []).append((i.kind, i.box))
    perfect = pii_set.score(items, exact)["all"]
    assert perfect.found == perfect.hidden == perfect.truth == len(personal)
    assert perfect.correct == perfect.findings == len(personal)

    wrong_kind = {img: [("iban" if k != "iban" else "email", b) for k, b in v]
                  for img, v in exact.items()}
    s = pii_set.score(items, wrong_kind)["all"]
    assert s.found == 0 and s.hidden == len(personal)  # hidden, but not recognised

    elsewhere = {img: [(k, (b[0], b[1] + 900, b[2], b[3] + 900)) for k, b in v]
                 for img, v in exact.items()}
    s = pii_set.score(items, elsewhere)["all"]
    assert s.hidden == 0 and s.correct < s.findings
