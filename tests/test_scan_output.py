"""A scan's reports for collections too big to read as one file (issue 17): a Parquet file
and a folder of JSON Lines parts, beside the one JSON Lines file; each written atomically."""

from __future__ import annotations

import json
import os
import shutil

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
