"""`bench/run.py --quick` as a smoke test: the whole benchmark run completes and writes
every section. Its speed figures are not asserted (they belong to bench/RESULTS.md)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, needs_shared


@needs_shared
def test_quick_benchmark_run_completes(tmp_path):
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick",
                           "--output", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    for heading in ("## Speed per image type", "## Rescanning an unchanged library",
                    "## GPS positions",
                    "## The VLM-only pipeline", "## Faces: WIDER AP", "## Text, documents",
                    "## Protection"):
        assert heading in text, heading
    for kind in ("photo", "document page", "receipt", "12 MP photo", "48 MP photo"):
        assert f"| {kind} | PixelSafe (all detectors) |" in text, kind
    assert "failed" not in text.split("## Rescanning")[0]
    assert "exited with" not in text
