"""The command line, ``pixelsafe``: a thin shell over the library. Each command lives in
one module of this package; the library's typed errors become messages and the exit
statuses of :class:`~pixelsafe.cli.common.ExitStatus`."""

from __future__ import annotations

import logging

import click

from .. import __version__
from .analysis import analyze, scan
from .protect import redact, restore, strip, vault
from .service import doctor, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pixelsafe")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def main(verbose: int) -> None:
    """Find what a photo gives away before you share it. Everything runs on this machine."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for command in (analyze, scan, redact, restore, strip, vault, doctor, serve):
    main.add_command(command)

__all__ = ["main"]
