"""The base of the detectors that read the image's one OCR result (:class:`TextReader`)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

from ..models.cache import shared
from ..models.ocr import OcrEngine
from ..text.page import TextPage
from .base import Candidate, Deadline, Detector, Scene


class TextReader(Detector):
    """A detector that reads the image's one OCR result: it writes only ``read``."""

    reads_text = True

    def __init__(self, engine: OcrEngine | None = None) -> None:
        self.engine = engine or shared().get(OcrEngine)

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Sequence[Candidate]:
        return self.read(text_page(scene, self.engine))

    @abstractmethod
    def read(self, page: TextPage) -> Sequence[Candidate]:
        """What this detector finds in the page's lines."""


def text_page(scene: Scene, engine: OcrEngine) -> TextPage:
    """The image's one OCR result, shared by every detector that reads text."""
    image = scene.image
    return scene.shared(("ocr", id(engine)), lambda: TextPage(
        engine.read(image.rgb), image.width, image.height, image.format))
