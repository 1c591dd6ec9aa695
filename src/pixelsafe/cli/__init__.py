"""The command line, ``pixelsafe``: a thin shell over the library. Each command lives in
one module of this package; the library's typed errors become messages and the exit
statuses of :class:`~pixelsafe.cli.common.ExitStatus`."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from .._version import __version__
from ..errors import PixelSafeError
from .analysis import analyze, scan
from .common import ExitStatus, err_console, fail
from .protect import redact, restore, strip, vault
from .service import doctor, phone_site, serve


class Program(click.Group):
    """The one error boundary of the command line (httpie's ``main``): Ctrl-C anywhere exits
    130 with a line on stderr instead of click's "Aborted!" and 1, and a typed library
    error that a command did not handle itself is its message and its exit status, never a
    traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            sys.exit(ExitStatus.INTERRUPTED)
        except PixelSafeError as exc:
            sys.exit(fail("pixelsafe", exc))


@click.group(cls=Program, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pixelsafe")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def main(verbose: int) -> None:
    """Find what a photo gives away before you share it. Everything runs on this machine."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for command in (analyze, scan, redact, restore, strip, vault, doctor, serve, phone_site):
    main.add_command(command)

__all__ = ["main"]
