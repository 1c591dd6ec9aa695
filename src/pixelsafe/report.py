"""The report format of DESIGN.md as frozen dataclasses, with a JSON round trip."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, ClassVar, Protocol, TypeVar

from .errors import ReportFormatError

D = TypeVar("D")


#: a box as a detector measures it: (x1, y1, x2, y2) in image pixels, x2 and y2 exclusive
Rect = tuple[float, float, float, float]


class Kind(StrEnum):
    FACE = "face"
    PERSONAL_TEXT = "personal_text"
    DOCUMENT = "document"
    LICENSE_PLATE = "license_plate"
    BARCODE = "barcode"
    LOCATION = "location"
    METADATA = "metadata"
    CONTEXT = "context"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @classmethod
    def for_score(cls, score: int) -> RiskLevel:
        if score <= 1:
            return cls.LOW
        if score <= 3:
            return cls.MEDIUM
        if score == 4:
            return cls.HIGH
        return cls.CRITICAL


class Redaction(StrEnum):
    BLUR = "blur"
    PIXELATE = "pixelate"
    FILL = "fill"
    ENCRYPT = "encrypt"
    STRIP = "strip"


@dataclass(frozen=True, order=True)
class Box:
    """Pixels of the oriented image; x2 and y2 are exclusive."""

    x1: int
    y1: int
    x2: int
    y2: int

    def __post_init__(self) -> None:
        if self.x2 <= self.x1 or self.y2 <= self.y1:
            raise ValueError(f"empty box {self.as_list()}")

    @classmethod
    def from_floats(cls, x1: float, y1: float, x2: float, y2: float, width: int, height: int
                    ) -> Box | None:
        """Round outwards (a box must cover every pixel it touches) and clip to the image."""
        bx1 = max(0, min(width, math.floor(x1)))
        by1 = max(0, min(height, math.floor(y1)))
        bx2 = max(0, min(width, math.ceil(x2)))
        by2 = max(0, min(height, math.ceil(y2)))
        if bx2 <= bx1 or by2 <= by1:
            return None
        return cls(bx1, by1, bx2, by2)

    @property
    def width(self) -> int:
        return self.x2 - self.x1

    @property
    def height(self) -> int:
        return self.y2 - self.y1

    @property
    def area(self) -> int:
        return self.width * self.height

    def iou(self, other: Box) -> float:
        iw = min(self.x2, other.x2) - max(self.x1, other.x1)
        ih = min(self.y2, other.y2) - max(self.y1, other.y1)
        if iw <= 0 or ih <= 0:
            return 0.0
        inter = iw * ih
        return inter / (self.area + other.area - inter)

    def as_list(self) -> list[int]:
        return [self.x1, self.y1, self.x2, self.y2]


# --- typed meaning ----------------------------------------------------------------------
# What the score and the explanation read from a finding is typed here; in the JSON report
# it travels inside the finding's ``data`` object, as before.

class Detail(Protocol):
    KEYS: ClassVar[tuple[str, ...]]

    def to_data(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class DocumentDetail:
    """An identity document read from its machine-readable zone."""

    KEYS: ClassVar[tuple[str, ...]] = ("verified", "surname", "given_names")
    #: every check digit of the zone holds
    verified: bool
    surname: str = ""
    given_names: str = ""

    @property
    def holder(self) -> str:
        return f"{self.surname}, {self.given_names}".strip(", ")

    def to_data(self) -> dict[str, Any]:
        return {"verified": self.verified, "surname": self.surname,
                "given_names": self.given_names}

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> DocumentDetail | None:
        if "verified" not in d:
            return None
        return cls(bool(d["verified"]), str(d.get("surname", "")), str(d.get("given_names", "")))


@dataclass(frozen=True)
class CodeDetail:
    """A decoded barcode: its symbology and what its payload is."""

    KEYS: ClassVar[tuple[str, ...]] = ("format", "payload_type", "critical")
    format: str
    payload_type: str
    #: the payload is critical on its own (Wi-Fi with a password, a boarding pass, ...)
    critical: bool = False

    def to_data(self) -> dict[str, Any]:
        return {"format": self.format, "payload_type": self.payload_type,
                "critical": self.critical}

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> CodeDetail | None:
        if "payload_type" not in d:
            return None
        return cls(str(d.get("format", "")), str(d["payload_type"]), bool(d.get("critical")))


@dataclass(frozen=True)
class FaceDetail:
    """A face that only the VLM saw (no detector found it)."""

    KEYS: ClassVar[tuple[str, ...]] = ("flag",)
    vlm_only: bool = True

    def to_data(self) -> dict[str, Any]:
        return {"flag": "vlm_only"} if self.vlm_only else {}

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> FaceDetail | None:
        return cls(True) if d.get("flag") == "vlm_only" else None


@dataclass(frozen=True)
class ContextDetail:
    """What the VLM said of a screen (private data shown?) or a document (its type)."""

    KEYS: ClassVar[tuple[str, ...]] = ("private", "type")
    private: bool | None = None
    document_type: str | None = None

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.private is not None:
            out["private"] = self.private
        if self.document_type is not None:
            out["type"] = self.document_type
        return out

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> ContextDetail | None:
        if "private" not in d and "type" not in d:
            return None
        private = d.get("private")
        kind = d.get("type")
        return cls(None if private is None else bool(private),
                   None if kind is None else str(kind))


#: the detail type of each kind that has one
DETAIL_TYPES: dict[Kind, Any] = {Kind.DOCUMENT: DocumentDetail, Kind.BARCODE: CodeDetail,
                                 Kind.FACE: FaceDetail, Kind.CONTEXT: ContextDetail}


@dataclass(frozen=True)
class Finding:
    id: str
    kind: Kind
    label: str
    confidence: float
    source: str
    redaction: Redaction
    box: Box | None = None
    text: str | None = None
    #: free-form facts shown to the user (a field name, a format's check results, ...)
    data: Mapping[str, Any] | None = None
    #: the typed meaning that fuse reads (see DETAIL_TYPES); stored inside ``data`` in JSON
    detail: Detail | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside [0, 1]")
        # Reports keep 4 decimals, so that a JSON round trip gives an equal finding.
        object.__setattr__(self, "confidence", round(float(self.confidence), 4))
        detail_type = DETAIL_TYPES.get(self.kind)
        if self.detail is None and detail_type is not None and self.data:
            # the typed meaning given as plain data (a report read back from JSON)
            detail = detail_type.from_data(self.data)
            if detail is not None:
                object.__setattr__(self, "detail", detail)
                object.__setattr__(self, "data", {k: v for k, v in self.data.items()
                                                  if k not in detail_type.KEYS})
        if self.detail is not None and not self.data:
            object.__setattr__(self, "data", None)

    def details(self, cls: type[D]) -> D | None:
        """The typed detail if it is of ``cls``."""
        return self.detail if isinstance(self.detail, cls) else None

    @property
    def all_data(self) -> dict[str, Any] | None:
        """``data`` and the typed detail, as the report writes them."""
        if self.detail is None:
            return None if self.data is None else dict(self.data)
        return {**(self.data or {}), **self.detail.to_data()}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "label": self.label,
            "box": self.box.as_list() if self.box else None,
            "confidence": self.confidence,
            "source": self.source,
            "redaction": self.redaction.value,
        }
        if self.text is not None:
            out["text"] = self.text
        data = self.all_data
        if data is not None:
            out["data"] = data
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Finding:
        box = d.get("box")
        data = d.get("data")
        if data is not None and not isinstance(data, Mapping):
            raise TypeError(f"a finding's data must be an object, not {type(data).__name__}")
        return cls(
            id=str(d["id"]),
            kind=Kind(d["kind"]),
            label=str(d["label"]),
            confidence=float(d["confidence"]),
            source=str(d["source"]),
            redaction=Redaction(d["redaction"]),
            box=Box(*box) if box else None,
            text=d.get("text"),
            data=data,
        )


@dataclass(frozen=True)
class ImageInfo:
    path: str | None
    sha256: str
    width: int
    height: int
    format: str
    bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "width": self.width,
                "height": self.height, "format": self.format, "bytes": self.bytes}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ImageInfo:
        return cls(path=d.get("path"), sha256=str(d["sha256"]), width=int(d["width"]),
                   height=int(d["height"]), format=str(d["format"]), bytes=int(d.get("bytes", 0)))


@dataclass(frozen=True)
class Summary:
    faces: int = 0
    has_documents: bool = False
    has_personal_text: bool = False
    has_location_data: bool = False
    has_license_plates: bool = False
    #: None when nothing was able to look for children (only the VLM can)
    has_children: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"faces": self.faces, "has_documents": self.has_documents,
                "has_personal_text": self.has_personal_text,
                "has_location_data": self.has_location_data,
                "has_license_plates": self.has_license_plates,
                "has_children": self.has_children}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Summary:
        return cls(**{k: d[k] for k in cls().to_dict() if k in d})


@dataclass(frozen=True)
class DetectorError:
    detector: str
    type: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"detector": self.detector, "type": self.type, "message": self.message}


@dataclass(frozen=True)
class AnalyzerInfo:
    version: str
    pipeline: str
    detectors: tuple[str, ...]
    errors: tuple[DetectorError, ...] = ()
    elapsed_ms: int = 0
    #: when the VLM answered: its model, prompt version, own verdict and timing
    vlm: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"version": self.version, "pipeline": self.pipeline,
               "detectors": list(self.detectors),
               "errors": [e.to_dict() for e in self.errors], "elapsed_ms": self.elapsed_ms}
        if self.vlm is not None:
            out["vlm"] = dict(self.vlm)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AnalyzerInfo:
        return cls(version=str(d["version"]), pipeline=str(d.get("pipeline", "")),
                   detectors=tuple(d.get("detectors", ())),
                   errors=tuple(DetectorError(**e) for e in d.get("errors", ())),
                   elapsed_ms=int(d.get("elapsed_ms", 0)), vlm=d.get("vlm"))


@dataclass(frozen=True)
class Report:
    image: ImageInfo
    privacy_score: int
    risk_level: RiskLevel
    explanation: str
    recommended_action: str
    findings: tuple[Finding, ...]
    summary: Summary
    analyzer: AnalyzerInfo

    def by_kind(self, kind: Kind) -> list[Finding]:
        return [f for f in self.findings if f.kind is kind]

    def with_path(self, path: str | None) -> Report:
        return replace(self, image=replace(self.image, path=path))

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.image.to_dict(),
            "privacy_score": self.privacy_score,
            "risk_level": self.risk_level.value,
            "explanation": self.explanation,
            "recommended_action": self.recommended_action,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary.to_dict(),
            "analyzer": self.analyzer.to_dict(),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Report:
        try:
            return cls(
                image=ImageInfo.from_dict(d["image"]),
                privacy_score=int(d["privacy_score"]),
                risk_level=RiskLevel(d["risk_level"]),
                explanation=str(d["explanation"]),
                recommended_action=str(d["recommended_action"]),
                findings=tuple(Finding.from_dict(f) for f in d["findings"]),
                summary=Summary.from_dict(d["summary"]),
                analyzer=AnalyzerInfo.from_dict(d["analyzer"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportFormatError(f"not a PixelSafe report: {exc!r}") from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReportFormatError(f"invalid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ReportFormatError("a report must be a JSON object")
        return cls.from_dict(data)


def renumber(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Give findings stable ids f1, f2, ... in their final order."""
    return tuple(replace(f, id=f"f{i}") for i, f in enumerate(findings, start=1))


@dataclass(frozen=True)
class Candidate:
    """What a detector's one step returns: not yet clipped, thresholded or numbered."""

    kind: Kind
    label: str
    score: float
    source: str
    #: None for findings with no place in the picture (metadata)
    box: Rect | None = None
    text: str | None = None
    data: Mapping[str, Any] | None = None
    detail: Detail | None = None
