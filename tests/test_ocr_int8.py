"""The text detector in int8 (issue 26): every convolution is quantized by the shipped
ranges, its probability map stays close to the float32 one, and text reads as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from PIL import Image

from pixelsafe.models import ocr_model_paths
from pixelsafe.models.ocr import (
    DET_FLOAT_CONVS,
    DET_INT8_RANGES,
    OcrConfig,
    OcrEngine,
    quantized_detector,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def int8_model() -> bytes:
    return quantized_detector(ocr_model_paths()["det"])


def test_every_convolution_but_the_chosen_two_runs_in_int8(int8_model):
    """Each convolution's input and weights come through a DequantizeLinear, but for the
    two kept in float32 on purpose."""
    assert DET_INT8_RANGES.is_file()
    graph = onnx.load_from_string(int8_model).graph
    made_by = {out: node.op_type for node in graph.node for out in node.output}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    assert len(convs) == 83
    for conv in convs:
        quantized = conv.name not in DET_FLOAT_CONVS
        assert (made_by.get(conv.input[0]) == "DequantizeLinear") is quantized, conv.name
        assert (made_by.get(conv.input[1]) == "DequantizeLinear") is quantized, conv.name


def _tensor(path: Path, side: int = 960) -> np.ndarray:
    im = Image.open(path).convert("RGB")
    im = im.resize((side, side * im.height // im.width // 32 * 32))
    x = (np.asarray(im, dtype=np.float32) / 255 - 0.5) / 0.5  # the detector's normalisation
    return x.transpose(2, 0, 1)[None]


def test_the_probability_map_stays_close(int8_model):
    full = onnxruntime.InferenceSession(str(ocr_model_paths()["det"]),
                                        providers=["CPUExecutionProvider"])
    small = onnxruntime.InferenceSession(int8_model, providers=["CPUExecutionProvider"])
    x = _tensor(SAMPLES / "letter-contact-details.png")
    p_full = full.run(None, {"x": x})[0]
    p_int8 = small.run(None, {"x": x})[0]
    text_full, text_int8 = p_full > 0.3, p_int8 > 0.3  # RapidOCR's threshold
    agree = (text_full & text_int8).sum() / (text_full | text_int8).sum()
    assert text_full.sum() > 1000
    assert agree > 0.85
    assert float(np.abs(p_full - p_int8).mean()) < 0.005  # 0.0024; ranges 3x too wide: 0.009


def test_text_reads_as_with_the_float32_detector():
    with Image.open(SAMPLES / "letter-contact-details.png") as im:
        page = im.convert("RGB")
    float32 = [ln.text for ln in OcrEngine(OcrConfig(int8_detector=False)).read(page)]
    int8 = [ln.text for ln in OcrEngine(OcrConfig(int8_detector=True)).read(page)]
    assert len(int8) == len(float32)
    same = sum(a == b for a, b in zip(float32, int8, strict=True))
    assert same >= 0.9 * len(float32)
    joined = " ".join(int8)
    for needle in ("jane.doe@example.org", "+44 20 7946 0958", "221B Baker Street"):
        assert needle in joined



def test_the_int8_model_is_kept_in_the_cache_and_made_again_when_broken(tmp_path, monkeypatch):
    import stat

    from pixelsafe.models import ocr

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made: list[int] = []
    real = ocr.quantized_detector

    def counting(path, reader=None):
        made.append(1)
        return real(path, reader)

    monkeypatch.setattr(ocr, "quantized_detector", counting)
    det = ocr_model_paths()["det"]
    ocr.int8_detector_session(det, threads=1)
    (kept,) = (tmp_path / "pixelsafe" / "models").glob("ocr-det-int8-*.onnx")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    ocr.int8_detector_session(det, threads=1)
    assert len(made) == 1  # read back, not prepared again
    kept.write_bytes(b"not a model")
    session = ocr.int8_detector_session(det, threads=1)
    assert len(made) == 2
    assert session.get_inputs()[0].name == "x"
    assert kept.read_bytes()[:4] != b"not "
