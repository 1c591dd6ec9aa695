"""The recogniser cut to the characters PixelSafe keeps, against the full model (issue 26).

    .venv/bin/python bench/ocr_vocabulary.py [-n 15] [--output bench/ocr-vocabulary-results.md]

Both engines read the same images in one process, alternately, image by image: receipts,
document pages, passports, plates (two sets) and camera photos from ``../shared/eval``,
``-n`` of each, drawn with a fixed seed. Reported: lines read by each, lines with the same
text and box, every line that differs, the change in line scores, and OCR ms per image.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from pixelsafe import imageio
from pixelsafe.errors import PixelSafeError
from pixelsafe.models.ocr import OcrConfig, OcrEngine
from pixelsafe.text.page import Line

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = {
    "receipts-sroie": "*.jpg",
    "documents-seed": "*.png",
    "passports-seed": "*.png",
    "plates-openalpr": "*.jpg",
    "plates-seed": "*.jpg",
    "metadata-extractor": "*.jpg",
}

def keyed(lines: list[Line]) -> dict[tuple[int, int, int, int], Line]:
    return {tuple(round(v) for v in ln.rect): ln for ln in lines}  # type: ignore[misc]


def read_alternately(engines: dict[str, OcrEngine], path: Path,
                     ms: dict[str, list[float]]) -> dict[str, list[Line]] | None:
    """The lines each engine reads in the image ``path``, one engine after the other, each
    one's time appended to ``ms``; None for a file that does not load."""
    try:
        image = imageio.load(path)
    except PixelSafeError:
        return None
    read: dict[str, list[Line]] = {}
    for which, engine in engines.items():
        t = time.perf_counter()
        try:
            read[which] = engine.read(image.rgb)
        except PixelSafeError:
            read[which] = []
        ms[which].append((time.perf_counter() - t) * 1000)
    return read


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=15, help="images per set")
    ap.add_argument("--output", type=Path, default=None)
    a = ap.parse_args()
    engines = {"full": OcrEngine(OcrConfig(kept_characters_only=False)),
               "kept": OcrEngine(OcrConfig(kept_characters_only=True))}
    out: list[str] = [f"# bench/ocr_vocabulary.py -n {a.n}, 2 cores\n",
                      "| set | images | lines full | lines kept | same text and box | "
                      "ms full | ms kept |", "|---|---|---|---|---|---|---|"]
    diffs: list[str] = []
    deltas: list[float] = []
    for name, pattern in SETS.items():
        files = sorted((EVAL / name).rglob(pattern))
        random.Random(1).shuffle(files)
        count = {"full": 0, "kept": 0}
        ms: dict[str, list[float]] = {"full": [], "kept": []}
        same = images = 0
        for path in files[:a.n]:
            read = read_alternately(engines, path, ms)
            if read is None:
                continue
            images += 1
            full, kept = keyed(read["full"]), keyed(read["kept"])
            count = {k: count[k] + len(v) for k, v in read.items()}
            for box in full.keys() | kept.keys():
                f, k = full.get(box), kept.get(box)
                if f is not None and k is not None and f.text == k.text:
                    same += 1
                    deltas.append(k.score - f.score)
                else:
                    diffs.append(f"| {path.relative_to(EVAL)} | {f.text if f else '-'} | "
                                 f"{k.text if k else '-'} |")
        out.append(f"| {name} | {images} | {count['full']} | {count['kept']} | {same} | "
                   f"{statistics.median(ms['full']):.0f} | {statistics.median(ms['kept']):.0f} |")
        print(out[-1], flush=True)
    big = sum(abs(d) > 0.01 for d in deltas)
    out += ["", f"Scores of the lines read the same: mean change {statistics.fmean(deltas):+.5f}, "
            f"{big} of {len(deltas)} changed by more than 0.01 (max {max(deltas):+.3f}, "
            f"min {min(deltas):+.3f}). ms: median OCR time per image.", "",
            "## Lines that differ", "", "| image | full model | kept characters |", "|---|---|---|",
            *diffs]
    text = "\n".join(out) + "\n"
    if a.output:
        a.output.write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
