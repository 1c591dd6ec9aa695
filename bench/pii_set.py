"""A synthetic document set with known personal text, for recall and precision by kind.

The eval sets have no per-item ground truth for personal text (documents-seed has none,
SROIE only company/date/address/total). This renders pages with a fixed seed: forms,
letters and receipts-like lists mixing personal items (the truth, each with its kind and
the box of its value) and look-alikes that are not personal (order numbers, totals, plain
dates, archive ids). Every value is made up; card numbers pass Luhn, IBANs their mod-97
check and phone numbers libphonenumber's validation, as real ones would.

    .venv/bin/python bench/pii_set.py OUT_DIR [--pages 12]   # writes pages + truth.json
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import phonenumbers
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from pixelsafe.text.recognizers import luhn_ok

KINDS = ("email", "phone", "payment_card", "iban", "national_id", "date_of_birth",
         "person_name", "address", "passport_number")

FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
]
FIRST = ["Anna", "Lukas", "Sofia", "James", "Mei", "Omar", "Elena", "Tomás", "Priya",
         "Jonas", "Claire", "Mateo", "Hannah", "Yusuf", "Ingrid", "David"]
LAST = ["Eriksson", "Novak", "Garcia", "Thompson", "Chen", "Haddad", "Rossi", "Kowalski",
        "Sharma", "Becker", "Dubois", "Silva", "Murphy", "Yilmaz", "Larsen", "Okafor"]
STREETS = ["Maple Street", "Elm Avenue", "Harbour Road", "Station Lane", "Kingsway",
           "Oak Drive", "Mill Road", "Church Street"]
CITIES = [("Springfield", "IL 62704"), ("Leeds", "LS1 4AP"), ("Portland", "OR 97205"),
          ("Bristol", "BS1 5TR"), ("Austin", "TX 78701"), ("Cambridge", "CB2 1TN")]
DOMAINS = ["example.com", "mail.example.org", "post.example.net"]
REGIONS = ["US", "GB", "DE", "FR"]


@dataclass
class Item:
    image: str
    kind: str  # one of KINDS, or "" for a look-alike that is not personal
    text: str
    box: tuple[int, int, int, int]


def card(rng: random.Random) -> str:
    body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
    digits = next(body + d for d in "0123456789" if luhn_ok(body + d))
    return " ".join(digits[i:i + 4] for i in range(0, 16, 4))


def iban(rng: random.Random) -> str:
    country, length = rng.choice([("DE", 18), ("GB", 18), ("FR", 23), ("NL", 14)])
    if country == "GB":
        bban = "NWBK" + "".join(rng.choice("0123456789") for _ in range(14))
    elif country == "NL":
        bban = "ABNA" + "".join(rng.choice("0123456789") for _ in range(10))
    else:
        bban = "".join(rng.choice("0123456789") for _ in range(length))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    value = f"{country}{check:02d}{bban}"
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


def phone(rng: random.Random) -> str:
    while True:
        region = rng.choice(REGIONS)
        example = phonenumbers.example_number_for_type(
            region, phonenumbers.PhoneNumberType.MOBILE)
        national = str(example.national_number)
        candidate = national[:3] + "".join(rng.choice("0123456789")
                                           for _ in range(len(national) - 3))
        number = phonenumbers.parse(candidate, region)
        if phonenumbers.is_valid_number(number):
            fmt = rng.choice([phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                              phonenumbers.PhoneNumberFormat.NATIONAL])
            if region != "US":
                fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL
            return phonenumbers.format_number(number, fmt)


def ssn(rng: random.Random) -> str:
    return f"{rng.randint(101, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def address(rng: random.Random) -> str:
    city, code = rng.choice(CITIES)
    return f"{rng.randint(2, 240)} {rng.choice(STREETS)}, {city} {code}"


def date(rng: random.Random, start: int, end: int) -> str:
    return f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(start, end)}"


def personal_fields(rng: random.Random) -> list[tuple[str, str, str]]:
    """(label, value, kind) lines of a form; the value's box is the truth."""
    name = person(rng)
    user = name.lower().replace(" ", ".").replace("á", "a")
    fields = [
        ("Name:", name, "person_name"),
        ("Address:", address(rng), "address"),
        ("Email:", f"{user}@{rng.choice(DOMAINS)}", "email"),
        ("Phone:", phone(rng), "phone"),
        ("Date of birth:", date(rng, 1950, 2004), "date_of_birth"),
        ("Card number:", card(rng), "payment_card"),
        ("IBAN:", iban(rng), "iban"),
        ("SSN:", ssn(rng), "national_id"),
        ("Passport No.:", rng.choice("CDEFGHJK") + str(rng.randint(10_000_000, 99_999_999)),
         "passport_number"),
    ]
    rng.shuffle(fields)
    return fields[:rng.randint(6, 9)]


def decoys(rng: random.Random) -> list[tuple[str, str]]:
    """Labels and values that look like personal data and are not."""
    items = [
        ("Order no.:", str(rng.randint(100_000_000, 999_999_999))),
        ("Invoice date:", date(rng, 2020, 2026)),
        ("Total:", f"EUR {rng.randint(10, 999)}.{rng.randint(0, 99):02d}"),
        ("Reference:", f"{rng.randint(10_000, 99_999)} {rng.randint(1000, 9999)}"),
        ("Item code:", f"SKU-{rng.randint(1000, 9999)}-{rng.randint(10, 99)}"),
        ("Department:", rng.choice(["Accounts", "Customer Service", "Logistics"])),
        ("Pages:", f"{rng.randint(1, 9)} of {rng.randint(9, 20)}"),
    ]
    rng.shuffle(items)
    return items[:rng.randint(3, 5)]


def page(index: int, rng: random.Random, out: Path) -> list[Item]:
    width, height = 1240, 1754  # A4 at 150 dpi
    img = Image.new("RGB", (width, height), (250, 250, 247))
    draw = ImageDraw.Draw(img)
    fonts = [f for f in FONTS if Path(f).exists()]
    path_font = rng.choice(fonts) if fonts else None

    def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        return (ImageFont.truetype(path_font, size) if path_font
                else ImageFont.load_default(size=size))

    name = f"page_{index:02d}.png"
    items: list[Item] = []
    size = rng.randint(24, 32)
    draw.text((90, 80), rng.choice(["Customer record", "Application form", "Account details",
                                    "Booking confirmation"]), font=font(size + 14),
              fill=(20, 20, 20))
    y = 200
    rows: list[tuple[str, str, str]] = [*personal_fields(rng),
                                        *((label, value, "") for label, value in decoys(rng))]
    rng.shuffle(rows)
    for label, value, kind in rows:
        f = font(size)
        draw.text((90, y), label, font=f, fill=(60, 60, 60))
        x = 90 + int(draw.textlength(label, font=f)) + rng.randint(14, 40)
        draw.text((x, y), value, font=f, fill=(10, 10, 10))
        box = draw.textbbox((x, y), value, font=f)
        items.append(Item(name, kind, value, (box[0], box[1], box[2], box[3])))
        y += int(size * rng.uniform(1.9, 2.4))
    # a paragraph with an inline email and phone, as in a letter
    y += 30
    contact_email = f"{rng.choice(FIRST).lower()}@{rng.choice(DOMAINS)}"
    contact_phone = phone(rng)
    f = font(size - 2)
    lines = [[("Questions? Write to ", ""), (contact_email, "email")],
             [("or call ", ""), (contact_phone, "phone"), (" on weekdays.", "")]]
    for parts in lines:  # two lines: the page is never overrun
        x = 90
        for text, kind in parts:
            draw.text((x, y), text, font=f, fill=(30, 30, 30))
            if kind:
                box = draw.textbbox((x, y), text, font=f)
                items.append(Item(name, kind, text, (box[0], box[1], box[2], box[3])))
            x += int(draw.textlength(text, font=f))
        y += int(size * 1.6)
    # a scan's blur and noise
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    noise = np.random.default_rng(index).normal(0, 6, (height, width, 1))
    arr = np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(arr).save(out / name)
    return items


def build(out: Path, pages: int = 12, seed: int = 20261126) -> list[Item]:
    """Writes the pages and truth.json into ``out``; returns every item (personal or not)."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    items = [item for i in range(pages) for item in page(i, rng, out)]
    (out / "truth.json").write_text(json.dumps([asdict(i) for i in items], indent=1))
    return items


# -- scoring ------------------------------------------------------------------------------

def coverage(box: tuple[float, ...], boxes: list[tuple[float, ...]], shape: tuple[int, int]
             ) -> float:
    """The fraction of ``box`` covered by the union of ``boxes``."""
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    x1, y1 = max(0, x1), max(0, y1)
    x2, y2 = min(shape[1], x2), min(shape[0], y2)
    if x2 <= x1 or y2 <= y1:
        return 0.0
    mask = np.zeros((y2 - y1, x2 - x1), dtype=bool)
    for bx1, by1, bx2, by2 in boxes:
        ix1, iy1 = max(x1, int(bx1)), max(y1, int(by1))
        ix2, iy2 = min(x2, int(np.ceil(bx2))), min(y2, int(np.ceil(by2)))
        if ix2 > ix1 and iy2 > iy1:
            mask[iy1 - y1:iy2 - y1, ix1 - x1:ix2 - x1] = True
    return float(mask.mean())


def padded(box: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
    """A value's glyph box grown by its height: a tool's box around the whole line of
    text (ascenders, descenders, a margin) still lies on it."""
    margin = box[3] - box[1]
    return (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)


@dataclass
class KindScore:
    truth: int = 0
    found: int = 0  # truth items of this kind covered by findings of this kind
    hidden: int = 0  # truth items covered by findings of any kind (what redaction hides)
    findings: int = 0
    correct: int = 0  # findings of this kind lying on a truth item of this kind


def score(items: list[Item], findings: dict[str, list[tuple[str, tuple[float, ...]]]],
          shape: tuple[int, int] = (1754, 1240)) -> dict[str, KindScore]:
    """findings: image name -> [(kind, box)]. A truth item counts as found when findings of
    its kind cover at least half of its box (Presidio reports word boxes, PixelSafe whole
    values); a finding is correct when at least half of it lies on truth items of its kind
    (each grown by its text height, see ``padded``)."""
    out = {k: KindScore() for k in (*KINDS, "all")}
    every = out["all"]
    by_image: dict[str, list[Item]] = {}
    for item in items:
        by_image.setdefault(item.image, []).append(item)
    for image, truth in by_image.items():
        found = findings.get(image, [])
        for item in truth:
            if not item.kind:
                continue
            s = out[item.kind]
            same = [b for k, b in found if k == item.kind]
            found_here = coverage(item.box, same, shape) >= 0.5
            hidden_here = coverage(item.box, [b for _, b in found], shape) >= 0.5
            for tally in (s, every):
                tally.truth += 1
                tally.found += found_here
                tally.hidden += hidden_here
        for kind, box in found:
            every.findings += 1
            every.correct += coverage(box, [padded(i.box) for i in truth if i.kind],
                                      shape) >= 0.5
            if kind not in KINDS:
                continue
            s = out[kind]
            s.findings += 1
            s.correct += coverage(box, [padded(i.box) for i in truth if i.kind == kind],
                                  shape) >= 0.5
    return out


def table(scores: dict[str, dict[str, KindScore]]) -> list[str]:
    """Markdown rows: per kind, each tool's recall (same kind / any kind) and precision."""
    tools = list(scores)
    head = "| kind | items | " + " | ".join(
        f"{t} recall | {t} hidden | {t} precision" for t in tools) + " |"
    rows = [head, "|---|---|" + "---|---|---|" * len(tools)]

    def ratio(a: int, b: int) -> str:
        return f"{a / b:.2f} ({a}/{b})" if b else "-"

    for kind in (*KINDS, "all"):
        cells = []
        for t in tools:
            s = scores[t][kind]
            cells += [ratio(s.found, s.truth), ratio(s.hidden, s.truth),
                      ratio(s.correct, s.findings)]
        label = "**all kinds**" if kind == "all" else kind
        rows.append(f"| {label} | {scores[tools[0]][kind].truth} | " + " | ".join(cells) + " |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=12)
    args = ap.parse_args()
    items = build(args.out, args.pages)
    personal = [i for i in items if i.kind]
    print(f"{args.pages} pages, {len(personal)} personal items, "
          f"{len(items) - len(personal)} look-alikes, in {args.out}")


if __name__ == "__main__":
    main()
