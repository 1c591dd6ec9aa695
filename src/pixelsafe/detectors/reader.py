"""The base of the detectors that read the image's one OCR result (:class:`TextReader`)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

from ..models.cache import shared
from ..models.ocr import OcrEngine, read_upright
from ..text.page import TextPage
from .base import Candidate, Deadline, Detector, Scene


class TextReader(Detector):
    """A detector that reads the image's one OCR result: it writes only ``read``."""

    reads_text = True

    def __init__(self, engine: OcrEngine | None = None) -> None:
        self.engine = engine or shared().get(OcrEngine)

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Sequence[Candidate]:
        page = text_page(scene, self.engine)
        return page.candidates_in_image(self.read(page))

    @abstractmethod
    def read(self, page: TextPage) -> Sequence[Candidate]:
        """What this detector finds in the page's lines."""


def text_page(scene: Scene, engine: OcrEngine) -> TextPage:
    """The image's one OCR result (a page on its side read upright), shared by every
    detector that reads text."""
    image = scene.image

    def read() -> TextPage:
        lines, turn = read_upright(engine, image.rgb)
        return TextPage(lines, image.width, image.height, image.format, turn)

    return scene.shared(("ocr", id(engine)), read)
