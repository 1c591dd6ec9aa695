"""The check of a redaction's output: the encoded bytes analysed again by the detectors
that report the redacted kinds, and what they still find sorted into leftovers inside a
region, new findings outside every region, and metadata."""

from __future__ import annotations

from .. import imageio
from ..detectors import registry
from ..report import Box, Finding, Kind, Report
from .core import TEXT_LINE, Leftover, RedactOptions, Target, Verification, touches

#: a finding after redaction lies in a region when this share of its box is inside it
INSIDE = 0.3


def share(box: Box, region: Box) -> float:
    """The share of ``box`` that ``region`` covers."""
    w = min(box.x2, region.x2) - max(box.x1, region.x1)
    h = min(box.y2, region.y2) - max(box.y1, region.y1)
    return (w * h) / box.area if w > 0 and h > 0 and box.area else 0.0


def verify(data: bytes, name: str, report: Report | None, targets: list[Target],
           options: RedactOptions) -> Verification:
    """Re-analyse the encoded output. Findings of the redacted kinds that the user did not
    keep (and that were not left visible on purpose) are split: ``inside`` a region that was
    to be redacted (a leftover of what was asked to be gone), or ``new`` (outside every
    region: made by the redaction, or missed by the first analysis). Any metadata at all is
    a leak too. ``ok`` only when nothing is left."""
    kinds = {t.kind for t in targets if t.kind not in ("manual", TEXT_LINE)}
    names = sorted({*registry.rechecks(Kind(k) for k in kinds), "metadata"})
    decoded = imageio.decode(data, name)
    from ..pipeline import analyzer_of

    analysis = analyzer_of(names).analyze(decoded)  # the output's own bytes, not a re-encode
    kept = [f.box for f in (report.findings if report else ()) if f.box is not None and (
        f.id in options.keep or f.kind.value not in kinds)]
    # documents are redacted by label (a passport whole, a page of text not): a document
    # page read after a passport was filled is not a leftover
    ids = {t.finding_id for t in targets}
    documents = {f.label for f in (report.findings if report else ())
                 if f.kind is Kind.DOCUMENT and f.id in ids}
    inside: list[Leftover] = []
    new: list[Leftover] = []
    for f in analysis.findings:
        if f.kind.value not in kinds or f.box is None or (
                f.kind is Kind.DOCUMENT and f.label not in documents):
            continue
        if any(touches(f.box, k) and f.box.iou(k) >= 0.3 for k in kept):
            continue
        row = Leftover(f.kind, f.label, f.box, f.text)
        (inside if any(share(f.box, t.box) >= INSIDE for t in targets) else new).append(row)
    allowed = {"copyright"} if "Copyright" in options.keep_tags else set()
    metadata = [Leftover(f.kind, f.label, None, f.text)
                for f in metadata_findings(decoded) if f.label not in allowed]
    errors = [e.message for e in analysis.analyzer.errors]
    return Verification(not inside and not new and not metadata and not errors, names, errors,
                        inside, new, metadata)


def metadata_findings(output: imageio.LoadedImage) -> list[Finding]:
    """Every metadata finding in an encoded output (there should be none)."""
    from ..detectors.metadata import MetadataDetector

    return list(MetadataDetector().detect(output))
