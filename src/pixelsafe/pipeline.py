"""The Analyzer: load, run the detectors, fuse into a report."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from . import fuse, imageio, vlm_fuse
from ._version import __version__
from .detectors import registry
from .detectors.base import Deadline, Detector, Scene
from .detectors.vlm import ANSWER as VLM_ANSWER
from .detectors.vlm import VlmDetector
from .errors import PixelSafeError
from .report import AnalyzerInfo, DetectorError, Finding, ImageInfo, Report, renumber

if TYPE_CHECKING:
    from .vlm import Answer, Vlm, VlmSettings

log = logging.getLogger(__name__)

Source = str | os.PathLike[str] | Image.Image | imageio.LoadedImage


def pipeline_id(detector_names: Sequence[str], vlm: VlmSettings | None = None) -> str:
    """The cache key's pipeline part: the package version, the version of the score and
    explanation rules, and each detector that ran with its own version (declared in the
    registry), plus the VLM's model and prompt version when it ran. A report cached under
    another id is recomputed."""
    names = registry.versions(detector_names) + (f",vlm={vlm.tag}" if vlm is not None else "")
    return f"{__version__}+{fuse.RULES_VERSION}:{names}"


class Analyzer:
    """Runs detectors over one image at a time. Reuse one instance: models load once.

    ``vlm``, the optional local VLM, becomes one more detector (:class:`VlmDetector`).
    Background detectors (the VLM) and those marked ``beside`` (barcodes; the faces, on
    one core, when text is read too) start first and run in threads beside the others."""

    def __init__(self, detectors: Sequence[Detector] | None = None,
                 limits: imageio.Limits = imageio.DEFAULT_LIMITS,
                 timeout: float = 120.0, vlm: Vlm | None = None) -> None:
        self.detectors = list(detectors) if detectors is not None else registry.build()
        if vlm is not None:
            self.detectors.append(VlmDetector(vlm))
        self.limits = limits
        self.timeout = timeout
        if any(d.reads_text for d in self.detectors):
            for d in self.detectors:
                d.beside_the_text()
        beside = sum(1 for d in self.detectors if d.background or d.beside)
        self._pool = ThreadPoolExecutor(beside, "pixelsafe-bg") if beside else None

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.detectors]

    @property
    def vlm_settings(self) -> VlmSettings | None:
        return next((d.vlm.settings for d in self.detectors if isinstance(d, VlmDetector)), None)

    @property
    def pipeline(self) -> str:
        return pipeline_id([d.name for d in self.detectors if d.name != "vlm"],
                           self.vlm_settings)

    def load(self, source: Source) -> imageio.LoadedImage:
        if isinstance(source, imageio.LoadedImage):  # decoded already (protect's checks)
            return source
        if isinstance(source, Image.Image):
            return imageio.from_pil(source, self.limits)
        return imageio.load(source, self.limits)

    def analyze(self, source: Source) -> Report:
        """Analyse a path, a PIL image or an image decoded already. Input problems raise an
        InputError; a detector (or the VLM) that fails is recorded in ``analyzer.errors``
        and the others still report."""
        return self.analyze_scene(Scene(self.load(source)))

    def analyze_scene(self, scene: Scene) -> Report:
        """:meth:`analyze` of an image already in a scene: what the detectors share (the
        OCR's lines) stays in it for the caller (a redaction that hides every line)."""
        started = time.perf_counter()
        image = scene.image
        deadline = Deadline.after(self.timeout)
        running: list[tuple[Detector, Future[tuple[list[Finding], DetectorError | None]]]] = [
            (d, self._pool.submit(run_detector, d, scene, None if d.background else deadline))
            for d in self.detectors if (d.background or d.beside) and self._pool is not None]
        results: dict[str, tuple[list[Finding], DetectorError | None]] = {}
        for detector in self.detectors:
            if not (detector.background or detector.beside):
                results[detector.name] = run_detector(detector, scene, deadline)
        for detector, future in running:
            results[detector.name] = _collect(detector, future)
        findings: list[Finding] = []
        errors: list[DetectorError] = []
        for detector in self.detectors:  # in registry order, whatever finished first
            found, error = results[detector.name]
            findings.extend(found)
            if error is not None:
                errors.append(error)
        errors.extend(DetectorError(*p) for p in scene.problems)
        answer: Answer | None = scene.get(VLM_ANSWER)
        ordered = renumber(fuse.sort_findings(vlm_fuse.fuse(findings)))
        value = fuse.score(ordered)
        failed = {e.detector for e in errors}
        return Report(
            image=ImageInfo(path=image.path, sha256=image.sha256, width=image.width,
                            height=image.height, format=image.format, bytes=len(image.data)),
            privacy_score=value,
            risk_level=fuse.risk(value),
            explanation=fuse.explain(ordered, [f"{e.detector} ({e.message})" for e in errors],
                                     [n for n in self.names if n not in failed]),
            recommended_action=fuse.recommended_action(ordered, value),
            findings=ordered,
            summary=fuse.summarize(ordered, children=vlm_fuse.has_children(answer)),
            analyzer=AnalyzerInfo(
                version=__version__, pipeline=self.pipeline,
                detectors=tuple(self.names), errors=tuple(errors),
                elapsed_ms=round((time.perf_counter() - started) * 1000),
                vlm=None if answer is None else {
                    "model": answer.model, "prompt_version": answer.prompt_version,
                    "privacy_score": answer.privacy_score, "explanation": answer.explanation,
                    "elapsed_ms": answer.elapsed_ms, "cached": answer.cached}),
        )


def _collect(detector: Detector, future: Future[tuple[list[Finding], DetectorError | None]]
             ) -> tuple[list[Finding], DetectorError | None]:
    """A background detector's result, or its time-out as an error entry."""
    wait = getattr(detector, "wait", None)
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        return [], DetectorError(detector.name, f"{detector.name}_timeout",
                                 f"no answer from the {detector.name} detector within "
                                 f"{wait:g} s")


def run_detector(detector: Detector, scene: Scene, deadline: Deadline | None
                 ) -> tuple[list[Finding], DetectorError | None]:
    """One detector's findings, or its failure as an ``analyzer.errors`` entry: a failure
    never reads as "nothing found", and never prints a traceback on the user's terminal
    (it is logged at debug level)."""
    try:
        return detector.detect(scene, deadline), None
    except MemoryError:
        raise  # the process is at its memory limit: the caller decides (a worker retires)
    except PixelSafeError as exc:
        log.debug("detector %s: %s", detector.name, exc, exc_info=True)
        return [], DetectorError(detector.name, exc.code, str(exc))
    except Exception as exc:  # a detector bug must not hide the other findings
        log.debug("detector %s failed on %s", detector.name, scene.image.path, exc_info=True)
        return [], DetectorError(detector.name, type(exc).__name__, str(exc))


_lock = threading.Lock()
_analyzers: dict[tuple[tuple[str, ...], float | None], Analyzer] = {}


def analyzer_of(names: Sequence[str] = registry.DEFAULT, face_threshold: float | None = None
                ) -> Analyzer:
    """The process's analyser of these detectors (names or groups; unknown ones raise
    :class:`UnknownDetectorError`), with the face detector at ``face_threshold`` when one is
    given: made once per choice, for every caller (the library's ``analyze``, a redaction
    given no report, the check of its output, the web app's and the CLI's workers)."""
    key = (registry.expand(names), face_threshold)
    with _lock:
        if key not in _analyzers:
            detectors = registry.build(key[0])
            if face_threshold is not None:
                from .detectors.faces import FaceConfig, FaceDetector

                detectors = [FaceDetector(config=FaceConfig(threshold=face_threshold))
                             if isinstance(d, FaceDetector) else d for d in detectors]
            _analyzers[key] = Analyzer(detectors)
        return _analyzers[key]


def analyze(source: Source) -> Report:
    """``pixelsafe.analyze(path_or_pil_image) -> Report`` with the default detectors."""
    return analyzer_of().analyze(source)


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in imageio.IMAGE_SUFFIXES
