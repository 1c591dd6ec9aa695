"""Analyse on a Ray cluster: the same outcomes as :func:`pixelsafe.batch.run`, from Ray
Data actors spread over the cluster's machines.

Each actor holds one supervised analyser (:class:`pixelsafe.batch.Supervisor`): the models
load once per actor, in a child process with the same per-file time budget and memory
limit as a local scan, so a file that exhausts memory or hangs kills that child alone and
comes back as a typed error, not retried. Each file is a block of its own: an actor that
dies (its process killed, its node gone) loses that one file's task, which Ray runs again
(Ray Data restarts actors and retries their tasks); a task that fails for another reason
comes back as an error for its file and the scan goes on. The paths must name the same
files on every node (shared storage).

Without an address Ray starts a runtime on this machine for the scan alone. Ray's servers
listen on the machine's addresses, behind Ray's token authentication (on by default in the
Ray this package asks for; its token in ``~/.ray/auth_token``, which is made readable by
its owner alone). Usage statistics are never sent.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .batch import Outcome, Settings, Supervisor
from .errors import AnalysisResourceError, ClusterError
from .report import Report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RaySettings:
    #: None: a Ray runtime started on this machine for the scan; "auto": the cluster this
    #: machine belongs to (``ray start``); "ray://host:port": a cluster's client server
    address: str | None = None
    #: analysing actors (each one file at a time); None: as many as the cluster's CPUs allow
    actors: int | None = None
    #: CPUs each actor reserves; its onnxruntime uses as many threads
    cpus_per_actor: int = 1


def _ray() -> Any:
    # Ray reports usage statistics to its makers unless told not to, before it starts
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ClusterError("scanning on Ray needs Ray: pip install 'pixelsafe[ray]' "
                           f"(on every node of the cluster) ({exc})") from exc
    return ray


def connect(settings: RaySettings) -> bool:
    """Join the cluster ``settings`` name, or start a runtime on this machine; True when
    this call started or joined it (the caller shuts it down), False when this process was
    already connected (a test's cluster, an application's own)."""
    ray = _ray()
    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "log_to_driver": False,
             "logging_level": logging.ERROR}
    try:
        if settings.address is None:
            cpus = settings.actors * settings.cpus_per_actor if settings.actors else None
            _start_here(ray, cpus, quiet)
        else:
            _reachable(settings.address)
            ray.init(address=settings.address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot use the Ray cluster at {settings.address or 'this machine'}"
                           f": {exc}") from exc
    _private_token()
    return True


#: seconds a cluster's address has to answer before the scan gives up on it
CONNECT_TIMEOUT = 5.0


def _reachable(address: str) -> None:
    """Ray waits minutes, retrying, for an address where nothing answers (and for "auto"
    when the cluster this machine last joined is gone): knock first, and fail at once."""
    target: str | None = address.removeprefix("ray://")
    if address == "auto":
        try:
            from ray._private.services import canonicalize_bootstrap_address

            target = canonicalize_bootstrap_address("auto")
        except Exception:  # Ray's own lookup (a private helper) says it itself, below
            return
    if not target:
        return
    host, _, port = target.rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT).close()
    except (OSError, ValueError) as exc:
        raise ClusterError(f"no Ray cluster answers at {address} ({target}): {exc}") from exc


#: in the environment of a runtime this package starts, inherited by each of its processes:
#: the runtime's own folder
RUNTIME_MARK = "PIXELSAFE_RAY_RUNTIME"
RUNTIME_PREFIX = "pixelsafe-ray-"


def _start_here(ray: Any, cpus: int | None, quiet: dict[str, Any]) -> None:
    """A new Ray runtime on this machine ("local": never a cluster that `ray start` left
    here), its logs and sockets in a folder of its own, removed when it stops; the leftovers
    of one whose scan was killed are removed first."""
    _reap_strays()
    folder = tempfile.mkdtemp(prefix=RUNTIME_PREFIX)
    Path(folder, "driver.pid").write_text(str(os.getpid()))
    os.environ[RUNTIME_MARK] = folder
    try:
        ray.init(address="local", num_cpus=cpus, _temp_dir=folder, **quiet)
    except BaseException:
        _stop(ray)
        raise


def _stop(ray: Any) -> None:
    ray.shutdown()
    folder = os.environ.pop(RUNTIME_MARK, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _reap_strays() -> None:
    """Ray's agents outlive a runtime whose driver was killed (kill -9): end the processes
    of such runtimes of this user's, found by the mark in their environment, and remove
    their folders. A runtime whose driver lives is left alone."""
    for folder in Path(tempfile.gettempdir()).glob(RUNTIME_PREFIX + "*"):
        try:
            if folder.stat().st_uid != os.getuid():
                continue
            os.kill(int((folder / "driver.pid").read_text()), 0)
            continue  # its scan still runs
        except (OSError, ValueError):
            pass
        mark = f"{RUNTIME_MARK}={folder}".encode()
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if mark in (proc / "environ").read_bytes().split(b"\0"):
                    os.kill(int(proc.name), signal.SIGKILL)
            except (OSError, ValueError):
                continue
        shutil.rmtree(folder, ignore_errors=True)


def _private_token() -> None:
    """Ray writes its token readable by every user of the machine: the owner alone may."""
    token = os.path.expanduser("~/.ray/auth_token")
    try:
        if os.stat(token).st_uid == os.getuid():
            os.chmod(token, 0o600)
    except OSError:
        pass


class _Analyse:
    """A Ray Data actor: one supervised analyser, one file per call."""

    def __init__(self, settings: Settings) -> None:
        self.supervisor = Supervisor(settings)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows: dict[str, list[Any]] = {"index": [], "path": [], "report": [], "error_type": [],
                                      "error_message": []}
        for index, path in zip(batch["index"], batch["path"], strict=True):
            outcome = self.supervisor.analyze(str(path))
            rows["index"].append(int(index))
            rows["path"].append(str(path))
            rows["report"].append(outcome.report.to_json() if outcome.report else "")
            rows["error_type"].append(outcome.error_type or "")
            rows["error_message"].append(outcome.error_message or "")
        return rows

    def __del__(self) -> None:
        supervisor = getattr(self, "supervisor", None)
        if supervisor is not None:
            supervisor.close()


def _outcome(row: dict[str, Any]) -> Outcome:
    index, path = int(row["index"]), str(row["path"])
    if row["report"]:
        return Outcome(index, path, report=Report.from_json(row["report"]))
    return Outcome(index, path, error_type=row["error_type"] or "error",
                   error_message=row["error_message"])


def run(paths: list[str], settings: Settings, cluster: RaySettings) -> Iterator[Outcome]:
    """Yield one Outcome per path, in completion order, analysed on the cluster."""
    if not paths:
        return
    ray = _ray()
    started = connect(cluster)
    try:
        # Ray Data's notices (plans, timings, "progress bars disabled") are not the user's
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        # a file whose task failed every retry is reported below, not fatal to the scan
        context.max_errored_blocks = -1
        actors = cluster.actors or max(
            1, int(ray.cluster_resources().get("CPU", 1)) // cluster.cpus_per_actor)
        items = [{"index": i, "path": p} for i, p in enumerate(paths)]
        dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
            _Analyse, fn_constructor_args=(replace(settings, threads=cluster.cpus_per_actor),),
            batch_size=1, compute=ray.data.ActorPoolStrategy(size=min(actors, len(paths))),
            num_cpus=cluster.cpus_per_actor)
        seen: set[int] = set()
        for row in dataset.iter_rows():
            outcome = _outcome(row)
            if outcome.index not in seen:
                seen.add(outcome.index)
                yield outcome
        for index, path in enumerate(paths):
            if index not in seen:
                yield Outcome(index, path, error_type=AnalysisResourceError.code,
                              error_message=f"{path}: the cluster gave no result for it")
    finally:
        if started:
            _stop(ray)
