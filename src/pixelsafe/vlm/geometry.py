"""The image the VLM sees and the boxes it returns.

The photo is resized so that both sides are multiples of 28 and it makes 1,024 to 1,280
image tokens (one token per 28x28 patch). 1,280 tokens is the default ceiling of the
Qwen2.5-VL image processor (max_pixels = 28*28*1280), so the server's own smart resize
leaves our size alone and the model's ``bbox_2d`` boxes come back in our pixels; they are
scaled back to the original and clipped.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from PIL import Image

from ..report import Box

PATCH = 28
MIN_TOKENS, MAX_TOKENS = 1024, 1280


def input_size(width: int, height: int) -> tuple[int, int]:
    """Sides that are multiples of 28 making MIN_TOKENS..MAX_TOKENS tokens, with the aspect
    ratio kept as closely as the 28-px grid allows (an extreme strip keeps its ratio and
    makes fewer tokens)."""
    tokens = width * height / (PATCH * PATCH)
    scale = math.sqrt(min(max(tokens, MIN_TOKENS), MAX_TOKENS) / tokens)
    cols = max(1, round(width * scale / PATCH))
    rows = max(1, round(height * scale / PATCH))
    aspect = width / height
    best: tuple[float, int, int] | None = None
    for c in range(max(1, cols - 2), cols + 3):
        for r in range(max(1, rows - 2), rows + 3):
            if c * r > MAX_TOKENS:
                continue
            short = max(0, MIN_TOKENS - c * r) / MIN_TOKENS  # below the budget: a penalty
            cost = abs(math.log((c / r) / aspect)) + short
            if best is None or cost < best[0]:
                best = (cost, c, r)
    assert best is not None  # c = r = 1 always fits
    return best[1] * PATCH, best[2] * PATCH


def to_original(box: Sequence[Any], sent: tuple[int, int], original: tuple[int, int]
                ) -> Box | None:
    """A bbox_2d in pixels of the image sent, scaled to the original and clipped; None if
    it is not four numbers or is empty after clipping."""
    if len(box) != 4 or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                and math.isfinite(v) for v in box):
        return None
    sx, sy = original[0] / sent[0], original[1] / sent[1]
    x1, y1, x2, y2 = (float(v) for v in box)
    return Box.from_floats(min(x1, x2) * sx, min(y1, y2) * sy, max(x1, x2) * sx,
                           max(y1, y2) * sy, original[0], original[1])


def prepare(image: Image.Image) -> tuple[bytes, tuple[int, int]]:
    """The JPEG bytes sent to the model, and their size."""
    size = input_size(image.width, image.height)
    rgb = image.convert("RGB").resize(size, Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    rgb.save(buf, "JPEG", quality=90)
    return buf.getvalue(), size
