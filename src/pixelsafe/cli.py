"""Command line: ``pixelsafe analyze`` and ``pixelsafe scan``.

The library raises typed errors; here they become messages and exit codes:
0 every file analysed, 1 some file failed, 2 usage error (click's own).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .batch import Outcome, Settings, run
from .errors import PixelSafeError
from .fsutil import write_atomic
from .imageio import IMAGE_SUFFIXES, sha256_file
from .pipeline import DETECTOR_NAMES as DETECTORS
from .store import Failure, Store

EXIT_OK, EXIT_FAILED = 0, 1
RISK_STYLE = {"low": "green", "medium": "yellow", "high": "dark_orange", "critical": "red"}

err_console = Console(stderr=True)


def default_db() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pixelsafe" / "scan.db"


def _detectors(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in DETECTORS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(DETECTORS)}")
    return chosen


common_options = [
    click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
                 help="Analysis processes."),
    click.option("--timeout", type=click.FloatRange(1, 3600), default=60.0, show_default=True,
                 help="Seconds allowed per file before it is stopped."),
    click.option("--memory-mb", type=click.IntRange(0), default=8192, show_default=True,
                 help="Memory limit per analysis process (0: none)."),
    click.option("--detectors", default=",".join(DETECTORS), show_default=True,
                 help="Comma-separated detectors to run."),
]

vlm_options = [
    click.option("--vlm", is_flag=True,
                 help="Also ask the local VLM (Ollama) about children, screens, settings and "
                      "places."),
    click.option("--ollama-url", help="Ollama's URL (default: $PIXELSAFE_OLLAMA_URL or "
                                      "http://127.0.0.1:11434)."),
    click.option("--vlm-model", help="Ollama model (default: $PIXELSAFE_VLM_MODEL or "
                                     "qwen2.5vl:3b)."),
    click.option("--vlm-timeout", type=click.FloatRange(1, 3600),
                 help="Seconds for one VLM answer (default: $PIXELSAFE_VLM_TIMEOUT or 300)."),
    click.option("--vlm-keep-alive",
                 help="How long Ollama keeps the model loaded (default: 10m)."),
]


VLM_KEYS = ("ollama_url", "vlm_model", "vlm_timeout", "vlm_keep_alive")


def with_vlm(fn: Any) -> Any:
    for option in reversed(vlm_options):
        fn = option(fn)
    return fn


def vlm_settings(vlm: bool, ollama_url: str | None, vlm_model: str | None,
                 vlm_timeout: float | None, vlm_keep_alive: str | None) -> Any:
    """The VLM's settings when --vlm is given (flags over environment over defaults)."""
    if not vlm:
        return None
    from .vlm import VlmSettings

    return VlmSettings.from_env(url=ollama_url, model=vlm_model, timeout=vlm_timeout,
                                keep_alive=vlm_keep_alive)


def with_common(fn: Any) -> Any:
    for option in reversed(common_options):
        fn = option(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pixelsafe")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def main(verbose: int) -> None:
    """Find what a photo gives away before you share it. Everything runs on this machine."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


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
    for o in rows:
        name = escape(o.path)
        if o.report is None:
            table.add_row(name, "-", "[red]error[/]", "-",
                          escape(f"{o.error_type}: {o.error_message}"))
            continue
        r = o.report
        style = RISK_STYLE.get(r.risk_level.value, "white")
        table.add_row(name, str(r.privacy_score), f"[{style}]{r.risk_level.value}[/]",
                      str(r.summary.faces), escape(r.explanation))
    return table


@contextmanager
def progress_bar(total: int, label: str, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.fields[current]}"),
                  console=err_console, transient=True) as progress:
        yield progress, progress.add_task(label, total=total, current="")


def advance(bar: Any, path: str | Path) -> None:
    if bar is not None:
        progress, task = bar
        progress.update(task, advance=1, current=Path(path).name[:40])


def track(outcomes: Iterable[Outcome], bar: Any) -> Iterator[Outcome]:
    for outcome in outcomes:
        advance(bar, outcome.path)
        yield outcome


def atomic_write_lines(path: Path, lines: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, ((line + "\n").encode("utf-8") for line in lines))


# ------------------------------------------------------------------------ analyze

@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON report per line, in input order.")
@with_common
@with_vlm
def analyze(paths: tuple[Path, ...], as_json: bool, workers: int, timeout: float,
            memory_mb: int, detectors: str, **vlm: Any) -> None:
    """Analyse image files and print what each one gives away."""
    settings = Settings(_detectors(detectors), timeout, memory_mb, vlm=vlm_settings(**vlm))
    names = [str(p) for p in paths]
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
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


# --------------------------------------------------------------------------- scan

def walk_images(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES:
                found.append(Path(dirpath) / name)
    return found


def check_files(store: Store, files: list[Path], pipeline: str
                ) -> tuple[dict[int, Outcome], list[tuple[int, Path, str]], int]:
    """Split files into finished outcomes (from the cache, or unreadable) and the
    (index, path, sha256) still to analyse; also count the cache hits. A file whose size
    and mtime are unchanged is not hashed again."""
    results: dict[int, Outcome] = {}
    todo: list[tuple[int, Path, str]] = []
    cached = 0
    with progress_bar(len(files), "Checking", len(files) > 50) as bar:
        for index, path in enumerate(files):
            advance(bar, path)
            try:
                st = path.stat()
                key = str(path.resolve())
                sha = store.known_hash(key, st.st_size, st.st_mtime_ns)
                if sha is None:
                    sha = sha256_file(path)
                    store.remember_file(key, st.st_size, st.st_mtime_ns, sha)
            except OSError as exc:
                results[index] = Outcome(index, str(path), error_type="input_error",
                                         error_message=f"{path}: {exc.strerror or exc}")
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


@main.command()
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
    from .pipeline import pipeline_id

    settings = Settings(_detectors(detectors), timeout, memory_mb, vlm=vlm_settings(**vlm))
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
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


from . import cli_protect  # noqa: E402,F401  (registers redact, restore, strip, vault)


@main.command()
@with_vlm
def doctor(**vlm: Any) -> None:
    """Check the models (files and SHA-256) and the optional VLM (Ollama, model, vision).

    Exits 1 when a model is missing or altered; a VLM problem only with --vlm, which says
    that you mean to use it."""
    from .models import check_all

    console = Console()
    failed = False
    for name, ok, message in check_all():
        failed |= not ok
        console.print(f"{'[green]ok[/]' if ok else '[red]FAIL[/]'}  {name}: {escape(message)}")
    from .vlm import Vlm

    settings = vlm_settings(True, *(vlm[k] for k in VLM_KEYS))
    status = Vlm(settings).status()
    mark = "[green]ok[/]" if status.ok else ("[red]FAIL[/]" if vlm["vlm"] else "[yellow]--[/]")
    optional = "" if status.ok or vlm["vlm"] else " (optional: the detectors work without it)"
    console.print(f"{mark}  VLM {escape(settings.tag)} at {escape(settings.url)}: "
                  f"{escape(status.message)}{optional}")
    sys.exit(EXIT_FAILED if failed or (vlm["vlm"] and not status.ok) else EXIT_OK)


@main.command()
@click.option("--library", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of photos (default: the bundled samples, or $PIXELSAFE_LIBRARY).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite database (default: LIBRARY/.pixelsafe/library.db).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback needs --allow-remote.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--allow-remote", is_flag=True,
              help="Allow a non-loopback --host: anyone who reaches it sees your photos.")
@click.option("--max-upload-mb", default=100, show_default=True, type=click.IntRange(1, 256))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Request threads of the WSGI server.")
@with_vlm
def serve(library: Path | None, db: Path | None, host: str, port: int, allow_remote: bool,
          max_upload_mb: int, threads: int, **vlm: Any) -> None:
    """Run the gallery web app (waitress) on http://HOST:PORT."""
    import waitress

    from .web import create_app, shutdown
    from .web.security import LOOPBACK_HOSTS, host_name

    if host_name(host) not in LOOPBACK_HOSTS:
        if not allow_remote:
            raise click.UsageError(f"--host {host} is not loopback: the gallery would be open "
                                   "to your network. Add --allow-remote if you mean it.")
        err_console.print(f"[bold red]warning:[/] serving on {escape(host)}: anyone who can reach "
                  "this address can see and change your library.")
    try:
        app = create_app({"LIBRARY": library, "DB": db, "HOST": host,
                          "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024,
                          "VLM": vlm_settings(True, *(vlm[k] for k in VLM_KEYS)),
                          "VLM_ENABLED": vlm["vlm"]})
    except PixelSafeError as exc:
        raise click.ClickException(str(exc)) from exc
    shown = f"[{host}]" if ":" in host else host
    err_console.print(f"PixelSafe gallery of {escape(app.config['LIBRARY'])} on "
              f"[bold]http://{escape(shown)}:{port}/[/] (Ctrl+C stops)")
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="PixelSafe",
                       _quiet=True)
    finally:
        shutdown(app)

if __name__ == "__main__":
    main()
