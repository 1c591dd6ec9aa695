"""Machine-readable zones (ICAO 9303): find TD1/TD2/TD3 zones in OCR lines, repair OCR
confusions field by field, verify every check digit and parse the fields.

A repair is kept only when the check digit of its field confirms it, so a wrong guess can
never turn an unreadable zone into a "verified" one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

#: field length of each format: (lines, characters per line)
FORMATS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}

TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "T": "1", "Z": "2",
            "B": "8", "S": "5", "G": "6", "A": "4"}
TO_ALPHA = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A"}
WEIGHTS = (7, 3, 1)


def char_value(c: str) -> int:
    if c.isdigit():
        return int(c)
    if c == "<":
        return 0
    return ord(c) - 55  # A=10 ... Z=35


def check_digit(data: str) -> int:
    return sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(data)) % 10


#: non-Latin look-alikes that OCR emits inside a zone
LOOKALIKE_CHARS = {"Ι": "I", "ι": "I", "Ο": "O", "ο": "O", "Α": "A", "Β": "B", "Ε": "E",
                   "Κ": "K", "Μ": "M", "Ν": "N", "Ρ": "P", "Τ": "T", "Χ": "X", "К": "K",
                   "С": "C", "О": "O", "Р": "P", "|": "I"}
LOOKALIKES = str.maketrans(LOOKALIKE_CHARS)
#: what OCR reads the filler '<' as
FILLER_LOOKALIKES = ("«", "‹", "〈", "<", "﹤", "＜", "≤")


def normalise(text: str) -> str:
    """OCR text to the MRZ alphabet: uppercase, no spaces, the look-alikes of '<' mapped."""
    text = text.translate(LOOKALIKES).upper().replace(" ", "").translate(LOOKALIKES)
    for look_alike in FILLER_LOOKALIKES:
        text = text.replace(look_alike, "<")
    return text


#: a run of fillers, some read as K or C (all fillers when it holds two '<'), and the
#: trailing run of three or more
FILLER_RUN = re.compile(r"[<KC]*<[KC]*<[<KC]*")
TRAILING_FILLERS = re.compile(r"[<KC]{3,}$")


def repair_fillers(line: str) -> str:
    """'<' read as K or C, the usual confusion in filler runs: a run of '<', K and C that
    holds at least two '<' is all fillers, and so is a trailing run of three or more.
    A name line read without any '<' gets its 'CC' separators back."""
    if "<" not in line.rstrip("<KC") and line[:1] in "PIACV" and "CC" in line[4:]:
        line = line[:4] + line[4:].replace("CC", "<<")
    line = FILLER_RUN.sub(
        lambda m: "<" * len(m.group(0)) if m.group(0).count("<") >= 2 else m.group(0), line)
    line = TRAILING_FILLERS.sub(lambda m: "<" * len(m.group(0)), line)
    if line[:1] == "P" and line[1:2] != "<" and line[1:4].isalpha() and line[4:5] != "<" \
            and len(line) < 44:  # "PUSAWARNER<<": the filler after P was dropped
        line = "P<" + line[1:]
    return line


MRZ_CHARS = re.compile(r"^[A-Z0-9<]+$")


def looks_like_mrz(text: str) -> bool:
    t = normalise(text)
    return len(t) >= 26 and bool(MRZ_CHARS.match(t)) and ("<" in t or sum(
        c.isdigit() for c in t) >= 12)


NAME_LINE = re.compile(r"^[PIACV][A-Z0-9<]{14,}$")


def looks_like_name_line(text: str) -> bool:
    """The first line of a passport zone when OCR dropped most of its fillers."""
    t = normalise(text)
    return bool(NAME_LINE.match(t)) and sum(c.isdigit() for c in t) <= 2


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool


@dataclass(frozen=True)
class Mrz:
    format: str
    lines: tuple[str, ...]
    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    number: str
    nationality: str
    birth_date: str
    sex: str
    expiry_date: str
    checks: tuple[Check, ...]
    #: fields whose characters were changed, each confirmed by its check digit
    repaired: tuple[str, ...] = field(default=())
    #: characters per line as read, before padding (a short line explains a failed check)
    read_lengths: tuple[int, ...] = field(default=())

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def kind(self) -> str:
        """``passport`` for P documents, ``id_card`` for the rest (I, A, C, V...)."""
        return "passport" if self.document_type.startswith("P") else "id_card"

    @property
    def holder(self) -> str:
        return f"{self.surname}, {self.given_names}".strip(", ")

    def to_data(self) -> dict[str, object]:
        return {
            "read_lengths": list(self.read_lengths),
            "format": self.format, "document_type": self.document_type,
            "issuing_state": self.issuing_state, "surname": self.surname,
            "given_names": self.given_names, "number": self.number,
            "nationality": self.nationality, "birth_date": self.birth_date, "sex": self.sex,
            "expiry_date": self.expiry_date, "verified": self.verified,
            "checks": {c.name: c.ok for c in self.checks}, "repaired": list(self.repaired),
        }


# --- repairs ----------------------------------------------------------------------------

def as_digits(s: str) -> str:
    return "".join(TO_DIGIT.get(c, c) for c in s)


def as_alpha(s: str) -> str:
    return "".join(TO_ALPHA.get(c, c) for c in s)


def _candidates(value: str) -> list[str]:
    """Alphanumeric field (a document number): the read value first, then every letter
    read as its look-alike digit, then one letter at a time. Few candidates on purpose:
    each extra one is another chance for a check digit to agree by accident (1 in 10)."""
    out = [value]
    letters = [i for i, c in enumerate(value) if c in TO_DIGIT]
    if letters:
        out.append(as_digits(value))
        if len(letters) > 1:
            for i in letters:
                out.append(value[:i] + TO_DIGIT[value[i]] + value[i + 1:])
    return list(dict.fromkeys(out))


def _fix_numeric(value: str, check: str) -> tuple[str, str, bool]:
    """A digits-only field and its check digit: map look-alikes, then verify."""
    v, c = as_digits(value), as_digits(check)
    ok = c.isdigit() and v.replace("<", "0").isdigit() and check_digit(v) == int(c)
    return v, c, ok


def _fix_alnum(value: str, check: str) -> tuple[str, str, bool]:
    c = as_digits(check)
    if not c.isdigit():
        return value, c, False
    for cand in _candidates(value):
        if check_digit(cand) == int(c):
            return cand, c, True
    return value, c, False


def _fit(line: str, width: int) -> str:
    """Pad a line whose trailing fillers were not read; cut one that is too long."""
    if len(line) < width:
        return line + "<" * (width - len(line))
    return line[:width]


def _names(field_text: str) -> tuple[str, str]:
    field_text = as_alpha(field_text).strip("<")
    surname, _, given = field_text.partition("<<")
    return (surname.replace("<", " ").strip(), given.replace("<", " ").strip())


# --- parsing ------------------------------------------------------------------------------

def parse(lines: Sequence[str]) -> Mrz | None:
    """Parse normalised zone lines (2 of 36/44 or 3 of 30). None when the shape is wrong."""
    lines = [normalise(x) for x in lines]
    if len(lines) == 3:
        lines = [lines[0], lines[1], repair_fillers(lines[2])]
    else:
        lines = [repair_fillers(lines[0]), lines[1]]
    if len(lines) == 3:
        parsed = _parse_td1(lines)
    elif len(lines) == 2:
        longest = max(len(x) for x in lines)
        parsed = _parse_td3(lines) if longest > 37 else _parse_td2(lines)
    else:
        return None
    return replace(parsed, read_lengths=tuple(len(x) for x in lines))


def _parse_td1(lines: Sequence[str]) -> Mrz:
    a, b, c = (_fit(x, FORMATS["TD1"][1]) for x in lines)
    repaired: list[str] = []
    number, n_chk, n_ok = _fix_alnum(a[5:14], a[14])
    birth, b_chk, b_ok = _fix_numeric(b[0:6], b[6])
    expiry, e_chk, e_ok = _fix_numeric(b[8:14], b[14])
    a = a[:5] + number + n_chk + a[15:]
    b = birth + b_chk + b[7] + expiry + e_chk + b[15:]
    composite = a[5:30] + b[0:7] + b[8:15] + b[18:29]
    comp_ok = as_digits(b[29]).isdigit() and check_digit(composite) == int(as_digits(b[29]))
    for name, old, new in (("number", lines[0][5:14], number), ("birth_date", lines[1][0:6], birth),
                           ("expiry_date", lines[1][8:14], expiry)):
        if old != new:
            repaired.append(name)
    surname, given = _names(c)
    return Mrz("TD1", (a, b, c), as_alpha(a[0:2]).rstrip("<"), as_alpha(a[2:5]), surname, given,
               number.rstrip("<"), as_alpha(b[15:18]), birth, b[7], expiry,
               (Check("number", n_ok), Check("birth_date", b_ok), Check("expiry_date", e_ok),
                Check("composite", comp_ok)), tuple(repaired))


def _parse_two_line(lines: Sequence[str], width: int, fmt: str) -> Mrz:
    a, b = (_fit(x, width) for x in lines)
    repaired: list[str] = []
    number, n_chk, n_ok = _fix_alnum(b[0:9], b[9])
    birth, b_chk, b_ok = _fix_numeric(b[13:19], b[19])
    expiry, e_chk, e_ok = _fix_numeric(b[21:27], b[27])
    b = number + n_chk + b[10:13] + birth + b_chk + b[20] + expiry + e_chk + b[28:]
    checks = [Check("number", n_ok), Check("birth_date", b_ok), Check("expiry_date", e_ok)]
    if fmt == "TD3":
        personal = b[28:42]
        p_chk = as_digits(b[42])
        # an empty personal number may carry '<' as its check digit
        p_ok = (p_chk == "<" and set(personal) <= {"<"}) or (
            p_chk.isdigit() and check_digit(personal) == int(p_chk))
        checks.append(Check("personal_number", p_ok))
        composite, comp_char = b[0:10] + b[13:20] + b[21:43], b[43]
    else:
        composite, comp_char = b[0:10] + b[13:20] + b[21:35], b[35]
    comp_char = as_digits(comp_char)
    checks.append(Check("composite", comp_char.isdigit()
                        and check_digit(composite) == int(comp_char)))
    for name, old, new in (("number", lines[1][0:9], number),
                           ("birth_date", lines[1][13:19], birth),
                           ("expiry_date", lines[1][21:27], expiry)):
        if old != new:
            repaired.append(name)
    surname, given = _names(a[5:])
    return Mrz(fmt, (a, b), as_alpha(a[0:2]).rstrip("<"), as_alpha(a[2:5]), surname, given,
               number.rstrip("<"), as_alpha(b[10:13]), birth, b[20], expiry, tuple(checks),
               tuple(repaired))


def _parse_td2(lines: Sequence[str]) -> Mrz:
    return _parse_two_line(lines, FORMATS["TD2"][1], "TD2")


def _parse_td3(lines: Sequence[str]) -> Mrz:
    return _parse_two_line(lines, FORMATS["TD3"][1], "TD3")


def group_zones(texts: Sequence[str]) -> list[list[int]]:
    """Indices of consecutive MRZ-looking lines, grouped into zones of 2 or 3 lines.
    ``texts`` must be in reading order. A zone may start with a short name line (OCR
    dropped its fillers) when the line after it is a full data line."""
    zones: list[list[int]] = []
    run: list[int] = []

    def close() -> None:
        if len(run) >= 2:
            zones.append(run[-3:] if len(run) >= 3 else list(run))

    for i, t in enumerate(texts):
        if looks_like_mrz(t):
            if not run and i > 0 and looks_like_name_line(texts[i - 1]):
                run.append(i - 1)
            run.append(i)
            continue
        close()
        run = []
    close()
    out: list[list[int]] = []
    for z in zones:
        lengths = [len(normalise(texts[i])) for i in z]
        if len(z) == 3 and max(lengths) > 33:  # three long lines: keep the last two
            z = z[1:]
        out.append(z)
    return out


def document_rect(zone: tuple[float, float, float, float], fmt: str
                  ) -> tuple[float, float, float, float]:
    """The document around its zone: ID-1 cards and passport pages are about 0.63-0.7
    times as high as wide, with the zone along the bottom edge."""
    zx1, _, zx2, zy2 = zone
    width = zx2 - zx1
    ratio = DOCUMENT_RATIO[fmt]
    side, below = DOCUMENT_MARGIN
    return (zx1 - side * width, zy2 - ratio * width, zx2 + side * width, zy2 + below * width)


#: a document's height per width of its zone, by format; its margin beyond the zone's
#: sides and below it, per width
DOCUMENT_RATIO = {"TD1": 0.66, "TD2": 0.72, "TD3": 0.72}
DOCUMENT_MARGIN = (0.04, 0.02)


def phone_rules() -> dict[str, object]:
    """The zone's alphabet and repairs as data, for the phone app's mrz.js (the field
    layout of each format is written there once more; both sides run one table of zones,
    ``phone/tests/text-cases.json``)."""
    return {"formats": FORMATS, "to_digit": TO_DIGIT, "to_alpha": TO_ALPHA,
            "lookalikes": LOOKALIKE_CHARS, "filler_lookalikes": list(FILLER_LOOKALIKES),
            "chars": MRZ_CHARS.pattern, "name_line": NAME_LINE.pattern,
            "filler_run": FILLER_RUN.pattern, "trailing_fillers": TRAILING_FILLERS.pattern,
            "document_ratio": DOCUMENT_RATIO, "document_margin": list(DOCUMENT_MARGIN)}
