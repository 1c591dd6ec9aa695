"""Values computed once per key, whichever thread asks first: the scene an image's
detectors share, and the text page its readers share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Failed:
    error: Exception


class Memo:
    """Values computed once, whichever reader asks first. Readers may run in threads, so
    there is a lock per key (a slow computation does not block the other keys)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._locks: dict[Any, threading.Lock] = {}
        self._guard = threading.Lock()

    def shared(self, key: Any, compute: Callable[[], T]) -> T:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                try:
                    self._values[key] = compute()
                except Exception as exc:  # every reader gets the same failure, computed once
                    self._values[key] = _Failed(exc)
            value = self._values[key]
        if isinstance(value, _Failed):
            raise value.error
        return value  # type: ignore[no-any-return]

    def get(self, key: Any, default: Any = None) -> Any:
        """The value computed for ``key``, or ``default`` if none was (or it failed)."""
        with self._guard:
            value = self._values.get(key, default)
        return default if isinstance(value, _Failed) else value
