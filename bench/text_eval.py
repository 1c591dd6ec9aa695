"""Ground truth readers and metrics for bench/text.py (OCR, MRZ, plates)."""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


@dataclass(frozen=True)
class Plate:
    image: Path
    box: tuple[float, float, float, float]
    text: str


def openalpr_plates() -> Iterator[Plate]:
    for txt in sorted((EVAL / "plates-openalpr").glob("*/*.txt")):
        for row in txt.read_text().splitlines():
            parts = row.split("\t")
            if len(parts) < 6:
                continue
            x, y, w, h = (float(v) for v in parts[1:5])
            yield Plate(txt.with_name(parts[0]), (x, y, x + w, y + h), parts[5].strip())


def two_row_plates() -> Iterator[Plate]:
    """The generated two-row plates (``bench/gen_plates2.py``), made on first use."""
    import gen_plates2

    return _generated_plates("plates2", gen_plates2.build)


def gulf_plates() -> Iterator[Plate]:
    """The generated plates of the Gulf (``bench/gen_plates3.py``), made on first use."""
    import gen_plates3

    return _generated_plates("plates3", gen_plates3.build)


def _generated_plates(folder: str, build: Callable[[Path], object]) -> Iterator[Plate]:
    import json

    out = Path(__file__).resolve().parent / "out" / folder
    if not (out / "truth.json").exists():
        build(out)
    for t in json.loads((out / "truth.json").read_text()):
        yield Plate(out / t["image"], tuple(t["box"]), t["text"])  # type: ignore[arg-type]


def seed_plates() -> Iterator[Plate]:
    for csv_path in sorted((EVAL / "plates-seed").glob("*/*.csv")):
        with csv_path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                image = csv_path.parent / "image" / row["file_name"]
                if (not image.exists() or not row["license_plate.mask"]
                        or row["license_plate.visibility"] == "invisible"
                        or not row["license_plate.number"].strip()):
                    continue
                with Image.open(image) as im:
                    w, h = im.size
                pts = ast.literal_eval(row["license_plate.mask"])
                xs, ys = pts[0::2], pts[1::2]
                text = re.sub(r"[^A-Z0-9]", "", row["license_plate.number"].upper().replace(
                    "_BG_", "BG"))
                yield Plate(image, (min(xs) * w, min(ys) * h, max(xs) * w, max(ys) * h), text)


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def plate_text(s: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", s.upper())


@dataclass(frozen=True)
class Receipt:
    image: Path
    #: ground-truth lines: box and transcript
    lines: list[tuple[tuple[float, float, float, float], str]]


def receipts() -> Iterator[Receipt]:
    root = EVAL / "receipts-sroie"
    for img in sorted((root / "img").glob("*.jpg")):
        rows = (root / "box" / f"{img.stem}.csv").read_text(errors="replace").splitlines()
        lines = []
        for r in rows:
            parts = r.split(",", 8)
            if len(parts) < 9:
                continue
            xs = [float(v) for v in parts[0:8:2]]
            ys = [float(v) for v in parts[1:8:2]]
            lines.append(((min(xs), min(ys), max(xs), max(ys)), parts[8]))
        yield Receipt(img, lines)


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def norm(s: str) -> str:
    return " ".join(s.split()).upper()


def line_cer(gt: list[tuple[tuple[float, float, float, float], str]],
             ocr: list[tuple[tuple[float, float, float, float], str]]) -> tuple[int, int]:
    """Character errors summed over ground-truth lines: each line is compared with the OCR
    text whose boxes have their centre inside it (left to right); a missed line costs all
    its characters. Returns (edits, characters)."""
    edits = chars = 0
    for box, text in gt:
        ref = norm(text)
        inside = sorted((o for o in ocr if box[0] <= (o[0][0] + o[0][2]) / 2 <= box[2]
                         and box[1] <= (o[0][1] + o[0][3]) / 2 <= box[3]),
                        key=lambda o: o[0][0])
        hyp = norm(" ".join(t for _, t in inside))
        edits += edit_distance(ref, hyp)
        chars += len(ref)
    return edits, chars
