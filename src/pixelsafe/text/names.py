"""Person names from the entity model, checked and completed.

The small English model tags many OCR fragments as people ("Immun", "Parls Expn",
"UCLA Alpha Omega Alpha"). An entity counts as a name only when its words are shaped like
a name (capitalised words, initials, particles such as "van" or "de") and the US census
lists know at least one of its words, or it has the "Surname, I." or "Surname II" shape of
a citation. A name is then completed to every word of it on its line: a second given
name, an initial or a hyphenated part that the model left out, and a possessive "'s" is
cut off.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from ..models import name_list_paths
from .addresses import STREET_LINE
from .recognizers import FORM_WORDS, label_of

#: a word of a name: "Anna", "O'Neil", "Wong-Staal", "McDaniel", "SELSTED", an initial
NAME_WORD = re.compile(
    r"^(?:[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž'’]+(?:-[A-Za-zÀ-ÖØ-öø-ÿĀ-ž][a-zß-öø-ÿā-ž'’]+)*|"
    r"(?:Mc|Mac|O'|O’|D'|D’)[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+|"
    r"[A-ZÀ-ÖØ-ÞĀ-Ž][A-ZÀ-ÖØ-ÞĀ-Ž'’]+(?:-[A-ZÀ-ÖØ-ÞĀ-Ž'’]+)*|"
    r"[A-Z]\.?(?:[A-Z]\.?){0,2})$")
INITIALS = re.compile(r"^(?:[A-Z]\.?){1,3}$")
#: initials written with a full stop after each letter: "A.", "M.S."
DOTTED = re.compile(r"^(?:[A-Z]\.){1,3}$")
PARTICLES = frozenset("van von de da del della der den di du dos das le la ter ten bin binti "
                      "bint ibn al el y Ó Ní Nic Uí Mac".split())
#: words the model calls people that are titles, greetings or sign-offs, never the name:
#: greetings, titles, a letter's salutation
#: ("Sehr geehrte Damen und Herren"), kinship before a name ("Mein Sohn Tomasz MacLeod"),
#: institutions, streets, particles, what identity cards print beside their holder
NOT_NAME_WORDS = frozenset("""
    dear hi hello hey thanks thank regards sincerely cheers best mr mrs ms miss dr prof
    professor sir madam dept department university college school institute hospital
    center centre society association committee award prize fellowship program
    street road avenue foundation inc ltd llc corp company bhd sdn
    and of the for in on at to with or from by
    are is be was were must within not all any only your our we you it this that
    project lead engineer developer designer analyst consultant director officer
    coordinator specialist intern assistant
    hej kære käre kära hyvä liebe lieber chère querido querida estimado estimada drogi droga
    rua calle via viale rue jalan taman lorong avenida piazza plaza strasse straße
    card carte identity identité identità passport passeport ausweis personalausweis
    signature firma signatur unterschrift holder bearer titular titulaire inhaber
    herren damen geehrte geehrter monsieur madame messieurs mesdames señor señora señores
    signori signore signora gentili heer mevrouw ladies gentlemen
    my mein meine mon fils fille mi hijo hija mio figlio figlia mijn zoon dochter
    son daughter sohn tochter
    danke dank vielen merci gracias grazie obrigado obrigada bedankt dziękujemy takk kiitos
    für und ihr ihre ihren ihrem unser unsere pour votre avec por para voor uw dla
    total totale totaal summe gesamt subtotal
""".split())
#: what a shop's name says it is, in several languages: a name beside one of these is the
#: shop's ("Bäckerei Sonnenschein", "Murphy Hardware", "Papeterie Meier"); none that is
#: also a common name or surname ("Barber", "Butcher", "Mercado", "Winkel", "Bar", "Mart",
#: "Cave", "Tabak", "Obst"); tradesmen's and doctors' practices too ("Keller Elektro",
#: "Riverside Medical Practice")
BUSINESS_WORDS = frozenset("""
    shop store stores market supermarket minimart grocer grocery groceries deli
    delicatessen bakery bakehouse pharmacy chemist chemists hardware books
    bookshop bookstore stationery stationers cafe café caffè coffee pub bistro brasserie
    restaurant diner grill pizzeria trattoria ristorante restaurante taverna tavern
    outfitters boutique florist florists kiosk newsagent liquor wines cellar bottle
    laundry laundrette salon optician opticians garage motors tyres
    supermarkt supermercado supermercados supermarché supermercato markt marché
    mercato bäckerei backstube bakkerij boulangerie panificio panetteria panadería piekarnia
    konditorei pâtisserie patisserie pasticceria metzgerei fleischerei slagerij boucherie
    macelleria carnicería apotheke apotheek pharmacie farmacia apteka drogerie drogisterij
    droguería ferretería ferramenta quincaillerie eisenwaren buchhandlung boekhandel
    librairie libreria librería papeterie papelería cartoleria kaffee koffie
    getränke fromagerie kaashandel käserei caseificio enoteca bodega frutería fruteria
    gemüse friseur coiffure coiffeur peluquería parrucchiere trafik tabac
    tabaccheria estanco sklep spożywczy alimentari epicerie épicerie tienda negozio
    geschäft laden studio studios
    plumbing electrical electrics roofing joinery carpentry builders construction
    landscaping removals decorating elektro elektrotechnik sanitär heizung malerei
    schreinerei tischlerei dachdeckerei menuiserie plomberie électricité maçonnerie toiture
    fontanería electricidad carpintería idraulica elettricità falegnameria loodgieter
    loodgietersbedrijf timmerbedrijf hydraulika elektryka
    practice clinic surgery medical dental dentist praxis klinik arztpraxis clinique
    clínica clinica ambulatorio huisartsenpraktijk tandarts
""".split())
#: a "name" right before one of these names an institution or a prize ("Albert Einstein
#: College", "Emil Bogen Research Prize")
INSTITUTION_WORDS = frozenset("""
    college university institute hospital center centre foundation school prize award
    fellowship memorial research laboratory laboratories clinic society street road avenue
    building hall library museum park church
""".split())
#: US states and Canadian provinces: "Madison, WI" is a place
REGION_CODES = frozenset("""
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ
    NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AB BC MB NB NL NS ON PE QC SK
""".split())
#: "Prof. Aharon Razin", "Mrs Jane Doe": what follows a title is a name
TITLE = re.compile(r"(?<![A-Za-z])(?:Prof|Dr|Mr|Mrs|Ms|Mx|Miss|Mme|Mlle|Herr|Frau|Sr|Sra)\.?\s+"
                   r"(?=[A-ZÀ-ÖØ-Þ])")
#: an author in a citation: "Weiss, E.B.", "Onorato JJ", "Razin A."
AUTHOR = re.compile(r"(?<![\w.])([A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+(?:[A-Z][a-z]+)?"
                    r"(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+)*)"
                    r"(?:,\s?|\s)((?:[A-Z]\.\s?){1,3}|[A-Z]{1,3}(?!\w))")
#: the fewest letters of a one-word name
MIN_ONE_WORD = 3


@dataclass(frozen=True)
class NamePrior:
    first: frozenset[str]
    last: frozenset[str]

    def knows(self, word: str) -> bool:
        return self.knows_first(word) or self.knows_last(word)

    def knows_first(self, word: str) -> bool:
        return any(w in self.first for w in _keys(word))

    def knows_last(self, word: str) -> bool:
        return any(w in self.last for w in _keys(word))


def _keys(word: str) -> tuple[str, ...]:
    """A word as the census lists may hold it: in capitals, and without its accents (the
    lists are ASCII: "Björn" is BJORN there)."""
    w = word.strip(".,'’").upper()
    if w.isascii():
        return (w,)
    return w, folded(w)[0].upper()


@functools.cache
def prior() -> NamePrior:
    """The census lists, read once (about 94,000 names)."""
    paths = name_list_paths()

    def words(*names: str) -> frozenset[str]:
        out: set[str] = set()
        for n in names:
            for row in paths[n].read_text(encoding="ascii", errors="replace").splitlines():
                if row.strip():
                    out.add(row.split()[0])
        return frozenset(out)

    return NamePrior(words("dist.male.first", "dist.female.first"), words("dist.all.last"))


def _words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\s,;:()\[\]\"/]+", text)]


def _bare(word: str) -> str:
    """A word without the full stop or mark that ends its sentence (initials keep theirs)."""
    return word if DOTTED.match(word) else word.rstrip(".!?")


def _name_word(word: str) -> bool:
    return bool(NAME_WORD.match(_bare(word))) or word in PARTICLES


def _plain(word: str) -> str:
    return word.strip(".,'’").lower()


def _word(line: str, span: tuple[int, int]) -> str:
    return line[span[0]:span[1]]


def _joinable(line: str, spans: list[tuple[int, int]], a: int, b: int, first: int) -> bool:
    """Whether words ``a`` and ``b = a + 1`` of ``line`` belong to one name whose first
    word is ``first``."""
    left, right = _word(line, spans[a]), _word(line, spans[b])
    gap = line[spans[a][1]:spans[b][0]].strip()
    if gap not in ("", ","):
        return False
    for w in (left, right):
        if not _name_word(w) or not_name(w):
            return False
    # across a full stop only after an initial ("Lawrence A. Donehower", not "MD. Study"),
    # and not past a possessive ("Dean's List")
    if left.endswith(".") and not DOTTED.match(left) or left.endswith(("'s", "’s")):
        return False
    if gap == ",":
        # only "Surname, Given" and "Surname, I.", the surname being the name's first word,
        # and not "Madison, WI"
        return a == first and right not in REGION_CODES and bool(
            INITIALS.match(right) or prior().knows_first(right))
    return True


def complete(line: str, start: int, end: int) -> tuple[int, int] | None:
    """The whole name around the model's span ``line[start:end]`` (one line), or None
    when what is left is not shaped like a name."""
    spans = _words(line)
    inside = [k for k, (s, e) in enumerate(spans) if s < end and e > start]
    if not inside:
        return None
    lo, hi = inside[0], inside[-1]
    # titles and greetings at the edges are not the name
    while lo <= hi and (_plain(_word(line, spans[lo])) in NOT_NAME_WORDS
                        or _word(line, spans[lo]) in PARTICLES):
        lo += 1
    while lo <= hi and (_plain(_word(line, spans[hi])) in NOT_NAME_WORDS
                        or _word(line, spans[hi]) in PARTICLES):
        hi -= 1
    if lo > hi:
        return None
    while lo > 0 and hi - lo < 4 and _joinable(line, spans, lo - 1, lo, lo - 1):
        lo -= 1
    while hi + 1 < len(spans) and hi - lo < 4 and _joinable(line, spans, hi, hi + 1, lo):
        hi += 1
    s, e = spans[lo][0], spans[hi][1]
    text = line[s:e].rstrip(",")
    last = _word(line, spans[hi])
    if not DOTTED.match(last):
        text = text.rstrip(".!?")
    e = s + len(text)
    for suffix in ("'s", "’s"):
        if text.endswith(suffix):
            e -= len(suffix)
            text = text[: -len(suffix)]
    return (s, e) if text.strip(" ,") else None


def _next_word(line: str, end: int) -> str:
    m = re.match(r"(?:'s|’s)?[\s,]*([^\s,;:()]+)", line[end:])
    return m.group(1) if m else ""


PLACE_CODES = REGION_CODES | {"USA", "US", "UK", "UAE"}


def author_list(line: str) -> bool:
    """A line of a citation's authors: two or more "Surname I." in it, not counting the
    ones whose "initials" are a state or country ("San Diego CA", "Pharmore USA"). A line
    with a street and its number is an address's ("Lot PTD 198718 Tmn Sierra P")."""
    if STREET_LINE.search(line):
        return False
    return sum(initials.strip() not in PLACE_CODES for _, initials in AUTHOR.findall(line)) >= 2


#: co-authors after a cited author: ", Petzold & Schimke", " and Swenberg"
_COAUTHORS = r"(?:'s|’s)?(?:\s*(?:,|and|&)\s*[A-Z][\w'’-]+)*"
_YEAR = r"(?:19|20)\d{2}[a-z]?\b"
#: "et al." (OCR reads it "er al." too), a year in brackets, a numbered reference "[8]", a
#: year that closes a reference ("Gilbert, 1981;")
_CITES = re.compile(rf"{_COAUTHORS}\s*,?\s*(?:e[tr]\.?\s*a[l1]\b|\(\s*{_YEAR}|\[\d{{1,3}}\])|"
                    # the end of a bracket opened on the line above: "Gilbert, 1981; Sanger"
                    rf"{_COAUTHORS}\s*,\s*{_YEAR}(?:\s*,\s*{_YEAR})*\s*[;)]")
#: inside a bracket: the year, or the end of the line where the list goes on below
#: ("(Petzold and Swenberg." / "1978)"; "(K.Randerath, 1980; Maxam and" / "Gilbert, 1981)")
_CITES_INSIDE = re.compile(rf"{_COAUTHORS}\s*(?:,\s*|\s+){_YEAR}|"
                           rf"{_COAUTHORS}(?:\s+(?:and|&))?\s*[.,;]?\s*$")


def cited(line: str, start: int, end: int) -> bool:
    """Whether the name at ``line[start:end]`` is an author the text cites rather than a
    person the page is about: followed by "et al.", a year in brackets or a reference
    number in square brackets; inside a bracket, followed by a year or by the end of the
    line; or on a line of a reference list (:func:`author_list`)."""
    if author_list(line) or _CITES.match(line, end):
        return True
    before = line[:start]
    return before.rfind("(") > before.rfind(")") and bool(_CITES_INSIDE.match(line, end))


def label_alone(line: str, start: int, end: int) -> bool:
    """Whether ``line[start:end]`` is a field's label alone on its line, its value on the
    next: "Entry Mode:", "ID/STAN:"."""
    return not line[:start].strip() and line[end:].strip() == ":"


def plausible(text: str, line: str, end: int) -> bool:
    """Whether the completed ``text`` (ending at ``end`` of ``line``) is a person's name."""
    words = [_bare(w) for w in re.split(r"[\s,]+", text) if w]
    if not words or any(ch.isdigit() for ch in text) or label_of(text) is not None:
        return False
    if not all(_name_word(w) for w in words):
        return False
    core = [w for w in words if w not in PARTICLES]
    full = [w for w in core if not INITIALS.match(w)]
    # a word of a form shaped like initials ("SUMA PLN", "TAX") is the form's, not initials
    # ("IN", "BE" in capitals are shaped like initials: "GOODS MUST BE IN ORIGINAL STATE")
    if not full or any(not_name(w) for w in core) or any(
            len(w) >= 3 and _plain(w) in FORM_WORDS for w in core):
        return False
    if label_alone(line, end - len(text), end) and not prior().knows_first(full[0]):
        return False  # ("Tommy:" and "Ana Silva:" greet or name a speaker)
    after = _next_word(line, end)
    if _plain(after) in INSTITUTION_WORDS:
        return False  # "Albert Einstein College", "Emil Bogen Research Prize"
    start = end - len(text)
    before = line[:start].split()
    if _plain(after) in BUSINESS_WORDS or before and _plain(before[-1]) in BUSINESS_WORDS:
        return False  # a shop's name: "Murphy Hardware", "Papeterie Meier"
    if after in REGION_CODES and line[end:end + 1] == ",":
        return False  # "Madison, WI"
    if DOTTED.match(words[0]) and before and before[-1].endswith(".") \
            and not DOTTED.match(before[-1]):
        return False  # a journal: "Int. J. Cancer", "Proc. Natl."
    caps = [w for w in full if w.isupper() and len(w) > 1]
    if caps and len(caps) < len(full) and not (words[0] in caps and "," in text):
        return False  # "UCLA Alpha Omega": an acronym among words, not "WEISS, Earle B."
    if line[end:end + 2] in ("'s", "’s") and after[:1].isupper():
        return False  # "Dean's List"
    if core[-1] in PLACE_CODES and not author_list(line):
        return False  # "La Jolla CA"
    known = sum(prior().knows(w) for w in full)
    if len(full) == 1 and len(core) == 1:
        # one word: a known name of some length, not an abbreviation ("Immun.", "Asst.")
        word = full[0].strip(".")
        abbreviation = line[end:end + 1] == "." and not word.isupper()
        return known == 1 and len(word) >= MIN_ONE_WORD and not abbreviation
    citation = len(core) >= 2 and any(INITIALS.match(w) for w in core) and author_list(line)
    if known >= 1 or citation:
        return True
    # names from outside the census lists ("Kwame Bergström", "Hyun-woo Park"): the model's
    # word is taken when the name has two full words or more and does not end as an
    # abbreviation ("Parls Expn.", "ani Agrl.")
    last = full[-1]
    abbreviation = line[end:end + 1] == "." and len(last) <= 5 and not last.isupper()
    return len(full) >= 2 and all(len(w) >= 2 for w in full) and not abbreviation


def person_spans(line: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The names in the model's span of one line: the completed name when it is one."""
    whole = complete(line, start, end)
    if whole is not None and plausible(line[whole[0]:whole[1]], line, whole[1]):
        yield whole


#: a passenger as airlines print one (IATA's SURNAME/GIVEN NAMES TITLE): "CHEN/OLAMIDE MRS",
#: "GARCIALOPEZ/ANA MARIA MS"
PASSENGER = re.compile(r"(?<![A-Za-z/])([A-Z]{2,}(?:[ '-][A-Z]{2,})?)/([A-Z]{2,}(?: [A-Z]{2,})?)"
                       r"(?:\s?(MR|MRS|MS|MISS|MSTR|DR|MX))?(?![A-Za-z/])")
PASSENGER_TITLES = frozenset({"MR", "MRS", "MS", "MISS", "MSTR", "DR", "MX"})


def passengers(line: str) -> Iterator[tuple[int, int]]:
    """The passengers a line prints in the airlines' form: with a title ("CHEN/OLAMIDE
    MRS"), or without one when the census lists know a part ("SMITH/JOHN"); never "AND/OR"
    or "TCP/IP"."""
    for m in PASSENGER.finditer(line):
        surname, given, title = m.group(1), m.group(2), m.group(3)
        words = given.split()
        if words[-1] in PASSENGER_TITLES:  # "CHEN/OLAMIDE MRS" read as two given names
            title, words = words[-1], words[:-1]
        if not words or any(not_name(w) for w in [surname, *words]) \
                or label_alone(line, m.start(), m.end()):
            continue
        if title or prior().knows_last(surname) or prior().knows_first(words[0]):
            yield m.start(), m.end()


def rule_spans(line: str) -> Iterator[tuple[int, int, str]]:
    """Names that the model may miss, from their shape alone: after a title ("Prof.
    Aharon Razin"), the authors of a citation ("Weiss, E.B., Chodosh, S."), a passenger
    as airlines print one ("CHEN/OLAMIDE MRS"), and a line that is only a known given name
    and a surname ("ALEX LEVINE", "Kelly Rubin")."""
    for start, end in passengers(line):
        yield start, end, "passenger"
    for m in TITLE.finditer(line):
        whole = complete(line, m.end(), m.end() + 1)
        if whole is not None and not any(c.isdigit() for c in line[whole[0]:whole[1]]):
            yield (*whole, "title")
    if author_list(line):
        for m in AUTHOR.finditer(line):
            surname = m.group(1)
            if not_name(surname):
                continue
            yield (m.start(), m.start(2) + len(m.group(2).rstrip()), "citation")
    text = line.strip()
    words = text.split()
    if 2 <= len(words) <= 3 and all(_name_word(w) and not not_name(w) for w in words):
        full = [w for w in words if not INITIALS.match(w)]
        if len(full) >= 2 and prior().knows_first(full[0]) and prior().knows_last(full[-1]):
            at = line.index(text)
            yield (at, at + len(text), "name_line")


def name_line(text: str, words: range = range(2, 4)) -> bool:
    """Whether the whole of ``text`` is a person's name by its shape: ``words`` words (a
    middle initial not counted), each a name's word, none a greeting's, a form's or a
    shop's, and :func:`plausible` (a name the census lists know, or two full words or more:
    "Noor Bergström", "Hyun-woo Park"). One word only when it is a known given name."""
    parts = text.split()
    full = [w for w in parts if not INITIALS.match(w)]
    if len(full) not in words or len(parts) > len(full) + 1:
        return False
    if any(not _name_word(w) or not_name(w) for w in parts):
        return False
    if len(full) == 1 and not prior().knows_first(full[0]):
        return False
    return plausible(text, text, len(text))


#: how a name is folded to be compared with an e-mail address's part: "Kjær" is "kjaer"
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ı": "i", "ł": "l", "đ": "d",
                       "þ": "th", "œ": "oe", "ð": "d"})


def folded(word: str) -> tuple[str, str]:
    """A word of a name as an e-mail address may spell it: its letters without accents
    ("Yılmaz" -> "yilmaz", "Kjær" -> "kjaer"), and without the letters ASCII lacks
    ("ylmaz", "kjr")."""
    lower = word.lower()
    plain = unicodedata.normalize("NFKD", lower.translate(_FOLD))
    return ("".join(c for c in plain if "a" <= c <= "z"),
            "".join(c for c in lower if "a" <= c <= "z"))


def proprietor(text: str) -> bool:
    """Whether a line printed just above a company's line is its owner's name: a sole
    proprietor heads a Malaysian receipt ("TAN WOON YANN" over "BOOK TA.K (TAMAN DAYA) SDN
    BHD"; the OCR may read it in lower case). Two to four words, each a name the census
    lists know and none a word of a form or a business; "GHEE HIANG", a brand over its
    distributor, has a word no list knows and stays the shop's."""
    words = text.split()
    if not 2 <= len(words) <= 4 or not all(w.isalpha() and len(w) >= 2 for w in words):
        return False
    if any(not_name(w) for w in words):
        return False
    return all(prior().knows(w) for w in words)


def not_name(word: str) -> bool:
    """Whether ``word`` is never part of a person's name: a greeting, a title, a word of a
    form, a shop's kind."""
    w = _plain(word)
    return w in NOT_NAME_WORDS or w in FORM_WORDS or w in BUSINESS_WORDS

