"""Every detector by name: the pipeline, the batch workers, protect's check after
redaction and the CLI's ``--detectors`` all read this table.

Adding a detector means one module with a :class:`~pixelsafe.detectors.base.Detector`
subclass, and one entry here (the kinds it reports and the version of its output). Modules
are imported when a detector is built, so importing the registry loads no model library.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import UnknownDetectorError
from ..models import OCR_ID
from ..report import Kind
from .base import Detector


@dataclass(frozen=True)
class Entry:
    """One detector: where its class is, the kinds of findings it reports (so the detectors
    that re-check an output for a kind are derived, not listed by hand) and the version of
    its output (part of the pipeline id: a report cached under another is recomputed)."""

    target: str
    kinds: frozenset[Kind]
    version: str


#: the OCR and the text rules that every reader shares (recognisers, names, addresses,
#: MRZ): bump when either may change what any reader reports
TEXT_VERSION = f"{OCR_ID}.rules11"

#: name -> entry, in the order the detectors run and report
REGISTRY: dict[str, Entry] = {
    "faces": Entry("pixelsafe.detectors.faces:FaceDetector", frozenset({Kind.FACE}),
                   "cf-ms2.turned1"),
    "pii": Entry("pixelsafe.detectors.pii:PiiDetector", frozenset({Kind.PERSONAL_TEXT}),
                 TEXT_VERSION),
    "documents": Entry("pixelsafe.detectors.documents:DocumentDetector",
                       frozenset({Kind.DOCUMENT, Kind.PERSONAL_TEXT}), TEXT_VERSION),
    "plates": Entry("pixelsafe.detectors.plates:PlateDetector",
                    frozenset({Kind.LICENSE_PLATE}), TEXT_VERSION),
    "barcodes": Entry("pixelsafe.detectors.barcodes:BarcodeDetector",
                      frozenset({Kind.BARCODE}), "zxing1"),
    "metadata": Entry("pixelsafe.detectors.metadata:MetadataDetector",
                      frozenset({Kind.LOCATION, Kind.METADATA}), "meta5"),
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


def rechecks(kinds: Iterable[Kind]) -> list[str]:
    """The detectors that re-check an output in which these kinds were redacted: those
    that report them."""
    wanted = set(kinds)
    return [n for n, e in REGISTRY.items() if e.kinds & wanted]


def versions(names: Iterable[str]) -> str:
    """``faces@cf-ms2,metadata@meta5``: what the pipeline id says of these detectors (a
    detector built outside the registry, through the Python API, by its name alone)."""
    plain = [n for n in names if n not in REGISTRY and n not in GROUPS]
    known = expand(n for n in names if n in REGISTRY or n in GROUPS)
    return ",".join([f"{n}@{REGISTRY[n].version}" for n in known] + plain)


def create(name: str) -> Detector:
    module, _, cls = REGISTRY[name].target.partition(":")
    detector: Detector = getattr(importlib.import_module(module), cls)()
    return detector


def build(names: Iterable[str] = DEFAULT) -> list[Detector]:
    """New detector objects (cheap: their models are the process's shared ones)."""
    return [create(n) for n in expand(names)]
