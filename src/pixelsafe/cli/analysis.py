"""``pixelsafe analyze`` and ``pixelsafe scan``: exit 0 when every file was analysed,
1 when some file failed, 2 on a usage error (click's own)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from rich.console import Console
from rich.table import Table

from ..batch import Outcome, Settings, run
from ..errors import PixelSafeError
from ..fsutil import regular_inside
from ..policy import RISK_TITLES, action_title
from ..results import outcome_line, write_reports
from ..scanner import default_db, engine, walk_images
from ..store import Store
from .common import (
    ExitStatus,
    detector_names,
    escape,
    progress_bar,
    scan_progress,
    track,
    vlm_settings,
    with_common,
    with_vlm,
)

RISK_STYLE = {"low": "green", "medium": "yellow", "high": "dark_orange", "critical": "red"}


# ------------------------------------------------------------------------- output

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

def ray_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--ray``'s value: "local" (the flag alone), "auto", ``ray://host:port`` or
    ``host:port``."""
    if value is None or value in ("local", "auto") or value.startswith("ray://"):
        return value
    host, _, port = value.rpartition(":")
    if host and port.isdigit():
        return value
    raise click.BadParameter(f"{value!r} is not a Ray address: give auto, ray://HOST:PORT or "
                             "HOST:PORT, or --ray alone for a runtime on this machine "
                             "(the folder comes before --ray)")


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(),
              help="Write every report: as JSON Lines to this file, as Parquet to a *.parquet "
                   "file, or as JSON Lines parts of 10,000 lines to a folder (a path ending "
                   "in / or an existing folder).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Result cache (default: {default_db()}).")
@click.option("--quiet", is_flag=True, help="Print only the totals.")
@click.option("--ray", "ray", is_flag=False, flag_value="local", default=None,
              callback=ray_address, metavar="[ADDRESS]",
              help="Analyse on Ray: alone, a Ray runtime started on this machine; 'auto', the "
                   "cluster this machine joined with `ray start`; ray://HOST:PORT, a remote "
                   "cluster. --workers then counts actors (default: one per CPU).")
@with_common
@with_vlm
@click.pass_context
def scan(ctx: click.Context, directory: Path, output: str | None, db: Path | None,
         quiet: bool, ray: str | None, workers: int, timeout: float, memory_mb: int,
         detectors: str, **vlm: Any) -> None:
    """Scan a folder recursively; unchanged files are not analysed again."""
    from ..pipeline import pipeline_id
    from ..scanner import scan as scan_folder

    settings = Settings(detector_names(detectors), timeout, memory_mb, vlm=vlm_settings(**vlm))
    pipeline = pipeline_id(settings.detectors, settings.vlm)
    given = ctx.get_parameter_source("workers") is not ParameterSource.DEFAULT
    how = engine(settings, workers if given or ray is None else None, ray)
    try:
        with Store(db or default_db()) as store, scan_progress() as progress:
            result = scan_folder(directory, store, pipeline, how, progress)
    except PixelSafeError as exc:
        raise click.ClickException(str(exc)) from exc
    if output:
        try:
            write_reports(output, result.outcomes())
        except PixelSafeError as exc:
            raise click.ClickException(str(exc)) from exc
    console = Console()
    if not quiet and result.entries:
        console.print(results_table(list(result.outcomes()),
                                    title=f"PixelSafe scan of {escape(str(directory))}"))
    same = f", {result.copies} identical copies" if result.copies else ""
    console.print(f"{len(result.entries)} images: {result.analysed} analysed, "
                  f"{result.cached} from cache{same}, {result.failed} failed, "
                  f"{result.high} high or critical risk.")
    sys.exit(ExitStatus.FAILED if result.failed else ExitStatus.OK)
