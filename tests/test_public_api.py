"""Issue 27: the Python API offered only `analyze` and `Report`. It now offers what the CLI
does, on the same calls: detector choice, redact, strip, restore."""

from __future__ import annotations

import hashlib

import pytest
from conftest import SAMPLES
from PIL import Image

import pixelsafe
from pixelsafe.errors import UnknownDetectorError
from pixelsafe.report import Kind


def test_the_package_names_its_api() -> None:
    for name in ("analyze", "scan", "redact", "strip", "restore", "Analyzer", "Report",
                 "RedactOptions", "RedactResult", "DETECTORS"):
        assert name in pixelsafe.__all__ and getattr(pixelsafe, name) is not None


def test_analyze_with_a_choice_of_detectors() -> None:
    photo = SAMPLES / "street-with-gps.jpg"
    only = pixelsafe.analyze(photo, detectors=["metadata"])
    assert only.findings and {f.kind for f in only.findings} <= {Kind.LOCATION, Kind.METADATA}
    assert {f.kind for f in pixelsafe.analyze(photo).findings} >= {Kind.FACE, Kind.LOCATION}
    with pytest.raises(UnknownDetectorError):
        pixelsafe.analyze(photo, detectors=["telepathy"])


def test_redact_strip_and_restore(tmp_path) -> None:
    src = tmp_path / "crowd.png"
    src.write_bytes((SAMPLES / "crowd-maksssksksss373.png").read_bytes())
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    result = pixelsafe.redact(src, tmp_path / "red.png",
                              pixelsafe.RedactOptions(passphrase="correct horse battery"))
    assert isinstance(result, pixelsafe.RedactResult) and result.encrypted and result.regions
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # never touched
    back = pixelsafe.restore(tmp_path / "red.png", tmp_path / "back.png",
                             "correct horse battery")
    assert Image.open(back).convert("RGB").tobytes() == Image.open(src).convert("RGB").tobytes()
    gps = SAMPLES / "street-with-gps.jpg"
    clean = pixelsafe.strip(gps, tmp_path / "clean.jpg")
    assert not [f for f in pixelsafe.analyze(clean, detectors=["metadata"]).findings
                if f.kind is Kind.LOCATION]
