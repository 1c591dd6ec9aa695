"""A fourth generator of evaluation pages, written after the rules it measures and unlike the
other three: the paperwork of everyday life. Six templates (a clinic's appointment letter,
a flight booking, a school's enrolment form, an e-mail client's screen, a phone's contact
card, a tradesman's invoice), names and addresses of other countries and languages than
``gen_world.py``'s, the airline's ``SURNAME/GIVEN MR`` and a form's boxes, italic, bold
and narrow fonts. Every personal item's box is known: the truth for ``bench/kinds.py``.

    .venv/bin/python bench/gen_life.py OUT_DIR [--pages 36]

Only the drawing of text with its box is shared with ``gen_world.py``; the templates follow
how such papers are printed, not the rules of ``pixelsafe.text``. The decoys are what they
print beside the personal text: appointment and flight times, booking references, seat
and flight numbers, invoice numbers and amounts, the clinic's and the school's own names.
"""

from __future__ import annotations

import argparse
import random
import unicodedata
from collections.abc import Callable
from pathlib import Path

from gen_world import Item, Page, write_truth
from PIL import ImageFilter

FONTS = [
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
]

GIVEN = ["Aleksandra", "Yusuf", "Haruto", "Amara", "Mateo", "Freya", "Dmitri", "Leilani",
         "Santiago", "Ngozi", "Eero", "Ayesha", "Rafael", "Ingeborg", "Kofi", "Mei", "Olamide",
         "Teodora", "Luca", "Saoirse", "Jasper", "Fatima", "Bogdan", "Yara", "Emeka", "Astrid",
         "Tariq", "Camille", "Nikolai", "Thandiwe"]
FAMILY = ["Nakamura", "Okonkwo", "García López", "Petrov", "van der Berg", "Al-Sayed",
          "Horváth", "Nieminen", "Dubois", "Kaur", "O'Sullivan", "Novák", "Costa", "Eriksen",
          "Abubakar", "Schmidt", "Rossi", "Jankowski", "Santos", "Mwangi", "Papadopoulos",
          "Lindgren", "Chen", "Murphy", "Delacroix", "Ivanova", "Hughes", "Bakker", "Suzuki",
          "Achterberg"]
STREETS = ["Willow", "Cedar", "Beacon", "Meadow", "Fountain", "Eichen", "Tannen", "Pasteur",
           "Cavour", "Alcalá", "Mickiewicza", "Drottning", "Ferry", "Hill", "Nehru", "Ocean"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def _d(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _l(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


def address(country: str, rng: random.Random) -> list[str]:
    """An address's lines as the country prints them, with the flats, units and floors that
    ``gen_world.py`` leaves out."""
    s, n = rng.choice(STREETS), rng.randint(2, 180)
    forms: dict[str, Callable[[], list[str]]] = {
        "US": lambda: [f"{n} {s} {rng.choice(['Blvd', 'Court', 'Way', 'Place'])}, "
                       f"Apt {rng.randint(1, 30)}{rng.choice('ABC')}",
                       f"{rng.choice(['Denver, CO', 'Tucson, AZ', 'Albany, NY'])} {_d(rng, 5)}"],
        "UK": lambda: [f"Flat {rng.randint(1, 12)}",
                       f"{n} {s} {rng.choice(['Gardens', 'Crescent', 'Terrace'])}",
                       rng.choice(["Norwich", "Cardiff", "Exeter"]),
                       f"{_l(rng, 2)}{rng.randint(1, 20)} {rng.randint(1, 9)}{_l(rng, 2)}"],
        "DE": lambda: [f"{s}weg {n}a", f"{_d(rng, 5)} {rng.choice(['Münster', 'Kassel', 'Jena'])}"],
        "FR": lambda: [f"{n} boulevard {s}", f"Bât. {rng.choice('ABC')}",
                       f"{_d(rng, 5)} {rng.choice(['Rennes', 'Dijon', 'Tours'])}"],
        "ES": lambda: [f"Avda. de {s}, {n}, {rng.randint(1, 9)}º {rng.randint(1, 4)}ª",
                       f"{_d(rng, 5)} {rng.choice(['Zaragoza', 'Valencia', 'Málaga'])}"],
        "IT": lambda: [f"Corso {s} {n}", f"{_d(rng, 5)} {rng.choice(['Padova', 'Verona'])} "
                       f"({_l(rng, 2)})"],
        "NL": lambda: [f"{s}laan {n}-{rng.randint(1, 3)}",
                       f"{_d(rng, 4)} {_l(rng, 2)} {rng.choice(['Leiden', 'Delft', 'Zwolle'])}"],
        "AU": lambda: [f"Unit {rng.randint(1, 20)}/{n} {s} Parade",
                       f"{rng.choice(['Glenelg SA', 'Manly NSW', 'Hobart TAS'])} {_d(rng, 4)}"],
        "CA": lambda: [f"{n}-{rng.randint(100, 999)} {s} Street",
                       f"{rng.choice(['Victoria BC', 'Regina SK', 'Laval QC'])} "
                       f"{_l(rng, 1)}{rng.randint(1, 9)}{_l(rng, 1)} {rng.randint(1, 9)}"
                       f"{_l(rng, 1)}{rng.randint(1, 9)}"],
        # an Eircode's letters are never B, G, I, J, L, M, O, Q, S, U or Z
        "IE": lambda: [f"{n} {s} Road", rng.choice(["Cork", "Limerick", "Sligo"]),
                       f"{rng.choice('ACDEFHKNPRTVWXY')}{_d(rng, 2)} "
                       + "".join(rng.choice("0123456789ACDEFHKNPRTVWXY") for _ in range(4))],
    }
    return forms[country]()


#: numbers of ranges the countries allocate (mobiles mostly); no US 555 number, which no
#: one is given
PHONES = {"US": "({3}) {3}-{4}", "UK": "07{3} {6}", "DE": "0170 {7}", "FR": "06 {2} {2} {2} {2}",
          "ES": "6{2} {3} {3}", "IT": "34{1} {3} {4}", "NL": "06-{8}", "AU": "04{2} {3} {3}",
          "CA": "+1 250 {3} {4}", "IE": "08{1} {3} {4}"}
LANG = {"US": "en", "UK": "en", "AU": "en", "CA": "en", "IE": "en", "DE": "de", "FR": "fr",
        "ES": "es", "IT": "it", "NL": "nl"}
#: how each kind of paper labels a date of birth, by language: abbreviated, dotted, spelt out
DOB_LABELS = {"en": ["D.O.B.", "DOB", "Date of Birth", "Born"],
              "de": ["Geb.-Datum", "geb.", "Geburtsdatum"],
              "fr": ["Né(e) le", "Date de naiss.", "Date de naissance"],
              "es": ["F. nac.", "Fecha de nacimiento"],
              "it": ["Nato/a il", "Data di nascita"],
              "nl": ["Geb. datum", "Geboortedatum"]}
NAME_LABELS = {"en": "Patient", "de": "Patient/in", "fr": "Patient(e)", "es": "Paciente",
               "it": "Paziente", "nl": "Patiënt"}


def phone(country: str, rng: random.Random) -> str:
    out = PHONES[country]
    for n in range(1, 9):
        while "{" + str(n) + "}" in out:
            out = out.replace("{" + str(n) + "}", _d(rng, n), 1)
    if country == "US":
        out = f"({rng.choice(['303', '520', '518'])}) {rng.randint(201, 989)}-{out[-4:]}"
    elif country == "UK":
        out = rng.choice(["074", "075", "077", "078", "079"]) + out[3:]
    elif country == "CA":
        out = f"+1 250 {rng.randint(201, 989)} {out[-4:]}"
    return out


def birth_date(rng: random.Random, lang: str) -> str:
    y, m, d = rng.randint(1938, 2016), rng.randint(1, 12), rng.randint(1, 28)
    forms = [f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y}", f"{d} {MONTHS[m - 1]} {y}",
             f"{d:02d}-{m:02d}-{y}", f"{y}-{m:02d}-{d:02d}"]
    if lang == "en":
        forms += [f"{MONTHS[m - 1][:3]} {d}, {y}", f"{m}/{d}/{y}"]
    return rng.choice(forms)


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(GIVEN), rng.choice(FAMILY)


def _ascii(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s)
                   if c.isascii() and c.isalnum()).lower()


def email_of(given: str, family: str, rng: random.Random) -> str:
    local = rng.choice([f"{_ascii(given)}.{_ascii(family)}", f"{_ascii(given)[0]}{_ascii(family)}",
                        f"{_ascii(given)}{rng.randint(70, 99)}"])
    return f"{local}@{rng.choice(['proton.me', 'yahoo.com', 'icloud.com', 'posteo.de'])}"


def appointment(p: Page, country: str) -> None:
    rng, lang = p.rng, LANG[country]
    size = rng.randint(21, 25)
    p.text((80, 60), rng.choice(["Riverside Medical Practice", "Hillcrest Health Centre",
                                 "Praxis am Markt", "Centre Médical Pasteur"]), size + 8)
    p.lines(80, 60 + size + 20, address(country, rng), size - 4, "address")
    p.runs(80, 60 + 5 * size + 40, [("Tel. ", ""), (phone(country, rng), "phone")], size - 4)
    g, f = person(rng)
    y = 330
    p.runs(80, y, [(f"{NAME_LABELS[lang]}: ", ""), (f"{g} {f}", "name")], size)
    p.runs(80, y + 45, [(f"{rng.choice(DOB_LABELS[lang])} ", ""),
                        (birth_date(rng, lang), "date_of_birth")], size)
    p.lines(80, y + 90, address(country, rng), size, "address")
    p.text((80, y + 240), f"Appointment: {rng.randint(1, 28)} {MONTHS[rng.randint(0, 11)]} 2025, "
                          f"{rng.randint(8, 17)}:{rng.choice(['00', '15', '30', '45'])}", size)
    p.text((80, y + 290), f"Clinic room {rng.randint(1, 12)}, please arrive 10 minutes early.",
           size)
    p.runs(80, y + 370, [("Dr ", ""), (rng.choice(FAMILY), "name")], size)


def booking(p: Page, country: str) -> None:
    rng = p.rng
    size = rng.randint(22, 26)
    p.text((60, 40), "Your booking is confirmed", size + 10)
    p.text((60, 110), f"Booking reference  {_l(rng, 3)}{_d(rng, 1)}{_l(rng, 2)}", size)
    passengers = [person(rng) for _ in range(rng.randint(1, 3))]
    p.text((60, 170), "Passengers", size + 2)
    for k, (g, f) in enumerate(passengers):
        title = rng.choice(["MR", "MS", "MRS"])
        # as airlines print a passenger: ASCII capitals, no spaces or hyphens in a surname
        p.text((60, 215 + k * 42), f"{_ascii(f).upper()}/{_ascii(g).upper()} {title}", size,
               "name")
        p.text((560, 215 + k * 42), f"Seat {rng.randint(3, 38)}{rng.choice('ABCDEF')}", size)
    y = 230 + len(passengers) * 42 + 30
    p.text((60, y), f"Flight {_l(rng, 2)} {rng.randint(100, 9999)}  "
                    f"{rng.randint(1, 28)} {MONTHS[rng.randint(0, 11)][:3]} 2025  "
                    f"{rng.randint(5, 22):02d}:{rng.choice(['05', '20', '40'])}", size)
    g, f = passengers[0]
    p.runs(60, y + 60, [("Contact: ", ""), (email_of(g, f, rng), "email"), ("  ", ""),
                        (phone(country, rng), "phone")], size - 2)


def enrolment(p: Page, country: str) -> None:
    rng, lang = p.rng, LANG[country]
    size = rng.randint(20, 24)
    p.text((60, 40), rng.choice(["St Brigid's Primary School", "Oakfield Academy",
                                 "Grundschule Am Park"]) + " — Enrolment form", size + 6)
    g, f = person(rng)
    pg, pf = rng.choice(GIVEN), f
    rows = [("Pupil's full name", f"{g} {f}", "name"),
            (rng.choice(DOB_LABELS[lang]), birth_date(rng, lang), "date_of_birth"),
            ("Parent / guardian", f"{pg} {pf}", "name"),
            ("Contact number", phone(country, rng), "phone"),
            ("E-mail", email_of(pg, pf, rng), "email")]
    y = 120
    for label, value, kind in rows:
        p.draw.rectangle((50, y - 8, 1150, y + size + 14), outline=(90, 90, 90), width=2)
        p.draw.line((420, y - 8, 420, y + size + 14), fill=(90, 90, 90), width=2)
        p.text((62, y), label, size - 2, fill=(60, 60, 60))
        p.text((440, y), value, size, kind)
        y += size + 34
    p.draw.rectangle((50, y - 8, 1150, y + 3 * int(size * 1.35) + 10), outline=(90, 90, 90),
                     width=2)
    p.text((62, y), "Home address", size - 2, fill=(60, 60, 60))
    p.lines(440, y, address(country, rng), size, "address")
    y += 3 * int(size * 1.35) + 40
    p.text((62, y), f"Year group {rng.randint(1, 6)}    Start date 0{rng.randint(1, 9)}/09/2025",
           size - 2)


def email_screen(p: Page, country: str) -> None:
    rng = p.rng
    size = rng.randint(20, 24)
    g1, f1 = person(rng)
    g2, f2 = person(rng)
    p.draw.rectangle((0, 0, 1240, 60), fill=(232, 236, 244))
    p.text((30, 16), "Inbox  ›  Re: the flat viewing", size)
    p.runs(30, 90, [("From: ", ""), (f"{g1} {f1}", "name"), (" <", ""),
                    (email_of(g1, f1, rng), "email"), (">", "")], size)
    p.runs(30, 130, [("To: ", ""), (f"{g2} {f2}", "name"), (" <", ""),
                     (email_of(g2, f2, rng), "email"), (">", "")], size)
    p.text((30, 170), f"Date: {rng.randint(1, 28)} {MONTHS[rng.randint(0, 11)]} 2025 "
                      f"{rng.randint(7, 23)}:{rng.randint(10, 59)}", size)
    p.runs(30, 240, [(f"Hi {g2},", "")], size)
    p.runs(30, 290, [("the viewing is at ", ""), (address(country, rng)[0], "address"),
                     (" on Saturday at 11.", "")], size)
    p.runs(30, 330, [("If you are late, text me on ", ""), (phone(country, rng), "phone"),
                     (".", "")], size)
    p.text((30, 400), "Best wishes,", size)
    p.text((30, 440), f"{g1} {f1}", size, "name")
    p.text((30, 480), rng.choice(["Lettings Manager", "Tenant", "Owner"]), size - 2)


def contact_card(p: Page, country: str) -> None:
    rng, lang = p.rng, LANG[country]
    size = rng.randint(26, 30)
    g, f = person(rng)
    p.draw.ellipse((520, 40, 720, 240), fill=(160, 170, 190))
    p.text((620 - 11 * len(f"{g} {f}"), 270), f"{g} {f}", size + 14, "name")
    rows = [("mobile", phone(country, rng), "phone"), ("email", email_of(g, f, rng), "email"),
            ("birthday", birth_date(rng, lang), "date_of_birth")]
    y = 380
    for label, value, kind in rows:
        p.text((80, y), label, size - 8, fill=(0, 110, 220))
        p.text((80, y + size - 2), value, size, kind)
        p.draw.line((80, y + 2 * size + 14, 1160, y + 2 * size + 14), fill=(210, 210, 210))
        y += 2 * size + 30
    p.text((80, y), "home", size - 8, fill=(0, 110, 220))
    p.lines(80, y + size - 2, address(country, rng), size, "address")


def invoice(p: Page, country: str) -> None:
    rng = p.rng
    size = rng.randint(20, 23)
    trade = rng.choice(["Brightwater Plumbing", "Keller Elektro", "Dubois Menuiserie",
                        "Summit Roofing"])
    p.text((700, 50), trade, size + 8)
    p.lines(700, 50 + size + 16, address(country, rng), size - 4, "address")
    p.runs(700, 50 + 6 * size, [(phone(country, rng), "phone")], size - 4)
    p.text((60, 60), "INVOICE", size + 18)
    p.text((60, 130), f"No. {rng.randint(2025001, 2025999)}", size)
    p.text((60, 170), f"Date {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025", size)
    g, f = person(rng)
    p.text((60, 260), "Bill to", size - 2, fill=(90, 90, 90))
    p.text((60, 260 + size + 6), f"{g} {f}", size, "name")
    p.lines(60, 260 + 2 * size + 16, address(country, rng), size, "address")
    y = 520
    for item, amount in (("Labour, 3.5 h", "157.50"), ("Parts", "48.20"), ("Call-out", "35.00")):
        p.text((60, y), item, size)
        p.text((900, y), amount, size)
        y += size + 14
    p.text((60, y + 20), "Total due", size + 2)
    p.text((900, y + 20), "240.70", size + 2)


TEMPLATES: dict[str, tuple[Callable[[Page, str], None], tuple[int, int]]] = {
    "appointment": (appointment, (1240, 920)), "booking": (booking, (1240, 520)),
    "enrolment": (enrolment, (1240, 720)), "email": (email_screen, (1240, 540)),
    "contact": (contact_card, (1240, 1060)), "invoice": (invoice, (1240, 760)),
}


def build(out: Path, pages: int = 36, seed: int = 20261207) -> list[Item]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    countries = sorted(LANG)
    for k in range(pages):
        template = list(TEMPLATES)[k % len(TEMPLATES)]
        country = countries[(k * 3) % len(countries)]
        fn, size = TEMPLATES[template]
        dark = template == "contact" and rng.random() < 0.5
        p = Page(f"{k:03d}-{template}-{country}.png", size, rng,
                 background=(16, 16, 18) if dark else (255, 255, 255),
                 ink=(240, 240, 240) if dark else (25, 25, 35))
        fonts = [f for f in FONTS if Path(f).exists()]
        p.font_path = rng.choice(fonts) if fonts else None
        fn(p, country)
        image = p.image.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 0.9)))
        image.save(out / p.name)
        items.extend(p.items)
    write_truth(out, items)
    return items


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=36)
    a = ap.parse_args()
    built = build(a.out, a.pages)
    print(f"{a.pages} pages, {len(built)} personal items in {a.out}")
