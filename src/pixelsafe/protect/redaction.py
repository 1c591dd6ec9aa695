"""A redaction, one operation: plan the regions from the report (or analyse first), apply
them to the pixels, treat faces until the detector no longer finds them, encode, check the
encoded output again (stronger treatment of what is still seen), seal the original
regions when asked, and write atomically. The CLI, the web app's worker and the Python
API call :func:`redact`; the preview is :func:`prepare` and the same encoding."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from .. import imageio
from ..detectors.base import Scene
from ..errors import ResidualLeakError
from ..fsutil import write_atomic
from ..policy import POLICIES, style_for
from ..report import Box, Kind, Redaction, Report
from . import sealed
from .core import (
    FACE_MARGIN,
    TEXT_LINE,
    Leftover,
    RedactOptions,
    RedactResult,
    Target,
    Verification,
    apply,
    check_output,
    encode,
    enlarge,
    oriented,
    output_format,
    plan,
)
from .hardening import harden_faces
from .verification import INSIDE, share, verify


def _analyzer(face_threshold: float | None) -> Any:
    """The analysis a redaction runs when it is given no report: faces, text and codes,
    the face detector at ``face_threshold`` when one is given (the process's one
    analyser of that choice: models load once, not per file)."""
    from ..pipeline import analyzer_of

    return analyzer_of(("faces", "text", "barcodes"), face_threshold)


@dataclass
class Prepared:
    """The redaction plan carried out on the pixels, before anything is encoded: what an
    export writes and what the preview shows are made from this one object."""

    loaded: imageio.LoadedImage
    report: Report | None
    original: Image.Image
    pixels: Image.Image
    #: every region the output gets: the plan, then the stronger treatments and the regions
    #: added by the face check
    targets: list[Target]
    #: regions added after the plan (the face check's, the verification's), for the result
    added: list[Target] = field(default_factory=list)


def prepare(path: str | Path, options: RedactOptions, fmt: str, report: Report | None = None,
            analyzer: Any = None) -> Prepared:
    """Load, plan and redact: the regions, styles and face escalation of an export."""
    src = Path(path)
    # decoded once: the analysis reads this scene, and "hide all text" its OCR lines
    scene = Scene(imageio.load(src))
    loaded = scene.image
    if report is None and options.only != frozenset():  # only=∅: manual boxes alone
        report = (analyzer or _analyzer(options.face_threshold)).analyze_scene(scene)
    pixels = oriented(loaded)
    targets = plan(report, options, pixels.width, pixels.height)
    if options.all_text:
        targets += _every_line(scene, report, options)
    original = pixels.copy()
    for t in targets:
        apply(pixels, t)
    added: list[Target] = []
    # with no region at all the pixels are the analysed ones: nothing to look at again
    if targets and (any(t.kind == "face" for t in targets) or (
            options.only is None or Kind.FACE in options.only)):
        kept = [f.box for f in (report.findings if report else ())
                if f.kind is Kind.FACE and f.box is not None and f.id in options.keep]
        faces = [t for t in targets if t.kind in ("face", "manual")]

        def codec(im: Image.Image) -> imageio.LoadedImage:
            encoded, _ = _encode(im.copy(), fmt, loaded, options)
            return imageio.decode(encoded, "probe")

        added = harden_faces(pixels, faces, kept, codec)
    return Prepared(loaded, report, original, pixels, targets + added, added)


#: a kept finding lies on a line of text when this share of it is inside the line's box
KEPT_ON_LINE = 0.5


def _every_line(scene: Scene, report: Report | None, options: RedactOptions
                ) -> list[Target]:
    """"Hide all text": a fill over every line the OCR reads (its box padded as a finding's
    is), but the lines a finding the user keeps lies on. The lines are the analysis's own
    when it ran in ``scene`` (the OCR runs once), else read now."""
    from ..detectors.reader import text_page
    from ..models.cache import shared
    from ..models.ocr import OcrEngine
    from ..text.page import pad

    kept = [f.box for f in (report.findings if report else ())
            if f.box is not None and f.id in options.keep]
    out: list[Target] = []
    page = text_page(scene, shared().get(OcrEngine))
    for line in page.lines:
        box = Box.from_floats(*page.in_image(pad(line.rect, line.height)), *page.image_size)
        if box is None or any(share(k, box) >= KEPT_ON_LINE for k in kept):
            continue
        out.append(Target(box, Redaction.FILL, TEXT_LINE))
    return out


#: how many times the output is re-analysed and what it still shows is treated again
VERIFY_ROUNDS = 3


def redact(path: str | Path, out: str | Path, options: RedactOptions | None = None,
           report: Report | None = None, analyzer: Any = None) -> RedactResult:
    """Redact one image into a new file. The input is never modified.

    With ``options.verify`` the encoded output is analysed again. A finding still seen in
    a region that was to be redacted gets a stronger treatment (a wider fill), and is a
    refusal (:class:`ResidualLeakError`, nothing written) only if it survives that. A finding
    outside every region (text read across a fill's edge, a label beside a filled box, a
    face the first pass scored under its threshold) is redacted too and reported in
    ``verification.added``: never a refusal."""
    options = options or RedactOptions()
    src, dst = Path(path), Path(out)
    if not options.dry_run:
        check_output(dst, [src], options.overwrite)
    fmt = output_format(dst, "")
    job = prepare(src, options, fmt, report, analyzer)
    data, quality = _encode(job.pixels, fmt, job.loaded, options)
    verification = None
    if options.verify:
        data, verification = _verified(job, data, fmt, options)
    targets = job.targets
    if options.dry_run:
        return RedactResult(src, dst, fmt, targets, options.passphrase is not None, None,
                            quality, verification)
    sidecar_bytes = None
    if options.passphrase is not None:
        payload = sealed.seal([sealed.Region(t.box, job.original.crop(
            (t.box.x1, t.box.y1, t.box.x2, t.box.y2))) for t in targets],
            job.original.size, job.original.mode, options.passphrase, carrier=data)
        embedded = sealed.embed(data, fmt, payload)
        if embedded is None:
            sidecar_bytes = payload
        else:
            data = embedded
    result = RedactResult(src, dst, fmt, targets, options.passphrase is not None, None, quality,
                          verification)
    if sidecar_bytes is not None:
        side = Path(str(dst) + sealed.SIDECAR_SUFFIX)
        check_output(side, [src], options.overwrite)
        write_atomic(side, sidecar_bytes)
        result.sidecar = side
    write_atomic(dst, data)
    return result


def _encode(pixels: Image.Image, fmt: str, loaded: imageio.LoadedImage,
            options: RedactOptions) -> tuple[bytes, int | None]:
    """A redaction's output, with only the metadata the user chose to keep."""
    return encode(pixels, fmt, loaded, options.keep_icc or "ICC" in options.keep_tags,
                  "Copyright" in options.keep_tags)


def _verified(job: Prepared, data: bytes, fmt: str, options: RedactOptions
              ) -> tuple[bytes, Verification]:
    """Re-analyse the output until it shows nothing that was to be hidden (see redact)."""
    added: list[Leftover] = []
    for round_ in range(VERIFY_ROUNDS + 1):
        check = verify(data, "output", job.report, job.targets, options)
        if check.ok or check.metadata or check.errors or round_ == VERIFY_ROUNDS:
            break  # done, or nothing a stronger redaction can change
        for leak in check.inside:
            box = leak.box
            for t in [t for t in job.targets if box and share(box, t.box) >= INSIDE]:
                stronger = Target(enlarge(t.box, 1.15, job.pixels.width, job.pixels.height),
                                  Redaction.FILL, t.kind, t.finding_id)
                apply(job.pixels, stronger)
                job.targets.append(stronger)
        for leak in check.new:
            kind, box = leak.kind, leak.box
            if box is None:
                continue
            if kind is Kind.FACE:
                box = enlarge(box, FACE_MARGIN, job.pixels.width, job.pixels.height)
            target = Target(box, style_for(kind, POLICIES[kind].redaction, options.style,
                                           leak.label),
                            kind.value)
            apply(job.pixels, target)
            job.targets.append(target)
            job.added.append(target)
            added.append(leak)
        data, _ = _encode(job.pixels, fmt, job.loaded, options)
    check.added = added
    # what was new at the last look is a warning, never a refusal
    check.ok = not check.inside and not check.metadata and not check.errors
    if not check.ok:
        leaks = check.inside + check.metadata
        shown = "; ".join(x.named() for x in leaks[:5]) or "; ".join(check.errors[:2])
        raise ResidualLeakError(
            f"the redacted copy still shows what was to be hidden, after a stronger "
            f"redaction was tried: {shown}. Nothing was written; redact a larger box "
            "around it, or keep it visible on purpose.")
    return data, check
