"""The optional local VLM: Qwen2.5-VL served by Ollama, asked for a typed JSON answer.

* Talks to Ollama only, at the URL the user configured (loopback by default), with the
  official ``ollama`` client; ``trust_env=False`` so that no proxy variable can route the
  photo elsewhere.
* The photo is resized so that both sides are multiples of 28 and it makes 1,024 to 1,280
  image tokens (one token per 28x28 patch). 1,280 tokens is the default ceiling of the
  Qwen2.5-VL image processor (max_pixels = 28*28*1280), so the server's own smart resize
  leaves our size alone and the model's ``bbox_2d`` boxes come back in our pixels; they are
  scaled back to the original and clipped.
* ``/api/chat`` with ``format`` set to the answer's JSON schema, temperature 0, a token
  budget that fits the schema's limits, streamed; ``done_reason == "length"`` is an error.
* Every failure is a typed :class:`VlmError`; the pipeline records it in
  ``analyzer.errors`` and keeps the detectors' report.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from .errors import PixelSafeError
from .fsutil import write_atomic
from .report import Box

log = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:11434"
DEFAULT_MODEL = "qwen2.5vl:3b"
#: bump when the prompt or the schema changes: cached answers are keyed by it
PROMPT_VERSION = "p1"
PATCH = 28
MIN_TOKENS, MAX_TOKENS = 1024, 1280
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


# -- errors ------------------------------------------------------------------------------

class VlmError(PixelSafeError):
    code = "vlm_error"


class VlmUnreachableError(VlmError):
    code = "vlm_unreachable"


class VlmModelMissingError(VlmError):
    code = "vlm_model_missing"


class VlmNoVisionError(VlmError):
    code = "vlm_no_vision"


class VlmTimeoutError(VlmError):
    code = "vlm_timeout"


class VlmServerError(VlmError):
    code = "vlm_server_error"


class VlmAnswerError(VlmError):
    """The answer is not JSON, or not the JSON the schema asks for."""

    code = "vlm_bad_answer"


class VlmTruncatedError(VlmError):
    code = "vlm_truncated"


# -- settings ----------------------------------------------------------------------------

@dataclass(frozen=True)
class VlmSettings:
    url: str = DEFAULT_URL
    model: str = DEFAULT_MODEL
    #: seconds for one answer (about 87 s per photo on 2 CPU cores, so the default is wide)
    timeout: float = 300.0
    keep_alive: str = "10m"

    @classmethod
    def from_env(cls, **overrides: Any) -> VlmSettings:
        """Environment (PIXELSAFE_OLLAMA_URL, PIXELSAFE_VLM_MODEL, PIXELSAFE_VLM_TIMEOUT,
        PIXELSAFE_VLM_KEEP_ALIVE), then non-None overrides (CLI flags, web settings)."""
        env = os.environ
        values: dict[str, Any] = {
            "url": env.get("PIXELSAFE_OLLAMA_URL", DEFAULT_URL),
            "model": env.get("PIXELSAFE_VLM_MODEL", DEFAULT_MODEL),
            "timeout": float(env.get("PIXELSAFE_VLM_TIMEOUT", cls.timeout)),
            "keep_alive": env.get("PIXELSAFE_VLM_KEEP_ALIVE", cls.keep_alive),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def tag(self) -> str:
        """Which model and prompt produced an answer."""
        return f"{self.model}/{PROMPT_VERSION}"


# -- the answer --------------------------------------------------------------------------

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


def input_size(width: int, height: int) -> tuple[int, int]:
    """Sides that are multiples of 28 making MIN_TOKENS..MAX_TOKENS tokens, with the aspect
    ratio kept as closely as the 28-px grid allows (an extreme strip keeps its ratio and
    makes fewer tokens)."""
    tokens = width * height / (PATCH * PATCH)
    scale = math.sqrt(min(max(tokens, MIN_TOKENS), MAX_TOKENS) / tokens)
    cols = max(1, round(width * scale / PATCH))
    rows = max(1, round(height * scale / PATCH))
    aspect = width / height
    best: tuple[float, int, int] | None = None
    for c in range(max(1, cols - 2), cols + 3):
        for r in range(max(1, rows - 2), rows + 3):
            if c * r > MAX_TOKENS:
                continue
            short = max(0, MIN_TOKENS - c * r) / MIN_TOKENS  # below the budget: a penalty
            cost = abs(math.log((c / r) / aspect)) + short
            if best is None or cost < best[0]:
                best = (cost, c, r)
    assert best is not None  # c = r = 1 always fits
    return best[1] * PATCH, best[2] * PATCH


def to_original(box: Sequence[Any], sent: tuple[int, int], original: tuple[int, int]
                ) -> Box | None:
    """A bbox_2d in pixels of the image sent, scaled to the original and clipped; None if
    it is not four numbers or is empty after clipping."""
    if len(box) != 4 or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                and math.isfinite(v) for v in box):
        return None
    sx, sy = original[0] / sent[0], original[1] / sent[1]
    x1, y1, x2, y2 = (float(v) for v in box)
    return Box.from_floats(min(x1, x2) * sx, min(y1, y2) * sy, max(x1, x2) * sx,
                           max(y1, y2) * sy, original[0], original[1])


def prepare(image: Image.Image) -> tuple[bytes, tuple[int, int]]:
    """The JPEG bytes sent to the model, and their size."""
    size = input_size(image.width, image.height)
    rgb = image.convert("RGB").resize(size, Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    rgb.save(buf, "JPEG", quality=90)
    return buf.getvalue(), size


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


# -- the cache ---------------------------------------------------------------------------

class AnswerCache:
    """Raw answers on disk, one JSON file per image hash, model and prompt version, written
    atomically (safe across the batch's worker processes)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        self.folder = Path(folder) if folder else default / "pixelsafe" / "vlm"

    def _path(self, sha256: str, model: str) -> Path:
        key = hashlib.sha256(f"{sha256}|{model}|{PROMPT_VERSION}".encode()).hexdigest()
        return self.folder / f"{key}.json"

    def get(self, sha256: str, model: str) -> dict[str, Any] | None:
        try:
            value = json.loads(self._path(sha256, model).read_text())
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def put(self, sha256: str, model: str, entry: dict[str, Any]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(sha256, model), json.dumps(entry).encode())
        except OSError as exc:  # a cache that cannot be written is not an analysis failure
            log.warning("cannot cache the VLM answer: %s", exc)


# -- the client --------------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    ok: bool
    message: str
    models: tuple[str, ...] = ()
    vision: bool | None = None


class Vlm:
    """One Ollama model. ``ask`` is thread-safe; the pipeline runs it beside the detectors."""

    def __init__(self, settings: VlmSettings | None = None, cache: AnswerCache | None = None
                 ) -> None:
        import ollama

        self.settings = settings or VlmSettings.from_env()
        self.cache = cache
        self._ollama = ollama
        self._checked = False
        self._lock = threading.Lock()

    @contextmanager
    def _session(self) -> Iterator[Any]:
        """A client for one exchange, its connections closed afterwards (a photo takes a
        minute on a CPU: a new connection costs nothing next to it)."""
        client = self._ollama.Client(host=self.settings.url, timeout=self.settings.timeout,
                                     trust_env=False)
        try:
            yield client
        finally:
            inner = getattr(client, "_client", None)  # the client's httpx.Client
            if inner is not None:
                inner.close()

    # discovery
    def status(self) -> Status:
        """Ask /api/tags and /api/show: is the server up, the model pulled, with vision?"""
        try:
            with self._session() as client:
                tags = self._call(client.list)
                names = tuple(m.model or "" for m in tags.models)
                if not any(self._same_model(n) for n in names):
                    return Status(False, self._missing_message(), names)
                shown = self._call(client.show, self.settings.model)
        except VlmError as exc:
            return Status(False, str(exc))
        vision = "vision" in (shown.capabilities or [])
        if not vision:
            return Status(False, self._no_vision_message(), names, False)
        return Status(True, f"{self.settings.model} is ready at {self.settings.url}", names,
                      True)

    def _same_model(self, name: str) -> bool:
        wanted = self.settings.model
        return name == wanted or (":" not in wanted and name == f"{wanted}:latest")

    def _missing_message(self) -> str:
        return (f"the model {self.settings.model} is not pulled in Ollama at "
                f"{self.settings.url}; run: ollama pull {self.settings.model}")

    def _no_vision_message(self) -> str:
        return (f"the model {self.settings.model} has no vision capability; use a vision "
                f"model such as {DEFAULT_MODEL}")

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        import httpx
        import ollama

        url = self.settings.url
        try:
            return fn(*args, **kwargs)
        except ollama.ResponseError as exc:
            if exc.status_code == 404:
                raise VlmModelMissingError(self._missing_message()) from exc
            raise VlmServerError(f"Ollama at {url} answered with an error "
                                 f"({exc.status_code}): {exc.error}") from exc
        except (ConnectionError, httpx.ConnectError) as exc:
            raise VlmUnreachableError(f"cannot reach Ollama at {url}; is it running "
                                      "(ollama serve)?") from exc
        except httpx.TimeoutException as exc:
            raise VlmTimeoutError(f"Ollama at {url} did not answer within "
                                  f"{self.settings.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise VlmServerError(f"Ollama at {url}: {exc}") from exc
        except ValueError as exc:  # a stream line that is not JSON, or not Ollama's shape
            raise VlmServerError(f"Ollama at {url} sent a malformed stream: {exc}") from exc

    def _check_vision(self) -> None:
        with self._lock:
            if self._checked:
                return
            with self._session() as client:
                shown = self._call(client.show, self.settings.model)
            if "vision" not in (shown.capabilities or []):
                raise VlmNoVisionError(self._no_vision_message())
            self._checked = True

    def ask(self, image: Image.Image, sha256: str) -> Answer:
        original = (image.width, image.height)
        if self.cache is not None:
            entry = self.cache.get(sha256, self.settings.model)
            if entry is not None:
                answer = parse(entry["content"], tuple(entry["sent"]),  # type: ignore[arg-type]
                               original, self.settings.model)
                return _with(answer, cached=True, elapsed_ms=0)
        self._check_vision()
        data, sent = prepare(image)
        started = time.perf_counter()
        content, done_reason = self._chat(data)
        if done_reason == "length":
            raise VlmTruncatedError(f"the VLM's answer was cut at {NUM_PREDICT} tokens "
                                    "(done_reason 'length'); nothing of it was used")
        answer = parse(content, sent, original, self.settings.model)
        elapsed = round((time.perf_counter() - started) * 1000)
        if self.cache is not None:
            self.cache.put(sha256, self.settings.model, {"content": content,
                                                         "sent": list(sent)})
        return _with(answer, elapsed_ms=elapsed)

    def _chat(self, jpeg: bytes) -> tuple[str, str | None]:
        def run() -> tuple[str, str | None]:
            parts: list[str] = []
            reason = None
            with self._session() as client:
                chunks = list(self._stream(client, jpeg))
            for chunk in chunks:
                if chunk.message and chunk.message.content:
                    parts.append(chunk.message.content)
                if chunk.done:
                    reason = chunk.done_reason
            return "".join(parts), reason

        result: tuple[str, str | None] = self._call(run)
        return result

    def _stream(self, client: Any, jpeg: bytes) -> Iterator[Any]:
        yield from client.chat(
            model=self.settings.model,
            messages=[{"role": "user", "content": PROMPT, "images": [jpeg]}],
            format=ANSWER_SCHEMA, stream=True, keep_alive=self.settings.keep_alive,
            options={"temperature": 0, "num_predict": NUM_PREDICT, "seed": 0})


def _with(answer: Answer, **changes: Any) -> Answer:
    from dataclasses import replace

    return replace(answer, **changes)
