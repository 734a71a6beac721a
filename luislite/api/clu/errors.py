"""CLU's error envelope, `{"error": {"code", "message", "innererror": {"code", "message"}}}`, and its answers to
the errors domain code raises (Azure's codes: InvalidRequest, NotFound, Conflict...)."""
from flask import jsonify
from marshmallow import ValidationError

from luislite.api.luis.errors import _validation_message
from luislite.api.surface import Answer
from luislite.errors import (Conflict, InvalidRequest, LimitReached, LuisliteError, ModelUnavailable, NotFound,
                             NotTrained)

CODES = {  # (status, code) of each kind of client error, as CLU answers it
    InvalidRequest: (400, "InvalidRequest"), NotTrained: (400, "InvalidRequest"), LimitReached: (403, "QuotaExceeded"),
    Conflict: (409, "Conflict"), NotFound: (404, "NotFound"), ModelUnavailable: (503, "ServiceUnavailable")}
_OWN = {"BadArgument": "InvalidRequest", "UnsupportedMediaType": "InvalidRequest"}  # shared code's LUIS codes
_INNER = {400: "InvalidParameterValue"}


def error_response(status: int, code: str, message: str):
    """Azure's 401 as its gateway answers it; any other error with an innererror."""
    error = {"code": _OWN.get(code, code), "message": message}
    if status != 401:
        error["innererror"] = {"code": _INNER.get(status, error["code"]), "message": message}
    response = jsonify({"error": error})
    response.status_code = status
    response.headers["x-ms-error-code"] = error["code"]
    return response


def _client_error(error: LuisliteError) -> Answer:
    status, code = next(CODES[cls] for cls in type(error).__mro__ if cls in CODES)
    return status, code, str(error)


ERRORS = {LuisliteError: _client_error,
          ValidationError: lambda error: (400, "InvalidRequest", _validation_message(error.messages)),
          RecursionError: lambda error: (400, "InvalidRequest", "The request body is nested too deeply.")}
