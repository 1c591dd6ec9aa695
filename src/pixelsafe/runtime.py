"""The models of one process, loaded once: one CenterFace session, one OCR engine and one
name model, whatever the number of analyzers, redactions or web requests.

Settings (the onnxruntime thread count) are passed in by the caller that knows them: the
CLI, a batch worker or the web app. Nothing below reads the environment.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnxruntime

    from .detectors.faces import CenterFaceModel
    from .detectors.ocr import OcrEngine
    from .text.ner import NerModel


def default_threads() -> int:
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


class Models:
    """Lazily created model runtimes, shared by every detector of the process."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_threads()
        self._lock = threading.Lock()
        self._centerface: CenterFaceModel | None = None
        self._ocr: OcrEngine | None = None
        self._ner: NerModel | None = None

    def centerface(self) -> CenterFaceModel:
        with self._lock:
            if self._centerface is None:
                from .detectors.faces import CenterFaceModel

                self._centerface = CenterFaceModel(threads=self.threads)
            return self._centerface

    def ocr(self) -> OcrEngine:
        with self._lock:
            if self._ocr is None:
                from .detectors.ocr import OcrConfig, OcrEngine

                self._ocr = OcrEngine(OcrConfig(threads=self.threads))
            return self._ocr

    def ner(self) -> NerModel:
        with self._lock:
            if self._ner is None:
                from .text.ner import NerModel

                self._ner = NerModel()
            return self._ner


_chosen: int | None = None


def configure(threads: int | None) -> None:
    """Set the thread count of the process's models, before anything loads them (a batch
    worker does this first; the CLI and the web app leave the default, one per core)."""
    global _chosen
    _chosen = threads


def models() -> Models:
    """The process's models."""
    return _models(_chosen)


@functools.cache
def _models(threads: int | None) -> Models:
    return Models(threads)
