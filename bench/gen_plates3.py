"""Plates of the Gulf, photographed: the one-row plates of Dubai, Abu Dhabi, Sharjah and
Qatar, and Saudi Arabia's, where a code (a letter, or a number in a box of its own) is
printed apart from the plate's number and the emirate's or the country's name is printed
small in Latin and Arabic letters between or over them. Written (session 18) before the
rules for a code and its number read apart; no set here holds such a plate, the held-out
sets do (UAE plates: 8 of 15 boxes found there).

    .venv/bin/python bench/gen_plates3.py OUT_DIR [--plates 30]

Truth (``truth.json``): each plate's box (its outer edge, in the photo's pixels) and its
Latin text, code and number joined (Saudi Arabia's: the Latin row, digits then letters).
"""

from __future__ import annotations

import random
from pathlib import Path

from gen_plates2 import FONTS, _digits, _letters, main, photograph
from PIL import Image, ImageDraw, ImageFont

#: the plates' small print: DejaVu Sans draws the Arabic letters too (a script the OCR
#: does not read)
SMALL = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
NAMES = {"dubai": ("DUBAI", "دبي"), "abudhabi": ("A.D", "أبوظبي"),
         "sharjah": ("SHARJAH", "الشارقة"), "qatar": ("QATAR", "قطر"),
         "saudi": ("KSA", "السعودية")}
LAYOUTS = sorted(NAMES)


def _code_and_number(rng: random.Random, layout: str) -> tuple[str, str]:
    number = _digits(rng, rng.randint(4, 5)).lstrip("0") or "7"
    if layout == "dubai":
        return _letters(rng, rng.choice([1, 1, 2])), number
    if layout in ("abudhabi", "sharjah"):
        return str(rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 50])), number
    if layout == "qatar":
        return "", _digits(rng, 6).lstrip("0").rjust(6, "1")
    return _digits(rng, 4).lstrip("0").rjust(4, "1"), _letters(rng, 3)  # saudi


def _plate(rng: random.Random, layout: str, width: int) -> tuple[Image.Image, str]:
    code, number = _code_and_number(rng, layout)
    height = int(width * rng.uniform(0.2, 0.26))
    im = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, width - 1, height - 1), outline="black", width=max(2, width // 120))
    font = ImageFont.truetype(rng.choice([f for f in FONTS if Path(f).exists()]),
                              int(height * 0.62))
    small = ImageFont.truetype(SMALL, max(8, int(height * 0.2)))
    latin, arabic = NAMES[layout]
    mid = height / 2

    def text(x: float, y: float, s: str, f: ImageFont.FreeTypeFont, fill: str = "black"
             ) -> float:
        top, bottom = d.textbbox((0, 0), s, font=f)[1::2]
        d.text((x, y - (top + bottom) / 2), s, font=f, fill=fill)
        return d.textlength(s, font=f)

    if layout == "saudi":  # two halves, Arabic over Latin: digits left, letters right
        d.line((width / 2, 4, width / 2, height - 4), fill="black", width=2)
        font = ImageFont.truetype(font.path, int(height * 0.36))
        for half, latin_row in ((0, code), (1, " ".join(number))):
            x = width * (0.06 + 0.5 * half)
            text(x, height * 0.3, arabic if half else "١٢٣٤", font)
            text(x, height * 0.74, latin_row, font)
        return im, code + number
    x = width * 0.05
    if layout in ("abudhabi", "sharjah"):  # the code in a box of its own colour
        box_w = d.textlength(code, font=font) + height * 0.2
        colour = "#c8102e" if layout == "abudhabi" else "#f08a00"
        d.rectangle((x, height * 0.12, x + box_w, height * 0.88), fill=colour)
        text(x + height * 0.1, mid, code, font, "white")
        x += box_w + height * 0.15
    elif code:
        x += text(x, mid, code, font) + height * 0.12
    # the name, small, Latin over Arabic, between the code and the number
    w = max(d.textlength(latin, font=small), d.textlength(arabic, font=small))
    text(x, height * 0.32, latin, small)
    text(x, height * 0.7, arabic, small)
    x += w + height * 0.2
    rest = d.textlength(number, font=font)
    if x + rest > width * 0.96:  # the number fits inside the frame
        font = ImageFont.truetype(font.path, int(font.size * (width * 0.96 - x) / rest))
    text(x, mid, number, font)
    return im, code + number


def build(out: Path, plates: int = 30, seed: int = 23) -> list[dict[str, object]]:
    rng = random.Random(seed)
    return photograph(out, plates, rng, LAYOUTS,
                      lambda layout: _plate(rng, layout, rng.randint(300, 620)),
                      panel=(120, 1160), margin=40, turn=5, blur=1.1)


if __name__ == "__main__":
    main(build, 30)
