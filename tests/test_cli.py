from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

from click.testing import CliRunner
from conftest import EVAL, SAMPLES, needs_shared
from PIL import Image

from pixelsafe.cli import main

BROKEN = EVAL / "malformed" / "pillow_Tests_images" / "Tests" / "images" / "truncated_image.png"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_analyze_table():
    result = CliRunner().invoke(main, ["analyze", str(SAMPLES / "street-with-gps.jpg")],
                                env={"COLUMNS": "250"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Critical" in result.output and "GPS position" in result.output
    # issue 14, point 9: the recommended action in words
    assert "What to do" in result.output and "Redact before sharing" in result.output


@needs_shared
def test_analyze_json_lines_in_input_order_with_error_line():
    paths = [SAMPLES / "street-with-gps.jpg", BROKEN, SAMPLES / "crowd-maksssksksss373.png"]
    result = invoke("analyze", "--json", "--workers", "2", *paths)
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["image"]["path"] for line in lines] == [str(p) for p in paths]
    assert lines[0]["privacy_score"] == 5 and lines[0]["summary"]["faces"] >= 3
    assert lines[1]["error"]["type"] == "corrupt_image"
    assert "truncated" in lines[1]["error"]["message"]
    assert lines[2]["findings"][0]["kind"] == "face"


def test_analyze_exit_codes():
    assert invoke("analyze", SAMPLES / "id-card-utopia.jpg").exit_code == 0
    assert invoke("analyze", "/no/such/file.jpg").exit_code == 1
    assert invoke("analyze").exit_code == 2
    assert invoke("analyze", "--detectors", "ocr", SAMPLES / "id-card-utopia.jpg").exit_code == 2


def test_analyze_escapes_markup_in_file_names(tmp_path):
    odd = tmp_path / "[bold]x[red].jpg"
    shutil.copy(SAMPLES / "id-card-utopia.jpg", odd)
    result = invoke("analyze", odd)
    assert result.exit_code == 0 and "[bold]x" in result.output.replace("\n", "")


def test_terminal_escapes_in_file_names_are_shown_not_obeyed(tmp_path):
    """A file name with ESC sequences (clear screen, window title) reaches no output raw:
    the analyze table, the scan table and the errors show them as \\x1b."""
    hostile = "\x1b[2J\x1b[H\x1b]0;PWNED\x1b\\\x9bx"
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(SAMPLES / "street-with-gps.jpg", lib / f"{hostile}.jpg")
    (lib / f"{hostile}-broken.png").write_bytes(b"\x89PNG not really")
    env = {**os.environ, "COLUMNS": "400", "PS_PASSPHRASE": "correct horse battery"}
    for args in (["analyze", *sorted(lib.iterdir())],
                 ["scan", lib, "--output", tmp_path / "out.jsonl"],
                 ["restore", lib / f"{hostile}.jpg", "-o", tmp_path / "r.png",
                  "--passphrase-env", "PS_PASSPHRASE"]):
        result = subprocess.run([sys.executable, "-m", "pixelsafe.cli", *map(str, args)],
                                capture_output=True, env=env, timeout=300)
        out = result.stdout + result.stderr
        assert b"\x1b" not in out and b"\xc2\x9b" not in out, (args, out[:300])
        assert b"\\x1b[2J" in out.replace(b"\n", b""), (args, out[:300])


@needs_shared
def test_scan_caches_and_writes_jsonl(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(SAMPLES, lib, ignore=shutil.ignore_patterns("*.py", "*.md"))
    shutil.copy(BROKEN, lib / "broken.png")
    db, out = tmp_path / "cache.db", tmp_path / "report.jsonl"
    first = invoke("scan", lib, "--db", db, "-o", out)
    assert first.exit_code == 1  # the broken file
    assert "6 images: 6 analysed, 0 from cache, 1 failed" in first.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 6 and sum("error" in line for line in lines) == 1
    second = invoke("scan", lib, "--db", db, "-o", out)
    assert "6 images: 0 analysed, 6 from cache, 1 failed" in second.output
    assert [json.loads(line) for line in out.read_text().splitlines()] == lines
    # A changed file is analysed again (content the cache has never seen, so only the
    # size/mtime check can tell); a renamed one is found by its hash.
    (lib / "id-card-utopia.jpg").rename(lib / "renamed.jpg")
    changed = Image.open(SAMPLES / "street-with-gps.jpg").convert("RGB").rotate(3)
    changed.save(lib / "street-with-gps.jpg", quality=90)
    third = invoke("scan", lib, "--db", db)
    assert "6 images: 1 analysed, 5 from cache" in third.output


def test_scan_analyses_identical_copies_once(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        shutil.copy(SAMPLES / "street-with-gps.jpg", lib / name)
    out = tmp_path / "r.jsonl"
    result = invoke("scan", lib, "--db", tmp_path / "c.db", "-o", out, "--quiet")
    assert "3 images: 1 analysed, 0 from cache, 2 identical copies, 0 failed" in result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["image"]["path"] for line in lines] == [str(lib / n) for n in
                                                         ("a.jpg", "b.jpg", "c.jpg")]
    assert len({line["image"]["sha256"] for line in lines}) == 1


def test_scan_resumes_after_kill_9(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    from PIL import Image

    base = Image.open(SAMPLES / "crowd-maksssksksss373.png").convert("RGB")
    for i in range(40):  # distinct content, so nothing is shared through the cache
        base.rotate(i * 0.5).save(lib / f"img{i:02}.jpg", quality=85)
    db = tmp_path / "cache.db"
    cmd = [sys.executable, "-m", "pixelsafe.cli", "scan", str(lib), "--db", str(db), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    done_before = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and done_before < 5:
        time.sleep(0.2)
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    done_before = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
            except sqlite3.OperationalError:
                pass
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 5 <= done_before < 40, done_before
    with sqlite3.connect(db) as conn:
        saved = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"40 images: {40 - saved} analysed, {saved} from cache, 0 failed" in result.stdout


def test_scan_and_analyze_never_hang_on_a_fifo_or_a_device(tmp_path):
    """Break 8: a FIFO and a link to /dev/zero named *.jpg are clear errors, at once."""
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(SAMPLES / "street-with-gps.jpg", lib / "ok.jpg")
    os.mkfifo(lib / "fifo.jpg")
    (lib / "zero.jpg").symlink_to("/dev/zero")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pixelsafe.cli", "scan", str(lib),
                             "--db", str(tmp_path / "c.db"), "--output", str(tmp_path / "o.jsonl")],
                            capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 60
    rows = {json.loads(line)["image"]["path"] if "image" in json.loads(line)
            else json.loads(line)["input"]: json.loads(line)
            for line in (tmp_path / "o.jsonl").read_text().splitlines()}
    assert len(rows) == 3, result.stderr
    bad = [r for r in rows.values() if "error" in r]
    assert len(bad) == 2 and all("not a regular file" in r["error"]["message"] for r in bad)
    for name in ("fifo.jpg", "zero.jpg"):
        out = invoke("analyze", "--json", lib / name)
        assert out.exit_code == 1 and "not a regular file" in out.output


def test_analyze_of_a_glob_with_a_folder_analyses_the_folders_photos(tmp_path):
    """Issue 27: `analyze lib/*` aborted with no report at all when one argument was a
    folder. A folder now gives its photos, recursively, as `scan` finds them."""
    lib = tmp_path / "lib"
    (lib / "trip" / "day1").mkdir(parents=True)
    shutil.copy(SAMPLES / "street-with-gps.jpg", lib / "a.jpg")
    Image.new("RGB", (40, 30), "red").save(lib / "trip" / "day1" / "b.png")
    (lib / "trip" / "notes.txt").write_text("not a photo")
    result = invoke("analyze", "--json", "--detectors", "metadata", lib / "a.jpg", lib / "trip")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["image"]["path"] for line in lines] == [str(lib / "a.jpg"),
                                                        str(lib / "trip" / "day1" / "b.png")]


def test_a_scan_through_a_linked_folder_finds_the_same_files_in_the_cache(tmp_path):
    """The store knows a file by its real path: scanned through a link to its folder, then
    through the folder itself, nothing is analysed or hashed again (issue 32: the check
    resolves each folder once, a link alone)."""
    real = tmp_path / "real"
    (real / "album").mkdir(parents=True)
    shutil.copy(SAMPLES / "street-with-gps.jpg", real / "album" / "a.jpg")
    (real / "album" / "b.jpg").symlink_to(real / "album" / "a.jpg")
    (tmp_path / "link").symlink_to(real)
    db = tmp_path / "c.db"
    first = invoke("scan", tmp_path / "link", "--db", db, "--quiet",
                   "--detectors", "metadata")
    assert "2 images: 1 analysed, 0 from cache, 1 identical copies, 0 failed" in first.output
    second = invoke("scan", real, "--db", db, "--quiet", "--detectors", "metadata")
    assert "2 images: 0 analysed, 2 from cache, 0 failed" in second.output
    import sqlite3

    with sqlite3.connect(db) as conn:
        keys = sorted(r[0] for r in conn.execute("SELECT path FROM files"))
    assert keys == [str((real / "album" / "a.jpg").resolve())]
