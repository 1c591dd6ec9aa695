"""Plates printed on two rows, photographed: motorcycles' plates of the UK, Germany, Brazil,
Italy, India and the US, and the square plates of Germany and India, on the back of a
vehicle (a flat panel with a light and a shadow), turned a few degrees, at several
distances, softened and saved as JPEG. No evaluation set here holds one (plates-openalpr
and plates-seed print every plate on one row); the held-out sets do.

    .venv/bin/python bench/gen_plates2.py OUT_DIR [--plates 36]

Truth (``truth.json``): each plate's box (its outer edge, in the photo's pixels) and its
text, both rows joined, for ``bench/text.py``'s plates section.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import string
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
]


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


#: each country's two rows, as its plates print them; the colours of plate and ink
LAYOUTS: dict[str, tuple[Callable[[random.Random], tuple[str, str]], str, str]] = {
    "uk-moto": (lambda r: (_letters(r, 2) + _digits(r, 2), _letters(r, 3)), "#f4d21f", "black"),
    "de-square": (lambda r: (f"{_letters(r, r.randint(1, 3))} {_letters(r, 2)}",
                             _digits(r, r.randint(2, 4))), "white", "black"),
    "br-moto": (lambda r: (_letters(r, 3), _digits(r, 1) + _letters(r, 1) + _digits(r, 2)),
                "white", "black"),
    "it-moto": (lambda r: (_letters(r, 2), _digits(r, 5)), "white", "black"),
    "in-square": (lambda r: (f"{_letters(r, 2)} {_digits(r, 2)}",
                             f"{_letters(r, 2)} {_digits(r, 4)}"), "white", "black"),
    "us-moto": (lambda r: (_digits(r, 2) + _letters(r, 1), _digits(r, 3)), "white", "#1b2a6b"),
}


def _plate(rng: random.Random, layout: str, width: int) -> tuple[Image.Image, str]:
    rows_of, paper, ink = LAYOUTS[layout]
    rows = rows_of(rng)
    height = int(width * rng.uniform(0.62, 0.8))
    im = Image.new("RGB", (width, height), paper)
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, width - 1, height - 1), outline=ink, width=max(2, width // 60))
    path = rng.choice([f for f in FONTS if Path(f).exists()])
    size = int(height * 0.36)
    font = ImageFont.truetype(path, size)
    widest = max(d.textlength(row, font=font) for row in rows)
    if widest > 0.86 * width:  # the longer row fits inside the frame
        font = ImageFont.truetype(path, int(size * 0.86 * width / widest))
    for k, row in enumerate(rows):
        w = d.textlength(row, font=font)
        top, bottom = d.textbbox((0, 0), row, font=font)[1::2]
        d.text(((width - w) / 2, height * (0.27 + 0.48 * k) - (top + bottom) / 2), row,
               font=font, fill=ink)
    return im, (rows[0] + rows[1]).replace(" ", "")


def build(out: Path, plates: int = 36, seed: int = 11) -> list[dict[str, object]]:
    rng = random.Random(seed)
    return photograph(out, plates, rng, sorted(LAYOUTS),
                      lambda layout: _plate(rng, layout, rng.randint(110, 300)))


def photograph(out: Path, plates: int, rng: random.Random, layouts: list[str],
               draw: Callable[[str], tuple[Image.Image, str]],
               panel: tuple[int, int] = (160, 1120), margin: int = 100, turn: float = 6,
               blur: float = 1.2) -> list[dict[str, object]]:
    """Each plate on the back of a vehicle (a flat panel, its shadow on the road), turned,
    placed, softened and saved as JPEG, with its ``truth.json``; the k-th plate is of
    ``layouts[k % len(layouts)]``, drawn by ``draw`` after the scene's colours."""
    out.mkdir(parents=True, exist_ok=True)
    truth: list[dict[str, object]] = []
    for k in range(plates):
        layout = layouts[k % len(layouts)]
        scene = Image.new("RGB", (1280, 860), tuple(rng.randint(40, 160) for _ in range(3)))
        d = ImageDraw.Draw(scene)
        body = tuple(rng.randint(20, 220) for _ in range(3))
        d.rectangle((panel[0], 180, panel[1], 760), fill=body)  # the vehicle's back
        d.rectangle((panel[0], 700, panel[1], 860), fill=(30, 30, 32))  # its shadow
        plate, text = draw(layout)
        plate = plate.rotate(rng.uniform(-turn, turn), expand=True, fillcolor=body,
                             resample=Image.Resampling.BICUBIC)
        x = rng.randint(panel[0] + margin, panel[1] - margin - plate.width)
        y = rng.randint(300, 680 - plate.height)
        scene.paste(plate, (x, y))
        scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, blur)))
        buf = io.BytesIO()
        scene.save(buf, "JPEG", quality=rng.randint(60, 88))
        name = f"{k:03d}-{layout}.jpg"
        (out / name).write_bytes(buf.getvalue())
        truth.append({"image": name, "box": [x, y, x + plate.width, y + plate.height],
                      "text": text})
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth


def main(build: Callable[[Path, int], list[dict[str, object]]], plates: int) -> None:
    """The command line of a plates generator: OUT_DIR [--plates N]."""
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--plates", type=int, default=plates)
    a = ap.parse_args()
    print(f"{len(build(a.out, a.plates))} plates in {a.out}")


if __name__ == "__main__":
    main(build, 36)
