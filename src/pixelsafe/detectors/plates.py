"""Licence plates read by OCR: short upper-case lines of letters and digits with a plate's
aspect; national formats raise the confidence. Reads the image's one OCR result; lines
that the rules find personal text on (:mod:`pixelsafe.text.personal`: the entity model is not
run for plates; on the 166 evaluation pages of bench/out/ocr-cache no name it found lay on
a line that would be a plate), an MRZ or part of a document
page are not plates."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..report import Kind
from ..text.documents import page_finding, zones
from ..text.page import Collector, Line, TextPage, grow, row_label
from ..text.personal import rule_text
from ..text.recognizers import DATES, FORM_WORDS
from .base import Candidate
from .reader import TextReader

#: national formats (after removing spaces and dashes), used as hints that raise confidence
PLATE_FORMATS = tuple(re.compile(p) for p in (
    r"^\d{3}[A-Z]{3}$",            # Estonia
    r"^[A-Z]{2,3}\d{1,3}$",        # Finland
    r"^[A-Z]{3}\d{3}$",            # Lithuania, many others
    r"^[A-Z]{2}\d{3,5}[A-Z]{2}$",  # Serbia, Italy, France (SIV)
    r"^[A-Z]{1,3}\d{1,4}[A-Z]{1,2}$",  # Germany and central Europe
    r"^[A-Z]{2}\d{2}[A-Z]{3}$",    # United Kingdom
    r"^[A-Z]{3}\d[A-Z0-9]\d{2}$",  # Brazil (old and Mercosur)
    r"^\d[A-Z]{3}\d{3}$",          # California
    r"^[A-Z]{3}\d{4}$",            # many US states
    r"^\d{3}[A-Z]{3,4}$|^[A-Z]{1,3}\d{3,5}$|^\d{1,4}[A-Z]{1,3}\d{1,3}$",
    r"^[A-Z]{2}\d[A-Z]\d[A-Z]$",     # US 6-character series (AG6V1W)
))
PLATE_TEXT = re.compile(r"^[A-Z0-9]{4,9}$")
#: an amount with its cents: "12.30", "6,00"
PRICE = re.compile(r"^\d+[.,]\d{2}$")


def _receipt_line(tokens: Sequence[str]) -> bool:
    """A line of a receipt or a form, not a plate: "TOTAL 12.30", "ITEMS 3", "TAX 6.00". A
    form word of four letters or more is never a plate's letter group; a shorter one
    ("TAX", "NET", which a plate may spell) only beside an amount with its cents."""
    words = [t.lower() for t in tokens if t.lower() in FORM_WORDS]
    return any(len(w) >= 4 for w in words) or bool(words) and any(PRICE.match(t)
                                                                   for t in tokens)


def _plate_findings(lines: Sequence[Line], skip: frozenset[int], out: Collector) -> None:
    for i, line in enumerate(lines):
        if i in skip or line.score < 0.6:
            continue
        raw = line.text.strip()
        tokens = raw.split()
        spaced = all(len(t) == 1 for t in tokens)  # "L J P 3 2 4"
        if any(c.islower() for c in raw) or len(tokens) > 3 and not spaced \
                or _receipt_line(tokens):
            continue
        text = re.sub(r"[\s\-·.•:=|\[\]]", "", raw)
        if not PLATE_TEXT.match(text) or not any(c.isdigit() for c in text):
            continue
        if DATES.fullmatch(raw):  # "16-FEB-1987": a date in a form's column
            continue
        digits_only = not any(c.isalpha() for c in text)
        # digits only: a plate of 5 to 8 digits printed as one run ("1049338"); with
        # separators it is a timestamp, a price or a phone number; with a label left of
        # it on its row ("Ref. .... 9542752") a form's number
        if digits_only and not (raw.isdigit() and 5 <= len(raw) <= 8
                                and row_label(lines, i) is None):
            continue
        x1, y1, x2, y2 = line.rect
        aspect = (x2 - x1) / max(1.0, y2 - y1)
        # a tilted or short plate's text box can be nearly square ("18ZMX")
        if not 1.0 <= aspect <= 12:
            continue
        known = not digits_only and any(p.match(text) for p in PLATE_FORMATS)
        if not known and not spaced and (len(tokens) > 2 or
                                         max(len(t) for t in tokens) > 6 and len(tokens) > 1):
            continue
        # The detector's text box already has a margin; a little more covers the frame.
        out.add(Kind.LICENSE_PLATE, "license_plate", grow(line.rect, 0.04, 0.06),
                (0.85 if known else 0.45 if digits_only else 0.55) * min(1.0, line.score + 0.05),
                "ocr+plate",
                text=text, data={"format_known": known})


def plates(page: TextPage) -> list[Candidate]:
    read = zones(page)
    if read.zones or page_finding(page) is not None:
        return []
    used = {i for i, _, _ in rule_text(page).spans}
    out = Collector(page, [])
    _plate_findings(page.lines, read.lines | used, out)
    return out.found


class PlateDetector(TextReader):
    name = "plates"

    def read(self, page: TextPage) -> list[Candidate]:
        return plates(page)
