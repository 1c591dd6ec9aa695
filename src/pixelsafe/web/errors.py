"""One JSON error shape for the whole API: ``{"error": {"type", "message", "status"}}``.

Library errors are typed (:mod:`pixelsafe.errors`) and each class carries its HTTP status;
this is where they become the JSON answer."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from .. import errors as e


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
    """The API's status for a library error: its class says (``http_status``)."""
    return exc.http_status


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
