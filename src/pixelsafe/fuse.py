"""From findings to a report: de-duplication, the 1-5 score, the risk level and an
explanation in which every claim names a finding. The rules are listed in the README."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Finding, Kind, RiskLevel, Summary

#: metadata labels that identify a person or a device, as opposed to describing the shot
IDENTIFYING_METADATA = frozenset({"device_serial", "owner_name", "artist", "copyright",
                                  "unique_id", "comment", "trailing_data"})

#: the order in which findings are listed: most sensitive first
KIND_ORDER = {k: i for i, k in enumerate((Kind.DOCUMENT, Kind.PERSONAL_TEXT, Kind.BARCODE,
                                          Kind.LICENSE_PLATE, Kind.FACE, Kind.LOCATION,
                                          Kind.CONTEXT, Kind.METADATA))}


@dataclass(frozen=True)
class Rule:
    """One scoring rule: its score, and the phrase that explains it."""

    score: int
    reason: str


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    def key(f: Finding) -> tuple[int, float, int, int]:
        box = f.box
        return (KIND_ORDER.get(f.kind, 99), -f.confidence,
                box.y1 if box else 0, box.x1 if box else 0)
    return sorted(findings, key=key)


def summarize(findings: Sequence[Finding], children: bool | None = None) -> Summary:
    kinds = {f.kind for f in findings}
    return Summary(
        faces=sum(1 for f in findings if f.kind is Kind.FACE),
        has_documents=Kind.DOCUMENT in kinds,
        has_personal_text=Kind.PERSONAL_TEXT in kinds,
        has_location_data=Kind.LOCATION in kinds,
        has_license_plates=Kind.LICENSE_PLATE in kinds,
        has_children=children,
    )


def rules(findings: Sequence[Finding]) -> list[Rule]:
    """Every rule that fires. The score is the highest one."""
    fired: list[Rule] = []
    faces = [f for f in findings if f.kind is Kind.FACE]
    gps = [f for f in findings if f.kind is Kind.LOCATION]
    meta = [f for f in findings if f.kind is Kind.METADATA]
    identifying = [f for f in meta if f.label in IDENTIFYING_METADATA]
    if faces:
        fired.append(Rule(3 if len(faces) >= 3 else 2,
                          "faces of three or more people" if len(faces) >= 3 else
                          "an identifiable face"))
    if gps:
        fired.append(Rule(4, "an exact GPS position"))
    if gps and faces:
        fired.append(Rule(5, "people together with the exact place"))
    if identifying:
        fired.append(Rule(2, "metadata that identifies the owner or the device"))
    return fired


def score(findings: Sequence[Finding]) -> int:
    return max((r.score for r in rules(findings)), default=1)


def recommended_action(findings: Sequence[Finding], value: int) -> str:
    if value >= 4 and any(f.box is not None for f in findings):
        return "encrypt"
    if any(f.box is not None for f in findings):
        return "redact"
    if findings:
        return "strip_metadata"
    return "none"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def explain(findings: Sequence[Finding], errors: Sequence[str] = (),
            checked: Sequence[str] = ()) -> str:
    """A sentence built only from findings, the detectors that ran cleanly (``checked``)
    and the ones that failed (``errors``)."""
    parts: list[str] = []
    faces = [f for f in findings if f.kind is Kind.FACE]
    if faces:
        parts.append(_plural(len(faces), "face"))
    for f in findings:
        if f.kind is Kind.LOCATION and f.text:
            parts.append(f"GPS position {f.text} in {'/'.join(f.data['sources']).upper()}"
                         if f.data and f.data.get("sources") else f"GPS position {f.text}")
    labels = {
        "device_serial": "serial number", "owner_name": "camera owner", "artist": "author",
        "copyright": "copyright holder", "unique_id": "unique image ID", "comment": "comment",
        "device_model": "camera", "capture_time": "taken", "software": "edited with",
        "thumbnail": "an embedded thumbnail", "trailing_data": "hidden data",
    }
    for f in findings:
        if f.kind is not Kind.METADATA:
            continue
        name = labels.get(f.label, f.label.replace("_", " "))
        if f.label == "thumbnail":
            parts.append(name)
        elif f.label == "trailing_data":
            parts.append(f"{name}: {f.text}")
        else:
            parts.append(f"{name} {_short(f.text)}")
    if parts:
        sentence = "; ".join(parts) + "."
    else:
        sentence = f"Nothing found (checked: {', '.join(checked)})." if checked else \
            "Nothing checked."
    if errors:
        sentence += " Not checked: " + "; ".join(errors) + "."
    return sentence[0].upper() + sentence[1:]


def _short(text: str | None, limit: int = 60) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def risk(value: int) -> RiskLevel:
    return RiskLevel.for_score(value)
