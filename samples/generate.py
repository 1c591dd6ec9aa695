"""Regenerates the synthetic samples (run from the repo root: python samples/generate.py).

Everything drawn here is made up: the names, numbers, addresses and the MRZ. The crowd
photos are copied from ../shared/eval/faces-crowd (CC0, see README.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
CROWD = HERE.parents[1] / "shared" / "eval" / "faces-crowd" / "images"
CROWD_PHOTOS = ("maksssksksss717.png", "maksssksksss373.png")


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def mrz_check(field: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1; digits, A-Z = 10-35, '<' = 0."""
    total = 0
    for i, ch in enumerate(field):
        value = int(ch) if ch.isdigit() else (ord(ch) - 55 if ch.isalpha() else 0)
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def td1_mrz(doc_number: str, birth: str, sex: str, expiry: str, state: str,
            surname: str, given: str) -> list[str]:
    number = doc_number.ljust(9, "<")
    line1 = f"I<{state}{number}{mrz_check(number)}".ljust(30, "<")
    line2_core = f"{birth}{mrz_check(birth)}{sex}{expiry}{mrz_check(expiry)}{state}".ljust(29, "<")
    composite = line1[5:30] + line2_core[0:7] + line2_core[8:15] + line2_core[18:29]
    line2 = line2_core + mrz_check(composite)
    line3 = f"{surname}<<{given.replace(' ', '<')}".ljust(30, "<")[:30]
    return [line1, line2, line3]


def id_card(path: Path) -> None:
    card = Image.new("RGB", (1012, 638), (226, 236, 244))
    d = ImageDraw.Draw(card)
    d.rectangle([0, 0, 1011, 90], fill=(30, 70, 130))
    d.text((30, 22), "UTOPIA  IDENTITY CARD", font=font(40), fill="white")
    d.rectangle([40, 120, 300, 440], fill=(180, 190, 200), outline=(90, 90, 90), width=3)
    d.ellipse([110, 160, 230, 290], fill=(120, 130, 140))
    d.rectangle([90, 300, 250, 430], fill=(120, 130, 140))
    fields = [("Surname", "ERIKSSON"), ("Given names", "ANNA MARIA"),
              ("Date of birth", "12.08.1974"), ("Document no.", "D23145890"),
              ("Expiry", "15.04.2032")]
    y = 120
    for label, value in fields:
        d.text((340, y), label, font=font(22), fill=(70, 70, 70))
        d.text((340, y + 26), value, font=font(34), fill="black")
        y += 66
    mrz = td1_mrz("D23145890", "740812", "F", "320415", "UTO", "ERIKSSON", "ANNA MARIA")
    d.rectangle([0, 470, 1011, 637], fill=(245, 245, 240))
    for i, line in enumerate(mrz):
        d.text((40, 482 + i * 50), line, font=font(40), fill="black")
    card.save(path, quality=92)


def document_page(path: Path) -> None:
    page = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(page)
    lines = [
        ("From: Jane Example <jane.doe@example.org>", 30),
        ("To: Accounts Team <accounts@example.com>", 30),
        ("Subject: Updated contact details", 30),
        ("", 30),
        ("Hello,", 28),
        ("please note my new phone number +44 20 7946 0958 and my", 28),
        ("home address: 221B Baker Street, London NW1 6XE.", 28),
        ("Invoice INV-2024-00871 is attached; the total is 1,249.00 GBP.", 28),
        ("", 28),
        ("Kind regards,", 28),
        ("Jane Doe", 28),
    ]
    y = 140
    for text, size in lines:
        d.text((120, y), text, font=font(size), fill=0)
        y += int(size * 1.8)
    page.save(path, optimize=True)


def gps_photo(src: Path, path: Path) -> None:
    """A crowd photo carrying what a phone would add: GPS, serial, owner, time, rotation."""
    im = Image.open(src).convert("RGB")
    # Stored sideways with Orientation=6, as phones do: viewers (and PixelSafe) rotate it.
    stored = im.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"
    exif[0x0110] = "ExampleCam X100"
    exif[0x0112] = 6
    exif[0x0131] = "ExampleCam firmware 1.2"
    exif[0x013B] = "Jane Doe"
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = "2024:05:18 14:03:51"
    exif_ifd[0xA430] = "Jane Doe"
    exif_ifd[0xA431] = "SN-4410-2217-09"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 39.0, 46.78)
    gps[3] = "W"
    gps[4] = (3.0, 45.0, 49.47)
    stored.save(path, exif=exif, quality=90)


def main() -> None:
    for name in CROWD_PHOTOS:
        shutil.copyfile(CROWD / name, HERE / f"crowd-{name}")
    id_card(HERE / "id-card-utopia.jpg")
    document_page(HERE / "letter-contact-details.png")
    gps_photo(CROWD / CROWD_PHOTOS[0], HERE / "street-with-gps.jpg")


if __name__ == "__main__":
    main()
