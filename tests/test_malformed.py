"""Every file of the malformed corpus gives a typed error or a report within 10 s."""

from __future__ import annotations

import time

from conftest import EVAL, needs_shared

from pixelsafe import errors
from pixelsafe.batch import Settings, run
from pixelsafe.pipeline import Analyzer

MALFORMED = sorted(p for p in (EVAL / "malformed").rglob("*") if p.is_file())
TYPED = {cls.code for cls in vars(errors).values()
         if isinstance(cls, type) and issubclass(cls, errors.PixelSafeError)}


@needs_shared
def test_corpus_is_present():
    assert len(MALFORMED) >= 190


@needs_shared
def test_every_malformed_file_fails_cleanly_or_reports():
    started = time.monotonic()
    outcomes = list(run([str(p) for p in MALFORMED], Settings(timeout=10), workers=2))
    assert sorted(o.index for o in outcomes) == list(range(len(MALFORMED)))
    reports = [o for o in outcomes if o.ok]
    failures = [o for o in outcomes if not o.ok]
    assert all(o.error_type in TYPED for o in failures), {o.error_type for o in failures}
    # Nothing needed the supervisor: no decoder hung or crashed its process.
    assert not [o for o in failures if o.error_type in ("timeout", "resource_limit")]
    assert reports and failures
    assert time.monotonic() - started < 10 * 20  # 193 files, far below 10 s each


def test_in_process_each_file_is_fast(analyzer: Analyzer):
    """The library itself (no supervisor) also never hangs or raises an untyped error."""
    for path in MALFORMED:
        t0 = time.monotonic()
        try:
            analyzer.analyze(path)
        except errors.PixelSafeError:
            pass
        assert time.monotonic() - t0 < 10, path
