"""Load on loopback: 100 uploads at once over real HTTP (waitress), each then analysed by
the queue. Nothing may be lost and nothing may answer 5xx."""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image
from webutil import TOKEN_HEADER, live_server, make_app, shutdown

N = 100


def photo(i: int) -> bytes:
    """A distinct small photo per upload (different bytes, so no de-duplication)."""
    rng = np.random.default_rng(i)
    pixels = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None
            ) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def upload(url: str, token: str, i: int) -> tuple[int, dict]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"load-{i:03d}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() \
        + photo(i) + f"\r\n--{boundary}--\r\n".encode()
    return request(f"{url}/api/images", body, {
        TOKEN_HEADER: token, "Content-Type": f"multipart/form-data; boundary={boundary}"})


def test_100_concurrent_uploads_lose_nothing(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    app = make_app(root)
    token = app.config["CSRF_TOKEN"]
    try:
        with live_server(app, threads=8) as url:
            with ThreadPoolExecutor(max_workers=N) as pool:
                results = list(pool.map(lambda i: upload(url, token, i), range(N)))
                # while the queue runs, readers hammer the list and the thumbnails
                reads = list(pool.map(lambda _: request(f"{url}/api/images?per_page=200"),
                                      range(50)))
            statuses = [s for s, _ in results] + [s for s, _ in reads]
            assert all(s < 500 for s in statuses), sorted(set(statuses))
            assert [s for s, _ in results] == [201] * N
            ids = {body["uploaded"][0]["image"]["id"] for _, body in results}
            assert len(ids) == N
            deadline = time.monotonic() + 600
            while True:
                _, status = request(f"{url}/api/status")
                stats = status["stats"]
                if stats["queued"] == 0 and stats["running"] == 0:
                    break
                assert time.monotonic() < deadline, stats
                time.sleep(0.5)
            assert stats["total"] == N and stats["analysed"] == N and stats["failed"] == 0
            _, listing = request(f"{url}/api/images?per_page=200")
            assert {i["id"] for i in listing["images"]} == ids
            assert {i["state"] for i in listing["images"]} == {"done"}
            thumbs = [urllib.request.urlopen(f"{url}/api/images/{i}/thumb", timeout=60).status
                      for i in sorted(ids)[:10]]
            assert thumbs == [200] * 10
        assert len(list((root / "uploads").iterdir())) == N
    finally:
        shutdown(app)
