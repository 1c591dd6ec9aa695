"""Validated recognisers for personal data in text, after Presidio's pattern.

Each recogniser has a regex, a base score, an optional validation hook and context words.
A match that fails validation is dropped; context words near a match raise its score, and
some recognisers (a bare run of digits as a phone, a 9-digit SSN) fire only with context.
The registry is small on purpose: no NLP model, every hit can be explained by its rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers


@dataclass(frozen=True)
class Match:
    label: str
    start: int
    end: int
    text: str
    score: float
    data: dict[str, Any] | None = None


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(words) + r")(?![A-Za-z])", re.IGNORECASE)


@dataclass(frozen=True)
class PatternRecognizer:
    """A regex recogniser. ``validate`` returns False to drop a candidate, or extra data;
    ``needs_context`` drops candidates that have no context word nearby."""

    label: str
    pattern: re.Pattern[str]
    score: float
    context: re.Pattern[str] | None = None
    context_score: float = 0.95
    needs_context: bool = False
    validate: Callable[[str], bool | dict[str, Any]] | None = None
    group: int = 0

    def find(self, text: str, context: str = "") -> list[Match]:
        out: list[Match] = []
        # the line above gives context only when it is a label alone, with no value of its
        # own: "Invoice date: 12.12.2024" under "Date of birth: 09.08.1996" is no birth date
        above = context if not any(c.isdigit() for c in context) else ""
        has_context = bool(self.context and self.context.search(above + " " + text))
        for m in self.pattern.finditer(text):
            value = m.group(self.group)
            start, end = m.span(self.group)
            data: dict[str, Any] | None = None
            if self.validate is not None:
                verdict = self.validate(value)
                if verdict is False:
                    continue
                if isinstance(verdict, dict):
                    data = verdict
            if self.needs_context and not has_context:
                continue
            score = self.context_score if has_context else self.score
            out.append(Match(self.label, start, end, value, score, data))
        return out


# --- validators ---------------------------------------------------------------------------

def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


#: payment card networks by their IIN prefix ranges, in the order they are tried: each row
#: the network, the card lengths it issues, and inclusive prefix ranges (``lo``, ``hi``, of
#: one length each). The phone app reads the same table (``rules.json``).
CARD_NETWORKS: tuple[tuple[str, tuple[int, ...], tuple[tuple[str, str], ...]], ...] = (
    ("visa", (13, 16, 19), (("4", "4"),)),
    ("mastercard", (16,), (("51", "55"), ("222100", "272099"))),
    ("amex", (15,), (("34", "34"), ("37", "37"))),
    ("discover", (16, 17, 18, 19), (("6011", "6011"), ("65", "65"), ("644", "649"),
                                    ("622126", "622925"))),
    ("jcb", (16, 17, 18, 19), (("3528", "3589"),)),
    ("diners", (14, 15, 16, 17, 18, 19), (("300", "305"), ("36", "36"), ("38", "39"),
                                          ("3095", "3095"))),
    ("unionpay", (16, 17, 18, 19), (("62", "62"),)),
    ("maestro", tuple(range(12, 20)), (("50", "50"), ("56", "69"))),
)


def card_network(digits: str) -> str | None:
    """The issuer from the IIN prefix ranges, or None when no network uses that prefix."""
    for network, lengths, ranges in CARD_NETWORKS:
        if len(digits) in lengths and any(
                int(lo) <= int(digits[:len(lo)]) <= int(hi) for lo, hi in ranges):
            return network
    return None


def validate_card(value: str) -> bool | dict[str, Any]:
    digits = re.sub(r"\D", "", value)
    if not 13 <= len(digits) <= 19 or not luhn_ok(digits) or len(set(digits)) == 1:
        return False
    network = card_network(digits)
    if network is None:
        return False
    return {"network": network, "last4": digits[-4:]}


#: ISO 13616 lengths of the IBAN of each country
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}


def iban_ok(value: str) -> bool:
    iban = re.sub(r"\s", "", value).upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def validate_iban(value: str) -> bool | dict[str, Any]:
    if not iban_ok(value):
        return False
    return {"country": value[:2].upper()}


def ssn_ok(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in {"123456789", "078051120", "219099999"}


def _email_ok(value: str) -> bool:
    domain = value.rsplit("@", 1)[-1]
    tld = domain.rsplit(".", 1)[-1]
    return "." in domain and tld.isalpha() and len(tld) >= 2 and ".." not in value


# --- phone numbers ------------------------------------------------------------------------

_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|janv|févr|mars|avr|mai|"
          r"juin|juil|août|sept|déc|ene|abr|ago|dic|gen|mag|giu|lug|ott|okt|dez|mrt|mei|"
          r"maj|märz|out|set|dez|sty|lut|kwi|cze|lip|sie|wrz|paź|paz|lis|gru)"
          r"[a-zà-ÿąćęłńśźż]*\.?")
_ORDINAL = r"(?:st|nd|rd|th)?"
#: a month in Roman numerals, as Polish, Czech, Hungarian and Romanian papers print it
_ROMAN = r"(?:XII|XI|IX|X|VIII|VII|VI|IV|V|III|II|I)"
#: a date's day, month and year (19xx, 20xx) as two or four digits
_DAY, _MON, _YEAR = r"(?:0[1-9]|[12]\d|3[01])", r"(?:0[1-9]|1[0-2])", r"(?:19|20)\d{2}"
#: the ways a date is printed: 10.03.2001, 03/10/01, 1977-04-19, 12 NOV 1955, 12. März 1955,
#: Feb 10, 1964, Mar. 16. 1840, 12 NOV/NOV 55 (passports print the month twice), 23 12 1991
#: (an identity card's, spaced: a real day and month, a year of this century or the last),
#: and as letters write it: 12th March 1975, the 12th of March 1975, March 12th, 1975,
#: 23 de diciembre de 1991, 23 grudnia 1991, 23 Dec '91; a Roman month (23.XII.1991,
#: 23 XII 1991); the year first, as Hungarian papers print it (1991. 12. 23., 1984. VIII. 5.)
DATE = (r"(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[-./]\d{2}[-./]\d{2}|"
        r"(?<!\d)(?<!\d )(?:0?[1-9]|[12]\d|3[01]) (?:0?[1-9]|1[0-2]) (?:19|20)\d{2}(?! ?\d)|"
        rf"(?<!\d)\d{{1,2}}(?:[./-]\s?{_ROMAN}[./-]\s?(?:\d{{4}}|\d{{2}})|"
        rf"\s{_ROMAN}\s{_YEAR})(?!\d)|"
        rf"(?<!\d){_YEAR}\.\s?(?:\d{{1,2}}|{_ROMAN})\.\s?\d{{1,2}}\.?(?!\d)|"
        rf"\d{{1,2}}{_ORDINAL}\.?\s*(?:(?:of|de)\s+)?{_MONTH}(?:\s*/\s*{_MONTH})?"
        r"(?:\s+de)?,?\s*['’]?(?:\d{4}|\d{2})(?!\d)|"
        rf"{_MONTH}\s+\d{{1,2}}{_ORDINAL}[.,]?\s+\d{{4}}|"
        rf"\d{{1,2}}[-/]{_MONTH}[-/](?:\d{{4}}|\d{{2}})(?!\d))")

#: a printed date anywhere in a text (the recogniser's and the MRZ's one grammar)
DATES = re.compile(DATE, re.IGNORECASE)
#: a date of birth beside its label may also be printed as eight digits (23121991,
#: 19911223), which elsewhere are as often a phone's or an order's number
BIRTH_DATES = re.compile(rf"{DATE}|(?<![\d.,/-])(?:{_DAY}{_MON}{_YEAR}|{_YEAR}{_MON}{_DAY})"
                         r"(?![\d.,/-])", re.IGNORECASE)

#: each month's printed forms, by the prefixes _MONTH reads (English, French, Spanish,
#: Italian, German, Dutch, Portuguese, Swedish, Polish)
_MONTH_WORDS = (("jan", "ene", "gen", "sty"), ("feb", "fév", "fev", "lut"),
                   ("mar", "mär", "mrt"), ("apr", "avr", "abr", "kwi"),
                   ("may", "mai", "mag", "mei", "maj"), ("jun", "juin", "giu", "cze"),
                   ("jul", "juil", "lug", "lip"), ("aug", "aoû", "ago", "sie"),
                   ("sep", "set", "wrz"), ("oct", "ott", "okt", "out", "paź", "paz"),
                   ("nov", "lis"), ("dec", "déc", "dic", "dez", "gru"))
#: the months in Roman numerals (the longest prefix wins: "viii" is August, not "v")
_MONTH_PREFIXES: tuple[tuple[str, ...], ...] = tuple((*forms, roman) for forms, roman in zip(
    _MONTH_WORDS, "i ii iii iv v vi vii viii ix x xi xii".split(), strict=True))
_DATE_PART = re.compile(r"\d+|[^\W\d_]+")


def _month(word: str) -> int | None:
    word = word.lower()
    # the longest prefix first: "juil" is July, not June's "ju…"; "mai" May, not "ma(r)"
    best = max(((len(p), n) for n, forms in enumerate(_MONTH_PREFIXES, 1) for p in forms
                if word.startswith(p)), default=None)
    return best[1] if best else None


def date_values(text: str) -> set[tuple[int, int, int]]:
    """The (year, month, day) a printed date (a :data:`DATE` match) can stand for: a
    two-digit year as it is (under 100), both day-month orders of a numeric date when both
    are possible; a month printed twice (``12 NOV/NOV 55``) counts once."""
    parts = _DATE_PART.findall(text)
    numbers = [p for p in parts if p.isdigit()]
    months = {m for m in (_month(p) for p in parts if not p.isdigit()) if m is not None}
    out: set[tuple[int, int, int]] = set()
    if months and len(numbers) == 2:
        a, b = numbers  # "12 NOV 1955" or "Feb 10, 1964": the year is the last number
        if len(a) == 4:  # "1984. VIII. 5.": the first
            a, b = b, a
        out.update((int(b), m, int(a)) for m in months)
    elif not months and len(numbers) == 3:
        a, b, c = numbers
        if len(a) == 4:
            out.add((int(a), int(b), int(c)))
        else:
            out.update({(int(c), int(b), int(a)), (int(c), int(a), int(b))})
    return {(y, m, d) for y, m, d in out if 1 <= m <= 12 and 1 <= d <= 31}


def shared_rules() -> dict[str, Any]:
    """The rules the phone app runs too, as data (its ``rules.json``): the card networks,
    the IBAN lengths, the printed date grammar with its month names, the patterns of the
    recognisers it runs (:data:`PHONE_LABELS`) and what :class:`PhoneRecognizer` decides
    beside libphonenumber (its words, shapes, scores and the countries' hints). Both sides
    are tested on one table of cases (``phone/tests/text-cases.json``)."""
    return {"card_networks": [{"network": n, "lengths": list(lengths),
                               "prefixes": [list(r) for r in ranges]}
                              for n, lengths, ranges in CARD_NETWORKS],
            "iban_lengths": IBAN_LENGTHS,
            "dates": {"pattern": DATE, "months": [list(m) for m in _MONTH_PREFIXES]},
            "patterns": [{"label": r.label, "pattern": r.pattern.pattern, "score": r.score,
                          "flags": "i" if r.pattern.flags & re.IGNORECASE else "",
                          "context": r.context.pattern if r.context else None,
                          "context_score": r.context_score, "needs_context": r.needs_context}
                         for r in RECOGNIZERS if isinstance(r, PatternRecognizer)
                         and r.label in PHONE_LABELS],
            "phone": {"regions": list(PhoneRecognizer.regions),
                      "context": PHONE_CONTEXT.pattern, "formatted": FORMATTED_PHONE.pattern,
                      "prefixed": PREFIXED_PHONE.pattern, "not_a_phone": NOT_A_PHONE.pattern,
                      "tax_before": TAX_BEFORE.pattern,
                      "min_possible_digits": MIN_POSSIBLE_DIGITS, "scores": PHONE_SCORES,
                      "country_hints": [{"region": r, "words": _words(w).pattern, "marks": m}
                                        for r, w, m in COUNTRY_HINTS]}}


#: the pattern recognisers the phone app runs (their validators are in phone/src/text.js),
#: beside the phone numbers' (libphonenumber-js there, with the rules of
#: :class:`PhoneRecognizer` as data): a date of birth there is a date beside its label, on
#: its line or alone on the line above (the library reads forms' value columns too)
PHONE_LABELS = ("email", "payment_card", "iban", "date_of_birth")


#: the fewest digits of a number that is only *possible* (not valid): shorter "possible"
#: numbers are years, page ranges and volume numbers ("261", "1975", "157-159")
MIN_POSSIBLE_DIGITS = 7
#: what a phone pattern may match but is a better fit for another kind, which claims it:
#: a date (04.01.2033) and an SSN-shaped number (123-45-6789)
NOT_A_PHONE = re.compile(rf"^(?:{DATE})$|^\d{{3}}-\d{{2}}-\d{{4}}$", re.IGNORECASE)

#: "ph" only as "Ph: 555…" or "ph. +44…": "Ph.D." and "pH 7.4" are not phone words
PHONE_CONTEXT = _words("tel", "tel\\.", "phone", "telephone", "mobile", "mob", "cell", "fax",
                       r"ph(?=[:.]\s*[+(\d])", "call", "whatsapp", "telefon", "téléphone",
                       "telefono", "contact", "text me", "sms", "ring me", "handy", "mobil",
                       "mobiel", "móvil", "movil", "cellulare", "portable", "gsm", "tél",
                       "teléfono", "telefone", "telemóvel", "tlf", "telefoon")
#: a tax or registration label, and what may stand between it and its number on the line
#: ("MWST CHE-070.828.054", "NIP 509-406-55-22", "USt-IdNr. DE…"): a number right after one
#: is the business's tax number, not its phone (unless a phone word comes between)
TAX_BEFORE = re.compile(
    r"(?<![A-Za-z0-9_])(?:vat|ust|mwst|tva|iva|btw|nip|gst|hst|abn|acn|siret|siren|cif|nif|"
    r"uid|kvk|regon|st\.?-?nr|steuer-?nr|steuernummer)(?![A-Za-z])[^0-9]{0,16}$",
    re.IGNORECASE)
#: a national number written with the separators people use: (555) 123-4567, 020-7946-0958
FORMATTED_PHONE = re.compile(r"^\(?\d{2,5}\)?[-.\s/]\d{2,4}([-.]\d{2,4})+$|^\(\d{2,5}\)\s?\d")
#: a prefix, then the subscriber's number (016-5498845): a phone in a country the page names
PREFIXED_PHONE = re.compile(r"^\d{2,5}[-/]\d{6,8}$")
#: a phone's score: beside a phone word, else written +CC, else with separators; less when
#: the number is only possible (the right length, not an allocated range)
PHONE_SCORES = {"context": 0.95, "international": 0.85, "formatted": 0.7, "only_possible": 0.1}


def tax_number(before: str) -> bool:
    """Whether a number after the text ``before`` it on its line is a tax number: a tax
    label ends that text, no phone word after the label."""
    m = TAX_BEFORE.search(before)
    return m is not None and not PHONE_CONTEXT.search(before[m.start():])


@dataclass(frozen=True)
class PhoneRecognizer:
    """``phonenumbers`` finds and validates; our rule decides which need context.

    An international number (+CC) or one written with phone separators (parentheses,
    dashes, dots) is a phone. A bare run of digits, such as the archive numbers printed
    sideways in the margin of scanned pages, is one only with a context word nearby.

    A number in ``+`` form, or next to a phone word, needs only to be *possible* (the
    right length for its country), not in an allocated range: a user's own number being
    new or fictitious does not make it less private. A date or an SSN-shaped number is
    never a phone."""

    regions: Sequence[str] = ("US", "GB", "DE", "FR", "ES", "IT", "NL")
    label: str = "phone"
    #: the regions the page names (:func:`for_page`), tried first: a number valid there
    #: and written as prefix-number (:data:`PREFIXED_PHONE`) is a phone too
    named: Sequence[str] = ()

    def find(self, text: str, context: str = "") -> list[Match]:
        has_context = bool(PHONE_CONTEXT.search(context + " " + text))
        # a merely possible number needs its label beside it: before it on its line, or a
        # line above that is only the label ("Phone"), not any phone word nearby (a
        # receipt's "GST ID 000689913856" under its "Tel" line is no phone)
        label_above = bool(PHONE_CONTEXT.search(context)) and len(context.split()) <= 2 \
            and not any(c.isdigit() for c in context)
        seen: dict[tuple[int, int], Match] = {}
        passes = [(region, phonenumbers.Leniency.VALID) for region in self.regions]
        if has_context or "+" in text:
            passes += [(region, phonenumbers.Leniency.POSSIBLE) for region in self.regions]
        for region, leniency in passes:
            valid = leniency == phonenumbers.Leniency.VALID
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
                raw = m.raw_string.strip()
                if NOT_A_PHONE.match(raw) or tax_number(text[:m.start]):
                    continue
                international = raw.startswith("+") or raw.startswith("00")
                formatted = bool(FORMATTED_PHONE.match(raw)) or (
                    region in self.named and bool(PREFIXED_PHONE.match(raw)))
                if valid and not (international or formatted or has_context):
                    continue
                beside = label_above or bool(PHONE_CONTEXT.search(text[:m.start]))
                if not valid and (not (raw.startswith("+") or beside)
                                  or sum(c.isdigit() for c in raw) < MIN_POSSIBLE_DIGITS):
                    continue  # libphonenumber calls 2-digit local numbers possible too
                score = PHONE_SCORES["context" if has_context else
                                     "international" if international else "formatted"]
                if not valid:
                    score -= PHONE_SCORES["only_possible"]
                e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                key = (m.start, m.end)
                if key not in seen or seen[key].score < score:
                    seen[key] = Match(self.label, m.start, m.end, m.raw_string, score,
                                      {"e164": e164,
                                       "region": phonenumbers.region_code_for_number(m.number)})
        return sorted(seen.values(), key=lambda x: x.start)


#: what names a page's country, so that its national phone numbers are read: a Malaysian
#: receipt's "016-5498845" has no + and no label, and libphonenumber needs the region. Each
#: row: the region, the words that name it on a page in any case (the country or its
#: cities, its companies' legal form), and marks whose case matters because they are also
#: common English (its currency as printed: "RM" is Malaysia's ringgit before a number, "rm"
#: a room). Written so that Python and JavaScript read them alike (the phone app runs them
#: from rules.json): lookarounds instead of ``\b``, no inline flags.
_EDGE = "(?<![A-Za-z0-9_])"
COUNTRY_HINTS: tuple[tuple[str, str, str], ...] = (
    ("MY", r"malaysia|sdn\.?\s*bhd|kuala\s+lumpur|selangor|johor|pulau\s+pinang",
     _EDGE + r"RM\s?\d"),
    ("SG", r"singapore|pte\.?\s*ltd", _EDGE + r"SGD(?![A-Za-z0-9_])|" + _EDGE + r"S\$\s?\d"),
    ("IN", r"india|pvt\.?\s*ltd", r"₹|" + _EDGE + r"Rs\.?\s?\d"),
    ("AU", r"australia|pty\.?\s*ltd", _EDGE + r"A\$\s?\d|" + _EDGE + r"ABN(?![A-Za-z0-9_])"),
    ("CA", r"canada", _EDGE + r"C\$\s?\d|" + _EDGE + r"CAD(?![A-Za-z0-9_])"),
    ("IE", r"ireland|[ée]ire", ""),
    ("BR", r"bra[sz]il|ltda", _EDGE + r"CNPJ(?![A-Za-z0-9_])|R\$\s?\d"),
    ("MX", r"m[ée]xico", ""),
    ("PT", r"portugal", ""),
    ("BE", r"belgi(?:um|que|ë)", ""),
    ("AT", r"austria|österreich", ""),
    ("CH", r"switzerland|schweiz|suisse|svizzera", _EDGE + r"CHF(?![A-Za-z0-9_])"),
)
_HINTS = tuple((region, _words(words), re.compile(marks) if marks else None)
               for region, words, marks in COUNTRY_HINTS)


# --- the registry ---------------------------------------------------------------------------

#: the labels of a date of birth, as forms abbreviate them too: "b. Berlin, Mar. 16. 1840"
#: (who's who), "D. O. B.", "Geb.-Dat.", "F. Nac.", "Data Nasc.", "Date Naiss."
BIRTH_LABELS = _words(
    "dob", "d\\.o\\.b\\.?", "d\\. o\\. b\\.?", "date of birth", "birth ?date", "born", "birthday",
    "birth", "b\\.", "b-?day", "geb\\.?-?dat(?:um|\\.)?", "geburtsdat(?:um|\\.)", "f\\. ?nac\\.?",
    "fecha nac\\.?", "nac\\.", "nacimiento", "dt\\.? nasc\\.?", "nasc\\.", "nascimento",
    "naiss\\.", "naissance", "date and place of birth", "geburtsdatum", "geb\\.", "geboren",
    "né(?:\\(e\\))? le", "née le", "fecha de nacimiento", "nacido", "nacida", "date de naissance",
    "data (?:di )?nascita", "nat[oa](?:[/l1|I][ao])? il", "data de nascimento", "geboortedatum",
    "data urodzenia", "födelsedatum", "fødselsdato", "syntymäaika", "tarikh lahir",
    # Polish, Czech, Slovak, Hungarian, Romanian, Turkish, Croatian, Serbian and Bosnian,
    # Slovenian, Lithuanian, Latvian, Estonian, Catalan, Indonesian, Vietnamese, Finnish,
    # Swedish, Spanish, Basque, Tagalog
    "data ur\\.?", "ur\\.", "urodzon[ya]", "datum narození", "dátum narodenia",
    "születési (?:idő|dátum)", "data na[sș]terii", "do[gğ]um tarihi", "datum ro[dđ]enja",
    "datum rojstva", "gimimo data", "dzim[sš]anas datums", "s[uü]nniaeg", "data de naixement",
    "tanggal lahir", "ng[aà]y sinh", "syntynyt", "f[oö]dd", "nacid[oa] el",
    "jaiotze data", "jaioteguna", "petsa ng kapanganakan", "kapanganakan", "kaarawan")

RECOGNIZERS: tuple[PatternRecognizer | PhoneRecognizer, ...] = (
    PatternRecognizer(
        "email",
        re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
        0.9, validate=_email_ok),
    PhoneRecognizer(),
    PatternRecognizer(
        "payment_card", re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])"), 0.9,
        context=_words("card", "visa", "mastercard", "amex", "credit", "debit", "cc"),
        context_score=0.98, validate=validate_card),
    PatternRecognizer(
        "iban", re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Z0-9])"),
        0.9, context=_words("iban", "bank", "account"), context_score=0.98,
        validate=validate_iban),
    PatternRecognizer(
        "national_id", re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"), 0.6,
        context=_words("ssn", "social security", "ss#", "soc sec"), context_score=0.95,
        validate=ssn_ok),
    PatternRecognizer(
        "national_id", re.compile(r"(?<![\d-])\d{3} \d{2} \d{4}(?![\d-])|(?<!\d)\d{9}(?!\d)"),
        0.5, context=_words("ssn", "social security", "ss#", "soc sec"), context_score=0.9,
        needs_context=True, validate=ssn_ok),
    PatternRecognizer(
        "date_of_birth", BIRTH_DATES, 0.5,
        context=BIRTH_LABELS,
        context_score=0.9, needs_context=True),
)


def for_page(text: str) -> tuple[PatternRecognizer | PhoneRecognizer, ...]:
    """The recognisers for a page whose whole text is ``text``: the phone recogniser also
    reads the national numbers of the countries the page names (:data:`COUNTRY_HINTS`)."""
    base = PhoneRecognizer.regions
    extra = tuple(r for r, words, marks in _HINTS if r not in base and (
        words.search(text) or (marks and marks.search(text))))
    if not extra:
        return RECOGNIZERS
    return tuple(PhoneRecognizer((*extra, *base), named=extra)
                 if isinstance(r, PhoneRecognizer) else r for r in RECOGNIZERS)


def find_all(text: str, context: str = "",
             recognizers: Iterable[PatternRecognizer | PhoneRecognizer] = RECOGNIZERS
             ) -> list[Match]:
    """Every recogniser over ``text``; overlapping matches keep the higher score, and on a
    tie the longer span (a card number beats the phone number inside it)."""
    found: list[Match] = []
    for r in recognizers:
        found.extend(r.find(text, context))
    found.sort(key=lambda m: (-m.score, -(m.end - m.start)))
    kept: list[Match] = []
    for m in found:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


# --- labelled fields ------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldRule:
    label: str
    names: re.Pattern[str]
    #: what a value must look like to count
    value: re.Pattern[str]
    score: float = 0.85
    extra: dict[str, Any] = field(default_factory=dict)
    #: the label names this only on an identity document ("Document No" on a receipt is
    #: the receipt's number)
    identity_only: bool = False


NAME_VALUE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ'’.\- ,]{2,60}(?:<[^>]+>)?$")
#: an address starts with a house number or names a street, or carries a postcode
ADDRESS_VALUE = re.compile(
    r"^\d{1,5}[A-Za-z]?,?\s+[A-Za-zÀ-ÿ].{3,100}$|"
    r"^.{0,60}\b(?:street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|boulevard|blvd\.?|"
    r"drive|dr\.?|way|place|pl\.?|court|ct\.?|square|sq\.?|terrace|close|crescent|"
    r"straße|strasse|str\.|weg|platz|gasse|rue|avenue|chemin|via|viale|piazza|calle|"
    r"carrer|plaza|rua|apt\.?|suite|po box)\b.{0,60}$|"
    r"^.{0,60}(?<![\w-])(?:[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{5}(?:-\d{4})?)(?![\w-]).{0,40}$",
    re.IGNORECASE)
#: under an "Address" label a short place is the address too ("Colunbia, Mo." has no
#: street); a sentence or a run of digits is not
LABELLED_ADDRESS = re.compile(
    rf"(?:{ADDRESS_VALUE.pattern})|^(?=.*[A-Za-zÀ-ÿ]{{2}})(?!.*\d{{3}})[^;:!?]{{2,60}}$(?<=\S)",
    re.IGNORECASE)
ID_VALUE = re.compile(r"^(?=[A-Z0-9 -]*\d)[A-Z0-9][A-Z0-9 -]{4,18}[A-Z0-9]$")
#: a reservation's number: letters and digits, at least one digit ("010 - 7745055",
#: "8XY23ZQ"); under a PNR label the six letters of an airline's record locator too
BOOKING_VALUE = re.compile(r"^(?=[A-Za-z0-9 -]*\d)[A-Za-z0-9][A-Za-z0-9 -]{3,20}[A-Za-z0-9]$")
LOCATOR_VALUE = re.compile(r"^[A-Z0-9]{5,8}$")

#: the labels of a person's name, in forms, mail headers, cards and parcels
_NAME_LABELS = (
    r"full\s+name|name|surname|last\s+name|family\s+name|given\s+names?|first\s+names?|"
    r"forenames?|from|to|cc|bcc|sender|recipient|attn|attention|nom|apellidos|pr[ée]noms|"
    r"nombres|holder|cardholder|account\s+holder|patient|employee|printed\s+by|"
    r"prepared\s+by|signed|author|contact|cashier|served\s+by|attended\s+by|kasir|"
    # a till's people: who served, rang up or pumped ("OPERATOR CHC - JIVAN", "Attendant:")
    r"operator|attendant|sales\s*person|salesman|saleswoman|sales\s+associate|server|"
    r"waiter|waitress|clerk|teller|staff|pelayan|"
    # the name labels of identity cards and forms in other languages
    r"nachname|vornamen?|familienname|pr[ée]nom|cognome|nome(?:\s+pr[óo]prio)?|"
    r"apelidos?|nombre|nazwisko|imi[oę]na?|efternamn|f[öo]rnamn|efternavn|fornavne?|"
    r"achternaam|voornamen?|voornaam|naam|sukunimi|etunimet|"
    # a parcel's or an invoice's parties, the name first and the address under it
    r"ship\s+to|deliver(?:y)?\s+to|bill\s+to|sold\s+to|consignee|addressee|"
    r"empf[äa]nger|absender|destinataire|exp[ée]diteur|destinatario|mittente|remitente|"
    r"odbiorca|nadawca|ontvanger|afzender|avs[äa]ndare|mottagare")

FIELD_RULES: tuple[FieldRule, ...] = (
    # one label, or several joined ("Name, Vorname", "Cognome e nome", "Surname, first name")
    FieldRule("person_name", re.compile(
        rf"^(?:{_NAME_LABELS})(?:\s*(?:,|&|\band\b|\bund\b|\bet\b|\be\b|\by\b|\ben\b)\s*"
        rf"(?:{_NAME_LABELS}))*\b", re.IGNORECASE),
        NAME_VALUE),
    FieldRule("address", re.compile(
        r"^(?:home\s+address|address|addr|street|residence|adresse|domicilio|"
        r"place\s+of\s+residence|anschrift|wohnort|adres|adress|indirizzo|direcci[óo]n|"
        r"morada|endere[çc]o|bop[æa]l|osoite)\b", re.IGNORECASE), LABELLED_ADDRESS),
    FieldRule("passport_number", re.compile(
        r"^(?:passport\s*(?:no|number|#)|no\.?\s*du\s*passeport)\b", re.IGNORECASE),
        ID_VALUE, 0.9),
    FieldRule("passport_number", re.compile(
        r"^(?:document\s*(?:no|number|#)|doc\.?\s*no)\b", re.IGNORECASE), ID_VALUE, 0.9,
        identity_only=True),
    FieldRule("booking_reference", re.compile(
        r"^(?:reservation|booking|confirmation|resv\.?)\s*(?:no\b\.?|number|#|"
        r"ref(?:erence)?\b\.?|code|id\b)", re.IGNORECASE), BOOKING_VALUE, 0.85),
    FieldRule("booking_reference", re.compile(
        r"^(?:pnr|record\s+locator|booking\s+ref(?:erence)?)(?![A-Za-z])", re.IGNORECASE),
        LOCATOR_VALUE, 0.85),
    FieldRule("national_id", re.compile(
        r"^(?:id\s*(?:no|number|#)|identity\s*(?:card\s*)?(?:no|number)|personal\s*(?:no|number)|"
        r"licen[cs]e\s*(?:no|number|#)|driver'?s?\s*licen[cs]e|dl\s*(?:no|#)|ssn|"
        r"social\s+security(?:\s+number)?|tax\s*id|national\s*id)\b", re.IGNORECASE),
        ID_VALUE, 0.9),
)

#: words that say a page is an identity document (with or without a readable MRZ): passports,
#: identity cards, driving licences and residence permits in the languages of Europe
IDENTITY_WORDS = re.compile(
    r"\b(?:passport|passeport|reisepass|pasaporte|passaporto|passaporte|paspoort|paszport|"
    r"pasaport|pa[sș]aport|identity\s+card|id\s+card|"
    r"carte\s+d.identit[ée]|personalausweis|documento\s+de\s+identidad|"
    r"documento\s+nacional\s+de\s+identidad|carta\s+d.identit[àa]|"
    r"identiteitskaart|identiteitsbewijs|identitetskort|henkilökortti|dowód\s+osobisty|"
    r"ob[čc]ansk[ýy]\s+pr[ůu]kaz|ob[čc]iansky\s+preukaz|cart[ãa]o\s+de\s+cidad[ãa]o|"
    r"bilhete\s+de\s+identidade|carte\s+de\s+identitate|személyazonosító\s+igazolvány|"
    r"kimlik\s+kart[ıi]|nüfus\s+cüzdan[ıi]|"
    r"driv(?:er'?s|ing)\s+licen[cs]e|führerschein|permis\s+de\s+conduire|"
    r"patente\s+di\s+guida|rijbewijs|prawo\s+jazdy|carta\s+de\s+condu[çc][ãa]o|"
    r"licencia\s+de\s+conduc(?:ir|ción)|permiso\s+de\s+conducci[óo]n|körkort|kørekort|"
    r"førerkort|ajokortti|residence\s+permit|aufenthaltstitel|titre\s+de\s+s[ée]jour|"
    r"permesso\s+di\s+soggiorno|verblijfsvergunning)\b",
    re.IGNORECASE)

#: words that look like a label's value but are the next label, or boilerplate
NOT_A_VALUE = re.compile(
    r"^(?:n/?a|none|unknown|see\s+page.*|[-–—]+)$|"
    # a label waiting for its own value: its colon or its leaders end it ("Fait le ... .")
    r"^.*:\s*$|^.*(?:[.…_]\s*){2,}$|"
    r"^(?:please\s+)?see\b|^(?:as\s+)?(?:above|below|overleaf|attached)\b|^same\b|"
    r"^(?:date|place|expiry|expires|expiration|sex|gender|nationality|issued?|issuing|"
    r"authority|signature|height|eyes|class|valid|dob|birth|type|code|subject|sent|"
    r"date\s+of\s+\w+)\b|"
    # section headings of CVs and forms: the next heading is not the value of a label
    r"^(?:education|experience|employment|work\s+history|skills|objective|summary|profile|"
    r"references|publications|languages|interests|qualifications|personal\s+data|"
    r"personal\s+information|contact|career|training|honou?rs|awards|activities)\b",
    re.IGNORECASE)


def label_of(text: str) -> tuple[FieldRule, str, int] | None:
    """If ``text`` starts with a field label, the rule, the value after the label (maybe
    empty) and the value's offset."""
    head = text.split("/")[0].strip()
    for rule in FIELD_RULES:
        m = rule.names.match(head)
        if not m:
            continue
        rest_at = m.end()
        after = text[rest_at:]
        sep = re.match(r"\s*(?:[:#.]|\bno\b\.?)?\s*", after)
        offset = rest_at + (sep.end() if sep else 0)
        value = text[offset:]
        # "To: ..." but not "To be confirmed": a short label needs a colon before its value
        if len(m.group(0)) <= 4 and value and ":" not in text[rest_at:offset]:
            continue
        # "Given Names / Prénoms / Nombres": a multilingual label, its value is elsewhere
        if "/" in text[:offset] or value.lstrip().startswith("/"):
            value, offset = "", len(text)
        # "contact at their basal surface": a name label's word in prose, not a label; a
        # name after its label without a colon starts with a capital
        if rule.label == "person_name" and value and ":" not in text[rest_at:offset] \
                and not value.lstrip()[:1].isupper():
            continue
        return rule, value, offset
    return None


#: where a sentence ends inside a line and a label may start: "bulls. Address: Colunbia, Mo."
_SENTENCE_END = re.compile(r"[.;]\s+(?=[A-Z])")
#: and where its value ends: the next sentence ("Mo. Died 1911": after "Mo.")
_VALUE_END = re.compile(r"(?<=\.)\s+(?=[A-Z][a-z])|;")
#: the labels read inside a line too: their values are addresses or carry digits (a name
#: after "To:" inside prose is too often not one)
MID_LINE_LABELS = frozenset({"address", "passport_number", "national_id", "booking_reference"})


def labels_inside(text: str) -> list[tuple[FieldRule, int, int]]:
    """Labels that follow the end of a sentence inside a line, with a colon, and the span
    of each one's value, up to the next sentence ("Died 1911" is no part of the address):
    a scanned who's-who entry runs "... bulls. Address: Colunbia, Mo. Died 1911." on one
    line. Identity-only labels are left to :func:`label_of`."""
    out: list[tuple[FieldRule, int, int]] = []
    for m in _SENTENCE_END.finditer(text):
        hit = label_of(text[m.end():])
        if hit is None:
            continue
        rule, value, offset = hit
        if (rule.label not in MID_LINE_LABELS or rule.identity_only or not value.strip()
                or ":" not in text[m.end():m.end() + offset]):
            continue
        start = m.end() + offset
        stop = _VALUE_END.search(text, start)
        out.append((rule, start, stop.start() if stop else len(text)))
    return out


#: a company's legal form: a line that carries one names a business, not a person
#: ("KEDAI RUNCIT MAJU SDN BHD" is a shop)
COMPANY_FORM = re.compile(
    r"\b(?:sdn\.?\s*bhd|bhd|pte\.?\s*ltd|ltd|limited|llc|inc|gmbh|pty|plc|corp|corporation|"
    r"enterprises?|trading|s\.?a\.?r\.?l|s\.p\.a|b\.v|n\.v)\b\.?", re.IGNORECASE)


#: the vocabulary of receipts, tills and forms: a "name" made only of these words is the
#: form talking ("CASH", "Time Num", "Total Qty"), never a person
FORM_WORDS = frozenset("""
    amount approved auth balance bill cash cashier change charge check code copy counter
    credit customer date debit desc description discount due gross gst incl item items
    member merchant net no num number order paid payment pax points price qty quantity
    receipt ref rounding sales server service sgd rm subtotal sub sum table tax tel
    tender terminal thank thanks time tip total trans transaction unit usd vat visa you
    welcome again invoice tax-invoice cust mastercard tips page of
    admin administrator manager supervisor trainee operator staff system pos main
    eur gbp chf pln sek nok dkk czk huf aud cad nzd inr myr hkd jpy cny
    card tag
""".split())


def form_words_only(value: str) -> bool:
    words = [w.strip(".,:;#()").lower() for w in value.split()]
    words = [w for w in words if w]
    return bool(words) and all(w in FORM_WORDS for w in words)


def value_ok(rule: FieldRule, value: str) -> bool:
    value = value.strip()
    if not value or NOT_A_VALUE.match(value) or label_of(value) is not None:
        return False
    if rule.label == "person_name" and form_words_only(value):
        return False
    return bool(rule.value.match(value))
