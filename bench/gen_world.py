"""A second generator of evaluation pages, unlike ``pii_set.py`` in every way: five
templates (a letter, a parcel label, a chat screen, a CV, an ID card), addresses in the
formats of 21 countries, names from many languages, labels in the page's language, fonts
and sizes of several families, light and dark backgrounds. Every personal item's box is
known: the truth for ``bench/kinds.py``.

    .venv/bin/python bench/gen_world.py OUT_DIR [--pages 40]

The templates follow how such documents are printed in those countries, not the rules of
``pixelsafe.text``; the decoys are what those documents print beside the personal text
(dates of sending and expiry, tracking and order numbers, weights, company names, times).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = [
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
]

GIVEN = ["Zofia", "Søren", "Aarav", "Siobhán", "Jean-Luc", "Björn", "Chiara", "Mehmet",
         "Kwame", "Ana Luísa", "Wei Ling", "Priya", "Mateus", "Ingrid", "Tomasz", "Lucía",
         "Hamish", "Noor", "Matthias", "Élodie", "Giulia", "Rangi", "Sipho", "Hyun-woo",
         "Oluwaseun", "Margarethe", "Diego", "Annika", "Farah", "Ciarán"]
FAMILY = ["Wiśniewska", "Kjær", "Sharma", "Ní Bhriain", "Moreau", "Lindqvist", "Bianchi",
          "Yılmaz", "Mensah", "Ferreira", "Tan", "Raghunathan", "Oliveira", "Haugen",
          "Kowalczyk", "Fernández", "MacLeod", "Rahman", "Vogelsang", "Lefèvre", "Esposito",
          "Parata", "Dlamini", "Park", "Adeyemi", "Brandstetter", "Castillo", "Bergström",
          "Haddad", "Ó Dónaill"]
STREET_NAMES = ["Linden", "Oak", "Mill", "Station", "Church", "Kastanien", "Birken", "Victor Hugo",
                "Garibaldi", "Mayor", "Długa", "Kungs", "Harbour", "Maple", "Gandhi", "Augusta",
                "Orchard", "Merdeka", "Kilmore", "Strand", "Rosen"]
CITIES = {"US": ["Portland", "Madison", "Austin"], "UK": ["Leeds", "Bristol", "York"],
          "DE": ["Leipzig", "Köln", "Bremen"], "FR": ["Lyon", "NANTES", "Lille"],
          "NL": ["Utrecht", "Haarlem"], "IT": ["Torino", "Bologna"], "ES": ["Sevilla", "Bilbao"],
          "PL": ["Kraków", "Gdańsk"], "SE": ["Uppsala", "Malmö"], "AU": ["Fitzroy", "Toowong"],
          "CA": ["Ottawa", "Halifax"], "IN": ["Pune", "Chennai"], "BR": ["Curitiba", "Recife"],
          "SG": ["Singapore"], "MY": ["Petaling Jaya", "Ipoh"], "IE": ["Dublin", "Galway"],
          "DK": ["Aarhus", "Odense"], "AT": ["Graz", "Linz"], "CH": ["Bern", "Basel"],
          "NZ": ["Wellington", "Dunedin"], "PT": ["Porto", "Braga"], "BE": ["Gent", "Namur"]}


def _d(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _l(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXY") for _ in range(n))


def address(country: str, rng: random.Random) -> list[str]:
    """The lines of an address as that country prints it."""
    s = rng.choice(STREET_NAMES)
    n = str(rng.randint(1, 240))
    city = rng.choice(CITIES[country])
    forms: dict[str, Callable[[], list[str]]] = {
        "US": lambda: [f"{n} {s} {rng.choice(['Street', 'Avenue', 'Drive', 'Lane'])}",
                       f"{city}, {rng.choice(['OR', 'WI', 'TX'])} {_d(rng, 5)}"],
        "UK": lambda: [f"{n} {s} {rng.choice(['Road', 'Lane', 'Close'])}", city,
                       f"{_l(rng, 2)}{rng.randint(1, 9)} {rng.randint(1, 9)}{_l(rng, 2)}"],
        "DE": lambda: [f"{s}straße {n}", f"{_d(rng, 5)} {city}"],
        "FR": lambda: [f"{n}, rue {s}", f"{_d(rng, 5)} {city}"],
        "NL": lambda: [f"{s}straat {n}", f"{_d(rng, 4)} {_l(rng, 2)} {city}"],
        "IT": lambda: [f"Via {s} {n}", f"{_d(rng, 5)} {city} ({_l(rng, 2)})"],
        "ES": lambda: [f"Calle {s}, {n}", f"{_d(rng, 5)} {city}"],
        "PL": lambda: [f"ul. {s} {n}/{rng.randint(1, 40)}", f"{_d(rng, 2)}-{_d(rng, 3)} {city}"],
        "SE": lambda: [f"{s}gatan {n}", f"{_d(rng, 3)} {_d(rng, 2)} {city}"],
        "AU": lambda: [f"{n} {s} Street", f"{city} {rng.choice(['VIC', 'QLD', 'NSW'])} "
                                          f"{_d(rng, 4)}"],
        "CA": lambda: [f"{n} {s} Avenue", f"{city} ON {_l(rng, 1)}{rng.randint(1, 9)}"
                                          f"{_l(rng, 1)} {rng.randint(1, 9)}{_l(rng, 1)}"
                                          f"{rng.randint(1, 9)}"],
        "IN": lambda: [f"{n}, {s} Marg", f"{city} - {rng.randint(1, 8)}{_d(rng, 5)}"],
        "BR": lambda: [f"Rua {s}, {n}", f"{city} - PR, {_d(rng, 5)}-{_d(rng, 3)}"],
        "SG": lambda: [f"Blk {n} {s} Avenue {rng.randint(1, 9)}",
                       f"#{_d(rng, 2)}-{_d(rng, 3)}", f"Singapore {_d(rng, 6)}"],
        "MY": lambda: [f"No. {n}, Jalan {s} {rng.randint(1, 9)}", f"Taman {s}",
                       f"{_d(rng, 5)} {city}, Selangor"],
        "IE": lambda: [f"{n} {s} Road", city,
                       f"{rng.choice('ACDEFHKNPRTVWXY')}{_d(rng, 2)} {_l(rng, 1)}{_d(rng, 3)}"],
        "DK": lambda: [f"{s}vej {n}", f"{_d(rng, 4)} {city}"],
        "AT": lambda: [f"{s}gasse {n}", f"A-{_d(rng, 4)} {city}"],
        "CH": lambda: [f"{s}weg {n}", f"CH-{_d(rng, 4)} {city}"],
        "NZ": lambda: [f"{n} {s} Street", f"{city} {_d(rng, 4)}"],
        "PT": lambda: [f"Rua {s}, {n}", f"{_d(rng, 4)}-{_d(rng, 3)} {city}"],
        "BE": lambda: [f"{s}straat {n}", f"{_d(rng, 4)} {city}"],
    }
    return forms[country]()


PHONES = {"US": "+1 503 {3}-{4}", "UK": "+44 113 {3} {4}", "DE": "+49 341 {7}",
          "FR": "+33 4 {2} {2} {2} {2}", "NL": "+31 30 {3} {4}", "IT": "+39 011 {7}",
          "ES": "+34 954 {3} {3}", "PL": "+48 12 {3} {2} {2}", "SE": "+46 18 {2} {2} {2}",
          "AU": "+61 3 {4} {4}", "CA": "+1 613 {3} {4}", "IN": "+91 98{3} {5}",
          "BR": "+55 41 9{4}-{4}", "SG": "+65 9{3} {4}", "MY": "+60 12-{3} {4}",
          "IE": "+353 1 {3} {4}", "DK": "+45 {2} {2} {2} {2}", "AT": "+43 316 {6}",
          "CH": "+41 31 {3} {2} {2}", "NZ": "+64 4 {3} {4}", "PT": "+351 22 {3} {4}",
          "BE": "+32 9 {3} {2} {2}"}
#: (date of birth label, months) by language of the country
LANG = {"US": "en", "UK": "en", "AU": "en", "CA": "en", "IN": "en", "SG": "en", "IE": "en",
        "NZ": "en", "MY": "en", "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr",
        "NL": "nl", "IT": "it", "ES": "es", "PL": "pl", "SE": "se", "DK": "dk", "BR": "pt",
        "PT": "pt"}
DOB_LABEL = {"en": "Date of birth", "de": "Geburtsdatum", "fr": "Date de naissance",
             "nl": "Geboortedatum", "it": "Data di nascita", "es": "Fecha de nacimiento",
             "pl": "Data urodzenia", "se": "Födelsedatum", "dk": "Fødselsdato",
             "pt": "Data de nascimento"}
ADDRESS_LABEL = {"en": "Address", "de": "Anschrift", "fr": "Adresse", "nl": "Adres",
                 "it": "Indirizzo", "es": "Dirección", "pl": "Adres", "se": "Adress",
                 "dk": "Adresse", "pt": "Morada"}
SURNAME_LABEL = {"en": "Surname", "de": "Name", "fr": "Nom", "nl": "Achternaam",
                 "it": "Cognome", "es": "Apellidos", "pl": "Nazwisko", "se": "Efternamn",
                 "dk": "Efternavn", "pt": "Apelido"}
GIVEN_LABEL = {"en": "Given names", "de": "Vornamen", "fr": "Prénoms", "nl": "Voornamen",
               "it": "Nome", "es": "Nombre", "pl": "Imiona", "se": "Förnamn",
               "dk": "Fornavne", "pt": "Nome próprio"}
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()


def phone(country: str, rng: random.Random) -> str:
    out = PHONES[country]
    for n in range(1, 8):
        while "{" + str(n) + "}" in out:
            out = out.replace("{" + str(n) + "}", _d(rng, n), 1)
    return out


def birth_date(rng: random.Random) -> str:
    y, m, d = rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{d:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{d:02d}", f"{d} {MONTHS[m - 1]} {y}",
                       f"{MONTHS[m - 1].title()} {d}, {y}", f"{d:02d}/{m:02d}/{y}"])


@dataclass
class Item:
    image: str
    kind: str
    text: str
    box: tuple[int, int, int, int]


class Page:
    def __init__(self, name: str, size: tuple[int, int], rng: random.Random,
                 background: tuple[int, int, int] = (252, 252, 250),
                 ink: tuple[int, int, int] = (20, 20, 20)) -> None:
        self.name, self.rng, self.ink = name, rng, ink
        self.image = Image.new("RGB", size, background)
        self.draw = ImageDraw.Draw(self.image)
        fonts = [f for f in FONTS if Path(f).exists()]
        self.font_path = rng.choice(fonts) if fonts else None
        self.items: list[Item] = []

    def font(self, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if self.font_path:
            return ImageFont.truetype(self.font_path, size)
        return ImageFont.load_default(size=size)

    def text(self, xy: tuple[int, int], text: str, size: int, kind: str = "",
             fill: tuple[int, int, int] | None = None) -> tuple[int, int, int, int]:
        f = self.font(size)
        self.draw.text(xy, text, font=f, fill=fill or self.ink)
        b = self.draw.textbbox(xy, text, font=f)
        box = (int(b[0]), int(b[1]), int(b[2]), int(b[3]))
        if kind:
            self.items.append(Item(self.name, kind, text, box))
        return box

    def lines(self, x: int, y: int, rows: list[str], size: int, kind: str = "") -> int:
        """Several lines that make one item (an address): one box over all of them."""
        boxes = [self.text((x, y + k * int(size * 1.35)), r, size) for k, r in enumerate(rows)]
        if kind:
            self.items.append(Item(self.name, kind, ", ".join(rows),
                                   (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                    max(b[2] for b in boxes), max(b[3] for b in boxes))))
        return y + len(rows) * int(size * 1.35)

    def runs(self, x: int, y: int, parts: list[tuple[str, str]], size: int) -> None:
        """One line of prose, parts of it personal."""
        f = self.font(size)
        for text, kind in parts:
            self.text((x, y), text, size, kind)
            x += int(self.draw.textlength(text, font=f))


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(GIVEN), rng.choice(FAMILY)


def email_of(given: str, family: str, rng: random.Random) -> str:
    import unicodedata

    def ascii_(s: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", s)
                       if c.isascii() and c.isalnum()).lower()
    domain = rng.choice(["mailbox.org", "web.de", "gmx.net", "outlook.com", "free.fr"])
    return f"{ascii_(given)}.{ascii_(family)}@{domain}"


def letter(p: Page, country: str) -> None:
    rng = p.rng
    size = rng.randint(22, 28)
    g1, f1 = person(rng)
    g2, f2 = person(rng)
    p.text((760, 90), f"{g1} {f1}", size, "name")
    p.lines(760, 90 + int(size * 1.35), address(country, rng), size, "address")
    p.text((100, 330), "ACME Logistics GmbH" if LANG[country] == "de" else "Northwind Traders Ltd",
           size)
    p.text((100, 370), f"{g2} {f2}", size, "name")
    p.lines(100, 370 + int(size * 1.35), address(country, rng), size, "address")
    p.text((760, 560), f"{rng.randint(1, 28)} {MONTHS[rng.randint(0, 11)].title()} 2024", size)
    p.text((100, 640), f"Order no. {_d(rng, 8)}", size)
    p.runs(100, 720, [(f"Dear {g2},", "")], size)
    p.runs(100, 780, [("please call me on ", ""), (phone(country, rng), "phone"),
                      (" or write to ", ""), (email_of(g1, f1, rng), "email")], size)
    p.runs(100, 820, [("before the delivery on the 14th. The invoice total is 129.90.", "")],
           size)
    p.text((100, 920), "Kind regards,", size)
    p.text((100, 970), f"{g1} {f1}", size, "name")


def parcel(p: Page, country: str) -> None:
    rng = p.rng
    size = rng.randint(26, 34)
    g1, f1 = person(rng)
    g2, f2 = person(rng)
    p.draw.rectangle((20, 20, 980, 680), outline=(0, 0, 0), width=4)
    p.text((50, 50), "FROM:", size - 6)
    p.text((50, 50 + size), f"{g1} {f1}", size - 6, "name")
    p.lines(50, 50 + 2 * size, address(country, rng), size - 6, "address")
    p.text((50, 290), "SHIP TO:", size)
    p.text((80, 290 + int(size * 1.4)), f"{g2} {f2}".upper(), size + 4, "name")
    p.lines(80, 290 + int(size * 2.9), [r.upper() for r in address(country, rng)], size + 4,
            "address")
    p.text((600, 60), f"TRACKING {_l(rng, 2)}{_d(rng, 9)}{_l(rng, 2)}", size - 8)
    p.text((600, 110), f"WEIGHT {rng.randint(1, 20)}.{rng.randint(0, 9)} KG", size - 8)
    p.runs(600, 160, [("TEL ", ""), (phone(country, rng), "phone")], size - 8)


def chat(p: Page, country: str) -> None:
    rng = p.rng
    size = rng.randint(24, 30)
    people = [person(rng) for _ in range(4)]
    for k, (g, f) in enumerate(people):
        p.text((40, 120 + k * 90), f"{g} {f}", size, "name")
        p.text((40, 120 + k * 90 + size + 6), f"{rng.randint(8, 22)}:{rng.randint(10, 59)}",
               size - 8)
    x0 = 460
    g, f = people[0]
    street = address(country, rng)
    p.draw.rounded_rectangle((x0 - 20, 110, 1180, 250), 18, fill=(220, 235, 255)
                             if p.ink[0] < 128 else (40, 60, 90))
    p.runs(x0, 130, [("See you at ", ""), (street[0], "address"), (" tomorrow", "")], size)
    p.runs(x0, 180, [("my number is ", ""), (phone(country, rng), "phone")], size)
    p.draw.rounded_rectangle((x0 - 20, 300, 1180, 400), 18, fill=(230, 230, 230)
                             if p.ink[0] < 128 else (60, 60, 60))
    p.runs(x0, 320, [("Thanks! I told ", ""), (people[2][0], "name"),
                     (" it starts at 7 pm.", "")], size)


def cv(p: Page, country: str) -> None:
    rng = p.rng
    size = rng.randint(22, 26)
    g, f = person(rng)
    lang = LANG[country]
    p.text((100, 80), f"{g} {f}".upper(), size + 22, "name")
    rows = address(country, rng)
    p.runs(100, 160, [(", ".join(rows), "address")], size - 2)
    p.runs(100, 200, [(phone(country, rng), "phone"), ("  ·  ", ""),
                      (email_of(g, f, rng), "email")], size - 2)
    p.runs(100, 250, [(f"{DOB_LABEL[lang]}: ", ""), (birth_date(rng), "date_of_birth")],
           size - 2)
    p.text((100, 330), "EXPERIENCE", size + 4)
    for k in range(3):
        p.text((100, 380 + k * 80), f"{rng.randint(2005, 2023)} - {rng.randint(2006, 2024)}",
               size)
        p.text((320, 380 + k * 80), rng.choice(["Senior Analyst, Contoso Bank",
                                                "Project Lead, Fabrikam Studio",
                                                "Engineer, Tailspin Aviation"]), size)


def id_card(p: Page, country: str) -> None:
    rng = p.rng
    lang = LANG[country]
    size = rng.randint(20, 24)
    g, f = person(rng)
    p.draw.rounded_rectangle((10, 10, 990, 620), 30, fill=(226, 236, 228), outline=(90, 110, 90),
                             width=3)
    p.text((40, 30), {"de": "PERSONALAUSWEIS", "fr": "CARTE D'IDENTITÉ", "it": "CARTA D'IDENTITÀ",
                      "es": "DOCUMENTO NACIONAL DE IDENTIDAD", "nl": "IDENTITEITSKAART",
                      "pl": "DOWÓD OSOBISTY", "pt": "CARTÃO DE CIDADÃO"}.get(
        lang, "IDENTITY CARD"), size + 6)
    p.draw.rectangle((40, 110, 300, 440), fill=(180, 190, 185))
    x = 340
    p.text((x, 110), SURNAME_LABEL[lang], size - 6, fill=(70, 70, 70))
    p.text((x, 110 + size), f.upper(), size + 2, "name")
    p.text((x, 190), GIVEN_LABEL[lang], size - 6, fill=(70, 70, 70))
    p.text((x, 190 + size), g.upper(), size + 2, "name")
    p.text((x, 270), DOB_LABEL[lang], size - 6, fill=(70, 70, 70))
    p.text((x, 270 + size), birth_date(rng), size + 2, "date_of_birth")
    p.text((x + 330, 270), {"en": "Date of expiry"}.get(lang, "Expiry"), size - 6,
           fill=(70, 70, 70))
    p.text((x + 330, 270 + size), f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}."
                                  f"{rng.randint(2027, 2035)}", size + 2)
    p.text((x, 350), ADDRESS_LABEL[lang], size - 6, fill=(70, 70, 70))
    p.lines(x, 350 + size, address(country, rng), size, "address")
    p.text((40, 470), "Document No", size - 6, fill=(70, 70, 70))
    p.text((40, 470 + size), f"{_l(rng, 2)}{_d(rng, 7)}", size + 2, "id")


TEMPLATES: dict[str, tuple[Callable[[Page, str], None], tuple[int, int]]] = {
    "letter": (letter, (1240, 1100)), "parcel": (parcel, (1000, 700)),
    "chat": (chat, (1240, 460)), "cv": (cv, (1240, 640)), "id_card": (id_card, (1000, 630)),
}


def write_truth(out: Path, items: list[Item]) -> None:
    """The generated items, the truth ``bench/kinds.py`` reads: ``out/truth.json``."""
    (out / "truth.json").write_text(json.dumps([asdict(i) for i in items], ensure_ascii=False,
                                               indent=1))


def build(out: Path, pages: int = 40, seed: int = 20261203) -> list[Item]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    countries = sorted(CITIES)
    for k in range(pages):
        template = list(TEMPLATES)[k % len(TEMPLATES)]
        country = countries[(k * 7) % len(countries)]
        fn, size = TEMPLATES[template]
        dark = template == "chat" and rng.random() < 0.5
        p = Page(f"{k:03d}-{template}-{country}.png", size, rng,
                 background=(24, 26, 30) if dark else (252, 252, 250),
                 ink=(235, 235, 235) if dark else (20, 20, 20))
        fn(p, country)
        image = p.image.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.7)))
        image.save(out / p.name)
        items.extend(p.items)
    write_truth(out, items)
    return items


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=40)
    a = ap.parse_args()
    built = build(a.out, a.pages)
    print(f"{a.pages} pages, {len(built)} personal items in {a.out}")
