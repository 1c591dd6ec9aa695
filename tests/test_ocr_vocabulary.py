"""The recogniser cut to the characters PixelSafe keeps (issue 26): its output is the full
model's softmax restricted to the kept classes and renormalised, and text reads as before."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
from PIL import Image, ImageDraw, ImageFont

from pixelsafe.models import ocr_model_paths
from pixelsafe.models.ocr import OcrConfig, OcrEngine, kept_characters_model
from pixelsafe.text.page import clean_text


@pytest.fixture(scope="module")
def sessions():
    path = ocr_model_paths()["rec"]
    full = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return full, kept_characters_model(path, threads=1)


def text_line(text: str, width: int = 480) -> np.ndarray:
    """A rendered line as RapidOCR feeds it to the recogniser: 48 px high, -1..1, NCHW."""
    im = Image.new("RGB", (width, 48), "white")
    ImageDraw.Draw(im).text((6, 8), text, font=ImageFont.load_default(size=28), fill="black")
    x = (np.asarray(im, dtype=np.float32) / 255 - 0.5) / 0.5
    return x.transpose(2, 0, 1)[None]


def test_the_cut_model_is_the_full_softmax_on_the_kept_classes(sessions):
    full, kept = sessions
    chars = full.get_modelmeta().custom_metadata_map["character"].splitlines()
    kept_chars = kept.get_modelmeta().custom_metadata_map["character"].splitlines()
    assert kept_chars == [c for c in chars if clean_text(c)]
    assert 2000 < len(kept_chars) < len(chars) // 4
    columns = [0] + [i + 1 for i, c in enumerate(chars) if clean_text(c)] + [len(chars) + 1]
    batch = np.concatenate([text_line("Jane Roe 0165498845"), text_line("P<USAHODGE<<ROBERT<<<")])
    p_full = full.run(None, {"x": batch})[0]
    p_kept = kept.run(None, {"x": batch})[0]
    assert p_kept.shape == (*p_full.shape[:2], len(columns))
    expected = p_full[..., columns]
    expected /= expected.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(p_kept, expected, rtol=1e-3, atol=1e-5)


def test_text_reads_as_with_the_full_model():
    im = Image.new("RGB", (900, 260), "white")
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=36)
    d.text((30, 30), "Cashier: Jane Roe", font=font, fill="black")
    d.text((30, 100), "Tel 016-5498845  jane@example.org", font=font, fill="black")
    d.text((30, 170), "IBAN DE89 3704 0044 0532 0130 00", font=font, fill="black")
    lines_full = OcrEngine(OcrConfig(kept_characters_only=False)).read(im)
    lines_kept = OcrEngine(OcrConfig(kept_characters_only=True)).read(im)
    assert [ln.text for ln in lines_kept] == [ln.text for ln in lines_full]
    assert any("jane@example.org" in ln.text for ln in lines_kept)
    for a, b in zip(lines_kept, lines_full, strict=True):
        assert a.score == pytest.approx(b.score, abs=0.02)
