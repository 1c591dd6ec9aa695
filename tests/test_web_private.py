"""Nothing private left behind (issue 14, point 4): after a full use of the gallery
(analysis, renditions, export, trash, emptying the trash) no file the app wrote holds the
text read in the photo; nothing it derives from photos sits in the photo folder; an
export is sent, not kept; an earlier version's data moves out of the photo folder."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from webutil import headers, make_app, shutdown, wait_idle

SECRET = "quentin.planted@example.org"


def planted(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", (1400, 500), "white")
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=44)
    d.text((60, 80), "Contact: Quentin Planted", font=font, fill="black")
    d.text((60, 180), f"Email: {SECRET}", font=font, fill="black")
    d.text((60, 280), "Phone: +44 20 7946 0958", font=font, fill="black")
    path = root / "contact.png"
    im.save(path)
    return path


def files_under(folder: Path) -> list[Path]:
    return [Path(d) / f for d, _, names in os.walk(folder) for f in names]


def holding(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in files_under(folder) if needle in p.read_bytes()]


def test_a_full_use_of_the_gallery_leaves_no_private_copy(tmp_path):
    root = tmp_path / "photos"
    planted(root)
    app = make_app(root)
    data = Path(app.config["DATA_DIR"])
    try:
        assert not data.is_relative_to(root) and not Path(app.config["DB"]).is_relative_to(root)
        client = app.test_client()
        wait_idle(client)
        (image,) = client.get("/api/images").get_json()["images"]
        report = client.get(f"/api/images/{image['id']}/report").get_json()
        assert any(SECRET in (f.get("text") or "") for f in report["findings"]), report
        # the secret is in what the app keeps while the photo is in the library: the scan
        # below can see it
        assert holding(data, SECRET.encode())
        for size in ("thumb", "display"):
            assert client.get(f"/api/images/{image['id']}/thumb?size={size}").status_code == 200
            assert client.get(f"/api/images/{image['id']}/thumb?size={size}&redacted=1"
                              ).status_code == 200
        export = client.post(f"/api/images/{image['id']}/export", json={},
                             headers=headers(app))
        assert export.status_code == 200 and export.data[:4] == b"\x89PNG"
        exports = Path(app.config["EXPORT_DIR"])
        assert not exports.exists() or not files_under(exports)  # sent, not kept
        trash = client.delete(f"/api/images/{image['id']}", headers=headers(app))
        assert trash.status_code == 200
        assert client.get("/api/trash").get_json()["count"] == 1
        emptied = client.delete("/api/trash", headers=headers(app))
        assert emptied.get_json() == {"deleted": 1}
        assert client.get("/api/trash").get_json()["count"] == 0
        # every file the app wrote, in the photo folder and in its data folder
        for folder in (root, data):
            assert holding(folder, SECRET.encode()) == [], folder
            assert holding(folder, b"Quentin") == [], folder
        assert files_under(root) == [], files_under(root)  # the photo itself went too
    finally:
        shutdown(app)
    for folder in (root, data):  # and once the database is closed
        assert holding(folder, SECRET.encode()) == []


def test_exports_are_kept_only_when_asked(tmp_path):
    root = tmp_path / "photos"
    planted(root)
    app = make_app(root, START_WORKER=False, KEEP_EXPORTS=True)
    try:
        client = app.test_client()
        iid = client.get("/api/images").get_json()["images"][0]["id"]
        client.post(f"/api/images/{iid}/analyze", headers=headers(app))
        from pixelsafe.pipeline import Analyzer

        library = app.extensions["pixelsafe"]
        job = library.claim()
        library.finish(job, Analyzer().analyze(job.path), None)
        response = client.post(f"/api/images/{iid}/export", json={}, headers=headers(app))
        assert response.status_code == 200
        assert [p.name for p in files_under(Path(app.config["EXPORT_DIR"]))] == [
            f"{iid}-contact.redacted.png"]
    finally:
        shutdown(app)


def test_an_earlier_versions_data_moves_out_of_the_photo_folder(tmp_path):
    root = tmp_path / "photos"
    planted(root)
    old = root / ".pixelsafe"
    (old / "exports").mkdir(parents=True)
    (old / "exports" / "1-contact.redacted.png").write_bytes(b"an earlier export")
    app = make_app(root, START_WORKER=False)
    try:
        assert not old.exists()
        moved = Path(app.config["EXPORT_DIR"]) / "1-contact.redacted.png"
        assert moved.read_bytes() == b"an earlier export"  # nothing is lost
    finally:
        shutdown(app)


def test_the_library_follows_its_folder(tmp_path):
    """Issue 14, point 10: files added to or removed from the library while the server
    ran were ignored until a restart."""
    import shutil
    import time

    from conftest import SAMPLES

    root = tmp_path / "photos"
    planted(root)
    app = make_app(root, RESCAN_SECONDS=1.0)
    try:
        client = app.test_client()

        def names() -> set[str]:
            return {i["name"] for i in client.get("/api/images").get_json()["images"]}

        def eventually(test, timeout: float = 60.0) -> bool:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if test():
                    return True
                time.sleep(0.3)
            return False

        assert names() == {"contact.png"}
        shutil.copy(SAMPLES / "street-with-gps.jpg", root / "added.jpg")
        assert eventually(lambda: "added.jpg" in names())
        (root / "contact.png").unlink()
        assert eventually(lambda: names() == {"added.jpg"})
    finally:
        shutdown(app)


def test_an_edited_photo_leaves_nothing_of_its_old_version(tmp_path):
    """Issue 29, point 4: a photo overwritten in place kept its old report (with the text
    read in it) and its renditions, the unredacted display copy included, in the database
    after rescans, trash, Empty trash and stop."""
    root = tmp_path / "photos"
    path = planted(root)
    app = make_app(root, RESCAN_SECONDS=0)
    data = Path(app.config["DATA_DIR"])
    try:
        client = app.test_client()
        wait_idle(client)
        (image,) = client.get("/api/images").get_json()["images"]
        old = image["sha256"]
        for size in ("thumb", "display"):
            assert client.get(f"/api/images/{image['id']}/thumb?size={size}").status_code == 200
        library = app.extensions["pixelsafe"]

        def rows(sha: str) -> dict[str, int]:
            with library.reader() as conn:
                return {t: conn.execute(f"SELECT COUNT(*) FROM {t} WHERE sha256 = ?",
                                        (sha,)).fetchone()[0]
                        for t in ("thumbnails", "reports")}

        assert rows(old) == {"thumbnails": 2, "reports": 1}
        assert holding(data, SECRET.encode())
        Image.new("RGB", (640, 480), "white").save(path)  # edited in place, same name
        library.index()
        wait_idle(client)
        (edited,) = client.get("/api/images").get_json()["images"]
        assert edited["id"] == image["id"] and edited["sha256"] != old
        assert rows(old) == {"thumbnails": 0, "reports": 0}
        assert rows(edited["sha256"])["reports"] == 1
        assert holding(data, SECRET.encode()) == []  # the WAL was folded in and truncated
    finally:
        shutdown(app)
    assert holding(data, SECRET.encode()) == []
