"""Barcodes and QR codes in photos: what the barcode detector reads, and how fast, in
its shipped configuration and the one before, side by side in one run.

    .venv/bin/python bench/codes.py [--scenes 48] [--out bench/codes-results.md]

No set in ../shared/eval holds codes, so the scenes are made here, from a fixed seed: real
photos (the metadata sets' camera JPEGs scaled to 12 MP, as speedcheck does) and real
receipts and pages, each with one to three codes pasted in. The codes are written by
zxing-cpp (QR, Data Matrix, Aztec, PDF417, Code 128, EAN-13, Code 39), at 1.2 to 8 px per
module, turned by any angle (half of them near 0, 90, 180 or 270 degrees), softened,
dimmed and saved as JPEG at quality 88. A code counts as read when its text comes back;
a read whose text was not pasted is a false read. Times are medians, reading only.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image

from pixelsafe.detectors import barcodes

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
CACHE = ROOT / "bench" / "out" / "codes"
F = zxingcpp.BarcodeFormat
FORMATS = {
    "QRCode": (F.QRCode, "https://example.org/p/{n}?ref=lab{n}"),
    "DataMatrix": (F.DataMatrix, "LOT{n:06d}-EXP2027-11"),
    "Aztec": (F.Aztec, "M1DOE/JANE EABC{n:03d} FRAFCO LH 1234"),
    "PDF417": (F.PDF417, "ANSI 636014|DAQ D{n:07d}|DCS DOE|DAC JANE|DBB 19820314"),
    "Code128": (F.Code128, "PARCEL-{n:06d}"),
    "EAN13": (F.EAN13, None),
    "Code39": (F.Code39, "ID{n:05d}"),
}


def ean13(n: int) -> str:
    digits = f"400{n:09d}"[:12]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def backgrounds() -> list[tuple[str, Image.Image]]:
    out: list[tuple[str, Image.Image]] = []
    photos = sorted((EVAL / "metadata-extractor").rglob("*.jpg"), key=lambda p: -p.stat().st_size)
    for src in photos[:4]:
        with Image.open(src) as im:
            out.append((src.name, im.convert("RGB").resize((4000, 3000),
                                                           Image.Resampling.BICUBIC)))
    for pattern, folder in (("*.jpg", "receipts-sroie"), ("*.png", "documents-seed")):
        files = sorted((EVAL / folder).rglob(pattern))
        for src in files[:: max(1, len(files) // 4)][:4]:
            with Image.open(src) as im:
                out.append((src.name, im.convert("RGB")))
    return out


def code_image(fmt: str, n: int) -> tuple[np.ndarray, str]:
    symbology, template = FORMATS[fmt]
    text = ean13(n) if template is None else template.format(n=n)
    art = np.array(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, symbology),
                                                   scale=1, add_quiet_zones=True))
    return art, text


def paste(page: np.ndarray, art: np.ndarray, rng: np.random.Generator) -> bool:
    """Draw ``art`` (0/255, one pixel per module) onto ``page`` scaled, turned, softened."""
    linear = art.shape[0] < 4 or art.shape[0] * 4 < art.shape[1] and len(np.unique(art[0])) > 1
    if art.shape[0] < 4:  # a linear code's one row: give it bars' height
        art = np.repeat(art, max(8, art.shape[1] // 4), axis=0)
    module = float(np.exp(rng.uniform(np.log(1.2), np.log(8.0))))
    if linear:
        module = max(module, 1.5)
    h, w = art.shape[:2]
    scaled = cv2.resize(art, (max(1, round(w * module)), max(1, round(h * module))),
                        interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        angle = float(rng.choice([0, 90, 180, 270]) + rng.uniform(-5, 5))
    else:
        angle = float(rng.uniform(0, 360))
    sh, sw = scaled.shape[:2]
    matrix = cv2.getRotationMatrix2D((sw / 2, sh / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    bw, bh = int(sh * sin + sw * cos) + 2, int(sh * cos + sw * sin) + 2
    matrix[0, 2] += bw / 2 - sw / 2
    matrix[1, 2] += bh / 2 - sh / 2
    ink = cv2.warpAffine(255 - scaled, matrix, (bw, bh), flags=cv2.INTER_LINEAR)
    H, W = page.shape[:2]
    if bw >= W or bh >= H:
        return False
    x, y = int(rng.integers(0, W - bw)), int(rng.integers(0, H - bh))
    region = page[y:y + bh, x:x + bw].astype(np.float32)
    paper = np.full_like(region, float(rng.uniform(200, 250)))
    mask = cv2.warpAffine(np.full((sh, sw), 255, np.uint8), matrix, (bw, bh)) / 255.0
    dark = float(rng.uniform(10, 70))
    drawn = paper - (ink[..., None] / 255.0) * (paper - dark)
    region = region * (1 - mask[..., None]) + drawn * mask[..., None]
    sigma = float(rng.uniform(0, 0.35 * module))
    if sigma > 0.2:
        region = cv2.GaussianBlur(region, (0, 0), sigma)
    page[y:y + bh, x:x + bw] = np.clip(region, 0, 255).astype(np.uint8)
    return True


Scene = tuple[Path, dict[str, str]]  # the file, and each pasted code's text and format


def scenes(count: int) -> list[Scene]:
    """The scenes, made once into bench/out/codes; each with its codes' texts."""
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(26)
    bgs = backgrounds()
    out = []
    n = 0
    for i in range(count):
        name, bg = bgs[i % len(bgs)]
        page = np.array(bg)
        texts: dict[str, str] = {}
        for _ in range(int(rng.integers(1, 4))):
            fmt = str(rng.choice(list(FORMATS)))
            n += 1
            art, text = code_image(fmt, n)
            if paste(page, art, rng):
                texts[text] = fmt
        path = CACHE / f"scene-{i:03d}.jpg"
        buf = io.BytesIO()
        Image.fromarray(page).save(buf, "JPEG", quality=88)
        path.write_bytes(buf.getvalue())
        out.append((path, texts))
    return out


def run(config: barcodes.CodeConfig, items: list[Scene]) -> dict[str, object]:
    read: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false = 0
    times: dict[str, list[float]] = {"photo": [], "page": []}
    for path, texts in items:
        with Image.open(path) as im:
            rgb = im.convert("RGB")
        t0 = time.perf_counter()
        found = {c.text for c, _ in barcodes.read_codes(rgb, config)}
        times["photo" if rgb.width * rgb.height > 4e6 else "page"].append(
            time.perf_counter() - t0)
        false += len(found - set(texts))
        for text, fmt in texts.items():
            total[fmt] += 1
            read[fmt] += text in found
    return {"read": read, "total": total, "false": false,
            "photo": statistics.median(times["photo"]) * 1000,
            "page": statistics.median(times["page"]) * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenes", type=int, default=48)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    items = scenes(a.scenes)
    shipped = barcodes.CodeConfig()
    configs = [("whole image, then turned a quarter (shipped)", shipped),
               ("zxing's own rotations (before)",
                dataclasses.replace(shipped, quarter_turn=False))]
    results = [(label, run(cfg, items)) for label, cfg in configs]
    lines = [f"# Codes in photos: {len(items)} scenes, {sum(len(t) for _, t in items)} codes "
             "(bench/codes.py, one run)", "",
             "| reader | " + " | ".join(FORMATS) + " | all | false reads | ms per 12 MP photo "
             "| ms per receipt or page |",
             "|---|" + "---|" * (len(FORMATS) + 4)]
    for label, r in results:
        read, total = r["read"], r["total"]
        assert isinstance(read, Counter) and isinstance(total, Counter)
        cells = [f"{read[f]}/{total[f]}" for f in FORMATS]
        lines.append(f"| {label} | " + " | ".join(cells) +
                     f" | {sum(read.values())}/{sum(total.values())} | {r['false']} | "
                     f"{r['photo']:.0f} | {r['page']:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        a.out.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
