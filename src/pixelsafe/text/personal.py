"""Personal text found by rules, worked out once per page: validated recognisers (emails,
phones, cards, IBANs, IDs, dates of birth), labelled fields ("Name:", "Address" above its
value, mail headers), the shapes that mail printouts give names, and addresses by their
grammar. No model beyond the address parser's: the names the entity model finds are the
personal-text reader's (:mod:`pixelsafe.detectors.pii`). The lines of a machine-readable
zone, and the values that repeat it, are the documents' (:mod:`.documents`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..report import Candidate, Kind, Rect
from .addresses import address_runs, span_in_line, strong
from .documents import Span, identity_page, repeated, zones
from .layout import blocks
from .names import (
    cited,
    complete,
    folded,
    name_line,
    not_name,
    plausible,
    prior,
    proprietor,
    rule_spans,
)
from .page import Collector, Line, TextPage, row_label, span_rect, union
from .recognizers import (
    BIRTH_LABELS,
    COMPANY_FORM,
    FieldRule,
    PatternRecognizer,
    PhoneRecognizer,
    find_all,
    for_page,
    form_words_only,
    label_of,
    labels_inside,
    value_ok,
)

SOURCE = "ocr+pattern"


#: mail headers: their value is on their row, never under them (the next header is there)
HEADER_LABELS = {"from", "to", "cc", "bcc", "sender", "recipient", "attn"}


def _value_lines(lines: Sequence[Line], i: int, same_row_only: bool = False) -> list[int]:
    """Lines that may hold a label's value, best first: to its right on the same row (email
    headers in columns), then printed under it, close below and overlapping it, then far
    right on its row in a form's value column (:func:`_value_column`)."""
    lx1, ly1, lx2, ly2 = lines[i].rect
    h = max(4.0, lines[i].height)
    centre = (ly1 + ly2) / 2
    out: list[int] = []
    far: list[int] = []
    for j in range(i + 1, min(len(lines), i + 4)):
        x1, y1, x2, y2 = lines[j].rect
        if abs((y1 + y2) / 2 - centre) < 0.5 * h and 0 <= x1 - lx2 < 12 * h:
            out.append(j)
            break
        if not far and 0 <= x1 - lx2 < 24 * h and _value_column(lines, i, j):
            far.append(j)
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
    return out + far  # a far value last: the one under the label comes first


def _value_column(lines: Sequence[Line], i: int, j: int) -> bool:
    """Whether line ``j``, on the row of label ``i`` and far right of it, is in a form's
    value column: two other rows of the page have a line starting where it starts, each
    with a line of the label's column left of it (a form prints its values past dotted
    leaders, far from short labels such as "Nom")."""
    x1, y1, _, y2 = lines[j].rect
    h = max(4.0, lines[j].height)
    if abs((y1 + y2) / 2 - (lines[i].rect[1] + lines[i].rect[3]) / 2) >= 0.5 * h:
        return False
    lx1 = lines[i].rect[0]
    rows = 0
    for k, other in enumerate(lines):
        if k in (i, j) or abs(other.rect[0] - x1) >= h:
            continue
        left = row_label(lines, k)
        if left is not None and abs(lines[left].rect[0] - lx1) < h:
            rows += 1
    return rows >= 2


def overlaps(spans: set[Span], i: int, start: int, end: int) -> bool:
    return any(li == i and start < e and s < end for li, s, e in spans)


def _recognizers(page: TextPage) -> tuple[PatternRecognizer | PhoneRecognizer, ...]:
    """The recognisers for ``page`` (:func:`for_page` over its whole text), worked out once."""
    return page.shared("recognizers", lambda: for_page("\n".join(ln.text for ln in page.lines)))


def _text_findings(lines: Sequence[Line], skip: frozenset[int], out: Collector,
                   taken: set[Span],
                   recognizers: tuple[PatternRecognizer | PhoneRecognizer, ...],
                   identity: bool = False, above: dict[int, int] | None = None) -> None:
    above = above or {}
    births: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        if i in skip:
            continue
        # the context of a line: its row's label left of it (a form's label column), and
        # the line above it in its own block (a label over its value in a column), else
        # the line before it in reading order; each only when it holds no value (digits)
        left = row_label(lines, i)
        j = above.get(i, i - 1)
        context = " ".join(lines[k].text for k in (left, j) if k is not None and k >= 0
                           and not any(c.isdigit() for c in lines[k].text))
        for m in find_all(line.text, context, recognizers):
            if overlaps(taken, i, m.start, m.end):
                continue
            out.add(Kind.PERSONAL_TEXT, m.label, span_rect(line, m.start, m.end),
                    m.score * min(1.0, line.score + 0.1), SOURCE, text=m.text, data=m.data)
            taken.add((i, m.start, m.end))
            if m.label == "date_of_birth":
                births.append((i, m.start))
    _name_shapes(lines, skip, out, taken)
    _born_names(lines, births, out, taken)
    _chat_names(lines, skip, out, taken)
    _email_names(lines, skip, out, taken)
    for i, line in enumerate(lines):
        if i in skip:
            continue
        for rule, start, end in labels_inside(line.text):
            _field(rule, lines, i, start, end, out, taken)
        hit = label_of(line.text)
        if hit is None:
            continue
        rule, value, offset = hit
        if rule.identity_only and not identity:
            continue
        if value.strip():
            _field(rule, lines, i, offset, len(line.text), out, taken)
            continue
        # a mail header's value is on its row; under it only on a parcel or an envelope:
        # "FROM:" alone on its line over a name that its address follows (a mail header's
        # filled value leaves the next header's "Sent:" under it, no address)
        header = line.text.split(":")[0].strip().lower() in HEADER_LABELS
        for j in _value_lines(lines, i, same_row_only=header and not line.text.rstrip()
                              .endswith(":")):
            if header and lines[j].rect[1] > line.rect[1] + 0.5 * line.height and not (
                    j + 1 < len(lines) and strong(lines[j + 1].text)):
                continue
            if j not in skip and _field(rule, lines, j, 0, len(lines[j].text), out, taken):
                break


_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOWER = "a-zß-öø-ÿā-ž'’-"
#: "Carolyn Levy", "Jane M. Doe", "Noor Bergström", "Hyun-woo Park": a signature line
SIGNATURE = re.compile(rf"^[{_UPPER}][{_LOWER}]+(?: [A-Z]\.)?(?: [{_UPPER}][{_LOWER}]+){{1,2}}$")
#: "Levy, Carolyn J." as a whole line: how mail programs print a person
SURNAME_FIRST = re.compile(r"^[A-Z][a-zA-Z'’-]+, [A-Z][a-z'’-]+(?: [A-Z]\.?)?$")
#: "Levy, Carolyn J." <carolyn@example.com> — the display name of an address
DISPLAY_NAME = re.compile(r"\"([^\"<>@]{3,60})\"\s*<[^<>@\s]+@[^<>\s]+>")


def _name_shapes(lines: Sequence[Line], skip: frozenset[int], out: Collector,
                 taken: set[Span]) -> None:
    """Names without a label, from shapes that mail printouts use: a quoted display name
    before an address, a "Surname, Given" line, the name line of a signature block (just
    above a line that holds only a phone number or an email) and a proprietor's name over
    the company line of a receipt."""
    contact_lines = {i for i, s, e in taken
                     if e - s >= 0.6 * len(lines[i].text.strip())}
    # the signature's name: the first name-shaped line of the three above a contact line
    signature_names = set()
    for j in sorted(contact_lines):
        above = [i for i in range(max(0, j - 3), j)
                 if i not in skip and SIGNATURE.match(lines[i].text.strip())
                 and not any(not_name(w) for w in lines[i].text.split())]
        if above:
            signature_names.add(above[0])
    for i, line in enumerate(lines):
        if i in skip:
            continue
        spans: list[tuple[int, int, float]] = []
        for m in DISPLAY_NAME.finditer(line.text):
            spans.append((m.start(1), m.end(1), 0.85))
        text = line.text.strip()
        if SURNAME_FIRST.match(text) and _given_ok(text):
            spans.append((line.text.index(text), line.text.index(text) + len(text), 0.6))
        elif i in signature_names or (
                not COMPANY_FORM.search(text) and proprietor(text)
                and any(COMPANY_FORM.search(lines[j].text) for j in range(i + 1, i + 3)
                        if j < len(lines))):
            spans.append((line.text.index(text), line.text.index(text) + len(text), 0.6))
        spans.extend((start, end, 0.6) for start, end, _ in rule_spans(line.text))
        for start, end, score in spans:
            value = line.text[start:end].strip(" ,")
            start = line.text.index(value, start)
            end = start + len(value)
            if overlaps(taken, i, start, end) or form_words_only(value):
                continue
            out.add(Kind.PERSONAL_TEXT, name_label(line.text, start, end),
                    span_rect(line, start, end),
                    score * min(1.0, line.score + 0.1), "ocr+layout", text=value,
                    data={"field": "name_shape"})
            taken.add((i, start, end))


#: a time of day alone ("20:47", "9:10", "7.05 pm"): a chat's or a call list's time
TIME_ALONE = re.compile(r"(?:[01]?\d|2[0-3])[:.][0-5]\d(?:\s?[AaPp]\.?[Mm]\.?)?")
#: a chat list's name with its time at the end of its line ("Hamish Sharma 11:46")
NAME_THEN_TIME = re.compile(rf"(.+?)\s+{TIME_ALONE.pattern}")


def _chat_names(lines: Sequence[Line], skip: frozenset[int], out: Collector,
                taken: set[Span]) -> None:
    """The people of a chat's or a call log's list: a name with the time of its last
    message under it or at the end of its row. Taken only when two names or more of the
    page have their time (a list), each name one to three words shaped like a name."""
    times = [k for k, line in enumerate(lines) if TIME_ALONE.fullmatch(line.text.strip())]
    pairs: list[tuple[int, int, int]] = []
    for i, line in enumerate(lines):
        if i in skip or i in times:
            continue
        text = line.text.strip()
        joined = NAME_THEN_TIME.fullmatch(text)
        name = joined.group(1).strip() if joined else text
        if not name_line(name, range(1, 4)):
            continue
        if joined is None and not any(_timed(line, lines[k]) for k in times):
            continue
        start = line.text.index(name)
        pairs.append((i, start, start + len(name)))
    if len(pairs) < 2:
        return
    for i, start, end in pairs:
        if not overlaps(taken, i, start, end):
            out.add(Kind.PERSONAL_TEXT, "person_name", span_rect(lines[i], start, end),
                    0.6 * min(1.0, lines[i].score + 0.1), "ocr+layout",
                    text=lines[i].text[start:end], data={"field": "chat_list"})
            taken.add((i, start, end))


def _timed(name: Line, time: Line) -> bool:
    """Whether ``time`` is printed as a list prints a name's time: just under it, starting
    where it starts, or at the right end of its row."""
    x1, y1, x2, y2 = name.rect
    h = max(4.0, name.height)
    tx1, ty1, _, ty2 = time.rect
    under = -0.5 * h <= ty1 - y2 < h and ty1 > (y1 + y2) / 2 and abs(tx1 - x1) < h
    row = abs((ty1 + ty2) / 2 - (y1 + y2) / 2) < 0.5 * h and tx1 > x2
    return under or row


#: an e-mail address's name part that is a role, not a person ("info.sales@", "contact.us@")
ROLE_MAILBOX = frozenset("""
    info sales contact support office admin service services hello team billing accounts
    account noreply no reply help enquiries inquiries mail booking bookings reservations
    orders order press marketing hr jobs careers webmaster postmaster news newsletter
    customer customers care us shop store hotel reception finance invoice invoices
""".split())


def _email_names(lines: Sequence[Line], skip: frozenset[int], out: Collector,
                 taken: set[Span]) -> None:
    """A name the page spells in one of its e-mail addresses: "mehmet.adeyemi@gmx.net"
    names "MEHMET ADEYEMI" printed over it (a CV's heading, a letter's sender), given name
    first or surname first, accents or not; a whole line whose letters are the address's
    name even where the OCR split its words ("M EH M ET ADEYEMI")."""
    wanted: list[list[str]] = []
    for c in out.found:
        if c.label != "email" or not c.text:
            continue
        parts = [p for p in re.split(r"[._-]+", c.text.split("@")[0].lower()) if p]
        if 2 <= len(parts) <= 3 and all(p.isalpha() and len(p) >= 2 and p not in ROLE_MAILBOX
                                        for p in parts):
            wanted.append(parts)
    if not wanted:
        return
    for i, line in enumerate(lines):
        if i in skip:
            continue
        for start, end in _spellings(line.text, wanted):
            if overlaps(taken, i, start, end):
                continue
            out.add(Kind.PERSONAL_TEXT, "person_name", span_rect(line, start, end),
                    0.6 * min(1.0, line.score + 0.1), "ocr+layout",
                    text=line.text[start:end], data={"field": "email_name"})
            taken.add((i, start, end))


def _spellings(text: str, wanted: list[list[str]]) -> Iterator[tuple[int, int]]:
    """Where ``text`` prints one of the ``wanted`` names: the whole line, or a run of its
    words shaped like a name."""
    line = text.strip()
    letters = folded(line.replace(" ", ""))
    for parts in wanted:
        if any("".join(order) in letters for order in (parts, parts[::-1])) and all(
                not not_name(w) for w in line.split()):
            at = text.index(line)
            yield at, at + len(line)
            return
    words = list(re.finditer(r"[^\s,;:()<>\"]+", text))
    for parts in wanted:
        n = len(parts)
        for k in range(len(words) - n + 1):
            run = words[k:k + n]
            keys = [folded(m.group(0)) for m in run]
            start, end = run[0].start(), run[-1].end()
            if (_spelt(keys, parts) or _spelt(keys[::-1], parts)) and plausible(
                    text[start:end], text, end):
                yield start, end


def _spelt(keys: list[tuple[str, str]], parts: list[str]) -> bool:
    return all(p in key for key, p in zip(keys, parts, strict=True))


#: what may stand between a date of birth's label and its date: "geboren am", "born on"
_LABEL_TO_DATE = re.compile(r"[\s:.,]*(?:[a-z]{2,3}\b)?[\s:.,]*", re.IGNORECASE)


def _born_names(lines: Sequence[Line], births: list[tuple[int, int]], out: Collector,
                taken: set[Span]) -> None:
    """The person whose date of birth a sentence gives: the name just before the date's
    label ("The policy holder is Søren MacLeod (date of birth 22 OCT 1980)", "Betreff:
    Tomasz MacLeod, geb. 09.05.1994", "Jan Kowalski, born on 3 May 1990")."""
    for i, at in births:
        text = lines[i].text
        before = text[:at]
        label = next(reversed(list(BIRTH_LABELS.finditer(before))), None)
        if label is None or not _LABEL_TO_DATE.fullmatch(before[label.end():]):
            continue
        head = before[:label.start()].rstrip(" ,(–-:")
        if not head:
            continue
        word = head.split()[-1]
        whole = complete(text, len(head) - len(word), len(head))
        if whole is None or whole[1] != len(head) or overlaps(taken, i, *whole):
            continue
        name = text[whole[0]:whole[1]]
        if len(name.split()) < 2 or not plausible(name, text, whole[1]):
            continue
        out.add(Kind.PERSONAL_TEXT, "person_name", span_rect(lines[i], *whole),
                0.6 * min(1.0, lines[i].score + 0.1), "ocr+layout", text=name,
                data={"field": "born"})
        taken.add((i, *whole))


def name_label(line: str, start: int, end: int) -> str:
    """A name found without a label is a cited author when the text cites it."""
    return "cited_author" if cited(line, start, end) else "person_name"


#: an address found by its grammar, not under a label
GRAMMAR_ADDRESS_SCORE = 0.75


def _addresses(page: TextPage, skip: frozenset[int], out: Collector, taken: set[Span]
               ) -> None:
    """Addresses anywhere: runs of lines of one block around a street, a P.O. box or a
    postcode with its town, or below an "Address" label. One finding per address, its box
    over every line of it."""
    lines = page.lines
    for block in blocks(page):
        idx = [i for i in block.lines if i not in skip]
        texts = [lines[i].text for i in idx]
        # each line's "Address" label, if it has one (looked up once per line)
        labels = [hit if hit is not None and hit[0].label == "address" else None
                  for hit in map(label_of, texts)]
        seeds = []
        for k, hit in enumerate(labels):
            if hit is None:
                continue
            if hit[1].strip():
                if value_ok(hit[0], hit[1]):
                    seeds.append(k)
            elif k + 1 < len(texts) and value_ok(hit[0], texts[k + 1]):
                seeds.append(k + 1)
        for run in address_runs(texts, seeds):
            rects, parts, spans = [], [], []
            for k in run:
                i = idx[k]
                start, end = span_in_line(texts[k])
                label = labels[k]
                if label is not None:
                    start = max(start, label[2])  # the value, not its label
                if end <= start or overlaps(taken, i, start, end) and not _is_address(
                        out, lines[i], start, end):
                    continue
                rects.append(span_rect(lines[i], start, end))
                parts.append(texts[k][start:end].strip())
                spans.append((i, start, end))
            if not rects or all(overlaps(taken, i, s, e) for i, s, e in spans):
                continue  # a labelled address found it all already
            whole = union(rects)
            # the run takes the place of the labelled address it grew from
            out.found[:] = [c for c in out.found if not (c.label == "address" and c.box
                                                         and _inside(c.box, whole))]
            if out.add(Kind.PERSONAL_TEXT, "address", whole,
                       GRAMMAR_ADDRESS_SCORE * min(1.0, lines[idx[run[0]]].score + 0.1),
                       "ocr+address", text=", ".join(p.rstrip(",") for p in parts),
                       data={"field": "grammar", "lines": len(rects)}):
                taken.update(spans)
                if run[0] > 0:
                    _addressee(lines, idx[run[0] - 1], idx[run[0]], skip, out, taken,
                               greeted(page))
                _contact_number(page, idx[run[-1]], out, taken)


#: an addressee's name line: two to four words
ADDRESSEE_WORDS = range(2, 5)


#: a letter's greeting and the name it greets: "Dear Björn,", "Hi Leilani!", "Liebe Anna,"
GREETING = re.compile(
    r"^\s*(?:dear|hi|hello|hey|liebe|lieber|cher|chère|querid[oa]|estimad[oa]|car[oa]|"
    r"gentile|beste|hej|drog[ia]|kære|kæra|käre|kära|hyvä)\s+([A-ZÀ-Þ][\w'’-]+)\s*[,:!]",
    re.IGNORECASE)


def greeted(page: TextPage) -> frozenset[str]:
    """The given names the page's letters greet ("Dear Björn," greets Björn)."""
    return page.shared("greeted", lambda: frozenset(
        m.group(1) for line in page.lines if (m := GREETING.match(line.text))))


def _addressee(lines: Sequence[Line], i: int, first: int, skip: frozenset[int],
               out: Collector, taken: set[Span], greeted: frozenset[str] = frozenset()
               ) -> None:
    """The name printed on the line just above an address, as envelopes, parcels and
    letters print their addressee and sender: the whole line a person's name (two to four
    words, no company form, no possessive, its first word a given name or its last a
    surname the census lists know, or its first word the name the letter greets: "Björn
    Adeyemi" over the address, "Dear Björn," below; a shop's name over its address,
    "Tesco Express", "TIMES BOOKSTORES", is not one)."""
    line, text = lines[i], lines[i].text.strip()
    if i in skip or not text or lines[first].rect[1] - line.rect[3] > line.height:
        return
    words = text.split()
    start = line.text.index(text)
    end = start + len(text)
    # a possessive is a shop's name ("Hartley's Food Hall"), never an addressee
    if (len(words) not in ADDRESSEE_WORDS or COMPANY_FORM.search(text)
            or any(w.lower().endswith(("'s", "’s")) for w in words)
            or overlaps(taken, i, start, end) or not plausible(text, line.text, end)
            or not (prior().knows_first(words[0]) or prior().knows_last(words[-1])
                    or words[0] in greeted)):
        return
    out.add(Kind.PERSONAL_TEXT, "person_name", span_rect(line, start, end),
            0.6 * min(1.0, line.score + 0.1), "ocr+layout", text=text,
            data={"field": "addressee"})
    taken.add((i, start, end))


#: a number's score when the line under an address holds only it
CONTACT_NUMBER_SCORE = 0.7
#: how far under the address's last line, in line heights, its number may be (a letterhead
#: often leaves a blank line between them)
CONTACT_GAP = 2.5


def _contact_number(page: TextPage, last: int, out: Collector, taken: set[Span]) -> None:
    """A line that is only a phone number, printed just under an address (a letterhead's,
    an invoice's "Brightwater Plumbing" / street / town / "089 747 1115"), in the address's
    column, a blank line between them at most: read as if it had its "Tel" label. Not
    any number anywhere: a scan's archive number in its margin has no address over it."""
    above = page.lines[last]
    under = [j for j, ln in enumerate(page.lines) if ln.rect[1] >= above.rect[3] - 2
             and abs(ln.rect[0] - above.rect[0]) <= above.height]
    if not under:
        return
    i = min(under, key=lambda j: page.lines[j].rect[1])
    line, text = page.lines[i], page.lines[i].text.strip()
    if (any(c.isalpha() for c in text) or line.rect[1] - above.rect[3]
            > CONTACT_GAP * line.height or overlaps(taken, i, 0, len(line.text))):
        return
    phones = next(r for r in _recognizers(page) if isinstance(r, PhoneRecognizer))
    for m in phones.find(line.text, "tel"):
        if len(m.text.strip()) < 0.9 * len(text):
            continue
        out.add(Kind.PERSONAL_TEXT, "phone", span_rect(line, m.start, m.end),
                CONTACT_NUMBER_SCORE * min(1.0, line.score + 0.1), SOURCE, text=m.text,
                data={**(m.data or {}), "field": "under_address"})
        taken.add((i, m.start, m.end))


def _inside(a: Rect, b: Rect) -> bool:
    return a[0] >= b[0] - 1 and a[1] >= b[1] - 1 and a[2] <= b[2] + 1 and a[3] <= b[3] + 1


def _is_address(out: Collector, line: Line, start: int, end: int) -> bool:
    """Whether what already took these characters is an address (a labelled one)."""
    rect = span_rect(line, start, end)
    return any(c.label == "address" and c.box is not None and c.box[0] < rect[2]
               and rect[0] < c.box[2] and c.box[1] < rect[3] and rect[1] < c.box[3]
               for c in out.found)


def _given_ok(text: str) -> bool:
    """"Surname, Given" only when the given part is a known given name or carries an
    initial: "Boston, Massachusetts" is a place."""
    given = text.split(",", 1)[1].split()
    return len(given) > 1 or prior().knows_first(given[0])


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
    # a form's leaders before the value: "Surname, first name .... . Adeyemi, Björn"
    value = raw.strip(" '\"’,;:").lstrip(".…_ ")
    if not value:
        return
    start += raw.index(value)
    end = start + len(value)
    if not value_ok(rule, value) or overlaps(taken, i, start, end):
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


def rule_text(page: TextPage) -> PersonalText:
    """The personal text the rules find on ``page``, computed once (the personal-text
    reader adds the entity model's names; the plates reader leaves these lines alone)."""
    return page.shared("personal-rules", lambda: _rule_text(page))


def _rule_text(page: TextPage) -> PersonalText:
    out = Collector(page, [])
    taken = set(repeated(page).spans)
    skip = zones(page).lines
    above = {b.lines[k]: b.lines[k - 1] for b in blocks(page) for k in range(1, len(b.lines))}
    _text_findings(page.lines, skip, out, taken, _recognizers(page), identity_page(page),
                   above)
    _addresses(page, skip, out, taken)
    return PersonalText(tuple(out.found), frozenset(taken))
