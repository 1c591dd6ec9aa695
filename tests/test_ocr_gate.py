"""The OCR's text-presence gate (issue 26, step 1): a large photo without text costs the
small pass only; one with text, small in the frame, is read exactly as without the gate."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import SAMPLES
from PIL import Image, ImageDraw, ImageFilter

from pixelsafe.models.cache import shared
from pixelsafe.models.ocr import GatedDetection, OcrConfig, OcrEngine


def photo(seed: int = 3, size: tuple[int, int] = (4000, 3000)) -> Image.Image:
    """A photo-like picture with no text: smooth colour fields and soft blobs."""
    rng = np.random.default_rng(seed)
    small = rng.integers(40, 220, (12, 16, 3), dtype=np.uint8)
    im = Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)
    d = ImageDraw.Draw(im)
    for _ in range(25):
        x, y = int(rng.integers(0, size[0])), int(rng.integers(0, size[1]))
        r = int(rng.integers(60, 400))
        d.ellipse((x - r, y - r, x + r, y + r),
                  fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return im.filter(ImageFilter.GaussianBlur(6))


class Counting:
    """The detector's network, counting the sizes it is run at."""

    def __init__(self, session) -> None:
        self.session = session
        self.sizes: list[tuple[int, int]] = []

    def __getattr__(self, name: str):
        return getattr(self.session, name)

    def __call__(self, tensor: np.ndarray) -> np.ndarray:
        self.sizes.append(tensor.shape[2:])
        return self.session(tensor)


@pytest.fixture(scope="module")
def engines():
    """The process's engine (gated) and an ungated one sharing its models; the gate's
    networks (the whole input's, and the small pass's) count their runs."""
    gated = shared().get(OcrEngine)
    engine = gated.engine()
    det = engine._load_det_model()
    assert isinstance(det.session, GatedDetection)
    counting = Counting(det.session.session)
    det.session.session = counting
    small = Counting(det.session.small)
    det.session.small = small
    whole = OcrEngine(dataclasses.replace(gated.config, gate_scale=0))
    whole._engine = engine
    yield gated, whole, det, counting, small
    det.session.session = counting.session
    det.session.small = small.session


def test_a_large_photo_without_text_costs_the_small_pass_only(engines) -> None:
    gated, _, _, counting, small = engines
    counting.sizes.clear()
    small.sizes.clear()
    assert gated.read(photo()) == []
    # one run, at half the detector's scale (1920x1440 -> 960x704 on the 32-pixel grid)
    assert small.sizes == [(704, 960)]
    assert counting.sizes == []


def test_the_small_pass_runs_the_int8_detector() -> None:
    """Its map is the int8 network's: close to the float32 one, not equal to it."""
    gate = OcrEngine(OcrConfig(threads=1)).engine()._load_det_model().session
    im = photo(7, size=(640, 480))
    ImageDraw.Draw(im).text((40, 200), "Jane Roe 016-5498845", fill="black", font_size=40)
    x = ((np.asarray(im, dtype=np.float32) / 255 - 0.5) / 0.5).transpose(2, 0, 1)[None]
    small, full = np.asarray(gate.small(x)), np.asarray(gate.session(x))
    assert small.shape == full.shape
    assert not np.array_equal(small, full)
    assert float(np.abs(small - full).mean()) < 0.01
    plain = OcrEngine(OcrConfig(threads=1, int8_gate=False)).engine()._load_det_model().session
    assert plain.small is plain.session


def test_small_text_in_a_large_photo_is_read_as_without_the_gate(engines) -> None:
    gated, whole, det, counting, _ = engines
    im = photo(5)
    # an ID card a quarter of the frame wide: its fields are 30 px high in a 12 MP photo,
    # 14 px at the detector's scale, 7 px in the gate's small pass
    with Image.open(SAMPLES / "id-card-utopia.jpg") as card:
        im.paste(card.convert("RGB"), (2400, 1700))
    counting.sizes.clear()
    lines = gated.read(im)
    assert {"ERIKSSON", "12.08.1974", "D23145890"} <= {ln.text for ln in lines}
    assert (1440, 1920) in counting.sizes  # the gate saw text: the whole input detected
    det.session, inner = counting, det.session  # the ungated engine, same network
    try:
        assert [(ln.text, ln.quad) for ln in whole.read(im)] == \
            [(ln.text, ln.quad) for ln in lines]
    finally:
        det.session = inner


def test_a_small_image_is_never_gated(engines) -> None:
    gated, _, _, counting, small = engines
    counting.sizes.clear()
    small.sizes.clear()
    gated.read(photo(size=(1600, 1200)))
    assert counting.sizes == [(1216, 1600)]  # the whole input at once, no small pass
    assert small.sizes == []


def test_the_gate_can_be_turned_off() -> None:
    assert OcrConfig(gate_scale=0).gate_scale == 0
    engine = OcrEngine(OcrConfig(gate_scale=0))
    det = engine.engine()._load_det_model()
    assert not isinstance(det.session, GatedDetection)


def test_the_detector_input_is_rapidocr_s_to_the_bit() -> None:
    """The table lookup gives the same float32 values as RapidOCR's float64 arithmetic."""
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    from pixelsafe.models.ocr import _table_preprocess

    det = OcrEngine().engine().text_det
    rng = np.random.default_rng(0)
    for image in (rng.integers(0, 256, (333, 517, 3), dtype=np.uint8),
                  np.asarray(Image.open(SAMPLES / "street-with-gps.jpg").convert("RGB"))):
        ours = _table_preprocess(det)(image)
        theirs = DetPreProcess(det.limit_side_len, det.limit_type, det.mean, det.std)(image)
        assert ours.dtype == theirs.dtype == np.float32
        assert ours.shape == theirs.shape and np.array_equal(ours, theirs)


def test_the_gate_crops_a_box_as_from_the_whole_input() -> None:
    """The gate turns only each box's pixels back into 0..255: the crop is the one the whole
    image would give (the warp's arithmetic, moved by the region's corner, may round one
    level differently in a few pixels)."""
    from rapidocr.utils.process_img import get_rotate_crop_image

    det = OcrEngine().engine().text_det
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    tensor = det.get_preprocess()(image)
    planes = tensor[0].transpose(1, 2, 0)
    whole = np.clip((planes * np.asarray(det.std) + np.asarray(det.mean)) * 255.0, 0, 255
                    ).astype(np.uint8)
    for quad in ([[0, 0], [90, 3], [88, 30], [0, 27]], [[300.4, 200.2], [420, 190],
                                                         [423, 240.7], [302, 251]],
                 [[600, 440], [639, 441], [639, 479], [600, 479]]):
        box = np.asarray(quad, dtype=np.float32)
        expected = get_rotate_crop_image(whole, box)
        ours = GatedDetection.crop(planes, box, det)
        assert ours.shape == expected.shape
        diff = np.abs(ours.astype(int) - expected.astype(int))
        assert diff.max() <= 1 and (diff > 0).mean() < 0.01
