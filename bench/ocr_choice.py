"""Which OCR package: rapidocr 3.10 (PP-OCRv6 small) or rapidocr-onnxruntime 1.4.4
(PP-OCRv4), each at its defaults, and PixelSafe's configuration of 3.10, on the receipts
(line CER) and the scanned pages of documents-seed (time; personal text found).

    .venv/bin/python bench/ocr_choice.py

rapidocr-onnxruntime runs in its own venv (.bench-venvs/rapidocr-v4), created on first use.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import text_eval as te  # noqa: E402

HERE = Path(__file__).resolve().parent
V4 = HERE.parent / ".bench-venvs" / "rapidocr-v4"


def run(python: Path, package: str, paths: list[Path]) -> dict[str, dict]:
    out = subprocess.run([str(python), str(HERE / "ocr_runner.py"), package,
                          *map(str, paths)], capture_output=True, text=True, check=True)
    return {json.loads(x)["path"]: json.loads(x) for x in out.stdout.splitlines()}


def ours(paths: list[Path]) -> dict[str, dict]:
    import time

    from pixelsafe import imageio
    from pixelsafe.models.cache import shared
    from pixelsafe.models.ocr import OcrEngine

    engine = shared().get(OcrEngine)
    engine.engine()
    out = {}
    for p in paths:
        image = imageio.load(p)
        t = time.perf_counter()
        lines = engine.read(image.rgb)
        ms = (time.perf_counter() - t) * 1000
        out[str(p)] = {"ms": ms, "lines": [(list(ln.rect), ln.text) for ln in lines]}
    return out


def main() -> None:
    if not (V4 / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(V4)], check=True)
        subprocess.run([str(V4 / "bin" / "python"), "-m", "pip", "install", "-q",
                        "rapidocr-onnxruntime==1.4.4"], check=True)
    receipts = list(te.receipts())
    paths = [r.image for r in receipts]
    pages = sorted((te.EVAL / "documents-seed").rglob("*.png"))
    engines = {
        "rapidocr-onnxruntime 1.4.4 (PP-OCRv4), defaults":
            lambda ps: run(V4 / "bin" / "python", "rapidocr_onnxruntime", ps),
        "rapidocr 3.10 (PP-OCRv6 small), defaults":
            lambda ps: run(Path(sys.executable), "rapidocr", ps),
        "rapidocr 3.10 as PixelSafe configures it": ours,
    }
    print("| engine | receipts CER | ms/receipt (median) | ms/page documents-seed (median) |")
    print("|---|---|---|---|")
    for name, fn in engines.items():
        res = fn(paths)
        edits = chars = 0
        for r in receipts:
            got = res[str(r.image)]
            e, c = te.line_cer(r.lines, [(tuple(b), t) for b, t in got["lines"]])
            edits += e
            chars += c
        page_ms = [x["ms"] for x in fn(pages).values()]
        print(f"| {name} | {edits / chars:.4f} | "
              f"{statistics.median(x['ms'] for x in res.values()):.0f} | "
              f"{statistics.median(page_ms):.0f} |", flush=True)


if __name__ == "__main__":
    main()
