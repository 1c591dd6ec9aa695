"""Metadata and location: EXIF (JPEG, TIFF, PNG eXIf, WebP, HEIC), XMP, comments and
bytes hidden after the image's end marker."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from defusedxml import ElementTree
from PIL import ExifTags, Image

from ..imageio import LoadedImage
from ..report import Kind
from .base import Candidate, Deadline, Detector, Scene

log = logging.getLogger(__name__)

IFD_EXIF = 0x8769
IFD_GPS = 0x8825

# (IFD, tag, label, field name). IFD None is IFD0.
EXIF_FIELDS: tuple[tuple[int | None, int, str, str], ...] = (
    (IFD_EXIF, 0xA431, "device_serial", "BodySerialNumber"),
    (None, 0xC62F, "device_serial", "CameraSerialNumber"),
    (IFD_EXIF, 0xA435, "device_serial", "LensSerialNumber"),
    (IFD_EXIF, 0xA430, "owner_name", "CameraOwnerName"),
    (None, 0x013B, "artist", "Artist"),
    (None, 0x9C9D, "artist", "XPAuthor"),
    (None, 0x8298, "copyright", "Copyright"),
    (IFD_EXIF, 0xA420, "unique_id", "ImageUniqueID"),
    (None, 0x010E, "comment", "ImageDescription"),
    (IFD_EXIF, 0x9286, "comment", "UserComment"),
    (None, 0x9C9C, "comment", "XPComment"),
    (None, 0x0131, "software", "Software"),
)

XMP_FIELDS: dict[str, tuple[str, str]] = {
    # local name -> (label, field)
    "SerialNumber": ("device_serial", "aux:SerialNumber"),
    "BodySerialNumber": ("device_serial", "exifEX:BodySerialNumber"),
    "LensSerialNumber": ("device_serial", "aux:LensSerialNumber"),
    "OwnerName": ("owner_name", "aux:OwnerName"),
    "CameraOwnerName": ("owner_name", "exifEX:CameraOwnerName"),
    "creator": ("artist", "dc:creator"),
    "rights": ("copyright", "dc:rights"),
    "CreatorTool": ("software", "xmp:CreatorTool"),
}

PNG_TEXT_KEYS = {"author": "artist", "copyright": "copyright", "comment": "comment",
                 "description": "comment", "software": "software"}

#: labels reported once: the first source (EXIF before XMP) wins
SINGLE_VALUED = frozenset({"capture_time", "device_model"})

NS_EXIF = "http://ns.adobe.com/exif/1.0/"  # an XML namespace name, never fetched
_RDF_OPEN = b"<rdf:RDF"
_RDF_CLOSE = b"</rdf:RDF>"
#: what may follow the opening tag's name (the regex ``[\s>]``)
_RDF_AFTER = frozenset(b" \t\n\r\f\v>")


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float
    alt: float | None = None

    def valid(self) -> bool:
        return (math.isfinite(self.lat) and math.isfinite(self.lon) and abs(self.lat) <= 90
                and abs(self.lon) <= 180 and (self.lat, self.lon) != (0.0, 0.0))


def _utf16(raw: bytes) -> str:
    """UCS-2/UTF-16 of either byte order: the byte-order mark when there is one, else the
    side the zero bytes of Latin text fall on (a JPEG comment or an EXIF UNICODE comment
    written big-endian read as little-endian was mojibake)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    even = raw[0::2].count(0)
    odd = raw[1::2].count(0)
    return raw.decode("utf-16-be" if even > odd else "utf-16-le", "replace")


def _looks_utf16(raw: bytes) -> bool:
    """A byte-order mark, or zero bytes on one side in at least a quarter of the characters
    (Latin text). A C string's terminator is not UTF-16: a scanner's ``PFU ScanSnap Manager
    #iX500\\0`` comment (28 bytes, one zero) read as UTF-16 was shown as CJK mojibake."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    body = raw.rstrip(b"\x00")
    if len(raw) % 2 or not body:
        return False
    return max(body[0::2].count(0), body[1::2].count(0)) * 8 >= len(body)


def clean_text(value: Any) -> str | None:
    """EXIF strings arrive as str, bytes (ASCII, UCS-2 for XP*, charset-prefixed comments)."""
    if isinstance(value, bytes):
        for prefix in (b"ASCII\x00\x00\x00", b"UNICODE\x00", b"\x00\x00\x00\x00\x00\x00\x00\x00"):
            if value.startswith(prefix):
                value = value[len(prefix):]
                value = _utf16(value) if prefix.startswith(b"UNICODE") else \
                    value.decode("latin-1", "replace")
                break
        else:
            value = _utf16(value) if _looks_utf16(value) else value.decode("utf-8", "replace")
    elif isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
        value = bytes(value).decode("utf-16-le", "replace")  # XP* tags as byte tuples
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    text = "".join(ch for ch in text if ch.isprintable())
    return text or None


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
EXIF_DATE = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?"
                       r"(?:\.\d+)?([+-]\d{2}:?\d{2}|Z)?)?")


def readable_date(value: str, offset: str | None = None) -> str:
    """``2014:04:29 14:05:33`` and ``+02:00`` -> ``29 April 2014, 14:05:33 (UTC+02:00)``;
    anything else is returned as it is."""
    m = EXIF_DATE.match(value)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return value
    y, mo, d, hh, mm, ss, zone = m.groups()
    offset = offset or (None if zone in (None, "Z") else zone) or ("+00:00" if zone else None)
    out = f"{int(d)} {MONTHS[int(mo) - 1]} {y}"
    if hh:
        out += f", {hh}:{mm}" + (f":{ss}" if ss else "")
    if offset:
        out += f" (UTC{offset})"
    return out


VERSION_ONLY = re.compile(r"\d+(?:\.\d+){0,3}")


def readable_software(value: str, make: str) -> str:
    """Apple's cameras write only the iOS version as Software (``8.1``: "edited with 8.1")."""
    if VERSION_ONLY.fullmatch(value):
        return f"iOS {value}" if "apple" in make.lower() else f"version {value}"
    return value


def _rational(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return math.nan


def dms_to_degrees(dms: Any, ref: Any) -> float:
    if isinstance(dms, (tuple, list)):
        parts = [_rational(v) for v in dms] + [0.0, 0.0]
        deg = parts[0] + parts[1] / 60 + parts[2] / 3600
    else:
        deg = _rational(dms)
    ref_text = clean_text(ref) or ""
    return -deg if ref_text[:1].upper() in ("S", "W") else deg


def gps_from_ifd(gps: dict[int, Any]) -> GeoPoint | None:
    if 2 not in gps or 4 not in gps:
        return None
    point = GeoPoint(round(dms_to_degrees(gps[2], gps.get(1)), 8),
                     round(dms_to_degrees(gps[4], gps.get(3)), 8))
    alt = _rational(gps.get(6)) if 6 in gps else None
    if alt is not None and math.isfinite(alt):
        below = gps.get(5) in (1, b"\x01")
        point = GeoPoint(point.lat, point.lon, round(-alt if below else alt, 3))
    return point if point.valid() else None


def xmp_coordinate(text: str) -> float:
    """XMP GPSCoordinate: "DDD,MM,SSk", "DDD,MM.mmk" or a signed decimal."""
    text = text.strip()
    if not text:
        return math.nan
    ref = text[-1].upper()
    if ref in "NSEW":
        body = text[:-1]
        parts = [float(p) for p in body.split(",")] + [0.0, 0.0]
        deg = parts[0] + parts[1] / 60 + parts[2] / 3600
        return -deg if ref in "SW" else deg
    return float(text)


def rdf_packets(data: bytes) -> Iterator[bytes]:
    r"""Every ``<rdf:RDF …>…</rdf:RDF>`` span, in one pass over the bytes. The regex it
    replaces (``<rdf:RDF[\s>].*?</rdf:RDF>``) looked for a closing tag from every opening
    one: a file of openings and no closing tag took quadratic time (a 640 KB PNG held the
    gallery's server for 230 s, issue 29 point 2). Here no byte is looked at twice: once
    no closing tag follows an opening, none follows the later ones either."""
    pos = 0
    while True:
        start = data.find(_RDF_OPEN, pos)
        if start < 0:
            return
        body = start + len(_RDF_OPEN)
        if body >= len(data) or data[body] not in _RDF_AFTER:
            pos = body
            continue
        end = data.find(_RDF_CLOSE, body + 1)
        if end < 0:
            return
        pos = end + len(_RDF_CLOSE)
        yield data[start:pos]


def xmp_packets(data: bytes) -> Iterator[Any]:
    """Every parseable RDF packet in the file, wherever the container put it."""
    for packet in rdf_packets(data):
        try:
            yield ElementTree.fromstring(packet)
        except Exception:  # malformed XMP is skipped, not fatal
            log.debug("unparseable XMP packet", exc_info=True)


def _xmp_values(root: Any) -> Iterator[tuple[str, str, str]]:
    """(namespace, local name, text) for attributes and simple/array elements."""
    for el in root.iter():
        for key, value in el.attrib.items():
            if key.startswith("{"):
                ns, local = key[1:].split("}", 1)
                yield ns, local, value
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            ns, local = el.tag[1:].split("}", 1)
            texts = [t.strip() for t in el.itertext() if t and t.strip()]
            if texts and local != "RDF":
                yield ns, local, ", ".join(texts)


class MetadataDetector(Detector):
    name = "metadata"
    timed = False  # a few milliseconds over bytes in memory

    def _candidates(self, scene: Scene, deadline: Deadline | None) -> list[Candidate]:
        image = scene.image
        out: list[Candidate] = []
        seen: set[tuple[str, str]] = set()
        problems: list[str] = []
        safe = partial(_safe, problems=problems)

        def add(label: str, value: str, field: str, source: str, confidence: float = 1.0
                ) -> None:
            if (label, value) in seen or (label in SINGLE_VALUED and
                                          any(lb == label for lb, _ in seen)):
                return
            seen.add((label, value))
            out.append(Candidate(Kind.METADATA, label, confidence, source, text=value,
                                 data={"field": field}))

        exif = safe(image.original.getexif, what="EXIF")
        points: list[tuple[GeoPoint, str]] = []
        if exif is not None:
            self._exif(exif, add, points, safe)
        for root in xmp_packets(image.data):
            self._xmp(root, add, points)
        self._containers(image, add)
        if problems:  # what was read is kept; what was not is said
            scene.problem(self.name, "metadata_unreadable", "; ".join(problems))
        return self._locations(points) + out

    # -- EXIF ----------------------------------------------------------------------
    def _exif(self, exif: Image.Exif, add: Callable[..., None],
              points: list[tuple[GeoPoint, str]], safe: Callable[..., Any]) -> None:
        ifds = {None: exif, IFD_EXIF: safe(lambda: exif.get_ifd(IFD_EXIF), what="EXIF IFD") or {}}
        gps = safe(lambda: exif.get_ifd(IFD_GPS), what="EXIF GPS IFD") or {}
        make = clean_text(exif.get(0x010F)) or ""
        for ifd, tag, label, field in EXIF_FIELDS:
            value = clean_text(safe(partial(ifds[ifd].get, tag), what=f"EXIF {field}"))
            if value and label == "software":
                value = readable_software(value, make)
            if value and not (label == "unique_id" and set(value) <= {"0"}):
                add(label, value, field, "exif")
        model = clean_text(exif.get(0x0110)) or ""
        if make or model:
            device = model if make and model.lower().startswith(make.lower()) else \
                " ".join(p for p in (make, model) if p)
            add("device_model", device, "Make/Model", "exif")
        captured = None
        for ifd, tag, field in ((IFD_EXIF, 0x9003, "DateTimeOriginal"),
                                (IFD_EXIF, 0x9004, "DateTimeDigitized"),
                                (None, 0x0132, "DateTime")):
            captured = clean_text(ifds[ifd].get(tag))
            if captured and not captured.startswith("0000"):
                offset = clean_text(ifds[IFD_EXIF].get(0x9011))
                add("capture_time", readable_date(captured, offset), field, "exif")
                break
        ifd1 = safe(lambda: exif.get_ifd(ExifTags.IFD.IFD1), what="EXIF IFD1") or {}
        if ifd1.get(0x0202):
            add("thumbnail", f"embedded preview, {ifd1.get(0x0202)} bytes",
                "IFD1/JPEGInterchangeFormat", "exif")
        point = safe(lambda: gps_from_ifd(dict(gps)), what="EXIF GPS position") if gps else None
        if point:
            points.append((point, "exif"))

    # -- XMP -----------------------------------------------------------------------
    def _xmp(self, root: Any, add: Callable[..., None],
             points: list[tuple[GeoPoint, str]]) -> None:
        lat = lon = None
        for ns, local, text in _xmp_values(root):
            if ns == NS_EXIF and local == "GPSLatitude":
                lat = text
            elif ns == NS_EXIF and local == "GPSLongitude":
                lon = text
            elif local in XMP_FIELDS:
                label, field = XMP_FIELDS[local]
                value = clean_text(text)
                if value:
                    add(label, value, field, "xmp")
            elif local in ("DateTimeOriginal", "DateCreated", "CreateDate"):
                value = clean_text(text)
                if value:
                    add("capture_time", readable_date(value), f"xmp:{local}", "xmp")
        if lat and lon:
            try:
                point = GeoPoint(round(xmp_coordinate(lat), 8), round(xmp_coordinate(lon), 8))
            except ValueError:
                return
            if point.valid():
                points.append((point, "xmp"))

    # -- container-level: comments, text chunks, trailing data ---------------------
    def _containers(self, image: LoadedImage, add: Callable[..., None]) -> None:
        info = image.original.info
        comment = clean_text(info.get("comment"))
        if comment:
            add("comment", comment, "comment", "file")
        if image.format == "PNG":
            for key, value in info.items():
                label = PNG_TEXT_KEYS.get(str(key).lower())
                text = clean_text(value) if isinstance(value, (str, bytes)) else None
                if label and text:
                    add(label, text, f"PNG text {key}", "file")
        trailing = trailing_bytes(image.data, image.format)
        if trailing:
            size, embedded = trailing
            what = "an embedded image" if embedded else "unknown data"
            add("trailing_data", f"{size} bytes after the end of the image ({what})",
                "end marker", "file")

    @staticmethod
    def _locations(points: Sequence[tuple[GeoPoint, str]]) -> list[Candidate]:
        merged: list[tuple[GeoPoint, list[str]]] = []
        for point, source in points:
            for existing, sources in merged:
                if abs(existing.lat - point.lat) < 1e-5 and abs(existing.lon - point.lon) < 1e-5:
                    if source not in sources:
                        sources.append(source)
                    break
            else:
                merged.append((point, [source]))
        out = []
        for point, sources in merged:
            data: dict[str, Any] = {"lat": point.lat, "lon": point.lon, "sources": sources}
            if point.alt is not None:
                data["alt"] = point.alt
            out.append(Candidate(Kind.LOCATION, "gps", 1.0, sources[0],
                                 text=format_latlon(point.lat, point.lon), data=data))
        return out


def format_latlon(lat: float, lon: float) -> str:
    return (f"{abs(lat):.4f} {'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.4f} {'E' if lon >= 0 else 'W'}")


def _safe(fn: Callable[[], Any], problems: list[str], what: str) -> Any:
    """``fn()``, or None when damaged metadata makes it fail: the failure is added to
    ``problems`` (it becomes an ``analyzer.errors`` entry) and the rest is still read."""
    try:
        return fn()
    except Exception as exc:
        log.debug("metadata read failed: %s", what, exc_info=True)
        problems.append(f"{what} could not be read ({type(exc).__name__}: {exc})")
        return None


# ------------------------------------------------------------------ trailing bytes

def trailing_bytes(data: bytes, fmt: str) -> tuple[int, bool] | None:
    """(count, looks like an embedded image) of meaningful bytes after the end marker."""
    end = {"JPEG": jpeg_end, "PNG": png_end, "WEBP": webp_end}.get(fmt, lambda _d: None)(data)
    if end is None or end >= len(data):
        return None
    tail = data[end:]
    if not tail.strip(b"\x00\xff\r\n \t"):
        return None  # padding
    embedded = b"\xff\xd8\xff" in tail[:4096] or b"\x89PNG" in tail[:4096] or b"ftyp" in tail[:64]
    return len(tail), embedded


#: the part :func:`jpeg_parts` gives for the entropy-coded data after a scan header
ENTROPY = -1


def jpeg_parts(data: bytes) -> Iterator[tuple[int, int, int]]:
    """The first image's parts, in order, as (marker, start, end): every marker segment
    (SOI and EOI included; fill bytes left out), and ``(ENTROPY, start, end)`` for the
    entropy-coded data after each scan header, its restart markers included. Raises
    ValueError where the structure cannot be followed or ends before the EOI."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    yield 0xD8, 0, 2
    i, n = 2, len(data)
    while i + 2 <= n:
        if data[i] != 0xFF:
            raise ValueError(f"no marker at {i}")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9 or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            yield marker, i, i + 2
            if marker == 0xD9:
                return
            i += 2
            continue
        if i + 4 > n:
            break
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if length < 2 or i + 2 + length > n:
            raise ValueError(f"segment {marker:02X} at {i} overruns the file")
        yield marker, i, i + 2 + length
        i += 2 + length
        if marker == 0xDA:  # start of scan: the entropy-coded data runs to the next marker
            start = i
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    raise ValueError("the scan runs to the end of the file")
                nxt = data[j + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7:
                    i = j + 2
                elif nxt == 0xFF:
                    i = j + 1
                else:
                    i = j
                    break
            yield ENTROPY, start, i
    raise ValueError("the JPEG ends before its EOI")


def jpeg_end(data: bytes) -> int | None:
    """Offset just after the first image's EOI, walking segments and entropy-coded data."""
    try:
        return list(jpeg_parts(data))[-1][2]
    except ValueError:
        return None


def png_end(data: bytes) -> int | None:
    i, n = 8, len(data)
    while i + 12 <= n:
        length = int.from_bytes(data[i:i + 4], "big")
        ctype = data[i + 4:i + 8]
        i += 12 + length
        if ctype == b"IEND":
            return i
    return None


def webp_end(data: bytes) -> int | None:
    if data[:4] != b"RIFF":
        return None
    size = int.from_bytes(data[4:8], "little")
    return 8 + size + (size & 1)
