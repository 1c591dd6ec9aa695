"""Following the library folder while the server runs.

The operating system says which paths changed (watchdog: inotify on Linux, FSEvents on
macOS, ReadDirectoryChangesW on Windows) and only those are looked at: stat'ed, hashed when
new or changed, forgotten when gone. A full look through the folder stays as a slow
fallback (:data:`FULL_RESCAN_SECONDS`), for what notifications can miss (a network
filesystem, an overflowed event queue). Where notifications cannot be set up at all (too
many watches, no inotify), the folder is looked at again every ``rescan`` seconds instead,
and the log says so once.

An idle server with notifications costs nothing: its threads wait for an event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .library import Library

log = logging.getLogger(__name__)

#: with notifications, the whole folder is still looked at this often (seconds)
FULL_RESCAN_SECONDS = 600.0
#: without them, this often (seconds): what the server did before notifications
POLL_SECONDS = 5.0
#: events are gathered this long before they are acted on: a photo being copied in gives
#: many, and is looked at once it has settled
SETTLE_SECONDS = 0.25


def _observer() -> Any:
    from watchdog.observers import Observer

    return Observer()


class Follower(threading.Thread):
    """Keeps the library's index in step with its folder (see the module's text).

    ``rescan``: seconds between full looks when notifications cannot be used (0: none);
    ``observer``: makes the watchdog observer (a test may make one that fails)."""

    def __init__(self, library: Library, rescan: float = POLL_SECONDS,
                 full_rescan: float = FULL_RESCAN_SECONDS, index_first: bool = False,
                 notify: bool = True, observer: Callable[[], Any] = _observer) -> None:
        super().__init__(name="pixelsafe-follow", daemon=True)
        self.library = library
        self.rescan = rescan
        self.full_rescan = full_rescan
        self.index_first = index_first
        self.notify = notify
        self._make_observer = observer
        self._observer: Any = None
        self._pending: set[Path] = set()
        self._whole = False
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self.stopping = threading.Event()
        #: notifications are followed (False: polling every ``rescan`` seconds)
        self.notified = False
        self._tried = False  # asked for them once: a refusal is said once

    # -- notifications ---------------------------------------------------------------------
    def watch(self) -> bool:
        """Ask the operating system for the folder's changes; False (said once in the log)
        when it cannot give them. Called before the first look through the folder, so that
        nothing changed during it is missed."""
        if not self.notify or self._tried:
            return self.notified
        self._tried = True
        from watchdog.events import FileSystemEvent, FileSystemEventHandler

        follower = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                follower.changed(event)

        try:
            observer = self._make_observer()
            observer.schedule(Handler(), str(self.library.root), recursive=True)
            observer.start()
        except (OSError, RuntimeError) as exc:
            every = f"every {self.rescan:g} s" if self.rescan else "only at start"
            log.warning("cannot follow %s by notification (%s): it is looked at again %s",
                        self.library.root, exc, every)
            return False
        self._observer = observer
        self.notified = True
        return True

    def changed(self, event: Any) -> None:
        """One notification: the paths it names are looked at once events settle. A folder
        created, moved or removed makes the next look a whole one."""
        if event.event_type in ("opened", "closed_no_write"):
            return  # read, not changed
        with self._lock:
            if event.is_directory:
                if event.event_type != "modified":  # a folder's own mtime says nothing
                    self._whole = True
            else:
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    if path:
                        self._pending.add(Path(path if isinstance(path, str)
                                               else path.decode()))
        self._changed.set()

    # -- the thread -------------------------------------------------------------------------
    def run(self) -> None:
        watched = self.watch()
        if self.index_first:
            self._index()
        interval = self.full_rescan if watched else self.rescan
        last = time.monotonic()
        while not self.stopping.is_set():
            timeout = max(0.0, last + interval - time.monotonic()) if interval else None
            if self._changed.wait(timeout):
                self.stopping.wait(SETTLE_SECONDS)
                self._changed.clear()
                with self._lock:
                    paths, whole = self._pending, self._whole
                    self._pending, self._whole = set(), False
                if self.stopping.is_set():
                    break
                if whole:
                    self._index()
                    last = time.monotonic()
                elif paths:
                    self._refresh(paths)
            elif not self.stopping.is_set():
                self._index()
                last = time.monotonic()

    def _index(self) -> None:
        try:
            self.library.index()
        except Exception as exc:  # a folder gone for a moment: the next look tries again
            log.warning("looking through the library failed: %s", exc)

    def _refresh(self, paths: set[Path]) -> None:
        try:
            self.library.refresh(paths)
        except Exception as exc:  # pragma: no cover - logged; the next full look mends it
            log.warning("following changes in the library failed: %s", exc)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self._changed.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
        if self.is_alive():
            self.join(timeout)
