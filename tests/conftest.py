from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
#: what the app derives from photos goes to a per-user data folder: one for this test run,
#: never the developer's own (subprocesses inherit it)
os.environ.setdefault("PIXELSAFE_DATA", tempfile.mkdtemp(prefix="pixelsafe-test-data-"))
#: the shared evaluation sets beside the clone; the unit tests run without them
#: (tests/test_units_without_shared.py checks that), the integration tests need them
SHARED = Path(os.environ.get("PIXELSAFE_SHARED") or ROOT.parent / "shared")
EVAL = SHARED / "eval"
#: a test that reads ../shared (evaluation images, recorded VLM answers): skipped with one
#: reason when a clone has no ../shared beside it, and the whole run refused under CI=true
needs_shared = pytest.mark.needs_shared
needs_eval = needs_shared
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_shared: reads ../shared (eval sets, recorded "
                            "VLM answers); skipped when it is absent, required under CI")
    if IN_CI and not SHARED.is_dir():
        raise pytest.UsageError(f"{SHARED} is missing: CI runs every test, and the ones "
                                "marked needs_shared read it (copy ../shared beside the clone)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(reason=f"needs {SHARED} (the evaluation sets and recorded VLM "
                                   "answers), which is not beside this clone")
    for item in items:
        if item.get_closest_marker("needs_shared"):
            item.add_marker(skip)
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


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid PNG header claiming width x height pixels, without the pixel data."""
    import struct
    import zlib

    data = encode(Image.new("L", (1, 1)), "PNG")
    ihdr = data.index(b"IHDR")
    chunk = b"IHDR" + struct.pack(">II", width, height) + data[ihdr + 12: ihdr + 17]
    return (data[: ihdr - 4] + struct.pack(">I", 13) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + data[ihdr + 21:])
