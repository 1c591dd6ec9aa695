"""The unit tests need nothing from ../shared: loading, MRZ, recognisers, fusion, the
report model, payloads, metadata, the text rules and the detector contract run on a clone
alone (the metadata tests that compare with an eval set skip there)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

UNIT_TESTS = ["test_imageio.py", "test_mrz.py", "test_recognizers.py", "test_fuse.py",
              "test_model.py", "test_payloads.py", "test_metadata.py", "test_text_rules.py",
              "test_contract.py", "test_architecture.py"]


def test_unit_tests_pass_without_the_shared_folder(tmp_path) -> None:
    env = {**os.environ, "PIXELSAFE_SHARED": str(tmp_path / "no-shared")}
    env.pop("CI", None)  # under CI a missing ../shared refuses the run (tested below)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *(str(ROOT / "tests" / name) for name in UNIT_TESTS)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " skipped" in proc.stdout  # the eval comparisons


def test_ci_refuses_to_run_without_the_shared_folder(tmp_path) -> None:
    env = {**os.environ, "PIXELSAFE_SHARED": str(tmp_path / "no-shared"), "CI": "true"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "test_fuse.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "no-shared is missing" in proc.stdout + proc.stderr
