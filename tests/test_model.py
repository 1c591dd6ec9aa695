from __future__ import annotations

import pytest

from pixelsafe.errors import ReportFormatError
from pixelsafe.report import Box, Finding, Kind, Redaction, Report, RiskLevel


@pytest.mark.parametrize(
    ("floats", "size", "expected"),
    [
        ((10.2, 20.7, 30.1, 40.9), (100, 100), [10, 20, 31, 41]),  # rounds outwards
        ((-5, -5, 10, 10), (100, 100), [0, 0, 10, 10]),  # clipped at the top-left
        ((90, 90, 120.5, 130), (100, 100), [90, 90, 100, 100]),  # x2/y2 exclusive at the edge
        ((150, 150, 160, 160), (100, 100), None),  # entirely outside
    ],
)
def test_box_from_floats(floats, size, expected):
    box = Box.from_floats(*floats, *size)
    assert (box.as_list() if box else None) == expected


def test_box_rejects_empty_and_computes_iou():
    with pytest.raises(ValueError):
        Box(5, 5, 5, 10)
    a, b = Box(0, 0, 10, 10), Box(5, 0, 15, 10)
    assert a.iou(b) == pytest.approx(50 / 150)
    assert a.iou(Box(20, 20, 30, 30)) == 0.0


@pytest.mark.parametrize(("score", "level"), [(1, "low"), (2, "medium"), (3, "medium"),
                                              (4, "high"), (5, "critical")])
def test_risk_levels(score, level):
    assert RiskLevel.for_score(score).value == level


def test_finding_confidence_is_validated():
    with pytest.raises(ValueError):
        Finding("f1", Kind.FACE, "face", 1.5, "x", Redaction.BLUR, Box(0, 0, 1, 1))


def test_report_round_trip(analyzer):
    from conftest import SAMPLES

    report = analyzer.analyze(SAMPLES / "street-with-gps.jpg")
    again = Report.from_json(report.to_json())
    assert again == report
    data = report.to_dict()
    assert set(data) == {"image", "privacy_score", "risk_level", "explanation",
                         "recommended_action", "findings", "summary", "analyzer"}
    assert [f["id"] for f in data["findings"]] == [f"f{i}" for i in
                                                   range(1, len(data["findings"]) + 1)]


@pytest.mark.parametrize("text", ["", "[]", "{}", '{"image": {}}', "not json"])
def test_report_from_bad_json(text):
    with pytest.raises(ReportFormatError):
        Report.from_json(text)
