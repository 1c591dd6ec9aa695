"""Protection benchmark: does anything leak after `redact`, what does it cost in size and
quality, and how long does it take.

    .venv/bin/python bench/protect.py [--limit N]

For every image of faces-crowd, faces-wider, passports-seed and documents-seed: analyse,
redact with the defaults (faces blurred, text filled) without the built-in re-check, then
re-analyse the output independently with a fresh analyser (faces, text, barcodes) and count
what is found again. Faces are also looked for at threshold 0.2, far below the default
0.45, as a stricter detector would. Quality is the PSNR of the output against the input
outside the redacted regions (where nothing should change but the codec's loss).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from text_eval import EVAL  # noqa: E402

from pixelsafe import imageio  # noqa: E402
from pixelsafe.detectors import registry  # noqa: E402
from pixelsafe.detectors.faces import FaceConfig, FaceDetector  # noqa: E402
from pixelsafe.pipeline import Analyzer  # noqa: E402
from pixelsafe.protect import RedactOptions, redact  # noqa: E402
from pixelsafe.protect.core import oriented  # noqa: E402
from pixelsafe.report import Kind  # noqa: E402

SETS = {
    "faces-crowd": lambda: sorted((EVAL / "faces-crowd" / "images").glob("*.png")),
    "faces-wider": lambda: sorted((EVAL / "faces-wider" / "images").rglob("*.jpg")),
    "passports-seed": lambda: sorted((EVAL / "passports-seed").rglob("*.png")),
    "documents-seed": lambda: sorted((EVAL / "documents-seed").rglob("*.png")),
}
LEAK_KINDS = (Kind.FACE, Kind.PERSONAL_TEXT, Kind.LICENSE_PLATE, Kind.BARCODE)


def psnr_outside(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    keep = ~mask
    if not keep.any():
        return float("inf")
    diff = (a.astype(np.float64) - b.astype(np.float64))[keep]
    mse = float(np.mean(diff ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0, help="images per set (0: all)")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    args = ap.parse_args()
    analyzer = Analyzer(registry.build(("faces", "text", "barcodes")))
    checker = Analyzer(registry.build(("faces", "text", "barcodes")))  # independent
    strict = FaceDetector(config=FaceConfig(threshold=0.2))
    print("| set | images | regions redacted | images with a leak | findings found again "
          "| faces found again at 0.2 | size out/in (median) | PSNR outside regions dB "
          "(median) | ms/image (median) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.sets.split(","):
        paths = SETS[name]()
        if args.limit:
            paths = paths[:args.limit]
        leaks_img = found_again = strict_again = regions = 0
        sizes, psnrs, times = [], [], []
        examples: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            for path in paths:
                out = Path(tmp) / (path.stem + path.suffix.lower())
                t = time.perf_counter()
                report = analyzer.analyze(path)
                result = redact(path, out, RedactOptions(verify=False), report=report)
                times.append((time.perf_counter() - t) * 1000)
                regions += len(result.regions)
                again = checker.analyze(out)
                leaked = [f for f in again.findings if f.kind in LEAK_KINDS]
                out_loaded = imageio.load(out)
                strict_faces = [f for f in strict.detect(out_loaded)
                                if any(f.box and f.box.iou(t.box) > 0 for t in result.regions
                                       if t.kind == "face")]
                found_again += len(leaked)
                strict_again += len(strict_faces)
                if leaked:
                    leaks_img += 1
                    examples.append(f"{path.name}: " + ", ".join(
                        f"{f.kind.value}/{f.label} {f.text or ''}" for f in leaked[:3]))
                sizes.append(out.stat().st_size / path.stat().st_size)
                # the source composited over white exactly as the output is read back
                src_px = np.asarray(imageio._to_rgb(oriented(imageio.load(path))))
                out_px = np.asarray(out_loaded.rgb)
                mask = np.zeros(src_px.shape[:2], bool)
                for r in result.regions:
                    mask[r.box.y1:r.box.y2, r.box.x1:r.box.x2] = True
                psnrs.append(psnr_outside(src_px, out_px, mask))
                out.unlink()
        finite = [p for p in psnrs if np.isfinite(p)]
        psnr = f"{statistics.median(finite):.1f}" if finite else "lossless"
        print(f"| {name} | {len(paths)} | {regions} | {leaks_img} | {found_again} | "
              f"{strict_again} | {statistics.median(sizes):.2f} | {psnr} | "
              f"{statistics.median(times):.0f} |", flush=True)
        for e in examples[:5]:
            print(f"   leak: {e}")


if __name__ == "__main__":
    main()
