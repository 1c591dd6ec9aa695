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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..errors import PixelSafeError
from ..fsutil import regular_inside
from ..policy import (
    KEEPABLE_TAGS,
    MAX_MANUAL_BOXES,
    STYLES,
    kind_named,
    passphrase_problem,
    passphrase_warning,
)
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
    if confirm:  # a new passphrase: the page's rule, and a warning when it is weak
        problem = passphrase_problem(value)
        if problem:
            raise click.UsageError(problem)
        warning = passphrase_warning(value)
        if warning:
            Console(stderr=True).print(f"warning: {warning}")
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


@dataclass(frozen=True)
class Job:
    src: Path
    #: where the output goes below -o DIR: the file's path inside the folder it came from
    rel: Path
    #: the output file (set by :func:`plan`)
    dst: Path | None = None


def several(inputs: tuple[Path, ...], jobs: list[Job]) -> bool:
    """Whether -o names a folder to write into: several files, or a folder given."""
    return len(jobs) > 1 or any(p.is_dir() for p in inputs)


def plan(inputs: tuple[Path, ...], output: Path, tag: str) -> list[Job]:
    """The files to work on, and where each is written.

    Files as given; a folder gives its photos (recursively, hidden ones skipped; a link out
    of the folder, a FIFO or a device is left out, and so is the output folder when it lies
    inside), each written below -o DIR at the same relative path. Two inputs never share an
    output, whatever the case of their names: x.jpg and x.JPG give x.TAG.jpg and
    x.2.TAG.jpg. Nothing is created here."""
    from ..scanner import walk_images

    jobs: list[Job] = []
    for path in inputs:
        if path.is_dir():
            jobs.extend(Job(p, p.relative_to(path)) for p in walk_images(path, skip=output)
                        if regular_inside(p, path))
        else:
            jobs.append(Job(path, Path(path.name)))
    many = several(inputs, jobs)
    taken: set[str] = set()
    planned: list[Job] = []
    for job in jobs:
        dst = output_for(job, output, many, tag)
        if dst != output:
            n = 2
            while dst.as_posix().casefold() in taken:
                dst = dst.with_name(f"{job.src.stem}.{n}.{tag}{dst.suffix}")
                n += 1
            taken.add(dst.as_posix().casefold())
        planned.append(replace(job, dst=dst))
    return planned


def output_for(job: Job, out: Path, many: bool, tag: str) -> Path:
    """OUT is a file for one input file, or a directory (required for several inputs and
    for folders)."""
    if out.is_dir() or many:
        if out.exists() and not out.is_dir():
            raise click.UsageError(f"{out} is not a directory: several inputs or a folder "
                                   "are written into one")
        src = job.src
        suffix = ".heic" if src.suffix.lower() in (".heic", ".heif", ".hif") else src.suffix
        return out / job.rel.parent / f"{src.stem}.{tag}{suffix.lower()}"
    return out


def destination(job: Job) -> Path:
    """The job's output, its folder made (`redact DIR -o OUT`: OUT is made, as the README
    says)."""
    assert job.dst is not None
    job.dst.parent.mkdir(parents=True, exist_ok=True)
    return job.dst


REPLACEWITH = {"blur": "blur", "solid": "fill", "mosaic": "pixelate"}
#: what `strip --keep-tags` can keep (nothing that names a person, a place or a device)
def keep_options(fn: Any) -> Any:
    """The metadata a user may keep, one set of options for strip and redact."""
    fn = click.option("--keep-tags", metavar="TAG,...", default="",
                      help=f"Tags to keep: {', '.join(KEEPABLE_TAGS)}.")(fn)
    fn = click.option("--keep-metadata", is_flag=True,
                      help="Keep the tags of --keep-tags (default Orientation,ICC) and drop "
                           "the rest.")(fn)
    fn = click.option("--keep-icc", is_flag=True, help="Keep the ICC colour profile.")(fn)
    return fn


def kept_tags(keep_icc: bool, keep_metadata: bool, keep_tags: str) -> frozenset[str]:
    tags = {t.strip() for t in keep_tags.split(",") if t.strip()}
    if keep_metadata and not tags:
        tags = {"Orientation", "ICC"}
    unknown = sorted(tags - set(KEEPABLE_TAGS))
    if unknown:
        raise click.UsageError(f"cannot keep {', '.join(unknown)}: choose from "
                               + ", ".join(KEEPABLE_TAGS))
    if keep_icc:
        tags.add("ICC")
    return frozenset(tags)


@click.command()
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="Output file, or a directory (required for several inputs and for "
                   "folders, whose layout is kept below it).")
@click.option("--style", type=click.Choice(list(STYLES)),
              default="auto", show_default=True,
              help="Faces: blur or pixelate or fill. Text, plates and codes are always filled.")
@click.option("--replacewith", type=click.Choice(list(REPLACEWITH)),
              help="deface's name for --style: blur, solid (fill) or mosaic (pixelate).")
@click.option("--mask-scale", type=click.FloatRange(1.0, 3.0), default=1.3, show_default=True,
              help="How much larger than the detected face its redacted region is.")
@click.option("--thresh", type=click.FloatRange(0.05, 0.99),
              help="Face detection threshold for this redaction (default: the detector's).")
@click.option("--only", "only", metavar="KIND,...",
              help="Redact only these kinds (face, personal_text, license_plate, barcode, "
                   "document).")
@click.option("--keep", metavar="ID,...", default="", help="Finding ids to leave visible.")
@click.option("--documents", type=click.Choice(["whole", "fields"]), default="whole",
              show_default=True,
              help="Passports, ID cards, driving licences and payment cards: filled whole "
                   "(portrait and every field), or field by field (what was read on them).")
@click.option("--all-text", is_flag=True,
              help="Also fill every line of text the OCR reads, whatever it says (the lines "
                   "of findings given to --keep stay).")
@click.option("--box", "boxes", multiple=True, metavar="x1,y1,x2,y2",
              help="An extra region to redact (repeatable).")
@click.option("--encrypt", is_flag=True,
              help="Keep the original pixels of each region, encrypted, inside the output.")
@passphrase_options
@keep_options
@click.option("--no-verify", is_flag=True, help="Skip re-analysing the output (not advised).")
@click.option("--dry-run", is_flag=True,
              help="Print the regions each file would get; write nothing.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
@click.option("--json", "as_json", is_flag=True, help="One JSON result per line.")
@with_limits
def redact(inputs: tuple[Path, ...], output: Path, style: str, replacewith: str | None,
           mask_scale: float, thresh: float | None, only: str | None, keep: str,
           documents: str, all_text: bool, boxes: tuple[str, ...], encrypt: bool,
           passphrase_file: Path | None,
           passphrase_env: str | None, keep_icc: bool, keep_metadata: bool, keep_tags: str,
           no_verify: bool, dry_run: bool, overwrite: bool, as_json: bool, timeout: float,
           memory_mb: int) -> None:
    """Write redacted copies of photos (files or folders). Originals are never touched;
    every output is re-analysed and refused if something that was to be hidden is still
    found. Each file is worked on in a process bounded by --timeout and --memory-mb."""
    from ..protect import RedactOptions
    from ..protect.bounded import Bounded

    if replacewith is not None:
        style = REPLACEWITH[replacewith]
    passphrase = read_passphrase(passphrase_file, passphrase_env, confirm=True) \
        if encrypt and not dry_run else None
    if (passphrase_file or passphrase_env) and not encrypt:
        raise click.UsageError("a passphrase is only used with --encrypt")
    if len(boxes) > MAX_MANUAL_BOXES:
        raise click.UsageError(f"at most {MAX_MANUAL_BOXES} --box options")
    options = RedactOptions(style=style, only=parse_kinds(only),
                            keep=frozenset(k.strip() for k in keep.split(",") if k.strip()),
                            whole_documents=documents == "whole",
                            boxes=[parse_box(b) for b in boxes], passphrase=passphrase,
                            keep_tags=kept_tags(keep_icc, keep_metadata, keep_tags),
                            verify=not no_verify, overwrite=overwrite,
                            mask_scale=mask_scale, face_threshold=thresh, all_text=all_text)
    jobs = plan(inputs, output, "redacted")
    many = several(inputs, jobs)
    if dry_run:
        sys.exit(print_plans(jobs, options, as_json, timeout, memory_mb))
    code = ExitStatus.OK
    console = Console()
    with progress_bar(len(jobs), "redact", not as_json and many) as bar, \
            Bounded(timeout, memory_mb) as bounded:
        for job in jobs:
            src = job.src
            dst = destination(job)
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
                    verdict = (f"checked again ({', '.join(check.detectors)}): "
                               "no finding of the redacted kinds found again"
                               if check is not None and check.ok else "not checked again")
                    console.print(f"{escape(str(src))} -> {escape(str(result.output))}: "
                                  f"{len(result.regions)} regions"
                                  f"{', encrypted' if result.encrypted else ''}; {verdict}")
            advance(bar, src)
    sys.exit(code)


def print_plans(jobs: list[Job], options: Any, as_json: bool, timeout: float,
                memory_mb: int) -> ExitStatus:
    """--dry-run: each file's regions as a real run writes them (the redaction runs,
    faces treated until the detector no longer finds them and the check after it
    included), nothing written."""
    from ..protect.bounded import Bounded

    code = ExitStatus.OK
    console = Console()
    with Bounded(timeout, memory_mb) as bounded:
        for job in jobs:
            try:
                assert job.dst is not None
                targets = bounded.redact(job.src, job.dst, replace(options, dry_run=True)
                                         ).regions
            except PixelSafeError as exc:
                code = max(code, fail(job.src, exc))
                continue
            rows = [{"box": t.box.as_list(), "style": t.style, "kind": t.kind,
                     "finding": t.finding_id} for t in targets]
            if as_json:
                print(json.dumps({"input": str(job.src), "dry_run": True, "regions": rows}))
                continue
            console.print(f"{escape(str(job.src))}: {len(rows)} regions (dry run, nothing "
                          "written)")
            for r in rows:
                console.print(f"  {r['finding'] or '-':>4}  {r['kind']:<14} {r['style']:<8} "
                              f"{r['box']}")
    return code


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@passphrase_options
@click.option("--overwrite", is_flag=True)
@with_limits
def restore(source: Path, output: Path, passphrase_file: Path | None,
            passphrase_env: str | None, overwrite: bool, timeout: float,
            memory_mb: int) -> None:
    """Put back the original pixels of a file redacted with --encrypt, in a process bounded
    by --timeout and --memory-mb."""
    from ..protect import UnverifiedCarrierWarning
    from ..protect.bounded import Bounded

    passphrase = read_passphrase(passphrase_file, passphrase_env)
    try:
        with warnings.catch_warnings(record=True) as seen, Bounded(timeout, memory_mb) as bounded:
            warnings.simplefilter("always", UnverifiedCarrierWarning)
            out = bounded.restore(source, output, passphrase, overwrite)
    except PixelSafeError as exc:
        sys.exit(fail(source, exc))
    for w in seen:
        if issubclass(w.category, UnverifiedCarrierWarning):
            Console(stderr=True).print(f"warning: {escape(str(w.message))}")
    Console().print(f"restored {escape(str(source))} -> {escape(str(out))}")


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="Output file, or a directory (required for several inputs and folders).")
@keep_options
@click.option("--overwrite", is_flag=True)
@with_limits
def strip(inputs: tuple[Path, ...], output: Path, keep_icc: bool, keep_metadata: bool,
          keep_tags: str, overwrite: bool, timeout: float, memory_mb: int) -> None:
    """Copies without any metadata (EXIF, XMP, IPTC, comments, thumbnails, trailing bytes).
    JPEG and PNG are stripped losslessly (segments and chunks removed, pixels untouched, the
    orientation kept so the photo shows the same way); other formats are re-encoded. Each
    file is worked on in a process bounded by --timeout and --memory-mb."""
    from ..protect.bounded import Bounded

    tags = kept_tags(keep_icc, keep_metadata, keep_tags)
    jobs = plan(inputs, output, "clean")
    with Bounded(timeout, memory_mb) as bounded:
        each(jobs, lambda job: bounded.strip(job.src, destination(job), "ICC" in tags,
                                             overwrite, tags))


def each(jobs: list[Job], action: Callable[[Job], Path]) -> None:
    """Run a file action on every job, print what it wrote, exit with the worst code."""
    code = ExitStatus.OK
    for job in jobs:
        try:
            out = action(job)
        except PixelSafeError as exc:
            code = max(code, fail(job.src, exc))
        else:
            Console().print(f"{escape(str(job.src))} -> {escape(str(out))}")
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
    each([Job(p, Path(p.name)) for p in paths],
         lambda job: lock(job.src, passphrase, overwrite=overwrite))


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
    each([Job(p, Path(p.name)) for p in paths],
         lambda job: unlock(job.src, passphrase, overwrite=overwrite))
