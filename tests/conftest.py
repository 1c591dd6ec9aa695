from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVAL = SHARED / "eval"
SAMPLES = ROOT / "samples"
CROWD_IMAGE = EVAL / "faces-crowd" / "images" / "maksssksksss110.png"


@pytest.fixture(scope="session")
def analyzer():
    from pixelsafe.pipeline import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def face_detector():
    from pixelsafe.detectors.faces import FaceDetector

    return FaceDetector()


def encode(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kwargs)
    return buf.getvalue()
