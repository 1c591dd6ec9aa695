"""Text blocks rebuilt from OCR lines: paragraphs and columns, so that a language model sees
a sentence whole and an address its every line.

A line joins the block whose last line sits just above it (a gap of at most about one line
height, overlapping it across, with a similar text height), or the block whose last line
ends just before it on the same row. A line far to the right on the same row starts a
block of its own: that is another column (a form's value beside its label, a second page
column). Within a block, lines are joined with a newline, pieces of one row with a space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .page import Line, TextPage

#: (line, start, end): characters of one line
Piece = tuple[int, int, int]

#: the largest vertical gap between two lines of a block, in text heights
MAX_GAP = 1.2
#: the largest horizontal gap between two pieces of a row, in text heights
MAX_ROW_GAP = 1.5
#: text heights of two lines of a block differ by at most this factor
MAX_HEIGHT_RATIO = 1.8


@dataclass(frozen=True)
class Block:
    lines: tuple[int, ...]
    text: str
    #: where each of ``lines`` starts in ``text``
    starts: tuple[int, ...]

    def pieces(self, start: int, end: int, all_lines: Sequence[Line]) -> list[Piece]:
        """The characters ``text[start:end]``, line by line."""
        out: list[Piece] = []
        for i, at in zip(self.lines, self.starts, strict=True):
            n = len(all_lines[i].text)
            lo, hi = max(start, at), min(end, at + n)
            if hi > lo:
                out.append((i, lo - at, hi - at))
        return out


def _height_ok(a: Line, b: Line) -> bool:
    ha, hb = max(1.0, a.height), max(1.0, b.height)
    return max(ha, hb) / min(ha, hb) <= MAX_HEIGHT_RATIO


def _follows(last: Line, line: Line) -> tuple[float, str] | None:
    """How well ``line`` continues a block that ends with ``last``: (distance, joiner)."""
    if not _height_ok(last, line):
        return None
    lx1, ly1, lx2, ly2 = last.rect
    x1, y1, x2, y2 = line.rect
    h = max(4.0, min(last.height, line.height))
    if abs((y1 + y2) / 2 - (ly1 + ly2) / 2) < 0.5 * h:  # the same row
        gap = x1 - lx2
        return (gap / h, " ") if -0.5 * h <= gap <= MAX_ROW_GAP * h else None
    gap = y1 - ly2
    if -0.5 * h <= gap <= MAX_GAP * h and min(x2, lx2) - max(x1, lx1) > 0:
        return (gap / h, "\n")
    return None


def build_blocks(lines: Sequence[Line]) -> tuple[Block, ...]:
    """Blocks of lines in reading order; every line is in exactly one block."""
    members: list[list[int]] = []
    joins: list[list[str]] = []
    for i, line in enumerate(lines):
        best: tuple[float, int, str] | None = None
        for b, idx in enumerate(members):
            fit = _follows(lines[idx[-1]], line)
            if fit is not None and (best is None or fit[0] < best[0]):
                best = (fit[0], b, fit[1])
        if best is None:
            members.append([i])
            joins.append([])
        else:
            members[best[1]].append(i)
            joins[best[1]].append(best[2])
    blocks: list[Block] = []
    for idx, sep in zip(members, joins, strict=True):
        parts: list[str] = []
        starts: list[int] = []
        pos = 0
        for k, i in enumerate(idx):
            if k:
                parts.append(sep[k - 1])
                pos += 1
            starts.append(pos)
            parts.append(lines[i].text)
            pos += len(lines[i].text)
        blocks.append(Block(tuple(idx), "".join(parts), tuple(starts)))
    return tuple(sorted(blocks, key=lambda b: b.lines[0]))


def blocks(page: TextPage) -> tuple[Block, ...]:
    """The page's blocks, built once."""
    return page.shared("blocks", lambda: build_blocks(page.lines))
