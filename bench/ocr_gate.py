"""The OCR gate's own recall and cost (issue 26, step 1), side by side with the ungated OCR in
one run: per set, the lines the ungated OCR reads, how many the gated OCR reads the same
(text and place), how many images the gate let through, and the time per image of each.

    .venv/bin/python bench/ocr_gate.py [--sets 12mp,photos,plates-openalpr,...] [-n 40]

``12mp`` are the camera photos of metadata-extractor scaled to 12 MP (as
``../shared/tools/speedcheck`` makes them), ``plates-seed-12mp`` the plate photos scaled to
12 MP (plates small in a large frame: the gate's risk), in a temporary folder. Below 2 MP at
the detector's scale nothing is gated, so those sets show the cost of no gate.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PIL import Image  # noqa: E402

from pixelsafe import imageio  # noqa: E402
from pixelsafe.errors import PixelSafeError  # noqa: E402
from pixelsafe.models.ocr import GatedDetection, OcrConfig, OcrEngine  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def twelve_mp(srcs: list[Path], name: str) -> list[Path]:
    """The images scaled to 12 MP (4000x3000): text and plates small in a large frame."""
    folder = Path(tempfile.gettempdir()) / f"pixelsafe-bench-{name}"
    folder.mkdir(exist_ok=True)
    out = []
    for i, src in enumerate(srcs):
        dst = folder / f"{name}-{i}.jpg"
        if not dst.exists():
            with Image.open(src) as im:
                im.convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC).save(
                    dst, "JPEG", quality=90)
        out.append(dst)
    return out


def sets(n: int) -> dict[str, list[Path]]:
    seed = EVAL / "plates-seed"
    photos = sorted((EVAL / "metadata-extractor").rglob("*.jpg"), key=lambda p: -p.stat().st_size)
    seed_files = (sorted(seed.rglob("*.jp*g")) + sorted(seed.rglob("*.png")))[:n]
    return {
        "12mp": twelve_mp(photos[:min(n, 12)], "12mp"),
        "plates-seed-12mp": twelve_mp(seed_files, "plates-12mp"),
        "photos": sorted((EVAL / "metadata-extractor").rglob("*.jpg"))[:n],
        "plates-openalpr": sorted((EVAL / "plates-openalpr").rglob("*.jpg"))[:n],
        "plates-seed": (sorted(seed.rglob("*.jp*g")) + sorted(seed.rglob("*.png")))[:n],
        "receipts": sorted((EVAL / "receipts-sroie").rglob("*.jpg"))[:n],
        "documents": sorted((EVAL / "documents-seed").rglob("*.png"))[:n],
        "passports": sorted((EVAL / "passports-seed").rglob("*.png"))[:n],
        "faces-crowd": sorted((EVAL / "faces-crowd").rglob("*.png"))[:n],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", default="12mp,plates-seed-12mp,photos,plates-openalpr,"
                                      "plates-seed,receipts,documents,passports,faces-crowd")
    ap.add_argument("-n", type=int, default=40, help="images per set at most")
    a = ap.parse_args()
    gated = OcrEngine()
    engine = gated.engine()
    det = engine._load_det_model()
    gate = det.session
    assert isinstance(gate, GatedDetection)
    whole = OcrEngine(dataclasses.replace(OcrConfig(), gate_scale=0))
    whole._engine = engine
    print("| set | images | lines (ungated) | read the same gated | images with text, gated | "
          "ungated ms/img | gated ms/img |")
    print("|---|---|---|---|---|---|---|")
    chosen = sets(a.n)
    for name in a.sets.split(","):
        n = lines = same = through = 0
        t_whole = t_gated = 0.0
        for path in chosen[name]:
            try:
                rgb = imageio.load(path).rgb
                det.session = gate.session
                t0 = time.perf_counter()
                before = whole.read(rgb)
                t1 = time.perf_counter()
                det.session = gate
                after = gated.read(rgb)
                t2 = time.perf_counter()
            except PixelSafeError:
                continue
            n += 1
            t_whole += t1 - t0
            t_gated += t2 - t1
            through += bool(after)
            left = [(ln.text, ln.quad) for ln in after]
            for ln in before:
                lines += 1
                if (ln.text, ln.quad) in left:
                    same += 1
                    left.remove((ln.text, ln.quad))
        det.session = gate
        recall = f"{same / lines:.3f}" if lines else "-"
        print(f"| {name} | {n} | {lines} | {same} ({recall}) | {through} | "
              f"{1000 * t_whole / max(1, n):.0f} | {1000 * t_gated / max(1, n):.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
