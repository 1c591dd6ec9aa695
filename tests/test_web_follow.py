"""Issue 32, first step: the gallery follows its folder by notification (watchdog), with a
slow full look as a fallback, and polls instead, saying so once, where notifications cannot
be set up. Real files, a real SQLite library and the operating system's own notifications
(inotify here)."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import SAMPLES
from PIL import Image
from webutil import make_app, shutdown

from pixelsafe.web.follow import Follower
from pixelsafe.web.library import Library


def eventually(test: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test():
            return True
        time.sleep(0.05)
    return test()


def photo(path: Path, shade: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (shade, 120, 40)).save(path, quality=90)
    return path


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    root = tmp_path / "photos"
    photo(root / "first.jpg", 10)
    lib = Library(root, tmp_path / "library.db", "test-pipeline")
    lib.index()
    yield lib
    lib.close()


def indexed(lib: Library) -> dict[str, str]:
    with lib.reader() as conn:
        return {row[0]: row[1] for row in conn.execute("SELECT path, sha256 FROM images")}


def follow_changes(lib: Library, follower: Follower) -> None:
    """Add, change, rename and remove files, and move a folder of photos in: each is in the
    index within a few seconds; a hidden file never is."""
    root = lib.root
    follower.start()
    try:
        photo(root / "added.jpg", 60)
        assert eventually(lambda: "added.jpg" in indexed(lib)), indexed(lib)
        before = indexed(lib)["added.jpg"]
        photo(root / "added.jpg", 200)  # changed in place
        assert eventually(lambda: indexed(lib).get("added.jpg") not in (None, before))
        os.rename(root / "added.jpg", root / "renamed.jpg")
        assert eventually(lambda: set(indexed(lib)) == {"first.jpg", "renamed.jpg"})
        (root / "first.jpg").unlink()
        assert eventually(lambda: set(indexed(lib)) == {"renamed.jpg"})
        album = photo(lib.root.parent / "album" / "one.jpg", 90).parent
        shutil.move(album, root / "album")  # a folder arrives whole
        assert eventually(lambda: "album/one.jpg" in indexed(lib)), indexed(lib)
        photo(root / ".hidden.jpg", 30)
        photo(root / "album" / "two.jpg", 130)  # a folder that arrived is followed too
        assert eventually(lambda: "album/two.jpg" in indexed(lib)), indexed(lib)
        assert ".hidden.jpg" not in indexed(lib)
    finally:
        follower.stop()


def test_the_folder_is_followed_by_notification(library: Library) -> None:
    """With no polling at all (and the full look ten minutes away), every change arrives
    by notification alone."""
    follower = Follower(library, rescan=0, full_rescan=600)
    assert follower.watch() and follower.notified
    follow_changes(library, follower)


def test_the_folder_is_followed_by_polling_alone(library: Library) -> None:
    """Notifications off: the same changes arrive by looking at the folder again."""
    follower = Follower(library, rescan=0.3, notify=False)
    assert not follower.watch()
    follow_changes(library, follower)


class NoWatches:
    """An observer the operating system refuses, as inotify does when its watches run out
    (fs.inotify.max_user_watches)."""

    def schedule(self, *args: object, **kwargs: object) -> None:
        pass

    def start(self) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def test_without_notifications_it_polls_and_says_so_once(library: Library, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="pixelsafe.web.follow")
    follower = Follower(library, rescan=0.3, observer=NoWatches)
    assert not follower.watch()  # asked before the first look, as the app does
    follow_changes(library, follower)  # and its thread asks no more
    said = [r.getMessage() for r in caplog.records if r.name == "pixelsafe.web.follow"]
    assert len(said) == 1, said
    assert "inotify watch limit reached" in said[0] and "every 0.3 s" in said[0]
    assert not follower.notified


def test_the_server_shows_a_new_photo_without_looking_again(tmp_path: Path) -> None:
    """Through the app (what `pixelsafe serve` runs): with polling off, a photo copied into
    the folder is listed, and one removed is gone."""
    root = tmp_path / "photos"
    root.mkdir()
    shutil.copy(SAMPLES / "street-with-gps.jpg", root / "street.jpg")
    app = make_app(root, RESCAN_SECONDS=0)
    client = app.test_client()

    def names() -> set[str]:
        return {i["name"] for i in client.get("/api/images").get_json()["images"]}

    try:
        assert app.extensions["pixelsafe.follow"].notified
        assert names() == {"street.jpg"}
        photo(root / "new.jpg", 50)
        assert eventually(lambda: names() == {"street.jpg", "new.jpg"})
        (root / "street.jpg").unlink()
        assert eventually(lambda: names() == {"new.jpg"})
    finally:
        shutdown(app)
