"""Identity documents are filled whole by default (issue 27: a passport's date of birth, place
of birth and dates stayed readable after redaction); field by field stays available."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from PIL import Image

from pixelsafe import policy
from pixelsafe.cli import main
from pixelsafe.models.cache import shared
from pixelsafe.models.ocr import OcrEngine
from pixelsafe.protect import RedactOptions, redact
from pixelsafe.protect.core import plan
from pixelsafe.report import AnalyzerInfo, Box, Finding, ImageInfo, Kind, Report, RiskLevel, Summary

ID_CARD = SAMPLES / "id-card-utopia.jpg"


def _report(*findings: tuple[Kind, str]) -> Report:
    rows = tuple(Finding(f"f{i + 1}", kind, label, 0.9, "test",
                         policy.default_redaction(kind, label), Box(10 * i, 0, 10 * i + 8, 8))
                 for i, (kind, label) in enumerate(findings))
    return Report(ImageInfo(None, "0" * 64, 100, 20, "PNG"), 1, RiskLevel.LOW, "", "none",
                  rows, Summary(), AnalyzerInfo("0", "", ()))


def test_the_policy_table_redacts_identity_documents_and_not_pages() -> None:
    for label in ("passport", "id_card", "driver_license", "payment_card"):
        assert policy.redacts_by_default(Kind.DOCUMENT, label)
    for label in ("document_page", "screen"):
        assert not policy.redacts_by_default(Kind.DOCUMENT, label)
    assert policy.redacts_by_default(Kind.FACE, "face")
    assert not policy.redacts_by_default(Kind.LOCATION, "gps")
    document = next(k for k in policy.as_config()["kinds"] if k["kind"] == "document")
    assert document["redacted_labels"] == ["driver_license", "id_card", "passport",
                                           "payment_card"]


@pytest.mark.parametrize("style", ["auto", "blur", "pixelate"])
def test_a_passport_is_planned_whole_and_filled_whatever_the_style(style: str) -> None:
    report = _report((Kind.DOCUMENT, "passport"), (Kind.DOCUMENT, "document_page"),
                     (Kind.PERSONAL_TEXT, "date_of_birth"))
    targets = {t.finding_id: t for t in plan(report, RedactOptions(style=style), 100, 20)}
    assert set(targets) == {"f1", "f3"}  # the page of text is not filled whole
    assert targets["f1"].style == "fill" and targets["f1"].kind == "document"


def test_field_by_field_leaves_the_document_and_redacts_its_fields() -> None:
    report = _report((Kind.DOCUMENT, "id_card"), (Kind.PERSONAL_TEXT, "date_of_birth"))
    targets = plan(report, RedactOptions(whole_documents=False), 100, 20)
    assert [t.finding_id for t in targets] == ["f2"]
    # naming the kind does not override the choice of fields
    targets = plan(report, RedactOptions(only=frozenset({Kind.DOCUMENT}),
                                         whole_documents=False), 100, 20)
    assert targets == []


def _ocr_text(path: Path) -> str:
    with Image.open(path) as im:
        return " ".join(line.text for line in shared().get(OcrEngine).read(im.convert("RGB")))


def test_an_id_card_redacted_by_default_shows_none_of_its_fields(tmp_path: Path) -> None:
    whole = redact(ID_CARD, tmp_path / "whole.png")
    document = [t for t in whole.regions if t.kind == "document"]
    assert len(document) == 1 and document[0].style == "fill"
    box = document[0].box
    with Image.open(tmp_path / "whole.png") as im:
        inside = np.asarray(im.convert("L").crop((box.x1, box.y1, box.x2, box.y2)))
    assert inside.max() == 0  # portrait, fields and MRZ: one solid fill
    text = _ocr_text(tmp_path / "whole.png")
    # the expiry date is no finding of its own: only the whole fill hides it
    for value in ("2032", "1974", "ERIKSSON", "D2314"):
        assert value not in text, text
    fields = redact(ID_CARD, tmp_path / "fields.png", RedactOptions(whole_documents=False))
    assert "document" not in {t.kind for t in fields.regions}
    assert "2032" in _ocr_text(tmp_path / "fields.png")


def test_the_cli_fills_documents_whole_unless_asked_for_fields(tmp_path: Path) -> None:
    def regions(*extra: str) -> list[dict]:
        out = CliRunner().invoke(main, ["redact", str(ID_CARD), "-o", str(tmp_path / "o.png"),
                                        "--dry-run", "--json", *extra], catch_exceptions=False)
        assert out.exit_code == 0, out.output
        return json.loads(out.output.splitlines()[-1])["regions"]

    assert [r["style"] for r in regions() if r["kind"] == "document"] == ["fill"]
    assert [r for r in regions("--documents", "fields") if r["kind"] == "document"] == []
    done = CliRunner().invoke(main, ["redact", str(ID_CARD), "-o", str(tmp_path / "o.png")],
                              catch_exceptions=False)
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert "no finding of the redacted kinds found again" in said and "nothing left" not in said
