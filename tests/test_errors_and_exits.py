"""Issue 28, point 6: every typed error has its HTTP status and its exit status in one place
(its class); the CLI has one error boundary, and Ctrl-C exits 130."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from pixelsafe import errors
from pixelsafe.cli import main
from pixelsafe.cli.common import ExitStatus


def every_error() -> list[type[errors.PixelSafeError]]:
    import pixelsafe.web.library
    import pixelsafe.web.serving  # noqa: F401  (their errors join the tree)

    found, todo = [], [errors.PixelSafeError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_typed_error_has_an_http_status_and_an_exit_status() -> None:
    for cls in every_error():
        assert 400 <= cls.http_status <= 599, cls
        assert cls.exit_status in set(ExitStatus), cls
    # the three that reached the web as 500
    assert errors.VlmError.http_status == 502 and errors.VlmTimeoutError.http_status == 504
    assert errors.StoreError.http_status == 503
    assert errors.UnknownDetectorError.http_status == 400
    assert ExitStatus.of(errors.TamperedError("x")) is ExitStatus.TAMPERED
    assert ExitStatus.of(errors.UnknownDetectorError("x")) is ExitStatus.USAGE


@pytest.mark.parametrize(("error", "status"), [
    (errors.StoreError("the database is locked"), 503),
    (errors.VlmUnreachableError("no Ollama on 127.0.0.1:11434"), 502),
    (errors.UnknownDetectorError("no detector 'x'"), 400)])
def test_the_api_answers_a_typed_error_with_its_status(tmp_path, monkeypatch, error, status):
    from webutil import library_with, make_app, shutdown

    from pixelsafe.web import library as lib

    app = make_app(library_with(tmp_path / "lib"), START_WORKER=False)
    try:
        def broken(*args, **kwargs):
            raise error

        monkeypatch.setattr(lib, "list_images", broken)
        response = app.test_client().get("/api/images")
        assert response.status_code == status
        assert response.get_json()["error"] == {"type": error.code, "message": str(error),
                                                "status": status}
    finally:
        shutdown(app)


def test_a_typed_error_no_command_handled_is_a_message_not_a_traceback(monkeypatch) -> None:
    import pixelsafe.models

    def broken():
        raise errors.ModelHashError("centerface.onnx has another SHA-256")

    monkeypatch.setattr(pixelsafe.models, "check_all", broken)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == ExitStatus.FAILED
    assert isinstance(result.exception, SystemExit)  # not the error itself
    assert "model_hash_mismatch: centerface.onnx has another SHA-256" in result.stderr


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path) -> None:
    for i in range(60):
        shutil.copyfile(SAMPLES / "crowd-maksssksksss373.png", tmp_path / f"p{i:02d}.png")
    exe = Path(sys.executable).with_name("pixelsafe")
    proc = subprocess.Popen([str(exe), "analyze", "--json", "--workers", "1", "--detectors",
                             "faces", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the first report: it is working
        assert first.startswith("{")
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == ExitStatus.INTERRUPTED == 130, err
    assert "interrupted" in err and "Traceback" not in err and "Aborted" not in err
    assert len(out.splitlines()) < 59  # it stopped
