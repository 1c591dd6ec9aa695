"""A scan's reports for collections too big to read as one file (issue 17): a Parquet file
and a folder of JSON Lines parts, beside the one JSON Lines file; each written atomically."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

import pixelsafe
from pixelsafe import results
from pixelsafe.batch import Outcome
from pixelsafe.cli import main
from pixelsafe.results import outcome_line, write_reports


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    report = pixelsafe.analyze(SAMPLES / "street-with-gps.jpg", detectors=["metadata"])
    good = [Outcome(i, f"/photos/{i}.jpg", report=report.with_path(f"/photos/{i}.jpg"))
            for i in range(5)]
    bad = Outcome(5, "/photos/bad.png", error_type="corrupt_image", error_message="bad: no")
    return [*good, bad]


def lines_of(folder) -> list[dict]:
    return [json.loads(line) for part in sorted(folder.glob("part-*.jsonl"))
            for line in part.read_text().splitlines()]


def test_parquet_holds_a_row_per_file_with_the_whole_report(outcomes, tmp_path):
    out = tmp_path / "scan.parquet"
    write_reports(out, outcomes)
    rows = pq.read_table(out).to_pylist()
    assert [r["path"] for r in rows] == [o.path for o in outcomes]
    assert rows[0]["privacy_score"] == outcomes[0].report.privacy_score
    assert rows[0]["risk_level"] == outcomes[0].report.risk_level.value
    assert json.loads(rows[0]["report"]) == outcome_line(outcomes[0])
    assert (rows[5]["error_type"], rows[5]["report"], rows[5]["sha256"]) == (
        "corrupt_image", None, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan.parquet"]  # no temp left


def test_a_folder_gets_parts_and_a_second_write_replaces_them(outcomes, tmp_path,
                                                               monkeypatch):
    monkeypatch.setattr(results, "PART_LINES", 2)
    folder = tmp_path / "out"
    write_reports(f"{tmp_path}/out/", outcomes)
    assert sorted(p.name for p in folder.iterdir()) == [
        "part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl"]
    assert lines_of(folder) == [outcome_line(o) for o in outcomes]
    write_reports(folder, outcomes[:3])  # an existing folder: parts, the old ones gone
    assert sorted(p.name for p in folder.iterdir()) == ["part-00000.jsonl", "part-00001.jsonl"]
    assert lines_of(folder) == [outcome_line(o) for o in outcomes[:3]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_write_leaves_the_old_output_and_nothing_else(outcomes, tmp_path):
    out = tmp_path / "scan.parquet"
    write_reports(out, outcomes)
    before = out.read_bytes()

    def broken():
        yield outcomes[0]
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError):
        write_reports(out, broken())
    with pytest.raises(RuntimeError):
        write_reports(f"{tmp_path}/parts/", broken())
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan.parquet"]


def test_the_command_writes_each_form(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(SAMPLES / "street-with-gps.jpg", lib / "a.jpg")
    (lib / "b.png").write_text("not an image")
    db = str(tmp_path / "c.db")
    for out in ("r.jsonl", "r.parquet", "parts/"):
        result = CliRunner().invoke(main, ["scan", str(lib), "--db", db, "--detectors",
                                           "metadata", "--quiet", "-o",
                                           f"{tmp_path}/{out}"])
        assert result.exit_code == 1, result.output  # b.png
    jsonl = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert lines_of(tmp_path / "parts") == jsonl
    rows = pq.read_table(tmp_path / "r.parquet").to_pylist()
    assert [json.loads(r["report"]) if r["report"] else None for r in rows] == [jsonl[0], None]
    assert os.path.isdir(tmp_path / "parts")


def test_a_scan_keeps_a_line_per_file_and_reads_its_reports_back(tmp_path):
    """The scan's result holds no report: each comes back from the store when the outcomes
    are read, in the listing's order; a timeout is kept for this scan alone (not stored,
    so the next scan tries again), a corrupt file's failure is stored."""
    from pixelsafe.batch import Settings, run
    from pixelsafe.pipeline import pipeline_id
    from pixelsafe.scanner import scan
    from pixelsafe.store import Store

    lib = tmp_path / "lib"
    lib.mkdir()
    for name in ("a.jpg", "c.jpg"):
        shutil.copy(SAMPLES / "street-with-gps.jpg", lib / name)
    shutil.copy(SAMPLES / "id-card-utopia.jpg", lib / "b.jpg")
    (lib / "d.png").write_text("not an image")
    settings = Settings(("metadata",))

    def one_times_out(paths):
        for outcome in run(paths, settings):
            if outcome.path.endswith("b.jpg"):
                outcome = Outcome(outcome.index, outcome.path, error_type="timeout",
                                  error_message="b.jpg: took longer than 60 s")
            yield outcome

    db = tmp_path / "c.db"
    with Store(db) as store:
        first = scan(lib, store, pipeline_id(settings.detectors), one_times_out)
    assert all(isinstance(e, tuple) and len(e) == 4 for e in first.entries)
    outs = list(first.outcomes())
    assert [Path(o.path).name for o in outs] == ["a.jpg", "b.jpg", "c.jpg", "d.png"]
    assert outs[0].report is not None and outs[2].report.image.path == str(lib / "c.jpg")
    assert outs[1].error_type == "timeout" and outs[3].report is None
    assert (first.analysed, first.copies, first.failed, first.high) == (3, 1, 2, 2)
    with Store(db) as store:
        second = scan(lib, store, pipeline_id(settings.detectors),
                      lambda paths: run(paths, settings))
    assert (second.analysed, second.cached, second.failed) == (1, 3, 1)
    assert [o.ok for o in second.outcomes()] == [True, True, True, False]
