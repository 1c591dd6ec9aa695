"""Fusing the VLM's answer into the detectors' findings.

The detectors stay the source of truth: a VLM answer never removes or weakens a finding.
* A VLM face that matches a detector face (IoU >= 0.3) raises its confidence halfway to 1
  and records the confirmation. An unmatched VLM face is added with confidence 0.3 and the
  flag ``vlm_only`` (it is still redacted by default: a missed face costs more than a
  blurred wall).
* Children, screens, sensitive settings, location cues and documents the detectors did not
  find become ``context`` findings, each naming the model and prompt that produced it.
* The score rules in :mod:`pixelsafe.fuse` then run over all findings; as they only add
  rules, the VLM can raise the score and never lower it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .policy import default_redaction
from .report import ContextDetail, FaceDetail, Finding, Kind
from .vlm import Answer

MATCH_IOU = 0.3
VLM_ONLY_FACE = 0.3
CONTEXT_CONFIDENCE = 0.5


def _tag(answer: Answer) -> dict[str, str]:
    return {"model": answer.model, "prompt_version": answer.prompt_version}


def _context(answer: Answer, label: str, box: object = None, text: str | None = None,
             detail: ContextDetail | None = None, **data: object) -> Finding:
    return Finding(id="", kind=Kind.CONTEXT, label=label, confidence=CONTEXT_CONFIDENCE,
                   source="vlm", redaction=default_redaction(Kind.CONTEXT, label),
                   box=box,  # type: ignore[arg-type]
                   text=text, data={**data, **_tag(answer)}, detail=detail)


def fuse(findings: Sequence[Finding], answer: Answer) -> list[Finding]:
    out = list(findings)
    tag = _tag(answer)
    faces = [i for i, f in enumerate(out) if f.kind is Kind.FACE and f.box is not None]
    for region in answer.faces:
        best, best_iou = None, 0.0
        for i in faces:
            iou = region.box.iou(out[i].box)  # type: ignore[arg-type]
            if iou > best_iou:
                best, best_iou = i, iou
        if best is not None and best_iou >= MATCH_IOU:
            f = out[best]
            out[best] = replace(f, confidence=f.confidence + (1 - f.confidence) / 2,
                                data={**(f.data or {}), "confirmed_by": tag})
        else:
            out.append(Finding(id="", kind=Kind.FACE, label="face", confidence=VLM_ONLY_FACE,
                               source="vlm", redaction=default_redaction(Kind.FACE, "face"),
                               box=region.box, data=dict(tag), detail=FaceDetail()))
        if region.label == "child":
            out.append(_context(answer, "child", region.box))
    if answer.has_children and not any(r.label == "child" for r in answer.faces):
        out.append(_context(answer, "child"))
    for region in answer.screens:
        out.append(_context(answer, "screen", region.box,
                            detail=ContextDetail(private=region.detail == "private")))
    for setting in answer.settings:
        out.append(_context(answer, f"{setting}_setting"))
    for region in answer.location_cues:
        out.append(_context(answer, "landmark" if region.label == "landmark" else
                            "location_cue", region.box, region.detail or None,
                            cue=region.label))
    documents = [f.box for f in out if f.kind is Kind.DOCUMENT]
    for region in answer.documents:
        if any(b is None or region.box.iou(b) >= MATCH_IOU for b in documents):
            continue  # the detectors found it, and read it
        out.append(_context(answer, "document", region.box,
                            detail=ContextDetail(document_type=region.label)))
    return out


def has_children(answer: Answer | None) -> bool | None:
    if answer is None:
        return None
    return answer.has_children or any(r.label == "child" for r in answer.faces)
