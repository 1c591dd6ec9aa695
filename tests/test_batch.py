"""The supervisor kills a worker that overruns its budget and replaces a dead one."""

from __future__ import annotations

from conftest import SAMPLES

from pixelsafe import batch


def test_hung_and_dead_workers_become_errors(monkeypatch, tmp_path):
    # 48 MP of noise takes far longer than 3 s to analyse (6 s here: text-like everywhere,
    # so the OCR gate lets the whole image through), like a decoder that hangs (a FIFO no
    # longer does: only regular files are opened). A uniform 100 MP image no longer did:
    # the gates made it 3.4 s.
    import numpy as np
    from PIL import Image

    slow = tmp_path / "slow.png"
    noise = np.random.default_rng(0).integers(0, 256, (6000, 8000), dtype=np.uint8)
    Image.fromarray(noise).save(slow, compress_level=1)
    monkeypatch.setattr(batch, "STARTUP_GRACE", 30.0)
    paths = [str(SAMPLES / "street-with-gps.jpg"), str(slow), str(SAMPLES / "id-card-utopia.jpg")]
    outcomes = sorted(batch.run(paths, batch.Settings(timeout=3), workers=1),
                      key=lambda o: o.index)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].error_type == "timeout" and "longer than 3 s" in outcomes[1].error_message


def test_memory_limit_kills_only_that_file(tmp_path):
    """A 100 MP image exhausts a 1000 MiB worker; the files before and after it are
    analysed (the worker that ran out of memory retires and a fresh one takes over: before
    that, the next file failed too)."""
    from PIL import Image

    big = tmp_path / "big.png"
    Image.new("RGB", (10_000, 10_000), "gray").save(big, compress_level=1)
    small = str(SAMPLES / "street-with-gps.jpg")
    outcomes = sorted(batch.run([small, str(big), small], batch.Settings(
        detectors=("faces",), timeout=60, memory_mb=1000), workers=1), key=lambda o: o.index)
    assert [o.ok for o in outcomes] == [True, False, True], outcomes
    assert outcomes[1].error_type == "resource_limit"
    assert "out of memory" in (outcomes[1].error_message or "")


def test_a_worker_that_cannot_start_fails_every_file_and_the_batch_ends():
    # Under a tiny address-space limit the worker cannot even start: every file fails
    # with a resource error, and the batch still ends.
    paths = [str(SAMPLES / "street-with-gps.jpg")] * 2
    outcomes = list(batch.run(paths, batch.Settings(timeout=20, memory_mb=64), workers=1))
    assert len(outcomes) == 2 and all(o.error_type == "resource_limit" for o in outcomes)
