"""The optional VLM: the real ``ollama`` client over HTTP against a fake Ollama server on
loopback (tests/fake_ollama.py) that plays the recorded real answers of qwen2.5vl:3b and
every failure mode. The detectors are the real ones."""

from __future__ import annotations

import base64
import io
import json

import pytest
from click.testing import CliRunner
from conftest import EVAL, SAMPLES, needs_shared
from fake_ollama import MODEL, FakeOllama, closed_port_url, recorded, recorded_space
from PIL import Image

from pixelsafe import imageio
from pixelsafe.pipeline import Analyzer
from pixelsafe.report import Box, Kind, Report
from pixelsafe.vlm import (
    ANSWER_SCHEMA,
    MAX_TOKENS,
    MIN_TOKENS,
    NUM_PREDICT,
    PATCH,
    AnswerCache,
    Vlm,
    VlmSettings,
    input_size,
    to_original,
)

PASSPORTS = EVAL / "passports-seed" / "augmentation" / "10"
CROWD = SAMPLES / "crowd-maksssksksss373.png"


@pytest.fixture(scope="module")
def baseline(analyzer):
    """Detector-only reports, to compare against."""
    return {CROWD: analyzer.analyze(CROWD)}


def with_vlm(analyzer, url: str, timeout: float = 30.0, cache=None) -> Analyzer:
    settings = VlmSettings(url=url, model=MODEL, timeout=timeout)
    return Analyzer(analyzer.detectors, vlm=Vlm(settings, cache=cache))


# -- sizes and boxes ------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(4032, 3024), (3024, 4032), (640, 480), (100, 80),
                                  (8000, 500), (28, 28), (1920, 1080), (1000, 1370)])
def test_input_size_is_in_28_px_patches_within_the_token_budget(size):
    w, h = input_size(*size)
    assert w % PATCH == 0 and h % PATCH == 0
    tokens = (w // PATCH) * (h // PATCH)
    assert tokens <= MAX_TOKENS
    if size[0] / size[1] < 8:  # extreme strips cannot keep their aspect and fill the budget
        assert tokens >= MIN_TOKENS * 0.9
        assert abs(w / h - size[0] / size[1]) / (size[0] / size[1]) < 0.1


@pytest.mark.parametrize(("box", "expected"), [
    ([0, 0, 100, 50], Box(0, 0, 400, 200)),
    ([-20, -5, 100, 50], Box(0, 0, 400, 200)),              # clipped at the top left
    ([250, 200, 300, 260], Box(1000, 800, 1120, 1000)),     # clipped at the bottom right
    ([100, 50, 0, 0], Box(0, 0, 400, 200)),                 # corners swapped
    ([300, 260, 400, 300], None),                           # wholly outside
    ([1, 2, 3], None), (["a", 1, 2, 3], None), ([float("nan"), 0, 10, 10], None),
    ([0, 0, float("inf"), 10], None), ([True, 0, 10, 10], None),
])
def test_boxes_map_back_and_clip(box, expected):
    assert to_original(box, (280, 250), (1120, 1000)) == expected


@needs_shared
@pytest.mark.parametrize("name", ["us_pass_augmentated_1.png", "us_pass_augmentated_2.png"])
def test_recorded_784px_boxes_land_on_the_detected_faces(name, face_detector):
    """The recorded answers' boxes are in pixels of the 784-px-wide image the proof of
    concept sent; mapped back, each lands on the face the detector finds in the original."""
    image = imageio.load(PASSPORTS / name)
    faces = [f.box for f in face_detector.detect(image)]
    assert len(faces) == 1
    (box,) = recorded(name)["bounding_boxes_faces"]
    mapped = to_original(box, recorded_space(image.width, image.height),
                         (image.width, image.height))
    assert mapped is not None and mapped.iou(faces[0]) >= 0.35
    cx, cy = (faces[0].x1 + faces[0].x2) / 2, (faces[0].y1 + faces[0].y2) / 2
    assert mapped.x1 <= cx <= mapped.x2 and mapped.y1 <= cy <= mapped.y2
    assert Box(*box).iou(faces[0]) < 0.1  # unmapped, the box would miss the face


# -- the recorded answers, through HTTP -----------------------------------------------------

@needs_shared
def test_fam_answer_ends_critical_with_children(analyzer, baseline):
    """The model scored this family photo 1 ("low") although it saw a child; fused, the
    child is a finding and the photo is critical."""
    with FakeOllama("fam.jpg") as fake:
        report = with_vlm(analyzer, fake.url).analyze(CROWD)
    assert recorded("fam.jpg")["privacy_score"] == 1
    assert report.summary.has_children is True
    assert report.risk_level.value == "critical" and report.privacy_score == 5
    child = [f for f in report.findings if f.kind is Kind.CONTEXT and f.label == "child"]
    assert child and child[0].source == "vlm"
    assert child[0].data["model"] == MODEL and child[0].data["prompt_version"]
    assert "a child (VLM)" in report.explanation
    assert report.analyzer.vlm["privacy_score"] == 1 and report.analyzer.errors == ()
    assert "vlm" in report.analyzer.detectors and "vlm=" in report.analyzer.pipeline
    # nothing the detectors found is lost
    before = baseline[CROWD]
    for f in before.findings:
        assert any(g.kind is f.kind and g.box == f.box for g in report.findings), f
    assert Report.from_json(report.to_json()) == report


@needs_shared
@pytest.mark.parametrize("answer", ["fam.jpg", "fake_id.jpg", "doc_000429.png",
                                    "1.png", "us_pass_augmentated_3.png", "Passport.png",
                                    "2601032.jpg"])
def test_the_vlm_never_lowers_a_score_nor_removes_a_finding(analyzer, baseline, answer):
    with FakeOllama(answer) as fake:
        report = with_vlm(analyzer, fake.url).analyze(CROWD)
    before = baseline[CROWD]
    assert report.privacy_score >= before.privacy_score
    detector = [f for f in report.findings if f.source != "vlm"]
    assert len(detector) == len(before.findings)
    for old in before.findings:
        assert any(new.kind is old.kind and new.box == old.box and
                   new.confidence >= old.confidence for new in detector), old
    assert report.summary.has_children is recorded(answer)["has_children"]


@needs_shared
def test_vlm_faces_confirm_or_are_added_with_a_flag(analyzer, baseline, face_detector):
    """us_pass_augmentated_1's recorded face box confirms the detector's face."""
    path = PASSPORTS / "us_pass_augmentated_1.png"
    plain = analyzer.analyze(path)
    with FakeOllama("us_pass_augmentated_1.png") as fake:
        report = with_vlm(analyzer, fake.url).analyze(path)
    faces = report.by_kind(Kind.FACE)
    confirmed = [f for f in faces if (f.data or {}).get("confirmed_by")]
    assert len(confirmed) == 1
    before = next(f for f in plain.by_kind(Kind.FACE) if f.box == confirmed[0].box)
    assert confirmed[0].confidence > before.confidence
    assert not [f for f in faces if (f.all_data or {}).get("flag") == "vlm_only"]
    # the same answer on a photo whose faces are elsewhere: the VLM face is added, flagged
    with FakeOllama("us_pass_augmentated_1.png") as fake:
        other = with_vlm(analyzer, fake.url).analyze(SAMPLES / "letter-contact-details.png")
    added = [f for f in other.by_kind(Kind.FACE) if (f.all_data or {}).get("flag") == "vlm_only"]
    assert len(added) == 1 and added[0].confidence == 0.3 and added[0].source == "vlm"
    assert "seen by the VLM only" in other.explanation


def test_request_follows_the_contract(analyzer):
    with FakeOllama("fam.jpg") as fake:
        with_vlm(analyzer, fake.url).analyze(CROWD)
        (chat,) = fake.chats()
    assert chat["model"] == MODEL and chat["format"] == ANSWER_SCHEMA
    assert chat["stream"] is True
    assert chat["options"]["temperature"] == 0 and chat["options"]["num_predict"] == NUM_PREDICT
    (image,) = chat["messages"][0]["images"]
    w, h = Image.open(io.BytesIO(base64.b64decode(image))).size
    assert w % 28 == 0 and h % 28 == 0 and MIN_TOKENS <= (w // 28) * (h // 28) <= MAX_TOKENS
    assert chat["keep_alive"]


@needs_shared
def test_answers_are_cached_by_hash_model_and_prompt(analyzer, tmp_path):
    cache = AnswerCache(tmp_path)
    with FakeOllama("fam.jpg") as fake:
        first = with_vlm(analyzer, fake.url, cache=cache).analyze(CROWD)
        second = with_vlm(analyzer, fake.url, cache=cache).analyze(CROWD)
        assert len(fake.chats()) == 1
    assert first.analyzer.vlm["cached"] is False and second.analyzer.vlm["cached"] is True
    assert [f.to_dict() for f in first.findings] == [f.to_dict() for f in second.findings]
    assert len(list(tmp_path.iterdir())) == 1


# -- every failure leaves the detector report standing -------------------------------------

@needs_shared
@pytest.mark.parametrize(("mode", "code", "words"), [
    ("down", "vlm_unreachable", "cannot reach Ollama"),
    ("missing", "vlm_model_missing", "ollama pull qwen2.5vl:3b"),
    ("no_vision", "vlm_no_vision", "no vision"),
    ("error500", "vlm_server_error", "500"),
    ("slow", "vlm_timeout", "did not answer within"),
    ("malformed", "vlm_bad_answer", "not JSON"),
    ("truncated", "vlm_truncated", "length"),
    ("midstream", "vlm_server_error", "unexpected EOF"),
])
def test_failures_are_recorded_and_the_detector_report_stands(analyzer, baseline, mode,
                                                               code, words):
    with FakeOllama("fam.jpg", mode=mode, delay=3.0) as fake:
        url = closed_port_url() if mode == "down" else fake.url
        report = with_vlm(analyzer, url, timeout=1.0).analyze(CROWD)
    (error,) = report.analyzer.errors
    assert error.detector == "vlm" and error.type == code, error
    assert words in error.message
    before = baseline[CROWD]
    assert [(f.kind, f.box, f.confidence) for f in report.findings] == \
        [(f.kind, f.box, f.confidence) for f in before.findings]
    assert report.privacy_score == before.privacy_score
    assert report.summary.has_children is None
    assert "Not checked: vlm" in report.explanation


@pytest.mark.parametrize(("mode", "ok", "words"), [
    ("ok", True, "ready"), ("missing", False, "ollama pull qwen2.5vl:3b"),
    ("no_vision", False, "no vision"), ("down", False, "cannot reach Ollama"),
])
def test_discovery(mode, ok, words):
    with FakeOllama(mode=mode) as fake:
        url = closed_port_url() if mode == "down" else fake.url
        status = Vlm(VlmSettings(url=url, timeout=5)).status()
    assert status.ok is ok and words in status.message


@needs_shared
def test_the_fake_also_answers_generate():
    import ollama

    with FakeOllama("Passport.png") as fake:
        client = ollama.Client(host=fake.url, trust_env=False)
        out = client.generate(model=MODEL, prompt="x", format="json")
        client._client.close()
    assert json.loads(out.response)["privacy_score"] == 4


# -- surfaces -------------------------------------------------------------------------------

def test_settings_from_environment_and_flags(monkeypatch):
    monkeypatch.setenv("PIXELSAFE_OLLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PIXELSAFE_VLM_MODEL", "qwen2.5vl:7b")
    monkeypatch.setenv("PIXELSAFE_VLM_TIMEOUT", "42")
    s = VlmSettings.from_env(model=None, keep_alive="1h")
    assert (s.url, s.model, s.timeout, s.keep_alive) == ("http://127.0.0.1:9",
                                                        "qwen2.5vl:7b", 42.0, "1h")
    assert VlmSettings.from_env(url="http://localhost:1").url == "http://localhost:1"


@needs_shared
def test_cli_analyze_needs_one_flag(tmp_path, monkeypatch):
    from pixelsafe.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with FakeOllama("fam.jpg") as fake:
        monkeypatch.setenv("PIXELSAFE_OLLAMA_URL", fake.url)
        result = CliRunner().invoke(main, ["analyze", "--vlm", "--json", str(CROWD)])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.splitlines()[0])
    assert line["summary"]["has_children"] is True and line["risk_level"] == "critical"


def test_cli_analyze_with_ollama_down_still_reports(tmp_path, monkeypatch):
    from pixelsafe.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    result = CliRunner().invoke(main, ["analyze", "--vlm", "--ollama-url", closed_port_url(),
                                       "--json", str(CROWD)])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.splitlines()[0])
    assert line["analyzer"]["errors"][0]["type"] == "vlm_unreachable"
    assert line["summary"]["faces"] >= 1 and line["summary"]["has_children"] is None


@needs_shared
def test_scan_with_vlm(tmp_path, monkeypatch):
    from pixelsafe.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "a.png").write_bytes(CROWD.read_bytes())
    with FakeOllama("fam.jpg") as fake:
        result = CliRunner().invoke(main, ["scan", str(folder), "--vlm", "--ollama-url",
                                           fake.url, "--db", str(tmp_path / "s.db"),
                                           "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    line = json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])
    assert line["summary"]["has_children"] is True


@pytest.mark.parametrize(("mode", "code", "words"), [
    ("ok", 0, "ready"), ("missing", 0, "ollama pull qwen2.5vl:3b"),
])
def test_doctor(mode, code, words, monkeypatch):
    from pixelsafe.cli import main

    with FakeOllama(mode=mode) as fake:
        result = CliRunner().invoke(main, ["doctor", "--ollama-url", fake.url])
    assert result.exit_code == code, result.output
    assert "face model" in result.output and "OCR model" in result.output
    assert words in result.output
    with FakeOllama(mode=mode) as fake:
        strict = CliRunner().invoke(main, ["doctor", "--vlm", "--ollama-url", fake.url])
    assert strict.exit_code == (0 if mode == "ok" else 1)
