"""End to end in real Chromium (Debian's /usr/bin/chromium, driven by Playwright) against
the app served by waitress on loopback, with the real worker and models.

Screenshots go to build/screenshots/ (git-ignored); the README's copies come from there."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, needs_shared
from webutil import library_with, live_server, make_app, shutdown

from pixelsafe.report import Box

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "build" / "screenshots"
# as root Chromium needs --no-sandbox; the rest keeps it off the (closed) network
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--metrics-recording-only"]
#: a card of the gallery once it is loaded (the page shows skeleton cards while it starts, and
#: wires its picker only once the policy is loaded)
LOADED = ".card:not(.skeleton)"
#: a drag and drop of one PNG onto the page, as the browser dispatches it
DROP = """async ([name, b64]) => {
    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, { type: 'image/png' }));
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, cancelable: true }));
}"""
MARKUP = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install "
                    "chromium chromium-driver)")
    root = library_with(tmp_path_factory.mktemp("lib"), "letter-contact-details.png",
                        "id-card-utopia.jpg", "crowd-maksssksksss373.png",
                        "crowd-maksssksksss717.png")
    app = make_app(root)
    with live_server(app) as url:
        yield app, url, root
    shutdown(app)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.errors = errors
    yield pg
    context.close()


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / name))


def wait_analysed(pg, name: str, timeout: float = 180_000):
    card = pg.locator(".card", has=pg.locator(".name", has_text=name))
    card.locator(".badge.risk-low, .badge.risk-medium, .badge.risk-high, .badge.risk-critical"
                 ).wait_for(timeout=timeout)
    return card


def test_upload_analyse_toggle_export(server, page, analyzer, tmp_path):
    app, url, _ = server
    page.goto(url)
    # 1. the gallery
    page.locator(LOADED).first.wait_for()
    for name in ("letter-contact-details.png", "id-card-utopia.jpg"):
        wait_analysed(page, name)
    # 2. upload a photo with faces and a GPS tag, through the picker
    page.set_input_files("#file-input", str(SAMPLES / "street-with-gps.jpg"))
    # 3. wait for its analysis (the progress bar shows while the queue runs)
    card = wait_analysed(page, "street-with-gps.jpg")
    page.wait_for_selector("#progress", state="hidden", timeout=180_000)
    # 4. the badge, the boxes and the GPS row
    badge = card.locator(".badge")
    assert badge.text_content() == "5 · Critical"
    assert "risk-critical" in badge.get_attribute("class")
    assert page.locator("#stat-total").text_content() == "5"
    shot(page, "gallery.png")
    card.locator(".thumb").click()
    page.locator("#detail[open]").wait_for()
    page.locator("#overlay .box.kind-face").first.wait_for()
    boxes = page.locator("#overlay .box.kind-face")
    assert boxes.count() >= 3
    gps = page.locator('#metadata tr[data-label="gps"] td')
    assert gps.text_content().startswith("40.66")
    # 5. toggle a finding: keep the most confident face
    image = json.loads(page.evaluate("fetch(location.origin + '/api/images?per_page=200')"
                                     ".then(r => r.text())"))
    record = next(i for i in image["images"] if i["name"] == "street-with-gps.jpg")
    report = app.test_client().get(f"/api/images/{record['id']}/report").get_json()
    kept = max((f for f in report["findings"] if f["kind"] == "face"),
               key=lambda f: f["confidence"])
    toggle = page.locator(f'#findings input[data-finding="{kept["id"]}"]')
    assert toggle.is_checked()
    toggle.uncheck()
    assert "kept" in page.locator(f'#overlay [data-finding="{kept["id"]}"]').get_attribute("class")
    page.wait_for_timeout(300)
    shot(page, "detail.png")
    # 6. export
    with page.expect_download(timeout=120_000) as info:
        page.click("#export")
    out = tmp_path / info.value.suggested_filename
    info.value.save_as(out)
    assert out.suffix == ".jpg"
    # 7. the download is redacted and has no metadata: analyse it again
    again = analyzer.analyze(out)
    assert not again.summary.has_location_data
    assert [f for f in again.findings if f.kind.value in ("metadata", "location")] == []
    faces = [f.box for f in again.findings if f.kind.value == "face"]
    assert faces and all(b.iou(Box(*kept["box"])) >= 0.3 for b in faces), faces
    assert page.errors == []


def test_markup_in_names_and_text_stays_text(server, page):
    """A file named like an HTML tag, and OCR text holding markup, are shown as text."""
    app, url, root = server
    name = "<img src=x onerror=alert(1)>.jpg"
    page.goto(url)
    page.locator(LOADED).first.wait_for()
    page.set_input_files("#file-input", files=[{
        "name": name, "mimeType": "image/jpeg",
        "buffer": _jpeg_of(SAMPLES / "crowd-maksssksksss373.png")}])
    card = wait_analysed(page, "onerror")
    assert card.locator(".name").text_content() == name
    # plant markup in the stored report, as OCR of a page of HTML source would produce it
    conn = sqlite3.connect(app.config["DB"])
    sha = conn.execute("SELECT sha256 FROM images WHERE name = ?", (name,)).fetchone()[0]
    (raw,) = conn.execute("SELECT report FROM reports WHERE sha256 = ?", (sha,)).fetchone()
    report = json.loads(raw)
    report["explanation"] = f"Found {MARKUP}"
    report["findings"].append({"id": "f99", "kind": "personal_text", "label": "email",
                               "text": MARKUP, "box": [1, 1, 20, 20], "confidence": 0.9,
                               "source": "ocr+pattern", "redaction": "fill"})
    conn.execute("UPDATE reports SET report = ? WHERE sha256 = ?", (json.dumps(report), sha))
    conn.commit()
    conn.close()
    page.reload()
    card = wait_analysed(page, "onerror")
    card.locator(".thumb").click()
    page.locator("#detail[open]").wait_for()
    cell = page.locator('#findings tr[data-finding="f99"] td.text')
    assert cell.text_content() == MARKUP
    assert page.locator("#detail-explanation").text_content() == f"Found {MARKUP}"
    assert page.locator("#detail-title").text_content() == name
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.errors == []


def _jpeg_of(path: Path) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.open(path).convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_privacy_modes_swap_in_server_renders(server, page):
    _, url, _ = server
    page.goto(url)
    card = wait_analysed(page, "id-card-utopia.jpg")
    img = card.locator("img")
    assert "redacted=1" in img.get_attribute("data-src")  # auto: critical is hidden
    page.select_option("#mode", "show")
    card = wait_analysed(page, "id-card-utopia.jpg")
    assert "redacted=1" not in card.locator("img").get_attribute("data-src")
    page.select_option("#mode", "hide")
    card = wait_analysed(page, "letter-contact-details.png")
    assert "redacted=1" in card.locator("img").get_attribute("data-src")  # medium is hidden too
    # the protect toggle redacts a card whatever the mode, and counts in the stats
    page.select_option("#mode", "show")
    card = wait_analysed(page, "letter-contact-details.png")
    before = int(page.locator("#stat-protected").text_content())
    card.locator(".lock").click()
    card = page.locator(".card", has=page.locator(".name", has_text="letter-contact"))
    card.locator(".lock[aria-pressed='true']").wait_for()
    assert "redacted=1" in card.locator("img").get_attribute("data-src")
    page.wait_for_function(f"document.querySelector('#stat-protected').textContent > {before}")
    card.locator(".lock").click()
    card.locator(".lock[aria-pressed='false']").wait_for()
    assert page.errors == []


def test_keyboard_and_alt_texts(server, page):
    _, url, _ = server
    page.goto(url)
    wait_analysed(page, "id-card-utopia.jpg")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('thumb')"):
            break
    else:
        pytest.fail("no photo reachable with Tab")
    page.keyboard.press("Enter")
    page.locator("#detail[open]").wait_for()
    page.keyboard.press("Escape")
    page.locator("#detail").wait_for(state="hidden")
    alts = page.evaluate("[...document.images].map(i => i.alt)")
    assert alts and all(a.strip() for a in alts)


def test_phone_sized_screen(server, browser):
    _, url, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    pg = context.new_page()
    try:
        pg.goto(url)
        wait_analysed(pg, "id-card-utopia.jpg")
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(pg, "phone.png")
        pg.locator(".card .thumb").first.tap()
        pg.locator("#detail[open]").wait_for()
        assert pg.evaluate("document.querySelector('#detail').getBoundingClientRect().width "
                           "<= window.innerWidth")
        assert pg.locator("#export").is_visible() or pg.locator("#export").count() == 1
    finally:
        context.close()


def test_drop_upload_draw_box_encrypt_restore(server, page, tmp_path):
    """Drop a file on the page, draw a box with the mouse, export it reversibly, and restore
    the original through the page with the passphrase."""
    import base64

    import numpy as np
    from PIL import Image

    _, url, _ = server
    page.goto(url)
    page.locator(LOADED).first.wait_for()
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)
    source = tmp_path / "dropped.png"
    Image.fromarray(pixels).save(source)
    page.evaluate(DROP, ["dropped.png", base64.b64encode(source.read_bytes()).decode()])
    card = wait_analysed(page, "dropped.png")
    assert page.locator("#drop").is_hidden()
    card.locator(".thumb").click()
    page.locator("#detail[open]").wait_for()
    page.locator("#detail-img[data-shows='original']").wait_for()  # fetched with the key
    page.locator("#detail-img").evaluate("img => img.decode()")
    page.click("#draw")
    box = page.locator("#overlay").bounding_box()
    # drag from 10 % to 50 % of the width and 20 % to 60 % of the height
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4, steps=4)
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6, steps=4)
    page.mouse.up()
    assert page.locator("#overlay .box.manual").count() == 1
    coords = [int(v) for v in page.locator(".manual-row td.text").text_content().split(", ")]
    assert abs(coords[0] - 40) <= 3 and abs(coords[1] - 60) <= 3
    assert abs(coords[2] - 200) <= 3 and abs(coords[3] - 180) <= 3
    page.fill("#passphrase", "a long passphrase")
    with page.expect_download(timeout=120_000) as info:
        page.click("#encrypt")
    protected = tmp_path / info.value.suggested_filename
    info.value.save_as(protected)
    out = np.asarray(Image.open(protected).convert("RGB"))
    x1, y1, x2, y2 = coords
    assert out[y1 + 2:y2 - 2, x1 + 2:x2 - 2].max() == 0  # the drawn box is filled
    assert page.locator("#passphrase").input_value() == ""  # not kept in the page
    page.set_input_files("#restore-file", str(protected))
    page.fill("#restore-pass", "a long passphrase")
    with page.expect_download(timeout=60_000) as info:
        page.click("#restore-form button[type=submit]")
    restored = tmp_path / info.value.suggested_filename
    info.value.save_as(restored)
    assert np.array_equal(np.asarray(Image.open(restored).convert("RGB")), pixels)
    # issue 27: the restored file is a PNG whatever the protected one was, and says why
    assert restored.suffix == ".png"
    assert "original pixels come back exactly" in page.locator("#detail-note").inner_text()
    # a wrong passphrase is a clear message, not a download
    page.set_input_files("#restore-file", str(protected))
    page.fill("#restore-pass", "the wrong one")
    page.click("#restore-form button[type=submit]")
    # issue 14, point 3: the error is inside the dialog, announced, and stays until dismissed
    error = page.locator("#detail[open] #detail-error[role=alert]")
    error.wait_for()
    assert "passphrase" in error.text_content()
    page.wait_for_timeout(6500)  # the toast faded after 6 s; this stays
    assert error.is_visible()
    shot(page, "error-in-dialog.png")
    page.click("#detail-error-close")
    assert not error.is_visible()
    assert page.errors == []


def test_drop_while_the_page_starts_is_uploaded(server, page, tmp_path):
    """A photo dropped before the page has loaded its policy is uploaded once it has (it was
    lost before: the drop listener was wired after the policy's request, and a loaded
    machine let a drop land in between)."""
    import base64

    import numpy as np
    from PIL import Image

    _, url, _ = server
    held = []
    page.route("**/api/config", lambda route: held.append(route))  # answered by the test
    page.goto(url)
    page.wait_for_function("document.querySelector('.card.skeleton') !== null")
    while not held:
        page.wait_for_timeout(50)
    source = tmp_path / "early.png"
    Image.fromarray(np.random.default_rng(11).integers(0, 255, (120, 160, 3), dtype=np.uint8)
                    ).save(source)
    page.evaluate(DROP, ["early.png", base64.b64encode(source.read_bytes()).decode()])
    assert page.locator(LOADED).count() == 0  # still starting
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/api/images")):
        held[0].continue_()
    wait_analysed(page, "early.png")
    assert page.url.startswith(url.split("#")[0])  # the browser did not open the file
    assert page.errors == []


@pytest.mark.parametrize(("risk", "colour"), [("medium", "rgb(255, 152, 0)"),
                                              ("critical", "rgb(244, 67, 54)")])
def test_badge_colours_are_the_originals(server, page, risk, colour):
    _, url, _ = server
    page.goto(url)
    wait_analysed(page, "id-card-utopia.jpg")
    badge = page.locator(f".card .badge.risk-{risk}").first
    assert badge.evaluate("b => getComputedStyle(b).backgroundColor") == colour


@needs_shared
def test_vlm_switch_light_and_marked_findings(browser, tmp_path, monkeypatch):
    """The VLM switch against the fake Ollama: the light turns green, the photo is analysed
    again, and what the VLM added is marked as such."""
    from fake_ollama import MODEL, FakeOllama

    from pixelsafe.vlm import VlmSettings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = library_with(tmp_path / "lib", "crowd-maksssksksss373.png")
    with FakeOllama("fam.jpg") as fake:
        app = make_app(root, VLM=VlmSettings(url=fake.url, model=MODEL, timeout=30))
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        pg = context.new_page()
        try:
            with live_server(app) as url:
                pg.goto(url)
                wait_analysed(pg, "crowd-maksssksksss373.png")
                pg.locator("#vlm-light.off").wait_for()
                pg.click("#vlm-toggle")
                pg.locator("#vlm-light.ok").wait_for()
                assert pg.get_attribute("#vlm-toggle", "aria-pressed") == "true"
                card = pg.locator(".card", has=pg.locator(".tag.vlm"))
                card.wait_for(timeout=120_000)
                assert "risk-critical" in card.locator(".badge").get_attribute("class")
                card.locator(".thumb").click()
                pg.locator("#detail[open]").wait_for()
                row = pg.locator('#findings tr[data-source="vlm"]').first
                row.wait_for()
                assert row.locator(".tag.vlm").text_content() == "VLM"
                assert "a child (VLM)" in pg.locator("#detail-explanation").text_content()
                shot(pg, "vlm.png")
        finally:
            context.close()
            shutdown(app)


def test_the_page_builds_its_lists_from_the_policy_table(server, page):
    """No rule is hard-coded in the page: the filters, the style list and the passphrase
    rule come from GET /api/config."""
    from pixelsafe import policy

    _, url, _ = server
    page.goto(url)
    page.locator("#filter-kind option[value='face']").wait_for(state="attached")
    kinds = page.eval_on_selector_all("#filter-kind option", "os => os.map(o => o.value)")
    assert kinds == ["", *[k.value for k in policy.POLICIES]]
    risks = page.eval_on_selector_all("#filter-risk option", "os => os.map(o => o.value)")
    assert risks == ["", "low", "medium", "high", "critical"]
    styles = page.eval_on_selector_all("#style option", "os => os.map(o => o.value)")
    assert styles == list(policy.STYLES)
    assert page.eval_on_selector("#passphrase", "e => e.minLength") == policy.MIN_PASSPHRASE


def test_the_gallery_sorts_by_risk_and_keeps_the_choice(server, page):
    _, url, _ = server
    page.goto(url)
    page.locator(LOADED).first.wait_for()
    page.wait_for_selector("#progress", state="hidden", timeout=180_000)
    sorts = page.eval_on_selector_all("#sort option", "os => os.map(o => o.value)")
    assert sorts == ["newest", "risk", "name"]

    def scores() -> list[int]:
        return [int(t.split()[0]) for t in page.locator(".card .badge").all_text_contents()]

    page.select_option("#sort", "risk")
    page.wait_for_function("() => { const s = [...document.querySelectorAll('.card .badge')]"
                           ".map(b => parseInt(b.textContent)); return s.length > 1 && "
                           "s.every((v, i) => i === 0 || s[i - 1] >= v); }")
    by_risk = scores()
    assert by_risk == sorted(by_risk, reverse=True) and by_risk[0] > by_risk[-1]
    page.reload()
    page.locator(".card .badge").first.wait_for()
    assert page.eval_on_selector("#sort", "e => e.value") == "risk"
    assert scores() == by_risk
    page.select_option("#sort", "name")
    page.wait_for_function("() => { const n = [...document.querySelectorAll('.card .name')]"
                           ".map(e => e.textContent.toLowerCase()); return n.length > 1 && "
                           "n.every((v, i) => i === 0 || n[i - 1] <= v); }")
    names = page.locator(".card .name").all_text_contents()
    assert names == sorted(names, key=str.lower)
    assert page.errors == []


def test_several_photos_export_as_one_zip(server, page, tmp_path):
    """Issue 27: no export of several photos at once."""
    import zipfile

    _, url, _ = server
    page.goto(url)
    names = ("letter-contact-details.png", "id-card-utopia.jpg")
    for name in names:
        wait_analysed(page, name).locator("input.pick-box").check()
    button = page.locator("#export-selected")
    assert button.is_visible() and button.text_content() == "Export selected (2)"
    page.reload()  # the selection is the page's: a reload starts without one
    page.locator(LOADED).first.wait_for()
    assert page.locator("#export-selected").is_hidden()
    for name in names:
        wait_analysed(page, name).locator("input.pick-box").check()
    with page.expect_download(timeout=180_000) as info:
        page.click("#export-selected")
    out = tmp_path / info.value.suggested_filename
    info.value.save_as(out)
    assert out.name == "pixelsafe-2-photos.redacted.zip"
    assert sorted(zipfile.ZipFile(out).namelist()) == [
        "id-card-utopia.redacted.jpg", "letter-contact-details.redacted.png"]
    page.locator("#export-selected").wait_for(state="hidden")
    assert page.locator("input.pick-box:checked").count() == 0
    assert page.errors == []


def test_the_key_reaches_no_other_local_port(browser, tmp_path):
    """Issue 29, point 1: the access key was a cookie, which the browser sends to every port
    of 127.0.0.1; a page that navigated the tab to another local user's listener handed it
    over. Now the page keeps the key in this origin's sessionStorage and sends it in a
    header; images are fetched with it. The other listener gets neither cookie nor key."""
    import http.server
    import threading

    seen: list[dict[str, str]] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            seen.append({"path": self.path, **dict(self.headers)})
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>other</title>")

        def log_message(self, *args):
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    key = "k" * 43
    root = library_with(tmp_path / "lib", "letter-contact-details.png")
    app = make_app(root, ACCESS_KEY=key, DATA_DIR=tmp_path / "data")
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        with live_server(app) as url:
            pg = context.new_page()
            pg.goto(f"{url}/#key={key}")
            card = wait_analysed(pg, "letter-contact-details.png")
            card.locator("img[src^='blob:']").wait_for()
            assert key not in pg.url  # the key left the address bar
            assert context.cookies() == []
            # a hostile page sends the tab to another local listener
            pg.goto(f"http://127.0.0.1:{other.server_address[1]}/steal")
            assert pg.evaluate("sessionStorage.getItem('pixelsafe-key')") is None
            assert seen and all(key not in " ".join(r.values()) for r in seen), seen
            assert all("Cookie" not in r and "cookie" not in r for r in seen), seen
            # back on the gallery's origin, the tab still has its key; a new tab has none
            pg.goto(f"{url}/")
            wait_analysed(pg, "letter-contact-details.png")
            fresh = context.new_page()
            fresh.goto(f"{url}/")
            fresh.locator("#empty", has_text="no access key").wait_for()
    finally:
        context.close()
        other.shutdown()
        other.server_close()
        shutdown(app)


def test_a_new_photo_never_shows_the_previous_one(server, page):
    """Issue 27: open a photo, close it, open another: the dialog showed the previous photo
    under the new title until the new one arrived. The image is cleared at once and the
    stage is marked busy while the new one loads."""
    _, url, _ = server
    page.goto(url)
    page.select_option("#mode", "show")
    open_card(page, "letter-contact-details.png")
    page.locator("#detail-img[data-shows='original']").wait_for()
    page.click("#detail-close")
    held = []
    page.route("**/thumb?size=display", lambda route: held.append(route))
    open_card(page, "id-card-utopia.jpg")
    assert page.locator("#detail-title").text_content() == "id-card-utopia.jpg"
    page.wait_for_function("document.querySelector('#stage').getAttribute('aria-busy') === 'true'")
    assert page.locator("#detail-img").get_attribute("src") is None
    assert held
    for route in held:
        route.continue_()
    page.unroute("**/thumb?size=display")
    page.locator("#detail-img[data-shows='original']").wait_for()
    assert page.locator("#stage").get_attribute("aria-busy") is None
    assert page.errors == []


def open_card(pg, name: str) -> None:
    card = wait_analysed(pg, name)
    card.locator(".thumb").click()
    pg.locator("#detail[open]").wait_for()


def open_shown(pg, url: str, name: str) -> None:
    """The gallery in 'show' mode, with ``name``'s findings listed in its dialog."""
    pg.goto(url)
    pg.select_option("#mode", "show")
    open_card(pg, name)
    pg.locator("#findings tr").first.wait_for()


def test_an_id_card_is_redacted_whole_unless_its_row_is_unticked(server, page):
    """Issue 27: an identity document's row is ticked (filled whole) and says so; unticked,
    the export redacts it field by field. A page of text says why it has no tick."""
    app, url, _ = server
    page.goto(url)
    page.select_option("#mode", "show")
    open_card(page, "id-card-utopia.jpg")
    row = page.locator("#findings tr", has=page.locator("td", has_text="ID card"))
    toggle = row.locator("input[type=checkbox]")
    toggle.wait_for()
    assert toggle.is_checked() and toggle.is_enabled()
    assert "Filled whole" in toggle.get_attribute("title")
    fid = row.get_attribute("data-finding")
    assert "kept" not in page.locator(f'#overlay [data-finding="{fid}"]').get_attribute("class")
    with page.expect_request(lambda r: r.url.endswith("/preview")) as request:
        page.check("#preview")
    assert json.loads(request.value.post_data)["keep"] == []
    page.locator("#detail-img[data-shows='preview']").wait_for(timeout=120_000)
    with page.expect_request(lambda r: r.url.endswith("/preview")) as request:
        toggle.uncheck()
    assert json.loads(request.value.post_data)["keep"] == [fid]
    page.uncheck("#preview")
    page.click("#detail-close")
    open_card(page, "letter-contact-details.png")
    page_row = page.locator("#findings tr", has=page.locator("td", has_text="a document page"))
    page_toggle = page_row.locator("input[type=checkbox]")
    assert page_toggle.is_disabled() and "line by line" in page_toggle.get_attribute("title")
    assert page.errors == []


def test_group_photo_numbered_boxes_rows_and_bulk_toggles(server, page):
    """Issue 14, point 6: on a group photo each box carries the number of its row, hover
    highlights both, each toggle has a name a screen reader can use, and all faces can be
    kept or redacted at once; point 1: the preview asks the server for the export with the
    page's choices."""
    app, url, _ = server
    page.goto(url)
    page.select_option("#mode", "show")
    open_card(page, "crowd-maksssksksss373.png")
    page.locator("#overlay .box.kind-face").first.wait_for()
    faces = page.locator("#findings tr", has=page.locator("input[aria-label^='Redact Face']"))
    n = faces.count()
    assert n >= 2
    page.click("#findings tr.face-group button.unfold")  # a group photo's faces are folded
    labels = page.eval_on_selector_all("#findings input[aria-label^='Redact Face']",
                                       "es => es.map(e => e.getAttribute('aria-label'))")
    assert labels[0].startswith(f"Redact Face 1 of {n}, ") and labels[0].endswith(" %")
    assert len(set(labels)) == n
    rows = page.eval_on_selector_all(
        "#findings tr[data-finding]",
        "rs => rs.map(r => [r.dataset.finding, r.querySelector('td.num').textContent])")
    boxes = dict(page.eval_on_selector_all(
        "#overlay .box[data-finding]",
        "bs => bs.map(b => [b.dataset.finding, b.querySelector('.box-label').textContent])"))
    assert all(boxes[fid] == num for fid, num in rows if fid in boxes)
    second = faces.nth(1)
    fid = second.get_attribute("data-finding")
    second.hover()
    assert "hl" in page.locator(f'#overlay [data-finding="{fid}"]').get_attribute("class")
    page.click("#faces-none")
    assert page.locator("#findings input[aria-label^='Redact Face']:checked").count() == 0
    page.click("#faces-all")
    assert page.locator("#findings input[aria-label^='Redact Face']:checked").count() == n
    second.locator("input").uncheck()
    with page.expect_request(lambda r: r.url.endswith("/preview")) as request:
        page.check("#preview")
    assert json.loads(request.value.post_data)["keep"] == [fid]
    # the image and its note change in one step; a later preview (if anything asks for one)
    # marks the image as earlier until it arrives, so both are awaited, not read once
    page.wait_for_function(
        "() => document.getElementById('detail-img').dataset.shows === 'preview'"
        " && document.getElementById('preview-note').textContent.includes('as the export writes')",
        timeout=120_000)
    page.uncheck("#preview")
    page.wait_for_timeout(300)
    shot(page, "detail-group.png")
    assert page.errors == []


def test_a_group_photo_lists_its_faces_as_one_folded_row(server, page):
    """Issue 27: a photo with 56 faces listed 56 identical rows. From 8 faces on they are
    one row: how many, their confidence range, one toggle for all (mixed when some are
    kept), and a button that unfolds the row of each; a photo opens folded."""
    _, url, _ = server
    page.goto(url)
    page.select_option("#mode", "show")
    open_card(page, "crowd-maksssksksss373.png")
    group = page.locator("#findings tr.face-group")
    group.wait_for()
    each = page.locator("#findings tr.in-group")
    n = each.count()
    assert n >= 8 and page.locator("#overlay .box.kind-face").count() == n
    cells = group.locator("td").all_text_contents()
    assert cells[3] == f"{n} faces"
    assert re.fullmatch(r"\d+–\d+ %", cells[5])
    assert all(not each.nth(i).is_visible() for i in range(n))
    toggle = group.locator("input.group-toggle")
    assert toggle.is_checked() and toggle.get_attribute("aria-label") == f"Redact all {n} faces"
    unfold = group.locator("button.unfold")
    assert unfold.get_attribute("aria-expanded") == "false"
    unfold.click()
    assert each.first.is_visible() and group.locator("button.unfold").get_attribute(
        "aria-expanded") == "true"
    each.nth(2).locator("input").uncheck()
    toggle = page.locator("#findings input.group-toggle")
    assert toggle.evaluate("e => e.indeterminate") and not toggle.is_checked()
    assert page.locator("#findings tr.face-group td").nth(3).text_content() == \
        f"{n} faces, {n - 1} redacted"
    toggle.check()  # mixed, then a click: all redacted
    assert page.locator("#findings tr.in-group input:checked").count() == n
    assert page.locator("#overlay .box.kind-face.kept").count() == 0
    page.locator("#findings input.group-toggle").uncheck()  # keep them all
    assert page.locator("#findings tr.in-group input:checked").count() == 0
    assert page.locator("#overlay .box.kind-face.kept").count() == n
    page.click("#detail-close")
    open_card(page, "crowd-maksssksksss373.png")
    page.locator("#findings tr.face-group").wait_for()
    assert not page.locator("#findings tr.in-group").first.is_visible()
    page.click("#detail-close")
    open_card(page, "crowd-maksssksksss717.png")  # 4 faces: a row each
    page.locator("#findings input[aria-label^='Redact Face 1 of']").wait_for()
    assert page.locator("#findings tr.face-group").count() == 0
    assert page.errors == []


def test_a_protected_photo_opens_redacted(server, page):
    """Issue 14, point 5: 'Protect' changed only the grid thumbnail; the detail view showed
    the original, even in 'Hide sensitive' mode."""
    app, url, _ = server
    page.goto(url)
    page.select_option("#mode", "show")
    card = wait_analysed(page, "id-card-utopia.jpg")
    card.locator(".lock").click()
    card = page.locator(".card", has=page.locator(".name", has_text="id-card-utopia"))
    card.locator(".lock[aria-pressed='true']").wait_for()
    try:
        card.locator(".thumb").click()
        page.locator("#detail[open]").wait_for()
        assert page.locator("#preview").is_checked()
        assert page.locator("#protected-note").is_visible()
        page.locator("#detail-img[data-shows='preview']").wait_for(timeout=120_000)
        page.click("#detail-close")
    finally:
        card.locator(".lock").click()
        card.locator(".lock[aria-pressed='false']").wait_for()
    assert page.errors == []


@pytest.mark.parametrize("width", [360, 390])
def test_phone_detail_view_does_not_overflow(server, browser, width):
    """Issue 14, point 7: the detail view was 431 px wide on a 390 px screen and the sticky
    header took 171 px."""
    _, url, _ = server
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    pg = context.new_page()
    try:
        pg.goto(url)
        wait_analysed(pg, "id-card-utopia.jpg")
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        header = pg.evaluate("document.querySelector('.top').getBoundingClientRect().height")
        sticky = pg.evaluate("getComputedStyle(document.querySelector('.top')).position")
        assert sticky != "sticky" or header <= 120, header
        clash = pg.evaluate("""[...document.querySelectorAll('.card')].filter(c => {
            const b = c.querySelector('.badge')?.getBoundingClientRect();
            const l = c.querySelector('.lock')?.getBoundingClientRect();
            return b && l && b.right > l.left && l.right > b.left
                && b.bottom > l.top && l.bottom > b.top;
        }).length""")
        assert clash == 0  # the score in words does not run under the Protect button
        pg.select_option("#mode", "show")
        card = wait_analysed(pg, "id-card-utopia.jpg")
        card.locator(".thumb").tap()
        pg.locator("#detail[open] #findings tr").first.wait_for()
        wide = pg.evaluate(f"""[...document.querySelectorAll('#detail *')]
            .filter(e => e.getClientRects().length && !e.closest('.table-wrap'))
            .filter(e => e.getBoundingClientRect().right > {width} + 1)
            .map(e => e.tagName + '#' + e.id + '.' + e.className)""")
        assert wide == [], wide
        assert pg.evaluate("document.querySelector('#detail').scrollWidth") <= width
        label = pg.locator("#detail-explanation")
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth")
        # the title is not broken inside the file name, and the score beside it is whole
        title = pg.locator("#detail-title")
        lines = title.evaluate("e => { const r = document.createRange(); "
                               "r.selectNodeContents(e); return r.getClientRects().length; }")
        assert lines == 1, lines
        badge = pg.locator("#detail-badge")
        assert badge.evaluate("e => e.scrollWidth <= e.clientWidth && "
                              f"e.getBoundingClientRect().right <= {width}")
        assert badge.text_content().endswith("Critical")
        if width == 390:
            shot(pg, "phone-detail.png")
    finally:
        context.close()


def test_a_photo_opens_at_the_top_with_empty_forms_and_the_passphrase_error_by_its_field(
        server, page):
    """Issue 27, gallery: the dialog kept the previous photo's scroll position and its
    open, filled 'Add a box by coordinates' form; the short-passphrase error appeared at
    the top of the dialog, far from the field."""
    _, url, _ = server
    open_shown(page, url, "letter-contact-details.png")
    page.click(".manual-form summary")
    page.fill("#box-form input[name=x1]", "12")
    page.fill("#passphrase", "short")
    page.click("#encrypt")
    note = page.locator("#passphrase-error")
    note.wait_for()
    assert "at least" in note.text_content()
    assert page.locator("#detail-error").is_hidden()
    field, shown = page.locator("#passphrase").bounding_box(), note.bounding_box()
    assert 0 <= shown["y"] - (field["y"] + field["height"]) < 40  # the row under the field
    assert page.get_attribute("#passphrase", "aria-invalid") == "true"
    page.fill("#passphrase", "shorter")  # typing clears it
    assert note.is_hidden()
    page.click("#encrypt")
    note.wait_for()
    scrolled = page.evaluate("(() => { const d = document.getElementById('detail');"
                             " d.scrollTop = d.scrollHeight; return d.scrollTop; })()")
    assert scrolled > 0
    page.click("#detail-close")
    open_card(page, "id-card-utopia.jpg")
    page.locator("#findings tr").first.wait_for()
    assert page.evaluate("document.getElementById('detail').scrollTop") == 0
    assert not page.eval_on_selector(".manual-form", "e => e.open")
    assert page.input_value("#box-form input[name=x1]") == ""
    assert page.input_value("#passphrase") == "" and note.is_hidden()
    assert page.errors == []


def test_hide_all_text_is_a_toggle_the_preview_follows(server, page):
    """Issue 31: "Hide all text" in the detail view: the preview asks for it and says how
    many lines it filled."""
    _, url, _ = server
    open_shown(page, url, "letter-contact-details.png")
    page.check("#preview")
    page.wait_for_function(
        "() => document.getElementById('detail-img').dataset.shows === 'preview'",
        timeout=120_000)
    with page.expect_request(lambda r: r.url.endswith("/preview")) as request:
        page.check("#all-text")
    assert json.loads(request.value.post_data)["all_text"] is True
    page.wait_for_function(
        "() => document.getElementById('detail-img').dataset.shows === 'preview'"
        " && /lines? of text filled/.test(document.getElementById('preview-note').textContent)",
        timeout=120_000)
    assert page.errors == []


def test_the_gallery_says_it_is_still_looking_through_the_folder(tmp_path, browser,
                                                                  monkeypatch):
    """The server listens before its first look through the folder has ended (issue 32):
    the page says it is looking, then shows the photos without a reload."""
    import threading

    from pixelsafe.web.library import Library

    root = library_with(tmp_path / "lib", "street-with-gps.jpg")
    release = threading.Event()
    real = Library.index

    def held(self: Library) -> int:
        release.wait(60)
        return real(self)

    monkeypatch.setattr(Library, "index", held)
    app = make_app(root, INDEX_IN_BACKGROUND=True)
    try:
        with live_server(app) as url:
            pg = browser.new_page()
            pg.goto(url)
            text = pg.locator("#progress-text")
            text.filter(has_text="Looking through the folder").wait_for(timeout=30_000)
            assert pg.locator(".card").count() == 0
            release.set()
            pg.locator(".card", has=pg.locator(".name", has_text="street-with-gps.jpg")
                       ).wait_for(timeout=30_000)
            pg.wait_for_function("!document.getElementById('progress-text').textContent"
                                 ".includes('Looking')", timeout=30_000)
            pg.close()
    finally:
        release.set()
        shutdown(app)


def test_the_pager_walks_a_big_library_by_cursor(browser, tmp_path):
    """Issue 32: Next and Previous walk 100 photos in pages of 48, each photo once; a page
    after the first is asked for by the server's cursor (`after`), not counted to."""
    from PIL import Image
    from playwright.sync_api import expect

    root = tmp_path / "lib"
    root.mkdir()
    for n in range(100):
        Image.new("RGB", (32, 24), (n, 2 * n, 90)).save(root / f"p{n:03d}.jpg")
    app = make_app(root, START_WORKER=False)
    try:
        with live_server(app) as url:
            pg = browser.new_page()
            asked: list[str] = []
            pg.on("request", lambda r: asked.append(r.url) if "/api/images?" in r.url else None)
            pg.goto(url)
            info = pg.locator("#page-info")
            info.filter(has_text="Page 1 of 3").wait_for(timeout=30_000)

            def names() -> list[str]:
                pg.locator(LOADED).first.wait_for()
                return pg.locator(".card .name").all_text_contents()

            def turn(button: str, n: int) -> list[str]:
                first = pg.locator(".card .name").first.text_content()
                pg.click(button)
                info.filter(has_text=f"Page {n} of 3").wait_for(timeout=30_000)
                expect(pg.locator(".card .name").first).not_to_have_text(first or "")
                return names()

            seen = names()
            for n in (2, 3):
                seen += turn("#next", n)
                assert any(f"page={n}" in u and "after=" in u for u in asked), asked
            assert pg.locator("#next").is_disabled()
            assert sorted(seen) == [f"p{n:03d}.jpg" for n in range(100)]
            assert turn("#prev", 2) == seen[48:96]
            pg.close()
    finally:
        shutdown(app)


def test_a_photo_copied_into_the_folder_shows_without_a_reload(browser, tmp_path):
    """Issue 32: the idle gallery asks the server only whether anything changed (a number
    it keeps in memory); a photo copied into the folder (seen by notification) shows as a
    card within seconds, and a removed one goes, with no reload."""
    import shutil
    import time

    from playwright.sync_api import expect

    root = library_with(tmp_path / "lib", "street-with-gps.jpg")
    app = make_app(root)
    try:
        with live_server(app) as url:
            pg = browser.new_page()
            pg.goto(url)
            wait_analysed(pg, "street-with-gps.jpg")
            asked: list[str] = []
            pg.on("request", lambda r: asked.append(r.url))
            pg.wait_for_timeout(3200)  # idle: only the change count is asked for
            # of the server (a thumbnail's blob: URL, made from a response that was already
            # in, may still be loaded just after the card shows: no request to anyone)
            asked = [u for u in asked if u.startswith(url)]
            assert asked and all("/api/changes" in u for u in asked), asked
            start = time.monotonic()
            shutil.copy(SAMPLES / "id-card-utopia.jpg", root / "card.jpg")
            card = pg.locator(".card", has=pg.locator(".name", has_text="card.jpg"))
            card.wait_for(timeout=10_000)
            shown = time.monotonic() - start
            assert shown < 5, shown
            (root / "street-with-gps.jpg").unlink()
            expect(pg.locator(".card", has=pg.locator(".name", has_text="street-with-gps.jpg"))
                   ).to_have_count(0, timeout=10_000)
            pg.close()
    finally:
        shutdown(app)
