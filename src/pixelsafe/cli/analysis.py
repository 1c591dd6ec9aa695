"""``pixelsafe analyze`` and ``pixelsafe scan``: exit 0 when every file was analysed,
1 when some file failed, 2 on a usage error (click's own)."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..batch import Outcome, Settings, run
from ..errors import PixelSafeError
from ..fsutil import cache_home, regular_inside, write_atomic
from ..imageio import DEFAULT_LIMITS, IMAGE_SUFFIXES, sha256_file
from ..policy import RISK_TITLES, action_title
from ..store import Failure, Store
from .common import (
    ExitStatus,
    advance,
    detector_names,
    escape,
    progress_bar,
    track,
    vlm_settings,
    with_common,
    with_vlm,
)

RISK_STYLE = {"low": "green", "medium": "yellow", "high": "dark_orange", "critical": "red"}

def default_db() -> Path:
    return cache_home() / "scan.db"


# ------------------------------------------------------------------------- output

def error_line(path: str, error_type: str, message: str) -> dict[str, Any]:
    image: dict[str, Any] = {"path": path}
    try:
        image["bytes"] = Path(path).stat().st_size
    except OSError:
        pass
    return {"image": image, "error": {"type": error_type, "message": message}}


def outcome_line(outcome: Outcome) -> dict[str, Any]:
    if outcome.report is not None:
        return outcome.report.to_dict()
    return error_line(outcome.path, outcome.error_type or "error", outcome.error_message or "")


def in_order(outcomes: Iterable[Outcome]) -> Iterator[Outcome]:
    """Re-order completion-order outcomes into input order, streaming."""
    pending: dict[int, Outcome] = {}
    nxt = 0
    for outcome in outcomes:
        pending[outcome.index] = outcome
        while nxt in pending:
            yield pending.pop(nxt)
            nxt += 1


def results_table(rows: list[Outcome], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("File", overflow="fold")
    table.add_column("Score", justify="right")
    table.add_column("Risk")
    table.add_column("Faces", justify="right")
    table.add_column("What it gives away", overflow="fold")
    table.add_column("What to do", overflow="fold")
    for o in rows:
        name = escape(o.path)
        if o.report is None:
            table.add_row(name, "-", "[red]error[/]", "-",
                          escape(f"{o.error_type}: {o.error_message}"), "")
            continue
        r = o.report
        style = RISK_STYLE.get(r.risk_level.value, "white")
        table.add_row(name, str(r.privacy_score),
                      f"[{style}]{RISK_TITLES[r.risk_level]}[/]",
                      str(r.summary.faces), escape(r.explanation),
                      escape(action_title(r.recommended_action)))
    return table


def atomic_write_lines(path: Path, lines: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, ((line + "\n").encode("utf-8") for line in lines))


# ------------------------------------------------------------------------ analyze

@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON report per line, in input order.")
@with_common
@with_vlm
def analyze(paths: tuple[Path, ...], as_json: bool, workers: int, timeout: float,
            memory_mb: int, detectors: str, **vlm: Any) -> None:
    """Analyse image files and print what each one gives away. A folder gives its photos,
    recursively, as `scan` finds them (`scan` also caches and resumes)."""
    settings = Settings(detector_names(detectors), timeout, memory_mb, vlm=vlm_settings(**vlm))
    names = [str(f) for p in paths
             for f in ([f for f in walk_images(p) if regular_inside(f, p)] if p.is_dir()
                       else [p])]
    failed = False
    rows: list[Outcome] = []
    show_bar = not as_json and len(names) > 1
    with progress_bar(len(names), "Analysing", show_bar) as bar:
        for outcome in in_order(track(run(names, settings, workers), bar)):
            failed |= not outcome.ok
            if as_json:
                click.echo(json.dumps(outcome_line(outcome), ensure_ascii=False))
            else:
                rows.append(outcome)
    if not as_json:
        Console().print(results_table(rows))
    sys.exit(ExitStatus.FAILED if failed else ExitStatus.OK)


# --------------------------------------------------------------------------- scan

def walk_images(root: Path, skip: Path | None = None) -> list[Path]:
    """The image files below ``root`` (by suffix; hidden files and folders left out), and
    not below ``skip`` (an output folder inside the input)."""
    found = []
    skipped = skip.resolve() if skip is not None else None
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (Path(dirpath) / d).resolve() != skipped)
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES:
                found.append(Path(dirpath) / name)
    return found


#: the checking bar moves this many files at a time
PROGRESS_STEP = 64


def _resolved(path: Path, folders: dict[Path, str]) -> str:
    """The file's real path, its key in the store: its folder resolved once per folder
    (``folders`` keeps them), a link resolved itself. The same file reached through a
    linked folder has the same key."""
    if path.is_symlink():
        return str(path.resolve())
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = str(path.parent.resolve())
    return os.path.join(folder, path.name)


def check_files(store: Store, files: list[Path], pipeline: str
                ) -> tuple[dict[int, Outcome], list[tuple[int, Path, str]], int]:
    """Split files into finished outcomes (from the cache, or unreadable) and the
    (index, path, sha256) still to analyse; also count the cache hits. A file whose size
    and mtime are unchanged is not hashed again."""
    results: dict[int, Outcome] = {}
    todo: list[tuple[int, Path, str]] = []
    cached = 0
    folders: dict[Path, str] = {}
    with progress_bar(len(files), "Checking", len(files) > 50) as bar:
        for index, path in enumerate(files):
            if index % PROGRESS_STEP == 0:  # a bar drawn per file cost more than the check
                advance(bar, path, min(PROGRESS_STEP, len(files) - index))
            try:
                st = path.stat()
                if not stat.S_ISREG(st.st_mode):
                    # a FIFO would block the hash, a link to /dev/zero would never end
                    results[index] = Outcome(
                        index, str(path), error_type="input_error",
                        error_message=f"{path}: not a regular file (a FIFO, a device or "
                                      "a socket)")
                    continue
                key = _resolved(path, folders)
                sha = store.known_hash(key, st.st_size, st.st_mtime_ns)
                if sha is None:  # checked through the descriptor it is hashed from
                    sha = sha256_file(path, max_bytes=DEFAULT_LIMITS.max_bytes)
                    store.remember_file(key, st.st_size, st.st_mtime_ns, sha)
            except OSError as exc:
                results[index] = Outcome(index, str(path), error_type="input_error",
                                         error_message=f"{path}: {exc.strerror or exc}")
                continue
            except PixelSafeError as exc:  # not a regular file, or over the size limit
                results[index] = Outcome(index, str(path), error_type=exc.code,
                                         error_message=str(exc))
                continue
            report = store.report(sha, pipeline)
            failure = None if report else store.failure(sha, pipeline)
            if report is not None:
                results[index] = Outcome(index, str(path), report=report.with_path(str(path)))
            elif failure is not None:
                results[index] = Outcome(index, str(path), error_type=failure.type,
                                         error_message=failure.message)
            else:
                todo.append((index, path, sha))
                continue
            cached += 1
    return results, todo, cached


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every report as JSON Lines to this file.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Result cache (default: {default_db()}).")
@click.option("--quiet", is_flag=True, help="Print only the totals.")
@with_common
@with_vlm
def scan(directory: Path, output: Path | None, db: Path | None, quiet: bool, workers: int,
         timeout: float, memory_mb: int, detectors: str, **vlm: Any) -> None:
    """Scan a folder recursively; unchanged files are not analysed again."""
    from ..pipeline import pipeline_id

    settings = Settings(detector_names(detectors), timeout, memory_mb, vlm=vlm_settings(**vlm))
    pipeline = pipeline_id(settings.detectors, settings.vlm)
    files = walk_images(directory)
    try:
        store = Store(db or default_db())
    except PixelSafeError as exc:
        raise click.ClickException(str(exc)) from exc
    with store:
        results, todo, cached_count = check_files(store, files, pipeline)
        # Identical content is analysed once, whatever the number of copies.
        copies: dict[str, list[tuple[int, Path]]] = {}
        for index, path, sha in todo:
            copies.setdefault(sha, []).append((index, path))
        unique = list(copies)
        with progress_bar(len(unique), "Scanning", bool(unique)) as bar:
            outcomes = run([str(copies[sha][0][1]) for sha in unique], settings, workers)
            for outcome in track(outcomes, bar):
                sha = unique[outcome.index]
                if outcome.report is not None:
                    store.save_report(outcome.report, pipeline)
                elif outcome.error_type not in ("timeout", "resource_limit"):
                    # input errors are a property of the bytes: do not retry them
                    store.save_failure(sha, pipeline, Failure(outcome.error_type or "error",
                                                              outcome.error_message or ""))
                for index, path in copies[sha]:
                    report = outcome.report.with_path(str(path)) if outcome.report else None
                    results[index] = Outcome(index, str(path), report, outcome.error_type,
                                             outcome.error_message)
    ordered = [results[i] for i in sorted(results)]
    if output:
        atomic_write_lines(output, (json.dumps(outcome_line(o), ensure_ascii=False)
                                    for o in ordered))
    failed = sum(1 for o in ordered if not o.ok)
    console = Console()
    if not quiet and ordered:
        console.print(results_table(ordered, title=f"PixelSafe scan of {escape(str(directory))}"))
    high = sum(1 for o in ordered if o.report and o.report.privacy_score >= 4)
    same = f", {len(todo) - len(unique)} identical copies" if len(todo) > len(unique) else ""
    console.print(f"{len(ordered)} images: {len(unique)} analysed, "
                  f"{cached_count} from cache{same}, {failed} failed, "
                  f"{high} high or critical risk.")
    sys.exit(ExitStatus.FAILED if failed else ExitStatus.OK)


