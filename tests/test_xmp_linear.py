"""Issue 29, point 2: the XMP scan is linear. The regex it replaced looked for a closing tag
from every opening one, so a file of openings stalled the gallery's server (a 640 KB PNG,
230 s) in the check after a strip."""

from __future__ import annotations

import io
import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from pixelsafe import imageio
from pixelsafe.detectors.metadata import MetadataDetector, rdf_packets

OLD = re.compile(rb"<rdf:RDF[\s>].*?</rdf:RDF>", re.S)
PIECES = [b"<rdf:RDF", b"<rdf:RDF ", b"<rdf:RDF>", b"</rdf:RDF>", b"<rdf:RDFx", b"x", b"\n",
          b"<", b"</rdf:RDF", b">"]


@given(st.lists(st.sampled_from(PIECES), max_size=30))
@settings(max_examples=400, deadline=None)
def test_the_packets_are_the_old_regex_s(parts: list[bytes]) -> None:
    data = b"".join(parts)
    assert list(rdf_packets(data)) == [m.group(0) for m in OLD.finditer(data)]


def test_the_usual_packet_is_found() -> None:
    packet = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
              b'<rdf:Description/></rdf:RDF>')
    assert list(rdf_packets(b"junk" + packet + b"tail")) == [packet]


def test_a_file_of_openings_is_scanned_at_once() -> None:
    text = "<rdf:RDF " * 72_000  # 640 KB, no closing tag
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", text)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "PNG", pnginfo=info)
    image = imageio.decode(buf.getvalue(), "openings.png")
    started = time.perf_counter()
    assert list(rdf_packets(image.data)) == []
    MetadataDetector().detect(image)
    # the quadratic regex took minutes on this file; a linear scan takes milliseconds
    assert time.perf_counter() - started < 5.0
