"""CLI for protection: redact, restore, strip, vault lock/unlock.

A passphrase never comes from the command line: ``--passphrase-file F`` (its first line),
``--passphrase-env VAR``, or a hidden prompt when stdin is a terminal. It is never stored.
Exit statuses: :class:`~pixelsafe.cli.common.ExitStatus`.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..errors import PixelSafeError
from ..policy import MAX_MANUAL_BOXES, STYLES, kind_named
from ..report import Box, Kind
from .common import ExitStatus, advance, escape, fail, progress_bar, with_limits


def passphrase_options(fn: Any) -> Any:
    fn = click.option("--passphrase-env", metavar="VAR",
                      help="Read the passphrase from this environment variable.")(fn)
    fn = click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False,
                                                           path_type=Path),
                      help="Read the passphrase from the first line of this file.")(fn)
    return fn


def read_passphrase(file: Path | None, env: str | None, confirm: bool = False) -> str:
    if file is not None and env is not None:
        raise click.UsageError("give --passphrase-file or --passphrase-env, not both")
    if file is not None:
        lines = file.read_text(encoding="utf-8").splitlines()
        value = lines[0] if lines else ""
    elif env is not None:
        if env not in os.environ:
            raise click.UsageError(f"environment variable {env} is not set")
        value = os.environ[env]
    elif sys.stdin.isatty():
        value = click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm,
                             err=True)
    else:
        raise click.UsageError("a passphrase is needed: use --passphrase-file or "
                               "--passphrase-env (never the command line)")
    if not value:
        raise click.UsageError("the passphrase is empty")
    return value


def parse_box(value: str) -> Box:
    try:
        x1, y1, x2, y2 = (int(float(v)) for v in value.split(","))
        return Box(x1, y1, x2, y2)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: expected x1,y1,x2,y2 with x2>x1 and y2>y1"
                                 ) from exc


def parse_kinds(value: str | None) -> frozenset[Kind] | None:
    if not value:
        return None
    out = set()
    for name in (v.strip() for v in value.split(",") if v.strip()):
        kind = kind_named(name)
        if kind is None:
            raise click.BadParameter(f"unknown kind {name!r}; choose from "
                                     + ", ".join(k.value for k in Kind))
        out.add(kind)
    return frozenset(out)


def output_for(src: Path, out: Path, many: bool, tag: str) -> Path:
    """OUT is a file for one input, or a directory (required for several inputs)."""
    if out.is_dir() or many:
        if not out.is_dir():
            raise click.UsageError(f"{out} must be an existing directory for several inputs")
        suffix = ".heic" if src.suffix.lower() in (".heic", ".heif", ".hif") else src.suffix
        return out / f"{src.stem}.{tag}{suffix.lower()}"
    return out


@click.command()
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="Output file, or a directory (required for several inputs).")
@click.option("--style", type=click.Choice(list(STYLES)),
              default="auto", show_default=True,
              help="Faces: blur or pixelate or fill. Text, plates and codes are always filled.")
@click.option("--only", "only", metavar="KIND,...",
              help="Redact only these kinds (face, personal_text, license_plate, barcode, "
                   "document).")
@click.option("--keep", metavar="ID,...", default="", help="Finding ids to leave visible.")
@click.option("--box", "boxes", multiple=True, metavar="x1,y1,x2,y2",
              help="An extra region to redact (repeatable).")
@click.option("--encrypt", is_flag=True,
              help="Keep the original pixels of each region, encrypted, inside the output.")
@passphrase_options
@click.option("--keep-icc", is_flag=True, help="Keep the ICC colour profile.")
@click.option("--no-verify", is_flag=True, help="Skip re-analysing the output (not advised).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
@click.option("--json", "as_json", is_flag=True, help="One JSON result per line.")
@with_limits
def redact(inputs: tuple[Path, ...], output: Path, style: str, only: str | None, keep: str,
           boxes: tuple[str, ...], encrypt: bool, passphrase_file: Path | None,
           passphrase_env: str | None, keep_icc: bool, no_verify: bool, overwrite: bool,
           as_json: bool, timeout: float, memory_mb: int) -> None:
    """Write redacted copies of photos. Originals are never touched; every output is
    re-analysed and refused if something that was to be hidden is still found. Each file
    is worked on in a process bounded by --timeout and --memory-mb."""
    from ..protect import RedactOptions
    from ..protect.bounded import Bounded

    passphrase = read_passphrase(passphrase_file, passphrase_env, confirm=True) \
        if encrypt else None
    if (passphrase_file or passphrase_env) and not encrypt:
        raise click.UsageError("a passphrase is only used with --encrypt")
    if len(boxes) > MAX_MANUAL_BOXES:
        raise click.UsageError(f"at most {MAX_MANUAL_BOXES} --box options")
    options = RedactOptions(style=style, only=parse_kinds(only),
                            keep=frozenset(k.strip() for k in keep.split(",") if k.strip()),
                            boxes=[parse_box(b) for b in boxes], passphrase=passphrase,
                            keep_icc=keep_icc, verify=not no_verify, overwrite=overwrite)
    code = ExitStatus.OK
    console = Console()
    with progress_bar(len(inputs), "redact", not as_json and len(inputs) > 1) as bar, \
            Bounded(timeout, memory_mb) as bounded:
        for src in inputs:
            dst = output_for(src, output, len(inputs) > 1, "redacted")
            if dst != output and dst.exists() and not overwrite:
                # into a directory: outputs are written atomically, so one that exists is
                # complete — a rerun after a crash resumes without redoing it
                console.print(f"{escape(str(src))}: {escape(str(dst))} already exists, kept")
                advance(bar, src)
                continue
            try:
                result = bounded.redact(src, dst, options)
            except PixelSafeError as exc:
                code = max(code, fail(src, exc))
                if as_json:
                    print(json.dumps({"input": str(src), "error": {"type": exc.code,
                                                                   "message": str(exc)}}))
            else:
                if as_json:
                    print(json.dumps(result.to_dict()))
                else:
                    check = result.verification
                    verdict = ("re-analysed: nothing left" if check.get("ok") else
                               "not re-analysed") if check else "not re-analysed"
                    console.print(f"{escape(str(src))} -> {escape(str(result.output))}: "
                                  f"{len(result.regions)} regions"
                                  f"{', encrypted' if result.encrypted else ''}; {verdict}")
            advance(bar, src)
    sys.exit(code)


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@passphrase_options
@click.option("--overwrite", is_flag=True)
def restore(source: Path, output: Path, passphrase_file: Path | None,
            passphrase_env: str | None, overwrite: bool) -> None:
    """Put back the original pixels of a file redacted with --encrypt."""
    from ..protect import UnverifiedCarrierWarning
    from ..protect import restore as do_restore

    passphrase = read_passphrase(passphrase_file, passphrase_env)
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", UnverifiedCarrierWarning)
            out = do_restore(source, output, passphrase, overwrite)
    except PixelSafeError as exc:
        sys.exit(fail(source, exc))
    for w in seen:
        if issubclass(w.category, UnverifiedCarrierWarning):
            Console(stderr=True).print(f"warning: {escape(str(w.message))}")
    Console().print(f"restored {escape(str(source))} -> {escape(str(out))}")


@click.command()
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@click.option("--keep-icc", is_flag=True, help="Keep the ICC colour profile.")
@click.option("--overwrite", is_flag=True)
@with_limits
def strip(inputs: tuple[Path, ...], output: Path, keep_icc: bool, overwrite: bool,
          timeout: float, memory_mb: int) -> None:
    """Copies without any metadata (EXIF, XMP, IPTC, comments, thumbnails, trailing bytes).
    Each file is worked on in a process bounded by --timeout and --memory-mb."""
    from ..protect.bounded import Bounded

    with Bounded(timeout, memory_mb) as bounded:
        each(inputs, lambda src: bounded.strip(
            src, output_for(src, output, len(inputs) > 1, "clean"), keep_icc, overwrite))


def each(paths: tuple[Path, ...], action: Callable[[Path], Path]) -> None:
    """Run a file action on every path, print what it wrote, exit with the worst code."""
    code = ExitStatus.OK
    for path in paths:
        try:
            out = action(path)
        except PixelSafeError as exc:
            code = max(code, fail(path, exc))
        else:
            Console().print(f"{escape(str(path))} -> {escape(str(out))}")
    sys.exit(code)


@click.group()
def vault() -> None:
    """Whole files encrypted in the age format (the standard `age -d` opens them)."""


@vault.command("lock")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@passphrase_options
@click.option("--overwrite", is_flag=True)
def vault_lock(paths: tuple[Path, ...], passphrase_file: Path | None,
               passphrase_env: str | None, overwrite: bool) -> None:
    """Write PATH.age for each PATH. The original stays where it is."""
    from ..protect import lock

    passphrase = read_passphrase(passphrase_file, passphrase_env, confirm=True)
    each(paths, lambda path: lock(path, passphrase, overwrite=overwrite))


@vault.command("unlock")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@passphrase_options
@click.option("--overwrite", is_flag=True)
def vault_unlock(paths: tuple[Path, ...], passphrase_file: Path | None,
                 passphrase_env: str | None, overwrite: bool) -> None:
    """Decrypt PATH.age back to PATH."""
    from ..protect import unlock

    passphrase = read_passphrase(passphrase_file, passphrase_env)
    each(paths, lambda path: unlock(path, passphrase, overwrite=overwrite))
