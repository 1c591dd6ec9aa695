"""The Ollama client: talks to Ollama only, at the URL the user configured (loopback by
default), with the official ``ollama`` client; ``trust_env=False`` so that no proxy
variable can route the photo elsewhere. ``/api/chat`` with ``format`` set to the answer's
JSON schema, temperature 0, a token budget that fits the schema's limits, streamed;
``done_reason == "length"`` is an error. Every failure is a typed
:class:`~pixelsafe.errors.VlmError`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image

from ..errors import (
    VlmError,
    VlmModelMissingError,
    VlmNoVisionError,
    VlmServerError,
    VlmTimeoutError,
    VlmTruncatedError,
    VlmUnreachableError,
)
from .cache import AnswerCache
from .geometry import prepare
from .schema import ANSWER_SCHEMA, NUM_PREDICT, PROMPT, Answer, parse
from .settings import DEFAULT_MODEL, VlmSettings


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
    return replace(answer, **changes)
