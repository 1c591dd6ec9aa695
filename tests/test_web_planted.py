"""Issue 29, point 3: a photo folder that another user can write to must not take over the
library. Links and other users' files planted where PixelSafe keeps its own things (the old
``.pixelsafe`` folder that is migrated, ``uploads``, ``.trash``) are never followed.

The tests run as whatever user runs them; "another user" is simulated with ``os.chown``
when the tests may change owners (as root), and skipped otherwise."""

from __future__ import annotations

import io
import os
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from webutil import headers, make_app, shutdown

from pixelsafe.errors import UnsafePathError
from pixelsafe.fsutil import private_dir

OTHER_UID = 65534  # nobody
#: "another user" is simulated with chown, which needs root
as_another_user = pytest.mark.skipif(os.geteuid() != 0, reason="simulating another user "
                                     "needs chown (root)")


def png(color: tuple[int, int, int] = (200, 20, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "PNG")
    return out.getvalue()


def attacker_db(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE loot (x)")
    conn.commit()
    conn.close()
    return path.read_bytes()


def test_links_planted_in_the_old_data_folder_are_not_migrated(tmp_path):
    root = tmp_path / "photos"
    (root / "uploads").mkdir(parents=True)
    (root / "a.png").write_bytes(png())
    theirs = tmp_path / "attacker"
    (theirs / "exports").mkdir(parents=True)
    their_db = attacker_db(theirs / "library.db")
    old = root / ".pixelsafe"
    old.mkdir()
    (old / "library.db").symlink_to(theirs / "library.db")
    (old / "exports").symlink_to(theirs / "exports")
    (old / "renditions").mkdir()
    (old / "renditions" / "r.jpg").write_bytes(b"mine")  # the user's own file still moves
    app = make_app(root, START_WORKER=False)
    try:
        data = Path(app.config["DATA_DIR"])
        db = data / "library.db"
        assert not db.is_symlink() and db.is_file()
        assert not Path(app.config["EXPORT_DIR"]).is_symlink()
        assert (data / "renditions" / "r.jpg").read_bytes() == b"mine"
        assert (theirs / "library.db").read_bytes() == their_db  # never written
        assert not any((theirs / "exports").iterdir())
        assert not old.exists()  # the planted links went with the old folder
        client = app.test_client()
        up = client.post("/api/images", headers=headers(app),
                         data={"file": (io.BytesIO(png((1, 2, 3))), "x.png")})
        assert up.status_code == 201
        assert (theirs / "library.db").read_bytes() == their_db
    finally:
        shutdown(app)


@as_another_user
def test_an_old_data_folder_of_another_user_is_not_migrated(tmp_path):
    root = tmp_path / "photos"
    root.mkdir()
    old = root / ".pixelsafe"
    old.mkdir()
    their_db = attacker_db(old / "library.db")
    (old / "mine.txt").write_bytes(b"x")
    os.chown(old / "library.db", OTHER_UID, OTHER_UID)
    app = make_app(root, START_WORKER=False)
    try:
        data = Path(app.config["DATA_DIR"])
        # the other user's database inside the user's folder stays out of the data folder
        assert b"loot" not in (data / "library.db").read_bytes()
        assert (data / "mine.txt").read_bytes() == b"x"
    finally:
        shutdown(app)
    root2 = tmp_path / "photos2"
    (root2 / ".pixelsafe").mkdir(parents=True)
    (root2 / ".pixelsafe" / "library.db").write_bytes(their_db)
    os.chown(root2 / ".pixelsafe", OTHER_UID, OTHER_UID)
    app = make_app(root2, START_WORKER=False)
    try:
        assert b"loot" not in (Path(app.config["DATA_DIR"]) / "library.db").read_bytes()
        assert (root2 / ".pixelsafe" / "library.db").exists()  # not ours: left alone
    finally:
        shutdown(app)


@pytest.mark.parametrize("folder", ["uploads", ".trash"])
def test_a_planted_uploads_or_trash_link_receives_nothing(tmp_path, folder):
    root = tmp_path / "photos"
    root.mkdir()
    theirs = tmp_path / "attacker"
    theirs.mkdir()
    (root / folder).symlink_to(theirs)
    if folder == ".trash":  # the photo to delete is uploaded before the link is planted
        (root / folder).unlink()
    app = make_app(root, START_WORKER=False)
    try:
        client = app.test_client()
        up = client.post("/api/images", headers=headers(app),
                         data={"file": (io.BytesIO(png()), "x.png")})
        if folder == "uploads":
            assert up.status_code == 409, up.get_json()
            assert up.get_json()["error"]["type"] == "unsafe_path"
        else:
            assert up.status_code == 201
            (root / folder).symlink_to(theirs)
            iid = up.get_json()["uploaded"][0]["image"]["id"]
            gone = client.delete(f"/api/images/{iid}", headers=headers(app))
            assert gone.status_code == 409, gone.get_json()
            path = client.get(f"/api/images/{iid}").get_json()["path"]
            assert (root / path).read_bytes() == png()  # the photo stays where it was
        assert not any(theirs.iterdir())
    finally:
        shutdown(app)


@as_another_user
def test_a_folder_of_another_user_is_not_private(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    folder.chmod(0o777)
    os.chown(folder, OTHER_UID, OTHER_UID)
    with pytest.raises(UnsafePathError):
        private_dir(folder)
    assert folder.stat().st_mode & 0o777 == 0o777  # and not changed
    mine = private_dir(tmp_path / "new" / "uploads")
    assert mine.stat().st_mode & 0o777 == 0o700


def test_a_data_dir_option_leaves_its_parents_mode_alone(tmp_path):
    """Issue 29, point 7: `--data-dir X/Y` made X 0700."""
    parent = tmp_path / "shared-parent"
    parent.mkdir()
    parent.chmod(0o755)
    root = tmp_path / "photos"
    root.mkdir()
    app = make_app(root, START_WORKER=False, DATA_DIR=str(parent / "pixelsafe"))
    try:
        assert parent.stat().st_mode & 0o777 == 0o755
        assert (parent / "pixelsafe").stat().st_mode & 0o777 == 0o700
    finally:
        shutdown(app)
