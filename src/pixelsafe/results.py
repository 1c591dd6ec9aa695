"""A scan's reports written out: one JSON line per file, a folder of JSON Lines parts, or a
Parquet file, each written atomically (a reader never sees half a file, a crash leaves no
stray one).

The form follows the path: ``*.parquet`` a Parquet file (pyarrow, which Ray brings: a
column per headline field and the whole report as JSON text); a path ending in ``/`` or an
existing folder, JSON Lines parts of at most :data:`PART_LINES` lines each; anything else, one
JSON Lines file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from .batch import Outcome
from .errors import OutputFormatError
from .fsutil import default_mode, replacing, write_atomic

#: lines per part of a JSON Lines folder, rows per row group of a Parquet file
PART_LINES = 10_000


def error_line(path: str, error_type: str, message: str) -> dict[str, Any]:
    image: dict[str, Any] = {"path": path}
    try:
        image["bytes"] = Path(path).stat().st_size
    except OSError:
        pass
    return {"image": image, "error": {"type": error_type, "message": message}}


def outcome_line(outcome: Outcome) -> dict[str, Any]:
    """An outcome as the JSON a scan writes: the report, or the file and its error."""
    if outcome.report is not None:
        return outcome.report.to_dict()
    return error_line(outcome.path, outcome.error_type or "error", outcome.error_message or "")


def _json(outcome: Outcome) -> str:
    return json.dumps(outcome_line(outcome), ensure_ascii=False)


def write_reports(where: str | os.PathLike[str], outcomes: Iterable[Outcome]) -> None:
    """Write ``outcomes`` to ``where`` in the form the path asks for (see the module): a
    folder is told by a trailing separator, which only a string keeps."""
    path = Path(where)
    if path.suffix.lower() == ".parquet":
        _parquet(path, outcomes)
    elif os.fspath(where).endswith(os.sep) or path.is_dir():
        _parts(path, outcomes)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, ((_json(o) + "\n").encode("utf-8") for o in outcomes))


def _chunks(outcomes: Iterable[Outcome]) -> Iterator[list[Outcome]]:
    it = iter(outcomes)
    while chunk := list(islice(it, PART_LINES)):
        yield chunk


def _parts(folder: Path, outcomes: Iterable[Outcome]) -> None:
    """``part-00000.jsonl``, ... in ``folder``: written in a new folder beside it, which then
    takes its place (the old parts go only once the new ones are all there)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for number, chunk in enumerate(_chunks(outcomes)):
            write_atomic(new / f"part-{number:05}.jsonl",
                         "".join(_json(o) + "\n" for o in chunk).encode("utf-8"))
        os.chmod(new, default_mode(folder=True))
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / folder.name)
            os.replace(new, folder)
            shutil.rmtree(old)
        else:
            os.replace(new, folder)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def _parquet(path: Path, outcomes: Iterable[Outcome]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise OutputFormatError(f"{path}: writing Parquet needs pyarrow (pip install "
                                "'pixelsafe[ray]')") from exc
    schema = pa.schema([("path", pa.string()), ("sha256", pa.string()),
                        ("privacy_score", pa.int8()), ("risk_level", pa.string()),
                        ("error_type", pa.string()), ("error_message", pa.string()),
                        ("report", pa.string())])
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp, pq.ParquetWriter(tmp, schema) as writer:
        for chunk in _chunks(outcomes):
            rows = [_row(o) for o in chunk]
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))


def _row(outcome: Outcome) -> dict[str, Any]:
    report = outcome.report
    return {"path": outcome.path,
            "sha256": report.image.sha256 if report else None,
            "privacy_score": report.privacy_score if report else None,
            "risk_level": report.risk_level.value if report else None,
            "error_type": None if report else outcome.error_type or "error",
            "error_message": None if report else outcome.error_message or "",
            "report": _json(outcome) if report else None}
