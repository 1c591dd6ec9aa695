"""Runs PixelSafe in a process of its own, as deface_runner.py and presidio_runner.py run
the peers: the models load first (not timed), then one JSON line per image with its
milliseconds, then the process's peak resident memory.

    python ours_runner.py full|faces IMAGE...
"""

from __future__ import annotations

import json
import sys
import time

from PIL import Image
from rss import print_peak_rss  # bench/rss.py, beside this script

from pixelsafe.detectors import registry
from pixelsafe.pipeline import Analyzer


def main() -> None:
    mode, paths = sys.argv[1], sys.argv[2:]
    analyzer = Analyzer(registry.build(registry.DEFAULT if mode == "full" else ("faces",)))
    analyzer.analyze(Image.new("RGB", (64, 48), (128, 128, 128)))  # loads every model
    for path in paths:
        t = time.perf_counter()
        report = analyzer.analyze(path)
        ms = (time.perf_counter() - t) * 1000
        print(json.dumps({"path": path, "ms": round(ms, 1),
                          "findings": len(report.findings)}), flush=True)
    print_peak_rss()


if __name__ == "__main__":
    main()
