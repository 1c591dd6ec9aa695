"""The VLM's raw answers on disk."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from ..errors import PixelSafeError
from ..fsutil import cache_home, private_dir, write_atomic
from .settings import PROMPT_VERSION

log = logging.getLogger(__name__)


class AnswerCache:
    """Raw answers on disk, one JSON file per image hash, model and prompt version, written
    atomically (safe across the batch's worker processes)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder else cache_home() / "vlm"

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
        try:  # what the model said about a photo is only for its user
            private_dir(self.folder)
            write_atomic(self._path(sha256, model), json.dumps(entry).encode(), mode=0o600)
        except (OSError, PixelSafeError) as exc:  # not writable: not an analysis failure
            log.warning("cannot cache the VLM answer: %s", exc)
