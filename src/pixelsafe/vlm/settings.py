"""Where the VLM is and which model it is: flags over environment over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

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
