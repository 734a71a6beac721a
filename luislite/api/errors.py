"""Errors as HTTP answers, each in the envelope of the API surface its URL belongs to (`api/surface.py`).

`LuisError` (status, code, message, and any headers) is what HTTP code raises for a client-visible error; it answers
as it says.
The errors domain and service code raise are answered by each surface's own `errors` table (LUIS's in
`api/luis/errors.py`). What no surface maps is answered here alike for all: an unknown URL or method, a body too
large (404, 405, 413), a busy database (503), anything unexpected (500, logged, no trace to the client).
"""
import logging
import uuid

from flask import Flask, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from luislite.api.surface import Answer, Surface, surface_of

log = logging.getLogger(__name__)


class LuisError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def bad_argument(message: str) -> LuisError:
    return LuisError(400, "BadArgument", message)


def not_found(message: str) -> LuisError:
    return LuisError(404, "NotFound", message)


def _http_error(error: HTTPException) -> Answer:
    code = {404: "NotFound", 405: "MethodNotAllowed", 413: "RequestEntityTooLarge"}.get(error.code, str(error.code))
    return error.code, code, "Resource not found." if error.code == 404 else error.description


def _database_busy(error: OperationalError) -> Answer:
    log.warning("database error: %s", error.orig)
    return 503, "ServiceUnavailable", "The database is busy. Retry in a moment."


def _unexpected(error: Exception) -> Answer:
    """The client gets a reference to the traceback in the log, not the traceback."""
    reference = uuid.uuid4().hex[:12]
    log.exception("unexpected error, reference %s", reference)
    return 500, "InternalServerError", f"An unexpected error occurred (reference {reference})."


ERRORS = {LuisError: lambda error: (error.status, error.code, error.message), HTTPException: _http_error,
          OperationalError: _database_busy, Exception: _unexpected}


def register_error_handlers(app: Flask, surfaces: list[Surface]) -> None:
    @app.errorhandler(Exception)
    def error_answer(error: Exception):
        """The most specific answer along the error's class hierarchy (the surface's first), in its envelope."""
        surface = surface_of(request.path, surfaces)
        answers = ERRORS | surface.errors
        answer = next(answers[cls] for cls in type(error).__mro__ if cls in answers)
        response = surface.error_response(*answer(error))
        if isinstance(error, LuisError):
            response.headers.update(error.headers)
        return response
