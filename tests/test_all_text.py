"""Issue 31, "hide all text": every line of text the OCR reads is filled, whatever the
recognisers think of it, except the lines of findings the user keeps; from the library, the
CLI and the gallery's API alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from PIL import Image

import pixelsafe
from pixelsafe.cli import main
from pixelsafe.models.cache import shared
from pixelsafe.models.ocr import OcrEngine
from pixelsafe.protect import RedactOptions, redact
from pixelsafe.protect.core import TEXT_LINE

LETTER = SAMPLES / "letter-contact-details.png"


def _read(path: Path) -> list:
    with Image.open(path) as im:
        return shared().get(OcrEngine).read(im.convert("RGB"))


@pytest.fixture(scope="module")
def report():
    return pixelsafe.analyze(LETTER)


def test_every_line_is_filled_but_the_kept_findings_lines(tmp_path: Path, report) -> None:
    email = next(f for f in report.findings if f.label == "email")
    usual, hidden = tmp_path / "usual.png", tmp_path / "all.png"
    redact(LETTER, usual, RedactOptions(keep=frozenset({email.id})), report=report)
    result = redact(LETTER, hidden, RedactOptions(keep=frozenset({email.id}), all_text=True),
                    report=report)
    assert result.verification is not None and result.verification.ok, result.verification
    filled = [t for t in result.regions if t.kind == TEXT_LINE]
    assert len(filled) >= 5 and all(t.style == "fill" for t in filled)
    # the usual redaction leaves the letter's ordinary lines readable; this one leaves only
    # the line of the kept e-mail address
    assert len(_read(usual)) > len(_read(hidden)) >= 1
    left = _read(hidden)
    assert all(email.box.y1 - 20 <= ln.rect[1] <= email.box.y2 + 20 for ln in left), \
        [ln.text for ln in left]
    assert any(email.text in ln.text for ln in left)


def test_the_cli_flag(tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    r = CliRunner().invoke(main, ["redact", str(LETTER), "-o", str(out), "--all-text",
                                  "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    result = json.loads(r.output.strip().splitlines()[-1])
    assert any(region["kind"] == TEXT_LINE for region in result["regions"])
    assert _read(out) == []


def test_without_a_report_the_text_is_read_once(tmp_path: Path, monkeypatch) -> None:
    """The analysis a redaction runs and "hide all text" read the same OCR lines: the
    image is read once before its output is checked, not twice."""
    from pixelsafe.protect.redaction import prepare

    reads: list[tuple[int, int]] = []
    real = OcrEngine.read

    def counting(self: OcrEngine, image: Image.Image) -> list:
        reads.append(image.size)
        return real(self, image)

    monkeypatch.setattr(OcrEngine, "read", counting)
    job = prepare(LETTER, RedactOptions(all_text=True), "PNG")
    assert len(reads) == 1
    assert any(t.kind == TEXT_LINE for t in job.targets)
