"""LUIS's error envelope, `{"error": {"code", "message"}}`, and how LUIS answers the errors domain code raises."""
import logging

from flask import jsonify
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from luislite.api.surface import Answer
from luislite.domain.appversion import AppVersionError, NotFound
from luislite.services.publishing import ModelUnavailable

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


ERRORS = {AppVersionError: lambda error: (400, "BadArgument", str(error)),
          ValidationError: lambda error: (400, "BadArgument", _validation_message(error.messages)),
          ModelUnavailable: lambda error: (503, "ServiceUnavailable", str(error)),
          NotFound: lambda error: (404, "NotFound", str(error)),
          RecursionError: lambda error: (400, "BadArgument", "The request body is nested too deeply."),
          IntegrityError: _conflict}
