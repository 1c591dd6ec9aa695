"""The JSON API through Flask's test client, over a temporary library and database, with
the real background worker and the real models."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES, encode, png_bomb
from PIL import Image
from webutil import headers, library_with, make_app, shutdown, wait_idle

from pixelsafe import imageio
from pixelsafe.detectors.metadata import MetadataDetector
from pixelsafe.report import Kind


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = library_with(tmp_path_factory.mktemp("lib"), "street-with-gps.jpg",
                        "letter-contact-details.png", "id-card-utopia.jpg")
    app = make_app(root)
    client = app.test_client()
    wait_idle(client)
    yield app, client, root
    shutdown(app)


def image_id(client, name: str) -> int:
    images = client.get("/api/images?per_page=200").get_json()["images"]
    return next(i["id"] for i in images if i["name"] == name)


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"type", "message", "status"}, body
    assert body["error"]["status"] == response.status_code
    return body["error"]


def test_library_is_indexed_and_analysed(web):
    _, client, _ = web
    data = client.get("/api/images").get_json()
    assert data["total"] == 3
    assert {i["state"] for i in data["images"]} == {"done"}
    assert data["stats"]["analysed"] == 3
    street = next(i for i in data["images"] if i["name"] == "street-with-gps.jpg")
    assert street["risk_level"] == "critical" and "GPS position" in street["explanation"]
    assert {"face", "location", "metadata"} <= set(street["kinds"])


@pytest.mark.parametrize(("query", "expected"), [
    ("risk=critical", {"street-with-gps.jpg", "id-card-utopia.jpg"}),
    ("risk=medium", {"letter-contact-details.png"}),
    ("risk=low", set()),
    ("kind=location", {"street-with-gps.jpg"}),
    ("kind=document", {"id-card-utopia.jpg", "letter-contact-details.png"}),
    ("kind=face&risk=critical", {"street-with-gps.jpg"}),
])
def test_filters(web, query, expected):
    _, client, _ = web
    data = client.get(f"/api/images?{query}").get_json()
    assert {i["name"] for i in data["images"]} == expected
    assert data["total"] == len(expected)


def test_paging(web):
    _, client, _ = web
    first = client.get("/api/images?per_page=2&page=1").get_json()
    second = client.get("/api/images?per_page=2&page=2").get_json()
    assert len(first["images"]) == 2 and len(second["images"]) == 1
    assert first["total"] == second["total"] == 3
    names = [i["name"] for i in first["images"] + second["images"]]
    assert len(set(names)) == 3


def test_sorts(web):
    """By risk: highest score first, and pages walk the order without repeating a photo;
    by name; the page's choices come from /api/config."""
    _, client, _ = web
    by_risk = client.get("/api/images?sort=risk").get_json()["images"]
    scores = [i["privacy_score"] for i in by_risk]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    assert by_risk[-1]["name"] == "letter-contact-details.png"
    paged = [client.get(f"/api/images?sort=risk&per_page=1&page={n}").get_json()["images"][0]
             for n in (1, 2, 3)]
    assert [i["id"] for i in paged] == [i["id"] for i in by_risk]
    walked, after = [], ""  # by the server's cursors: the same walk
    for _ in by_risk:
        data = client.get(f"/api/images?sort=risk&per_page=1&after={after}").get_json()
        walked += data["images"]
        after = data["next"]
    assert [i["id"] for i in walked] == [i["id"] for i in by_risk] and after is None
    assert client.get("/api/images?after=junk").status_code == 400
    by_name = client.get("/api/images?sort=name").get_json()["images"]
    assert [i["name"] for i in by_name] == ["id-card-utopia.jpg",
                                            "letter-contact-details.png",
                                            "street-with-gps.jpg"]
    newest = client.get("/api/images").get_json()["images"]
    assert newest == client.get("/api/images?sort=newest").get_json()["images"]
    sorts = client.get("/api/config").get_json()["sorts"]
    assert [s["sort"] for s in sorts] == ["newest", "risk", "name"]
    assert sorts[1]["title"] == "Highest risk first"


@pytest.mark.parametrize("query", ["page=0", "per_page=1000", "page=x", "risk=bad",
                                   "kind=faces", "sort=score", "sort="])
def test_bad_query_is_400_in_the_error_shape(web, query):
    _, client, _ = web
    response = client.get(f"/api/images?{query}")
    assert response.status_code == 400
    assert error_of(response)["type"] == "bad_request"


def test_report_and_image(web):
    _, client, _ = web
    iid = image_id(client, "id-card-utopia.jpg")
    report = client.get(f"/api/images/{iid}/report").get_json()
    assert report["privacy_score"] == 5
    doc = [f for f in report["findings"] if f["kind"] == "document"]
    assert doc and doc[0]["data"]["verified"] is True
    record = client.get(f"/api/images/{iid}").get_json()
    assert record["report"] == report and record["width"] == report["image"]["width"]


def test_file_is_the_original_and_cannot_run(web):
    _, client, root = web
    iid = image_id(client, "street-with-gps.jpg")
    response = client.get(f"/api/images/{iid}/file")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data == (root / "street-with-gps.jpg").read_bytes()
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()  # send_file streams the file; the WSGI server closes it after sending


def test_thumbnails_carry_no_metadata_and_are_cached(web):
    app, client, _ = web
    iid = image_id(client, "street-with-gps.jpg")
    plain = client.get(f"/api/images/{iid}/thumb")
    assert plain.status_code == 200 and plain.mimetype == "image/jpeg"
    loaded = imageio.decode(plain.data, "thumb.jpg")
    assert max(loaded.width, loaded.height) == 480
    assert list(MetadataDetector().detect(loaded)) == []
    again = client.get(f"/api/images/{iid}/thumb")
    assert again.data == plain.data
    conn = sqlite3.connect(app.config["DB"])
    assert conn.execute("SELECT COUNT(*) FROM thumbnails").fetchone()[0] >= 1
    conn.close()


def test_redacted_preview_is_a_real_render(web, face_detector):
    _, client, _ = web
    iid = image_id(client, "street-with-gps.jpg")
    plain = client.get(f"/api/images/{iid}/thumb?size=display").data
    redacted = client.get(f"/api/images/{iid}/thumb?size=display&redacted=1").data
    assert plain != redacted
    faces_plain = face_detector.detect(imageio.decode(plain, "p.jpg"))
    faces_redacted = face_detector.detect(imageio.decode(redacted, "r.jpg"))
    assert len(faces_plain) >= 3 and len(faces_redacted) == 0


def test_upload_dedupes_by_hash_and_analyses(web):
    app, client, root = web
    data = (SAMPLES / "crowd-maksssksksss373.png").read_bytes()
    first = client.post("/api/images", headers=headers(app),
                        data={"file": (io.BytesIO(data), "crowd.png")})
    assert first.status_code == 201, first.get_json()
    created = first.get_json()["uploaded"][0]
    assert created["status"] == "created"
    second = client.post("/api/images", headers=headers(app),
                         data={"file": (io.BytesIO(data), "other-name.png")})
    assert second.status_code == 200
    dup = second.get_json()["uploaded"][0]
    assert dup["status"] == "duplicate" and dup["image"]["id"] == created["image"]["id"]
    wait_idle(client)
    record = client.get(f"/api/images/{created['image']['id']}").get_json()
    assert record["state"] == "done" and record["report"]["summary"]["faces"] >= 1
    assert (root / record["path"]).read_bytes() == data
    assert record["path"].startswith("uploads/")


def test_upload_of_a_name_with_a_path_stays_in_uploads(web):
    app, client, root = web
    data = encode(Image.new("RGB", (40, 30), (10, 200, 30)), "PNG")
    response = client.post("/api/images", headers=headers(app),
                           data={"file": (io.BytesIO(data), "../../../escape.png")})
    assert response.status_code == 201
    record = response.get_json()["uploaded"][0]["image"]
    assert record["path"].startswith("uploads/") and ".." not in record["path"]
    assert (root / record["path"]).is_file()
    assert not (root.parent / "escape.png").exists()
    client.delete(f"/api/images/{record['id']}", headers=headers(app))


@pytest.mark.parametrize(("payload", "status", "kind"), [
    (b"this is a text file, not an image", 415, "unsupported_format"),
    (b"", 422, "empty_file"),
    # a PNG header that claims 30000 x 30000 pixels: refused before decoding
    (png_bomb(30000, 30000), 413, "decompression_bomb"),
])
def test_bad_uploads_get_a_clear_error(web, payload, status, kind):
    app, client, _ = web
    before = client.get("/api/status").get_json()["stats"]["total"]
    response = client.post("/api/images", headers=headers(app),
                           data={"file": (io.BytesIO(payload), "bad.png")})
    assert response.status_code == status
    assert error_of(response)["type"] == kind
    assert client.get("/api/status").get_json()["stats"]["total"] == before


def test_truncated_upload_fails_its_analysis_not_the_server(web):
    app, client, _ = web
    data = (SAMPLES / "street-with-gps.jpg").read_bytes()
    truncated = data[: len(data) // 3]
    response = client.post("/api/images", headers=headers(app),
                           data={"file": (io.BytesIO(truncated), "truncated.jpg")})
    assert response.status_code == 201
    iid = response.get_json()["uploaded"][0]["image"]["id"]
    wait_idle(client)
    record = client.get(f"/api/images/{iid}").get_json()
    assert record["state"] == "failed"
    assert record["error"]["type"] == "corrupt_image"
    assert client.get(f"/api/images/{iid}/report").status_code == 409
    client.delete(f"/api/images/{iid}", headers=headers(app))


def test_oversized_upload_is_413(web):
    app, client, _ = web
    noise = np.random.default_rng(1).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "PNG")
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = len(data) // 2
    try:
        response = client.post("/api/images", headers=headers(app), data={
            "file": (io.BytesIO(data), "big.png")})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert error_of(response)["type"] == "request_entity_too_large"


def test_export_redacts_honours_toggles_and_strips(web, face_detector):
    app, client, _ = web
    iid = image_id(client, "street-with-gps.jpg")
    report = client.get(f"/api/images/{iid}/report").get_json()
    faces = [f for f in report["findings"] if f["kind"] == "face"]
    kept = max(faces, key=lambda f: f["confidence"])
    response = client.post(f"/api/images/{iid}/export", headers=headers(app),
                           json={"keep": [kept["id"]], "boxes": [[0, 0, 40, 30]]})
    assert response.status_code == 200, response.get_json()
    assert "attachment" in response.headers["Content-Disposition"]
    out = imageio.decode(response.data, "out.jpg")
    assert list(MetadataDetector().detect(out)) == []
    found = [f.box for f in face_detector.detect(out)]
    from pixelsafe.report import Box

    kept_box = Box(*kept["box"])
    assert found and all(b.iou(kept_box) >= 0.3 for b in found)
    assert np.asarray(out.rgb)[2:28, 2:38].max() <= 8  # the manual box is filled (JPEG)
    assert client.get(f"/api/images/{iid}").get_json()["exported"] is True


def test_several_photos_export_as_one_zip_of_their_single_exports(web):
    """Issue 27: no export of several photos at once. One ZIP holds each photo as its own
    export with the defaults writes it, named after it; nothing is left in the exports
    folder."""
    import zipfile

    app, client, _ = web
    ids = [image_id(client, n) for n in ("street-with-gps.jpg", "letter-contact-details.png")]
    response = client.post("/api/export", headers=headers(app), json={"ids": ids + ids[:1]})
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/zip"
    assert "pixelsafe-2-photos.redacted.zip" in response.headers["Content-Disposition"]
    assert response.headers["X-PixelSafe-Exported"] == "2"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["street-with-gps.redacted.jpg",
                                  "letter-contact-details.redacted.png"]
    for name, iid in zip(archive.namelist(), ids, strict=True):
        single = client.post(f"/api/images/{iid}/export", headers=headers(app), json={})
        member = imageio.decode(archive.read(name), name)
        assert np.array_equal(np.asarray(member.rgb), np.asarray(
            imageio.decode(single.data, name).rgb))
        assert list(MetadataDetector().detect(member)) == []
        assert client.get(f"/api/images/{iid}").get_json()["exported"] is True
    assert [p for p in Path(app.config["EXPORT_DIR"]).iterdir()
            if not p.name.startswith(".restore-")] == []


@pytest.mark.parametrize(("body", "status"), [
    ({}, 400), ({"ids": []}, 400), ({"ids": [True]}, 400), ({"ids": ["1"]}, 400),
    ({"ids": list(range(1, 52))}, 400), ({"ids": [1], "style": "melt"}, 400),
    ({"ids": [-1]}, 400), ({"ids": [2**64]}, 400), ({"ids": [999_999]}, 404)])
def test_an_export_of_several_refuses_bad_requests(web, body, status):
    app, client, _ = web
    response = client.post("/api/export", headers=headers(app), json=body)
    assert response.status_code == status
    error_of(response)


def test_the_preview_is_the_export(web):
    """Issue 14, point 1: the preview ignored the toggles and manual boxes. It is now the
    export with the same choices, at display size, with every region it got."""
    import base64

    app, client, _ = web
    iid = image_id(client, "street-with-gps.jpg")
    report = client.get(f"/api/images/{iid}/report").get_json()
    faces = [f for f in report["findings"] if f["kind"] == "face"]
    kept = max(faces, key=lambda f: f["confidence"])
    body = {"keep": [kept["id"]], "boxes": [[0, 0, 40, 30]]}
    shown = client.post(f"/api/images/{iid}/preview", headers=headers(app), json=body)
    assert shown.status_code == 200, shown.get_json()
    plan = shown.get_json()
    export = client.post(f"/api/images/{iid}/export", headers=headers(app), json=body)
    assert int(export.headers["X-PixelSafe-Regions"]) == len(plan["regions"])
    assert kept["id"] not in {r["finding"] for r in plan["regions"]}
    assert {"kind": "manual", "style": "fill", "box": [0, 0, 40, 30], "finding": None} \
        in plan["regions"]
    preview = Image.open(io.BytesIO(base64.b64decode(plan["jpeg"]))).convert("RGB")
    exported = Image.open(io.BytesIO(export.data)).convert("RGB")
    exported.thumbnail(preview.size, Image.Resampling.LANCZOS)
    a = np.asarray(preview, dtype=np.int16)
    b = np.asarray(exported, dtype=np.int16)
    assert a.shape == b.shape and np.abs(a - b).mean() < 3
    scale = preview.width / report["image"]["width"]
    assert a[2:int(28 * scale), 2:int(38 * scale)].max() <= 12  # the manual box, filled
    # the kept face is as in the original, a redacted one is not
    original = Image.open(io.BytesIO(client.get(
        f"/api/images/{iid}/thumb?size=display").data)).convert("RGB")
    o = np.asarray(original, dtype=np.int16)

    def region(arr, f):
        x1, y1, x2, y2 = (int(v * scale) for v in f["box"])
        return arr[y1:y2, x1:x2]

    assert np.abs(region(a, kept) - region(o, kept)).mean() < 6
    others = [f for f in faces if f["id"] != kept["id"]]
    assert all(np.abs(region(a, f) - region(o, f)).mean() > np.abs(
        region(a, kept) - region(o, kept)).mean() for f in others)
    assert not list(Path(app.config["EXPORT_DIR"]).iterdir())  # made, not kept


@pytest.mark.parametrize(("body", "kind"), [
    ({"style": "melt"}, "bad_request"),
    ({"keep": "f1"}, "bad_request"),
    ({"boxes": [[1, 2, 3]]}, "bad_request"),
    ({"boxes": [[5000, 5000, 6000, 6000]]}, "bad_request"),
    ({"boxes": [[float("nan"), 0, 10, 10]]}, "bad_request"),
    # break 11: unbounded work behind the token
    ({"boxes": [[0, 0, 10, 10]] * 201}, "too_many_boxes"),
    ({"boxes": [[0, 0, 100000, 100000]] * 3}, "too_many_boxes"),
])
def test_export_refuses_bad_choices(web, body, kind):
    app, client, _ = web
    iid = image_id(client, "street-with-gps.jpg")
    response = client.post(f"/api/images/{iid}/export", headers=headers(app), json=body)
    assert response.status_code == 400
    assert error_of(response)["type"] == kind


def test_encrypt_then_restore_gives_back_the_pixels(web):
    app, client, root = web
    iid = image_id(client, "letter-contact-details.png")
    response = client.post(f"/api/images/{iid}/encrypt", headers=headers(app),
                           json={"passphrase": "correct horse battery"})
    assert response.status_code == 200, response.get_json()
    protected = response.data
    assert protected != (root / "letter-contact-details.png").read_bytes()

    def restore(data: bytes, passphrase: str):
        return client.post("/api/restore", headers=headers(app), data={
            "file": (io.BytesIO(data), "letter.protected.png"), "passphrase": passphrase})

    ok = restore(protected, "correct horse battery")
    assert ok.status_code == 200, ok.get_json()
    original = Image.open(root / "letter-contact-details.png").convert("RGB")
    restored = Image.open(io.BytesIO(ok.data)).convert("RGB")
    assert np.array_equal(np.asarray(original), np.asarray(restored))

    wrong = restore(protected, "not the passphrase")
    assert wrong.status_code == 422 and error_of(wrong)["type"] == "wrong_passphrase"
    tampered = bytearray(protected)
    at = protected.index(b"psEc") + 60
    tampered[at] ^= 0x01
    bad = restore(bytes(tampered), "correct horse battery")
    assert bad.status_code == 422 and error_of(bad)["type"] in ("tampered", "wrong_passphrase")
    plain = restore((root / "letter-contact-details.png").read_bytes(), "whatever1")
    assert plain.status_code == 422 and error_of(plain)["type"] == "no_encrypted_payload"
    # issue 14, point 8: the same rule as the CLI, and its warning
    assert "X-PixelSafe-Warning" not in response.headers
    weak = client.post(f"/api/images/{iid}/encrypt", headers=headers(app),
                       json={"passphrase": "password"})
    assert weak.status_code == 200 and "weak" in weak.headers["X-PixelSafe-Warning"]
    # the passphrase is nowhere in the database
    assert b"correct horse battery" not in Path(app.config["DB"]).read_bytes()


def test_short_passphrase_is_refused(web):
    app, client, _ = web
    iid = image_id(client, "letter-contact-details.png")
    response = client.post(f"/api/images/{iid}/encrypt", headers=headers(app),
                           json={"passphrase": "short"})
    assert response.status_code == 400 and error_of(response)["type"] == "weak_passphrase"


def test_strip_removes_every_metadata_finding(web):
    app, client, _ = web
    iid = image_id(client, "street-with-gps.jpg")
    response = client.post(f"/api/images/{iid}/strip", headers=headers(app))
    assert response.status_code == 200
    out = imageio.decode(response.data, "stripped.jpg")
    assert list(MetadataDetector().detect(out)) == []


def test_lock_toggle_counts_as_protected(web):
    app, client, _ = web
    iid = image_id(client, "id-card-utopia.jpg")
    before = client.get("/api/status").get_json()["stats"]["protected"]
    on = client.post(f"/api/images/{iid}/lock", headers=headers(app), json={"locked": True})
    assert on.status_code == 200 and on.get_json()["locked"] is True
    assert client.get("/api/status").get_json()["stats"]["protected"] == before + 1
    client.post(f"/api/images/{iid}/lock", headers=headers(app), json={"locked": False})
    # issue 14, point 5: the counter counts protected photos, not downloads
    client.post(f"/api/images/{iid}/strip", headers=headers(app))
    client.post(f"/api/images/{iid}/export", headers=headers(app), json={})
    stats = client.get("/api/status").get_json()["stats"]
    assert stats["protected"] == before and stats["exported"] >= 1
    bad = client.post(f"/api/images/{iid}/lock", headers=headers(app), json={"locked": "yes"})
    assert bad.status_code == 400


def test_delete_moves_to_trash(web):
    app, client, root = web
    data = encode(Image.new("RGB", (64, 48), (200, 20, 30)), "PNG")
    response = client.post("/api/images", headers=headers(app),
                           data={"file": (io.BytesIO(data), "to-delete.png")})
    record = response.get_json()["uploaded"][0]["image"]
    gone = client.delete(f"/api/images/{record['id']}", headers=headers(app))
    assert gone.status_code == 200
    trash = root / gone.get_json()["trash"]
    assert trash.parent.name == ".trash" and trash.read_bytes() == data
    assert not (root / record["path"]).exists()
    assert client.get(f"/api/images/{record['id']}").status_code == 404
    assert client.delete(f"/api/images/{record['id']}", headers=headers(app)).status_code == 404


@pytest.mark.parametrize(("method", "url", "status"), [
    ("get", "/api/images/999999", 404),
    ("get", "/api/images/999999/report", 404),
    ("get", "/api/nothing-here", 404),
    ("put", "/api/images", 405),
])
def test_error_shape(web, method, url, status):
    app, client, _ = web
    response = getattr(client, method)(url, headers=headers(app))
    assert response.status_code == status
    error_of(response)


def test_queue_survives_a_restart(tmp_path):
    """Jobs queued (or running) when the server stops are done after it starts again."""
    root = library_with(tmp_path / "lib", "letter-contact-details.png")
    app = make_app(root, START_WORKER=False)
    data = encode(Image.new("RGB", (80, 60), (1, 2, 3)), "PNG")
    app.test_client().post("/api/images", headers=headers(app),
                           data={"file": (io.BytesIO(data), "queued.png")})
    library = app.extensions["pixelsafe"]
    job = library.claim()  # one job was taken, then the process "died"
    assert job is not None
    stats = app.test_client().get("/api/status").get_json()["stats"]
    assert stats["queued"] + stats["running"] == 2 and stats["analysed"] == 0
    shutdown(app)

    again = make_app(root)
    client = again.test_client()
    stats = wait_idle(client)
    assert stats["analysed"] == 2 and stats["failed"] == 0
    shutdown(again)
    # and a third start redoes nothing
    third = make_app(root, START_WORKER=False)
    assert third.test_client().get("/api/status").get_json()["stats"]["queued"] == 0
    shutdown(third)


def test_reports_in_the_library_follow_the_report_format(web):
    _, client, _ = web
    from pixelsafe.report import Report

    done = [i for i in client.get("/api/images").get_json()["images"] if i["state"] == "done"]
    assert len(done) >= 2, done  # the fixture's library is analysed
    for image in done:
        body = client.get(f"/api/images/{image['id']}/report").get_json()
        report = Report.from_json(json.dumps(body))
        assert report.to_dict() == body  # every field read back, nothing lost or added
        assert report.privacy_score == image["privacy_score"]


def test_a_job_deleted_while_running_does_not_finish_a_newer_one(tmp_path):
    """Regression: SQLite gave a new job the id of a deleted one, and the worker's late
    'done' for the deleted job marked the new job done without analysing it."""
    root = library_with(tmp_path / "lib")
    app = make_app(root, START_WORKER=False)
    library = app.extensions["pixelsafe"]
    client = app.test_client()
    try:
        def post(colour):
            data = encode(Image.new("RGB", (32, 24), colour), "PNG")
            return client.post("/api/images", headers=headers(app), data={
                "file": (io.BytesIO(data), "x.png")}).get_json()["uploaded"][0]["image"]["id"]

        first = post((1, 1, 1))
        running = library.claim()
        client.delete(f"/api/images/{first}", headers=headers(app))
        second = post((2, 2, 2))
        assert second != first
        library.finish(running, None, None)  # the deleted job's late result
        assert client.get(f"/api/images/{second}").get_json()["state"] == "queued"
        job = library.claim()
        assert job is not None and job.image_id == second and job.id != running.id
    finally:
        shutdown(app)


def test_config_is_the_policy_table(web):
    from pixelsafe import policy

    _, client, _ = web
    body = client.get("/api/config").get_json()
    assert {k: v for k, v in body.items() if k != "sorts"} == policy.as_config()
    assert {k["kind"] for k in body["kinds"]} == {k.value for k in Kind}
    redacted = {k["kind"] for k in body["kinds"] if k["redact_by_default"]}
    assert redacted == {"face", "personal_text", "license_plate", "barcode"}
    assert body["min_passphrase"] == 8 and body["hidden"]["auto"] == ["critical", "high"]


def test_links_out_of_the_library_and_fifos_are_never_indexed(tmp_path):
    """Issue 15, break 2: `ln -s /etc/passwd LIBRARY/passwd.jpg` stopped all analysis and
    showed the target's SHA-256; a FIFO named *.jpg hung the start."""
    import os

    root = library_with(tmp_path / "lib", "street-with-gps.jpg")
    (root / "passwd.jpg").symlink_to("/etc/passwd")
    (root / "dangling.jpg").symlink_to(tmp_path / "nothing.jpg")
    os.mkfifo(root / "pipe.jpg")
    app = make_app(root)
    client = app.test_client()
    stats = wait_idle(client)
    images = client.get("/api/images").get_json()["images"]
    assert [i["name"] for i in images] == ["street-with-gps.jpg"]
    assert stats["analysed"] == 1 and stats["failed"] == 0
    shutdown(app)


def test_a_rescan_hashes_only_what_changed_and_forgets_what_went(tmp_path, monkeypatch):
    """The index compares the folder with what the database knows in memory: an unchanged
    file is not opened again, a changed one is hashed and queued, a vanished one is
    forgotten; a link to a file inside the library, hidden files and folders and the
    private folders are as before."""
    import os

    from pixelsafe.web import library as library_module

    root = library_with(tmp_path / "lib", "street-with-gps.jpg", "letter-contact-details.png")
    (root / "album").mkdir()
    shutil.copy(SAMPLES / "id-card-utopia.jpg", root / "album" / "card.jpg")
    (root / "again.jpg").symlink_to(root / "album" / "card.jpg")
    (root / ".hidden.jpg").write_bytes(b"x")
    (root / ".trash").mkdir()
    shutil.copy(SAMPLES / "id-card-utopia.jpg", root / ".trash" / "old.jpg")
    app = make_app(root, START_WORKER=False)
    library = app.extensions["pixelsafe"]
    hashed: list[str] = []
    real = library_module.sha256_file

    def counting(path, **kw):
        hashed.append(Path(path).relative_to(root).as_posix())
        return real(path, **kw)

    monkeypatch.setattr(library_module, "sha256_file", counting)

    def paths() -> list[str]:
        with library.write() as conn:
            return sorted(r[0] for r in conn.execute("SELECT path FROM images"))

    assert paths() == ["again.jpg", "album/card.jpg", "letter-contact-details.png",
                       "street-with-gps.jpg"]
    assert library.index() == 4 and hashed == []  # nothing changed: nothing opened
    os.utime(root / "street-with-gps.jpg", ns=(1, 1))
    (root / "letter-contact-details.png").unlink()
    assert library.index() == 3
    assert hashed == ["street-with-gps.jpg"]
    assert paths() == ["again.jpg", "album/card.jpg", "street-with-gps.jpg"]
    shutdown(app)


def test_a_file_swapped_for_a_link_after_indexing_fails_alone(tmp_path):
    root = library_with(tmp_path / "lib", "id-card-utopia.jpg", "letter-contact-details.png")
    app = make_app(root, START_WORKER=False)
    library = app.extensions["pixelsafe"]
    (root / "id-card-utopia.jpg").unlink()
    (root / "id-card-utopia.jpg").symlink_to("/etc/passwd")
    job = library.claim()  # the swapped file's job fails; the next one is handed out
    assert job is not None and job.path.name == "letter-contact-details.png"
    with library.write() as conn:
        states = dict(conn.execute("SELECT i.name, j.state FROM jobs j JOIN images i "
                                   "ON i.id = j.image_id").fetchall())
    assert states == {"id-card-utopia.jpg": "failed", "letter-contact-details.png": "running"}
    shutdown(app)


def test_what_the_tool_keeps_is_only_for_its_user(tmp_path):
    """Other local users cannot open the database, the uploads, the exports or the trash:
    the folders are 0700 and the database 0600 (break 9)."""
    root = library_with(tmp_path / "lib", "street-with-gps.jpg")
    app = make_app(root, START_WORKER=False)
    try:
        client = app.test_client()
        data = (SAMPLES / "id-card-utopia.jpg").read_bytes()
        up = client.post("/api/images", headers=headers(app),
                         data={"file": (io.BytesIO(data), "card.jpg")})
        iid = up.get_json()["uploaded"][0]["image"]["id"]
        first = client.get("/api/images").get_json()["images"][0]["id"]
        client.post(f"/api/images/{first}/strip", headers=headers(app))
        assert client.delete(f"/api/images/{iid}", headers=headers(app)).status_code == 200
        data = Path(app.config["DATA_DIR"])
        for folder in (data.parent, data, data / "exports", root / "uploads", root / ".trash"):
            assert folder.is_dir() and folder.stat().st_mode & 0o777 == 0o700, folder
        assert (data / "library.db").stat().st_mode & 0o777 == 0o600
    finally:
        shutdown(app)


def test_accepted_uploads_keep_their_sniffed_format_and_survive_a_restart(tmp_path):
    """Break 6: names without an extension, empty, '..', 'x.html' or 'gnp.exe' are stored
    under the extension their bytes announce, and are all still listed after a restart."""
    root = library_with(tmp_path / "lib", "street-with-gps.jpg")
    jpeg = (SAMPLES / "id-card-utopia.jpg").read_bytes()
    names = ["noext", "", "x.html", "gnp.exe", ".."]
    app = make_app(root, START_WORKER=False)
    try:
        client = app.test_client()
        for k, name in enumerate(names):
            data = jpeg + b"<script>alert(1)</script>" + bytes([k])  # a JPEG+HTML polyglot
            up = client.post("/api/images", headers=headers(app),
                             data={"file": (io.BytesIO(data), name)})
            assert up.status_code == 201, (name, up.get_json())
        before = {i["path"] for i in client.get("/api/images").get_json()["images"]}
    finally:
        shutdown(app)
    stored = sorted(p.name for p in (root / "uploads").iterdir())
    assert len(stored) == len(names) and all(n.endswith(".jpg") for n in stored), stored
    app = make_app(root, START_WORKER=False)
    try:
        after = {i["path"] for i in app.test_client().get("/api/images").get_json()["images"]}
    finally:
        shutdown(app)
    assert after == before and len(after) == len(names) + 1


def test_what_a_crash_left_behind_is_removed_at_start(tmp_path):
    """Break 10: a half-written upload or export (kill -9 during an atomic write) and a
    restore's working folder are gone at the next start; a restore leaves nothing."""
    from pixelsafe.fsutil import library_data

    root = library_with(tmp_path / "lib", "street-with-gps.jpg")
    exports = library_data(root) / "exports"
    (root / "uploads").mkdir()
    exports.mkdir(parents=True)
    stray = [root / "uploads" / ".abc-x.jpg.k2j3.tmp", exports / ".1-x.redacted.jpg.zz.tmp"]
    for path in stray:
        path.write_bytes(b"\0" * 1024)
    left = exports / ".restore-q1w2e3"
    left.mkdir()
    (left / "original.restored.png").write_bytes(b"the original pixels")
    keep = root / "uploads" / "abc-keep.jpg"
    keep.write_bytes((SAMPLES / "id-card-utopia.jpg").read_bytes())
    app = make_app(root, START_WORKER=False)
    try:
        assert not any(p.exists() for p in [*stray, left]) and keep.exists()
        client = app.test_client()
        response = client.post("/api/restore", headers=headers(app), data={
            "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n not protected"), "x.protected.png"),
            "passphrase": "correct horse battery"})
        assert response.status_code >= 400
        assert list(exports.iterdir()) == []
    finally:
        shutdown(app)


def test_exports_strips_and_restores_are_decoded_outside_the_server_process(web, monkeypatch):
    """Issues 28 and 29 (point 2): preview, export, encrypt, strip and restore ran in the
    request's thread, decoding full images in the server's process (a slow strip held
    every other request). With decoding and the protect operations broken in this (the
    server's) process, each still answers: the bounded worker does the work."""
    import PIL.Image

    from pixelsafe.protect import redaction, restoration, stripping

    app, client, _ = web
    iid = image_id(client, "letter-contact-details.png")

    def not_here(*args, **kwargs):
        raise AssertionError("decoded in the server process")

    for owner, name in ((imageio, "load"), (imageio, "decode"), (PIL.Image, "open"),
                        (redaction, "redact"), (stripping, "strip"), (restoration, "restore")):
        monkeypatch.setattr(owner, name, not_here)
    assert client.post(f"/api/images/{iid}/preview", headers=headers(app), json={}
                       ).status_code == 200
    assert client.post(f"/api/images/{iid}/export", headers=headers(app), json={}
                       ).status_code == 200
    assert client.post(f"/api/images/{iid}/strip", headers=headers(app)).status_code == 200
    protected = client.post(f"/api/images/{iid}/encrypt", headers=headers(app),
                            json={"passphrase": "correct horse battery"})
    assert protected.status_code == 200
    restored = client.post("/api/restore", headers=headers(app), data={
        "file": (io.BytesIO(protected.data), "letter.protected.png"),
        "passphrase": "correct horse battery"})
    assert restored.status_code == 200 and restored.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_export_over_the_workers_memory_limit_is_a_typed_error(web, monkeypatch):
    """Issue 28: an export whose redaction exceeds the worker's memory limit answers with
    a typed error (resource_limit), and the server keeps serving: the next request is
    answered, and the next export, in a worker with room, is written."""
    from pixelsafe.protect.bounded import Bounded

    app, client, _ = web
    iid = image_id(client, "street-with-gps.jpg")
    small = Bounded(memory_mb=300)  # too little for the detectors the check after it runs
    monkeypatch.setitem(app.extensions, "pixelsafe.engine", small)
    try:
        response = client.post(f"/api/images/{iid}/export", headers=headers(app), json={})
        assert response.status_code == 422
        assert error_of(response)["type"] == "resource_limit"
        assert str(app.config["LIBRARY"]) not in response.get_data(as_text=True)
        assert client.get("/api/images").status_code == 200
    finally:
        small.close()
    monkeypatch.undo()
    assert client.post(f"/api/images/{iid}/export", headers=headers(app), json={}
                       ).status_code == 200


def test_hide_all_text_in_the_preview_and_the_export(web):
    """Issue 31: the gallery's "Hide all text": the preview and the export fill every line
    of text the OCR reads; anything but true or false is refused."""
    app, client, _ = web
    iid = image_id(client, "letter-contact-details.png")
    usual = client.post(f"/api/images/{iid}/preview", headers=headers(app), json={})
    shown = client.post(f"/api/images/{iid}/preview", headers=headers(app),
                        json={"all_text": True})
    assert shown.status_code == 200, shown.get_json()
    lines = [r for r in shown.get_json()["regions"] if r["kind"] == "text_line"]
    assert lines and not [r for r in usual.get_json()["regions"] if r["kind"] == "text_line"]
    export = client.post(f"/api/images/{iid}/export", headers=headers(app),
                         json={"all_text": True})
    assert int(export.headers["X-PixelSafe-Regions"]) == len(shown.get_json()["regions"])
    bad = client.post(f"/api/images/{iid}/export", headers=headers(app), json={"all_text": "yes"})
    assert bad.status_code == 400 and error_of(bad)["type"] == "bad_request"


def test_the_server_listens_before_it_has_looked_through_the_folder(tmp_path, monkeypatch):
    """Issue 29 point 7 and issue 32: a big folder no longer delays the start. With
    INDEX_IN_BACKGROUND (what `pixelsafe serve` sets) the app is made and answers while the
    first look through the folder is still going on; the status says so, and the gallery
    fills as it ends."""
    import threading

    from pixelsafe.web.library import Library

    root = library_with(tmp_path / "lib", "street-with-gps.jpg", "letter-contact-details.png")
    looking, release = threading.Event(), threading.Event()
    real = Library.index

    def slow(self: Library) -> int:
        looking.set()
        assert release.wait(60)
        return real(self)

    monkeypatch.setattr(Library, "index", slow)
    app = make_app(root, INDEX_IN_BACKGROUND=True)  # returns while the look is held
    try:
        client = app.test_client()
        assert looking.wait(30)
        stats = client.get("/api/status").get_json()["stats"]
        assert stats["indexing"] is True and stats["total"] == 0
        release.set()
        stats = wait_idle(client)
        assert stats["indexing"] is False and stats["total"] == 2
    finally:
        release.set()
        shutdown(app)


def test_serve_asks_for_the_first_look_in_the_background(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import pixelsafe.web
    from pixelsafe.cli import main
    from pixelsafe.errors import PixelSafeError

    seen: dict[str, object] = {}

    def capture(config: dict[str, object]) -> None:
        seen.update(config)
        raise PixelSafeError("stop here")

    monkeypatch.setattr(pixelsafe.web, "create_app", capture)
    result = CliRunner().invoke(main, ["serve", "--library", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1 and "stop here" in result.output
    assert seen["INDEX_IN_BACKGROUND"] is True


def test_without_it_the_app_is_made_with_the_folder_indexed(tmp_path):
    root = library_with(tmp_path / "lib", "street-with-gps.jpg")
    app = make_app(root, START_WORKER=False)
    stats = app.test_client().get("/api/status").get_json()["stats"]
    assert stats["indexing"] is False and stats["total"] == 1
    shutdown(app)
