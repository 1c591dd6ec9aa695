"""A small Ollama-compatible HTTP server for the tests, on loopback.

It implements /api/tags, /api/show, /api/chat and /api/generate closely enough for the real
``ollama`` client, which talks to it over HTTP. Its successful answers are built from the
recorded real answers of qwen2.5vl:3b in ../shared/fixtures/ollama/; it can also play every
failure mode: server down, model not pulled, no vision, HTTP 500, too slow, malformed JSON,
a truncated answer and an error line in the middle of the stream."""

from __future__ import annotations

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from conftest import SHARED
from PIL import Image

RECORDED = SHARED / "fixtures" / "ollama" / "seed-qwen2.5vl-3b-answers.json"
MODEL = "qwen2.5vl:3b"
#: the proof of concept scaled every photo to 784 px wide before sending it
RECORDED_WIDTH = 784
MODES = ("ok", "missing", "no_vision", "error500", "slow", "malformed", "truncated",
         "midstream")


def recorded(image: str) -> dict[str, Any]:
    answers = json.loads(RECORDED.read_text())["answers"]
    return next(a["response"] for a in answers if a["image"] == image)


def recorded_space(width: int, height: int) -> tuple[int, int]:
    """The size of the image that the recording's boxes refer to."""
    return RECORDED_WIDTH, round(height * RECORDED_WIDTH / width)


def from_recorded(answer: dict[str, Any], sent: tuple[int, int], name: str
                  ) -> dict[str, Any]:
    """The recorded answer in PixelSafe's schema, its boxes moved from the recording's
    784-px space into the pixels of the image that was sent."""
    space = recorded_space(*sent)
    sx, sy = sent[0] / space[0], sent[1] / space[1]

    def box(b: list[float]) -> list[int]:
        return [round(b[0] * sx), round(b[1] * sy), round(b[2] * sx), round(b[3] * sy)]

    whole = [0, 0, sent[0], sent[1]]
    kind = "passport" if "pass" in name.lower() else "id_card" if "id" in name else "other"
    return {
        "faces": [{"bbox_2d": box(b), "is_child": False}
                  for b in answer["bounding_boxes_faces"]],
        "has_children": answer["has_children"],
        "documents": [{"type": kind, "bbox_2d": whole}] if answer["has_documents"] else [],
        "screens": [],
        "settings": [],
        "location_cues": ([{"kind": "other", "description": "street and buildings",
                            "bbox_2d": whole}] if answer["has_location_data"] else []),
        "privacy_score": answer["privacy_score"],
        "explanation": answer["explanation"][:200],
    }


class FakeOllama:
    def __init__(self, answer: str = "fam.jpg", mode: str = "ok", delay: float = 0.0) -> None:
        self.answer = answer
        self.mode = mode
        self.delay = delay
        self.requests: list[tuple[str, dict[str, Any]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.requests.append((self.path, {}))
                if self.path == "/api/tags":
                    self.json(200, {"models": fake.models()})
                elif self.path == "/api/version":
                    self.json(200, {"version": "0.12.0"})
                else:
                    self.json(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append((self.path, body))
                if self.path == "/api/show":
                    self.show(body)
                elif self.path in ("/api/chat", "/api/generate"):
                    self.answer(body, chat=self.path == "/api/chat")
                else:
                    self.json(404, {"error": "not found"})

            def json(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def show(self, body: dict[str, Any]) -> None:
                if fake.mode == "missing" or body.get("model") != MODEL:
                    self.json(404, {"error": f"model '{body.get('model')}' not found"})
                    return
                capabilities = ["completion"] if fake.mode == "no_vision" else \
                    ["completion", "vision"]
                self.json(200, {"modelfile": "", "parameters": "temperature 0.1",
                                "template": "", "details": {"family": "qwen25vl",
                                                            "parameter_size": "3.8B",
                                                            "quantization_level": "Q4_K_M"},
                                "model_info": {}, "capabilities": capabilities})

            def answer(self, body: dict[str, Any], chat: bool) -> None:
                mode = fake.mode
                if mode == "missing" or body.get("model") != MODEL:
                    self.json(404, {"error": f"model \"{body.get('model')}\" not found, try "
                                             "pulling it first"})
                    return
                if mode == "error500":
                    self.json(500, {"error": "llama runner process has terminated: signal: "
                                             "killed"})
                    return
                if mode == "slow":
                    time.sleep(fake.delay)
                images = (body["messages"][-1].get("images") if chat else
                          body.get("images")) or []
                sent = Image.open(io.BytesIO(_b64(images[0]))).size if images else (784, 588)
                content = json.dumps(from_recorded(recorded(fake.answer), sent, fake.answer))
                reason = "stop"
                if mode == "malformed":
                    content = "Sure! Here is the JSON you asked for: {faces: [[262, 140"
                elif mode == "truncated":
                    content, reason = content[: len(content) // 2], "length"
                chunks = [content[i:i + 40] for i in range(0, len(content), 40)]
                lines = []
                for i, chunk in enumerate(chunks):
                    if mode == "midstream" and i == 2:
                        lines.append({"error": "an error was encountered while running the "
                                               "model: unexpected EOF"})
                        break
                    lines.append(fake.part(chunk, chat, done=False))
                else:
                    lines.append(fake.part("", chat, done=True, reason=reason))
                if body.get("stream") is False:
                    self.json(200, fake.part(content, chat, done=True, reason=reason))
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for line in lines:
                    data = (json.dumps(line) + "\n").encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def models(self) -> list[dict[str, Any]]:
        if self.mode == "missing":
            return [{"name": "llama3.2:1b", "model": "llama3.2:1b", "size": 1,
                     "digest": "0" * 64, "modified_at": "2026-11-01T00:00:00Z"}]
        return [{"name": MODEL, "model": MODEL, "size": 3_200_000_000, "digest": "1" * 64,
                 "modified_at": "2026-11-01T00:00:00Z",
                 "details": {"family": "qwen25vl", "parameter_size": "3.8B"}}]

    @staticmethod
    def part(text: str, chat: bool, done: bool, reason: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"model": MODEL, "created_at": "2026-11-26T12:00:00Z",
                               "done": done}
        if chat:
            out["message"] = {"role": "assistant", "content": text}
        else:
            out["response"] = text
        if done:
            out.update(done_reason=reason, total_duration=87_000_000_000, eval_count=180)
        return out

    def chats(self) -> list[dict[str, Any]]:
        return [body for path, body in self.requests if path == "/api/chat"]

    def __enter__(self) -> FakeOllama:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _b64(value: str) -> bytes:
    import base64

    return base64.b64decode(value)


def closed_port_url() -> str:
    """A loopback URL where nothing listens."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


__all__ = ["FakeOllama", "MODES", "closed_port_url", "from_recorded", "recorded"]
