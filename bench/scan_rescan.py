"""`pixelsafe scan` of a big folder that has not changed since the last scan (issue 32): every
file is known to the result store by its size and mtime, and every report is there. The
store is filled straight from one real report (each file its own bytes and its own row);
then the command runs as a user runs it, and its wall time is printed.

    .venv/bin/python bench/scan_rescan.py [-n 100000] [--folders 20]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from library_index import make_folder

from pixelsafe.detectors import registry
from pixelsafe.detectors.metadata import MetadataDetector
from pixelsafe.pipeline import Analyzer, pipeline_id
from pixelsafe.scanner import walk_images
from pixelsafe.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--folders", type=int, default=20)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pixelsafe-scan-") as tmp:
        root = Path(tmp) / "photos"
        root.mkdir()
        make_folder(root, a.n, a.folders)
        files = walk_images(root)
        pipeline = pipeline_id(registry.DEFAULT)  # what `scan` runs by default
        report = Analyzer([MetadataDetector()]).analyze(files[0]).with_path(None).to_json()
        db = Path(tmp) / "cache.db"
        start = time.perf_counter()
        with Store(db) as store, store.transaction() as conn:
            for i, path in enumerate(files):
                st = path.stat()
                sha = f"{i:064x}"
                conn.execute("INSERT INTO files VALUES (?, ?, ?, ?, 0)",
                             (str(path.resolve()), st.st_size, st.st_mtime_ns, sha))
                conn.execute("INSERT INTO reports VALUES (?, ?, ?, 0)", (sha, pipeline, report))
        print(f"{len(files)} files known to the store (filled in "
              f"{time.perf_counter() - start:.1f} s)")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pixelsafe.cli", "scan",
                               str(root), "--db", str(db), "--quiet"],
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr)
        print(f"| rescan of {len(files)} unchanged files | {wall:.1f} s |")


if __name__ == "__main__":
    main()
