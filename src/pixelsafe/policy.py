"""One policy table per kind: how each kind of finding is redacted and named.

Every layer reads this table: the detectors' contract (a finding's default redaction),
protect (what is redacted by default, what is always filled), fuse (the names in
explanations), the CLI (``--only``) and the web page (through ``GET /api/config``). Which
detectors re-check a kind is derived from the kinds each detector declares in the registry.
A rule written anywhere else is a copy that will drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .report import Kind, Redaction, RiskLevel


@dataclass(frozen=True)
class LabelPolicy:
    """What one label of a kind does differently from its kind (only what differs)."""

    #: its name in explanations and on the page ("phone number")
    name: str
    redaction: Redaction | None = None
    #: redacted when the user names no kinds, where this differs from its kind's rule
    redact_by_default: bool | None = None
    #: counts in the score's personal-text rule: a cited author is a name the page prints,
    #: redacted like any name, but a reference to published work is not what makes a page
    #: risky
    scored: bool = True


@dataclass(frozen=True)
class KindPolicy:
    kind: Kind
    #: the kind's name on the page, plural ("Faces")
    title: str
    #: what a finding of this kind gets unless the user chooses otherwise
    redaction: Redaction
    #: pixels of text or codes: a solid fill whatever style was asked for (pixelated or
    #: blurred text can be recovered: Depix; Hill et al., PETS 2016)
    always_fill: bool
    #: redacted when the user names no kinds
    redact_by_default: bool
    #: other names the CLI accepts for it (``--only text,plate``)
    aliases: tuple[str, ...] = ()
    labels: Mapping[str, LabelPolicy] = field(default_factory=dict)
    #: the name of one finding ("Face 3 of 16"); the title when it is not plural
    one: str = ""

    def redaction_for(self, label: str) -> Redaction:
        row = self.labels.get(label)
        return row.redaction if row is not None and row.redaction is not None else \
            self.redaction

    def redacts_by_default(self, label: str) -> bool:
        row = self.labels.get(label)
        return row.redact_by_default if row is not None and \
            row.redact_by_default is not None else self.redact_by_default

    def name_of(self, label: str) -> str:
        row = self.labels.get(label)
        return row.name if row is not None else label.replace("_", " ")


_TEXT_LABELS = {
    "email": LabelPolicy("email"), "phone": LabelPolicy("phone number"),
    "payment_card": LabelPolicy("payment card"), "iban": LabelPolicy("IBAN"),
    "national_id": LabelPolicy("ID number"), "passport_number": LabelPolicy("passport number"),
    "date_of_birth": LabelPolicy("date of birth"), "person_name": LabelPolicy("name"),
    "cited_author": LabelPolicy("cited author", scored=False),
    "address": LabelPolicy("address"), "mrz": LabelPolicy("MRZ line"),
    "booking_reference": LabelPolicy("booking reference"),
    "wifi_network": LabelPolicy("Wi-Fi network"),
}
_METADATA_LABELS = {
    "device_serial": LabelPolicy("serial number"), "owner_name": LabelPolicy("camera owner"),
    "artist": LabelPolicy("author"), "copyright": LabelPolicy("copyright holder"),
    "unique_id": LabelPolicy("unique image ID"), "comment": LabelPolicy("comment"),
    "device_model": LabelPolicy("camera"), "capture_time": LabelPolicy("taken"),
    "software": LabelPolicy("edited with"), "thumbnail": LabelPolicy("an embedded thumbnail"),
    "trailing_data": LabelPolicy("hidden data"),
}
#: identity documents are filled whole by default (portrait, every printed field, the MRZ):
#: a field missed by OCR (a date of birth, a place of birth) must not stay readable. Field by
#: field stays available (``RedactOptions.whole_documents``, ``--documents fields``, the
#: document's row unticked in the gallery).
_DOCUMENT_LABELS = {
    "passport": LabelPolicy("passport", redact_by_default=True),
    "id_card": LabelPolicy("ID card", redact_by_default=True),
    "driver_license": LabelPolicy("driving licence", redact_by_default=True),
    "payment_card": LabelPolicy("payment card", redact_by_default=True),
    "document_page": LabelPolicy("a document page"), "screen": LabelPolicy("a screen"),
}
#: the document labels filled whole by default: the identity documents
IDENTITY_DOCUMENTS = frozenset(k for k, v in _DOCUMENT_LABELS.items() if v.redact_by_default)

POLICIES: Mapping[Kind, KindPolicy] = {p.kind: p for p in (
    KindPolicy(Kind.FACE, "Faces", Redaction.BLUR, always_fill=False, redact_by_default=True,
               aliases=("faces",), one="Face"),
    KindPolicy(Kind.PERSONAL_TEXT, "Personal text", Redaction.FILL, always_fill=True,
               redact_by_default=True, aliases=("text",), labels=_TEXT_LABELS),
    KindPolicy(Kind.DOCUMENT, "Documents", Redaction.FILL, always_fill=False,
               redact_by_default=False, labels=_DOCUMENT_LABELS, one="Document"),
    KindPolicy(Kind.LICENSE_PLATE, "Plates", Redaction.FILL, always_fill=True,
               redact_by_default=True, aliases=("plate", "plates"), one="Plate"),
    KindPolicy(Kind.BARCODE, "Codes", Redaction.FILL, always_fill=True,
               redact_by_default=True, aliases=("barcodes", "code"), one="Code"),
    KindPolicy(Kind.LOCATION, "Location", Redaction.STRIP, always_fill=False,
               redact_by_default=False),
    KindPolicy(Kind.METADATA, "Metadata", Redaction.STRIP, always_fill=False,
               redact_by_default=False, labels=_METADATA_LABELS),
    # what the VLM sees; a child's whole figure is blurred like a face, anything else filled
    KindPolicy(Kind.CONTEXT, "Context (VLM)", Redaction.FILL, always_fill=False,
               redact_by_default=False, labels={"child": LabelPolicy("a child", Redaction.BLUR)}),
)}

#: metadata labels that identify a person or a device, as opposed to describing the shot
IDENTIFYING_METADATA = frozenset({"device_serial", "owner_name", "artist", "copyright",
                                  "unique_id", "comment", "trailing_data"})
#: what the VLM sees, by label: its score and its phrase
CONTEXT_RULES = {
    "child": (5, "a child"), "intimate_setting": (5, "an intimate setting"),
    "medical_setting": (4, "a medical setting"), "religious_setting": (4, "a religious setting"),
    "protest_setting": (4, "a protest"), "school_setting": (3, "a school"),
    "home_setting": (2, "the inside of a home"), "workplace_setting": (2, "a workplace"),
    "landmark": (3, "a recognisable landmark"), "location_cue": (3, "a sign that tells the place"),
}


@dataclass(frozen=True)
class ScoreRule:
    """One row of the score: it fires when the image has at least ``count`` findings of
    ``kind`` (of ``labels``, when given; whose data holds one of the values in ``data`` for
    each key; only labels that count in the score, with ``scored_only``) of at least
    ``distinct`` labels, and a finding of ``with_kind`` when given. The score is the highest
    rule that fires; ``reason`` says why (``{n}``: how many, ``{label}``: the first one's)."""

    score: int
    reason: str
    kind: Kind
    labels: frozenset[str] = frozenset()
    data: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    count: int = 1
    distinct: int = 1
    with_kind: Kind | None = None
    scored_only: bool = False

    def as_data(self) -> dict[str, Any]:
        """The row as the phone app reads it (``rules.json``)."""
        return {"score": self.score, "reason": self.reason, "kind": self.kind.value,
                "labels": sorted(self.labels), "data": {k: list(v) for k, v in self.data.items()},
                "count": self.count, "distinct": self.distinct,
                "with_kind": self.with_kind.value if self.with_kind else None,
                "scored_only": self.scored_only}


_IDS = frozenset({"passport", "id_card"})
#: every score rule. A photo with none of them scores 1
SCORE_RULES: tuple[ScoreRule, ...] = (
    # a crowd of identifiable people weighs as much as an exact position (a tree close-up
    # with GPS scored 4 while 40 faces scored 3 and stayed visible in Auto mode)
    ScoreRule(4, "faces of {n} people", Kind.FACE, count=6),
    ScoreRule(3, "faces of three or more people", Kind.FACE, count=3),
    ScoreRule(2, "an identifiable face", Kind.FACE),
    ScoreRule(4, "an exact GPS position", Kind.LOCATION),
    ScoreRule(5, "people together with the exact place", Kind.LOCATION, with_kind=Kind.FACE),
    ScoreRule(2, "metadata that identifies the owner or the device", Kind.METADATA,
              IDENTIFYING_METADATA),
    ScoreRule(5, "a verified identity document ({label})", Kind.DOCUMENT, _IDS,
              {"verified": (True,)}),
    # a portrait beside the holder's name, number and dates is critical whether or not the
    # check digits survived the photo
    ScoreRule(5, "an identity document ({label}) with its holder's face", Kind.DOCUMENT, _IDS,
              with_kind=Kind.FACE),
    ScoreRule(4, "an identity document ({label}) whose check digits do not match",
              Kind.DOCUMENT, _IDS),
    ScoreRule(2, "a document page", Kind.DOCUMENT, frozenset({"document_page"})),
    ScoreRule(2, "a screen with text", Kind.DOCUMENT, frozenset({"screen"})),
    ScoreRule(5, "a payment card number", Kind.PERSONAL_TEXT, frozenset({"payment_card"})),
    ScoreRule(5, "a bank account (IBAN)", Kind.PERSONAL_TEXT, frozenset({"iban"})),
    ScoreRule(5, "Wi-Fi credentials", Kind.BARCODE,
              data={"payload_type": ("wifi",), "critical": (True,)}),
    ScoreRule(5, "a boarding pass", Kind.BARCODE,
              data={"payload_type": ("boarding_pass",), "critical": (True,)}),
    ScoreRule(5, "payment details", Kind.BARCODE,
              data={"payload_type": ("payment",), "critical": (True,)}),
    ScoreRule(2, "a licence plate", Kind.LICENSE_PLATE),
    ScoreRule(2, "a barcode", Kind.BARCODE),
    ScoreRule(3, "several kinds of personal text", Kind.PERSONAL_TEXT, distinct=2,
              scored_only=True),
    ScoreRule(2, "personal text", Kind.PERSONAL_TEXT, scored_only=True),
    # what only the VLM saw
    *(ScoreRule(value, phrase, Kind.CONTEXT, frozenset({label}))
      for label, (value, phrase) in CONTEXT_RULES.items()),
    ScoreRule(3, "a screen showing private data", Kind.CONTEXT, frozenset({"screen"}),
              {"private": (True,)}),
    ScoreRule(2, "a screen", Kind.CONTEXT, frozenset({"screen"})),
    ScoreRule(4, "an identity document that only the VLM saw", Kind.CONTEXT,
              frozenset({"document"}), {"type": tuple(sorted(IDENTITY_DOCUMENTS))}),
    ScoreRule(2, "a document that only the VLM saw", Kind.CONTEXT, frozenset({"document"})),
)

#: kinds all of whose findings are redacted when the user names none (identity documents
#: are too: :func:`redacts_by_default`)
DEFAULT_KINDS = frozenset(k for k, p in POLICIES.items() if p.redact_by_default)
#: kinds whose pixels always get a solid fill
FILL_ONLY = frozenset(k for k, p in POLICIES.items() if p.always_fill)
#: the styles a user can ask for (for faces: text and codes are always filled); ``auto`` is
#: each finding's own default redaction
STYLE_TITLES = {"auto": "Auto (blur faces, fill text)", "blur": "Blur", "pixelate": "Pixelate",
                "fill": "Fill"}
STYLES = tuple(STYLE_TITLES)
#: a passphrase shorter than this protects nothing (scrypt slows guessing, it cannot stop it)
MIN_PASSPHRASE = 8
#: shorter than this, or of one kind of character only, a passphrase gets a warning
STRONG_PASSPHRASE = 14


def passphrase_problem(passphrase: str) -> str | None:
    """Why a new passphrase is refused (the same rule in every surface), or None."""
    if len(passphrase) < MIN_PASSPHRASE:
        return f"the passphrase must have at least {MIN_PASSPHRASE} characters"
    return None


def passphrase_warning(passphrase: str) -> str | None:
    """A warning for a passphrase that is allowed but easy to guess, or None."""
    classes = sum(any(test(c) for c in passphrase) for test in (
        str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum()))
    if len(set(passphrase)) <= 3:
        return "this passphrase repeats a few characters: it is easy to guess"
    if len(passphrase) < STRONG_PASSPHRASE and classes < 3:
        return (f"this passphrase is weak: use {STRONG_PASSPHRASE} or more characters, or "
                "a few unrelated words")
    return None
#: the most boxes a user may add by hand to one redaction, and how many times over their
#: areas may cover the image (each is filled, and with --encrypt each is stored encrypted:
#: 200 full-image boxes made a 42 MB file)
MAX_MANUAL_BOXES = 200
MAX_BOX_COVER = 2.0
#: the metadata a user may keep when the rest is dropped (``strip`` and ``redact``)
KEEPABLE_TAGS = ("Orientation", "ICC", "Copyright")
#: the most photos one export of several (a ZIP) takes: each is redacted and checked in turn
MAX_EXPORT_IDS = 50
#: the risk levels counted as "high risk", and hidden by the gallery's "auto" mode
HIGH_RISK = frozenset({RiskLevel.HIGH, RiskLevel.CRITICAL})
#: what the gallery's "hide sensitive" mode hides: everything that scored 2 or more
SENSITIVE = frozenset({RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL})
RISK_TITLES = {RiskLevel.LOW: "Low risk", RiskLevel.MEDIUM: "Medium risk",
               RiskLevel.HIGH: "High risk", RiskLevel.CRITICAL: "Critical"}
#: the report's recommended action, in words (``fuse.recommended_action`` gives the code)
ACTION_TITLES = {
    "encrypt": "Redact before sharing (a reversible copy keeps the originals encrypted)",
    "redact": "Redact before sharing",
    "strip_metadata": "Remove the metadata before sharing",
    "none": "Nothing found to hide",
}


#: how the explanation names what a code carries
PAYLOAD_NAMES = {"wifi": "Wi-Fi credentials", "boarding_pass": "a boarding pass",
                 "contact": "a contact card", "payment": "a payment request",
                 "email_link": "an email address", "phone_link": "a phone number",
                 "sms_link": "a phone number", "url": "a link", "text": "text"}


def score_table() -> dict[str, Any]:
    """The score rules, the labels that do not count in them, the risk levels and the names
    the explanation gives each label and each code's payload, as the phone app reads them
    (``rules.json``)."""
    levels = []
    for level in RiskLevel:
        top = max(v for v in range(1, 6) if RiskLevel.for_score(v) is level)
        levels.append({"level": level.value, "title": RISK_TITLES[level], "up_to": top})
    return {"rules": [r.as_data() for r in SCORE_RULES],
            "unscored": {p.kind.value: sorted(k for k, v in p.labels.items() if not v.scored)
                         for p in POLICIES.values()},
            "levels": levels,
            "names": {p.kind.value: {k: v.name for k, v in p.labels.items()}
                      for p in POLICIES.values()},
            "payload_names": PAYLOAD_NAMES}


def action_title(code: str) -> str:
    return ACTION_TITLES.get(code, code)


def default_redaction(kind: Kind, label: str) -> Redaction:
    return POLICIES[kind].redaction_for(label)


def redacts_by_default(kind: Kind, label: str) -> bool:
    """A finding of this kind and label is redacted when the user names no kinds."""
    return POLICIES[kind].redacts_by_default(label)


def scored(kind: Kind, label: str) -> bool:
    """A finding of this label counts in its kind's score rule."""
    row = POLICIES[kind].labels.get(label)
    return row is None or row.scored


def label_name(kind: Kind, label: str) -> str:
    return POLICIES[kind].name_of(label)


def kind_named(name: str) -> Kind | None:
    """A kind by its value or one of its aliases (``text``, ``plate``)."""
    for kind, p in POLICIES.items():
        if name == kind.value or name in p.aliases:
            return kind
    return None


def style_for(kind: Kind, default: Redaction, requested: str, label: str = "") -> Redaction:
    """The style a region of this kind gets when the user asked for ``requested`` (a style
    or ``auto``). An identity document is printed text: always filled, like text."""
    if POLICIES[kind].always_fill or (kind is Kind.DOCUMENT and label in IDENTITY_DOCUMENTS):
        return Redaction.FILL
    if requested == "auto":
        return default if default in (Redaction.BLUR, Redaction.PIXELATE,
                                      Redaction.FILL) else Redaction.FILL
    return Redaction(requested)


def as_config() -> dict[str, Any]:
    """The table as the web page reads it (``GET /api/config``)."""
    return {
        "kinds": [{"kind": p.kind.value, "title": p.title, "one": p.one or p.title,
                   "redaction": p.redaction.value,
                   "always_fill": p.always_fill, "redact_by_default": p.redact_by_default,
                   "redacted_labels": sorted(label for label in p.labels
                                             if p.redacts_by_default(label)),
                   "labels": {k: v.name for k, v in p.labels.items()}}
                  for p in POLICIES.values()],
        "styles": [{"style": s, "title": t} for s, t in STYLE_TITLES.items()],
        "risk_levels": [{"level": level.value, "title": RISK_TITLES[level]}
                        for level in RiskLevel],
        "hidden": {"auto": sorted(level.value for level in HIGH_RISK),
                   "hide": sorted(level.value for level in SENSITIVE)},
        "min_passphrase": MIN_PASSPHRASE,
        "max_export": MAX_EXPORT_IDS,
        "actions": ACTION_TITLES,
    }
