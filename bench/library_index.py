"""The gallery's index of a big folder (issue 32), on a generated folder of small JPEGs (each
with its own bytes): first index, the rescan of the unchanged folder, and following it
while idle: the CPU an idle follower costs over ``--idle`` seconds and how long a new or a
removed photo takes to reach the index, by notification (watchdog) and by polling every
5 s (what the server did before notifications).

    .venv/bin/python bench/library_index.py [-n 20000] [--folders 20] [--idle 60]

The folder and the database are made under a temporary directory and removed after. Times
are wall clock and CPU of this process (all its threads), best of ``--repeats`` rescans.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from PIL import Image

from pixelsafe.pipeline import pipeline_id
from pixelsafe.web.follow import Follower
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
    ap.add_argument("--idle", type=float, default=60.0)
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
            print()
            follow(library, root, a.idle)
        finally:
            library.close()


def reaches_index(library: Library, rel: str, present: bool) -> float:
    """Seconds until ``rel`` is in the index (or gone from it)."""
    start = time.perf_counter()
    while True:
        with library.reader() as conn:
            found = conn.execute("SELECT 1 FROM images WHERE path = ?", (rel,)).fetchone()
        if (found is not None) == present:
            return time.perf_counter() - start
        if time.perf_counter() - start > 60:
            return float("inf")
        time.sleep(0.01)


def follow(library: Library, root: Path, idle: float) -> None:
    print(f"| following the folder | idle CPU over {idle:g} s | share of one core | "
          "new photo indexed after | removed photo gone after |\n|---|---|---|---|---|")
    for name, follower in (("by notification", Follower(library, 0, 600.0)),
                           ("polling every 5 s (before)", Follower(library, 5.0,
                                                                  notify=False))):
        follower.start()
        time.sleep(1.0)
        cpu = time.process_time()
        time.sleep(idle)
        cpu = time.process_time() - cpu
        new = root / "album-000" / f"new-{name[:2]}.jpg"
        Image.new("RGB", (64, 48), (10, 20, 30)).save(new, quality=80)
        added = reaches_index(library, new.relative_to(root).as_posix(), True)
        new.unlink()
        gone = reaches_index(library, new.relative_to(root).as_posix(), False)
        follower.stop()
        print(f"| {name} | {cpu:.2f} s | {100 * cpu / idle:.1f}% | {added:.2f} s | "
              f"{gone:.2f} s |")


if __name__ == "__main__":
    main()
