from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import EVAL, encode, needs_eval
from PIL import Image

from pixelsafe import imageio
from pixelsafe.detectors.metadata import (
    MetadataDetector,
    dms_to_degrees,
    jpeg_end,
    trailing_bytes,
    xmp_coordinate,
)

DETECTOR = MetadataDetector()


def findings_of(data: bytes, name: str = "x"):
    return DETECTOR.detect(imageio.decode(data, name))


def labels(findings) -> dict[str, str]:
    return {f.label: (f.text or "") for f in findings}


def phone_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D"
    exif[0x013B] = "Jane Doe"
    exif[0x8298] = "(c) Jane Doe"
    exif[0x0131] = "Darktable 4.6"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:05:18 14:03:51"
    sub[0x9011] = "+02:00"
    sub[0xA430] = "Jane's camera"
    sub[0xA431] = "083024001234"
    sub[0xA435] = "LENS-0042"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (33.0, 51.0, 25.2), 3: "E", 4: (151.0, 12.0, 54.0), 5: 0, 6: 58.5})
    return exif


# (Pillow writes no EXIF sub-IFDs into TIFF, so TIFF is covered by the real files below.)
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_exif_fields_and_gps_in_every_container(fmt):
    imageio._register_heif()
    data = encode(Image.new("RGB", (32, 32), "gray"), fmt, exif=phone_exif())
    found = findings_of(data)
    got = labels(found)
    assert got["device_serial"] in ("083024001234", "LENS-0042")
    serials = {f.text for f in found if f.label == "device_serial"}
    assert serials == {"083024001234", "LENS-0042"}
    assert got["owner_name"] == "Jane's camera"
    assert got["artist"] == "Jane Doe"
    assert got["copyright"] == "(c) Jane Doe"
    assert got["software"] == "Darktable 4.6"
    assert got["capture_time"] == "18 May 2024, 14:03:51 (UTC+02:00)"
    assert got["device_model"] == "Canon EOS 5D"
    (gps,) = [f for f in found if f.label == "gps"]
    assert gps.data["lat"] == pytest.approx(-(33 + 51 / 60 + 25.2 / 3600), abs=1e-7)
    assert gps.data["lon"] == pytest.approx(151 + 12 / 60 + 54 / 3600, abs=1e-7)
    assert gps.data["alt"] == pytest.approx(58.5)
    assert gps.box is None and gps.redaction.value == "strip"


def test_xmp_gps_and_creator_without_exif():
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
           b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
           b'xmlns:dc="http://purl.org/dc/elements/1.1/" '
           b'exif:GPSLatitude="48,51.504N" exif:GPSLongitude="2,17.67E">'
           b'<dc:creator><rdf:Seq><rdf:li>Max Mustermann</rdf:li></rdf:Seq></dc:creator>'
           b'</rdf:Description></rdf:RDF></x:xmpmeta>')
    data = encode(Image.new("RGB", (16, 16)), "JPEG", xmp=xmp)
    found = findings_of(data)
    (gps,) = [f for f in found if f.label == "gps"]
    assert (gps.data["lat"], gps.data["lon"]) == pytest.approx((48.8584, 2.2945), abs=1e-6)
    assert gps.data["sources"] == ["xmp"]
    assert labels(found)["artist"] == "Max Mustermann"


def test_trailing_image_and_comment():
    thumb = encode(Image.new("RGB", (8, 8), "red"), "JPEG")
    exif = Image.Exif()
    exif[0x010F] = "X"
    body = encode(Image.new("RGB", (64, 64), "blue"), "JPEG", exif=exif, comment=b"for Bob")
    # Append a second JPEG after the end marker, as MPF files and some apps do.
    found = findings_of(body + thumb, "t.jpg")
    got = labels(found)
    assert "trailing_data" in got and "embedded image" in got["trailing_data"]
    assert got["comment"] == "for Bob"


@needs_eval
def test_embedded_exif_thumbnail_on_a_real_camera_file():
    path = EVAL / "exif-samples" / "repo" / "jpg" / "gps" / "DSCN0010.jpg"
    found = DETECTOR.detect(imageio.load(path))
    assert labels(found)["thumbnail"] == "embedded preview, 6702 bytes"


def test_padding_after_end_marker_is_not_reported():
    body = encode(Image.new("RGB", (16, 16)), "JPEG")
    assert trailing_bytes(body + b"\x00" * 64, "JPEG") is None
    assert jpeg_end(body) == len(body)


def test_png_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Erika Mustermann")
    info.add_text("Comment", "Holiday at home")
    found = findings_of(encode(Image.new("RGB", (8, 8)), "PNG", pnginfo=info))
    assert labels(found) == {"artist": "Erika Mustermann", "comment": "Holiday at home"}


def test_zero_gps_is_not_a_position():
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)})
    assert not [f for f in findings_of(encode(Image.new("RGB", (8, 8)), "JPEG", exif=exif))
                if f.label == "gps"]


def test_clean_image_has_no_findings():
    assert findings_of(encode(Image.new("RGB", (8, 8)), "PNG")) == []


@pytest.mark.parametrize(("text", "value"), [("48,51.504N", 48.8584), ("2,17,40.2W", -2.2945),
                                             ("-12.5", -12.5)])
def test_xmp_coordinate(text, value):
    assert xmp_coordinate(text) == pytest.approx(value, abs=1e-6)


def test_dms_with_broken_rational_is_nan():
    from PIL.TiffImagePlugin import IFDRational

    assert dms_to_degrees((IFDRational(1, 0), 0, 0), "N") != dms_to_degrees((1, 0, 0), "N")


# ------------------------------------------------ GPS against exiftool on real files

def gps_rows():
    rows = []
    for folder, base in (("metadata-extractor", "metadata-extractor-images"),
                         ("exif-samples", "repo")):
        index = EVAL / folder / "exiftool_gps_index.csv"
        if not index.is_file():
            continue
        for row in csv.DictReader(index.read_text().splitlines()):
            path = EVAL / folder / base / row["SourceFile"]
            if path.is_file():
                rows.append(pytest.param(path, row, id=f"{folder}/{row['SourceFile']}"))
    return rows


GPS_ROWS = gps_rows()

# exiftool's index leaves the position of this file empty, but its XMP packet holds
# exif:GPSLatitude/GPSLongitude (metadata-extractor's own dump agrees): a real position.
XMP_ONLY_POSITIONS = {"Nikon D5000.jpg"}


@needs_eval
def test_gps_corpus_is_present():
    with_gps = [p for p in GPS_ROWS if p.values[1]["GPSLatitude"]]
    assert len(GPS_ROWS) >= 40 and len(with_gps) >= 20


@pytest.mark.parametrize(("path", "row"), GPS_ROWS)
def test_gps_matches_exiftool(path: Path, row):
    try:
        loaded = imageio.load(path)
    except Exception as exc:  # broken samples must fail cleanly, and have no GPS to compare
        assert not row["GPSLatitude"] or float(row["GPSLatitude"]) == 0, exc
        return
    found = [f for f in DETECTOR.detect(loaded) if f.label == "gps"]
    lat = float(row["GPSLatitude"] or 0)
    lon = float(row["GPSLongitude"] or 0)
    if lat == 0 and lon == 0:
        if path.name not in XMP_ONLY_POSITIONS:
            assert found == []
        return
    assert any(abs(f.data["lat"] - lat) <= 1e-4 and abs(f.data["lon"] - lon) <= 1e-4
               for f in found), [f.data for f in found]


def test_explanations_a_person_reads() -> None:
    """Issue 14, point 9: a UCS-2 JPEG comment was mojibake, Apple's Software tag read
    "edited with 8.1", EXIF dates were raw."""
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 6"
    exif[0x0131] = "8.1"
    exif.get_ifd(0x8769)[0x9003] = "2014:11:02 09:41:07"
    comment = "Holiday at the lake, Zoë".encode("utf-16-be")
    data = encode(Image.new("RGB", (32, 32), "gray"), "JPEG", exif=exif, comment=comment)
    got = labels(findings_of(data))
    assert got["comment"] == "Holiday at the lake, Zoë"
    assert got["software"] == "iOS 8.1"
    assert got["capture_time"] == "2 November 2014, 09:41:07"
    little = encode(Image.new("RGB", (32, 32), "gray"), "JPEG",
                    comment="\ufeffNotes: Zoë".encode("utf-16-le"))
    assert labels(findings_of(little))["comment"] == "Notes: Zoë"


def test_a_c_string_comment_is_not_read_as_utf16() -> None:
    """Issue 27: the SROIE scanner's JPEG comment ``PFU ScanSnap Manager #iX500`` ends in one
    zero byte and has an even length; it was decoded as UTF-16 and shown as CJK mojibake."""
    for raw, want in ((b"PFU ScanSnap Manager #iX500\x00", "PFU ScanSnap Manager #iX500"),
                      (b"Scan 2018\x00\x00", "Scan 2018"),
                      ("Notes: Zoë".encode("utf-16-le"), "Notes: Zoë"),
                      ("Notes: Zoë".encode("utf-16-be"), "Notes: Zoë")):
        data = encode(Image.new("RGB", (32, 32), "gray"), "JPEG", comment=raw)
        assert labels(findings_of(data))["comment"] == want, raw
