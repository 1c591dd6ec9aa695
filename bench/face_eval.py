"""Face-detection scoring: the official WIDER FACE AP (see ../shared/eval/faces-wider/EVALUATION.md)
and greedy IoU>=0.5 matching for recall/precision on the VOC-annotated crowd set."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # trusted local annotation files
from dataclasses import dataclass
from pathlib import Path

import numpy as np

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
WIDER = EVAL / "faces-wider"
CROWD = EVAL / "faces-crowd"
LEVELS = ("easy", "medium", "hard")


def read_wider_gt(path: Path) -> dict[str, np.ndarray]:
    """name -> [N,4] x,y,w,h boxes, in file order (the difficulty lists index into it)."""
    lines = path.read_text().split("\n")
    out: dict[str, np.ndarray] = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        name = lines[i].strip()
        count = int(lines[i + 1])
        rows = [list(map(float, lines[i + 2 + k].split()[:4])) for k in range(max(count, 1))]
        out[name] = np.array(rows, dtype=np.float64).reshape(-1, 4)
        i += 2 + max(count, 1)
    return out


def wider_images() -> list[str]:
    return sorted(json.loads((WIDER / "image_sizes.json").read_text()))


def to_original(name: str, dets_file_px: np.ndarray) -> np.ndarray:
    """[N,5] x1,y1,x2,y2,s in 416x416 file pixels -> [N,5] x,y,w,h,s in original pixels."""
    size = json.loads((WIDER / "image_sizes.json").read_text())[name]
    d = dets_file_px.astype(np.float64).copy()
    out = np.empty_like(d)
    out[:, 0] = d[:, 0] / size["scale_x"]
    out[:, 1] = d[:, 1] / size["scale_y"]
    out[:, 2] = (d[:, 2] - d[:, 0]) / size["scale_x"]
    out[:, 3] = (d[:, 3] - d[:, 1]) / size["scale_y"]
    out[:, 4] = d[:, 4]
    return out


def _iou_plus1(box: np.ndarray, gts: np.ndarray) -> np.ndarray:
    """IoU of one x1y1x2y2 box with many, in the official '+1 pixel' convention."""
    iw = np.minimum(box[2], gts[:, 2]) - np.maximum(box[0], gts[:, 0]) + 1
    ih = np.minimum(box[3], gts[:, 3]) - np.maximum(box[1], gts[:, 1]) + 1
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    area_a = (box[2] - box[0] + 1) * (box[3] - box[1] + 1)
    area_b = (gts[:, 2] - gts[:, 0] + 1) * (gts[:, 3] - gts[:, 1] + 1)
    return inter / (area_a + area_b - inter)


def wider_ap(preds: dict[str, np.ndarray], thresholds: int = 1000) -> dict[str, float]:
    """preds: name -> [N,5] x,y,w,h,score in ORIGINAL pixels. Returns AP per level."""
    gt = read_wider_gt(WIDER / "gt_original_coords.txt")
    difficulty = json.loads((WIDER / "difficulty.json").read_text())
    names = wider_images()
    scores = np.concatenate([preds[n][:, 4] for n in names if len(preds.get(n, ()))] or
                            [np.zeros(1)])
    lo, hi = float(scores.min()), float(scores.max())
    span = (hi - lo) or 1.0
    result = {}
    for level in LEVELS:
        curve = np.zeros((thresholds, 2))
        count_face = 0
        for name in names:
            keep_idx = difficulty[name][level]
            count_face += len(keep_idx)
            p = preds.get(name)
            g = gt[name]
            if p is None or len(p) == 0 or len(g) == 0:
                continue
            p = p[np.argsort(-p[:, 4], kind="stable")]
            pb = p[:, :4].copy()
            pb[:, 2] += pb[:, 0]
            pb[:, 3] += pb[:, 1]
            gb = g.copy()
            gb[:, 2] += gb[:, 0]
            gb[:, 3] += gb[:, 1]
            keep = np.zeros(len(g), dtype=bool)
            keep[keep_idx] = True
            recalled = np.zeros(len(g), dtype=int)
            proposal = np.ones(len(p), dtype=int)
            tp_so_far = np.zeros(len(p), dtype=int)
            for h in range(len(p)):
                ious = _iou_plus1(pb[h], gb)
                j = int(np.argmax(ious))
                if ious[j] >= 0.5:
                    if not keep[j]:
                        recalled[j] = -1
                        proposal[h] = -1
                    elif recalled[j] == 0:
                        recalled[j] = 1
                tp_so_far[h] = int((recalled == 1).sum())
            norm = (p[:, 4] - lo) / span
            for t in range(thresholds):
                thr = 1 - (t + 1) / thresholds
                idx = np.nonzero(norm >= thr)[0]
                if idx.size == 0:
                    continue
                r = idx[-1]
                curve[t, 0] += int((proposal[: r + 1] == 1).sum())
                curve[t, 1] += tp_so_far[r]
        with np.errstate(invalid="ignore", divide="ignore"):
            precision = np.where(curve[:, 0] > 0, curve[:, 1] / curve[:, 0], 0.0)
        recall = curve[:, 1] / max(count_face, 1)
        result[level] = voc_ap(recall, precision)
    return result


def voc_ap(recall: np.ndarray, precision: np.ndarray) -> float:
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    for i in range(len(mpre) - 1, 0, -1):
        mpre[i - 1] = max(mpre[i - 1], mpre[i])
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


# ---------------------------------------------------------------- crowd (VOC XML)

def crowd_images() -> list[Path]:
    return sorted((CROWD / "images").glob("*.png"))


def crowd_gt(image: Path) -> np.ndarray:
    root = ET.parse(CROWD / "annotations" / (image.stem + ".xml")).getroot()
    rows = []
    for obj in root.iter("object"):
        bb = obj.find("bndbox")
        assert bb is not None
        rows.append([float(bb.findtext(k, "0")) for k in ("xmin", "ymin", "xmax", "ymax")])
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


@dataclass
class PR:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lo = np.maximum(a[:, None, :2], b[None, :, :2])
    hi = np.minimum(a[:, None, 2:4], b[None, :, 2:4])
    iw, ih = np.clip(hi - lo, 0, None).transpose(2, 0, 1)
    inter = iw * ih
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def match(dets: np.ndarray, gts: np.ndarray, threshold: float, iou: float = 0.5) -> PR:
    """Greedy by score: each detection takes the best free GT with IoU >= iou."""
    d = dets[dets[:, 4] >= threshold]
    d = d[np.argsort(-d[:, 4], kind="stable")]
    if len(gts) == 0:
        return PR(0, len(d), 0)
    if len(d) == 0:
        return PR(0, 0, len(gts))
    m = iou_matrix(d[:, :4], gts)
    used = np.zeros(len(gts), dtype=bool)
    tp = 0
    for i in range(len(d)):
        row = np.where(used, -1.0, m[i])
        j = int(np.argmax(row))
        if row[j] >= iou:
            used[j] = True
            tp += 1
    return PR(tp, len(d) - tp, len(gts) - tp)


def crowd_pr(preds: dict[str, np.ndarray], gts: dict[str, np.ndarray], threshold: float) -> PR:
    total = PR(0, 0, 0)
    for name, g in gts.items():
        r = match(preds.get(name, np.empty((0, 5))), g, threshold)
        total = PR(total.tp + r.tp, total.fp + r.fp, total.fn + r.fn)
    return total
