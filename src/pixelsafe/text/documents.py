"""What a text page says about itself as a document, worked out once per page: its
machine-readable zones (and the lines they take), the printed values that repeat what a
zone says, whether it is an identity document, and whether it is dense text (a document
page or a screen). The documents reader reports them; the personal-text reader leaves
their lines and values alone; the plates reader reads no document. The MRZ rules
themselves are in :mod:`pixelsafe.text.mrz`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..report import Candidate, DocumentDetail, Kind
from . import mrz as mrzlib
from .page import Collector, Line, TextPage, pad, span_rect, union
from .recognizers import DATES, IDENTITY_WORDS, date_values

#: (line, start, end) of a value in the page's text
Span = tuple[int, int, int]


@dataclass(frozen=True)
class Zones:
    """The machine-readable zones of a page and the lines they take."""

    zones: tuple[mrzlib.Mrz, ...]
    lines: frozenset[int]
    found: tuple[Candidate, ...]


def zones(page: TextPage) -> Zones:
    return page.shared("mrz", lambda: _zones(page))


def _zones(page: TextPage) -> Zones:
    out = Collector(page, [])
    lines = page.lines
    used: set[int] = set()
    parsed_zones: list[mrzlib.Mrz] = []
    for idx in mrzlib.group_zones([ln.text for ln in lines]):
        parsed = mrzlib.parse([lines[i].text for i in idx])
        if parsed is None:
            continue
        used.update(idx)
        parsed_zones.append(parsed)
        doc = mrzlib.document_rect(union([lines[i].rect for i in idx]), parsed.format)
        conf = 0.99 if parsed.verified else 0.7
        detail = DocumentDetail(parsed.verified, parsed.surname, parsed.given_names)
        data = {k: v for k, v in parsed.to_data().items() if k not in DocumentDetail.KEYS}
        out.add(Kind.DOCUMENT, parsed.kind, doc, conf, "ocr+mrz",
                text=f"{parsed.holder} ({parsed.issuing_state})", data=data, detail=detail)
        for i in idx:
            out.add(Kind.PERSONAL_TEXT, "mrz", pad(lines[i].rect, lines[i].height),
                    min(conf, lines[i].score + 0.05), "ocr+mrz", text=lines[i].text,
                    data={"verified": parsed.verified})
    return Zones(tuple(parsed_zones), frozenset(used), tuple(out.found))


@dataclass(frozen=True)
class Repeated:
    """Values of the visual zone that repeat what an MRZ says, and where they are."""

    spans: frozenset[Span]
    found: tuple[Candidate, ...]


def repeated(page: TextPage) -> Repeated:
    return page.shared("viz", lambda: _repeated(page, zones(page)))


#: a zero the OCR read for the letter O in a printed month (OCT, NOV): passports' typefaces
_MONTH_ZERO = re.compile(r"(?<=[A-Z])0(?=[A-Z])|(?<![0-9A-Z])0(?=[A-Z]{2}\b)")


def _month_letters(text: str) -> str:
    """``text`` with a zero between capitals, or before two at a word's start, read as the
    letter O ("04 0CT 83", "12 N0V 1970"): the same length, so spans stay where they are."""
    return _MONTH_ZERO.sub("O", text)


def _birth_dates(zones: Sequence[mrzlib.Mrz]) -> set[tuple[int, int, int]]:
    """(two-digit year, month, day) of each birth date an MRZ's check digit confirms."""
    out = set()
    for z in zones:
        if any(c.name == "birth_date" and c.ok for c in z.checks) and z.birth_date.isdigit():
            b = z.birth_date
            out.add((int(b[0:2]), int(b[2:4]), int(b[4:6])))
    return out


def _repeated(page: TextPage, read: Zones) -> Repeated:
    """The visual zone repeats what the MRZ says: find those values printed elsewhere (the
    number and the names word by word; the birth date in any printed form, such as
    ``23 DEC/DÉC 1991``, ``23.12.1991`` or ``1991-12-23``, whatever its label says)."""
    out = Collector(page, [])
    taken: set[Span] = set()
    targets: dict[str, str] = {}
    for z in read.zones:
        targets[z.number.upper()] = "passport_number" if z.kind == "passport" else "national_id"
        for name in (z.surname + " " + z.given_names).split():
            if len(name) >= 2:
                targets.setdefault(name.upper(), "person_name")
    births = _birth_dates(read.zones)
    for i, line in enumerate(page.lines):
        if i in read.lines:
            continue
        for w in line.words or ():
            label = targets.get(w.text.upper().strip(",.;:"))
            if label:
                out.add(Kind.PERSONAL_TEXT, label, span_rect(line, w.start, w.end), 0.95,
                        "ocr+mrz", text=w.text, data={"from_mrz": True})
                taken.add((i, w.start, w.end))
        for m in DATES.finditer(_month_letters(line.text)) if births else ():
            if any((y % 100, mo, d) in births for y, mo, d in date_values(m.group())):
                out.add(Kind.PERSONAL_TEXT, "date_of_birth", span_rect(line, m.start(), m.end()),
                        0.95, "ocr+mrz", text=line.text[m.start():m.end()],
                        data={"from_mrz": True})
                taken.add((i, m.start(), m.end()))
    return Repeated(frozenset(taken), tuple(out.found))


def identity_page(page: TextPage) -> bool:
    """The page is an identity document: it has an MRZ, or says what it is."""
    return page.shared("identity", lambda: bool(zones(page).zones) or any(
        IDENTITY_WORDS.search(ln.text) for ln in page.lines))


SCREEN_SIDES = {720, 750, 828, 1080, 1125, 1170, 1179, 1242, 1284, 1290, 1366, 1440, 1536,
                1600, 1920, 2048, 2160, 2388, 2560, 2732, 2880, 3024, 3840}


def page_finding(page: TextPage) -> Candidate | None:
    """Dense printed text (a page, a form, a chat or email screen) is a document. An
    identity document is reported by its zone instead."""
    return page.shared("page", lambda: None if zones(page).zones else _page(page.lines, page))


def _page(lines: Sequence[Line], page: TextPage) -> Candidate | None:
    if len(lines) < 8:
        return None
    area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in (ln.rect for ln in lines))
    coverage = area / float(page.width * page.height)
    words = sum(len(ln.text.split()) for ln in lines)
    if words < 30 and len(lines) < 20:
        return None
    screenshot = page.format in ("PNG", "WEBP") and (
        page.width in SCREEN_SIDES or page.height in SCREEN_SIDES)
    out = Collector(page, [])
    out.add(Kind.DOCUMENT, "screen" if screenshot else "document_page",
            union([ln.rect for ln in lines]), min(0.95, 0.5 + coverage + len(lines) / 200),
            "ocr+layout",
            data={"lines": len(lines), "words": words, "text_coverage": round(coverage, 3)})
    return out.found[0] if out.found else None
