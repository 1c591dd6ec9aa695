"""What every command shares: exit statuses, the error translation, progress bars and the
options of the analysing commands.

The library raises typed errors; here they become a message on stderr and an exit status.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..batch import Outcome
from ..detectors import registry
from ..errors import PixelSafeError, UnknownDetectorError

err_console = Console(stderr=True)


class ExitStatus(IntEnum):
    """Every exit status of ``pixelsafe`` (as httpie's ``ExitStatus``)."""

    OK = 0
    #: some file could not be analysed or written
    FAILED = 1
    #: the command line was wrong (click's own)
    USAGE = 2
    WRONG_PASSPHRASE = 3
    #: encrypted data failed authentication
    TAMPERED = 4
    NO_ENCRYPTED_PAYLOAD = 5
    #: the redacted output still showed a finding; nothing was written
    RESIDUAL_LEAK = 6
    #: stopped by Ctrl-C (128 + SIGINT, as a shell reports it)
    INTERRUPTED = 130

    @classmethod
    def of(cls, exc: PixelSafeError) -> ExitStatus:
        """The status that a library error gives: its class says (``exit_status``)."""
        return cls(exc.exit_status)


#: control characters (C0, DEL, C1) that a terminal would obey: ESC sequences clear the
#: screen, move the cursor or set the window title
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """Text for a human-readable output: rich markup escaped and every control character
    shown as a ``\\xNN`` escape, so that a file name cannot drive the terminal."""
    return _markup_escape(_CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text))


def fail(path: Path | str, exc: PixelSafeError) -> ExitStatus:
    """Say what went wrong with one file; return the status it gives."""
    err_console.print(f"[red]{escape(str(path))}[/]: {escape(exc.code)}: {escape(str(exc))}")
    return ExitStatus.of(exc)


def detector_names(value: str) -> tuple[str, ...]:
    """``--detectors``: names from the registry (``text`` stands for the OCR readers)."""
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    if not chosen:
        raise click.BadParameter(f"choose from {', '.join(registry.choices())}")
    try:
        return registry.expand(chosen)
    except UnknownDetectorError as exc:
        raise click.BadParameter(str(exc)) from exc


limit_options = [
    click.option("--timeout", type=click.FloatRange(1, 3600), default=60.0, show_default=True,
                 help="Seconds allowed per file before it is stopped."),
    click.option("--memory-mb", type=click.IntRange(0), default=8192, show_default=True,
                 help="Memory limit of the process that works on the files (0: none)."),
]

common_options = [
    click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
                 help="Analysis processes."),
    *limit_options,
    click.option("--detectors", default=",".join(registry.DEFAULT), show_default=True,
                 help="Comma-separated detectors to run (text: pii,documents,plates)."),
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
    from ..errors import VlmUrlError
    from ..vlm import VlmSettings

    try:
        return VlmSettings.from_env(url=ollama_url, model=vlm_model, timeout=vlm_timeout,
                                    keep_alive=vlm_keep_alive)
    except VlmUrlError as exc:
        raise click.BadParameter(str(exc), param_hint="--ollama-url") from exc


def with_common(fn: Any) -> Any:
    for option in reversed(common_options):
        fn = option(fn)
    return fn


def with_limits(fn: Any) -> Any:
    """--timeout and --memory-mb: the bounds of analysis, for commands that write files."""
    for option in reversed(limit_options):
        fn = option(fn)
    return fn


@contextmanager
def progress_bar(total: int, label: str, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    with _bars() as progress:
        yield progress, progress.add_task(label, total=total, current="", rate="")


def _bars() -> Progress:
    """Bars on stderr: files done of all, the rate, the time taken and left, the file."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                    TimeRemainingColumn(), TextColumn("{task.fields[current]}"),
                    console=err_console, transient=True)


#: the checking stage of a scan shows a bar from this many files
CHECK_BAR_FROM = 50


@contextmanager
def scan_progress() -> Iterator[Any]:
    """A scan's progress callback (:data:`pixelsafe.scanner.Progress`): a bar per stage."""
    with _bars() as progress:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int, current: str) -> None:
            if stage == "checking" and total <= CHECK_BAR_FROM:
                return
            task = tasks.get(stage)
            if task is None:
                task = tasks[stage] = progress.add_task(stage.capitalize(), total=total,
                                                        current="", rate="")
            progress.update(task, completed=done, current=Path(current).name[:40])
            elapsed = progress.tasks[task].elapsed or 0.0
            if stage == "analysing" and elapsed > 0:
                progress.update(task, rate=f"{done / elapsed:.2f} files/s")

        yield update


def advance(bar: Any, path: str | Path, steps: int = 1) -> None:
    if bar is not None:
        progress, task = bar
        progress.update(task, advance=steps, current=Path(path).name[:40])


def track(outcomes: Iterable[Outcome], bar: Any) -> Iterator[Outcome]:
    for outcome in outcomes:
        advance(bar, outcome.path)
        yield outcome
