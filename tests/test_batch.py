"""The supervisor kills a worker that overruns its budget and replaces a dead one."""

from __future__ import annotations

from conftest import SAMPLES

from pixelsafe import batch


def test_hung_and_dead_workers_become_errors(monkeypatch, tmp_path):
    # A FIFO with no writer: opening it blocks forever, like a decoder that hangs.
    import os

    fifo = tmp_path / "hang.jpg"
    os.mkfifo(fifo)
    monkeypatch.setattr(batch, "STARTUP_GRACE", 30.0)
    paths = [str(SAMPLES / "street-with-gps.jpg"), str(fifo), str(SAMPLES / "id-card-utopia.jpg")]
    outcomes = sorted(batch.run(paths, batch.Settings(timeout=3), workers=1),
                      key=lambda o: o.index)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].error_type == "timeout" and "longer than 3 s" in outcomes[1].error_message


def test_memory_limit_kills_only_that_file(tmp_path):
    # Under a tiny address-space limit the worker cannot even start: every file fails
    # with a resource error, and the batch still ends.
    paths = [str(SAMPLES / "street-with-gps.jpg")] * 2
    outcomes = list(batch.run(paths, batch.Settings(timeout=20, memory_mb=64), workers=1))
    assert len(outcomes) == 2 and all(o.error_type == "resource_limit" for o in outcomes)
