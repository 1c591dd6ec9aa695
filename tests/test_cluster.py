"""Scanning on Ray: a real Ray cluster of two nodes on this machine (``ray.cluster_utils``),
started once for the module; the same reports as the local scan, each file once in the
store, nothing lost when an actor's process is killed mid-scan."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import ray
from conftest import EVAL, SAMPLES

from pixelsafe.batch import Outcome, Settings
from pixelsafe.batch import run as run_here
from pixelsafe.cluster import RaySettings
from pixelsafe.cluster import run as run_on_ray
from pixelsafe.pipeline import pipeline_id
from pixelsafe.scanner import scan
from pixelsafe.store import Store

SETTINGS = Settings()
PIPELINE = pipeline_id(SETTINGS.detectors)
#: for the fault tests, which need files in flight, not every detector
FAST = Settings(detectors=("faces", "metadata"))
GPS = EVAL / "exif-samples" / "repo" / "jpg" / "gps"
FUZZED = EVAL / "malformed" / "metadata-extractor-fuzzing"


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    nodes = Cluster(initialize_head=True,
                    head_node_args={"num_cpus": 1, "include_dashboard": False})
    nodes.add_node(num_cpus=1)
    ray.init(address=nodes.address, log_to_driver=False, logging_level=logging.WARNING)
    yield nodes
    ray.shutdown()
    nodes.shutdown()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """Faces, a document, a letter, GPS photos, an identical copy and malformed files."""
    folder = tmp_path_factory.mktemp("mixed")
    for name in ("crowd-maksssksksss373.png", "id-card-utopia.jpg",
                 "letter-contact-details.png", "street-with-gps.jpg"):
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "nested").mkdir()
    shutil.copy(SAMPLES / "street-with-gps.jpg", folder / "nested" / "copy.jpg")
    shutil.copy(GPS / "DSCN0010.jpg", folder / "nested" / "DSCN0010.jpg")
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.png").write_text("not an image")
    whole = (SAMPLES / "street-with-gps.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(whole[: len(whole) // 3])
    fuzzed = sorted(p for p in FUZZED.glob("*.fuzzed"))[0]
    shutil.copy(fuzzed, folder / "fuzzed.jpg")
    return folder


def comparable(outcome: Outcome) -> dict[str, Any]:
    """An outcome as a scan prints it, without the time the analysis took."""
    if outcome.report is None:
        return {"path": outcome.path, "error": outcome.error_type}
    report = outcome.report.to_dict()
    report["analyzer"].pop("elapsed_ms")
    return report


def stored(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT sha256, pipeline FROM reports ORDER BY sha256").fetchall()


def test_a_scan_on_ray_gives_the_local_scans_reports(cluster, mixed, tmp_path):
    with Store(tmp_path / "here.db") as store:
        here = scan(mixed, store, PIPELINE, lambda paths: run_here(paths, SETTINGS, 2))
    with Store(tmp_path / "ray.db") as store:
        on_ray = scan(mixed, store, PIPELINE,
                      lambda paths: run_on_ray(paths, SETTINGS, RaySettings(actors=2)))
    assert [comparable(o) for o in on_ray.outcomes()] == [comparable(o)
                                                          for o in here.outcomes()]
    assert (on_ray.analysed, on_ray.copies, on_ray.failed) == (here.analysed, 1, 4)
    assert sum(o.report is not None and o.report.summary.has_location_data
               for o in on_ray.outcomes()) == 3
    assert stored(tmp_path / "ray.db") == stored(tmp_path / "here.db")
    # what Ray stored, a local scan finds: nothing is analysed again
    with Store(tmp_path / "ray.db") as store:
        again = scan(mixed, store, PIPELINE, lambda paths: run_here(paths, SETTINGS, 1))
    assert (again.analysed, again.cached) == (0, len(again.entries))


def test_the_python_api_scans_on_ray_as_the_command_does(cluster, mixed, tmp_path):
    import pixelsafe

    seen: list[str] = []
    result = pixelsafe.scan(mixed, tmp_path / "api.db", ray="auto", workers=2,
                            detectors=["metadata"], progress=lambda *a: seen.append(a[0]))
    gps = [o for o in result.outcomes() if o.report and o.report.summary.has_location_data]
    assert len(gps) == 3 and result.failed == 4 and "analysing" in seen
    assert gps[0].report.analyzer.detectors == ("metadata",)
    again = pixelsafe.scan(mixed, tmp_path / "api.db", detectors=["metadata"])
    assert again.analysed == 0 and again.cached == len(again.entries)


def _actor_pids() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                title = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if b"MapWorker(MapBatches(_Analyse))" in title:
                found.append(int(entry))
    return found


def test_an_actor_killed_mid_scan_loses_nothing_and_doubles_nothing(cluster, tmp_path):
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    base = Image.open(SAMPLES / "crowd-maksssksksss373.png").convert("RGB")
    for i in range(8):  # distinct contents
        base.rotate(i * 0.5).save(folder / f"img{i}.jpg", quality=85)
    killed: list[int] = []

    def kill_one(stage: str, done: int, total: int, current: str) -> None:
        if stage == "analysing" and not killed:
            pids = _actor_pids()
            assert pids, "no actor process found"
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    with Store(tmp_path / "ray.db") as store:
        result = scan(folder, store, pipeline_id(FAST.detectors),
                      lambda paths: run_on_ray(paths, FAST, RaySettings(actors=2)),
                      progress=kill_one)
    assert killed and not Path(f"/proc/{killed[0]}").exists()
    assert [o.error_message for o in result.outcomes() if not o.ok] == []
    assert sorted(Path(o.path).name for o in result.outcomes()) == [f"img{i}.jpg"
                                                                   for i in range(8)]
    assert len(stored(tmp_path / "ray.db")) == 8


def test_a_node_that_disappears_mid_scan_loses_nothing(cluster, tmp_path):
    """A third node joins, holds one of three actors, and is taken away after the second
    result: its work runs again on the nodes left, every file once."""
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    base = Image.open(SAMPLES / "street-with-gps.jpg").convert("RGB")
    for i in range(9):
        base.rotate(i * 0.5).save(folder / f"img{i}.jpg", quality=85)
    extra = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    removed: list[bool] = []

    def remove_it(stage: str, done: int, total: int, current: str) -> None:
        if stage == "analysing" and done == 2:
            cluster.remove_node(extra)
            removed.append(True)

    with Store(tmp_path / "ray.db") as store:
        result = scan(folder, store, pipeline_id(FAST.detectors),
                      lambda paths: run_on_ray(paths, FAST, RaySettings(actors=3)),
                      progress=remove_it)
    assert removed
    assert [o.error_message for o in result.outcomes() if not o.ok] == []
    assert len(stored(tmp_path / "ray.db")) == 9


def test_a_file_that_exhausts_an_actors_memory_is_an_error_and_the_scan_goes_on(cluster,
                                                                                 tmp_path):
    """The actor's analyser runs under the memory limit in a child process: a 119 MP RGBA
    image exhausts 1500 MiB, comes back as an error once, and the files on either
    side of it are analysed. (800 MiB, tried first, failed a small photo now and then:
    the address space a process reserves varies with its threads' malloc arenas.)"""
    from PIL import Image

    big = tmp_path / "big.png"
    Image.new("RGBA", (10_900, 10_900), (128, 128, 128, 255)).save(big, compress_level=1)
    paths = [str(SAMPLES / "street-with-gps.jpg"), str(big),
             str(SAMPLES / "crowd-maksssksksss373.png")]
    settings = Settings(detectors=("faces",), timeout=60, memory_mb=1500)
    outcomes = sorted(run_on_ray(paths, settings, RaySettings(actors=1)),
                      key=lambda o: o.index)
    assert [o.ok for o in outcomes] == [True, False, True], outcomes
    # out of memory in the decoder (a typed input error) or after it (a resource error)
    assert "out of memory" in (outcomes[1].error_message or "")


def _marked(folder: str) -> list[int]:
    mark = f"PIXELSAFE_RAY_RUNTIME={folder}".encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if mark in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def done_in(db: Path) -> int:
    """Files settled in the store: a report, or a failure of the file's own."""
    with sqlite3.connect(db) as conn:
        return sum(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                   for table in ("reports", "failures"))


def test_a_scan_whose_driver_is_killed_resumes_and_leaves_nothing_behind(tmp_path):
    """`pixelsafe scan --ray` with a runtime of its own, killed (kill -9 of the driver
    alone): what it stored stays, the next scan analyses only the rest and writes every
    report, and the killed runtime's processes (Ray's agents outlive their driver) and
    folder are gone once the next runtime starts."""
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "bad.png").write_text("not an image")
    base = Image.open(SAMPLES / "crowd-maksssksksss373.png").convert("RGB")
    for i in range(12):
        base.rotate(i * 0.5).save(folder / f"img{i:02}.jpg", quality=85)
    db, out = tmp_path / "c.db", tmp_path / "r.jsonl"
    cmd = [sys.executable, "-m", "pixelsafe.cli", "scan", str(folder), "--ray", "--workers",
           "2", "--db", str(db), "--quiet"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_ADDRESS")}
    before = set(Path(tempfile.gettempdir()).glob("pixelsafe-ray-*"))
    driver = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=env)
    saved, deadline = 0, time.monotonic() + 180
    while saved < 3 and time.monotonic() < deadline and driver.poll() is None:
        time.sleep(0.2)
        saved = len(stored(db)) if db.exists() else 0
    driver.kill()
    driver.wait()
    done = done_in(db)
    assert 3 <= done < 13, done
    (killed,) = set(Path(tempfile.gettempdir()).glob("pixelsafe-ray-*")) - before
    result = subprocess.run([*cmd, "-o", str(out)], capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 1, result.stderr  # bad.png
    assert f"13 images: {13 - done} analysed, {done} from cache, 1 failed" in result.stdout
    assert len(stored(db)) == 12
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert "error" in lines[0] and all("error" not in line for line in lines[1:])
    assert [Path(line["image"]["path"]).name for line in lines[1:]] == [
        f"img{i:02}.jpg" for i in range(12)]
    assert not killed.exists() and _marked(str(killed)) == []
    assert set(Path(tempfile.gettempdir()).glob("pixelsafe-ray-*")) <= before


def test_a_ray_address_that_is_not_one_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from pixelsafe.cli import main

    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--ray", "/photos"])
    assert result.exit_code == 2 and "not a Ray address" in result.output


def test_an_address_where_no_cluster_answers_fails_at_once(tmp_path):
    """Ray itself retries such an address for minutes. (A process of its own: this one is
    connected to the module's cluster, which a scan here would use.)"""
    (tmp_path / "a.png").write_text("not an image")
    cmd = [sys.executable, "-m", "pixelsafe.cli", "scan", str(tmp_path), "--db",
           str(tmp_path / "c.db"), "--ray", "127.0.0.1:1"]
    start = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "no Ray cluster answers at 127.0.0.1:1" in result.stderr
    assert time.monotonic() - start < 30
