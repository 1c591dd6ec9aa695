"""The detector contract, the registry, the model cache and the policy table."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pytest
from PIL import Image

from pixelsafe import imageio, policy
from pixelsafe.detectors import registry
from pixelsafe.detectors.base import Candidate, Deadline, Detector, Scene
from pixelsafe.errors import AnalysisTimeoutError, UnknownDetectorError
from pixelsafe.models.cache import shared
from pixelsafe.models.centerface import CenterFaceModel
from pixelsafe.models.ocr import OcrEngine
from pixelsafe.pipeline import Analyzer, pipeline_id
from pixelsafe.report import Box, Kind, Redaction


class Fixed(Detector):
    """Returns the candidates it was given."""

    name = "fixed"

    def __init__(self, *candidates: Candidate, min_confidence: float = 0.0) -> None:
        self.given = candidates
        self.min_confidence = min_confidence
        self.calls = 0

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Iterable[Candidate]:
        self.calls += 1
        return self.given


class Broken(Detector):
    name = "broken"

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Iterable[Candidate]:
        raise RuntimeError("a bug in the detector")


@pytest.fixture(scope="module")
def image() -> imageio.LoadedImage:
    return imageio.from_pil(Image.new("RGB", (100, 80), "white"))


def face(box: tuple[float, float, float, float] | None, score: float = 0.9) -> Candidate:
    return Candidate(Kind.FACE, "face", score, "test", box)


@pytest.mark.parametrize("box, expected", [
    ((10.2, 10.7, 20.1, 30.0), Box(10, 10, 21, 30)),   # rounded outwards
    ((-5, -5, 10, 10), Box(0, 0, 10, 10)),             # clipped at the top left
    ((90, 70, 140, 120), Box(90, 70, 100, 80)),        # clipped at the bottom right
    ((0, 0, 100, 80), Box(0, 0, 100, 80)),             # the whole image
    ((100, 10, 120, 20), None),                        # right of the image
    ((10, -30, 20, 0), None),                          # above it
    ((30, 30, 30, 40), None),                          # empty
    ((float("nan"), 0, 10, 10), None),                 # not a number
    ((0, 0, float("inf"), 10), None),
])
def test_boxes_are_clipped_and_outside_ones_dropped(image, box, expected) -> None:
    found = Fixed(face(box)).detect(image)
    assert [f.box for f in found] == ([expected] if expected else [])


def test_low_and_non_finite_confidence_is_dropped_and_high_capped(image) -> None:
    detector = Fixed(face((0, 0, 10, 10), 0.3), face((0, 0, 10, 10), 0.5),
                     face((0, 0, 10, 10), float("nan")), face((0, 0, 10, 10), 1.7),
                     min_confidence=0.45)
    assert [f.confidence for f in detector.detect(image)] == [0.5, 1.0]


def test_findings_get_their_default_redaction_from_the_policy_table(image) -> None:
    found = Fixed(face((0, 0, 10, 10)),
                  Candidate(Kind.PERSONAL_TEXT, "email", 0.9, "test", (0, 0, 10, 10), "a@b.org"),
                  Candidate(Kind.CONTEXT, "child", 0.5, "test", (0, 0, 10, 10)),
                  Candidate(Kind.METADATA, "artist", 1.0, "test", None, "Jane")).detect(image)
    assert [f.redaction for f in found] == [Redaction.BLUR, Redaction.FILL, Redaction.BLUR,
                                           Redaction.STRIP]
    assert found[3].box is None  # a finding with no place keeps none


def test_an_expired_deadline_stops_a_detector_before_it_runs(image) -> None:
    detector = Fixed(face((0, 0, 10, 10)))
    with pytest.raises(AnalysisTimeoutError, match="fixed"):
        detector.detect(image, Deadline.after(-1))
    assert detector.calls == 0
    assert len(detector.detect(image, Deadline.after(60))) == 1


class Beside(Fixed):
    """A detector run in a thread beside the others; records the thread it ran in."""

    name = "beside"
    beside = True

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> Iterable[Candidate]:
        import threading

        self.thread = threading.current_thread().name
        return super()._candidates(scene, deadline)


def test_a_beside_detector_runs_in_its_own_thread_within_the_time(image) -> None:
    import threading

    beside = Beside(face((50, 50, 60, 60)))
    report = Analyzer([beside, Fixed(face((0, 0, 10, 10)))]).analyze(image.rgb)
    assert beside.thread != threading.current_thread().name
    assert report.analyzer.detectors == ("beside", "fixed")  # reported in order
    assert report.summary.faces == 2 and not report.analyzer.errors
    late = Beside(face((50, 50, 60, 60)))
    report = Analyzer([late, Fixed()], timeout=0).analyze(image.rgb)
    assert late.calls == 0  # the analysis's deadline holds in the thread too
    assert ("beside", "timeout") in [(e.detector, e.type) for e in report.analyzer.errors]


def test_a_detector_that_raises_is_an_error_entry_without_a_traceback(
        image, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.INFO)
    report = Analyzer([Broken(), Fixed(face((0, 0, 10, 10)))]).analyze(image.rgb)
    assert [(e.detector, e.type) for e in report.analyzer.errors] == [("broken", "RuntimeError")]
    assert report.summary.faces == 1  # the others still report
    assert "Not checked: broken (a bug in the detector)" in report.explanation
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]  # debug only
    assert "Traceback" not in capsys.readouterr().err


def test_damaged_metadata_is_one_error_entry_and_the_rest_is_kept(tmp_path, monkeypatch
                                                                   ) -> None:
    from pixelsafe.detectors.metadata import MetadataDetector

    exif = Image.Exif()
    exif[0x013B] = "Jane Example"  # Artist, in IFD0
    path = tmp_path / "artist.jpg"
    Image.new("RGB", (32, 32)).save(path, "JPEG", exif=exif)

    def broken_ifd(self, tag):  # noqa: ANN001
        raise SyntaxError("damaged IFD")

    monkeypatch.setattr(Image.Exif, "get_ifd", broken_ifd)
    report = Analyzer([MetadataDetector()]).analyze(path)
    assert [(f.label, f.text) for f in report.findings] == [("artist", "Jane Example")]
    assert [(e.detector, e.type) for e in report.analyzer.errors] == [
        ("metadata", "metadata_unreadable")]
    assert "damaged IFD" in report.analyzer.errors[0].message
    assert "Not checked: metadata" in report.explanation


def test_registry_builds_every_detector_under_its_own_name() -> None:
    built = registry.build()
    assert [d.name for d in built] == list(registry.REGISTRY) == list(registry.DEFAULT)
    assert all(isinstance(d, Detector) for d in built)


def test_each_detector_reports_only_the_kinds_its_registry_entry_declares() -> None:
    """Issue 28, point 5: the detectors that re-check an output for a kind are derived from
    the kinds each registry entry declares (no hand-kept map in the policy table), so a
    detector reporting an undeclared kind would leave that kind unchecked after
    redaction. Every kind the samples give comes from a detector that declares it."""
    from conftest import SAMPLES

    seen: set[Kind] = set()
    detectors = registry.build()
    for path in sorted(SAMPLES.glob("*.*")):
        if path.suffix not in (".png", ".jpg"):
            continue
        scene = Scene(imageio.load(path))  # the readers share its one OCR pass
        for d in detectors:
            for f in d.detect(scene):
                assert f.kind in registry.REGISTRY[d.name].kinds, (path.name, d.name, f.kind)
                seen.add(f.kind)
    assert seen >= {Kind.FACE, Kind.PERSONAL_TEXT, Kind.DOCUMENT, Kind.LOCATION, Kind.METADATA}
    assert registry.rechecks([Kind.PERSONAL_TEXT]) == ["pii", "documents"]
    assert registry.rechecks([Kind.CONTEXT]) == []
    # the pipeline id names each detector with its version: a reader's new rules recompute
    # the reports of every reader, and only of analyses that ran one
    assert "pii@" in pipeline_id(["text"]) and "faces@" not in pipeline_id(["text"])


@pytest.mark.parametrize("names, expected", [
    (["text"], ("pii", "documents", "plates")),
    (["metadata", "faces", "faces"], ("faces", "metadata")),
    (["plates", "text"], ("pii", "documents", "plates")),
])
def test_registry_expands_groups_in_registry_order(names, expected) -> None:
    assert registry.expand(names) == expected


def test_an_unknown_detector_is_a_typed_error() -> None:
    with pytest.raises(UnknownDetectorError, match="ocr"):
        registry.expand(["faces", "ocr"])


def test_one_model_runtime_per_process() -> None:
    from pixelsafe.detectors.faces import FaceDetector

    a, b = Analyzer(registry.build(["faces", "text"])), Analyzer(registry.build(["faces", "pii"]))
    faces = [d for an in (a, b) for d in an.detectors if isinstance(d, FaceDetector)]
    assert faces[0].model is faces[1].model is shared().get(CenterFaceModel)
    readers = [d for an in (a, b) for d in an.detectors if d.name in ("pii", "documents", "plates")]
    assert len({id(d.engine) for d in readers}) == 1  # type: ignore[attr-defined]


def test_the_three_text_readers_share_one_ocr_pass(monkeypatch) -> None:
    from conftest import SAMPLES

    engine = shared().get(OcrEngine)
    calls = []
    real = engine.read
    monkeypatch.setattr(engine, "read", lambda im: calls.append(1) or real(im))
    report = Analyzer(registry.build(["text"])).analyze(SAMPLES / "letter-contact-details.png")
    assert len(calls) == 1
    assert report.by_kind(Kind.PERSONAL_TEXT) and report.by_kind(Kind.DOCUMENT)


def test_every_kind_has_a_policy_and_the_protect_defaults_come_from_it() -> None:
    from pixelsafe.protect.core import RedactOptions, plan
    from pixelsafe.report import AnalyzerInfo, Finding, ImageInfo, Report, RiskLevel, Summary

    assert set(policy.POLICIES) == set(Kind)
    findings = tuple(Finding(f"f{i}", kind, "x", 0.9, "test", policy.default_redaction(kind, "x"),
                             Box(0, 0, 10, 10)) for i, kind in enumerate(Kind))
    report = Report(ImageInfo(None, "0" * 64, 20, 20, "PNG"), 1, RiskLevel.LOW, "", "none",
                    findings, Summary(), AnalyzerInfo("0", "", ()))
    targets = plan(report, RedactOptions(style="pixelate"), 20, 20)
    assert {t.kind for t in targets} == {k.value for k in policy.DEFAULT_KINDS}
    styles = {t.kind: t.style for t in targets}
    assert all(styles[k.value] == "fill" for k in policy.FILL_ONLY)
    assert styles["face"] == "pixelate"


def test_a_thin_image_is_an_ocr_error_read_once_not_a_traceback(
        monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    """RapidOCR cannot scale a 3-px strip for its detector: the three text readers report
    it as a typed error (the OCR is tried once), the other detectors still report."""
    engine = shared().get(OcrEngine)
    calls = []
    real = engine.read
    monkeypatch.setattr(engine, "read", lambda im: calls.append(1) or real(im))
    report = Analyzer(registry.build(["text", "metadata"])).analyze(
        Image.new("RGB", (2000, 3), "white"))
    assert [(e.detector, e.type) for e in report.analyzer.errors] == [
        ("pii", "ocr_error"), ("documents", "ocr_error"), ("plates", "ocr_error")]
    assert "too thin" in report.analyzer.errors[0].message
    assert len(calls) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_a_failed_shared_value_is_raised_to_every_reader_and_read_back_as_missing() -> None:
    from pixelsafe.detectors.base import Memo

    memo, calls = Memo(), []

    def compute() -> int:
        calls.append(1)
        raise RuntimeError("no")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            memo.shared("k", compute)
    assert len(calls) == 1 and memo.get("k", "missing") == "missing"
    assert memo.shared("ok", lambda: 3) == 3 and memo.get("ok") == 3
