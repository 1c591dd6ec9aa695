from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import CROWD_IMAGE, EVAL, SAMPLES, needs_shared
from PIL import Image

from pixelsafe import imageio
from pixelsafe.detectors import faces
from pixelsafe.detectors.base import Deadline
from pixelsafe.detectors.faces import (
    FaceConfig,
    FaceDetector,
    _tiles,
    decode,
    fine_windows,
    nms,
    plan,
)
from pixelsafe.errors import ModelHashError, ModelMissingError
from pixelsafe.models import CENTERFACE, model_path
from pixelsafe.models.centerface import CenterFaceModel
from pixelsafe.pipeline import Analyzer
from pixelsafe.report import Box


def test_decode_known_tensor():
    heat = np.zeros((8, 8), np.float32)
    heat[2, 3] = 0.9
    heat[5, 5] = 0.01  # under the threshold
    scale = np.full((2, 8, 8), math.log(20 / 4), np.float32)  # 20 px high and wide
    offset = np.zeros((2, 8, 8), np.float32)
    offset[:, 2, 3] = (0.25, -0.5)  # dy, dx in grid cells
    dets = decode(heat, scale, offset, threshold=0.1)
    assert dets.shape == (1, 5)
    cx, cy = (3 - 0.5 + 0.5) * 4, (2 + 0.25 + 0.5) * 4
    assert dets[0] == pytest.approx([cx - 10, cy - 10, cx + 10, cy + 10, 0.9])


def test_nms_keeps_the_best_of_overlapping_boxes():
    dets = np.array([[0, 0, 10, 10, 0.5], [1, 1, 11, 11, 0.9], [50, 50, 60, 60, 0.3]], np.float32)
    kept = nms(dets, 0.4)
    assert kept[:, 4].tolist() == pytest.approx([0.9, 0.3])


@pytest.mark.parametrize(
    ("size", "scales"),
    [
        ((416, 416), [1.0, 2.0]),  # small: full size plus a 2x pass for tiny faces
        ((4000, 3000), [0.256, math.sqrt(4_000_000 / 12_000_000)]),  # 12 MP: both reduced
        ((1600, 1200), [0.64, math.sqrt(4_000_000 / 1_920_000)]),
    ],
)
def test_plan_scales(size, scales):
    passes = plan(*size, FaceConfig())
    assert [p.scale for p in passes] == pytest.approx(scales)


@pytest.mark.parametrize(("length", "tile"), [(100, 1024), (1024, 1024), (2309, 1024)])
def test_tiles_cover_every_pixel(length, tile):
    starts = _tiles(length, tile, 128)
    covered = np.zeros(length, bool)
    for s in starts:
        covered[s:s + tile] = True
    assert covered.all() and all(s + min(tile, length) <= length for s in starts)


def test_fine_windows_look_only_near_what_the_coarse_pass_saw():
    cfg = FaceConfig(gate=0.05, gate_margin=32, gate_block=64)
    heat = np.zeros((192, 256), np.float32)  # a 1024x768 coarse input
    assert fine_windows(heat, 2.0, 2048, 1536, cfg) == []
    heat[100, 200] = 0.06  # coarse pixels 800..804, 400..404: fine 1600..1608, 800..808
    windows = fine_windows(heat, 2.0, 2048, 1536, cfg)
    covered = np.zeros((1536, 2048), bool)
    for x, y, w, h in windows:
        covered[y:y + h, x:x + w] = True
    assert covered[800 - 32:808 + 32, 1600 - 32:1608 + 32].all()  # the cell and its margin
    assert covered.mean() < 0.02
    heat[100, 200] = 0.04  # under the gate
    assert fine_windows(heat, 2.0, 2048, 1536, cfg) == []
    everywhere = fine_windows(heat, 2.0, 2048, 1536, FaceConfig(gate=0))
    covered[:] = False
    for x, y, w, h in everywhere:
        covered[y:y + h, x:x + w] = True
    assert covered.all() and {w[2:] for w in everywhere} == {(1024, 1024)}


@needs_shared
def test_small_faces_in_a_large_frame_are_found_as_without_the_gate(face_detector,
                                                                   monkeypatch):
    """The fine pass looks only where the coarse pass saw a face-like response; faces too
    small for the coarse pass (about 7 px at its scale here) must still be found."""
    from PIL import Image

    crowd = imageio.load(CROWD_IMAGE).rgb
    canvas = Image.new("RGB", (3000, 2000), (128, 140, 120))
    canvas.paste(crowd, (2000, 1200))
    gated = FaceDetector(face_detector.model, FaceConfig())
    ungated = FaceDetector(face_detector.model, FaceConfig(gate=0))
    image = imageio.from_pil(canvas)
    # crops change scores a little: a face at the threshold may come or go
    expected = [f.box.as_list() for f in ungated.detect(image) if f.confidence >= 0.5]
    looked: list[float] = []
    real = faces.fine_windows

    def spy(heat, ratio, width, height, cfg):
        windows = real(heat, ratio, width, height, cfg)
        looked.append(sum(w * h for _, _, w, h in windows) / (width * height))
        return windows

    monkeypatch.setattr(faces, "fine_windows", spy)
    found = [f.box.as_list() for f in gated.detect(image)]
    assert len(looked) == 1 and looked[0] < 0.2  # the fine pass saw the crowd, not the rest
    assert len(expected) >= 20 and len(expected) <= len(found) <= len(expected) + 4
    for box in expected:
        assert max(iou(box, b) for b in found) >= 0.5  # the benchmarks' match


def iou(a, b):
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@needs_shared
def test_real_model_finds_crowd_faces(face_detector):
    import xml.etree.ElementTree as ET

    loaded = imageio.load(CROWD_IMAGE)
    found = face_detector.detect(loaded)
    root = ET.parse(EVAL / "faces-crowd" / "annotations" / "maksssksksss110.xml").getroot()
    gts = [[int(o.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")]
           for o in root.iter("object")]
    matched = sum(1 for g in gts if any(iou(f.box.as_list(), g) >= 0.5 for f in found))
    assert matched >= 0.85 * len(gts), (matched, len(gts))
    assert all(f.kind.value == "face" and f.confidence >= 0.45 for f in found)


def test_weights_are_constants_not_graph_inputs(face_detector):
    """The shipped export also lists every weight as a graph input; left there, onnxruntime
    treats them as overridable and skips constant folding and batch-norm fusion (3x slower)."""
    session = face_detector.model.session()
    assert [i.name for i in session.get_inputs()] == ["input.1"]
    assert session.get_overridable_initializers() == []


def test_boxes_are_in_the_oriented_image(face_detector):
    """street-with-gps.jpg stores the crowd photo sideways with Orientation=6."""
    upright = face_detector.detect(imageio.load(SAMPLES / "crowd-maksssksksss717.png"))
    rotated = imageio.load(SAMPLES / "street-with-gps.jpg")
    assert rotated.orientation == 6
    found = face_detector.detect(rotated)
    assert (rotated.width, rotated.height) == (510, 287)
    assert len(found) == len(upright) >= 3
    for f in upright:
        assert max(iou(f.box.as_list(), g.box.as_list()) for g in found) > 0.7


@pytest.mark.parametrize("turn", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270])
def test_faces_lying_on_their_side_are_found(face_detector, turn):
    """Issue 27: a face lying on its side (a sleeper; a photo turned in its pixels, with no
    orientation tag) was invisible to the upright passes: on crowd-maksssksksss717 turned
    a quarter, 0 of its faces were found. The turned pass finds them where they are."""
    image = Image.open(SAMPLES / "crowd-maksssksksss717.png").convert("RGB")
    upright = face_detector.detect(imageio.from_pil(image))
    turned = image.transpose(turn)
    found = face_detector.detect(imageio.from_pil(turned))
    w, h = image.size
    for f in upright:  # where each upright face lies in the turned image
        x1, y1, x2, y2 = f.box.as_list()
        want = [y1, w - x2, y2, w - x1] if turn is Image.Transpose.ROTATE_90 else \
            [h - y2, x1, h - y1, x2]
        assert max((iou(g.box.as_list(), want) for g in found), default=0) > 0.5, want
    without = FaceDetector(face_detector.model, FaceConfig(turned_side=0))
    assert len(without.detect(imageio.from_pil(turned))) < len(upright)


def test_no_faces_in_a_blank_image(face_detector):
    assert face_detector.detect(imageio.from_pil(Image.new("RGB", (640, 480), "white"))) == []


def test_expired_deadline_is_reported_not_hidden(face_detector):
    from pixelsafe.detectors.metadata import MetadataDetector

    analyzer = Analyzer([face_detector, MetadataDetector()], timeout=0)
    report = analyzer.analyze(SAMPLES / "street-with-gps.jpg")
    assert [e.type for e in report.analyzer.errors] == ["timeout"]
    assert report.summary.has_location_data  # the metadata detector still reported
    assert "Not checked: faces" in report.explanation
    assert Deadline.after(0).expired()


def test_missing_model_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELSAFE_MODEL_DIR", str(tmp_path))
    with pytest.raises(ModelMissingError, match="make setup"):
        model_path(CENTERFACE)
    report = Analyzer([FaceDetector(CenterFaceModel())]).analyze(SAMPLES / "street-with-gps.jpg")
    assert report.analyzer.errors[0].type == "model_missing"
    assert report.summary.faces == 0 and "Not checked: faces" in report.explanation


def test_altered_model_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELSAFE_MODEL_DIR", str(tmp_path))
    (tmp_path / CENTERFACE.filename).write_bytes(b"not the model")
    with pytest.raises(ModelHashError):
        model_path(CENTERFACE)


def test_faces_run_on_one_core_beside_the_text_and_on_every_core_alone() -> None:
    """With text detectors in the analysis the face network runs in its own thread on one
    core (the OCR's networks use every core); alone it keeps every core."""
    import threading

    from PIL import Image as PILImage

    from pixelsafe.detectors import registry
    from pixelsafe.detectors.faces import FaceDetector
    from pixelsafe.pipeline import Analyzer

    both = Analyzer(registry.build(["faces", "pii"]))
    (faces,) = [d for d in both.detectors if isinstance(d, FaceDetector)]
    assert faces.beside and faces.threads == 1
    alone = Analyzer(registry.build(["faces"]))
    (solo,) = alone.detectors
    assert isinstance(solo, FaceDetector) and not solo.beside and solo.threads is None

    ran: list[tuple[str, int]] = []
    session = faces.model.session

    def recording(threads=None):
        s = session(threads)
        ran.append((threading.current_thread().name,
                    s.get_session_options().intra_op_num_threads))
        return s

    faces.model.session = recording  # type: ignore[method-assign]
    try:
        with PILImage.open(SAMPLES / "crowd-maksssksksss373.png") as im:
            report = both.analyze(im.convert("RGB"))
    finally:
        del faces.model.session
    assert report.summary.faces > 0
    assert ran and all(t.startswith("pixelsafe-bg") and n == 1 for t, n in ran)


def test_a_one_thread_process_runs_the_faces_in_turn() -> None:
    """A batch worker given one thread (several workers share the cores) adds no thread."""
    from pixelsafe.detectors import registry
    from pixelsafe.detectors.faces import FaceDetector
    from pixelsafe.pipeline import Analyzer

    detectors = registry.build(["faces", "pii"])
    (faces,) = [d for d in detectors if isinstance(d, FaceDetector)]
    faces.model = CenterFaceModel(threads=1)
    Analyzer(detectors)
    assert not faces.beside and faces.threads is None


@pytest.mark.parametrize("threshold", [0.45, 0.5, 0.3])
def test_faces_are_those_of_the_full_candidate_list_at_the_threshold(threshold):
    """The detector decodes no candidate under its threshold; what it reports is exactly
    what the full list (down to the floor the bench curves use) gives at that threshold."""
    detector = FaceDetector(config=FaceConfig(threshold=threshold))
    loaded = imageio.load(SAMPLES / "crowd-maksssksksss717.png")
    full = detector.raw(loaded.rgb)
    assert (full[:, 4] < threshold).any()  # the floor's list has candidates under it
    expected = sorted((Box.from_floats(x1, y1, x2, y2, loaded.width, loaded.height),
                       round(float(s), 4)) for x1, y1, x2, y2, s in full if s >= threshold)
    found = sorted((f.box, round(f.confidence, 4)) for f in detector.detect(loaded))
    assert found == expected and found


def test_every_network_sleeps_between_steps_rather_than_spinning() -> None:
    """The faces, the text detector (and its int8 gate) and the recogniser run beside one
    another: none of their sessions keeps worker threads spinning on a core."""
    from pixelsafe.models.cache import shared
    from pixelsafe.models.ocr import OcrEngine

    engine = shared().get(OcrEngine).engine()
    det = engine._load_det_model().session  # the gate around the detector's network
    sessions = {
        "faces": shared().get(CenterFaceModel).session(),
        "text detector": det.session.session,
        "gate's small pass": det.small.session,
        "recogniser": engine._load_rec_model().session.session,
    }
    for name, session in sessions.items():
        options = session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0", name
        assert options.intra_op_num_threads == shared().get(OcrEngine).threads, name
