"""One JSON error shape for the whole API: ``{"error": {"type", "message", "status"}}``.

Library errors are typed (:mod:`pixelsafe.errors`); this is where they become HTTP."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from .. import errors as e

STATUS: tuple[tuple[type[e.PixelSafeError], int], ...] = (
    (e.UnsupportedFormatError, 415),
    (e.FileTooLargeError, 413),
    (e.DecompressionBombError, 413),
    (e.InputError, 422),
    (e.OutputPathError, 409),
    (e.UnsafePathError, 409),
    (e.ProtectError, 422),  # wrong passphrase, tampered, no payload, residual leak
    (e.AnalysisTimeoutError, 503),
    (e.AnalysisResourceError, 422),  # over the memory limit of the worker
    (e.ModelError, 503),
)


class ApiError(Exception):
    def __init__(self, status: int, type_: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_


def error_response(status: int, type_: str, message: str) -> Response:
    response = jsonify(error={"type": type_, "message": message, "status": status})
    response.status_code = status
    return response


def status_for(exc: e.PixelSafeError) -> int:
    from .library import NotFound

    if isinstance(exc, NotFound):
        return 404
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def install(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api(exc: ApiError) -> Response:
        return error_response(exc.status, exc.type, str(exc))

    @app.errorhandler(e.PixelSafeError)
    def _library(exc: e.PixelSafeError) -> Response:
        return error_response(status_for(exc), exc.code, str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        name = (exc.name or "error").lower().replace(" ", "_")
        return error_response(status, name, exc.description or name)

    @app.errorhandler(Exception)
    def _bug(exc: Exception) -> Response:
        app.logger.exception("unhandled error")
        return error_response(500, "internal_error", "internal error; see the server log")
