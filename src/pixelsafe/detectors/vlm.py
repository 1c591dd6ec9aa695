"""The optional local VLM under the detector contract: it asks the model about the image
and returns what it saw as candidates (faces, children, screens, settings, location cues,
documents). The detectors stay the source of boxes: :mod:`pixelsafe.vlm_fuse` then merges
these findings with the detectors' (a VLM face on a detector face confirms it; a document
the detectors read is not repeated).

It runs in the background, beside the other detectors (it waits on another process for a
minute a photo on a CPU), and is not in the registry's default set: it needs settings.
"""

from __future__ import annotations

from typing import ClassVar

from ..report import Box, ContextDetail, FaceDetail, Kind, Rect
from ..vlm import Answer, AnswerCache, Vlm
from .base import Candidate, Deadline, Detector, Scene

#: where the answer is kept in the scene, for the report's ``analyzer.vlm`` and summary
ANSWER = "vlm.answer"
#: the confidence of a face that only the VLM saw; it is still redacted by default (a
#: missed face costs more than a blurred wall)
VLM_ONLY_FACE = 0.3
CONTEXT_CONFIDENCE = 0.5


def _rect(box: Box) -> Rect:
    return (box.x1, box.y1, box.x2, box.y2)


class VlmDetector(Detector):
    name = "vlm"
    background: ClassVar[bool] = True

    def __init__(self, vlm: Vlm | None = None) -> None:
        self.vlm = vlm or Vlm(cache=AnswerCache())

    @property
    def wait(self) -> float:
        """Seconds to wait for its answer: the client's own timeout fires first."""
        return self.vlm.settings.timeout + 10.0

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> list[Candidate]:
        answer = scene.shared(ANSWER, lambda: self.vlm.ask(scene.image.rgb, scene.image.sha256))
        return candidates(answer)


def candidates(answer: Answer) -> list[Candidate]:
    tag = {"model": answer.model, "prompt_version": answer.prompt_version}

    def context(label: str, box: Box | None = None, text: str | None = None,
                detail: ContextDetail | None = None, **data: object) -> Candidate:
        return Candidate(Kind.CONTEXT, label, CONTEXT_CONFIDENCE, "vlm",
                         _rect(box) if box else None, text, {**data, **tag}, detail)

    out: list[Candidate] = []
    for region in answer.faces:
        out.append(Candidate(Kind.FACE, "face", VLM_ONLY_FACE, "vlm", _rect(region.box),
                             data=dict(tag), detail=FaceDetail()))
        if region.label == "child":
            out.append(context("child", region.box))
    if answer.has_children and not any(r.label == "child" for r in answer.faces):
        out.append(context("child"))
    for region in answer.screens:
        out.append(context("screen", region.box,
                           detail=ContextDetail(private=region.detail == "private")))
    for setting in answer.settings:
        out.append(context(f"{setting}_setting"))
    for region in answer.location_cues:
        out.append(context("landmark" if region.label == "landmark" else "location_cue",
                           region.box, region.detail or None, cue=region.label))
    for region in answer.documents:
        out.append(context("document", region.box,
                           detail=ContextDetail(document_type=region.label)))
    return out
