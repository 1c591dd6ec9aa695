"""The text detector in int8 against float32 (issue 26).

    .venv/bin/python bench/ocr_int8.py calibrate  # -> src/pixelsafe/data/ocr-det-int8-ranges.json
    .venv/bin/python bench/ocr_int8.py compare [-n 12] [--output bench/ocr-int8-results.md]

``calibrate`` runs the float32 engine over calibration images and records the range of every
tensor that feeds a convolution of the detector (onnxruntime's MinMax calibration), in the
JSON file onnxruntime reads back with ``calibration_cache_path``. The calibration images are
drawn from ``../shared/eval`` (receipts, pages, passports, plates, camera photos, crowds) by a
fixed seed, plus phone photos and crowds of two sets ``compare`` does not read; they never
include the images ``compare`` reads: the first ``-n`` (at most ``COMPARED``) of each set in
the order of seed 1.

``compare`` reads the same images with both engines in one process, alternately: lines read,
lines matched by box (IoU > 0.5) with the same text, lines lost and new, characters of the
float32 text found in order in the int8 text, and OCR ms per image.
"""

from __future__ import annotations

import argparse
import difflib
import random
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

from pixelsafe import imageio
from pixelsafe.errors import PixelSafeError
from pixelsafe.models import ocr_model_paths
from pixelsafe.models.ocr import DET_INT8_RANGES, OcrConfig, OcrEngine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ocr_vocabulary import SETS as VOCABULARY_SETS  # noqa: E402
from ocr_vocabulary import read_alternately  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = {**VOCABULARY_SETS, "faces-crowd": "*.png"}
#: images per set that ``compare`` may read, kept out of the calibration (the passports'
#: set has ten images: none is left for the calibration)
COMPARED = 12
#: calibration images per set
CALIBRATION = 4
#: sets used only to calibrate: phone photos and crowds of other sources
CALIBRATION_ONLY = {"exif-samples": "*.jpg", "faces-wider": "*.jpg"}


def ordered(name: str) -> list[Path]:
    files = sorted((EVAL / name).rglob({**SETS, **CALIBRATION_ONLY}[name]))
    random.Random(1).shuffle(files)
    return files


def calibrate() -> None:
    from onnxruntime.quantization import CalibrationDataReader

    from pixelsafe.models.ocr import quantized_detector

    engine = OcrEngine(OcrConfig(int8_detector=False, int8_gate=False))
    det = engine.engine()._load_det_model()
    gate = det.session
    inner = gate.session
    tensors: list[np.ndarray] = []

    class Recording:  # every tensor the detector sees: the gate's small passes too
        def __getattr__(self, name: str) -> Any:
            return getattr(inner, name)

        def __call__(self, x: np.ndarray) -> Any:
            tensors.append(np.array(x, dtype=np.float32))
            return inner(x)

    gate.session = Recording()
    used: list[str] = []
    for name in [*SETS, *CALIBRATION_ONLY]:
        rest = ordered(name)[0 if name in CALIBRATION_ONLY else COMPARED:]
        random.Random(7).shuffle(rest)
        taken = 0
        for path in rest:
            if taken == CALIBRATION:
                break
            try:
                engine.read(imageio.load(path).rgb)
            except PixelSafeError:
                continue
            taken += 1
            used.append(str(path.relative_to(EVAL)))
    input_name = inner.session.get_inputs()[0].name

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.items = iter(tensors)

        def get_next(self) -> dict[str, np.ndarray] | None:
            x = next(self.items, None)
            return None if x is None else {input_name: x}

    DET_INT8_RANGES.unlink(missing_ok=True)
    quantized_detector(ocr_model_paths()["det"], reader=Reader())
    print(f"{len(tensors)} detector inputs from {len(used)} images -> {DET_INT8_RANGES}")
    print("\n".join(used))


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def compare(n: int, output: Path | None) -> None:
    engines = {"float32": OcrEngine(OcrConfig(int8_detector=False, int8_gate=False)),
               "int8": OcrEngine(OcrConfig(int8_detector=True))}
    out = [f"# bench/ocr_int8.py compare -n {n}, 2 cores\n",
           "| set | images | lines float32 | lines int8 | same text and box | lost | new | "
           "characters kept | ms float32 | ms int8 |", "|---|---|---|---|---|---|---|---|---|---|"]
    diffs: list[str] = []
    for name in SETS:
        images = same = lost = new = matched = chars = 0
        count = {k: 0 for k in engines}
        ms: dict[str, list[float]] = {k: [] for k in engines}
        for path in ordered(name)[:min(n, COMPARED)]:
            read = read_alternately(engines, path, ms)
            if read is None:
                continue
            images += 1
            a, b = read["float32"], read["int8"]
            count = {k: count[k] + len(v) for k, v in read.items()}
            ta, tb = " ".join(ln.text for ln in a), " ".join(ln.text for ln in b)
            blocks = difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_matching_blocks()
            matched += sum(m.size for m in blocks)
            chars += len(ta)
            taken: set[int] = set()
            where = path.relative_to(EVAL)
            for la in a:
                score, j = max(((iou(la.rect, lb.rect), j) for j, lb in enumerate(b)),
                               default=(0.0, -1))
                if score > 0.5:
                    taken.add(j)
                    if b[j].text == la.text:
                        same += 1
                    else:
                        diffs.append(f"| {where} | {la.text} | {b[j].text} |")
                else:
                    lost += 1
                    diffs.append(f"| {where} | {la.text} | - |")
            for j, lb in enumerate(b):
                if j not in taken:
                    new += 1
                    diffs.append(f"| {where} | - | {lb.text} |")
        out.append(f"| {name} | {images} | {count['float32']} | {count['int8']} | {same} | "
                   f"{lost} | {new} | {matched / max(1, chars):.4f} | "
                   f"{statistics.median(ms['float32']):.0f} | "
                   f"{statistics.median(ms['int8']):.0f} |")
        print(out[-1], flush=True)
    out += ["", "characters kept: characters of the float32 text found, in order, in the int8 "
            "text. ms: median OCR time per image.", "", "## Lines that differ", "",
            "| image | float32 | int8 |", "|---|---|---|", *diffs]
    text = "\n".join(out) + "\n"
    if output:
        output.write_text(text)
    sys.stdout.write(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("calibrate", "compare"))
    ap.add_argument("-n", type=int, default=COMPARED, help="images per set (compare)")
    ap.add_argument("--output", type=Path, default=None)
    a = ap.parse_args()
    if a.what == "calibrate":
        calibrate()
    else:
        compare(a.n, a.output)


if __name__ == "__main__":
    main()
