"""Where the VLM is and which model it is: flags over environment over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import VlmUrlError

DEFAULT_URL = "http://127.0.0.1:11434"
DEFAULT_MODEL = "qwen2.5vl:3b"
#: bump when the prompt or the schema changes: cached answers are keyed by it
PROMPT_VERSION = "p1"


@dataclass(frozen=True)
class VlmSettings:
    url: str = DEFAULT_URL
    model: str = DEFAULT_MODEL
    #: seconds for one answer (about 87 s per photo on 2 CPU cores, so the default is wide)
    timeout: float = 300.0
    keep_alive: str = "10m"

    def __post_init__(self) -> None:
        check_url(self.url)

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


def check_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host and a port in range, else
    :class:`VlmUrlError` (``http://127.0.0.1:99999`` would fail every later request)."""
    if not isinstance(url, str):
        raise VlmUrlError("the Ollama URL must be a string")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "http://[::1"
        raise VlmUrlError(f"the Ollama URL {url!r} cannot be parsed") from exc
    try:
        port = parts.port
    except ValueError as exc:
        raise VlmUrlError(f"the Ollama URL {url!r} has a port out of range (1-65535)") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise VlmUrlError(f"the Ollama URL {url!r} must be http(s)://HOST:PORT")
    return url
