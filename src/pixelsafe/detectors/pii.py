"""Personal text: what the rules find on the page (:mod:`pixelsafe.text.personal`:
recognisers, labelled fields, name shapes, addresses), and the names that the entity model
finds anywhere else. Reads the image's one OCR result; the lines of a machine-readable
zone, and the values the documents detector takes from it, are left to that detector."""

from __future__ import annotations

from ..models.cache import shared
from ..models.ner import NerModel
from ..report import Candidate, Kind
from ..text.documents import Span, zones
from ..text.layout import blocks
from ..text.names import person_spans
from ..text.page import Collector, TextPage, span_rect
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
                if COMPANY_FORM.search(line.text):
                    continue  # a business's name
                for s, e in person_spans(line.text, start, end):
                    if overlaps(taken, i, s, e):
                        continue
                    out.add(Kind.PERSONAL_TEXT, name_label(line.text, s, e),
                            span_rect(line, s, e),
                            MODEL_NAME_SCORE * min(1.0, line.score + 0.1), "ocr+ner",
                            text=line.text[s:e], data={"field": "model"})
                    taken.add((i, s, e))


def _model_text(text: str) -> str:
    """What the model reads: a block in capitals title-cased (the model was trained on
    mixed case and misses "ALEX LEVINE"), the same length so offsets hold."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
        titled = text.title()
        if len(titled) == len(text):
            return titled
    return text


def personal_text(page: TextPage) -> PersonalText:
    return page.shared("personal", lambda: _personal(page))


def _personal(page: TextPage) -> PersonalText:
    rules = rule_text(page)
    out = Collector(page, list(rules.found))
    taken = set(rules.spans)
    _model_names(page, zones(page).lines, out, taken)
    return PersonalText(tuple(out.found), frozenset(taken))


class PiiDetector(TextReader):
    name = "pii"

    def read(self, page: TextPage) -> tuple[Candidate, ...]:
        return personal_text(page).found
