"""The process's models, one of each, whatever the number of analyzers, redactions or web
requests: a cache keyed by the model's class and its options.

The thread count of the models is the process's (:func:`configure`, set by a batch
worker before anything loads; the CLI and the web app keep one per core).
"""

from __future__ import annotations

import functools
import threading
from typing import Any, TypeVar

from .base import InferenceModel

M = TypeVar("M", bound=InferenceModel[Any])


class ModelCache:
    """Models created on first use and shared by every detector of the process."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._models: dict[tuple[Any, ...], InferenceModel[Any]] = {}
        self._lock = threading.Lock()

    def get(self, cls: type[M], **options: Any) -> M:
        """The process's ``cls(threads=..., **options)``, created once (not loaded: a model
        loads on its first run)."""
        key = (cls, *sorted(options.items()))
        with self._lock:
            model = self._models.get(key)
            if model is None:
                model = self._models[key] = cls(threads=self.threads, **options)
        return model  # type: ignore[return-value]

    def unload(self) -> None:
        """Unload every model (each loads again on its next run)."""
        with self._lock:
            held = list(self._models.values())
        for model in held:
            model.unload()


_chosen: int | None = None


def configure(threads: int | None) -> None:
    """Set the thread count of the process's models, before anything loads them (a batch
    worker does this first; the CLI and the web app leave the default, one per core)."""
    global _chosen
    _chosen = threads


def shared() -> ModelCache:
    """The process's models."""
    return _cache(_chosen)


@functools.cache
def _cache(threads: int | None) -> ModelCache:
    return ModelCache(threads)
