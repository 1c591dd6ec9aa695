"""Postal addresses in text: street, house number, postcode and town grammars of many
countries, and ``usaddress`` (a CRF that ships its model) for US street lines.

A line is *strong* when it holds a street with its number ("12 Baker Street", "Hauptstraße
5", "NO.53, JALAN BESAR", "ul. Długa 5"), a P.O. box, or a postcode with its town
("75001 Paris", "SW1A 1AA", "Springfield, IL 62704", "Singapore 238823"). It is *weak*
when it can continue an address but not start one: a district ("TAMAN DAYA,"), a state or
country, a unit or floor, a short run of place words ending with a comma. An address is a
run of lines of one text block around at least one strong line; it stops at a line that
names a phone, a company, a date or a total. Pure functions over strings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from ..models import usaddress_model_path

_W = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’.\-]"

#: street words, by language: each may come before or after the street's name
STREET_WORDS = {
    "en": "street st road rd avenue ave av lane ln boulevard blvd drive dr way place pl court "
          "ct square sq terrace tce close crescent cres parade pde highway hwy parkway pkwy "
          "circle cir grove gardens gdns mews row walk wharf quay esplanade broadway alley "
          "crossing trail",
    "in": "marg nagar chowk colony sector",
    "de": "straße strasse str allee gasse platz weg ring damm ufer chaussee",
    "nl": "straat laan plein gracht kade singel dreef steenweg",
    "fr": "rue avenue bd chemin allée impasse quai route cours",
    "es": "calle avenida avda paseo plaza carretera camino ronda",
    "it": "via viale piazza corso largo vicolo strada",
    "pt": "rua travessa praça estrada rodovia alameda",
    "pl": "ul ulica al aleja os osiedle plac",
    "se": "gatan vägen väg gränd torget",
    "dk": "vej gade allé plads",
    "my": "jalan jln lorong lrg persiaran lebuh lebuhraya lingkaran",
}
#: street words that end a compound name: "Hauptstraße", "Kerkstraat", "Storgatan", "Nørrevej"
COMPOUND_ENDS = ("straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "straat",
                 "laan", "gracht", "plein", "gatan", "vägen", "vej", "gade", "ring")
def _alternatives(words: str | list[str]) -> str:
    items = words.split() if isinstance(words, str) else words
    return "|".join(sorted({re.escape(w) for w in items}, key=len, reverse=True))


_STREET = _alternatives([w for ws in STREET_WORDS.values() for w in ws.split()])
#: the street words that come before the street's name ("Via Roma 10", "Jalan Sagu 18")
_STREET_FIRST = _alternatives(
    "via viale piazza corso largo vicolo calle avenida avda paseo plaza carrer rua travessa "
    "praça alameda estrada rue avenue boulevard chemin allée impasse quai plac ulica aleja "
    "jalan jln lorong lrg persiaran lebuh".split() + ["ul.", "al.", "pl.", "c/"])
_COMPOUND = "|".join(re.escape(w) for w in COMPOUND_ENDS)
#: a house number: "12", "12a", "19-1", "1851-A", "12/3", "No. 5", "NO.53"
_NUMBER = r"(?:no\.?\s*)?\d{1,5}(?:[-/]?[A-Za-z]{1,2}\b|[-/]\d{1,4}[A-Za-z]?)?"

STREET_LINE = re.compile(
    # number first: "12 Baker Street", "5 rue de Rivoli", "NO.53, JALAN BESAR"
    rf"(?<![\w-]){_NUMBER},?\s+(?:{_W}+\s+){{0,4}}(?:{_STREET})(?![\w])|"
    # street word first, number after: "Via Roma 10", "JALAN SAGU 18", "ul. Długa 5"
    # ("al." is a Polish avenue, not the "et al." of a citation: "Haseltine et al. 1983")
    rf"(?<![\w])(?<!\bet\s)(?:{_STREET_FIRST})\.?\s*(?<=[\s/])(?:{_W}+,?\s+){{0,4}}"
    rf"\d{{1,5}}[A-Za-z]?(?![\w])|"
    # a compound street and its number: "Hauptstraße 5", "Kerkstraat 12"
    rf"(?<![\w])\w+(?:{_COMPOUND})\s+\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,4}})?(?![\w])|"
    # the Malaysian and Singaporean forms: "JALAN BESAR", "Blk 123", "LOT 38", "UNIT L1-044B"
    r"(?<![\w])(?:jalan|jln|lorong|lrg|persiaran|lebuh)\s+[A-Za-z]|"
    r"(?<![\w])(?:lot|unit|blk|block)\s+(?:[A-Z.]{0,4}\s*)?\d|"
    # a house number that opens the line: "NO 7. SIMPANG OFF BATU VILLAGE"
    r"^\s*no\.?\s*\d{1,5}[A-Za-z]?[,.]?\s+[A-Za-z]{3,}|"
    r"\bp\.?\s?o\.?\s?box\s+\d+",
    re.IGNORECASE)

US_STATES = ("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE "
             "NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC").split()

#: postcodes, each with the town beside it
_TOWN = r"[A-ZÀ-Ý][A-Za-zÀ-ÿ'’.\-]+(?:\s+[A-ZÀ-Ý][A-Za-zÀ-ÿ'’.\-]+){0,3}"
POSTCODE_LINE = re.compile(
    rf"(?<![\w-])(?:[A-Z]{{1,2}}-)?\d{{5}}\s+{_TOWN}|"  # FR DE ES IT FI MY US: "75001 Paris"
    rf"(?<![\w-])[A-Z]{{1,2}}-\d{{4}}\s+{_TOWN}|"  # AT BE CH DK NO: "CH-8001 Zürich"
    rf"(?<![\w-])\d{{4}}\s?[A-Z]{{2}}\s+{_TOWN}|"  # NL: "1012 AB Amsterdam"
    rf"(?<![\w-])\d{{4}}-\d{{3}}\s+{_TOWN}|"  # PT: "1100-148 Lisboa"
    rf"(?<![\w-])\d{{2}}-\d{{3}}\s+{_TOWN}|"  # PL: "00-950 Warszawa"
    rf"(?<![\w-])\d{{3}}\s\d{{2}}\s+{_TOWN}|"  # SE: "111 52 Stockholm"
    rf"(?<![\w-])\d{{5}}-\d{{3}}(?![\w-])|"  # BR: "01310-100"
    rf"(?<![\w])(?:{_alternatives(US_STATES)})\s+\d{{5}}(?:-\d{{4}})?(?![\w-])|"  # US
    r"(?<![\w])(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT)\s+\d{4}(?![\w-])|"  # AU: "NSW 2000"
    r"(?<![\w])[A-Z]\d[A-Z]\s?\d[A-Z]\d(?![\w])|"  # CA: "K1A 0B1"
    r"(?<![\w])[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}(?![\w])|"  # UK: "SW1A 1AA"
    r"(?<![\w])[AC-FHKNPRTV-Y]\d{2}\s[AC-FHKNPRTV-Y0-9]{4}(?![\w])|"  # IE: "D02 X285"
    r"(?<![\w])(?i:singapore)\s+\d{6}(?![\w])|"  # SG
    # IN: "Mumbai - 400001", "PIN: 560001"
    r"[A-Za-z]{4,}\s*[-–]\s*[1-8]\d{2}\s?\d{3}(?![\w-])|(?<![\w])(?i:pin)\s*:?\s*\d{6}(?![\w-])")

#: a four-digit postcode and its town ("8001 Zürich", "2000 Antwerpen"): the code could be a
#: year or a quantity, so it only continues an address
POSTCODE4 = re.compile(rf"^\s*\d{{4}}\s+{_TOWN}\s*[.,]?\s*$")
#: a town and its four-digit postcode after it (NZ, AU, DK): "Wellington 6011"
TOWN4 = re.compile(rf"^{_TOWN}\s+\d{{4}}\s*[.,]?$")
#: a postcode alone on the line under its street ("47301" under "NO 1, JLN PJU 19/4"): a
#: bare number, so it only continues an address downwards
POSTCODE_ALONE = re.compile(r"^\s*\d{5,6}\s*[.,]?\s*$")
#: a unit on a line of its own: "#04-12", "Apt 4B", "Flat 2", "Suite 300"
UNIT = re.compile(r"^(?:#\d{1,3}-\d{1,4}[A-Z]?|(?i:apt|apartment|flat|suite|unit|ste)\.?\s*"
                  r"[A-Z0-9-]{1,6})[.,]?$")
#: dates and times: "Thursday, September 20, 2001 4:01 PM", "SUN-THU:1000 HRS"
DATE_TIME = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b.*\d|\d{1,2}:\d{2}|\bhrs\b|"
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?\s+\d{1,4}\b",
    re.IGNORECASE)

#: words that continue an address: districts, floors, buildings
DISTRICT = re.compile(
    r"(?<![\w])(?:taman|tmn|bandar|kawasan|seksyen|kampung|kg|desa|pangsapuri|"
    r"floor|flr|level|lvl|suite|ste|apt|apartment|flat|building|bldg|tower|mall|plaza|"
    r"centre|center|complex|estate|industrial|park|district|county|province|"
    r"arrondissement|quartier|bairro|colonia|barrio|ortsteil)(?![\w])",
    re.IGNORECASE)
#: states, provinces and countries that end an address
REGIONS = re.compile(
    r"^(?:selangor(?: darul ehsan)?|johor(?: bahru)?|kuala lumpur|kl|penang|pulau pinang|"
    r"perak|kedah|melaka|negeri sembilan|pahang|sabah|sarawak|terengganu|kelantan|perlis|"
    r"putrajaya|labuan|malaysia|singapore|australia|new zealand|canada|united kingdom|uk|"
    r"england|scotland|wales|ireland|france|germany|deutschland|nederland|netherlands|"
    r"belgium|belgique|españa|spain|italia|italy|portugal|polska|poland|sverige|sweden|"
    r"danmark|denmark|österreich|austria|schweiz|suisse|switzerland|india|brasil|brazil|"
    r"usa|united states(?: of america)?)[.,]?$",
    re.IGNORECASE)
#: a line with one of these is not part of an address: a phone, a company, a receipt's
#: own fields
STOP = re.compile(
    r"(?<![\w])(?:tel|tel\.|phone|fax|mobile|email|e-mail|www|http|gst|vat|reg|co\.?\s?reg|"
    r"sdn|bhd|berhad|ltd|limited|inc|llc|gmbh|plc|pte|enterprise|trading|restaurant|"
    r"invoice|receipt|cashier|date|time|total|qty|amount|price|tax|"
    r"dear|hi|hello|regards|sincerely|liebe|lieber|sehr|cher|chère|gentile|estimado|estimada|"
    r"querido|querida|beste|hej|drogi|droga|caro|cara)(?![\w])",
    re.IGNORECASE)

#: a receipt's item: a quantity and its sign before the item's name ("2 x Park Lane Tea",
#: "3X Court Shoes", "1 @ 2.50"): its number is no house number
ITEM = re.compile(r"^\s*\d{1,3}\s?[x×@*]\s", re.IGNORECASE)
#: a street line without a street word ("80 Westgate", "12 Market Place,"): a house
#: number and place words, only counted directly above a postcode line's town
NUMBERED = re.compile(rf"^\s*\d{{1,5}}[A-Za-z]?,?\s+(?:[A-ZÀ-Ý]{_W}*\s*){{1,4}},?\s*$")

#: the most words of a line that is an address as a whole (longer lines are prose, where
#: only the address's own words are taken)
MAX_WORDS = 12


@functools.cache
def _usaddress() -> object:
    usaddress_model_path()  # the CRF model checked against its pin before it is loaded
    import usaddress

    return usaddress


EN_STREET = re.compile(rf"^(?:{_alternatives(STREET_WORDS['en'])})$")


def us_street(text: str) -> bool:
    """Whether ``usaddress`` reads ``text`` as a US street address with a number and a
    street type ("1600 Pennsylvania Ave NW", "350 Fifth Avenue, Suite 300")."""
    if not re.search(r"\d", text) or len(text) > 120:
        return False
    try:
        tags, kind = _usaddress().tag(text)  # type: ignore[attr-defined]
    except Exception:  # usaddress raises RepeatedLabelError on text it cannot parse
        return False
    # usaddress calls almost any line with a number a street address: it counts only with
    # a digit house number and a street type that is a street word
    street_type = tags.get("StreetNamePostType", tags.get("StreetNamePreType", ""))
    return (kind == "Street Address" and tags.get("AddressNumber", "")[:1].isdigit()
            and "StreetName" in tags and bool(EN_STREET.match(street_type.strip(".,").lower())))


#: lower-case words that an address's own line holds ("5 rue de la Paix", "Via dei Mille")
_ADDRESS_LOWER = frozenset(w for ws in STREET_WORDS.values() for w in ws.split()) | frozenset(
    "de la le du des del della dei di da do dos das van von der den am an im zu y e".split())


def prose(text: str) -> bool:
    """Whether ``text`` is a sentence that may name an address, not an address's line: long,
    or three lower-case words or more that no address prints ("the viewing is at 116 Hill
    Road on Saturday at 11.")."""
    words = text.split()
    if len(words) > MAX_WORDS:
        return True
    lower = [w for w in (w.strip(".,;:!?") for w in words)
             if w.isalpha() and w.islower() and w not in _ADDRESS_LOWER]
    return len(lower) >= 3


def strong(text: str) -> re.Match[str] | None:
    """Where a strong line's address signal is, or None. In a sentence, a date, a time or
    a phone elsewhere on it does not hide the street it names."""
    if ITEM.match(text):
        return None
    m = STREET_LINE.search(text) or POSTCODE_LINE.search(text)
    if prose(text) and m is not None:
        for stop in (STOP, DATE_TIME):
            if any(s.start() < m.end() and m.start() < s.end() for s in stop.finditer(text)):
                return None
        return m
    if STOP.search(text) or DATE_TIME.search(text):
        return None
    if m is not None:
        return m
    if us_street(text):
        return re.match(r"\s*(.*?)\s*$", text)
    return None


def weak(text: str) -> bool:
    """Whether ``text`` can continue an address."""
    t = text.strip()
    if not t or STOP.search(t) or DATE_TIME.search(t) or ITEM.match(t):
        return False
    if REGIONS.match(t) or DISTRICT.search(t) or POSTCODE4.match(t) or TOWN4.match(t) \
            or UNIT.match(t):
        return len(t.split()) <= 8
    if POSTCODE_ALONE.match(t):
        return True
    # a short run of place words ("MEDAN NIAGA TASIK DAMAI", "Springfield,")
    words = t.rstrip(",.").split()
    return 1 <= len(words) <= 5 and all(re.match(rf"^{_W}+,?$", w) and w[:1].isupper()
                                        for w in words)


def address_runs(texts: Sequence[str], seeds: Sequence[int] = ()) -> list[list[int]]:
    """Runs of consecutive lines (of one block) that make an address: each holds a strong
    line, or starts at a seed (a line under an "Address" label), and grows over the lines
    before and after it that can continue it."""
    marks = [strong(t) is not None for t in texts]
    runs: list[list[int]] = []
    used: set[int] = set()
    for i in [k for k, m in enumerate(marks) if m] + list(seeds):
        if i in used:
            continue
        lo = hi = i
        # a postcode line whose street has no street word: its town and its numbered
        # street above it ("80 Westgate" / "Exeter" / "EX4 3XL")
        town = 2 if not STREET_LINE.search(texts[i]) and POSTCODE_LINE.search(texts[i]) else 0
        # upwards only over lines that end with a comma or are strong ("NO.53, JALAN
        # SAGU 18," above "TAMAN DAYA,")
        while lo > 0 and lo - 1 not in used and hi - lo < 5:
            above = texts[lo - 1]
            numbered = bool(NUMBERED.match(above)) and not (STOP.search(above)
                                                            or DATE_TIME.search(above))
            if marks[lo - 1] or weak(above) and (above.rstrip().endswith(",")
                                                 or DISTRICT.search(above)):
                lo -= 1
            elif town and (numbered or weak(above)):
                lo -= 1
                town = 0 if numbered else town - 1  # the street opens the address
            else:
                break
        while hi + 1 < len(texts) and hi + 1 not in used and hi - lo < 5 and (
                marks[hi + 1] or weak(texts[hi + 1])):
            hi += 1
        run = list(range(lo, hi + 1))
        used.update(run)
        # a code alone ("R82 0503" on a number plate) is no address: it needs a word
        if any(re.search(r"[^\W\d_]{3,}", texts[k]) for k in run):
            runs.append(run)
    return _bridged(sorted(runs), texts)


def _bridged(runs: list[list[int]], texts: Sequence[str]) -> list[list[int]]:
    """Two runs with one line between them are one address when that line could be an
    address's (short, no label, no phone, no date, not prose): a district the OCR misread,
    "(X) U13/X, SETIA ALAM," between a street and its postcode's town."""
    out: list[list[int]] = []
    for run in runs:
        if out and run[0] - out[-1][-1] == 2:
            middle = texts[run[0] - 1].strip()
            if middle and ":" not in middle and len(middle.split()) <= 8 and not (
                    STOP.search(middle) or DATE_TIME.search(middle) or ITEM.match(middle)
                    or prose(middle)):
                out[-1] = [*out[-1], run[0] - 1, *run]
                continue
        out.append(run)
    return out


def span_in_line(text: str) -> tuple[int, int]:
    """The address's characters in a line: the whole line, or in prose (:func:`prose`) the
    address from its street or postcode to the end of what follows it on that clause."""
    if not prose(text):
        stripped = text.strip()
        start = text.index(stripped) if stripped else 0
        return start, start + len(stripped)
    m = strong(text)
    if m is None:
        return 0, len(text)
    end = m.end()
    # "122, rue Station", "No. 119, Jalan Birken 4": the street's name after its word
    name = re.match(r"(?:\s+(?:(?:de|la|du|des|del|di|da|van|von|der)\s+)?[A-ZÀ-Ý][\w'’.-]*)"
                    r"{1,4}(?:\s+\d{1,5}[A-Za-z]?\b)?", text[end:])
    if name is not None:
        end += name.end()
    # "12 Baker Street, London NW1 6XE": the town and postcode after the street
    code = POSTCODE_LINE.search(text, end)
    if code is not None and code.start() - end <= 40 and not re.search(r"[.;:!?]",
                                                                        text[end:code.start()]):
        return m.start(), code.end()
    tail = re.match(r"(?:,\s*(?:(?i:apt|flat|unit|suite)\.?\s*[A-Z0-9-]{1,6}\b|"
                    r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}))+", text[end:])
    return m.start(), end + (tail.end() if tail else 0)
