"""Faces are treated until the detector no longer finds them: the redacted pixels are
looked at again, as the output file will hold them, and what is still found is treated
more strongly."""

from __future__ import annotations

from typing import Any

from PIL import Image

from .. import imageio
from ..report import Box, Redaction
from .core import FACE_MARGIN, Target, apply, enlarge, touches

#: faces still found at this confidence inside a blurred region get a stronger treatment
HARDEN_THRESHOLD = 0.2


def covered(box: Box, regions: list[Box]) -> float:
    """The share of ``box`` that the regions cover (regions may overlap each other)."""
    import numpy as np

    mask = np.zeros((box.height, box.width), bool)
    for r in regions:
        x1, y1 = max(r.x1, box.x1) - box.x1, max(r.y1, box.y1) - box.y1
        x2, y2 = min(r.x2, box.x2) - box.x1, min(r.y2, box.y2) - box.y1
        if x2 > x1 and y2 > y1:
            mask[y1:y2, x1:x2] = True
    return float(mask.mean())


def harden_faces(pixels: Image.Image, targets: list[Target], kept: list[Box],
                  codec: Any = None) -> list[Target]:
    """Run the face detector again on the redacted pixels, up to three rounds.

    A face still found (at a low threshold) inside a blurred or pixelated region gets a
    stronger treatment, up to a solid fill. A face found at the default threshold outside
    every region — one the first analysis scored just under the threshold, which redacting
    its neighbours can push over — is blurred too, unless the user kept it. Returns the
    regions added."""
    from ..detectors.faces import FaceConfig, FaceDetector

    # far below the default threshold (0.45): a region must not even look a little like a face
    detector = FaceDetector(config=FaceConfig(threshold=HARDEN_THRESHOLD))
    default = FaceConfig().threshold
    added: list[Target] = []
    # redacting a face can push a neighbour's score over the threshold: repeat until the
    # detector finds nothing, escalating; from the fourth round on everything found is filled
    rounds = (1, 2, 3, 3, 3, 3)
    for n, strength in enumerate(rounds):
        # look at the pixels as the output file will hold them: a lossy codec can bring
        # back enough structure for a detector
        probe = codec(pixels) if codec is not None else imageio.from_pil(pixels)
        found = [f for f in detector.detect(probe) if f.box is not None
                 and not any(f.box.iou(k) >= 0.3 for k in kept)]  # a kept face is no leak
        boxes = [f.box for f in found if f.box is not None]
        again = [t for t in targets + added if any(touches(t.box, b) for b in boxes)]
        new = [f.box for f in found if f.box is not None and f.confidence >= default
               and covered(f.box, [t.box for t in targets + added]) < 0.5]
        if not again and not new:
            break
        for t in again:
            if t.style == "fill" or strength >= 3:
                # a filled patch with a face's outline around it: fill a wider box
                wider = Target(enlarge(t.box, 1.25, pixels.width, pixels.height), Redaction.FILL,
                               t.kind)
                apply(pixels, wider)
                added.append(wider)
            else:
                apply(pixels, t, strength)
        for box in new:
            style = Redaction.FILL if n >= 3 else Redaction.BLUR
            target = Target(enlarge(box, FACE_MARGIN, pixels.width, pixels.height), style,
                            "face")
            apply(pixels, target)
            added.append(target)
    return added
