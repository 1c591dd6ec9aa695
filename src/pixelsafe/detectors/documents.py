"""Documents: identity documents by their machine-readable zone (the document, each MRZ
line, and the printed fields that repeat the MRZ), and dense text as a document page or a
screen. Reads the image's one OCR result; what the page says about itself as a document
is worked out once, in :mod:`pixelsafe.text.documents`."""

from __future__ import annotations

from ..text.documents import page_finding, repeated, zones
from ..text.page import TextPage
from .base import Candidate
from .reader import TextReader


def document_candidates(page: TextPage) -> list[Candidate]:
    found = [*zones(page).found, *repeated(page).found]
    page_doc = page_finding(page)
    return found + ([page_doc] if page_doc is not None else [])


class DocumentDetector(TextReader):
    name = "documents"

    def read(self, page: TextPage) -> list[Candidate]:
        return document_candidates(page)
