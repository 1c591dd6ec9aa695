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


def style_for(kind: Kind, default: Redaction, requested: str, label: str = "") -> str:
    """The style a region of this kind gets when the user asked for ``requested``. An
    identity document is printed text: always filled, like text."""
    if POLICIES[kind].always_fill or (kind is Kind.DOCUMENT and label in IDENTITY_DOCUMENTS):
        return "fill"
    if requested == "auto":
        return default.value if default in (Redaction.BLUR, Redaction.PIXELATE,
                                            Redaction.FILL) else "fill"
    return requested


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
