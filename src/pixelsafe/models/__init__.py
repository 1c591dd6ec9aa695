"""The models: their files (pins, set-up, verification) and the networks that run them.

``pixelsafe.models`` itself is light: it names the files and their pins
(:mod:`.files`) and imports no numpy, so the web app's render worker and the registry
can read it. The networks each live in their own module, on one lifecycle
(:class:`.base.InferenceModel`: loaded under a lock on first use, run, unloaded), and the
process holds one of each in one cache (:func:`.cache.shared`):

* :mod:`.centerface`: the face network (CenterFace, ONNX);
* :mod:`.ocr`: the text detector and recogniser (RapidOCR's PP-OCRv6 small, ONNX);
* :mod:`.ner`: the name model (spaCy's small English entity recogniser).

Nothing here imports :mod:`pixelsafe.detectors`: detectors use models, never the reverse.
"""

from __future__ import annotations

from .files import (
    CENTERFACE,
    FETCH_HINT,
    MODELS,
    NAME_LISTS,
    NER_DIR,
    NER_FILES,
    NER_PACKAGE,
    OCR_ID,
    OCR_MODELS,
    USADDRESS_MODEL,
    ModelSpec,
    check_all,
    fetch,
    main,
    model_dir,
    model_path,
    name_list_paths,
    ner_model_path,
    ocr_model_paths,
    usaddress_model_path,
)

__all__ = [
    "CENTERFACE", "FETCH_HINT", "MODELS", "NAME_LISTS", "NER_DIR", "NER_FILES", "NER_PACKAGE",
    "OCR_ID", "OCR_MODELS", "USADDRESS_MODEL", "ModelSpec", "check_all", "fetch", "main",
    "model_dir", "model_path", "name_list_paths", "ner_model_path", "ocr_model_paths",
    "usaddress_model_path",
]
