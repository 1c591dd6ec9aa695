"""Personal text: what the rules find on the page (:mod:`pixelsafe.text.personal`:
recognisers, labelled fields, name shapes, addresses), and the names that the entity model
finds anywhere else. Reads the image's one OCR result; the lines of a machine-readable
zone, and the values the documents detector takes from it, are left to that detector."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models.cache import shared
from ..models.ner import NerModel
from ..report import Candidate, Kind
from ..text.documents import Span, zones
from ..text.layout import blocks
from ..text.names import MIN_ONE_WORD, not_name, person_spans, plausible, prior
from ..text.page import Collector, Line, TextPage, span_rect
from ..text.personal import PersonalText, name_label, overlaps, rule_text
from ..text.recognizers import COMPANY_FORM
from .reader import TextReader

#: a name the model found is less certain than a labelled one
MODEL_NAME_SCORE = 0.7


def _model_names(page: TextPage, skip: frozenset[int], out: Collector, taken: set[Span]
                 ) -> None:
    """Names anywhere: the entity model reads each block of text (a paragraph, a column)
    whole, and every person it finds that is shaped like a name is reported, one finding
    per line that the name is printed on."""
    lines = page.lines
    found = [b for b in blocks(page) if any(c.isalpha() for c in b.text)]
    if not found:
        return
    texts = [_model_text(b.text) for b in found]
    for block, entities in zip(found, shared().get(NerModel).entities(texts), strict=True):
        for entity in entities:
            if entity.label != "PERSON":
                continue
            for i, start, end in block.pieces(entity.start, entity.end, lines):
                if i in skip:
                    continue
                line = lines[i]
                if COMPANY_FORM.search(line.text) or bill_line(lines, i):
                    continue  # a business's name, a bill's item or column
                for s, e in person_spans(line.text, start, end):
                    if overlaps(taken, i, s, e):
                        continue
                    out.add(Kind.PERSONAL_TEXT, name_label(line.text, s, e),
                            span_rect(line, s, e),
                            MODEL_NAME_SCORE * min(1.0, line.score + 0.1), "ocr+ner",
                            text=line.text[s:e], data={"field": "model"})
                    taken.add((i, s, e))


#: an amount of money: "9.90", "1,250.00", "RM 5.65"
AMOUNT = re.compile(r"(?<![\d.,])\d{1,6}[.,]\d{2}(?![\d.,%])")


#: a bill's column heading: "Description", "Qty", "Amt(RM)", "Unit Price"
HEADING = re.compile(r"^\s*(?:description|desc|item|items|qty|quantity|unit|price|amount|amt|"
                     r"disc|discount|total|subtotal)\b[\w\s().%/-]{0,12}$", re.IGNORECASE)


def bill_line(lines: Sequence[Line], i: int) -> bool:
    """Whether line ``i`` is a bill's item or a column's heading: an amount on it, right of
    it on its row, or on the row under it right of its middle ("Whole Chicken" over
    "10.99*1.306 14.35"); or three more lines on its row, one of them a column's heading
    ("Description", "U.P ISS", "Exc", "D Sale", "Amt(RM)")."""
    if AMOUNT.search(lines[i].text):
        return True
    x1, y1, x2, y2 = lines[i].rect
    h = max(4.0, lines[i].height)
    centre, middle = (y1 + y2) / 2, (x1 + x2) / 2
    row = []
    for j in range(max(0, i - 6), min(len(lines), i + 8)):
        jx1, jy1, _, jy2 = lines[j].rect
        dy = (jy1 + jy2) / 2 - centre
        if j != i and -0.5 * h < dy < 1.6 * h and jx1 > (x2 if dy < 0.5 * h else middle) \
                and AMOUNT.search(lines[j].text):
            return True
        if j != i and abs(dy) < 0.3 * h:
            row.append(lines[j].text)
    return len(row) >= 3 and any(HEADING.match(t) for t in row)


def _model_text(text: str) -> str:
    """What the model reads: a block in capitals title-cased (the model was trained on
    mixed case and misses "ALEX LEVINE"), the same length so offsets hold."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
        titled = text.title()
        if len(titled) == len(text):
            return titled
    return text


def _recurring(page: TextPage, skip: frozenset[int], out: Collector, taken: set[Span]
               ) -> None:
    """A person named once on the page is named wherever else it prints the name: the
    whole name, or its given name alone inside a sentence ("I told Hamish it starts at 7").
    A given name at the head of a sentence is left (it may be a word there: "Will", "May"),
    and so is a greeting's ("Dear Noor,"), as the model leaves it."""
    names = {c.text.strip() for c in out.found if c.label == "person_name" and c.text
             and _recurs(c.text.strip(), c.source)}
    givens = {n.split()[0] for n in names}
    givens = {g for g in givens if len(g) >= MIN_ONE_WORD and g[0].isupper()
              and not g.isupper() and not not_name(g)}
    if not names:
        return
    pattern = re.compile(r"(?<![\w'’-])(" + "|".join(
        re.escape(n) for n in sorted(names | givens, key=len, reverse=True)) + r")(?![\w'’-])")
    for i, line in enumerate(page.lines):
        if i in skip:
            continue
        for m in pattern.finditer(line.text):
            start, end = m.span()
            if overlaps(taken, i, start, end):
                continue
            if m.group(0) in givens and m.group(0) not in names:
                before = line.text[:start].split()
                if not before or before[-1][-1] in ".!?" or not_name(before[-1]):
                    continue  # a sentence's first word, or a greeting's name
            out.add(Kind.PERSONAL_TEXT, "person_name", span_rect(line, start, end),
                    MODEL_NAME_SCORE * min(1.0, line.score + 0.1), "ocr+layout",
                    text=m.group(0), data={"field": "recurring"})
            taken.add((i, start, end))


def _recurs(name: str, source: str) -> bool:
    """Whether a name found is sure enough to be looked for elsewhere on the page: two or
    three words shaped like a name, no comma (a table's "Baghdad, Iraq"), and found by a
    rule of the page's layout or a label, or by the model with a given name the census
    lists know (the model alone takes "Cancer Res" from a reference list)."""
    words = name.split()
    if not 2 <= len(words) <= 3 or "," in name or not plausible(name, name, len(name)):
        return False
    return source != "ocr+ner" or prior().knows_first(words[0])


def personal_text(page: TextPage) -> PersonalText:
    return page.shared("personal", lambda: _personal(page))


def _personal(page: TextPage) -> PersonalText:
    rules = rule_text(page)
    out = Collector(page, list(rules.found))
    taken = set(rules.spans)
    _model_names(page, zones(page).lines, out, taken)
    _recurring(page, zones(page).lines, out, taken)
    return PersonalText(tuple(out.found), frozenset(taken))


class PiiDetector(TextReader):
    name = "pii"

    def read(self, page: TextPage) -> tuple[Candidate, ...]:
        return personal_text(page).found
