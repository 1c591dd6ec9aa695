"""The phone app in headless Chromium (one and two wasm threads) beside the library, on
the same images: a small photo, a 12 MP photo, a document page. The browser's time is the
worker's (faces, codes and what they carry, GPS, and the text: its OCR networks, the
e-mail, card, IBAN, phone and date-of-birth rules and the MRZ; not the photo's decoding,
which the worker now does itself and reports apart); the library's is its analysis of
the decoded image with faces, codes, metadata and the text readers (which do more: names,
addresses, dates in forms, documents, plates), in this process. Medians of
three runs after one warm-up; not a timed test. Then the tab's peak memory while a 12 MP
photo (and a 12 MP photo of a receipt) is picked in the page, analysed, shown and saved
protected (the issue asks under 600 MB).

    .venv/bin/python bench/phone.py [--quick]

``--quick`` (the benchmark's smoke run): one run per image, two threads alone, the 12 MP
photo's memory alone.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from run import EVAL, big_photos  # noqa: E402
from webutil import live_server, make_app, shutdown  # noqa: E402

from pixelsafe import imageio  # noqa: E402
from pixelsafe.detectors import registry  # noqa: E402
from pixelsafe.detectors.barcodes import BarcodeDetector  # noqa: E402
from pixelsafe.detectors.faces import FaceDetector  # noqa: E402
from pixelsafe.detectors.metadata import MetadataDetector  # noqa: E402
from pixelsafe.pipeline import Analyzer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ANALYZE = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const r = await window.pixelsafePhone.analyze(new Blob([bytes]));
  return { ms: r.ms - r.decodeMs, threads: r.threads, faces: r.faces.length };
}"""


def descendants() -> set[int]:
    """The processes started by this one, directly or not (the browsers it launched)."""
    parent = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    me, out = os.getpid(), set()
    for pid in parent:
        up = pid
        while up in parent and up > 1:
            if parent[up] == me:
                out.add(pid)
                break
            up = parent[up]
    return out


def renderers() -> dict[int, tuple[int, bool]]:
    """The renderer processes of the browsers this benchmark launched (not another
    Chromium on the machine, such as a test run's): pid -> (resident bytes, whether it runs
    a dedicated worker, as the tab with the phone app does; the others are spares Chromium
    keeps)."""
    out = {}
    for pid in descendants():
        proc = Path("/proc") / str(pid)
        try:
            if b"--type=renderer" not in (proc / "cmdline").read_bytes().replace(b"\0", b" "):
                continue
            rss = 0
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
            worker = any((t / "comm").read_text().startswith("DedicatedWorker")
                         for t in (proc / "task").iterdir())
            out[pid] = (rss, worker)
        except OSError:
            continue
    return out


def peak_memory(playwright, url: str, photo: Path) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The peak resident memory of the tab (its renderer process) and of every renderer,
    sampled every 20 ms while a user picks the photo in the page, it is analysed and shown,
    its protected copy is saved at full resolution, and the photo is picked and analysed
    again, with two wasm threads. A browser of its own: nothing left over from another
    page."""
    import threading

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page()
    page.goto(f"{url}/phone/?threads=2")
    page.wait_for_selector("body[data-ready=true]")
    tab = every = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal tab, every
        while not done.is_set():
            now = renderers().values()
            tab = max(tab, sum(rss for rss, worker in now if worker))
            every = max(every, sum(rss for rss, _ in now))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        page.set_input_files("#pick", str(photo))
        page.locator("#status", has_text="Score").wait_for(timeout=120_000)
        with page.expect_download(timeout=120_000) as download:
            page.click("#export")
        assert download.value.path().stat().st_size > 0
        # a second photo at once, as a user goes through several: what the first left
        # behind counts too
        page.evaluate("document.getElementById('status').textContent = ''")
        page.set_input_files("#pick", [])
        page.set_input_files("#pick", str(photo))
        page.locator("#status", has_text="Score").wait_for(timeout=120_000)
    finally:
        done.set()
        sampler.join()
        browser.close()
    return tab, every


def text_photo() -> Path:
    """A 12 MP photo of a receipt (SROIE's largest scan, resized): text the whole
    detector reads at its full input."""
    out = ROOT / "bench" / "out" / "12mp" / "12mp-receipt.jpg"
    if not out.exists():
        from PIL import Image

        out.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(EVAL / "receipts-sroie" / "img" / "288.jpg") as im:
            scale = (12e6 / (im.width * im.height)) ** 0.5
            im.convert("RGB").resize((round(im.width * scale), round(im.height * scale)),
                                     Image.Resampling.BICUBIC).save(out, "JPEG", quality=90)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true",
                        help="one run per image, two threads alone, memory of the 12 MP "
                             "photo alone")
    args = parser.parse_args()
    runs = 1 if args.quick else 3
    images = {
        "small photo (crowd, 0.2 MP)": sorted((EVAL / "faces-crowd" / "images").glob("*.png"))[0],
        "document page": sorted((EVAL / "documents-seed" / "email").glob("*.png"))[0],
        "12 MP photo": big_photos(12, 1)[0],
    }
    from playwright.sync_api import sync_playwright

    library = Analyzer([FaceDetector(), *registry.build(["text"]), BarcodeDetector(),
                        MetadataDetector()])
    rows = []
    lib_dir = ROOT / "bench" / "out" / "phone-lib"
    lib_dir.mkdir(parents=True, exist_ok=True)
    app = make_app(lib_dir, START_WORKER=False)
    try:
        with live_server(app) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            times: dict[tuple[str, int], float] = {}
            # the quick run (the benchmark's smoke test): two threads alone
            for threads in (2,) if args.quick else (1, 2):
                page = browser.new_page()
                page.goto(f"{url}/phone/?threads={threads}")
                page.wait_for_selector("body[data-ready=true]")
                for name, path in images.items():
                    data = base64.b64encode(path.read_bytes()).decode()
                    page.evaluate(ANALYZE, data)  # warm-up: the model and the wasm load
                    got = [page.evaluate(ANALYZE, data) for _ in range(runs)]
                    assert all(g["threads"] == threads for g in got)
                    times[(name, threads)] = statistics.median(g["ms"] for g in got)
                page.close()
            browser.close()
            # the quick run (the benchmark's smoke test) measures the photo alone
            photos = [("12 MP photo", images["12 MP photo"])]
            if not args.quick:
                photos.append(("12 MP photo of a receipt", text_photo()))
            memory = {name: peak_memory(p, url, path) for name, path in photos}
        for name, path in images.items():
            loaded = imageio.load(path)
            library.analyze(loaded)
            ms = []
            for _ in range(runs):
                start = time.perf_counter()
                library.analyze(loaded)
                ms.append((time.perf_counter() - start) * 1000)
            rows.append((name, times.get((name, 1)), times[(name, 2)], statistics.median(ms)))
    finally:
        shutdown(app)
    print("# The phone app in Chromium beside the library (faces, codes, GPS, text)\n")
    print("| image | Chromium, 1 wasm thread | Chromium, 2 wasm threads | library (2 cores) |")
    print("|---|---|---|---|")
    for name, one, two, lib in rows:
        print(f"| {name} | {'-' if one is None else f'{one:.0f} ms'} | {two:.0f} ms | "
              f"{lib:.0f} ms |")
    print("\nPeak memory while a user picks the photo in the page, it is analysed and shown, "
          "a protected copy is saved at full size, and the photo is picked and analysed "
          "again (two wasm threads; resident memory of "
          "the tab's renderer process, and of every renderer, with the spare Chromium keeps):\n")
    print("| photo | the tab | every renderer |")
    print("|---|---|---|")
    for name, (tab, every) in memory.items():
        print(f"| {name} | {tab / 2**20:.0f} MB | {every / 2**20:.0f} MB |")


if __name__ == "__main__":
    main()
