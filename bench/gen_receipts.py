"""A second receipts set, made here: till receipts of shops in 14 countries, printed as
thermal printers print them (narrow paper, monospaced or condensed type, faded ink, a
Code 128 or EAN-13 barcode at the foot) and photographed on a table (turned a little,
softened, unevenly lit, saved as JPEG). The rules for business addresses were written
from ``receipts-sroie`` (Malaysian receipts, scanned); this set is another source, to see
whether they hold elsewhere.

Each shop prints its address its own way: under its name on two or three lines, on one
line with commas, after a store number, or at the foot of the receipt after the thanks.
The decoys are what receipts print beside an address: items whose names hold street words
("Avenue Blend Coffee", "Garden Path Seeds"), tax numbers, till and operator numbers,
dates, times, amounts, card numbers masked but for the last four digits, web addresses.
The truth: each line of each business address and each telephone number (kinds
``address`` and ``phone`` for ``bench/kinds.py``, which also counts the receipts whose
address is found whole), and the barcode's text (``codes.json``: ``bench/kinds.py`` reads
it with the barcode detector's reader).

    .venv/bin/python bench/gen_receipts.py OUT_DIR [--receipts 42]

The templates follow how receipts are printed in those countries, not the rules of
``pixelsafe.text``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import zxingcpp
from gen_world import Item, write_truth
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
]
PAPER = 576  # an 80 mm roll at 203 dpi
EIR = "ACDEFHKNPRTVWXY"  # the letters an Eircode uses


def _d(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _l(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


@dataclass
class Shop:
    """What a country's receipts print: the shop, its address lines, phone, tax line, and
    the words of the till."""
    name: str
    address: list[str]
    phone: tuple[str, str]  # the label before it, the number
    tax: str
    words: dict[str, str]
    money: Callable[[float], str]


def _eu(v: float) -> str:
    return f"{v:.2f}".replace(".", ",")


def _dot(v: float) -> str:
    return f"{v:.2f}"


def shop(country: str, rng: random.Random) -> Shop:
    n = rng.randint(1, 380)
    pick = rng.choice
    if country == "UK":
        street = pick(["Westgate", "Kirkgate", "Fore Street", "Bridge Street", "Market Place"])
        city, pc, area = pick([("Harrogate", "HG1", "01423"), ("Norwich", "NR2", "01603"),
                               ("Exeter", "EX4", "01392")])
        return Shop(pick(["HARTLEY'S FOOD HALL", "The Corner Deli", "Brindle & Co Hardware"]),
                    [f"{n} {street}", city, f"{pc} {rng.randint(1, 9)}{_l(rng, 2)}"],
                    ("Tel: ", f"{area} {rng.randint(2, 8)}{_d(rng, 5)}"),
                    f"VAT Reg No. GB {_d(rng, 3)} "
                    f"{_d(rng, 4)} {_d(rng, 2)}",
                    {"total": "TOTAL", "tax": "VAT 20%", "card": "VISA DEBIT",
                     "thanks": "Thank you for shopping with us"}, _dot)
    if country == "US":
        street = pick(["Elm", "Sycamore", "Washington", "Lakeview", "Cedar"])
        city, st, z, area = pick([("Boise", "ID", "837", "208"), ("Tucson", "AZ", "857", "520"),
                                  ("Raleigh", "NC", "276", "919")])
        return Shop(pick([f"SYCAMORE MARKET #{_d(rng, 4)}", "Lakeview Pharmacy",
                          "Bluebird Hardware"]),
                    [f"{n}{_d(rng, 1)} {street} {pick(['Ave', 'Blvd', 'St', 'Rd'])}",
                     f"{city}, {st} {z}{_d(rng, 2)}"],
                    ("", f"({area}) {rng.randint(2, 9)}{_d(rng, 2)}-{_d(rng, 4)}"),
                    f"Store {_d(rng, 4)} Reg {_d(rng, 2)}",
                    {"total": "TOTAL", "tax": "SALES TAX 7.25%", "card": "VISA CREDIT",
                     "thanks": "THANK YOU FOR SHOPPING!"}, _dot)
    if country == "DE":
        street = pick(["Bahnhof", "Markt", "Garten", "Schiller", "Mühlen"])
        city, plz, area = pick([("Freiburg", "791", "0761"), ("Dresden", "010", "0351"),
                                ("Münster", "481", "0251")])
        return Shop(pick(["Bäckerei Sonnenschein", "Getränke Kaiser", "Drogerie Albrecht"]),
                    [f"{street}straße {n}", f"{plz}{_d(rng, 2)} {city}"],
                    ("Tel. ", f"{area} {rng.randint(2, 9)}{_d(rng, 5)}"),
                    f"USt-IdNr. DE{_d(rng, 9)}",
                    {"total": "SUMME EUR", "tax": "MwSt 7%", "card": "girocard",
                     "thanks": "Vielen Dank für Ihren Einkauf"}, _eu)
    if country == "FR":
        street = pick(["DE LA REPUBLIQUE", "JEAN JAURES", "DU GENERAL LECLERC", "PASTEUR"])
        city, cp, area = pick([("RENNES", "350", "02"), ("DIJON", "210", "03"),
                               ("TOULOUSE", "310", "05")])
        return Shop(pick(["BOULANGERIE DU MARCHE", "CAVE SAINT-VINCENT", "LA FROMAGERIE"]),
                    [f"{n} {pick(['RUE', 'AVENUE', 'BD'])} {street}", f"{cp}{_d(rng, 2)} {city}"],
                    ("TEL ", f"{area} {rng.randint(10, 99)} "
                             f"{_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}"),
                    f"SIRET {_d(rng, 3)} {_d(rng, 3)} {_d(rng, 3)} {_d(rng, 5)}",
                    {"total": "TOTAL TTC", "tax": "TVA 5,5%", "card": "CB SANS CONTACT",
                     "thanks": "MERCI DE VOTRE VISITE"}, _eu)
    if country == "IT":
        street = pick(["Roma", "Cavour", "Mazzini", "Dante", "XX Settembre"])
        city, cap, pr, area = pick([("Padova", "351", "PD", "049"), ("Verona", "371", "VR", "045"),
                                    ("Firenze", "501", "FI", "055")])
        return Shop(pick(["Alimentari Rossi S.r.l.", "FARMACIA CENTRALE", "Panificio Bruno"]),
                    [f"{pick(['Via', 'Corso', 'Piazza'])} {street}, {n}",
                     f"{cap}{_d(rng, 2)} {city} ({pr})"],
                    ("Tel. ", f"{area} {rng.randint(2, 9)}{_d(rng, 6)}"), f"P.IVA {_d(rng, 11)}",
                    {"total": "TOTALE COMPLESSIVO", "tax": "di cui IVA", "card": "PAGAMENTO "
                     "ELETTRONICO", "thanks": "GRAZIE E ARRIVEDERCI"}, _eu)
    if country == "ES":
        street = pick(["Alcalá", "San Vicente", "Real", "de la Paz", "Colón"])
        city, cp, area = pick([("Valencia", "460", "963"), ("Zaragoza", "500", "976"),
                               ("Málaga", "290", "952")])
        return Shop(pick(["Supermercados Sol", "FRUTERIA LA HUERTA", "Ferretería Ortega"]),
                    [f"{pick(['C/', 'Avda.', 'Calle'])} {street}, {n}", f"{cp}{_d(rng, 2)} {city}"],
                    ("Tel. ", f"{area} {rng.randint(2, 8)}{_d(rng, 2)} {_d(rng, 3)}"),
                    f"CIF B{_d(rng, 8)}",
                    {"total": "TOTAL", "tax": "IVA 10%", "card": "TARJETA",
                     "thanks": "GRACIAS POR SU VISITA"}, _eu)
    if country == "NL":
        street = pick(["Kerk", "Molen", "Haven", "School", "Dorps"])
        city, area = pick([("Zwolle", "038"), ("Leiden", "071"), ("Arnhem", "026")])
        return Shop(pick(["Bakkerij de Molen", "Kaashandel Visser", "Drogisterij Bos"]),
                    [f"{street}straat {n}", f"{_d(rng, 4)} {_l(rng, 2)} {city}"],
                    ("Tel. ", f"{area} {rng.randint(2, 8)}{_d(rng, 2)} {_d(rng, 4)}"),
                    f"BTW NL{_d(rng, 9)}B01",
                    {"total": "TOTAAL", "tax": "BTW 9%", "card": "PIN", "thanks":
                     "Bedankt en tot ziens"}, _eu)
    if country == "AU":
        street = pick(["Brunswick", "Chapel", "Sydney", "Hunter", "Flinders"])
        city, st, pc, area = pick([("Fremantle", "WA", "6160", "08"),
                                   ("Hobart", "TAS", "7000", "03"),
                                   ("Newcastle", "NSW", "2300", "02")])
        return Shop(pick(["HUNTER ST GROCER", "Flinders Bottle Shop", "Wattle Cafe"]),
                    [f"Shop {rng.randint(1, 20)}, {n} {street} Street", f"{city} {st} {pc}"],
                    ("Ph ", f"({area}) {rng.randint(5, 9)}{_d(rng, 3)} {_d(rng, 4)}"),
                    f"ABN {_d(rng, 2)} {_d(rng, 3)} {_d(rng, 3)} {_d(rng, 3)}",
                    {"total": "TOTAL (incl GST)", "tax": "GST", "card": "EFTPOS",
                     "thanks": "Thanks, see you soon!"}, _dot)
    if country == "CA":
        street = pick(["Bloor", "Queen", "Robson", "Granville", "Sherbrooke"])
        city, prov, area = pick([("Toronto", "ON", "416"), ("Vancouver", "BC", "604"),
                                 ("Winnipeg", "MB", "204")])
        return Shop(pick(["Granville Books", "QUEEN ST PHARMACY", "Northern Outfitters"]),
                    [f"{n}{_d(rng, 1)} {street} St W", f"{city}, {prov} {_l(rng, 1)}"
                     f"{rng.randint(1, 9)}{_l(rng, 1)} {rng.randint(1, 9)}{_l(rng, 1)}"
                     f"{rng.randint(1, 9)}"],
                    ("", f"{area}-{rng.randint(2, 9)}{_d(rng, 2)}-{_d(rng, 4)}"),
                    f"GST/HST # {_d(rng, 9)}RT0001",
                    {"total": "TOTAL", "tax": "HST 13%", "card": "INTERAC",
                     "thanks": "Thank you, come again"}, _dot)
    if country == "IE":
        street = pick(["Eyre Square", "Patrick Street", "O'Connell Street", "Main Street"])
        city, area = pick([("Galway", "091"), ("Cork", "021"), ("Limerick", "061")])
        return Shop(pick(["O'Brien's Pharmacy", "CLADDAGH CAFE", "Murphy Hardware"]),
                    [f"{n} {street}", f"{city}", f"{pick('DFHTVX')}{_d(rng, 2)} "
                     f"{pick(EIR)}{_d(rng, 1)}{pick(EIR)}{_d(rng, 1)}"],
                    ("Tel: ", f"{area} {rng.randint(2, 9)}{_d(rng, 2)} {_d(rng, 3)}"),
                    f"VAT No. IE{_d(rng, 7)}W",
                    {"total": "TOTAL EUR", "tax": "VAT 13.5%", "card": "CONTACTLESS",
                     "thanks": "Thank you!"}, _dot)
    if country == "PL":
        street = pick(["Piotrkowska", "Świętojańska", "Marszałkowska", "Floriańska"])
        city, area = pick([("Łódź", "42"), ("Gdynia", "58"), ("Poznań", "61")])
        return Shop(pick(["Sklep Spożywczy ANNA", "PIEKARNIA KOWALSKI", "Apteka Pod Lipą"]),
                    [f"ul. {street} {n}", f"{_d(rng, 2)}-{_d(rng, 3)} {city}"],
                    ("tel. ", f"{area} {rng.randint(2, 8)}{_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}"),
                    f"NIP {_d(rng, 3)}-{_d(rng, 3)}-{_d(rng, 2)}-{_d(rng, 2)}",
                    {"total": "SUMA PLN", "tax": "PTU A 23%", "card": "KARTA",
                     "thanks": "PARAGON FISKALNY"}, _eu)
    if country == "SG":
        street = pick(["Ang Mo Kio", "Tampines", "Jurong West", "Bedok North"])
        return Shop(pick(["KOPI CORNER", "Tampines Minimart", "Lucky Stationery"]),
                    [f"Blk {n} {street} Ave {rng.randint(1, 9)}", f"#{_d(rng, 2)}-{_d(rng, 3)}",
                     f"Singapore {_d(rng, 6)}"],
                    ("Tel: ", f"6{rng.randint(2, 8)}{_d(rng, 2)} {_d(rng, 4)}"),
                    f"GST Reg No: {_d(rng, 9)}K",
                    {"total": "TOTAL", "tax": "GST 9%", "card": "NETS",
                     "thanks": "Thank You! Please Come Again"}, _dot)
    if country == "AT":
        street = pick(["Haupt", "Kirchen", "Schul", "Bahnhof"])
        city, area = pick([("Salzburg", "662"), ("Innsbruck", "512"), ("Klagenfurt", "463")])
        return Shop(pick(["Konditorei Hofer", "Bio-Laden Gruber", "Trafik Wimmer"]),
                    [f"{street}gasse {n}", f"{_d(rng, 4)} {city}"],
                    ("Tel. ", f"+43 {area} {rng.randint(2, 8)}{_d(rng, 5)}"),
                    f"UID ATU{_d(rng, 8)}",
                    {"total": "GESAMT EUR", "tax": "USt 10%", "card": "Bankomat",
                     "thanks": "Danke für Ihren Besuch"}, _eu)
    street = pick(["Bahnhof", "Linden", "See", "Dorf"])  # CH
    city, area = pick([("Luzern", "041"), ("St. Gallen", "071"), ("Winterthur", "052")])
    return Shop(pick(["Metzgerei Keller", "Chäslade Huber", "Papeterie Meier"]),
                [f"{street}strasse {n}", f"{_d(rng, 4)} {city}"],
                ("Tel. ", f"{area} {rng.randint(2, 8)}{_d(rng, 2)} {_d(rng, 2)} {_d(rng, 2)}"),
                f"MWST CHE-{_d(rng, 3)}.{_d(rng, 3)}.{_d(rng, 3)}",
                {"total": "TOTAL CHF", "tax": "MWST 2.6%", "card": "TWINT",
                 "thanks": "Merci und uf Widerluege"}, _dot)


COUNTRIES = ["UK", "US", "DE", "FR", "IT", "ES", "NL", "AU", "CA", "IE", "PL", "SG", "AT", "CH"]

#: what shops sell, some with the words streets are named with
ITEMS = ["Avenue Blend Coffee", "Garden Path Seeds", "Court Shoes Polish", "Oat Milk 1L",
         "Sourdough Loaf", "Main St Burger", "Bananas loose", "AA Batteries 4pk", "Park Lane Tea",
         "Olive Oil 500ml", "Croissant", "Road Atlas 2025", "Dish Soap", "Parmigiano 200g",
         "Wall Hook Set", "Station Mix Nuts", "Espresso", "Notebook A5", "Tomatoes 1kg",
         "Square Crackers", "Hill Farm Eggs x6", "Water 1.5L"]


@dataclass
class Row:
    text: str
    align: str = "left"  # left or centre (a two-column row: "a|b")
    size: float = 1.0
    kind: str = ""
    lead: str = ""  # printed before the text on its row, not part of the item ("Tel: ")


def receipt_rows(country: str, rng: random.Random) -> tuple[list[Row], str]:
    """A receipt's rows, the address among them as its shop prints it; and the layout."""
    s = shop(country, rng)
    head = [Row(s.name, "centre", 1.4)]
    layout = rng.choice(["lines", "lines", "one line", "store number", "foot"])
    address = [Row(r, "centre", 1.0, "address") for r in s.address]
    if layout == "one line":
        address = [Row(", ".join(s.address), "centre", 0.9, "address")]
    if layout == "store number":
        head.append(Row(f"Store {_d(rng, 3)}", "centre"))
    if layout != "foot":
        head += address
    lead, number = s.phone
    head += [Row(number, "centre", 1.0, "phone", lead), Row(s.tax, "centre", 0.9)]
    if rng.random() < 0.5:
        site = re.sub(r"[^a-z]", "", s.name.split()[0].lower())
        head.append(Row(f"www.{site}.example", "centre", 0.9))
    day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025"
    body = [Row(""), Row(f"{day} {rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}|"
                         f"Till {rng.randint(1, 9)} Op {_d(rng, 4)}"), Row("-" * 40)]
    total = 0.0
    for item in rng.sample(ITEMS, rng.randint(3, 7)):
        price = rng.randint(50, 2400) / 100
        qty = rng.choice([1, 1, 1, 2, 3])
        total += qty * price
        body.append(Row(f"{qty} x {item}|{s.money(qty * price)}"))
    body += [Row("-" * 40), Row(f"{s.words['total']}|{s.money(total)}", size=1.2),
             Row(f"{s.words['tax']}|{s.money(total * 0.08)}"),
             Row(f"{s.words['card']} ****{_d(rng, 4)}|{s.money(total)}"),
             Row(f"AUTH {_d(rng, 6)}  REF {_d(rng, 8)}", "left", 0.9), Row(""),
             Row(s.words["thanks"], "centre")]
    if layout == "foot":
        body += address
    return head + body, layout


def ean13(rng: random.Random) -> str:
    digits = "2" + _d(rng, 11)
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def barcode(rng: random.Random) -> tuple[Image.Image, str]:
    if rng.random() < 0.7:
        text, fmt = f"{_d(rng, 4)}{_d(rng, 4)}{_d(rng, 6)}", zxingcpp.BarcodeFormat.Code128
    else:
        text, fmt = ean13(rng), zxingcpp.BarcodeFormat.EAN13
    art = np.array(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, fmt),
                                                   scale=1, add_quiet_zones=True))
    module = rng.choice([2, 2, 3])
    row = art[art.shape[0] // 2] if art.ndim == 2 else art  # one row of the bars
    img = Image.fromarray(np.asarray(row, dtype=np.uint8)[None, :]).resize(
        (row.shape[0] * module, rng.randint(60, 90)), Image.Resampling.NEAREST)
    return img, text


def render(rows: list[Row], rng: random.Random) -> tuple[Image.Image, list[tuple[str, str,
                                                                              tuple[int, ...]]],
                                                       str]:
    """The printed roll: its image, each truth row's (kind, text, box), the barcode's text."""
    font_path = rng.choice([f for f in FONTS if Path(f).exists()])
    base = rng.randint(19, 24)
    ink = rng.randint(20, 80)
    height = 60 + sum(int(base * r.size * 1.45) for r in rows) + 200
    paper = Image.new("L", (PAPER, height), 255)
    draw = ImageDraw.Draw(paper)
    boxes: list[tuple[str, str, tuple[int, ...]]] = []
    y = 40
    margin = 24
    for r in rows:
        size = int(base * r.size)
        font = ImageFont.truetype(font_path, size)
        width = PAPER - 2 * margin
        while r.text and draw.textlength(r.lead + r.text.replace("|", "  "), font=font) > width:
            size -= 1
            font = ImageFont.truetype(font_path, size)
        if "|" in r.text:
            left, right = r.text.split("|")
            draw.text((margin, y), left, font=font, fill=ink)
            w = draw.textlength(right, font=font)
            draw.text((PAPER - margin - w, y), right, font=font, fill=ink)
        elif r.text:
            w = draw.textlength(r.lead + r.text, font=font)
            x = (PAPER - w) / 2 if r.align == "centre" else margin
            draw.text((x, y), r.lead + r.text, font=font, fill=ink)
            if r.kind:
                b = draw.textbbox((x + draw.textlength(r.lead, font=font), y), r.text, font=font)
                boxes.append((r.kind, r.text, tuple(int(v) for v in b)))
        y += int(base * r.size * 1.45)
    code, text = barcode(rng)
    paper.paste(code, ((PAPER - code.width) // 2, y + 30))
    return paper.crop((0, 0, PAPER, y + 30 + code.height + 60)), boxes, text


def photograph(paper: Image.Image, rng: random.Random) -> tuple[Image.Image, Callable[
        [tuple[int, ...]], tuple[int, int, int, int]]]:
    """The roll on a table, seen from above: scaled, turned up to 3 degrees, lit from one
    side, softened, with sensor noise. Returns the photo and the map of a paper box to it."""
    scale = rng.uniform(1.3, 2.0)
    angle = rng.choice([0.0, rng.uniform(-3, 3)])
    w, h = int(paper.width * scale), int(paper.height * scale)
    roll = paper.resize((w, h), Image.Resampling.BICUBIC).convert("RGB")
    tint = rng.choice([(250, 248, 240), (245, 245, 245), (252, 246, 232)])
    roll = Image.fromarray((np.asarray(roll, dtype=np.float32) * np.asarray(tint) / 255)
                           .clip(0, 255).astype(np.uint8))
    turned = roll.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC,
                         fillcolor=(0, 0, 0))
    mask = Image.new("L", roll.size, 255).rotate(angle, expand=True)
    pad = rng.randint(80, 220)
    table = rng.choice([(92, 70, 52), (60, 62, 66), (170, 160, 140), (35, 40, 48)])
    photo = Image.new("RGB", (turned.width + 2 * pad, turned.height + 2 * pad), table)
    photo.paste(turned, (pad, pad), mask)
    arr = np.asarray(photo, dtype=np.float32)
    light = np.linspace(rng.uniform(0.75, 0.95), rng.uniform(1.0, 1.08), arr.shape[1])
    lit = arr * light[None, :, None] + np.random.default_rng(rng.randint(0, 1 << 30)).normal(
        0, rng.uniform(2, 6), arr.shape)
    photo = Image.fromarray(lit.clip(0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.4, 1.1)))
    a = math.radians(angle)
    cx, cy = roll.width / 2, roll.height / 2
    ox, oy = turned.width / 2 + pad, turned.height / 2 + pad

    def where(b: tuple[int, ...]) -> tuple[int, int, int, int]:
        pts = []
        for x, y in ((b[0], b[1]), (b[2], b[1]), (b[0], b[3]), (b[2], b[3])):
            dx, dy = x * scale - cx, y * scale - cy  # PIL turns counter-clockwise
            pts.append((ox + dx * math.cos(a) + dy * math.sin(a),
                        oy - dx * math.sin(a) + dy * math.cos(a)))
        return (int(min(p[0] for p in pts)), int(min(p[1] for p in pts)),
                int(max(p[0] for p in pts)) + 1, int(max(p[1] for p in pts)) + 1)
    return photo, where


def build(out: Path, receipts: int = 42, seed: int = 20261207) -> list[Item]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jpg"):  # a set made by an earlier version of this generator
        old.unlink()
    items: list[Item] = []
    codes: dict[str, str] = {}
    for k in range(receipts):
        country = COUNTRIES[k % len(COUNTRIES)]
        rows, layout = receipt_rows(country, rng)
        paper, boxes, code = render(rows, rng)
        photo, where = photograph(paper, rng)
        name = f"{k:03d}-{country}-{layout.replace(' ', '-')}.jpg"
        photo.save(out / name, quality=rng.randint(80, 92))
        codes[name] = code
        items += [Item(name, kind, t, where(b)) for kind, t, b in boxes]
    write_truth(out, items)
    (out / "codes.json").write_text(json.dumps(codes, indent=1))
    return items


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--receipts", type=int, default=42)
    a = ap.parse_args()
    built = build(a.out, a.receipts)
    print(f"{a.receipts} receipts, {len(built)} items in {a.out}")
