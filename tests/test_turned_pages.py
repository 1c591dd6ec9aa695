"""Issue 31: a page photographed on its side is read upright (the OCR reads it turned a
quarter each way and keeps the reading that reads most), and what the text readers find
lies where it is printed in the photo as it is."""

from __future__ import annotations

import pytest
from conftest import SAMPLES
from PIL import Image

from pixelsafe import imageio
from pixelsafe.detectors import registry
from pixelsafe.models.cache import shared
from pixelsafe.models.ocr import OcrEngine, read_upright
from pixelsafe.pipeline import Analyzer
from pixelsafe.report import Kind

LETTER = SAMPLES / "letter-contact-details.png"


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def turned(box: tuple[float, ...], method: Image.Transpose, width: int, height: int
           ) -> tuple[float, ...]:
    """A box of the upright page in the page turned by ``method``."""
    x1, y1, x2, y2 = box
    if method is Image.Transpose.ROTATE_90:  # counter-clockwise: (x, y) -> (y, width - x)
        return (y1, width - x2, y2, width - x1)
    return (height - y2, x1, height - y1, x2)  # clockwise: (x, y) -> (height - y, x)


def personal(path) -> list[tuple[str, str, tuple[float, ...]]]:
    report = Analyzer(registry.build(["text"])).analyze(path)
    return [(f.label, f.text or "", (f.box.x1, f.box.y1, f.box.x2, f.box.y2))
            for f in report.findings if f.kind is Kind.PERSONAL_TEXT and f.box is not None]


def test_an_upright_page_is_read_once() -> None:
    lines, turn = read_upright(shared().get(OcrEngine), imageio.load(LETTER).rgb)
    assert turn == 0 and any("@" in line.text for line in lines)


@pytest.mark.parametrize("method", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270],
                         ids=["anticlockwise", "clockwise"])
def test_a_page_on_its_side_gives_what_it_gives_upright(tmp_path, method) -> None:
    """The letter turned a quarter: the same personal text (label and text) as upright,
    each box where the upright box lands once turned (IoU >= 0.5)."""
    upright = Image.open(LETTER).convert("RGB")
    path = tmp_path / "turned.png"
    upright.transpose(method).save(path)
    lines, turn = read_upright(shared().get(OcrEngine), imageio.load(path).rgb)
    assert turn == (1 if method is Image.Transpose.ROTATE_270 else 3)  # turned back upright
    want = personal(LETTER)
    got = personal(path)
    assert len(want) >= 5
    for label, text, box in want:
        place = turned(box, method, upright.width, upright.height)
        assert any(g[0] == label and g[1] == text and iou(g[2], place) >= 0.5 for g in got), (
            label, text, place, got)
    assert len(got) == len(want)
