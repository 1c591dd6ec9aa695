"""Every detector by name: the pipeline, the batch workers, protect's check after
redaction and the CLI's ``--detectors`` all read this table.

Adding a detector means one module with a :class:`~pixelsafe.detectors.base.Detector`
subclass, and one line here. Modules are imported when a detector is built, so importing
the registry loads no model library.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from ..errors import UnknownDetectorError
from .base import Detector

#: name -> "module:class", in the order the detectors run and report
REGISTRY: dict[str, str] = {
    "faces": "pixelsafe.detectors.faces:FaceDetector",
    "pii": "pixelsafe.detectors.pii:PiiDetector",
    "documents": "pixelsafe.detectors.documents:DocumentDetector",
    "plates": "pixelsafe.detectors.plates:PlateDetector",
    "barcodes": "pixelsafe.detectors.barcodes:BarcodeDetector",
    "metadata": "pixelsafe.detectors.metadata:MetadataDetector",
}
#: names that stand for several detectors: ``text`` is everything that reads OCR text
GROUPS: dict[str, tuple[str, ...]] = {"text": ("pii", "documents", "plates")}
#: what runs when nothing is chosen
DEFAULT: tuple[str, ...] = tuple(REGISTRY)


def choices() -> list[str]:
    return [*REGISTRY, *GROUPS]


def expand(names: Iterable[str]) -> tuple[str, ...]:
    """Detector names with groups expanded, in registry order, each once."""
    chosen: set[str] = set()
    unknown: list[str] = []
    for name in names:
        if name in GROUPS:
            chosen.update(GROUPS[name])
        elif name in REGISTRY:
            chosen.add(name)
        else:
            unknown.append(name)
    if unknown:
        raise UnknownDetectorError(f"unknown detectors: {', '.join(sorted(unknown))}; choose "
                                   f"from {', '.join(choices())}")
    return tuple(n for n in REGISTRY if n in chosen)


def create(name: str) -> Detector:
    module, _, cls = REGISTRY[name].partition(":")
    detector: Detector = getattr(importlib.import_module(module), cls)()
    return detector


def build(names: Iterable[str] = DEFAULT) -> list[Detector]:
    """New detector objects (cheap: their models are the process's shared ones)."""
    return [create(n) for n in expand(names)]
