"""Run a RapidOCR package at its defaults over images; one JSON line per image on stdout.

    python ocr_runner.py rapidocr_onnxruntime IMAGE...   (1.4.4, PP-OCRv4; own venv)
    python ocr_runner.py rapidocr IMAGE...               (3.x, PP-OCRv6 small)

Used by bench/ocr_choice.py to choose the OCR package by measurement.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path


def main() -> None:
    package = sys.argv[1]
    module = importlib.import_module(package)
    if package == "rapidocr":
        models = Path(module.__file__).parent / "models"
        engine = module.RapidOCR(params={
            "Global.log_level": "error",
            "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
            "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
            "Cls.model_path": str(models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
        })
    else:
        engine = module.RapidOCR()
    for path in sys.argv[2:]:
        t = time.perf_counter()
        result = engine(path)
        ms = (time.perf_counter() - t) * 1000
        lines = []
        if package == "rapidocr":
            if result.boxes is not None:
                for box, text in zip(result.boxes, result.txts, strict=False):
                    lines.append((_rect(box), text))
        else:
            for box, text, _ in result[0] or []:
                lines.append((_rect(box), text))
        print(json.dumps({"path": path, "ms": round(ms), "lines": lines}), flush=True)


def _rect(box: object) -> list[float]:
    pts = [(float(x), float(y)) for x, y in box]  # type: ignore[attr-defined]
    return [min(p[0] for p in pts), min(p[1] for p in pts),
            max(p[0] for p in pts), max(p[1] for p in pts)]


if __name__ == "__main__":
    main()
