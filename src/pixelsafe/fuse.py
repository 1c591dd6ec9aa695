"""From findings to a report: de-duplication, the 1-5 score, the risk level and an
explanation in which every claim names a finding. The rules are listed in the README."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .policy import (
    CONTEXT_RULES,
    IDENTITY_DOCUMENTS,
    PAYLOAD_NAMES,
    SCORE_RULES,
    ScoreRule,
    label_name,
    scored,
)
from .report import (
    CodeDetail,
    ContextDetail,
    DocumentDetail,
    FaceDetail,
    Finding,
    Kind,
    RiskLevel,
    Summary,
)

#: the order in which findings are listed: most sensitive first
KIND_ORDER = {k: i for i, k in enumerate((Kind.DOCUMENT, Kind.PERSONAL_TEXT, Kind.BARCODE,
                                          Kind.LICENSE_PLATE, Kind.FACE, Kind.LOCATION,
                                          Kind.CONTEXT, Kind.METADATA))}


@dataclass(frozen=True)
class Rule:
    """One scoring rule: its score, and the phrase that explains it."""

    score: int
    reason: str


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    def key(f: Finding) -> tuple[int, float, int, int]:
        box = f.box
        return (KIND_ORDER.get(f.kind, 99), -f.confidence,
                box.y1 if box else 0, box.x1 if box else 0)
    return sorted(findings, key=key)


def summarize(findings: Sequence[Finding], children: bool | None = None) -> Summary:
    kinds = {f.kind for f in findings}
    return Summary(
        faces=sum(1 for f in findings if f.kind is Kind.FACE),
        has_documents=Kind.DOCUMENT in kinds,
        has_personal_text=Kind.PERSONAL_TEXT in kinds,
        has_location_data=Kind.LOCATION in kinds,
        has_license_plates=Kind.LICENSE_PLATE in kinds,
        has_children=children,
    )


#: bump when a score or explanation rule changes: part of the pipeline id
RULES_VERSION = "score3"


def _matching(rule: ScoreRule, findings: Sequence[Finding]) -> list[Finding]:
    out = []
    for f in findings:
        if f.kind is not rule.kind or rule.labels and f.label not in rule.labels:
            continue
        if rule.scored_only and not scored(f.kind, f.label):
            continue
        data = f.all_data or {}
        if all(data.get(key) in allowed for key, allowed in rule.data.items()):
            out.append(f)
    return out


def rules(findings: Sequence[Finding]) -> list[Rule]:
    """Every row of the policy table's score rules that fires. The score is the highest."""
    fired: list[Rule] = []
    kinds = {f.kind for f in findings}
    for rule in SCORE_RULES:
        found = _matching(rule, findings)
        if len(found) < rule.count or len({f.label for f in found}) < rule.distinct:
            continue
        if rule.with_kind is not None and rule.with_kind not in kinds:
            continue
        fired.append(Rule(rule.score, rule.reason.format(n=len(found), label=found[0].label)))
    return fired


def _context_phrase(f: Finding) -> str | None:
    """How the explanation names what only the VLM saw (its score is a row of the policy
    table's score rules)."""
    detail = f.details(ContextDetail) or ContextDetail()
    if f.label in CONTEXT_RULES:
        phrase = CONTEXT_RULES[f.label][1]
        return f"{phrase} ({_short(f.text, 40)})" if f.text else phrase
    if f.label == "screen":
        return "a screen showing private data" if detail.private else "a screen"
    if f.label == "document":
        kind = detail.document_type or "other"
        if kind in IDENTITY_DOCUMENTS:
            return f"a {kind.replace('_', ' ')} that only the VLM saw"
        return "a document that only the VLM saw"
    return None


def score(findings: Sequence[Finding]) -> int:
    return max((r.score for r in rules(findings)), default=1)


def recommended_action(findings: Sequence[Finding], value: int) -> str:
    if value >= 4 and any(f.box is not None for f in findings):
        return "encrypt"
    if any(f.box is not None for f in findings):
        return "redact"
    if findings:
        return "strip_metadata"
    return "none"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def explain(findings: Sequence[Finding], errors: Sequence[str] = (),
            checked: Sequence[str] = ()) -> str:
    """A sentence built only from findings, the detectors that ran cleanly (``checked``)
    and the ones that failed (``errors``)."""
    parts: list[str] = []
    faces = [f for f in findings if f.kind is Kind.FACE]
    if faces:
        only = sum(1 for f in faces if f.details(FaceDetail) is not None)
        parts.append(_plural(len(faces), "face") +
                     (f" ({only} seen by the VLM only)" if only else ""))
    context = [phrase for f in findings if f.kind is Kind.CONTEXT
               and (phrase := _context_phrase(f))]
    parts.extend(f"{phrase} (VLM)" for phrase in dict.fromkeys(context))
    parts.extend(_explain_text(findings))
    for f in findings:
        if f.kind is Kind.LOCATION and f.text:
            parts.append(f"GPS position {f.text} in {'/'.join(f.data['sources']).upper()}"
                         if f.data and f.data.get("sources") else f"GPS position {f.text}")
    for f in findings:
        if f.kind is not Kind.METADATA:
            continue
        name = label_name(Kind.METADATA, f.label)
        if f.label == "thumbnail":
            parts.append(name)
        elif f.label == "trailing_data":
            parts.append(f"{name}: {f.text}")
        else:
            parts.append(f"{name} {_short(f.text)}")
    if parts:
        sentence = "; ".join(parts) + "."
    else:
        sentence = f"Nothing found (checked: {', '.join(checked)})." if checked else \
            "Nothing checked."
    if errors:
        sentence += " Not checked: " + "; ".join(errors) + "."
    return sentence[0].upper() + sentence[1:]


def _explain_text(findings: Sequence[Finding]) -> list[str]:
    parts: list[str] = []
    for f in findings:
        if f.kind is Kind.DOCUMENT and f.label in ("passport", "id_card"):
            document = f.details(DocumentDetail)
            # "not verified" read as "not sure": the MRZ was read, its check digits differ
            state = "MRZ verified" if document and document.verified else \
                "MRZ read, check digits do not match"
            name = label_name(f.kind, f.label)
            holder = document.holder if document else ""
            article = "an" if name[0] in "AEIOU" else "a"
            parts.append(f"{article} {name} ({state}) for {holder}" if holder else
                         f"{article} {name} ({state})")
        elif f.kind is Kind.DOCUMENT:
            parts.append(label_name(f.kind, f.label))
    # each value once (a name printed twice is one name), and not the names the document's
    # holder already gives ("a passport ... for HODGE, ROBERT", not also "2 names (HODGE,
    # ROBERT)")
    holders = {word for f in findings if (d := f.details(DocumentDetail)) is not None
               for word in f"{d.surname} {d.given_names}".casefold().replace(",", " ").split()}
    counts: dict[str, dict[str, str]] = {}
    for f in findings:
        if f.kind is not Kind.PERSONAL_TEXT or f.label == "mrz":
            continue
        text = f.text or ""
        if f.label == "person_name" and text and set(text.casefold().split()) <= holders:
            continue
        counts.setdefault(f.label, {}).setdefault(" ".join(text.casefold().split()),
                                                  _mask(f.label, text))
    for label, values in counts.items():
        name = label_name(Kind.PERSONAL_TEXT, label)
        texts = [t for t in values.values() if t]
        shown = ", ".join(texts[:3])
        parts.append(f"{_plural(len(values), name)} ({shown})" if shown else
                     _plural(len(values), name))
    for f in findings:
        if f.kind is Kind.LICENSE_PLATE:
            parts.append(f"licence plate {f.text}" if f.text else "a licence plate")
        elif f.kind is Kind.BARCODE:
            payload = code.payload_type if (code := f.details(CodeDetail)) else "text"
            what = PAYLOAD_NAMES.get(payload, payload)
            parts.append(f"a {f.label.replace('_', ' ')} with {what}")
    return parts


def _mask(label: str, text: str) -> str:
    """Card and account numbers are named by their last four characters only."""
    if label in ("payment_card", "iban"):
        digits = "".join(c for c in text if c.isalnum())
        return "…" + digits[-4:]
    return _short(text, 40)


def _short(text: str | None, limit: int = 60) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def risk(value: int) -> RiskLevel:
    return RiskLevel.for_score(value)
