"""A scan on Ray beside the local scan (issue 17): the same photos, two analysing processes
each (`scan --workers 2` against `scan --ray --workers 2`, a Ray runtime started on this
machine), each engine in a fresh process with an empty store. Per engine: the whole time,
the time to the first result (start-up: imports, Ray's runtime, the models), and the
steady rate from the first result to the last. The overhead per file is what Ray adds to
each file's time in one analysing process. Also the driver's own work per file (hashing a
new file, storing its report), which bounds what a cluster of any size can do.

    .venv/bin/python bench/ray_scan.py [-n 200] [--output bench/ray-results.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("PIXELSAFE_SHARED") or ROOT.parent / "shared") / "eval"
#: where the photos come from, in this order, until there are enough
SETS = ("faces-crowd", "plates-openalpr", "receipts-sroie", "documents-seed", "faces-wider")
SUFFIXES = (".jpg", ".jpeg", ".png")


def gather(folder: Path, n: int) -> int:
    found = 0
    for name in SETS:
        for path in sorted((EVAL / name).rglob("*")):
            if found == n:
                return found
            if path.suffix.lower() in SUFFIXES and path.is_file():
                shutil.copy(path, folder / f"{found:04}-{name}-{path.name}")
                found += 1
    return found


def one(engine: str, folder: str, db: str) -> None:
    """Run in a fresh process: scan with one engine, print the timings as JSON."""
    start = time.perf_counter()
    import pixelsafe

    arrivals: list[float] = []

    def progress(stage: str, done: int, total: int, current: str) -> None:
        if stage == "analysing":
            arrivals.append(time.perf_counter() - start)

    result = pixelsafe.scan(folder, db, workers=2, ray=None if engine == "local" else "local",
                            progress=progress)
    print(json.dumps({"total": time.perf_counter() - start, "first": arrivals[0],
                      "last": arrivals[-1], "files": len(arrivals), "failed": result.failed}))


def driver_costs(folder: Path, db: Path) -> tuple[float, float]:
    """Hashing new files against an empty store, in MB/s; storing a report, in ms."""
    from pixelsafe.pipeline import pipeline_id
    from pixelsafe.scanner import check_files, walk_images
    from pixelsafe.store import Store

    files = walk_images(folder)
    size = sum(f.stat().st_size for f in files)
    with Store(db) as source:
        reports = [r for (r,) in source.conn.execute("SELECT report FROM reports")]
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "c.db") as store:
            start = time.perf_counter()
            check_files(store, files, "bench")
            hashing = size / 1e6 / (time.perf_counter() - start)
            from pixelsafe.report import Report

            start = time.perf_counter()
            for text in reports:
                store.save_report(Report.from_json(text), pipeline_id(("faces",)))
            storing = (time.perf_counter() - start) / len(reports)
    return hashing, 1000 * storing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--output", type=Path, default=ROOT / "bench" / "ray-results.md")
    ap.add_argument("--one", nargs=3, metavar=("ENGINE", "FOLDER", "DB"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        one(*a.one)
        return
    with tempfile.TemporaryDirectory(prefix="pixelsafe-raybench-") as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        n = gather(folder, a.n)
        runs = {}
        for engine in ("local", "ray"):
            db = Path(tmp) / f"{engine}.db"
            out = subprocess.run([sys.executable, __file__, "--one", engine, str(folder),
                                  str(db)], capture_output=True, text=True, check=True)
            runs[engine] = json.loads(out.stdout.strip().splitlines()[-1])
            print(engine, runs[engine], flush=True)
        hashing, storing = driver_costs(folder, Path(tmp) / "ray.db")
    write(a.output, n, runs, hashing, storing)


def write(output: Path, n: int, runs: dict, hashing: float, storing: float) -> None:  # type: ignore[type-arg]
    def steady(r: dict) -> float:  # type: ignore[type-arg]
        return (r["files"] - 1) / (r["last"] - r["first"])

    here, ray = runs["local"], runs["ray"]
    per_file = 2 * (1 / steady(ray) - 1 / steady(here))
    lines = [
        "# A scan on Ray beside the local scan (`bench/ray_scan.py`)",
        "",
        f"{n} photos from `../shared/eval` ({', '.join(SETS)}, in that order), default "
        f"detectors, two analysing processes each, on {os.cpu_count()} cores "
        f"({platform.machine()}); each engine in a fresh process with an empty store.",
        "",
        "| engine | whole scan | first result (start-up) | steady rate | per file |",
        "|---|---|---|---|---|",
    ]
    for name, r in (("`scan --workers 2`", here), ("`scan --ray --workers 2` (local runtime)",
                                                    ray)):
        lines.append(f"| {name} | {r['total']:.1f} s | {r['first']:.1f} s | "
                     f"{steady(r):.2f} files/s | {1000 / steady(r):.0f} ms |")
    lines += [
        "",
        f"Ray's overhead per file, in one analysing process: {1000 * per_file:+.0f} ms "
        "(two processes' steady time per file, Ray's less the local scan's).",
        f"The driver's own work: hashing new files at {hashing:.0f} MB/s (a file seen before: "
        f"size and mtime only), {storing:.2f} ms storing a report (parsed from Ray's row "
        "and written to SQLite).",
        "",
        "A cluster of N such machines, two actors each, analyses about "
        f"{steady(ray):.2f} x N files/s. The driver, on one core, bounds it: on a first scan "
        f"of 4 MB photos (a 12 MP JPEG) at about {1 / (4 / hashing + storing / 1000):.0f} "
        f"files/s (hashing), about {int(1 / (4 / hashing + storing / 1000) / steady(ray))} "
        f"such machines; on a scan where the hashes are known, at about "
        f"{1000 / storing:.0f} files/s.",
        "",
    ]
    output.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
