"""The check after redaction judges what was asked (issue 14, point 2): a leftover inside a
region that was to be redacted gets a stronger treatment and is a refusal only if it
survives it; a finding outside every region is redacted too and reported, never a
refusal; messages name findings as the page does, never a server path."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_web_private import SECRET, planted

from pixelsafe.errors import ResidualLeakError
from pixelsafe.protect import RedactOptions, hardening, redact, redaction
from pixelsafe.report import Kind


def test_a_label_beside_a_filled_box_is_no_refusal(tmp_path: Path, analyzer) -> None:
    """The repro: after the e-mail address was filled, "Email:" beside it was read as a
    person's name, and the export was refused (HTTP 422, 'Nothing was written')."""
    src = planted(tmp_path / "in")
    result = redact(src, tmp_path / "out.png", RedactOptions(), report=analyzer.analyze(src))
    assert result.verification is not None and result.verification.ok
    again = analyzer.analyze(tmp_path / "out.png")
    assert not [f for f in again.findings if f.kind is Kind.PERSONAL_TEXT], again.findings


def test_a_finding_the_first_pass_missed_is_redacted_too(tmp_path: Path, analyzer) -> None:
    src = planted(tmp_path / "in")
    report = analyzer.analyze(src)
    missed = replace(report, findings=[f for f in report.findings if f.label != "email"])
    result = redact(src, tmp_path / "out.png", RedactOptions(), report=missed)
    assert result.verification is not None
    added = result.verification.added
    assert any(SECRET in (a.text or "") for a in added), added
    again = analyzer.analyze(tmp_path / "out.png")
    assert not [f for f in again.findings if SECRET in (f.text or "")]


def test_a_leftover_inside_a_region_is_refused_after_a_stronger_try(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analyzer) -> None:
    src = planted(tmp_path / "in")
    report = analyzer.analyze(src)
    tries = []
    for module in (redaction, hardening):
        monkeypatch.setattr(module, "apply", lambda im, target, strength=0: tries.append(target))
    out = tmp_path / "out.png"
    with pytest.raises(ResidualLeakError) as caught:
        redact(src, out, RedactOptions(), report=report)
    message = str(caught.value)
    assert str(tmp_path) not in message and "personal text" in message
    assert SECRET in message or "email" in message
    # the plan's regions, then wider fills of them: a stronger treatment was tried
    assert any(t.style == "fill" and t.box.area > min(p.box.area for p in tries)
               for t in tries[len(report.findings):])
    assert not out.exists()
