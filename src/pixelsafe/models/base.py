"""One lifecycle for every network: loaded under a lock on first use, run, unloaded.

Settings (the onnxruntime thread count) are given by the caller that knows them (the CLI,
a batch worker, the web app) through :func:`pixelsafe.models.cache.configure`. Nothing
here reads the environment.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import onnxruntime

Loaded = TypeVar("Loaded")


def default_threads() -> int:
    """A network's threads when nobody said: one per core."""
    return os.cpu_count() or 1


def session_options(threads: int) -> onnxruntime.SessionOptions:
    """The onnxruntime options of every network of the process (faces, text detection and
    recognition): ``threads`` for one inference, and worker threads that sleep between
    parallel steps instead of spinning. The faces and barcodes run in threads beside the
    text's networks; spinning workers took their cores. Measured in one process, three
    alternating runs of 4 images each: small photos 164 -> 136 ms, pages 2,176 -> 2,153,
    receipts 1,818 -> 1,799."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def onnx_session(model: bytes, threads: int, *, arena: bool = True) -> Any:
    """An onnxruntime session of ``model`` on the CPU with the process's options."""
    import onnxruntime

    options = session_options(threads)
    options.enable_cpu_mem_arena = arena
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


class InferenceModel(ABC, Generic[Loaded]):
    """A network and what runs it, created on first use and kept until :meth:`unload`.

    Subclasses say how to :meth:`_load` it and run it through :meth:`loaded`. Loading
    happens once, under the model's lock, whichever thread asks first; running does not
    hold that lock (a model whose runtime cannot run in two threads at once says so and
    keeps a lock of its own for that)."""

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._loaded: Loaded | None = None
        self._lock = threading.Lock()

    @property
    def threads(self) -> int:
        """The model's thread count (the process's: one per core unless configured)."""
        return self._threads or default_threads()

    @abstractmethod
    def _load(self) -> Loaded:
        """Build what runs the network (raises :class:`~pixelsafe.errors.ModelError`)."""

    def loaded(self) -> Loaded:
        """What runs the network, loaded now if it was not."""
        value = self._loaded
        if value is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = self._load()
                value = self._loaded
        return value

    @property
    def is_loaded(self) -> bool:
        return self._loaded is not None

    def unload(self) -> None:
        """Drop what runs the network (its memory goes with the last run holding it); the
        next use loads it again."""
        with self._lock:
            self._loaded = None
