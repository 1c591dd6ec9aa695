"""Merging the VLM's findings with the detectors'.

The detectors stay the source of truth: the VLM never removes or weakens a finding.
* A VLM face that matches a detector face (IoU >= 0.3) is not reported on its own: it
  raises the detector face's confidence halfway to 1 and records the confirmation. An
  unmatched VLM face stays, with its low confidence and the flag ``vlm_only``.
* A document the VLM saw where the detectors found and read one is not repeated.
* The score rules in :mod:`pixelsafe.fuse` then run over all findings; as they only add
  rules, the VLM can raise the score and never lower it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .report import FaceDetail, Finding, Kind
from .vlm import Answer

MATCH_IOU = 0.3


def _from_vlm(f: Finding) -> bool:
    return f.source == "vlm"


def fuse(findings: Sequence[Finding]) -> list[Finding]:
    out = [f for f in findings if not _from_vlm(f)]
    faces = [i for i, f in enumerate(out) if f.kind is Kind.FACE and f.box is not None]
    documents = [f.box for f in out if f.kind is Kind.DOCUMENT]
    for f in findings:
        if not _from_vlm(f):
            continue
        if f.kind is Kind.FACE and f.box is not None and f.details(FaceDetail) is not None:
            best, best_iou = None, 0.0
            for i in faces:
                iou = f.box.iou(out[i].box)  # type: ignore[arg-type]
                if iou > best_iou:
                    best, best_iou = i, iou
            if best is not None and best_iou >= MATCH_IOU:
                face = out[best]
                tag = {k: (f.data or {})[k] for k in ("model", "prompt_version")
                       if k in (f.data or {})}
                out[best] = replace(face, confidence=face.confidence + (1 - face.confidence) / 2,
                                    data={**(face.data or {}), "confirmed_by": tag})
                continue
        if f.kind is Kind.CONTEXT and f.label == "document" and f.box is not None and any(
                b is None or f.box.iou(b) >= MATCH_IOU for b in documents):
            continue  # the detectors found it, and read it
        out.append(f)
    return out


def has_children(answer: Answer | None) -> bool | None:
    if answer is None:
        return None
    return answer.has_children or any(r.label == "child" for r in answer.faces)
