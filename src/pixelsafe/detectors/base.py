"""The detector contract: the base class does the housekeeping, subclasses do one step."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from ..imageio import LoadedImage
from ..model import Box, Finding


@dataclass(frozen=True)
class Deadline:
    """A wall-clock budget shared by the detectors of one analysis."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0


class Detector(ABC):
    """Finds one family of findings in a loaded image.

    ``detect`` calls the subclass's ``_detect`` and then drops findings whose boxes fall
    outside the image, so that every detector's output is valid by construction. Findings
    carry provisional ids; the fuser numbers them.
    """

    #: short name used in ``analyzer.detectors`` and ``analyzer.errors``
    name: str = "detector"

    def detect(self, image: LoadedImage, deadline: Deadline | None = None) -> list[Finding]:
        found = self._detect(image, deadline)
        return [f for f in found if f.box is None or self._inside(f.box, image)]

    @staticmethod
    def _inside(box: Box, image: LoadedImage) -> bool:
        return 0 <= box.x1 < box.x2 <= image.width and 0 <= box.y1 < box.y2 <= image.height

    @abstractmethod
    def _detect(self, image: LoadedImage, deadline: Deadline | None) -> Sequence[Finding]:
        """Return the findings of this detector."""
