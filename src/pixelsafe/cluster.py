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
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
            # "local": a new runtime, never a cluster `ray start` left on this machine
            ray.init(address="local", num_cpus=cpus, **quiet)
        else:
            ray.init(address=settings.address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot use the Ray cluster at {settings.address or 'this machine'}"
                           f": {exc}") from exc
    _private_token()
    return True


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
            ray.shutdown()
