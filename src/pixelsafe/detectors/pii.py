"""Personal text: validated recognisers (emails, phones, cards, IBANs, IDs, dates of
birth), labelled fields ("Name:", "Address" above its value, mail headers) and the shapes
that mail printouts give names. Reads the image's one OCR result; the lines of a
machine-readable zone, and the values the documents detector takes from it, are left to
that detector."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..report import Kind
from ..text.recognizers import FieldRule, find_all, form_words_only, label_of, value_ok
from .base import Candidate
from .documents import Span, identity_page, repeated, zones
from .ocr import Collector, Line, TextPage, TextReader, span_rect

SOURCE = "ocr+pattern"


#: mail headers: their value is on their row, never under them (the next header is there)
HEADER_LABELS = {"from", "to", "cc", "bcc", "sender", "recipient", "attn"}


def _value_lines(lines: Sequence[Line], i: int, same_row_only: bool = False) -> list[int]:
    """Lines that may hold a label's value, best first: to its right on the same row (email
    headers in columns), then printed under it, close below and overlapping it."""
    lx1, ly1, lx2, ly2 = lines[i].rect
    h = max(4.0, lines[i].height)
    centre = (ly1 + ly2) / 2
    out: list[int] = []
    for j in range(i + 1, min(len(lines), i + 4)):
        x1, y1, x2, y2 = lines[j].rect
        if abs((y1 + y2) / 2 - centre) < 0.5 * h and 0 <= x1 - lx2 < 12 * h:
            out.append(j)
            break
    if same_row_only:
        return out
    for j in range(i + 1, min(len(lines), i + 6)):
        x1, y1, x2, _ = lines[j].rect
        if y1 < ly1 + 0.5 * h:
            continue  # same row: another column
        if y1 - ly2 > 2.0 * h:
            break
        if x1 < lx2 and x2 > lx1 and abs(x1 - lx1) < 3 * h:
            out.append(j)
            break
    return out


def _overlaps(spans: set[Span], i: int, start: int, end: int) -> bool:
    return any(li == i and start < e and s < end for li, s, e in spans)


def _text_findings(lines: Sequence[Line], skip: frozenset[int], out: Collector,
                   taken: set[Span], identity: bool = False) -> None:
    for i, line in enumerate(lines):
        if i in skip:
            continue
        context = lines[i - 1].text if i > 0 else ""
        for m in find_all(line.text, context):
            if _overlaps(taken, i, m.start, m.end):
                continue
            out.add(Kind.PERSONAL_TEXT, m.label, span_rect(line, m.start, m.end),
                    m.score * min(1.0, line.score + 0.1), SOURCE, text=m.text, data=m.data)
            taken.add((i, m.start, m.end))
    _name_shapes(lines, skip, out, taken)
    for i, line in enumerate(lines):
        if i in skip:
            continue
        hit = label_of(line.text)
        if hit is None:
            continue
        rule, value, offset = hit
        if rule.identity_only and not identity:
            continue
        if value.strip():
            _field(rule, lines, i, offset, len(line.text), out, taken)
            continue
        header = line.text.split(":")[0].strip().lower() in HEADER_LABELS
        for j in _value_lines(lines, i, same_row_only=header):
            if j not in skip and _field(rule, lines, j, 0, len(lines[j].text), out, taken):
                break


#: "Levy, Carolyn J." as a whole line: how mail programs print a person
SURNAME_FIRST = re.compile(r"^[A-Z][a-zA-Z'’-]+, [A-Z][a-z'’-]+(?: [A-Z]\.?)?$")
#: "Carolyn Levy", "Jane M. Doe": a signature line
SIGNATURE = re.compile(r"^[A-Z][a-z'’-]+(?: [A-Z]\.)?(?: [A-Z][a-z'’-]+){1,2}$")
#: "Levy, Carolyn J." <carolyn@example.com> — the display name of an address
DISPLAY_NAME = re.compile(r"\"([^\"<>@]{3,60})\"\s*<[^<>@\s]+@[^<>\s]+>")


def _name_shapes(lines: Sequence[Line], skip: frozenset[int], out: Collector,
                 taken: set[Span]) -> None:
    """Names without a label, from shapes that mail printouts use: a quoted display name
    before an address, a "Surname, Given" line, and the name line of a signature block
    (just above a line that holds only a phone number or an email)."""
    contact_lines = {i for i, s, e in taken
                     if e - s >= 0.6 * len(lines[i].text.strip())}
    # the signature's name: the first name-shaped line of the three above a contact line
    signature_names = set()
    for j in sorted(contact_lines):
        above = [i for i in range(max(0, j - 3), j)
                 if i not in skip and SIGNATURE.match(lines[i].text.strip())]
        if above:
            signature_names.add(above[0])
    for i, line in enumerate(lines):
        if i in skip:
            continue
        spans: list[tuple[int, int, float]] = []
        for m in DISPLAY_NAME.finditer(line.text):
            spans.append((m.start(1), m.end(1), 0.85))
        text = line.text.strip()
        if SURNAME_FIRST.match(text):
            spans.append((line.text.index(text), line.text.index(text) + len(text), 0.6))
        elif i in signature_names:
            spans.append((line.text.index(text), line.text.index(text) + len(text), 0.6))
        for start, end, score in spans:
            value = line.text[start:end].strip(" ,")
            start = line.text.index(value, start)
            end = start + len(value)
            if _overlaps(taken, i, start, end) or form_words_only(value):
                continue
            out.add(Kind.PERSONAL_TEXT, "person_name", span_rect(line, start, end),
                    score * min(1.0, line.score + 0.1), "ocr+layout", text=value,
                    data={"field": "name_shape"})
            taken.add((i, start, end))


def _field(rule: FieldRule, lines: Sequence[Line], i: int, start: int, end: int,
           out: Collector, taken: set[Span]) -> bool:
    """Add the value(s) of a labelled field; True when something was added."""
    line = lines[i]
    text = line.text
    before = len(out.found)
    if rule.label == "person_name":
        # "Doe, Jane <jane@x.org>", "Flanagan, Troy [mailto:...]", "A, B; C, D": names only
        for m in re.finditer(r"[^;<\[\]>]+", text[start:end]):
            part = m.group(0)
            if "@" in part or part.lower().startswith("mailto"):
                continue
            # "Wilson, Gregory B. (PMUSA)", "Reynolds, J. L.(RBM) 2300": the name before "("
            cut = part.find("(")
            stop = start + m.start() + (cut if cut > 0 else len(part))
            _add_value(rule, line, i, start + m.start(), stop, out, taken)
        return len(out.found) > before
    _add_value(rule, line, i, start, end, out, taken)
    return len(out.found) > before


def _add_value(rule: FieldRule, line: Line, i: int, start: int, end: int, out: Collector,
               taken: set[Span]) -> None:
    raw = line.text[start:end]
    value = raw.strip(" '\"’,;:")
    if not value:
        return
    start += raw.index(value)
    end = start + len(value)
    if not value_ok(rule, value) or _overlaps(taken, i, start, end):
        return
    out.add(Kind.PERSONAL_TEXT, rule.label, span_rect(line, start, end),
            rule.score * min(1.0, line.score + 0.1), "ocr+field", text=value,
            data={"field": "labelled"})
    taken.add((i, start, end))


@dataclass(frozen=True)
class PersonalText:
    found: tuple[Candidate, ...]
    #: every span taken by personal text (and by the values repeated from an MRZ)
    spans: frozenset[Span]


def personal_text(page: TextPage) -> PersonalText:
    return page.shared("personal", lambda: _personal(page))


def _personal(page: TextPage) -> PersonalText:
    out = Collector(page, [])
    taken = set(repeated(page).spans)
    _text_findings(page.lines, zones(page).lines, out, taken, identity_page(page))
    return PersonalText(tuple(out.found), frozenset(taken))


class PiiDetector(TextReader):
    name = "pii"

    def read(self, page: TextPage) -> tuple[Candidate, ...]:
        return personal_text(page).found
