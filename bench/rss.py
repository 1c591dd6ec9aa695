"""Peak resident memory for the benchmark runners. Standard library only: the runners
import it from this folder inside their own venvs (PixelSafe's, deface's, Presidio's)."""

from __future__ import annotations

import json


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: on Linux that survives
    exec and reports the parent's peak when the parent was bigger."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def print_peak_rss() -> None:
    """The runner's last JSON line, read by bench/run.py."""
    print(json.dumps({"rss_mb": peak_rss_mb()}), flush=True)
