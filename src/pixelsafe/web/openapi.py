"""The OpenAPI 3.0 document of the JSON API, served at ``/api/openapi.json``.

``tests/test_web_schema.py`` runs schemathesis against the running app with this document,
so every status and body that a route can return must be declared here."""

from __future__ import annotations

from typing import Any

from .._version import __version__
from ..policy import MAX_EXPORT_IDS, MIN_PASSPHRASE, STYLES
from ..report import Kind, RiskLevel
from .library import SORTS

_ERROR = {"$ref": "#/components/responses/Error"}
_ID = {"name": "image_id", "in": "path", "required": True,
       "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): _ERROR for c in codes}


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _ok(ref: str, text: str = "OK") -> dict[str, Any]:
    return {"description": text, **_json(ref)}


_FILE = {"description": "the file", "content": {
    f"image/{t}": {"schema": {"type": "string", "format": "binary"}}
    for t in ("jpeg", "png", "webp", "tiff", "bmp", "gif", "heif")}}
_PROTECT_BODY = {"required": False, **_json("ProtectRequest")}
_WRITE: list[dict[str, list[str]]] = [{"token": []}]


def spec() -> dict[str, Any]:
    nullable_int = {"type": "integer", "nullable": True}
    nullable_str = {"type": "string", "nullable": True}
    return {
        "openapi": "3.0.3",
        "info": {"title": "PixelSafe local API", "version": __version__,
                 "description": "Served on 127.0.0.1 only. Under `pixelsafe serve` every "
                                "request needs the session's key in the X-PixelSafe-Key "
                                "header (the key is in the fragment of the address `serve` "
                                "prints; no cookie is used). Every state-changing request "
                                "also needs the X-PixelSafe-Token header (the token is in "
                                "the page's meta tag) and a same-origin context."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"token": {"type": "apiKey", "in": "header",
                                          "name": "X-PixelSafe-Token"},
                                "key": {"type": "apiKey", "in": "header",
                                        "name": "X-PixelSafe-Key"}},
            "responses": {"Error": {"description": "an error", **_json("Error")}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "object", "required": ["type", "message", "status"],
                              "properties": {"type": {"type": "string"},
                                             "message": {"type": "string"},
                                             "status": {"type": "integer"}}}}},
                "Stats": {"type": "object", "required": [
                    "total", "high_risk", "protected", "analysed", "failed", "queued",
                    "running"], "properties": {k: {"type": "integer", "minimum": 0} for k in (
                        "total", "high_risk", "protected", "analysed", "failed", "queued",
                        "running", "exported")} | {"indexing": {"type": "boolean"}}},
                "Image": {"type": "object", "required": [
                    "id", "name", "sha256", "state", "privacy_score", "risk_level", "kinds"],
                    "properties": {
                        "id": {"type": "integer"}, "name": {"type": "string"},
                        "path": {"type": "string"}, "sha256": {"type": "string"},
                        "bytes": {"type": "integer"}, "width": nullable_int,
                        "height": nullable_int, "format": nullable_str,
                        "added_at": {"type": "number"}, "locked": {"type": "boolean"},
                        "exported": {"type": "boolean"},
                        "state": {"type": "string",
                                  "enum": ["queued", "running", "done", "failed"]},
                        "error": {"type": "object", "nullable": True},
                        "privacy_score": {"type": "integer", "minimum": 1, "maximum": 5,
                                          "nullable": True},
                        "risk_level": {"type": "string", "nullable": True,
                                       "enum": [r.value for r in RiskLevel] + [None]},
                        "explanation": nullable_str,
                        "kinds": {"type": "array", "items": {"type": "string"}},
                        "findings": {"type": "integer"},
                        "pending": {"type": "boolean"}, "vlm": {"type": "boolean"},
                        "report": {"type": "object", "nullable": True}}},
                "ImageList": {"type": "object", "required": ["images", "total", "stats"],
                              "properties": {
                                  "images": {"type": "array",
                                             "items": {"$ref": "#/components/schemas/Image"}},
                                  "total": {"type": "integer"}, "page": {"type": "integer"},
                                  "per_page": {"type": "integer"},
                                  "next": {"type": "string", "nullable": True},
                                  "changes": {"type": "integer"},
                                  "stats": {"$ref": "#/components/schemas/Stats"}}},
                "Status": {"type": "object", "required": ["version", "pipeline", "stats"],
                           "properties": {"version": {"type": "string"},
                                          "pipeline": {"type": "string"},
                                          "library": {"type": "string"},
                                          "stats": {"$ref": "#/components/schemas/Stats"}}},
                "Report": {"type": "object", "required": [
                    "image", "privacy_score", "risk_level", "explanation", "findings",
                    "summary", "analyzer"]},
                "Upload": {"type": "object", "required": ["uploaded"], "properties": {
                    "uploaded": {"type": "array", "items": {"type": "object", "required": [
                        "name", "status"], "properties": {
                            "name": {"type": "string"},
                            "status": {"type": "string",
                                       "enum": ["created", "duplicate", "error"]},
                            "image": {"$ref": "#/components/schemas/Image"},
                            "error": {"type": "object"}}}}}},
                "Analyze": {"type": "object", "required": ["image"], "properties": {
                    "image": {"$ref": "#/components/schemas/Image"},
                    "job": {"type": "integer", "nullable": True}}},
                "Deleted": {"type": "object", "required": ["deleted", "trash"],
                            "properties": {"deleted": {"type": "integer"},
                                           "trash": {"type": "string"}}},
                "Preview": {"type": "object", "required": ["jpeg", "regions", "added"],
                            "properties": {
                                "jpeg": {"type": "string", "format": "byte"},
                                "regions": {"type": "array", "items": {"type": "object"}},
                                "added": {"type": "array", "items": {"type": "object"}},
                                "checked": {"type": "boolean"}}},
                "Trash": {"type": "object", "required": ["count", "bytes"],
                          "properties": {"count": {"type": "integer"},
                                         "bytes": {"type": "integer"}}},
                "Emptied": {"type": "object", "required": ["deleted"],
                            "properties": {"deleted": {"type": "integer"}}},
                "Lock": {"type": "object", "required": ["locked"],
                         "properties": {"locked": {"type": "boolean"}}},
                "Vlm": {"type": "object", "required": ["enabled", "url", "model", "status"],
                        "properties": {
                            "enabled": {"type": "boolean"}, "url": {"type": "string"},
                            "model": {"type": "string"}, "timeout": {"type": "number"},
                            "keep_alive": {"type": "string"},
                            "status": {"type": "object", "required": ["ok", "message"],
                                       "properties": {
                                           "ok": {"type": "boolean"},
                                           "message": {"type": "string"},
                                           "vision": {"type": "boolean",
                                                      "nullable": True}}}}},
                "VlmChange": {"type": "object", "properties": {
                    "enabled": {"type": "boolean"},
                    "model": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$"},
                    "url": {"type": "string", "description": "http://127.0.0.1:PORT"},
                    "timeout": {"type": "number", "minimum": 1, "maximum": 3600},
                    "keep_alive": {"type": "string"}}},
                "ProtectRequest": {"type": "object", "properties": {
                    "style": {"type": "string", "enum": ["auto", "blur", "pixelate", "fill"]},
                    "keep": {"type": "array", "items": {"type": "string"},
                             "description": "finding ids to leave as they are"},
                    "boxes": {"type": "array", "description": "manual regions, in pixels of "
                              "the oriented image", "items": {
                                  "type": "array", "minItems": 4, "maxItems": 4,
                                  "items": {"type": "number"}}},
                    "all_text": {"type": "boolean", "description": "hide all text: fill every "
                                 "line the OCR reads, but the lines of kept findings"},
                    "passphrase": {"type": "string", "minLength": MIN_PASSPHRASE,
                                   "description": "encrypt only; never stored"}}},
            },
        },
        "paths": {
            "/api/status": {"get": {"summary": "version, pipeline and library counts",
                                    "responses": {"200": _ok("Status")}}},
            "/api/changes": {"get": {
                "summary": "how many times what the gallery shows has changed (no query)",
                "responses": {"200": {"description": "the count", "content": {
                    "application/json": {"schema": {
                        "type": "object", "required": ["changes"],
                        "properties": {"changes": {"type": "integer"}}}}}}}}},
            "/api/config": {"get": {"summary": "the policy table: each kind's default "
                                    "redaction, display names, styles, the passphrase rule",
                                    "responses": {"200": {"description": "policy", "content": {
                                        "application/json": {"schema": {
                                            "type": "object", "required": [
                                                "kinds", "styles", "risk_levels", "hidden",
                                                "min_passphrase", "max_export",
                                                "sorts"]}}}}}}},
            "/api/openapi.json": {"get": {"summary": "this document", "responses": {
                "200": {"description": "OpenAPI", "content": {"application/json": {
                    "schema": {"type": "object"}}}}}}},
            "/api/images": {
                "get": {"summary": "list images, newest first (or as ``sort`` says)",
                        "parameters": [
                    {"name": "page", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 1000000}},
                    {"name": "per_page", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                    {"name": "risk", "in": "query",
                     "schema": {"type": "string", "enum": [r.value for r in RiskLevel]}},
                    {"name": "kind", "in": "query",
                     "schema": {"type": "string", "enum": [k.value for k in Kind]}},
                    {"name": "sort", "in": "query",
                     "schema": {"type": "string", "enum": list(SORTS), "default": "newest"}},
                    {"name": "after", "in": "query", "description": "the `next` of the page "
                     "before, in the same order: the page starts after it (then `page` only "
                     "numbers it)", "schema": {"type": "string", "maxLength": 400}}],
                    "responses": {"200": _ok("ImageList"), **_errors(400)}},
                "post": {"summary": "upload images (multipart field 'file', repeatable); the "
                                    "same bytes twice give the existing image",
                         "security": _WRITE,
                         "requestBody": {"required": True, "content": {"multipart/form-data": {
                             "schema": {"type": "object", "required": ["file"], "properties": {
                                 "file": {"type": "array", "minItems": 1, "items": {
                                     "type": "string", "format": "binary"}}}}}}},
                         "responses": {"201": _ok("Upload", "created"),
                                       "200": _ok("Upload", "all duplicates"),
                                       **_errors(400, 403, 413, 415, 422)}},
            },
            "/api/images/{image_id}": {
                "parameters": [_ID],
                "get": {"summary": "one image with its report",
                        "responses": {"200": _ok("Image"), **_errors(404)}},
                "delete": {"summary": "move the file to the library's trash folder",
                           "security": _WRITE,
                           "responses": {"200": _ok("Deleted"), **_errors(403, 404)}},
            },
            "/api/images/{image_id}/report": {"parameters": [_ID], "get": {
                "summary": "the analysis report", "responses": {
                    "200": _ok("Report"), **_errors(404, 409)}}},
            "/api/images/{image_id}/file": {"parameters": [_ID], "get": {
                "summary": "the original bytes", "responses": {"200": _FILE,
                                                               **_errors(404)}}},
            "/api/images/{image_id}/thumb": {"parameters": [_ID, {
                "name": "size", "in": "query",
                "schema": {"type": "string", "enum": ["thumb", "display"]}}, {
                "name": "redacted", "in": "query", "schema": {"type": "string",
                                                              "enum": ["0", "1"]}}],
                "get": {"summary": "a JPEG rendition without metadata, plain or redacted",
                        "responses": {"200": {"description": "JPEG", "content": {
                            "image/jpeg": {"schema": {"type": "string",
                                                      "format": "binary"}}}},
                            **_errors(400, 404, 409, 415, 422)}}},
            "/api/images/{image_id}/analyze": {"parameters": [_ID], "post": {
                "summary": "queue an analysis (cached results are kept)", "security": _WRITE,
                "responses": {"200": _ok("Analyze", "already analysed"),
                              "202": _ok("Analyze", "queued"), **_errors(403, 404)}}},
            "/api/images/{image_id}/lock": {"parameters": [_ID], "post": {
                "summary": "the gallery's protect toggle: show the redacted render",
                "security": _WRITE, "requestBody": {"required": True, **_json("Lock")},
                "responses": {"200": _ok("Image"), **_errors(400, 403, 404)}}},
            "/api/images/{image_id}/export": {"parameters": [_ID], "post": {
                "summary": "download a redacted copy (re-analysed before it is sent)",
                "security": _WRITE, "requestBody": _PROTECT_BODY,
                "responses": {"200": _FILE, **_errors(400, 403, 404, 409, 415, 422)}}},
            "/api/export": {"post": {
                "summary": "download several photos redacted with their defaults, in one ZIP "
                           "(each re-analysed before it is written)",
                "security": _WRITE, "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {
                        "type": "object", "required": ["ids"], "properties": {
                            "ids": {"type": "array", "minItems": 1, "maxItems": MAX_EXPORT_IDS,
                                    "items": {"type": "integer", "minimum": 0,
                                              "maximum": 2**63 - 1}},
                            "style": {"type": "string", "enum": list(STYLES)}}}}}},
                "responses": {"200": {"description": "a ZIP of the redacted photos",
                                      "content": {"application/zip": {"schema": {
                                          "type": "string", "format": "binary"}}}},
                              **_errors(400, 403, 404, 409, 422)}}},
            "/api/images/{image_id}/preview": {"parameters": [_ID], "post": {
                "summary": "what the export with these choices writes, at display size, with "
                           "every region it got (escalations and additions included)",
                "security": _WRITE, "requestBody": _PROTECT_BODY,
                "responses": {"200": _ok("Preview"), **_errors(400, 403, 404, 409, 422)}}},
            "/api/images/{image_id}/encrypt": {"parameters": [_ID], "post": {
                "summary": "download a redacted copy carrying the original regions, "
                           "encrypted with the passphrase",
                "security": _WRITE, "requestBody": _PROTECT_BODY,
                "responses": {"200": _FILE, **_errors(400, 403, 404, 409, 415, 422)}}},
            "/api/images/{image_id}/strip": {"parameters": [_ID], "post": {
                "summary": "download a copy without metadata", "security": _WRITE,
                "responses": {"200": _FILE, **_errors(403, 404, 415, 422)}}},
            "/api/vlm": {
                "get": {"summary": "the VLM setting and a live check of Ollama",
                        "responses": {"200": _ok("Vlm")}},
                "post": {"summary": "switch the VLM, or change its model, URL (loopback), "
                                    "timeout or keep-alive", "security": _WRITE,
                         "requestBody": {"required": True, **_json("VlmChange")},
                         "responses": {"200": _ok("Vlm"), **_errors(400, 403)}}},
            "/api/trash": {
                "get": {"summary": "how many files the trash holds",
                        "responses": {"200": _ok("Trash")}},
                "delete": {"summary": "delete the files in the trash for good",
                           "security": _WRITE,
                           "responses": {"200": _ok("Emptied"), **_errors(403)}},
            },
            "/api/restore": {"post": {
                "summary": "restore a protected file with its passphrase",
                "security": _WRITE, "requestBody": {"required": True, "content": {
                    "multipart/form-data": {"schema": {
                        "type": "object", "required": ["file", "passphrase"], "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "passphrase": {"type": "string"}}}}}},
                "responses": {"200": {"description": "PNG", "content": {"image/png": {
                    "schema": {"type": "string", "format": "binary"}}}},
                    **_errors(400, 403, 409, 413, 415, 422)}}},
        },
    }
