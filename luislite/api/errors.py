"""LUIS-style errors: every failure becomes {"error": {"code", "message"}} with the right status."""
import logging
import uuid

from flask import Flask, jsonify
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from luislite.errors import (Conflict, InvalidRequest, LimitReached, LuisliteError, ModelUnavailable, NotFound,
                             NotTrained)

log = logging.getLogger(__name__)
LUIS_ERRORS = {  # (status, code) of each kind of client error, as LUIS answers it
    InvalidRequest: (400, "BadArgument"), Conflict: (400, "BadArgument"), LimitReached: (400, "BadArgument"),
    NotTrained: (400, "BadArgument"), NotFound: (404, "NotFound"), ModelUnavailable: (503, "ServiceUnavailable"),
}


class LuisError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad_argument(message: str) -> LuisError:
    return LuisError(400, "BadArgument", message)


def not_found(message: str) -> LuisError:
    return LuisError(404, "NotFound", message)


def error_response(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _validation_message(messages) -> str:
    """Flatten marshmallow's nested messages into one readable line."""
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_validation_message(v)}" for k, v in messages.items())
    if isinstance(messages, list):
        return " ".join(_validation_message(m) for m in messages)
    return str(messages)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(LuisError)
    def luis_error(error: LuisError):
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(LuisliteError)
    def client_error(error: LuisliteError):
        status, code = next(LUIS_ERRORS[kind] for kind in type(error).__mro__ if kind in LUIS_ERRORS)
        return error_response(status, code, str(error))

    @app.errorhandler(ValidationError)
    def validation_error(error: ValidationError):
        return error_response(400, "BadArgument", _validation_message(error.messages))

    @app.errorhandler(RecursionError)
    def nested_too_deeply(error):
        return error_response(400, "BadArgument", "The request body is nested too deeply.")

    @app.errorhandler(IntegrityError)
    def conflict(error):  # a concurrent request wrote the same name or text first
        log.warning("integrity error: %s", error.orig)  # not the statement's parameters: they hold user text
        return error_response(400, "BadArgument", "The request conflicts with existing data (a duplicate name or "
                                                  "utterance?). Retry it.")

    @app.errorhandler(OperationalError)
    def database_busy(error):
        log.warning("database error: %s", error.orig)
        return error_response(503, "ServiceUnavailable", "The database is busy. Retry in a moment.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = {404: "NotFound", 405: "MethodNotAllowed", 413: "RequestEntityTooLarge"}.get(error.code, str(error.code))
        message = "Resource not found." if error.code == 404 else error.description
        return error_response(error.code, code, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # the client gets a reference to the traceback in the log, not the traceback
        reference = uuid.uuid4().hex[:12]
        log.exception("unexpected error, reference %s", reference)
        return error_response(500, "InternalServerError", f"An unexpected error occurred (reference {reference}).")
