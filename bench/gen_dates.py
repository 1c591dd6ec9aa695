"""A third generator of evaluation pages, for dates of birth and the dates printed beside
them: typed forms (labels abbreviated and dotted, leaders to the value, a format hint in
the label), forms whose label sits in a cell above its value, letters that give a date of
birth in a sentence, and passport data pages whose labels are bilingual and whose machine
readable zone holds the same date (some photographed on their side). Six languages,
every common printed form of a date. The decoys are the dates such documents print
beside a birth date: the day of the letter, of a visit, of issue and expiry, a policy's
start, a member number. Every date of birth's box is known, and the names and passport
numbers printed with it: the truth for ``bench/kinds.py``.

    .venv/bin/python bench/gen_dates.py OUT_DIR [--pages 36]

The templates follow how such documents are printed, not the rules of ``pixelsafe.text``.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from gen_world import Item, Page, person

FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
]

MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"],
          "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                 "September", "Oktober", "November", "Dezember"],
          "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"],
          "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                 "septiembre", "octubre", "noviembre", "diciembre"],
          "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
                 "agosto", "settembre", "ottobre", "novembre", "dicembre"],
          "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                 "september", "oktober", "november", "december"]}

#: how typed forms label a date of birth, by language: full, abbreviated, dotted
BIRTH_LABELS = {
    "en": ["Date of Birth", "D.O.B.", "DOB", "Birth Date", "Date of birth (DD/MM/YYYY)",
           "Dt. of Birth", "Birth dt.", "D.o.B", "Patient DOB", "Date of birth"],
    "de": ["Geburtsdatum", "Geb.-Datum", "Geb. am", "Geburtsdat."],
    "fr": ["Date de naissance", "Né(e) le", "Date de naiss.", "Date naiss."],
    "es": ["Fecha de nacimiento", "Fecha de nac.", "F. nacimiento", "F. de nac."],
    "it": ["Data di nascita", "Data nascita", "Nato/a il", "Data di nasc."],
    "nl": ["Geboortedatum", "Geb. datum", "Geboren op"],
}

#: the other dates such forms print, by language (never a date of birth)
OTHER_LABELS = {
    "en": ["Date of visit", "Policy start", "Signed on", "Date of issue", "Expiry date",
           "Appointment", "Date received"],
    "de": ["Ausstellungsdatum", "Gültig bis", "Datum", "Termin am"],
    "fr": ["Date de délivrance", "Valable jusqu'au", "Fait le", "Date du rendez-vous"],
    "es": ["Fecha de expedición", "Válido hasta", "Fecha", "Fecha de la cita"],
    "it": ["Data di rilascio", "Scadenza", "Data", "Appuntamento il"],
    "nl": ["Afgiftedatum", "Geldig tot", "Datum", "Afspraak op"],
}

GREETING = {"en": "Dear Sir or Madam,", "de": "Sehr geehrte Damen und Herren,",
            "fr": "Madame, Monsieur,", "es": "Estimados señores:",
            "it": "Gentili signori,", "nl": "Geachte heer, mevrouw,"}

#: a sentence of a letter giving someone's date of birth: {name}, {date}
BIRTH_SENTENCES = {
    "en": ["My daughter {name}, born {date}, will join the class.",
           "The policy holder is {name} (date of birth {date}).",
           "I, {name}, born on {date}, ask for a copy of my file.",
           "Re: {name}, d.o.b. {date}"],
    "de": ["Mein Sohn {name}, geboren am {date}, besucht die Schule.",
           "Betreff: {name}, geb. {date}"],
    "fr": ["Mon fils {name}, né le {date}, est inscrit au club.",
           "Objet : {name}, née le {date}"],
    "es": ["Mi hija {name}, nacida el {date}, asistirá al curso."],
    "it": ["Mio figlio {name}, nato il {date}, frequenterà la scuola."],
    "nl": ["Mijn dochter {name}, geboren op {date}, komt naar de club."],
}

#: a sentence of a letter with a date that is not a birth date: {date}
OTHER_SENTENCES = {
    "en": ["Please reply by {date}.", "We met on {date} at the office."],
    "de": ["Bitte antworten Sie bis zum {date}."],
    "fr": ["Merci de répondre avant le {date}."],
    "es": ["Por favor responda antes del {date}."],
    "it": ["Si prega di rispondere entro il {date}."],
    "nl": ["Graag antwoord voor {date}."],
}


def a_date(rng: random.Random, lang: str, birth: bool) -> tuple[int, int, int, str]:
    """(year, month, day, as printed) in one of the forms pages print dates in."""
    year = rng.randint(1931, 2008) if birth else rng.randint(2019, 2031)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    name = MONTHS[lang][month - 1]
    forms = [f"{day:02d}/{month:02d}/{year}", f"{day:02d}.{month:02d}.{year}",
             f"{year}-{month:02d}-{day:02d}", f"{day} {name} {year}",
             f"{day:02d}-{name[:3].upper()}-{year}", f"{day}.{month}.{year}",
             f"{day:02d} {name[:3].upper()} {year}"]
    if lang == "en":
        forms += [f"{name} {day}, {year}", f"{month:02d}/{day:02d}/{year}",
                  f"{name[:3]}. {day}, {year}"]
    if lang == "de":
        forms += [f"{day}. {name} {year}"]
    return year, month, day, rng.choice(forms)


def typed_form(p: Page, lang: str) -> None:
    """A registration form: a label, dotted leaders or a colon, the value in a column."""
    rng = p.rng
    size = rng.randint(20, 26)
    given, family = person(rng)
    p.text((80, 60), rng.choice(["REGISTRATION FORM", "Patient intake", "Anmeldung",
                                 "Inscription", "Solicitud", "Iscrizione"]), size + 8)
    rows: list[tuple[str, str, str]] = [
        (rng.choice(["Name", "Surname, first name", "Nom", "Name, Vorname", "Nombre",
                     "Cognome e nome", "Naam"]), f"{family}, {given}", "name"),
        (rng.choice(BIRTH_LABELS[lang]), a_date(rng, lang, True)[3], "date_of_birth"),
        (rng.choice(OTHER_LABELS[lang]), a_date(rng, lang, False)[3], ""),
        (rng.choice(["Member no.", "Ref.", "Nr.", "N°", "Núm."]), str(rng.randint(10**6, 10**7)),
         ""),
        (rng.choice(OTHER_LABELS[lang]), a_date(rng, lang, False)[3], ""),
    ]
    rng.shuffle(rows)
    leaders = rng.random() < 0.5
    column = 80 + rng.choice([300, 360, 420])
    for k, (label, value, kind) in enumerate(rows):
        y = 160 + k * int(size * 2.4)
        if leaders:
            p.text((80, y), label + " " + "." * 12, size)
            p.text((column, y), value, size, kind)
        elif rng.random() < 0.5:
            p.text((80, y), f"{label}:", size)
            p.text((column, y), value, size, kind)
        else:  # one run: "D.O.B.: 03/04/1985"
            f = p.font(size)
            head = f"{label}: "
            p.text((80, y), head, size)
            p.text((80 + int(p.draw.textlength(head, font=f)), y), value, size, kind)


def cells(p: Page, lang: str) -> None:
    """A form in boxes: each label small in the top of its cell, the value below it."""
    rng = p.rng
    size = rng.randint(22, 28)
    given, family = person(rng)
    fields = [(rng.choice(["Surname / Nom", "Family name", "Nachname", "Apellidos", "Cognome",
                           "Achternaam"]), family.upper(), "name"),
              (rng.choice(["Given names", "Vorname", "Prénoms", "Nombre", "Nome", "Voornamen"]),
               given, "name"),
              (rng.choice(BIRTH_LABELS[lang]), a_date(rng, lang, True)[3], "date_of_birth"),
              (rng.choice(OTHER_LABELS[lang]), a_date(rng, lang, False)[3], "")]
    rng.shuffle(fields)
    for k, (label, value, kind) in enumerate(fields):
        x, y = 60 + (k % 2) * 460, 80 + (k // 2) * 150
        p.draw.rectangle((x, y, x + 440, y + 130), outline=(60, 60, 60), width=2)
        p.text((x + 12, y + 10), label, size - 8, fill=(90, 90, 90))
        p.text((x + 12, y + 10 + size + 8), value, size, kind)


def letter(p: Page, lang: str) -> None:
    """A letter: its own date at the top, a date of birth in a sentence, another date."""
    rng = p.rng
    size = rng.randint(20, 25)
    given, family = person(rng)
    p.text((620, 70), a_date(rng, lang, False)[3], size)
    p.text((80, 180), GREETING[lang], size)
    sentence = rng.choice(BIRTH_SENTENCES[lang])
    before, rest = sentence.split("{date}")
    head, tail = before.split("{name}")
    date = a_date(rng, lang, True)[3]
    p.runs(80, 240, [(head, ""), (f"{given} {family}", "name"), (tail, ""),
                     (date, "date_of_birth"), (rest, "")], size)
    other = rng.choice(OTHER_SENTENCES[lang])
    head, tail = other.split("{date}")
    p.runs(80, 300, [(head, ""), (a_date(rng, lang, False)[3], ""), (tail, "")], size)
    p.text((80, 400), rng.choice(["Yours faithfully,", "Mit freundlichen Grüßen",
                                  "Cordialement,", "Atentamente,", "Cordiali saluti,",
                                  "Met vriendelijke groet,"]), size)


def _check(s: str) -> str:
    values = {**{str(d): d for d in range(10)},
              **{chr(ord("A") + i): 10 + i for i in range(26)}, "<": 0}
    return str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(s)) % 10)


def passport(p: Page, lang: str) -> None:
    """A passport's data page: bilingual labels each above its value, the birth date as
    '23 DEC/DÉC 91' or '23 DEC 1991', and a machine-readable zone holding it."""
    rng = p.rng
    size = rng.randint(20, 24)
    given, family = person(rng)
    year, month, day, _ = a_date(rng, "en", True)
    _, emonth, eday, _ = a_date(rng, "en", False)
    eyear = rng.randint(2027, 2034)
    mon = MONTHS["en"][month - 1][:3].upper()
    birth = rng.choice([f"{day:02d} {mon} {year}", f"{day:02d} {mon}/{mon} {year % 100:02d}",
                        f"{day:02d}.{month:02d}.{year}", f"{day:02d} {mon} {year % 100:02d}"])
    second = {"en": "Date de naissance", "de": "Date of birth", "fr": "Date of birth",
              "es": "Date of birth", "it": "Date of birth", "nl": "Date of birth"}[lang]
    first = {"en": "Date of birth", "de": "Geburtstag", "fr": "Date de naissance",
             "es": "Fecha de nacimiento", "it": "Data di nascita", "nl": "Geboortedatum"}[lang]
    p.draw.rectangle((40, 40, 1160, 760), outline=(120, 120, 160), width=3)
    p.draw.rectangle((70, 130, 330, 470), fill=(200, 200, 210))  # the portrait
    x = 380
    number = f"{rng.choice('CPXK')}{rng.randint(10**7, 10**8 - 1)}"
    fields = [("Surname / Nom", family.upper(), "name"),
              ("Given names / Prénoms", given.upper(), "name"),
              (f"{first} / {second}", birth, "date_of_birth"),
              ("Date of issue / Date de délivrance",
               f"{rng.randint(1, 28):02d} {MONTHS['en'][rng.randint(0, 11)][:3].upper()} "
               f"{eyear - 10}", ""),
              ("Date of expiry / Date d'expiration",
               f"{eday:02d} {MONTHS['en'][emonth - 1][:3].upper()} {eyear}", "")]
    p.text((x, 80), "PASSPORT / PASSEPORT", size + 4)
    p.runs(x + 420, 80, [("No. ", ""), (number, "id")], size)
    for k, (label, value, kind) in enumerate(fields):
        y = 140 + k * int(size * 3.0)
        p.text((x, y), label, size - 8, fill=(80, 80, 110))
        p.text((x, y + size - 2), value, size, kind)
    surname = "".join(c for c in family.upper() if c.isascii() and c.isalpha())
    forename = "".join(c for c in given.upper() if c.isascii() and c.isalpha())
    line1 = f"P<UTO{surname}<<{forename}".ljust(44, "<")[:44]
    num = number.ljust(9, "<")
    dob = f"{year % 100:02d}{month:02d}{day:02d}"
    exp = f"{eyear % 100:02d}{emonth:02d}{eday:02d}"
    personal = "<" * 14
    body = (num + _check(num) + "UTO" + dob + _check(dob) + rng.choice("MF") + exp
            + _check(exp) + personal + _check(personal))
    line2 = body + _check(num + _check(num) + dob + _check(dob) + exp + _check(exp)
                          + personal + _check(personal))
    mono = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    p.font_path, kept = mono, p.font_path
    p.text((70, 620), line1, 26)
    p.text((70, 670), line2, 26)
    p.font_path = kept


TEMPLATES: list[tuple[str, Callable[[Page, str], None], tuple[int, int]]] = [
    ("form", typed_form, (1100, 700)), ("cells", cells, (1000, 420)),
    ("letter", letter, (1100, 520)), ("passport", passport, (1200, 800)),
]
LANGS = list(MONTHS)


def build(out: Path, pages: int = 36, seed: int = 11) -> list[Item]:
    """Write the pages and truth.json into ``out`` (once) and return the items."""
    truth = out / "truth.json"
    if truth.exists():
        return [Item(**{**i, "box": tuple(i["box"])}) for i in json.loads(truth.read_text())]
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    items: list[Item] = []
    for n in range(pages):
        name, template, size = TEMPLATES[n % len(TEMPLATES)]
        lang = LANGS[(n // len(TEMPLATES)) % len(LANGS)]
        page = Page(f"{n:02d}-{name}-{lang}.png", size, random.Random(rng.random()))
        page.font_path = page.rng.choice([f for f in FONTS if Path(f).exists()] or [None])
        template(page, lang)
        image = page.image
        if name == "passport" and n % 8 == 3:  # photographed on its side
            image = image.rotate(90, expand=True)
            w = page.image.width
            page.items = [Item(i.image, i.kind, i.text, (i.box[1], w - i.box[2], i.box[3],
                                                         w - i.box[0])) for i in page.items]
        image.save(out / page.name)
        items.extend(page.items)
    truth.write_text(json.dumps([asdict(i) for i in items], ensure_ascii=False, indent=1))
    return items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=36)
    args = ap.parse_args()
    items = build(args.out, args.pages)
    births = sum(i.kind == "date_of_birth" for i in items)
    print(f"{births} dates of birth ({len(items)} items) on {args.pages} pages in {args.out}")


if __name__ == "__main__":
    main()
