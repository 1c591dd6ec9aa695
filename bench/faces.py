"""Face quality and speed, PixelSafe beside deface 1.5.0, on the same images in one run.

    .venv/bin/python bench/faces.py [--quick]

* WIDER (126-image val subset): official AP for easy/medium/hard (face_eval.wider_ap).
* faces-crowd: recall/precision at IoU 0.5, at each tool's default threshold, and the
  threshold with the best F1 for PixelSafe (that is how its default was chosen).
* photos: real camera/phone JPEGs from the metadata sets (0.3-12 MP), for time only.
* deface runs in its own venv (.bench-venvs/deface, created here with pip) through its
  own CenterFace class at its defaults (full-resolution input, threshold 0.2); its CLI is
  also timed end to end on the WIDER images, as a user would run it.
* time per image: detector only (load excluded) for both, in this same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import face_eval as fe  # noqa: E402

from pixelsafe import imageio  # noqa: E402
from pixelsafe.detectors.faces import FaceDetector  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFACE_VENV = ROOT / ".bench-venvs" / "deface"
DEFACE_PY = DEFACE_VENV / "bin" / "python"
DEFACE_THRESHOLD = 0.2  # deface's default --thresh


def ensure_deface() -> None:
    if DEFACE_PY.exists() and subprocess.run([DEFACE_PY, "-c", "import deface"],
                                             capture_output=True).returncode == 0:
        return
    subprocess.run([sys.executable, "-m", "venv", DEFACE_VENV], check=True)
    subprocess.run([DEFACE_PY, "-m", "pip", "install", "--quiet", "deface==1.5.0"], check=True)


def run_deface(paths: list[Path], threshold: float) -> dict[str, tuple[np.ndarray, float]]:
    out = subprocess.run([DEFACE_PY, str(Path(__file__).with_name("deface_runner.py")),
                          str(threshold)], input="\n".join(map(str, paths)),
                         capture_output=True, text=True, check=True).stdout
    rows = [r for line in out.splitlines() if line.startswith("{")
            if "path" in (r := json.loads(line))]
    return {r["path"]: (np.array(r["dets"], dtype=np.float64).reshape(-1, 5), r["ms"])
            for r in rows}


def run_ours(det: FaceDetector, paths: list[Path]) -> dict[str, tuple[np.ndarray, float]]:
    out = {}
    for p in paths:
        rgb = imageio.load(p).rgb
        t0 = time.perf_counter()
        dets = det.raw(rgb)
        out[str(p)] = (dets.astype(np.float64), (time.perf_counter() - t0) * 1000)
    return out


def ms_stats(res: dict[str, tuple[np.ndarray, float]]) -> str:
    times = [t for _, t in res.values()]
    return f"{statistics.median(times):.0f} ms median, {statistics.mean(times):.0f} ms mean"


def photo_set(limit: int) -> list[tuple[Path, float]]:
    """Camera JPEGs of at least 2 MP with their megapixels (read from the header only)."""
    folder = fe.EVAL / "metadata-extractor" / "metadata-extractor-images" / "jpg"
    found = []
    for p in sorted(folder.glob("*.jpg")):
        try:
            width, height = imageio.open_image(imageio.read_bytes(p), p.name).size
        except Exception:
            continue
        if width * height >= 2_000_000:
            found.append((p, width * height / 1e6))
    return found[:limit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a few images per set")
    args = parser.parse_args()
    n = 12 if args.quick else 10_000
    ensure_deface()
    det = FaceDetector()
    det.raw(imageio.load(fe.crowd_images()[0]).rgb)  # load the model outside the timings

    print("# Faces: PixelSafe vs deface 1.5.0 (same machine, same run)\n")
    wider = fe.wider_images()[:n]
    wpaths = [fe.WIDER / "images" / name for name in wider]
    ours_w, theirs_w = run_ours(det, wpaths), run_deface(wpaths, DEFACE_THRESHOLD)
    ap_ours = fe.wider_ap({nm: fe.to_original(nm, ours_w[str(p)][0])
                           for nm, p in zip(wider, wpaths, strict=True)})
    ap_theirs = fe.wider_ap({nm: fe.to_original(nm, theirs_w[str(p)][0])
                             for nm, p in zip(wider, wpaths, strict=True)})
    print(f"## WIDER FACE val subset ({len(wider)} images, 416x416), official AP\n")
    print("| tool | easy | medium | hard | time per image |\n|---|---|---|---|---|")
    print(f"| PixelSafe | {ap_ours['easy']:.3f} | {ap_ours['medium']:.3f} | "
          f"{ap_ours['hard']:.3f} | {ms_stats(ours_w)} |")
    print(f"| deface 1.5.0 | {ap_theirs['easy']:.3f} | {ap_theirs['medium']:.3f} | "
          f"{ap_theirs['hard']:.3f} | {ms_stats(theirs_w)} |\n")

    crowd = fe.crowd_images()[:n]
    ours_c, theirs_c = run_ours(det, crowd), run_deface(crowd, DEFACE_THRESHOLD)
    gts = {p.name: fe.crowd_gt(p) for p in crowd}
    ours_pred = {p.name: ours_c[str(p)][0] for p in crowd}
    theirs_pred = {p.name: theirs_c[str(p)][0] for p in crowd}
    sweep = [(fe.crowd_pr(ours_pred, gts, t).f1, round(float(t), 2))
             for t in np.arange(0.10, 0.91, 0.05)]
    best_f1, best_t = max(sweep)
    ours_default = det.config.threshold
    print(f"## faces-crowd ({len(crowd)} images, {sum(len(g) for g in gts.values())} faces), "
          "IoU >= 0.5\n")
    print("| tool | threshold | recall | precision | F1 | time per image |")
    print("|---|---|---|---|---|---|")
    for label, preds, thr, res in (
        ("PixelSafe (default)", ours_pred, ours_default, ours_c),
        ("PixelSafe", ours_pred, DEFACE_THRESHOLD, ours_c),
        ("deface 1.5.0 (default)", theirs_pred, DEFACE_THRESHOLD, theirs_c),
    ):
        r = fe.crowd_pr(preds, gts, thr)
        print(f"| {label} | {thr:.2f} | {r.recall:.3f} | {r.precision:.3f} | {r.f1:.3f} | "
              f"{ms_stats(res)} |")
    print(f"\nBest-F1 threshold for PixelSafe on this set: {best_t:.2f} (F1 {best_f1:.3f}); "
          f"the shipped default is {ours_default:.2f}.\n")

    photo_sizes = photo_set(3 if args.quick else 12)
    if photo_sizes:
        photos = [p for p, _ in photo_sizes]
        ours_p, theirs_p = run_ours(det, photos), run_deface(photos, DEFACE_THRESHOLD)
        mp = statistics.median(size for _, size in photo_sizes)
        print(f"## Camera photos ({len(photos)} JPEGs >= 2 MP, median {mp:.1f} MP), time only\n")
        print("| tool | time per image |\n|---|---|")
        print(f"| PixelSafe | {ms_stats(ours_p)} |\n| deface 1.5.0 | {ms_stats(theirs_p)} |\n")

    with tempfile.TemporaryDirectory() as tmp:
        for p in wpaths:
            shutil.copy(p, Path(tmp) / p.name)
        files = sorted(str(p) for p in Path(tmp).glob("*.jpg"))
        t0 = time.perf_counter()
        subprocess.run([DEFACE_VENV / "bin" / "deface", *files], check=True,
                       capture_output=True)
        deface_cli = (time.perf_counter() - t0) / len(files) * 1000
        t0 = time.perf_counter()
        subprocess.run([ROOT / ".venv" / "bin" / "pixelsafe", "analyze", "--json",
                        "--detectors", "faces", *files], check=True, capture_output=True)
        ours_cli = (time.perf_counter() - t0) / len(files) * 1000
    print(f"## Whole command, {len(files)} WIDER images (start-up included)\n")
    print("| command | wall time per image |\n|---|---|")
    print(f"| `pixelsafe analyze --json --detectors faces` | {ours_cli:.0f} ms |")
    print(f"| `deface` (writes blurred copies) | {deface_cli:.0f} ms |")


if __name__ == "__main__":
    main()
