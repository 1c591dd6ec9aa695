"""The gallery's pages and counts on a big library (issue 32): `/api/images` page 1, a
middle page and the last page, with and without a risk filter and a kind filter, and the
stats behind `/api/status`, on a library of ``-n`` images whose reports are made up (each
image its own bytes' report: a score, a risk level and a few kinds of finding).

    .venv/bin/python bench/library_pages.py [-n 100000]

The rows are written straight into a fresh database (no files: the listing reads the
database only), then summarised as a new version does at start; each request is timed as
the server runs it, best of ``--repeats``.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import tempfile
import time
from pathlib import Path

from pixelsafe.pipeline import pipeline_id
from pixelsafe.policy import RiskLevel
from pixelsafe.web import library as lib
from pixelsafe.web.library import Library

KINDS = ("face", "personal_text", "barcode", "location", "metadata", "document",
         "license_plate")


def fill(library: Library, n: int) -> None:
    rng = random.Random(7)
    now = time.time()
    with library.write() as conn:
        for i in range(n):
            sha = f"{i:064x}"
            conn.execute("INSERT INTO images (path, name, sha256, size, mtime_ns, added_at) "
                         "VALUES (?, ?, ?, 1000, 1, ?)",
                         (f"album-{i % 20:03d}/p{i:06d}.jpg", f"p{i:06d}.jpg", sha, now + i))
            score = rng.choice((1, 1, 2, 2, 3, 4, 5))
            kinds = rng.sample(KINDS, k=min(score, 3)) if score > 1 else []
            report = {"privacy_score": score,
                      "risk_level": RiskLevel.for_score(score).value,
                      "explanation": "made up", "recommended_action": "redact",
                      "findings": [{"kind": k, "label": k} for k in kinds],
                      "analyzer": {"pipeline": library.pipeline}}
            conn.execute("INSERT INTO reports (sha256, pipeline, report, created_at) "
                         "VALUES (?, ?, ?, ?)", (sha, library.pipeline, json.dumps(report),
                                                 now))


def best(step, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--per-page", type=int, default=48)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pixelsafe-pages-") as tmp:
        root = Path(tmp) / "photos"
        root.mkdir()
        library = Library(root, Path(tmp) / "library.db", pipeline_id(["faces"]))
        try:
            start = time.perf_counter()
            fill(library, a.n)
            print(f"{a.n} images with reports written in {time.perf_counter() - start:.1f} s")
            start = time.perf_counter()
            with library.write() as conn:  # what a new version does once, at start
                if hasattr(library, "_summarise"):  # (a tree from before the summary has none)
                    library._summarise(conn)
            print(f"summaries written in {time.perf_counter() - start:.1f} s")
            library.indexed.set()
            conn = library.reader()
            total = lib.list_images(conn, library, 1, a.per_page, None, None)[1]
            last = max(1, -(-total // a.per_page))
            print(f"\n| request ({a.n} images) | listing and count | with the stats "
                  "(/api/images) |\n|---|---|---|")
            for name, page, risk, kind, sort in (
                    ("page 1, newest", 1, None, None, "newest"),
                    ("middle page, newest", last // 2, None, None, "newest"),
                    ("last page, newest", last, None, None, "newest"),
                    ("page 1, highest risk first", 1, None, None, "risk"),
                    ("last page, highest risk first", last, None, None, "risk"),
                    ("page 1, risk = high", 1, "high", None, "newest"),
                    ("middle page, risk = high", max(1, last // 8), "high", None, "newest"),
                    ("page 1, kind = face", 1, None, "face", "newest")):
                listing = functools.partial(lib.list_images, conn, library, page, a.per_page,
                                            risk, kind, sort)
                whole = best(lambda f=listing: (f(), lib.stats(conn, library)), a.repeats)
                print(f"| {name} | {best(listing, a.repeats):.0f} | {whole:.0f} |")
            if hasattr(lib, "AFTER"):  # keyset: the page after the one before the last
                for sort in ("newest", "risk"):
                    before = lib.list_images(conn, library, last - 1, a.per_page, None, None,
                                             sort)[2]
                    listing = functools.partial(lib.list_images, conn, library, last,
                                                a.per_page, None, None, sort, before)
                    print(f"| last page, {sort}, by cursor | {best(listing, a.repeats):.0f} "
                          "| |")
            counts = best(functools.partial(lib.stats, conn, library), a.repeats)
            print(f"| stats (/api/status) | {counts:.0f} | |")
            conn.close()
        finally:
            library.close()


if __name__ == "__main__":
    main()
