"""The protect commands through click: exit codes, passphrase sources, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from PIL import Image

from pixelsafe.cli import main


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    src = tmp_path / "in.png"
    Image.new("RGB", (80, 60), (200, 120, 40)).save(src)
    good = tmp_path / "pass.txt"
    good.write_text("right one\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("wrong one\n")
    return {"src": src, "good": good, "bad": bad}


def run(*args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_redact_restore_and_their_exit_codes(tmp_path: Path, files: dict[str, Path]) -> None:
    red = tmp_path / "red.png"
    r = run("redact", str(files["src"]), "-o", str(red), "--only", "face", "--box",
            "10,10,40,40", "--encrypt", "--passphrase-file", str(files["good"]), "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output.strip().splitlines()[-1])
    assert result["encrypted"] and result["regions"][0]["box"] == [10, 10, 40, 40]
    back = tmp_path / "back.png"
    assert run("restore", str(red), "-o", str(back), "--passphrase-file",
               str(files["bad"])).exit_code == 3
    assert not back.exists()
    r = run("restore", str(red), "-o", str(back), "--passphrase-env", "PS_PASS",
            env={"PS_PASS": "right one"})
    assert r.exit_code == 0 and back.exists()
    data = bytearray(red.read_bytes())
    data[data.index(b"psEc") + 60] ^= 0xFF
    (tmp_path / "t.png").write_bytes(bytes(data))
    assert run("restore", str(tmp_path / "t.png"), "-o", str(tmp_path / "t2.png"),
               "--passphrase-file", str(files["good"])).exit_code == 4
    assert run("restore", str(files["src"]), "-o", str(tmp_path / "t3.png"),
               "--passphrase-file", str(files["good"])).exit_code == 5


def test_restore_runs_in_a_bounded_process(tmp_path: Path, files: dict[str, Path]) -> None:
    """Issue 29, point 6: restore decoded in the CLI's own process, without bounds. It runs
    in a worker under --memory-mb (and --timeout): over the limit, a typed error, exit 1,
    nothing written; within it, the pixels come back."""
    red = tmp_path / "red.png"
    assert run("redact", str(files["src"]), "-o", str(red), "--only", "face", "--box",
               "10,10,40,40", "--encrypt", "--passphrase-file", str(files["good"])
               ).exit_code == 0
    back = tmp_path / "back.png"
    r = run("restore", str(red), "-o", str(back), "--passphrase-file", str(files["good"]),
            "--memory-mb", "200")
    assert r.exit_code == 1 and "memory" in r.output and not back.exists()
    r = run("restore", str(red), "-o", str(back), "--passphrase-file", str(files["good"]),
            "--memory-mb", "4096", "--timeout", "30")
    assert r.exit_code == 0 and back.exists()


def test_no_passphrase_on_the_command_line(files: dict[str, Path], tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["redact", str(files["src"]), "-o", str(tmp_path / "o.png"),
                                  "--encrypt", "--passphrase", "x"])
    assert r.exit_code == 2
    r = CliRunner().invoke(main, ["redact", str(files["src"]), "-o", str(tmp_path / "o.png"),
                                  "--encrypt"], input="")
    assert r.exit_code == 2 and "passphrase" in r.output


def test_redact_refuses_its_input_and_writes_nothing(files: dict[str, Path]) -> None:
    before = files["src"].read_bytes()
    r = run("redact", str(files["src"]), "-o", str(files["src"]), "--box", "1,1,5,5")
    assert r.exit_code == 1 and files["src"].read_bytes() == before


def test_several_inputs_into_a_directory_and_strip(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    r = run("strip", str(SAMPLES / "street-with-gps.jpg"), str(SAMPLES / "id-card-utopia.jpg"),
            "-o", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["id-card-utopia.clean.jpg",
                                                    "street-with-gps.clean.jpg"]


def test_vault_commands(tmp_path: Path, files: dict[str, Path]) -> None:
    r = run("vault", "lock", str(files["src"]), "--passphrase-file", str(files["good"]))
    assert r.exit_code == 0
    locked = Path(str(files["src"]) + ".age")
    assert run("vault", "unlock", str(locked), "--passphrase-file",
               str(files["good"])).exit_code == 1  # in.png exists: not overwritten
    files["src"].rename(tmp_path / "moved.png")
    assert run("vault", "unlock", str(locked), "--passphrase-file",
               str(files["bad"])).exit_code == 3
    assert run("vault", "unlock", str(locked), "--passphrase-file",
               str(files["good"])).exit_code == 0
    assert files["src"].read_bytes() == (tmp_path / "moved.png").read_bytes()


def test_a_rerun_into_a_directory_resumes(tmp_path: Path, files: dict[str, Path]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    second = tmp_path / "second.png"
    Image.new("RGB", (50, 50), "white").save(second)
    done = out / "in.redacted.png"
    done.write_bytes(b"finished before the crash")
    r = run("redact", str(files["src"]), str(second), "-o", str(out), "--box", "1,1,9,9")
    assert r.exit_code == 0, r.output
    assert done.read_bytes() == b"finished before the crash"  # not redone
    assert (out / "second.redacted.png").exists()


def test_redact_and_strip_have_the_bounds_of_analyze(tmp_path: Path) -> None:
    """Issue 15, break 11: `redact` on a 466 KB PNG of 119 MP used 4.5 GB and 24.7 s with no
    limit. With --memory-mb it runs out of memory in its bounded worker (a typed error),
    writes nothing, and the next file is still done. (Redaction loads the models: its worker
    needs more room than strip's.)"""
    big = tmp_path / "big.png"
    Image.new("L", (10900, 10900), 255).save(big)
    small = tmp_path / "small.png"
    Image.new("RGB", (80, 60), (200, 120, 40)).save(small)
    out = tmp_path / "out"
    out.mkdir()
    for command, memory in (("redact", "1500"), ("strip", "500")):
        r = run(command, str(big), str(small), "-o", str(out), "--memory-mb", memory)
        assert r.exit_code != 0, r.output
        # a typed error, whether the worker could still say it ran out of memory or ran out
        # so far (once, while importing the OCR) that it died before answering
        assert "out of memory" in r.output or "may exhaust memory" in r.output, r.output
        written = sorted(p.name for p in out.iterdir())
        assert not [n for n in written if n.startswith("big.")], written
        assert [n for n in written if n.startswith("small.")], written
