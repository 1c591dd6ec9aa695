"""The gallery's index of a big folder: first index and the rescan of the unchanged folder
(issue 32), on a generated folder of small JPEGs (each with its own bytes).

    .venv/bin/python bench/library_index.py [-n 20000] [--folders 20]

The folder and the database are made under a temporary directory and removed after. Times
are wall clock and CPU of this process (one thread), best of ``--repeats`` rescans.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from PIL import Image

from pixelsafe.pipeline import pipeline_id
from pixelsafe.web.library import Library


def make_folder(root: Path, n: int, folders: int) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 140, 160)).save(buf, "JPEG", quality=80)
    jpeg = buf.getvalue()
    for i in range(n):
        folder = root / f"album-{i % folders:03d}"
        folder.mkdir(exist_ok=True)
        # a JPEG comment after the end marker would be stripped by nothing: its own bytes
        (folder / f"photo-{i:06d}.jpg").write_bytes(jpeg + f"{i}".encode())


def timed(step):  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), time.process_time()
    out = step()
    return time.perf_counter() - w, time.process_time() - c, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20_000)
    ap.add_argument("--folders", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pixelsafe-index-") as tmp:
        root = Path(tmp) / "photos"
        root.mkdir()
        make_folder(root, a.n, a.folders)
        library = Library(root, Path(tmp) / "library.db", pipeline_id(["faces"]))
        try:
            print("| step | wall | CPU | queued |\n|---|---|---|---|")
            wall, cpu, queued = timed(library.index)
            print(f"| first index of {a.n} files | {wall:.2f} s | {cpu:.2f} s CPU | "
                  f"{queued} queued |")
            best = min((timed(library.index) for _ in range(a.repeats)),
                       key=lambda t: t[0])
            print(f"| rescan, nothing changed, all queued | {best[0]:.2f} s | "
                  f"{best[1]:.2f} s CPU | {best[2]} queued |")
            with library.write() as conn:  # as if every job had ended (a failure is cached)
                conn.execute("INSERT INTO failures (sha256, pipeline, type, message, "
                             "created_at) SELECT DISTINCT sha256, ?, 'bench', '', 0 FROM "
                             "images", (library.pipeline,))
                conn.execute("UPDATE jobs SET state = 'failed'")
            best = min((timed(library.index) for _ in range(a.repeats)),
                       key=lambda t: t[0])
            print(f"| rescan, nothing changed, all analysed (the idle server's) | "
                  f"{best[0]:.2f} s | {best[1]:.2f} s CPU | {best[2]} queued |")
        finally:
            library.close()


if __name__ == "__main__":
    main()
