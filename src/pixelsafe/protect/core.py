"""Redact, restore and strip: new files only, freshly encoded from pixels, written atomically.

* Faces are blurred (or pixelated) inside a box enlarged 1.3 times, as deface does; after
  redaction the face detector runs again on the pixels and any face it still finds in a
  redacted region is redacted again more strongly (stronger blur, then pixelation, then fill).
* Text, MRZ lines, plates and barcodes always get a solid fill: pixelated or blurred text can
  be recovered (Depix; Hill et al., PETS 2016), so a blur request is not honoured for them.
* The output is re-analysed by default; a finding of a redacted kind that is still there
  raises ResidualLeakError and nothing is written.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter, ImageOps, JpegImagePlugin

from .. import imageio
from ..errors import OutputPathError, ProtectError
from ..policy import IDENTITY_DOCUMENTS, STYLES, redacts_by_default, style_for
from ..report import Box, Finding, Kind, Redaction, Report

FACE_MARGIN = 1.3

SUFFIX_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP",
                  ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP", ".gif": "GIF",
                  ".heic": "HEIF", ".heif": "HEIF"}
FORMAT_SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif",
                 "BMP": ".bmp", "GIF": ".gif", "HEIF": ".heic"}

# IJG's standard luminance table, to estimate a JPEG's quality from its own table
STD_LUMA = (16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40,
            57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24,
            35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98,
            112, 100, 103, 99)


@dataclass(frozen=True)
class Target:
    """A region of the output and how it is treated."""

    box: Box
    style: Redaction
    #: the finding's kind (a :class:`Kind` value), or a region that is no finding:
    #: ``manual`` (a box the user drew) or :data:`TEXT_LINE`
    kind: str
    finding_id: str | None = None


#: the kind of the regions "hide all text" adds: lines the OCR read, not findings
TEXT_LINE = "text_line"


@dataclass
class RedactOptions:
    style: str = "auto"
    #: kinds to redact (None: those the policy table redacts by default)
    only: frozenset[Kind] | None = None
    #: finding ids to leave as they are
    keep: frozenset[str] = frozenset()
    #: passports, ID cards, driving licences and payment cards filled whole (portrait and
    #: every field); False: field by field (the text, MRZ and face findings on them)
    whole_documents: bool = True
    #: extra regions drawn by hand
    boxes: Sequence[Box] = ()
    #: with a passphrase, the original pixels of every region travel encrypted
    passphrase: str | None = None
    keep_icc: bool = False
    #: metadata kept in the output (:data:`KEEPABLE_TAGS`; the pixels are written upright,
    #: so an orientation has nothing left to say); everything else is dropped
    keep_tags: frozenset[str] = frozenset()
    verify: bool = True
    overwrite: bool = False
    #: how much larger than the detector's box a face's region is (deface's --mask-scale)
    mask_scale: float = FACE_MARGIN
    #: the face detector's threshold for the analysis a redaction runs (deface's --thresh;
    #: None: the detector's own)
    face_threshold: float | None = None
    #: everything a redaction does (the faces treated until the detector no longer finds
    #: them, the check after it) but writing: the regions reported are the ones a real
    #: run writes (``--dry-run``)
    dry_run: bool = False
    #: "hide all text": every line of text the OCR reads is filled too, whatever the
    #: recognisers think of it, except the lines a kept finding lies on
    all_text: bool = False


@dataclass(frozen=True)
class Leftover:
    """What the check of an output still found: a finding of a redacted kind, or any
    metadata (no box)."""

    kind: Kind
    label: str
    box: Box | None
    text: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "label": self.label,
                "box": self.box.as_list() if self.box else None, "text": self.text}

    def named(self) -> str:
        """As the page shows it: kind, label and the text read."""
        text = f" \u201c{self.text}\u201d" if self.text else ""
        return f"{self.kind.value.replace('_', ' ')} ({self.label}){text}"


@dataclass
class Verification:
    """The check of a redaction's encoded output (:func:`pixelsafe.protect.verification.verify`):
    ``ok`` when nothing that was to be hidden is seen again."""

    ok: bool
    #: the detectors that looked again
    detectors: list[str]
    #: what a detector could not check
    errors: list[str]
    #: leftovers inside a region that was to be redacted
    inside: list[Leftover]
    #: findings of a redacted kind outside every region (redacted too, never a refusal)
    new: list[Leftover]
    metadata: list[Leftover]
    #: what the rounds after the first look redacted
    added: list[Leftover] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "detectors": self.detectors, "errors": self.errors,
                **{name: [x.to_dict() for x in getattr(self, name)]
                   for name in ("inside", "new", "metadata", "added")}}


@dataclass
class RedactResult:
    input: Path
    output: Path
    format: str
    regions: list[Target]
    encrypted: bool
    sidecar: Path | None
    quality: int | None
    #: None when the output was not checked again
    verification: Verification | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": str(self.input), "output": str(self.output), "format": self.format,
            "encrypted": self.encrypted, "sidecar": str(self.sidecar) if self.sidecar else None,
            "quality": self.quality,
            "regions": [{"box": t.box.as_list(), "style": t.style, "kind": t.kind,
                         "finding": t.finding_id} for t in self.regions],
            "verification": self.verification.to_dict() if self.verification else {},
        }


# --- paths and encoding ------------------------------------------------------------------

def output_format(out: Path, source_format: str) -> str:
    fmt = SUFFIX_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise OutputPathError(f"{out}: unknown output type {out.suffix!r}; use one of "
                              + ", ".join(sorted(SUFFIX_FORMATS)))
    return fmt


def check_output(out: Path, inputs: Iterable[Path], overwrite: bool) -> None:
    target = out.resolve()
    for src in inputs:
        if target == src.resolve() or (out.exists() and os.path.samefile(out, src)):
            raise OutputPathError(f"{out}: refusing to write over an input file")
    if out.exists() and not overwrite:
        raise OutputPathError(f"{out} exists; choose another name or pass --overwrite")
    if not out.parent.is_dir():
        raise OutputPathError(f"{out.parent} is not a directory")


def oriented(loaded: imageio.LoadedImage) -> Image.Image:
    """The pixels as displayed, in a mode every writer understands; no metadata."""
    im = loaded.original
    im = ImageOps.exif_transpose(im) or im
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode in ("PA", "LA"):
        im = im.convert("RGBA") if im.mode == "PA" else im
    elif im.mode == "1":
        im = im.convert("L")
    elif im.mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
    elif im.mode in ("I;16B", "I;16L", "I;16N"):
        im = im.convert("I;16")
    clean = im.copy()
    clean.info = {}
    return clean


def jpeg_quality(source: Image.Image) -> int | None:
    """Estimate a JPEG's quality from its luminance table (IJG scaling), or None."""
    tables = getattr(source, "quantization", None)
    if not tables or 0 not in tables:
        return None
    scale = 100.0 * sum(tables[0]) / sum(STD_LUMA)
    quality = (200.0 - scale) / 2.0 if scale <= 100 else 5000.0 / scale
    return max(1, min(100, round(quality)))


def _for_format(im: Image.Image, fmt: str) -> Image.Image:
    if fmt in ("JPEG", "BMP") and im.mode not in ("RGB", "L"):
        return _flatten(im)
    if fmt in ("WEBP", "HEIF") and im.mode not in ("RGB", "RGBA"):
        return _flatten(im) if im.mode != "LA" else im.convert("RGBA")
    if fmt == "GIF":
        return _flatten(im).convert("P", palette=Image.Palette.ADAPTIVE)
    return im


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode in ("RGBA", "LA"):
        rgba = im.convert("RGBA")
        bg = Image.new("RGB", im.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    if im.mode in ("I;16", "I", "F"):
        return imageio._to_rgb(im).convert("L")
    return im.convert("RGB")


#: EXIF's Copyright tag
COPYRIGHT_TAG = 0x8298


def source_copyright(source: imageio.LoadedImage | None) -> str | None:
    """The source's EXIF copyright notice, or None."""
    if source is None:
        return None
    value = source.original.getexif().get(COPYRIGHT_TAG)
    return str(value).strip("\x00 ") or None if value else None


def encode(im: Image.Image, fmt: str, source: imageio.LoadedImage | None = None,
           keep_icc: bool = False, keep_copyright: bool = False
           ) -> tuple[bytes, int | None]:
    """Freshly encode pixels: no EXIF, XMP, IPTC, comments, thumbnails or trailing bytes.
    A JPEG source's quality and chroma subsampling are kept; an ICC profile and the
    source's copyright notice only on request."""
    im = _for_format(im, fmt)
    im.info = {}
    params: dict[str, Any] = {}
    quality = None
    if keep_icc and source is not None and source.original.info.get("icc_profile"):
        params["icc_profile"] = source.original.info["icc_profile"]
    notice = source_copyright(source) if keep_copyright else None
    if notice:
        exif = Image.Exif()
        exif[COPYRIGHT_TAG] = notice
        params["exif"] = exif.tobytes()
    if fmt == "JPEG":
        src = source.original if source is not None and source.format == "JPEG" else None
        quality = (jpeg_quality(src) if src is not None else None) or 92
        params.update(quality=quality, optimize=True)
        if src is not None:
            sampling = JpegImagePlugin.get_sampling(src)
            if sampling >= 0:
                params["subsampling"] = sampling
    elif fmt == "WEBP":
        quality = 92
        params.update(quality=quality, method=4)
    elif fmt == "HEIF":
        # x265 at 90 wrote 3-6 times the source's size (an 866 KB HEIF became 5.1 MB); at
        # 60, phones' HEICs come out at 0.9-1.4 times theirs (8 files of ../shared/eval)
        quality = 60
        params.update(quality=quality)
    elif fmt == "PNG":
        params.update(compress_level=6)
    elif fmt == "TIFF":
        params.update(compression="tiff_deflate")
    buf = io.BytesIO()
    if fmt == "HEIF":
        imageio._register_heif()
    im.save(buf, format=fmt, **params)
    return buf.getvalue(), quality


# --- regions -------------------------------------------------------------------------------

def enlarge(box: Box, factor: float, width: int, height: int) -> Box:
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    hw, hh = box.width * factor / 2, box.height * factor / 2
    out = Box.from_floats(cx - hw, cy - hh, cx + hw, cy + hh, width, height)
    return out or box


def touches(a: Box, b: Box) -> bool:
    """The two boxes share some area."""
    return min(a.x2, b.x2) > max(a.x1, b.x1) and min(a.y2, b.y2) > max(a.y1, b.y1)


def plan(report: Report | None, options: RedactOptions, width: int, height: int
         ) -> list[Target]:
    if options.style not in STYLES:
        raise ProtectError(f"unknown style {options.style!r}; choose from {', '.join(STYLES)}")
    known = {f.id for f in (report.findings if report is not None else ())}
    unknown = sorted(options.keep - known)
    if unknown:
        raise ProtectError(f"no finding {', '.join(unknown)} in this photo (its findings: "
                           f"{', '.join(sorted(known, key=_id_order)) or 'none'})")
    targets: list[Target] = []
    for f in (report.findings if report is not None else ()):
        if f.box is None or f.id in options.keep or not _selected(f, options):
            continue
        targets.append(Target(_region(f, width, height, options.mask_scale),
                              style_for(f.kind, f.redaction, options.style, f.label),
                              f.kind.value, f.id))
    for box in options.boxes:
        clipped = Box.from_floats(box.x1, box.y1, box.x2, box.y2, width, height)
        if clipped is None:
            raise ProtectError(f"box {box.as_list()} lies outside the {width}x{height} image")
        targets.append(Target(clipped, Redaction.FILL if options.style == "auto"
                              else Redaction(options.style), "manual"))
    return targets


def _selected(f: Finding, options: RedactOptions) -> bool:
    """The finding is to be redacted: of a kind the user named, or (none named) redacted by
    default; an identity document as a whole only when whole documents are asked for."""
    if f.kind is Kind.DOCUMENT and f.label in IDENTITY_DOCUMENTS and not options.whole_documents:
        return False
    if options.only is None:
        return redacts_by_default(f.kind, f.label)
    return f.kind in options.only


def _id_order(finding_id: str) -> tuple[int, str]:
    digits = finding_id.lstrip("f")
    return (int(digits), finding_id) if digits.isdigit() else (1 << 30, finding_id)


def _region(f: Finding, width: int, height: int, mask_scale: float = FACE_MARGIN) -> Box:
    assert f.box is not None
    if f.kind is Kind.FACE:
        return enlarge(f.box, mask_scale, width, height)
    return f.box


#: a pixelated region is about this many blocks across; a blurred one's radius is its
#: longest side over ``BLUR_DIVISOR`` (at least 3 px), applied twice over a copy a quarter
#: of its size. The phone app reads these (``style_rules``)
PIXELATE_BLOCKS = 6
BLUR_DIVISOR = 5.0


def style_rules() -> dict[str, Any]:
    """How regions are treated, as data for the phone app: faces' margin and styles, and
    the documents filled whole (the identity documents, as by default here)."""
    return {"face_margin": FACE_MARGIN, "pixelate_blocks": PIXELATE_BLOCKS,
            "blur_divisor": BLUR_DIVISOR, "blur_min": 3.0,
            "identity_documents": sorted(IDENTITY_DOCUMENTS)}


def apply(im: Image.Image, target: Target, strength: int = 0) -> None:
    """Redact one region in place. ``strength`` > 0 asks for a stronger treatment."""
    box = target.box.x1, target.box.y1, target.box.x2, target.box.y2
    style = target.style
    if strength >= 2 or (style == "blur" and im.mode not in ("L", "RGB", "RGBA")):
        style = Redaction.PIXELATE if strength < 3 else Redaction.FILL
    crop = im.crop(box)
    w, h = crop.size
    if style == "fill":
        im.paste(_black(im.mode), box)
        return
    if style == "pixelate":
        blocks = max(2, PIXELATE_BLOCKS // (strength + 1))  # blocks across, then fewer
        small = crop.resize((max(1, min(w, blocks)), max(1, min(h, round(blocks * h / w) or 1))),
                            Image.Resampling.BOX)
        im.paste(small.resize((w, h), Image.Resampling.NEAREST), box)
        return
    radius = max(3.0, max(w, h) / (BLUR_DIVISOR if strength == 0 else BLUR_DIVISOR / 2))
    # blur twice over a downscaled copy: no face structure survives, edges stay soft
    small = crop.resize((max(1, w // 4), max(1, h // 4)), Image.Resampling.BOX)
    small = small.filter(ImageFilter.GaussianBlur(radius / 4))
    im.paste(small.resize((w, h), Image.Resampling.BILINEAR).filter(
        ImageFilter.GaussianBlur(radius / 2)), box)


def _black(mode: str) -> Any:
    return {"RGB": (0, 0, 0), "RGBA": (0, 0, 0, 255), "LA": (0, 255)}.get(mode, 0)
