"""Everything made of characters that OCR can read: personal text (validated recognisers
and labelled fields), machine-readable zones, document pages and licence plates.

OCR runs once per image; ``analyse_lines`` is a pure function of the OCR lines, so the
rules can be tested without the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import AnalysisTimeoutError
from ..imageio import LoadedImage
from ..model import Box, Finding, Kind, Redaction
from ..ocr import Line, OcrEngine, Rect, shared_engine
from ..text import mrz as mrzlib
from ..text.recognizers import FieldRule, find_all, label_of, value_ok
from .base import Deadline, Detector

SOURCE = "ocr+pattern"


@dataclass
class _Builder:
    width: int
    height: int
    findings: list[Finding]

    def add(self, kind: Kind, label: str, rect: Rect, confidence: float, source: str,
            text: str | None = None, data: dict[str, object] | None = None,
            redaction: Redaction = Redaction.FILL) -> Finding | None:
        box = Box.from_floats(*rect, self.width, self.height)
        if box is None:
            return None
        f = Finding(id="", kind=kind, label=label, confidence=min(1.0, confidence),
                    source=source, redaction=redaction, box=box, text=text, data=data)
        self.findings.append(f)
        return f


def _grow(rect: Rect, fx: float, fy: float) -> Rect:
    x1, y1, x2, y2 = rect
    w, h = x2 - x1, y2 - y1
    return (x1 - fx * w, y1 - fy * h, x2 + fx * w, y2 + fy * h)


def _pad(rect: Rect, height: float) -> Rect:
    """OCR boxes hug the glyphs and sometimes cut the first or last one: pad by a share
    of the text height, so that a fill leaves no sliver of a character."""
    x1, y1, x2, y2 = rect
    return (x1 - 0.3 * height, y1 - 0.12 * height, x2 + 0.3 * height, y2 + 0.12 * height)


def _span(line: Line, start: int, end: int) -> Rect:
    return _pad(line.span_box(start, end), line.height)


def _union(rects: Sequence[Rect]) -> Rect:
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))


# --- machine-readable zones -----------------------------------------------------------------

def _mrz_findings(lines: Sequence[Line], out: _Builder) -> tuple[set[int], list[mrzlib.Mrz]]:
    used: set[int] = set()
    zones: list[mrzlib.Mrz] = []
    for idx in mrzlib.group_zones([ln.text for ln in lines]):
        parsed = mrzlib.parse([lines[i].text for i in idx])
        if parsed is None:
            continue
        used.update(idx)
        zones.append(parsed)
        rects = [lines[i].rect for i in idx]
        zone = _union(rects)
        zx1, _, zx2, zy2 = zone
        width = zx2 - zx1
        # The document around its zone: ID-1 cards and passport pages are about 0.63-0.7
        # times as high as wide, with the zone along the bottom edge.
        ratio = 0.66 if parsed.format == "TD1" else 0.72
        doc = (zx1 - 0.04 * width, zy2 - ratio * width, zx2 + 0.04 * width, zy2 + 0.02 * width)
        conf = 0.99 if parsed.verified else 0.7
        out.add(Kind.DOCUMENT, parsed.kind, doc, conf, "ocr+mrz",
                text=f"{parsed.holder} ({parsed.issuing_state})", data=parsed.to_data())
        for i in idx:
            out.add(Kind.PERSONAL_TEXT, "mrz", _pad(lines[i].rect, lines[i].height),
                    min(conf, lines[i].score + 0.05), "ocr+mrz", text=lines[i].text,
                    data={"verified": parsed.verified})
    return used, zones


def _viz_findings(lines: Sequence[Line], skip: set[int], zones: Sequence[mrzlib.Mrz],
                  out: _Builder) -> set[tuple[int, int, int]]:
    """The visual zone repeats what the MRZ says: find those values printed elsewhere."""
    taken: set[tuple[int, int, int]] = set()
    targets: dict[str, str] = {}
    for z in zones:
        targets[z.number.upper()] = "passport_number" if z.kind == "passport" else "national_id"
        for name in (z.surname + " " + z.given_names).split():
            if len(name) >= 2:
                targets.setdefault(name.upper(), "person_name")
    for i, line in enumerate(lines):
        if i in skip:
            continue
        for w in line.words or ():
            label = targets.get(w.text.upper().strip(",.;:"))
            if label:
                out.add(Kind.PERSONAL_TEXT, label, _span(line, w.start, w.end), 0.95,
                        "ocr+mrz", text=w.text, data={"from_mrz": True})
                taken.add((i, w.start, w.end))
    return taken


# --- labelled fields and patterns -----------------------------------------------------------

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


def _overlaps(spans: set[tuple[int, int, int]], i: int, start: int, end: int) -> bool:
    return any(li == i and start < e and s < end for li, s, e in spans)


def _text_findings(lines: Sequence[Line], skip: set[int], out: _Builder,
                   taken: set[tuple[int, int, int]]) -> None:
    for i, line in enumerate(lines):
        if i in skip:
            continue
        context = lines[i - 1].text if i > 0 else ""
        for m in find_all(line.text, context):
            if _overlaps(taken, i, m.start, m.end):
                continue
            out.add(Kind.PERSONAL_TEXT, m.label, _span(line, m.start, m.end),
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


def _name_shapes(lines: Sequence[Line], skip: set[int], out: _Builder,
                 taken: set[tuple[int, int, int]]) -> None:
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
            if _overlaps(taken, i, start, end):
                continue
            out.add(Kind.PERSONAL_TEXT, "person_name", _span(line, start, end),
                    score * min(1.0, line.score + 0.1), "ocr+layout", text=value,
                    data={"field": "name_shape"})
            taken.add((i, start, end))


def _field(rule: FieldRule, lines: Sequence[Line], i: int, start: int, end: int,
           out: _Builder, taken: set[tuple[int, int, int]]) -> bool:
    """Add the value(s) of a labelled field; True when something was added."""
    line = lines[i]
    text = line.text
    before = len(out.findings)
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
        return len(out.findings) > before
    _add_value(rule, line, i, start, end, out, taken)
    return len(out.findings) > before


def _add_value(rule: FieldRule, line: Line, i: int, start: int, end: int, out: _Builder,
               taken: set[tuple[int, int, int]]) -> None:
    raw = line.text[start:end]
    value = raw.strip(" '\"’,;:")
    if not value:
        return
    start += raw.index(value)
    end = start + len(value)
    if not value_ok(rule, value) or _overlaps(taken, i, start, end):
        return
    out.add(Kind.PERSONAL_TEXT, rule.label, _span(line, start, end),
            rule.score * min(1.0, line.score + 0.1), "ocr+field", text=value,
            data={"field": "labelled"})
    taken.add((i, start, end))


# --- document pages -------------------------------------------------------------------------

SCREEN_SIDES = {720, 750, 828, 1080, 1125, 1170, 1179, 1242, 1284, 1290, 1366, 1440, 1536,
                1600, 1920, 2048, 2160, 2388, 2560, 2732, 2880, 3024, 3840}


def _page_finding(lines: Sequence[Line], image_format: str, out: _Builder) -> bool:
    """Dense printed text (a page, a form, a chat or email screen) is a document."""
    if len(lines) < 8:
        return False
    area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in (ln.rect for ln in lines))
    coverage = area / float(out.width * out.height)
    words = sum(len(ln.text.split()) for ln in lines)
    if words < 30 and len(lines) < 20:
        return False
    screenshot = image_format in ("PNG", "WEBP") and (
        out.width in SCREEN_SIDES or out.height in SCREEN_SIDES)
    label = "screen" if screenshot else "document_page"
    out.add(Kind.DOCUMENT, label, _union([ln.rect for ln in lines]),
            min(0.95, 0.5 + coverage + len(lines) / 200), "ocr+layout",
            data={"lines": len(lines), "words": words, "text_coverage": round(coverage, 3)},
            redaction=Redaction.FILL)
    return True


# --- licence plates -------------------------------------------------------------------------

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


def _plate_findings(lines: Sequence[Line], skip: set[int], out: _Builder) -> None:
    for i, line in enumerate(lines):
        if i in skip or line.score < 0.6:
            continue
        raw = line.text.strip()
        if any(c.islower() for c in raw) or len(raw.split()) > 3:
            continue
        text = re.sub(r"[\s\-·.•:=|\[\]]", "", raw)
        if not PLATE_TEXT.match(text) or not any(c.isdigit() for c in text):
            continue
        if not any(c.isalpha() for c in text):
            continue  # digits only: timestamps, prices and phone numbers look the same
        x1, y1, x2, y2 = line.rect
        aspect = (x2 - x1) / max(1.0, y2 - y1)
        if not 1.4 <= aspect <= 12:
            continue
        known = any(p.match(text) for p in PLATE_FORMATS)
        tokens = raw.split()
        spaced = all(len(t) == 1 for t in tokens)  # "L J P 3 2 4"
        if not known and not spaced and (len(tokens) > 2 or
                                         max(len(t) for t in tokens) > 6 and len(tokens) > 1):
            continue
        # The detector's text box already has a margin; a little more covers the frame.
        out.add(Kind.LICENSE_PLATE, "license_plate", _grow(line.rect, 0.04, 0.06),
                (0.85 if known else 0.55) * min(1.0, line.score + 0.05), "ocr+plate",
                text=text, data={"format_known": known})


# --- the detector ---------------------------------------------------------------------------

def analyse_lines(lines: Sequence[Line], width: int, height: int,
                  image_format: str = "") -> list[Finding]:
    out = _Builder(width, height, [])
    mrz_lines, zones = _mrz_findings(lines, out)
    taken = _viz_findings(lines, mrz_lines, zones, out)
    _text_findings(lines, mrz_lines, out, taken)
    page = False
    if not zones:
        page = _page_finding(lines, image_format, out)
    if not page and not zones:
        used = {i for i, _, _ in taken}
        _plate_findings(lines, mrz_lines | used, out)
    return out.findings


class TextDetector(Detector):
    """OCR, then every rule over the lines it read."""

    name = "text"

    def __init__(self, engine: OcrEngine | None = None) -> None:
        self.engine = engine or shared_engine()

    def _detect(self, image: LoadedImage, deadline: Deadline | None) -> Sequence[Finding]:
        if deadline is not None and deadline.expired():
            raise AnalysisTimeoutError("no time left for OCR")
        lines = self.engine.read(image.rgb)
        return analyse_lines(lines, image.width, image.height, image.format)
