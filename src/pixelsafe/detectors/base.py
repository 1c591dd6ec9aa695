"""The detector contract: the base class does the housekeeping, subclasses do one step.

A subclass writes only ``_candidates``: what it sees in the image, as raw candidates with
float boxes in image pixels and scores. ``Detector.detect`` checks the deadline first,
then rounds every box outwards and clips it to the image, drops boxes that fall outside,
drops candidates under the detector's minimum confidence (or with no finite score), and
gives each finding its default redaction from the policy table. Every detector's output is
therefore valid by construction, and no detector repeats these steps.

Work that several detectors need (one OCR result read by the personal-text, document and
plate detectors) is computed once per image through :class:`Scene`.
"""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from ..errors import AnalysisTimeoutError
from ..imageio import LoadedImage
from ..memo import Memo
from ..policy import default_redaction
from ..report import Box, Candidate, Finding

T = TypeVar("T")

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

    def check(self, what: str) -> None:
        if self.expired():
            raise AnalysisTimeoutError(f"{what} ran out of time")


class Scene(Memo):
    """One image under analysis, and the work its detectors share (``shared``).

    ``problem`` records what a detector could not check while it still reports what it
    found (a damaged EXIF block): each becomes an ``analyzer.errors`` entry."""

    def __init__(self, image: LoadedImage) -> None:
        super().__init__()
        self.image = image
        self.problems: list[tuple[str, str, str]] = []

    def problem(self, detector: str, code: str, message: str) -> None:
        with self._guard:
            self.problems.append((detector, code, message))


class Detector(ABC):
    """Finds one family of findings in a loaded image. Findings carry provisional ids;
    the fuser numbers them."""

    #: short name used in ``analyzer.detectors``, ``analyzer.errors`` and ``--detectors``
    name: ClassVar[str] = "detector"
    #: candidates scoring below this are dropped
    min_confidence: float = 0.0
    #: run beside the other detectors (in a thread) rather than in turn: for a detector
    #: that mostly waits on another process (the VLM)
    background: ClassVar[bool] = False
    #: run in a thread beside the others, within the analysis's time: for a detector whose
    #: work is single-threaded native code (zxing, OpenCV), so that while it runs the
    #: second core serves the networks instead of idling
    beside: bool = False
    #: reads the image's OCR result, whose networks use every core
    reads_text: ClassVar[bool] = False
    #: False for a detector that costs next to nothing (it reads bytes already in memory):
    #: it still runs when the analysis has run out of time, so that a slow face pass never
    #: costs the report its GPS position
    timed: ClassVar[bool] = True

    def beside_the_text(self) -> None:
        """Told by the analyzer when detectors that read text run in the same analysis: a
        detector whose own network is better run on one core beside theirs switches to
        that here (the faces). Nothing for the others."""
        return None

    def detect(self, image: LoadedImage | Scene, deadline: Deadline | None = None
               ) -> list[Finding]:
        scene = image if isinstance(image, Scene) else Scene(image)
        if deadline is not None and self.timed:
            deadline.check(f"the {self.name} detector")
        return to_findings(self._candidates(scene, deadline), scene.image.width,
                           scene.image.height, self.min_confidence)

    @abstractmethod
    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Iterable[Candidate]:
        """What this detector sees in ``scene.image``."""


def to_findings(candidates: Iterable[Candidate], width: int, height: int,
                min_confidence: float = 0.0) -> list[Finding]:
    """Clip, threshold and give each candidate its default redaction from the policy table."""
    out: list[Finding] = []
    for c in candidates:
        if not math.isfinite(c.score) or c.score < min_confidence:
            continue
        box = None
        if c.box is not None:
            if not all(math.isfinite(v) for v in c.box):
                continue
            box = Box.from_floats(*c.box, width, height)
            if box is None:
                continue
        out.append(Finding(
            id="", kind=c.kind, label=c.label, confidence=min(1.0, max(0.0, c.score)),
            source=c.source, redaction=default_redaction(c.kind, c.label), box=box,
            text=c.text, data=c.data, detail=c.detail))
    return out
