"""The text of one image as the OCR read it, and what every text reader shares.

A :class:`Line` has its polygon, text, confidence and word boxes; ``Line.span_box`` turns a
character range into pixels, so that an email inside a long line covers only its own
characters. A :class:`TextPage` is the one shared artefact of an image's text: its lines,
read once, and what is worked out from them (blocks, MRZ zones, the identity flag, ...),
each computed once through ``shared``, whichever reader asks first. The readers
(:mod:`pixelsafe.detectors.pii`, ``documents``, ``plates``) read the page; none reads
another.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..memo import Memo
from ..report import Box, Candidate, Detail, Kind, Rect

Point = tuple[float, float]


@dataclass(frozen=True)
class Word:
    text: str
    score: float
    quad: tuple[Point, Point, Point, Point]
    #: offset of the word's first character in its line's text
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Line:
    text: str
    score: float
    #: corners clockwise from the top left of the text, in image pixels
    quad: tuple[Point, Point, Point, Point]
    words: tuple[Word, ...]

    @property
    def rect(self) -> Rect:
        return _bounds(self.quad)

    @property
    def height(self) -> float:
        """Text height: the shorter side of the line's polygon."""
        (ax, ay), (bx, by), (cx, cy), _ = self.quad
        side1 = float(np.hypot(bx - ax, by - ay))
        side2 = float(np.hypot(cx - bx, cy - by))
        return min(side1, side2)

    def span_box(self, start: int, end: int) -> Rect:
        """Pixels of the characters ``text[start:end]``: the words they touch, cut in
        proportion to the characters when the span starts or ends inside a word."""
        parts: list[Rect] = []
        for w in self.words:
            lo, hi = max(start, w.start), min(end, w.end)
            if hi <= lo:
                continue
            n = max(1, len(w.text))
            parts.append(_sub_quad(w.quad, (lo - w.start) / n, (hi - w.start) / n))
        if not parts:  # no word geometry: proportional cut of the whole line
            n = max(1, len(self.text))
            parts.append(_sub_quad(self.quad, start / n, end / n))
        return (min(p[0] for p in parts), min(p[1] for p in parts),
                max(p[2] for p in parts), max(p[3] for p in parts))


def _bounds(quad: tuple[Point, ...]) -> Rect:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))


def _sub_quad(quad: tuple[Point, Point, Point, Point], a: float, b: float) -> Rect:
    """The part of a text polygon between fractions ``a`` and ``b`` of its reading
    direction (top-left to top-right), with a small margin so no stroke is left out."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    if abs(y3 - y0) > abs(x1 - x0) * 1.5:  # a vertical polygon: keep all of it
        return _bounds(quad)
    margin = 0.5 / max(1.0, float(np.hypot(x1 - x0, y1 - y0)))
    a, b = max(0.0, a - margin), min(1.0, b + margin)
    pts = [
        (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
        (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
        (x3 + (x2 - x3) * b, y3 + (y2 - y3) * b),
        (x3 + (x2 - x3) * a, y3 + (y2 - y3) * a),
    ]
    return _bounds(tuple(pts))


_DROP_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC",
                 "FULLWIDTH", "HALFWIDTH")


def clean_text(text: str) -> str:
    """Drop the stray CJK characters that the multilingual recogniser emits on Latin text
    (a Latin-script product choice, stated in the README) and normalise compatibility forms."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text
                   if not any(s in unicodedata.name(c, "") for s in _DROP_SCRIPTS))


def reading_order(lines: list[Line]) -> list[Line]:
    """Top to bottom by rows, left to right within a row. A line joins the current row
    when its vertical centre lies within half a line height of the row's first line."""
    def centre(ln: Line) -> float:
        return (ln.rect[1] + ln.rect[3]) / 2

    rows: list[list[Line]] = []
    for ln in sorted(lines, key=centre):
        if rows and abs(centre(ln) - centre(rows[-1][0])) <= 0.5 * min(
                ln.height, rows[-1][0].height):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda x: x.rect[0])]


def _quad(points: Any) -> tuple[Point, Point, Point, Point]:
    p = [(float(x), float(y)) for x, y in np.asarray(points, dtype=float).reshape(4, 2)]
    return (p[0], p[1], p[2], p[3])


def make_line(quad: Any, raw: str, score: float, words: Any) -> Line | None:
    """Rebuild the line text from its words so that every word has a known offset."""
    built: list[Word] = []
    pieces: list[str] = []
    pos = 0
    for item in words or ():
        text, wscore, wquad = item[0], item[1], item[2]
        text = clean_text(str(text)).strip()
        if not text:
            continue
        if pieces:
            pieces.append(" ")
            pos += 1
        built.append(Word(text, float(wscore), _quad(wquad), pos))
        pieces.append(text)
        pos += len(text)
    if built:
        text = "".join(pieces)
    else:
        text = " ".join(clean_text(raw).split())
    if not text:
        return None
    return Line(text, score, _quad(quad), tuple(built))


class TextPage(Memo):
    """The OCR lines of one image, read once, and what the text detectors work out from
    them (MRZ zones, personal text, ...), each computed once through ``shared``."""

    def __init__(self, lines: Sequence[Line], width: int, height: int, image_format: str = "",
                 turn: int = 0) -> None:
        """``width`` x ``height``: the image's size; ``turn``: the quarter turns the image
        was read at (0, or 1 and 3 as Pillow's ROTATE_90 and ROTATE_270 turn it: a page
        photographed on its side). The lines, and every rect the rules work out, are in the
        image as read (``width`` and ``height`` here are its); :meth:`in_image` takes a
        rect back to the image."""
        super().__init__()
        self.lines = tuple(lines)
        self.turn = turn % 4
        self.image_size = (width, height)
        self.width, self.height = (height, width) if self.turn in (1, 3) else (width, height)
        self.format = image_format

    def in_image(self, rect: Rect) -> Rect:
        """A rect of the page as read, in the image's pixels."""
        return turned_back(rect, self.turn, *self.image_size)

    def candidates_in_image(self, found: Sequence[Candidate]) -> list[Candidate]:
        """Candidates of the page as read, their boxes in the image's pixels."""
        if not self.turn:
            return list(found)
        return [c if c.box is None else replace(c, box=self.in_image(c.box)) for c in found]


def turned_back(rect: Rect, turn: int, width: int, height: int) -> Rect:
    """A rect of a ``width`` x ``height`` image turned ``turn`` quarters (as Pillow's
    ROTATE_90, counter-clockwise, turns it once), in the image's own pixels."""
    x1, y1, x2, y2 = rect
    if turn % 4 == 1:  # the turned image's (u, v) is the image's (width - v, u)
        return (width - y2, x1, width - y1, x2)
    if turn % 4 == 2:
        return (width - x2, height - y2, width - x1, height - y1)
    if turn % 4 == 3:  # (u, v) is (v, height - u)
        return (y1, height - x2, y2, height - x1)
    return rect


def row_label(lines: Sequence[Line], i: int) -> int | None:
    """The line printed just left of line ``i`` on its row, before it in reading order (a
    form's label in its column, the value in the next), or None."""
    x1, y1, _, y2 = lines[i].rect
    h = max(4.0, lines[i].height)
    centre = (y1 + y2) / 2
    for j in range(i - 1, max(-1, i - 5), -1):
        _, ly1, lx2, ly2 = lines[j].rect
        if abs((ly1 + ly2) / 2 - centre) < 0.5 * h and 0 <= x1 - lx2 < 24 * h:
            return j
    return None


# --- geometry of what the text readers report ---------------------------------------------

#: the share of the text height a text box is padded by, across and up and down (the
#: phone app pads by the same, from its rules.json)
PAD = (0.3, 0.12)


def pad(rect: Rect, height: float) -> Rect:
    """OCR boxes hug the glyphs and sometimes cut the first or last one: pad by a share
    of the text height, so that a fill leaves no sliver of a character."""
    x1, y1, x2, y2 = rect
    px, py = PAD[0] * height, PAD[1] * height
    return (x1 - px, y1 - py, x2 + px, y2 + py)


def span_rect(line: Line, start: int, end: int) -> Rect:
    """The padded pixels of ``line.text[start:end]``."""
    return pad(line.span_box(start, end), line.height)


def union(rects: Sequence[Rect]) -> Rect:
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))


def grow(rect: Rect, fx: float, fy: float) -> Rect:
    x1, y1, x2, y2 = rect
    w, h = x2 - x1, y2 - y1
    return (x1 - fx * w, y1 - fy * h, x2 + fx * w, y2 + fy * h)


@dataclass
class Collector:
    """Candidates of one page; one whose box falls outside the page is not collected (the
    rules ask whether a value was taken)."""

    page: TextPage
    found: list[Candidate]

    def add(self, kind: Kind, label: str, rect: Rect, confidence: float, source: str,
            text: str | None = None, data: dict[str, object] | None = None,
            detail: Detail | None = None) -> bool:
        if Box.from_floats(*rect, self.page.width, self.page.height) is None:
            return False
        self.found.append(Candidate(kind, label, confidence, source, rect, text, data, detail))
        return True
