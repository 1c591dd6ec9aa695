"""The web app's VLM switch, against the fake Ollama server on loopback (the analyses run
in the worker's own process, which reaches the fake over HTTP like a real Ollama)."""

from __future__ import annotations

import pytest
from conftest import needs_shared
from fake_ollama import MODEL, FakeOllama, closed_port_url
from webutil import headers, library_with, make_app, shutdown, wait_idle

from pixelsafe.vlm import VlmSettings


@pytest.fixture
def web(tmp_path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        root = library_with(tmp_path / "lib", "crowd-maksssksksss373.png")
        with FakeOllama("fam.jpg") as fake:
            app = make_app(root, VLM=VlmSettings(url=closed_port_url(), model=MODEL,
                                                 timeout=30))
            client = app.test_client()
            wait_idle(client)
            yield app, client, fake
            shutdown(app)


@needs_shared
def test_switch_on_reanalyses_with_the_vlm_and_off_keeps_the_reports(web):
    app, client, fake = web
    off = client.get("/api/vlm").get_json()
    assert off["enabled"] is False and off["status"]["ok"] is False
    assert "cannot reach Ollama" in off["status"]["message"]
    (image,) = client.get("/api/images").get_json()["images"]
    assert image["vlm"] is False
    assert client.get(f"/api/images/{image['id']}").get_json()["report"]["summary"][
        "has_children"] is None

    on = client.post("/api/vlm", headers=headers(app), json={"enabled": True, "url": fake.url})
    assert on.status_code == 200, on.get_json()
    state = on.get_json()
    assert state["enabled"] is True and state["status"]["ok"] is True, state
    wait_idle(client)
    record = client.get(f"/api/images/{image['id']}").get_json()
    assert record["vlm"] is True
    report = record["report"]
    assert report["summary"]["has_children"] is True and report["risk_level"] == "critical"
    assert any(f["source"] == "vlm" and f["label"] == "child" for f in report["findings"])
    assert len(fake.chats()) == 1

    off = client.post("/api/vlm", headers=headers(app), json={"enabled": False})
    assert off.get_json()["enabled"] is False
    stats = client.get("/api/status").get_json()["stats"]
    assert stats["queued"] == 0 and stats["running"] == 0  # nothing to redo
    assert client.get(f"/api/images/{image['id']}").get_json()["vlm"] is True


@needs_shared
def test_a_vlm_failure_keeps_the_detector_report_and_is_retried(web):
    app, client, fake = web
    fake.mode = "error500"
    client.post("/api/vlm", headers=headers(app), json={"enabled": True, "url": fake.url})
    wait_idle(client)
    (image,) = client.get("/api/images").get_json()["images"]
    record = client.get(f"/api/images/{image['id']}").get_json()
    assert record["state"] == "done" and record["vlm"] is False
    errors = record["report"]["analyzer"]["errors"]
    assert errors and errors[0]["type"] == "vlm_server_error"
    fake.mode = "ok"
    again = client.post(f"/api/images/{image['id']}/analyze", headers=headers(app))
    assert again.status_code == 202
    wait_idle(client)
    assert client.get(f"/api/images/{image['id']}").get_json()["vlm"] is True


@pytest.mark.parametrize("body", [
    {"enabled": "yes"}, {"url": "http://evil.example:11434"}, {"url": "file:///etc/passwd"},
    {"url": "http://127.0.0.1:11434/api?x=1"}, {"model": "a model; rm"}, {"timeout": 0},
    {"keep_alive": "forever"}, {"url": "http://127.0.0.1:99999"}, {"url": "http://127.0.0.1:0"},
    {"url": "http://localhost:-1"}, {"url": "http://[::1"},
])
def test_bad_vlm_settings_are_refused(web, body):
    app, client, _ = web
    response = client.post("/api/vlm", headers=headers(app), json=body)
    assert response.status_code == 400
    state = client.get("/api/vlm")
    assert state.status_code == 200 and state.get_json()["enabled"] is False


def test_a_bad_ollama_url_is_a_usage_error() -> None:
    from click.testing import CliRunner

    from pixelsafe.cli import main
    from pixelsafe.errors import VlmUrlError
    from pixelsafe.vlm import VlmSettings

    with pytest.raises(VlmUrlError):
        VlmSettings(url="http://127.0.0.1:99999")
    result = CliRunner().invoke(main, ["doctor", "--vlm", "--ollama-url",
                                       "http://127.0.0.1:99999"])
    assert result.exit_code == 2 and "port out of range" in result.output
