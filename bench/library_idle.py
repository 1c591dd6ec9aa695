"""The gallery server on a big folder (issue 32), as `pixelsafe serve` runs it (the app, its
analysis worker and its folder follower, served by waitress), every photo already looked
at: the server's CPU over ``--idle`` seconds with an idle gallery page asking for changes
as the page does (every 1.5 s), the time from a photo written into the folder to its
listing by `/api/images`, and the requests the page makes, through HTTP.

    .venv/bin/python bench/library_idle.py [-n 100000] [--idle 60]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from library_index import make_folder
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from webutil import live_server, make_app, shutdown  # noqa: E402

from pixelsafe.pipeline import pipeline_id  # noqa: E402
from pixelsafe.web import DETECTOR_NAMES  # noqa: E402
from pixelsafe.web.library import Library  # noqa: E402


def get(url: str) -> tuple[float, dict]:  # type: ignore[type-arg]
    start = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        data = json.loads(response.read())
    return 1000 * (time.perf_counter() - start), data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--idle", type=float, default=60.0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pixelsafe-idle-") as tmp:
        root, data = Path(tmp) / "photos", Path(tmp) / "data"
        root.mkdir()
        make_folder(root, a.n, 20)
        # every photo looked at already (a failure is cached, as for a file that cannot
        # be read): the server starts with nothing to analyse
        library = Library(root, data / "library.db", pipeline_id(DETECTOR_NAMES))
        library.index()
        with library.write() as conn:
            conn.execute("INSERT INTO failures (sha256, pipeline, type, message, created_at) "
                         "SELECT DISTINCT sha256, ?, 'bench', '', 0 FROM images",
                         (library.pipeline,))
            conn.execute("UPDATE jobs SET state = 'failed'")
        library.close()
        start = time.perf_counter()
        app = make_app(root, DATA_DIR=str(data), INDEX_IN_BACKGROUND=True)
        try:
            with live_server(app, threads=4) as url:
                print(f"{a.n} photos; the server answered after "
                      f"{time.perf_counter() - start:.2f} s")
                while get(f"{url}/api/status")[1]["stats"]["indexing"]:
                    time.sleep(0.2)
                print(f"first look done after {time.perf_counter() - start:.1f} s\n")
                cpu = time.process_time()
                end = time.monotonic() + a.idle
                while time.monotonic() < end:  # an open, idle gallery page
                    get(f"{url}/api/changes")
                    time.sleep(1.5)
                cpu = time.process_time() - cpu
                print(f"| {a.n} photos, idle server with a page open | "
                      f"{cpu:.2f} s CPU over {a.idle:g} s ({100 * cpu / a.idle:.1f}% of a "
                      "core) |")
                Image.new("RGB", (64, 48), (9, 9, 9)).save(root / "album-000" / "new.jpg")
                start = time.perf_counter()
                while not any(i["name"] == "new.jpg" for i in get(
                        f"{url}/api/images?per_page=5")[1]["images"]):
                    time.sleep(0.05)
                print(f"| a new photo listed by /api/images after | "
                      f"{time.perf_counter() - start:.2f} s |")
                for name, path in (("/api/images, page 1", "/api/images"),
                                   ("/api/images, risk = high", "/api/images?risk=high"),
                                   ("/api/images, by name", "/api/images?sort=name"),
                                   ("/api/status", "/api/status"),
                                   ("/api/changes", "/api/changes")):
                    ms = min(get(url + path)[0] for _ in range(3))
                    print(f"| {name} | {ms:.0f} ms |")
        finally:
            shutdown(app)


if __name__ == "__main__":
    main()
