"""Strip: a copy without metadata, lossless for a JPEG or PNG kept in its own format."""

from __future__ import annotations

from pathlib import Path

from .. import imageio
from ..errors import ProtectError, ResidualLeakError
from ..fsutil import write_atomic
from .core import check_output, encode, oriented, output_format
from .verification import metadata_findings


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
    leftovers = [f for f in metadata_findings(again) if f.label not in allowed]
    if leftovers:
        raise ResidualLeakError(f"{dst.name}: metadata survived: {leftovers[0].label}")
    write_atomic(dst, data)
    return dst
