"""The OCR lines of an evaluation image, read once and kept in ``bench/out/ocr-cache``
(outside git), so that the text rules can be measured again in seconds. The cache key is
the image's SHA-256 and the OCR model id: a new model or a changed file reads again."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from pixelsafe import imageio
from pixelsafe.models import OCR_ID
from pixelsafe.models.ocr import OcrEngine, read_upright
from pixelsafe.text.page import Line, Word

CACHE = Path(__file__).resolve().parent / "out" / "ocr-cache"
_ENGINE: OcrEngine | None = None
#: the version of read_upright's choice the cached readings were made by
UPRIGHT = "upright-2"


def _quad(q: Any) -> tuple[tuple[float, float], ...]:
    return tuple((float(x), float(y)) for x, y in q)


def _dump(lines: list[Line]) -> list[dict[str, Any]]:
    return [{"text": ln.text, "score": ln.score, "quad": ln.quad,
             "words": [[w.text, w.score, w.quad, w.start] for w in ln.words]} for ln in lines]


def _load(rows: list[dict[str, Any]]) -> list[Line]:
    return [Line(r["text"], r["score"], _quad(r["quad"]),  # type: ignore[arg-type]
                 tuple(Word(t, s, _quad(q), st) for t, s, q, st in r["words"]))  # type: ignore[arg-type]
            for r in rows]


def read_for(path: Path) -> tuple[imageio.LoadedImage, list[Line], float, int]:
    """The image, its OCR lines as the library reads them (a page on its side read
    upright), the milliseconds the OCR took (0 when cached) and the quarter turns the lines
    were read at (:func:`pixelsafe.models.ocr.read_upright`)."""
    global _ENGINE
    image = imageio.load(path)
    key = hashlib.sha256(path.read_bytes()).hexdigest()[:24] + "-" + OCR_ID + "-" + UPRIGHT
    cached = CACHE / f"{key}.json"
    if cached.exists():
        saved = json.loads(cached.read_text())
        return image, _load(saved["lines"]), 0.0, saved["turn"]
    if _ENGINE is None:
        _ENGINE = OcrEngine()
    t = time.perf_counter()
    lines, turn = read_upright(_ENGINE, image.rgb)
    ms = (time.perf_counter() - t) * 1000
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"lines": _dump(lines), "turn": turn}))
    tmp.replace(cached)
    return image, lines, ms, turn


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:]:
        for p in sorted(Path(arg).rglob("*")):
            if p.suffix.lower() in (".png", ".jpg", ".jpeg"):
                read_for(p)
                print(p, flush=True)
