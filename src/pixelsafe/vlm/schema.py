"""What the VLM is asked (the prompt and the answer's JSON schema) and the typed answer
parsed from its reply, with every box in original-image pixels."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import VlmAnswerError
from ..report import Box
from .geometry import to_original
from .settings import PROMPT_VERSION

MAX_FACES = 24
MAX_ITEMS = 8
#: output tokens: a full answer at every maxItems limit is about 900 tokens
NUM_PREDICT = 1200

SETTINGS = ("medical", "intimate", "religious", "protest", "school", "home", "workplace",
            "none")
DOCUMENT_TYPES = ("passport", "id_card", "driver_license", "payment_card", "other")
CUE_KINDS = ("landmark", "street_sign", "shop_sign", "house_number", "other")

_BOX = {"type": "array", "items": {"type": "integer"}, "minItems": 4, "maxItems": 4}

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "faces": {"type": "array", "maxItems": MAX_FACES, "items": {
            "type": "object", "properties": {"bbox_2d": _BOX, "is_child": {"type": "boolean"}},
            "required": ["bbox_2d", "is_child"]}},
        "has_children": {"type": "boolean"},
        "documents": {"type": "array", "maxItems": MAX_ITEMS, "items": {
            "type": "object", "properties": {
                "type": {"type": "string", "enum": list(DOCUMENT_TYPES)}, "bbox_2d": _BOX},
            "required": ["type", "bbox_2d"]}},
        "screens": {"type": "array", "maxItems": MAX_ITEMS, "items": {
            "type": "object", "properties": {
                "bbox_2d": _BOX, "shows_private_data": {"type": "boolean"}},
            "required": ["bbox_2d", "shows_private_data"]}},
        "settings": {"type": "array", "maxItems": MAX_ITEMS,
                     "items": {"type": "string", "enum": list(SETTINGS)}},
        "location_cues": {"type": "array", "maxItems": MAX_ITEMS, "items": {
            "type": "object", "properties": {
                "kind": {"type": "string", "enum": list(CUE_KINDS)},
                "description": {"type": "string", "maxLength": 80}, "bbox_2d": _BOX},
            "required": ["kind", "description", "bbox_2d"]}},
        "privacy_score": {"type": "integer", "minimum": 1, "maximum": 5},
        "explanation": {"type": "string", "maxLength": 200},
    },
    "required": ["faces", "has_children", "documents", "screens", "settings",
                 "location_cues", "privacy_score", "explanation"],
}

PROMPT = """You review a photo for privacy before it is shared. Answer in JSON only.
Boxes are [x1, y1, x2, y2] in pixels of this image.
- faces: every human face, with is_child true for anyone who looks under 18.
- has_children: true if any child or baby is visible, even without a visible face.
- documents: passports, ID cards, driving licences, payment cards, other papers with data.
- screens: phone, computer or TV screens; shows_private_data if messages, accounts or work
  data are readable.
- settings: medical, intimate, religious, protest, school, home or workplace scenes; none
  if ordinary.
- location_cues: landmarks, street or shop signs, house numbers that reveal where this is.
- privacy_score: 1 (no risk) to 5 (children, identity documents, intimate scenes).
- explanation: under 25 words, naming what you see."""


@dataclass(frozen=True)
class Region:
    box: Box
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Answer:
    """The VLM's answer with every box already in original-image pixels."""

    faces: tuple[Region, ...]
    has_children: bool
    documents: tuple[Region, ...]
    screens: tuple[Region, ...]
    settings: tuple[str, ...]
    location_cues: tuple[Region, ...]
    privacy_score: int
    explanation: str
    model: str
    prompt_version: str = PROMPT_VERSION
    elapsed_ms: int = 0
    cached: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict)


def parse(content: str, sent: tuple[int, int], original: tuple[int, int], model: str
          ) -> Answer:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise VlmAnswerError(f"the VLM's answer is not JSON ({exc.msg} at {exc.pos}): "
                             f"{content[:80]!r}") from exc
    if not isinstance(data, dict):
        raise VlmAnswerError("the VLM's answer is not a JSON object")
    missing = [k for k in ANSWER_SCHEMA["required"] if k not in data]
    if missing:
        raise VlmAnswerError(f"the VLM's answer lacks {', '.join(missing)}")

    def items(key: str) -> list[Mapping[str, Any]]:
        value = data[key]
        if not isinstance(value, list):
            raise VlmAnswerError(f"the VLM's {key} is not a list")
        return [v for v in value if isinstance(v, dict)]

    def regions(key: str, label: Any, detail: Any = lambda v: "") -> tuple[Region, ...]:
        out = []
        for v in items(key):
            box = to_original(v.get("bbox_2d") or (), sent, original)
            if box is not None:
                out.append(Region(box, str(label(v)), str(detail(v))))
        return tuple(out)

    score = data["privacy_score"]
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise VlmAnswerError(f"the VLM's privacy_score {score!r} is not 1 to 5")
    settings = data["settings"]
    if not isinstance(settings, list):
        raise VlmAnswerError("the VLM's settings is not a list")
    return Answer(
        faces=regions("faces", lambda v: "child" if v.get("is_child") is True else "face"),
        has_children=data["has_children"] is True,
        documents=regions("documents", lambda v: v.get("type", "other")),
        screens=regions("screens", lambda v: "screen",
                        lambda v: "private" if v.get("shows_private_data") else ""),
        settings=tuple(dict.fromkeys(s for s in settings if s in SETTINGS and s != "none")),
        location_cues=regions("location_cues", lambda v: v.get("kind", "other"),
                              lambda v: v.get("description", "")),
        privacy_score=score,
        explanation=str(data["explanation"])[:300],
        model=model,
        raw=data,
    )
