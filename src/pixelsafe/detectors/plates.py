"""Licence plates read by OCR: short upper-case lines of letters and digits with a plate's
aspect; national formats raise the confidence. Reads the image's one OCR result; lines
that the rules find personal text on (:mod:`pixelsafe.text.personal`: the entity model is not
run for plates; on the 166 evaluation pages of bench/out/ocr-cache no name it found lay on
a line that would be a plate), an MRZ or part of a document
page are not plates."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..report import Kind
from ..text.documents import page_finding, zones
from ..text.page import Collector, Line, TextPage, grow, row_label, union
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
#: what a plate prints between its groups, and the OCR reads into them
SEPARATORS = re.compile(r"[\s\-·.•:=|\[\]]")
#: an amount with its cents: "12.30", "6,00"
PRICE = re.compile(r"^\d+[.,]\d{2}$")


def _receipt_line(tokens: Sequence[str]) -> bool:
    """A line of a receipt or a form, not a plate: "TOTAL 12.30", "ITEMS 3", "TAX 6.00". A
    form word of four letters or more is never a plate's letter group; a shorter one
    ("TAX", "NET", which a plate may spell) only beside an amount with its cents."""
    words = [t.lower() for t in tokens if t.lower() in FORM_WORDS]
    return any(len(w) >= 4 for w in words) or bool(words) and any(PRICE.match(t)
                                                                   for t in tokens)


#: a row of a two-row plate: one or two groups of capitals and digits, at most seven
ROW_TEXT = re.compile(r"^[A-Z0-9]{1,7}$")
#: a two-row plate's text, both rows joined
TWO_ROW_TEXT = re.compile(r"^[A-Z0-9]{4,10}$")


def _row(line: Line) -> str | None:
    """A line's text if it can be one row of a two-row plate, else None."""
    raw = line.text.strip()
    tokens = raw.split()
    text = SEPARATORS.sub("", raw)
    if (line.score < 0.6 or len(tokens) > 2 or not ROW_TEXT.match(text)
            or _receipt_line(tokens) or DATES.fullmatch(raw)):
        return None
    return text


def _two_rows(lines: Sequence[Line], skip: frozenset[int]) -> Iterator[tuple[int, int, str]]:
    """Plates printed on two rows (motorcycles', the square plates of Germany, Brazil,
    India or the UK): two short lines of capitals and digits, one straight under the other,
    about as tall and about as wide, whose joined text holds letters and digits ("AB12" /
    "CDE", "M AB" / "1234"). Read alone, one row looks like no plate or like a whole one,
    and a fill over it leaves the other row readable. A state's or a country's name over a
    plate that is whole by itself ("TEXAS" / "ABC1234") makes no two-row plate."""
    rows = {i: t for i, ln in enumerate(lines) if i not in skip and (t := _row(ln))}
    for i, top in rows.items():
        a = lines[i].rect
        ha = a[3] - a[1]
        for j, bottom in rows.items():
            b = lines[j].rect
            hb = b[3] - b[1]
            h, gap = max(ha, hb), b[1] - a[3]
            overlap = min(a[2], b[2]) - max(a[0], b[0])
            narrow = min(a[2] - a[0], b[2] - b[0])
            if (j == i or not -0.3 * h <= gap <= 0.8 * h or max(ha, hb) > 1.7 * min(ha, hb)
                    or overlap < 0.5 * narrow
                    or max(a[2] - a[0], b[2] - b[0]) > 3 * narrow):
                continue
            text = top + bottom
            whole = [t for t in (top, bottom) if _whole(t)]
            if (not TWO_ROW_TEXT.match(text) or text.isdigit() or text.isalpha()
                    or whole and any(t.isalpha() and len(t) >= 4 for t in (top, bottom))):
                continue
            yield i, j, text


#: the names a plate prints small beside its code and number (the Gulf's emirates and
#: states, in Latin letters; the Arabic beside them the OCR does not read)
PLATE_WORDS = re.compile(
    r"^(?:DUBAI|ABU\s?DHABI|A\.?\s?D\.?|SHARJAH|AJMAN|UAQ|UMM\s?AL\s?QAIWAIN|RAK|"
    r"RAS\s?AL\s?KHAIMAH|FUJAIRAH|UAE|QATAR|KSA|SAUDI\s?ARABIA|KUWAIT|BAHRAIN|OMAN)$")
#: a plate's pieces printed apart on one row: its code (a letter or two, a number of one
#: or two digits in a box of its own colour), its number, and Saudi Arabia's letters
_CODE = re.compile(r"^(?:[A-Z]{1,3}|\d{1,2})$")
_NUMBER = re.compile(r"^\d{3,6}$")
_LETTERS = re.compile(r"^[A-Z]{2,3}$")
#: a code and its number read as one line: "5 12345", "12 3456"
CODE_NUMBER = re.compile(r"^\d{1,2} \d{4,5}$")


def _piece(line: Line) -> str | None:
    """A line's text (its separators out) if it can be a piece of a plate printed apart."""
    raw = line.text.strip()
    text = SEPARATORS.sub("", raw)
    if line.score < 0.6 or len(raw.split()) > 3 or DATES.fullmatch(raw) or not (
            _CODE.match(text) or _NUMBER.match(text) or _LETTERS.match(text)):
        return None
    return text


def _one_row(lines: Sequence[Line], skip: frozenset[int]
             ) -> Iterator[tuple[list[int], str, bool]]:
    """Plates whose code and number the OCR reads apart, on one row (the Gulf's: "FW" and
    "3095" with "DUBAI" between them, "11" in its red box and "68523" with "A.D", Saudi
    Arabia's "1735" and "UEV" either side of its divider, Qatar's "839111" after "QATAR"):
    the number and what is printed just left of it on its row, a code about as tall and a
    plate's name (of any size) between. Digits alone ("5" "12345") make a plate only beside
    a plate's name or when the code is as tall as the number and close to it. Yields the
    lines left to right, the plate's text and whether a plate's name was read."""
    for i, line in enumerate(lines):
        if i in skip or line.score < 0.6:
            continue
        number = SEPARATORS.sub("", line.text.strip())
        if not (_NUMBER.match(number) or _LETTERS.match(number)):
            continue
        x1, y1, _, y2 = line.rect
        h, centre = y2 - y1, (y1 + y2) / 2
        chain, text, named, left = [i], number, False, x1
        for _ in range(3):  # what is just left of the chain on its row, nearest first
            best = None
            for j, other in enumerate(lines):
                if j in skip or j in chain:
                    continue
                ox1, oy1, ox2, oy2 = other.rect
                gap = left - ox2
                # on the row: across its middle, or (a plate's name printed small over
                # or under the middle) inside its height
                row = oy1 < centre < oy2 or y1 - 0.1 * h <= oy1 and oy2 <= y2 + 0.1 * h
                if -0.2 * h <= gap <= 3 * h and row \
                        and (best is None or gap < left - lines[best].rect[2]):
                    best = j
            if best is None:
                break
            other = lines[best]
            oh = other.rect[3] - other.rect[1]
            if PLATE_WORDS.match(other.text.strip()):
                named = True
            else:
                piece = _piece(other)
                if piece is None or not 0.6 * h <= oh <= 1.6 * h or not _CODE.match(piece) \
                        and not (_NUMBER.match(piece) and _LETTERS.match(text)):
                    break
                text = piece + text
            chain.insert(0, best)
            left = other.rect[0]
        pieces = [k for k in chain if not PLATE_WORDS.match(lines[k].text.strip())]
        if not 4 <= len(text) <= 9 or not any(c.isdigit() for c in text) or (
                len(pieces) < 2 and not named) or text.isalpha():
            continue
        if text.isdigit() and not named:
            code = lines[pieces[0]]
            ch = code.rect[3] - code.rect[1]
            if len(pieces) != 2 or not 0.8 * h <= ch <= 1.25 * h \
                    or x1 - code.rect[2] > 1.2 * h:
                continue
        yield chain, text, named


def _whole(text: str) -> bool:
    """Whether one row's text is a plate of a known format by itself."""
    return any(c.isalpha() for c in text) and any(p.match(text) for p in PLATE_FORMATS)


def _plate_findings(lines: Sequence[Line], skip: frozenset[int], out: Collector) -> None:
    taken = set(skip)
    for i, j, text in _two_rows(lines, skip):
        if i in taken or j in taken:
            continue
        taken.update((i, j))
        known = any(p.match(text) for p in PLATE_FORMATS)
        score = min(lines[i].score, lines[j].score)
        out.add(Kind.LICENSE_PLATE, "license_plate",
                grow(union((lines[i].rect, lines[j].rect)), 0.06, 0.06),
                (0.85 if known else 0.55) * min(1.0, score + 0.05), "ocr+plate", text=text,
                data={"format_known": known, "rows": 2})
    for chain, text, named in _one_row(lines, frozenset(taken)):
        if taken.intersection(chain):
            continue
        taken.update(chain)
        known = named or any(p.match(text) for p in PLATE_FORMATS)
        score = min(lines[k].score for k in chain)
        out.add(Kind.LICENSE_PLATE, "license_plate",
                grow(union([lines[k].rect for k in chain]), 0.06, 0.1),
                (0.85 if known else 0.5) * min(1.0, score + 0.05), "ocr+plate", text=text,
                data={"format_known": known, "pieces": len(chain)})
    for i, line in enumerate(lines):
        if i in taken or line.score < 0.6:
            continue
        raw = line.text.strip()
        tokens = raw.split()
        spaced = all(len(t) == 1 for t in tokens)  # "L J P 3 2 4"
        if any(c.islower() for c in raw) or len(tokens) > 3 and not spaced \
                or _receipt_line(tokens):
            continue
        text = SEPARATORS.sub("", raw)
        if not PLATE_TEXT.match(text) or not any(c.isdigit() for c in text):
            continue
        if DATES.fullmatch(raw):  # "16-FEB-1987": a date in a form's column
            continue
        digits_only = not any(c.isalpha() for c in text)
        # digits only: a plate of 5 to 8 digits printed as one run ("1049338"), or an
        # emirate's code and its number ("5 12345"); with other separators it is a
        # timestamp, a price or a phone number; with a label left of it on its row ("Ref.
        # .... 9542752") a form's number
        if digits_only and not ((raw.isdigit() and 5 <= len(raw) <= 8
                                 or CODE_NUMBER.match(raw)) and row_label(lines, i) is None):
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
