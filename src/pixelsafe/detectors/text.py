"""The three detectors that read the image's one OCR result, taken together: personal
text (:mod:`.pii`), documents (:mod:`.documents`) and licence plates (:mod:`.plates`).
``--detectors text`` names all three."""

from __future__ import annotations

from collections.abc import Sequence

from ..report import Finding
from ..text.page import Line, TextPage
from .base import Candidate, to_findings
from .documents import document_candidates
from .pii import personal_text
from .plates import plates


def text_candidates(page: TextPage) -> list[Candidate]:
    return [*document_candidates(page), *personal_text(page).found, *plates(page)]


def analyse_lines(lines: Sequence[Line], width: int, height: int, image_format: str = "",
                  turn: int = 0) -> list[Finding]:
    """Every text rule over OCR lines (of the image turned ``turn`` quarters, as
    :func:`~pixelsafe.models.ocr.read_upright` reads it): a pure function, so the rules can
    be tested (and benchmarked) without the model."""
    page = TextPage(lines, width, height, image_format, turn)
    return to_findings(page.candidates_in_image(text_candidates(page)), width, height)
