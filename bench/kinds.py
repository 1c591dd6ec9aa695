"""Recall and precision by kind of personal text, on sets with ground truth that the rules
were not written from:

- ``documents-seed``: scanned emails and résumés, annotated by hand in
  ``bench/annotations/documents-seed.json`` (names, emails, phones, addresses, dates of
  birth, IDs);
- ``receipts-sroie``: the business address of each receipt, from the set's own key
  fields (``key/*.json``) and its line boxes (``box/*.csv``); and the people it names
  (cashiers, members), annotated by hand in ``bench/annotations/receipts-sroie.json``
  (their first count, 0.62 recall at 0.53 precision, led to three rules: that set is no
  longer unseen for names);
- ``world``: the pages of ``bench/gen_world.py`` (letters, parcel labels, chats, CVs and ID
  cards of 21 countries, another generator than ``bench/pii_set.py``, whose table is in
  ``bench/text.py --presidio``);
- ``shops``: the receipts of ``bench/gen_receipts.py`` (till receipts of 14 countries,
  photographed on a table; a second receipts set, from another source than SROIE): each
  business address and phone, the receipts whose address is found whole, and the 1D
  barcode printed at each one's foot. Its first run found 0.84 of the address lines at
  0.42 precision and 39 false names; the rules it led to (a receipt's item is no street, a
  postcode's town and numbered street above it, shops' kinds and till words are no names)
  make it no longer an unseen set;
- ``dates``: the pages of ``bench/gen_dates.py`` (typed forms, forms in cells, letters and
  passport data pages, some on their side, in 6 languages: dates of birth, the names and
  passport numbers beside them, decoy dates). Its first run found 0.72 of the dates of
  birth; the rules it then led to (turned pages, a form's row label, three label forms, a
  zero for an O in a month the MRZ confirms) make its figure no longer an unseen set's.

A truth item is found when finding boxes of its kind cover at least ``COVER`` of it (the
share of a grid of points over its characters); a finding is a true positive when it
overlaps a truth item of its kind (or text marked "ignore"), a false alarm otherwise.

    .venv/bin/python bench/kinds.py [--sets documents,receipts] [-v] [--compare]

``--compare`` also runs the alternatives each choice was measured against, in the same
run: the rules without the name model and the address grammars, the model
reading each OCR line alone instead of rebuilt blocks, and the address grammars without
``usaddress``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import text_eval as te  # noqa: E402
from ocr_cache import read_for  # noqa: E402

from pixelsafe.detectors.text import analyse_lines  # noqa: E402
from pixelsafe.report import Finding, Kind  # noqa: E402
from pixelsafe.text.page import Line, turned_back  # noqa: E402

HERE = Path(__file__).resolve().parent
EVAL = te.EVAL
Rect = tuple[float, float, float, float]

#: the kind of each personal-text label (a cited author is a name the page prints)
KIND_OF = {"person_name": "name", "cited_author": "name", "email": "email", "phone": "phone",
           "address": "address",
           "date_of_birth": "date_of_birth", "passport_number": "id", "national_id": "id",
           "payment_card": "card", "iban": "iban"}
COVER = 0.8


@dataclass
class Tally:
    truth: int = 0
    found: int = 0
    reported: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    def recall(self) -> float | None:
        return self.found / self.truth if self.truth else None

    def precision(self) -> float | None:
        return self.correct / self.reported if self.reported else None


def covered(rect: Rect, boxes: list[Rect]) -> float:
    x1, y1, x2, y2 = rect
    pts = [(x1 + (x2 - x1) * (i + 0.5) / 12, y1 + (y2 - y1) * (j + 0.5) / 3)
           for i in range(12) for j in range(3)]
    inside = sum(any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes) for x, y in pts)
    return inside / len(pts)


def overlaps(a: Rect, b: Rect) -> bool:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w > 0 and h > 0 and w * h >= 0.2 * min((a[2] - a[0]) * (a[3] - a[1]),
                                                  (b[2] - b[0]) * (b[3] - b[1]))


def box(f: Finding) -> Rect:
    assert f.box is not None
    return (f.box.x1, f.box.y1, f.box.x2, f.box.y2)


def occurrences(lines: list[Line], items: list[list[str]]) -> list[tuple[str, Rect, str]]:
    """Every place an annotated text is printed: (kind, pixels, text); an occurrence
    inside a longer item's occurrence on the same line is that item's."""
    spans: list[tuple[int, int, int, str, str]] = []
    for kind, text in items:
        pattern = re.compile(r"(?<![A-Za-z0-9])" + re.escape(text) + r"(?![A-Za-z0-9])")
        for i, ln in enumerate(lines):
            for m in pattern.finditer(ln.text):
                spans.append((i, m.start(), m.end(), kind, text))
    kept = [s for s in spans
            if not any(o is not s and o[0] == s[0] and o[1] <= s[1] and s[2] <= o[2]
                       and o[2] - o[1] > s[2] - s[1] for o in spans)]
    return [(kind, lines[i].span_box(s, e), text) for i, s, e, kind, text in kept]


def tally(truth: list[tuple[str, Rect, str]], findings: list[Finding],
          tallies: dict[str, Tally], where: str, only: str | None = None) -> None:
    reported: dict[str, list[tuple[Rect, str]]] = defaultdict(list)
    for f in findings:
        if f.kind is Kind.PERSONAL_TEXT and f.label in KIND_OF and only in (None, KIND_OF[f.label]):
            reported[KIND_OF[f.label]].append((box(f), f"{f.text} [{f.source}]"))
    ignore = [r for k, r, _ in truth if k == "ignore"]
    for kind, rect, text in truth:
        if kind == "ignore":
            continue
        t = tallies[kind]
        t.truth += 1
        if covered(rect, [b for b, _ in reported[kind]]) >= COVER:
            t.found += 1
        else:
            t.misses.append(f"{where}: {text!r}")
    for kind, found in reported.items():
        t = tallies[kind]
        mine = [r for k, r, _ in truth if k == kind] + ignore
        for b, text in found:
            t.reported += 1
            if any(overlaps(b, r) for r in mine):
                t.correct += 1
            else:
                t.alarms.append(f"{where}: {text!r}")


def run_documents(tallies: dict[str, Tally], times: list[float]) -> int:
    notes = json.loads((HERE / "annotations" / "documents-seed.json").read_text())
    for name, items in notes["pages"].items():
        image, lines, _, turn = read_for(EVAL / "documents-seed" / name)
        t = time.perf_counter()
        found = analyse_lines(lines, image.width, image.height, image.format, turn)
        times.append((time.perf_counter() - t) * 1000)
        truth = [(kind, turned_back(rect, turn, image.width, image.height), text)
                 for kind, rect, text in occurrences(lines, items)]
        tally(truth, found, tallies, name)
    return len(notes["pages"])


def _norm(s: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", s.upper())


def run_receipts(tallies: dict[str, Tally], times: list[float]) -> int:
    """The business address of each receipt: the set's line boxes whose text is part of
    the address in its key file; and the people each names (its cashier, its member), from
    the hand annotations in ``bench/annotations/receipts-sroie.json``."""
    n = 0
    whole = Tally()
    people = json.loads((HERE / "annotations" / "receipts-sroie.json").read_text())["pages"]
    for r in te.receipts():
        key = json.loads((r.image.parent.parent / "key" / f"{r.image.stem}.json").read_text())
        address = _norm(key.get("address", ""))
        truth = [("address", rect, text) for rect, text in r.lines
                 if len(_norm(text)) >= 4 and _norm(text) in address]
        image, lines, _, turn = read_for(r.image)
        t = time.perf_counter()
        found = analyse_lines(lines, image.width, image.height, image.format, turn)
        times.append((time.perf_counter() - t) * 1000)
        before = tallies["address"].found
        # only addresses are annotated: a receipt's phone is its business's, not an error
        tally(truth, found, tallies, r.image.name, only="address")
        names = [(kind, turned_back(rect, turn, image.width, image.height), text)
                 for kind, rect, text in occurrences(lines, people.get(r.image.name, []))]
        tally(names, found, tallies, r.image.name, only="name")
        whole.truth += 1
        whole.found += tallies["address"].found - before == len(truth)
        n += 1
    tallies["address (whole receipt)"] = whole
    return n


def show(name: str, count: int, tallies: dict[str, Tally], times: list[float],
         verbose: bool) -> None:
    print(f"\n### {name}: {count} images, text rules median "
          f"{statistics.median(times):.1f} ms/page (OCR not included)\n")
    print("| kind | truth | recall | reported | precision |\n|---|---|---|---|---|")
    for kind, t in sorted(tallies.items()):
        r, p = t.recall(), t.precision()
        print(f"| {kind} | {t.truth} | {'-' if r is None else f'{r:.2f}'} | {t.reported} | "
              f"{'-' if p is None else f'{p:.2f}'} |")
    if verbose:
        for kind, t in sorted(tallies.items()):
            for m in t.misses:
                print(f"  miss {kind} {m}")
            for a in t.alarms:
                print(f"  alarm {kind} {a}")


def run_world(tallies: dict[str, Tally], times: list[float]) -> int:
    import gen_world

    return run_generated(gen_world.build(HERE / "out" / "world"), HERE / "out" / "world",
                         tallies, times)


def run_dates(tallies: dict[str, Tally], times: list[float]) -> int:
    import gen_dates

    return run_generated(gen_dates.build(HERE / "out" / "dates"), HERE / "out" / "dates",
                         tallies, times)


def run_life(tallies: dict[str, Tally], times: list[float]) -> int:
    import gen_life

    return run_generated(gen_life.build(HERE / "out" / "life"), HERE / "out" / "life",
                         tallies, times)


def run_shops(tallies: dict[str, Tally], times: list[float]) -> int:
    """The receipts of ``bench/gen_receipts.py``: addresses and phones by line, the
    receipts whose address is found whole, and the barcode at each one's foot read by the
    barcode detector's reader."""
    import gen_receipts
    from PIL import Image

    from pixelsafe.detectors.barcodes import read_codes

    out = HERE / "out" / "shops"
    items = gen_receipts.build(out)
    count = run_generated(items, out, tallies, times)
    whole, codes = Tally(), Tally()
    missed = {m.split(":")[0] for m in tallies["address"].misses}
    for name, text in json.loads((out / "codes.json").read_text()).items():
        whole.truth += 1
        whole.found += name not in missed
        with Image.open(out / name) as im:
            read = {c.text for c, _ in read_codes(im.convert("RGB"))}
        codes.truth += 1
        codes.found += text in read
        codes.reported += len(read)
        codes.correct += text in read
        if text not in read:
            codes.misses.append(f"{name}: {text!r}")
    tallies["address (whole receipt)"] = whole
    tallies["barcode at the foot (read)"] = codes
    return count


def run_generated(items: list[Any], out: Path, tallies: dict[str, Tally],
                  times: list[float]) -> int:
    """A generated set's pages read and tallied against the items it wrote."""
    pages = sorted({i.image for i in items} | {p.name for p in out.glob("*.png")})
    for name in pages:
        image, lines, _, turn = read_for(out / name)
        t = time.perf_counter()
        found = analyse_lines(lines, image.width, image.height, image.format, turn)
        times.append((time.perf_counter() - t) * 1000)
        truth = [(i.kind, tuple(float(v) for v in i.box), i.text) for i in items
                 if i.image == name]
        tally(truth, found, tallies, name)  # type: ignore[arg-type]
    return len(pages)


RUNNERS = {"documents": ("documents-seed (hand annotations)", run_documents),
           "receipts": ("receipts-sroie (business addresses from the key)", run_receipts),
           "world": ("generated pages of 21 countries (bench/gen_world.py)", run_world),
           "shops": ("generated till receipts of 14 countries, photographed "
                     "(bench/gen_receipts.py)", run_shops),
           "dates": ("generated forms, letters and passport pages in 6 languages "
                     "(bench/gen_dates.py)", run_dates),
           "life": ("generated everyday papers of 10 countries: clinic letters, bookings, "
                    "school forms, e-mails, contact cards, invoices (bench/gen_life.py)",
                    run_life)}


@contextlib.contextmanager
def variant(name: str) -> Iterator[None]:
    """The text rules as they are, or one alternative to a choice."""
    from pixelsafe.detectors import pii
    from pixelsafe.text import addresses, layout, personal

    saved = (pii._model_names, personal._addresses, pii.blocks, addresses.us_street)
    if name == "rules without the name model and address grammars":
        pii._model_names = lambda *a: None  # type: ignore[assignment]
        personal._addresses = lambda *a: None  # type: ignore[assignment]
    elif name == "model over single lines":
        pii.blocks = lambda page: tuple(  # type: ignore[assignment]
            layout.Block((i,), ln.text, (0,)) for i, ln in enumerate(page.lines))
    elif name == "grammars without usaddress":
        addresses.us_street = lambda text: False  # type: ignore[assignment]
    try:
        yield
    finally:
        pii._model_names, personal._addresses, pii.blocks, addresses.us_street = saved


def compare(sets: list[str]) -> None:
    print("\n### The alternatives, in this run (names and addresses)\n")
    print("| variant | set | name recall | name precision | address recall | "
          "address precision | rules ms/page |\n|---|---|---|---|---|---|---|")
    for name in ("ours", "rules without the name model and address grammars",
                 "model over single lines", "grammars without usaddress"):
        for key in sets:
            title, fn = RUNNERS[key]
            tallies: dict[str, Tally] = defaultdict(Tally)
            times: list[float] = []
            with variant(name):
                fn(tallies, times)

            def f(x: float | None) -> str:
                return "-" if x is None else f"{x:.2f}"

            n, a = tallies["name"], tallies["address"]
            print(f"| {name} | {key} | {f(n.recall())} | {f(n.precision())} | "
                  f"{f(a.recall())} | {f(a.precision())} | {statistics.median(times):.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="documents,receipts,shops,world,dates,life")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    print("## Personal text by kind: recall and precision on sets with ground truth")
    sets = args.sets.split(",")
    for key in sets:
        title, fn = RUNNERS[key]
        tallies: dict[str, Tally] = defaultdict(Tally)
        times: list[float] = []
        count = fn(tallies, times)
        show(title, count, tallies, times, args.v)
    if args.compare:
        compare(sets)


if __name__ == "__main__":
    main()
