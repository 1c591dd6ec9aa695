"""Restore: the original pixels of a redaction's encrypted regions put back, only into the
very image they were sealed with."""

from __future__ import annotations

import warnings
from pathlib import Path

from .. import imageio
from ..errors import CorruptImageError, TamperedError
from ..fsutil import write_atomic
from . import sealed
from .core import check_output, encode, output_format
from .sealed import UnverifiedCarrierWarning


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
