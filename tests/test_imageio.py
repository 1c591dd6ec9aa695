from __future__ import annotations

import io

import pytest
from conftest import encode, png_bomb
from PIL import Image

from pixelsafe import imageio
from pixelsafe.errors import (
    CorruptImageError,
    DecompressionBombError,
    EmptyFileError,
    FileTooLargeError,
    InputError,
    UnsupportedFormatError,
)


def marker_image(mode: str = "RGB") -> Image.Image:
    """40x20, black, with one white pixel block at the top-left corner."""
    im = Image.new("RGB", (40, 20), (0, 0, 0))
    im.paste((255, 255, 255), (0, 0, 4, 4))
    return im.convert(mode)


@pytest.mark.parametrize(
    ("fmt", "kwargs", "expected"),
    [
        ("JPEG", {"quality": 95}, "JPEG"),
        ("PNG", {}, "PNG"),
        ("WEBP", {"lossless": True}, "WEBP"),
        ("TIFF", {}, "TIFF"),
        ("BMP", {}, "BMP"),
        ("GIF", {}, "GIF"),
        ("HEIF", {"quality": 90}, "HEIF"),
    ],
)
def test_accepted_formats(fmt, kwargs, expected):
    if fmt == "HEIF":
        imageio._register_heif()
    data = encode(marker_image(), fmt, **kwargs)
    loaded = imageio.decode(data, f"x.{fmt.lower()}")
    assert loaded.format == expected
    assert (loaded.width, loaded.height) == (40, 20)
    assert loaded.rgb.mode == "RGB"


def test_gif_first_frame_is_used():
    frames = [Image.new("P", (10, 10), i) for i in (1, 2, 3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    loaded = imageio.decode(buf.getvalue(), "anim.gif")
    assert loaded.original.tell() == 0


# Orientation tag -> where the top-left marker of the stored pixels ends up once displayed.
ORIENTATIONS = {1: "tl", 2: "tr", 3: "br", 4: "bl", 5: "tl", 6: "tr", 7: "br", 8: "bl"}


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
def test_exif_orientation_is_applied(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    loaded = imageio.decode(encode(marker_image(), "PNG", exif=exif), "o.png")
    expected_size = (20, 40) if orientation >= 5 else (40, 20)
    assert (loaded.width, loaded.height) == expected_size
    assert loaded.orientation == orientation
    w, h = loaded.width, loaded.height
    corners = {"tl": (1, 1), "tr": (w - 2, 1), "br": (w - 2, h - 2), "bl": (1, h - 2)}
    bright = {name for name, xy in corners.items() if loaded.rgb.getpixel(xy)[0] > 128}
    assert bright == {ORIENTATIONS[orientation]}


def test_empty_file():
    with pytest.raises(EmptyFileError):
        imageio.decode(b"", "empty.jpg")


def test_unsupported_format():
    with pytest.raises(UnsupportedFormatError):
        imageio.decode(b"hello, this is not an image at all", "notes.jpg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_is_corrupt(fmt):
    data = encode(Image.effect_noise((300, 300), 60).convert("RGB"), fmt)
    with pytest.raises(CorruptImageError):
        imageio.decode(data[: len(data) // 2], "cut")


def test_decompression_bomb_refused_before_decoding():
    crafted = png_bomb(30000, 30000)
    with pytest.raises(DecompressionBombError, match="900000000 pixels"):
        imageio.open_image(crafted, "bomb.png")


def test_pixel_ceiling_is_configurable():
    data = encode(Image.new("RGB", (100, 100)), "PNG")
    with pytest.raises(DecompressionBombError):
        imageio.decode(data, "x.png", imageio.Limits(max_pixels=9_999))
    assert imageio.decode(data, "x.png", imageio.Limits(max_pixels=10_000)).width == 100


def test_file_size_limit(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(encode(Image.new("RGB", (64, 64)), "PNG"))
    with pytest.raises(FileTooLargeError):
        imageio.load(path, imageio.Limits(max_bytes=10))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError):
        imageio.load(tmp_path / "nope.jpg")
    with pytest.raises(InputError):
        imageio.load(tmp_path)


def test_from_pil_does_not_touch_the_caller_image():
    im = marker_image("RGBA")
    before = im.tobytes()
    loaded = imageio.from_pil(im)
    assert loaded.rgb.mode == "RGB"
    assert im.mode == "RGBA" and im.tobytes() == before
