"""The protect operations of the Python API: redact, restore, strip, vault lock/unlock."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from .. import imageio
from ..detectors import registry
from ..detectors.base import Scene
from ..errors import (
    CorruptImageError,
    OutputPathError,
    PassphraseError,
    ProtectError,
    ResidualLeakError,
    TamperedError,
)
from ..fsutil import write_atomic
from ..policy import POLICIES, style_for
from ..report import Box, Finding, Kind, Report
from . import sealed
from .core import (
    FACE_MARGIN,
    TEXT_LINE,
    RedactOptions,
    RedactResult,
    Target,
    apply,
    check_output,
    encode,
    enlarge,
    oriented,
    output_format,
    plan,
)
from .sealed import UnverifiedCarrierWarning

#: faces still found at this confidence inside a blurred region get a stronger treatment
HARDEN_THRESHOLD = 0.2


def _analyzer(names: Sequence[str]) -> Any:
    """The process's analyser of these detectors: its models load once, not per file (the
    web app's exports and a CLI batch call this for every file)."""
    from ..pipeline import analyzer_of

    return analyzer_of(names)


@functools.cache
def _redaction_analyzer(face_threshold: float | None) -> Any:
    """The analysis a redaction runs when it is given no report: faces, text and codes,
    the face detector at ``face_threshold`` when one is given."""
    if face_threshold is None:
        return _analyzer(("faces", "text", "barcodes"))
    from ..detectors import registry
    from ..detectors.faces import FaceConfig, FaceDetector
    from ..pipeline import Analyzer

    return Analyzer([FaceDetector(config=FaceConfig(threshold=face_threshold)),
                     *registry.build(("text", "barcodes"))])


def _touches(a: Box, b: Box) -> bool:
    return min(a.x2, b.x2) > max(a.x1, b.x1) and min(a.y2, b.y2) > max(a.y1, b.y1)


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
        report = (analyzer or _redaction_analyzer(options.face_threshold)).analyze_scene(scene)
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

        added = _harden_faces(pixels, faces, kept, codec)
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
        box = Box.from_floats(*pad(line.rect, line.height), page.width, page.height)
        if box is None or any(_share(k, box) >= KEPT_ON_LINE for k in kept):
            continue
        out.append(Target(box, "fill", TEXT_LINE))
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
    ``verification["added"]``: never a refusal."""
    options = options or RedactOptions()
    src, dst = Path(path), Path(out)
    if not options.dry_run:
        check_output(dst, [src], options.overwrite)
    fmt = output_format(dst, "")
    job = prepare(src, options, fmt, report, analyzer)
    data, quality = _encode(job.pixels, fmt, job.loaded, options)
    verification: dict[str, Any] = {}
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
              ) -> tuple[bytes, dict[str, Any]]:
    """Re-analyse the output until it shows nothing that was to be hidden (see redact)."""
    added: list[dict[str, Any]] = []
    check: dict[str, Any] = {}
    for round_ in range(VERIFY_ROUNDS + 1):
        check = verify(data, "output", job.report, job.targets, options)
        if check["ok"] or check["metadata"] or check["errors"] or round_ == VERIFY_ROUNDS:
            break  # done, or nothing a stronger redaction can change
        for leak in check["inside"]:
            box = Box(*leak["box"])
            for t in [t for t in job.targets if _share(box, t.box) >= INSIDE]:
                stronger = Target(enlarge(t.box, 1.15, job.pixels.width, job.pixels.height),
                                  "fill", t.kind, t.finding_id)
                apply(job.pixels, stronger)
                job.targets.append(stronger)
        for leak in check["new"]:
            kind = Kind(leak["kind"])
            box = Box(*leak["box"])
            if kind is Kind.FACE:
                box = enlarge(box, FACE_MARGIN, job.pixels.width, job.pixels.height)
            target = Target(box, style_for(kind, POLICIES[kind].redaction, options.style,
                                           leak["label"]),
                            kind.value)
            apply(job.pixels, target)
            job.targets.append(target)
            job.added.append(target)
            added.append(leak)
        data, _ = _encode(job.pixels, fmt, job.loaded, options)
    check["added"] = added
    # what was new at the last look is a warning, never a refusal
    check["ok"] = not check["inside"] and not check["metadata"] and not check["errors"]
    if not check["ok"]:
        leaks = check["inside"] + check["metadata"]
        shown = "; ".join(_named(x) for x in leaks[:5]) or "; ".join(check["errors"][:2])
        raise ResidualLeakError(
            f"the redacted copy still shows what was to be hidden, after a stronger "
            f"redaction was tried: {shown}. Nothing was written; redact a larger box "
            "around it, or keep it visible on purpose.")
    return data, check


def _named(leak: dict[str, Any]) -> str:
    """A leftover finding named as the page shows it: kind, label and the text read."""
    text = f" \u201c{leak['text']}\u201d" if leak.get("text") else ""
    return f"{leak['kind'].replace('_', ' ')} ({leak['label']}){text}"


#: a finding after redaction lies in a region when this share of its box is inside it
INSIDE = 0.3


def _share(box: Box, region: Box) -> float:
    """The share of ``box`` that ``region`` covers."""
    w = min(box.x2, region.x2) - max(box.x1, region.x1)
    h = min(box.y2, region.y2) - max(box.y1, region.y1)
    return (w * h) / box.area if w > 0 and h > 0 and box.area else 0.0


def _covered(box: Box, regions: list[Box]) -> float:
    """The share of ``box`` that the regions cover (regions may overlap each other)."""
    import numpy as np

    mask = np.zeros((box.height, box.width), bool)
    for r in regions:
        x1, y1 = max(r.x1, box.x1) - box.x1, max(r.y1, box.y1) - box.y1
        x2, y2 = min(r.x2, box.x2) - box.x1, min(r.y2, box.y2) - box.y1
        if x2 > x1 and y2 > y1:
            mask[y1:y2, x1:x2] = True
    return float(mask.mean())


def _harden_faces(pixels: Image.Image, targets: list[Target], kept: list[Box],
                  codec: Any = None) -> list[Target]:
    """Run the face detector again on the redacted pixels, up to three rounds.

    A face still found (at a low threshold) inside a blurred or pixelated region gets a
    stronger treatment, up to a solid fill. A face found at the default threshold outside
    every region — one the first analysis scored just under the threshold, which redacting
    its neighbours can push over — is blurred too, unless the user kept it. Returns the
    regions added."""
    from ..detectors.faces import FaceConfig, FaceDetector

    # far below the default threshold (0.45): a region must not even look a little like a face
    detector = FaceDetector(config=FaceConfig(threshold=HARDEN_THRESHOLD))
    default = FaceConfig().threshold
    added: list[Target] = []
    # redacting a face can push a neighbour's score over the threshold: repeat until the
    # detector finds nothing, escalating; from the fourth round on everything found is filled
    rounds = (1, 2, 3, 3, 3, 3)
    for n, strength in enumerate(rounds):
        # look at the pixels as the output file will hold them: a lossy codec can bring
        # back enough structure for a detector
        probe = codec(pixels) if codec is not None else imageio.from_pil(pixels)
        found = [f for f in detector.detect(probe) if f.box is not None
                 and not any(f.box.iou(k) >= 0.3 for k in kept)]  # a kept face is no leak
        boxes = [f.box for f in found if f.box is not None]
        again = [t for t in targets + added if any(_touches(t.box, b) for b in boxes)]
        new = [f.box for f in found if f.box is not None and f.confidence >= default
               and _covered(f.box, [t.box for t in targets + added]) < 0.5]
        if not again and not new:
            break
        for t in again:
            if t.style == "fill" or strength >= 3:
                # a filled patch with a face's outline around it: fill a wider box
                wider = Target(enlarge(t.box, 1.25, pixels.width, pixels.height), "fill",
                               t.kind)
                apply(pixels, wider)
                added.append(wider)
            else:
                apply(pixels, t, strength)
        for box in new:
            style = "fill" if n >= 3 else "blur"
            target = Target(enlarge(box, FACE_MARGIN, pixels.width, pixels.height), style,
                            "face")
            apply(pixels, target)
            added.append(target)
    return added


def verify(data: bytes, name: str, report: Report | None, targets: list[Target],
           options: RedactOptions) -> dict[str, Any]:
    """Re-analyse the encoded output. Findings of the redacted kinds that the user did not
    keep (and that were not left visible on purpose) are split: ``inside`` a region that was
    to be redacted (a leftover of what was asked to be gone), or ``new`` (outside every
    region: made by the redaction, or missed by the first analysis). Any metadata at all is
    a leak too. ``ok`` only when nothing is left."""
    kinds = {t.kind for t in targets if t.kind not in ("manual", TEXT_LINE)}
    names = sorted({*registry.rechecks(Kind(k) for k in kinds), "metadata"})
    decoded = imageio.decode(data, name)
    analysis = _analyzer(names).analyze(decoded)  # the output's own bytes, not a re-encode
    kept = [f.box for f in (report.findings if report else ()) if f.box is not None and (
        f.id in options.keep or f.kind.value not in kinds)]
    # documents are redacted by label (a passport whole, a page of text not): a document
    # page read after a passport was filled is not a leftover
    ids = {t.finding_id for t in targets}
    documents = {f.label for f in (report.findings if report else ())
                 if f.kind is Kind.DOCUMENT and f.id in ids}
    inside: list[dict[str, Any]] = []
    new: list[dict[str, Any]] = []
    for f in analysis.findings:
        if f.kind.value not in kinds or f.box is None or (
                f.kind is Kind.DOCUMENT and f.label not in documents):
            continue
        if any(_touches(f.box, k) and f.box.iou(k) >= 0.3 for k in kept):
            continue
        row = {"kind": f.kind.value, "label": f.label, "box": f.box.as_list(), "text": f.text}
        box = f.box
        (inside if any(_share(box, t.box) >= INSIDE for t in targets) else new).append(row)
    allowed = {"copyright"} if "Copyright" in options.keep_tags else set()
    metadata = [{"kind": f.kind.value, "label": f.label, "box": None, "text": f.text}
                for f in _metadata(decoded) if f.label not in allowed]
    errors = [e.message for e in analysis.analyzer.errors]
    return {
        "ok": not inside and not new and not metadata and not errors,
        "detectors": names,
        "errors": errors,
        "inside": inside,
        "new": new,
        "metadata": metadata,
        # what the callers before this split read: everything still shown
        "leaks": inside + new + metadata,
    }


def _metadata(output: imageio.LoadedImage) -> list[Finding]:
    """Every metadata finding in an encoded output (there should be none)."""
    from ..detectors.metadata import MetadataDetector

    return list(MetadataDetector().detect(output))


def restore(path: str | Path, out: str | Path, passphrase: str,
            overwrite: bool = False) -> Path:
    """Put the original pixels back into every encrypted region. Nothing is written on a
    wrong passphrase, a changed byte, a changed visible image or a missing payload.

    The carrier is decoded only when it is a format PixelSafe writes, of the size the
    authenticated header records, within the decoder's limits. A payload written before
    carriers were bound (header version 1) restores with an :class:`UnverifiedCarrierWarning`.
    """
    src, dst = Path(path), Path(out)
    check_output(dst, [src], overwrite)
    data = imageio.read_bytes(src)
    carried = sealed.split(data, src)
    opened = sealed.open_sealed(carried.payload, passphrase)
    if opened.carrier is None:
        warnings.warn(UnverifiedCarrierWarning(
            f"{src.name}: protected by an earlier version, which did not record the visible "
            "image: a change to it since then cannot be detected"), stacklevel=2)
    elif sealed.carrier_digest(carried.carrier) != opened.carrier:
        raise TamperedError(
            f"{src.name}: the visible image was changed after it was protected (re-saved, "
            "edited, or the encrypted regions were copied into another picture); its regions "
            "are not restored into it")
    im = imageio.open_image(data, src.name)
    allowed = sealed.SIDECAR_FORMATS if carried.sidecar else sealed.EMBEDDED_FORMATS
    fmt = "HEIF" if im.format in ("HEIF", "AVIF") else im.format
    if fmt not in allowed:
        raise TamperedError(f"{src.name}: a {im.format} file is not a carrier PixelSafe writes")
    if im.size != opened.size:
        raise TamperedError(f"{src.name} is {im.size[0]}x{im.size[1]} but its regions were "
                            f"sealed for {opened.size[0]}x{opened.size[1]}")
    try:
        im.load()
        base = im.convert(opened.mode) if im.mode != opened.mode else im.copy()
    except (OSError, ValueError, SyntaxError) as exc:
        raise CorruptImageError(f"{src.name}: cannot decode the visible image ({exc})") from exc
    for region in opened.regions():
        base.paste(region.pixels, (region.box.x1, region.box.y1))
    fmt = output_format(dst, "PNG")
    encoded, _ = encode(base, fmt)
    write_atomic(dst, encoded)
    return dst


def strip(path: str | Path, out: str | Path, keep_icc: bool = False,
          overwrite: bool = False, keep_tags: frozenset[str] = frozenset()) -> Path:
    """Metadata only. A JPEG or PNG written in its own format is stripped losslessly (the
    same bytes of image data; see :mod:`.lossless`); any other is freshly encoded from its
    pixels, orientation baked in. ``keep_tags``: Orientation, ICC, Copyright."""
    from . import lossless

    src, dst = Path(path), Path(out)
    check_output(dst, [src], overwrite)
    loaded = imageio.load(src)
    fmt = output_format(dst, loaded.format)
    keep = frozenset(keep_tags | ({"ICC"} if keep_icc else set()))
    allowed = {"copyright"} if "Copyright" in keep else set()
    if fmt == loaded.format and fmt in ("JPEG", "PNG"):
        exif = loaded.original.getexif()
        rights = exif.get(lossless.COPYRIGHT) if "Copyright" in keep else None
        writer = lossless.jpeg if fmt == "JPEG" else lossless.png
        data = writer(loaded.data, loaded.orientation, keep,
                      str(rights) if rights else None)
        again = imageio.decode(data, dst.name)
        if again.original.tobytes() != loaded.original.tobytes():  # pragma: no cover
            raise ProtectError(f"{src.name}: lossless strip changed the pixels")
    else:
        # a HEIC's colour profile (Display P3 on iPhones) describes colours, not a person:
        # dropping it changed how the photo looks, so a HEIC keeps it
        profile = "ICC" in keep or (fmt == "HEIF" and loaded.format == "HEIF")
        data, _ = encode(oriented(loaded), fmt, loaded, profile, "Copyright" in keep)
        again = imageio.decode(data, dst.name)
    leftovers = [f for f in _metadata(again) if f.label not in allowed]
    if leftovers:
        raise ResidualLeakError(f"{dst.name}: metadata survived: {leftovers[0].label}")
    write_atomic(dst, data)
    return dst


# --- vault ----------------------------------------------------------------------------------

AGE_SUFFIX = ".age"


def lock(path: str | Path, passphrase: str, out: str | Path | None = None,
         overwrite: bool = False) -> Path:
    """Encrypt a whole file in the age format (scrypt recipient): ``age -d`` opens it."""
    import pyrage

    if not passphrase:
        raise PassphraseError("an empty passphrase cannot protect anything")
    src = Path(path)
    dst = Path(out) if out else Path(str(src) + AGE_SUFFIX)
    check_output(dst, [src], overwrite)
    data = src.read_bytes()
    blob = pyrage.passphrase.encrypt(data, passphrase)
    if pyrage.passphrase.decrypt(blob, passphrase) != data:  # pragma: no cover
        raise ProtectError(f"{src}: the vault copy did not decrypt back to the original")
    write_atomic(dst, blob)
    return dst


def unlock(path: str | Path, passphrase: str, out: str | Path | None = None,
           overwrite: bool = False) -> Path:
    import pyrage

    src = Path(path)
    if out is None:
        if src.suffix != AGE_SUFFIX:
            raise OutputPathError(f"{src} does not end in .age; give an output path")
        out = src.with_suffix("")
    dst = Path(out)
    check_output(dst, [src], overwrite)
    blob = src.read_bytes()
    if not blob.startswith(b"age-encryption.org/v1"):
        raise ProtectError(f"{src} is not an age file")
    try:
        data = pyrage.passphrase.decrypt(blob, passphrase)
    except pyrage.DecryptError as exc:
        message = str(exc).lower()
        if "header" in message and "mac" not in message:
            raise PassphraseError(f"{src}: wrong passphrase") from exc
        raise PassphraseError(f"{src}: wrong passphrase, or the file was changed ({exc})") \
            from exc
    write_atomic(dst, data)
    return dst


__all__ = ["RedactOptions", "RedactResult", "Kind", "UnverifiedCarrierWarning", "lock",
           "redact", "restore", "strip", "unlock"]
