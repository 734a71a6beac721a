"""LUIS's error envelope, `{"error": {"code", "message"}}`, and how LUIS answers the errors domain code raises."""
import logging

from flask import jsonify
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from luislite.api.surface import Answer
from luislite.errors import (Conflict, InvalidRequest, LimitReached, LuisliteError, ModelUnavailable, NotFound,
                             NotTrained)

log = logging.getLogger(__name__)


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


def _conflict(error: IntegrityError) -> Answer:  # a concurrent request wrote the same name or text first
    log.warning("integrity error: %s", error.orig)  # not the statement's parameters: they hold user text
    return 400, "BadArgument", "The request conflicts with existing data (a duplicate name or utterance?). Retry it."


LUIS_CODES = {  # (status, code) of each kind of client error, as LUIS answers it
    InvalidRequest: (400, "BadArgument"), Conflict: (400, "BadArgument"), LimitReached: (400, "BadArgument"),
    NotTrained: (400, "BadArgument"), NotFound: (404, "NotFound"), ModelUnavailable: (503, "ServiceUnavailable"),
}


def _client_error(error: LuisliteError) -> Answer:
    status, code = next(LUIS_CODES[cls] for cls in type(error).__mro__ if cls in LUIS_CODES)
    return status, code, str(error)


ERRORS = {LuisliteError: _client_error,
          ValidationError: lambda error: (400, "BadArgument", _validation_message(error.messages)),
          RecursionError: lambda error: (400, "BadArgument", "The request body is nested too deeply."),
          IntegrityError: _conflict}
