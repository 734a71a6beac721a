"""Reading request bodies and query parameters the way LUIS clients send them."""
import json
import re

from flask import request
from marshmallow import Schema

from luislite.api.errors import LuisError, bad_argument

_JSON_TYPES = {"", "application/json", "text/json", "text/plain", "application/merge-patch+json"}  # the last: CLU
_MAX_SKIP = 2 ** 31 - 1  # LUIS's skip is a 32-bit integer; larger ones overflow the database
_NUL = re.compile(rb"\x00|(?<!\\)(?:\\\\)*\\u0000")  # a NUL byte, or a JSON \u0000 whose backslash is no escaped one


def json_body():
    """The request body parsed as JSON, or a LUIS error for a wrong content type, bad JSON or bad UTF-8."""
    if request.mimetype not in _JSON_TYPES:
        raise LuisError(415, "UnsupportedMediaType", "The request body must be JSON (Content-Type: application/json).")
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except UnicodeDecodeError:
        raise bad_argument("The request body is not valid UTF-8.") from None
    except RecursionError:
        raise bad_argument("The request body is nested too deeply.") from None
    except ValueError as error:
        raise bad_argument(f"The request body is not valid JSON: {error}.") from None


def _refuse_nul() -> None:
    """A 400 for a body holding a NUL character: no LUIS text has one, and PostgreSQL cannot store one."""
    raw = request.get_data(cache=True)
    if (b"\x00" in raw or b"\\u0000" in raw) and _NUL.search(raw):
        raise bad_argument("The request body holds a NUL character (\\u0000), which LUIS text cannot contain.")


def load(schema: Schema, many: bool = False):
    """The JSON body validated and deserialized by a marshmallow schema."""
    body = json_body()
    _refuse_nul()
    if body is None:
        raise bad_argument("The request body is missing.")
    if many and not isinstance(body, list):
        raise bad_argument("The request body must be a JSON array.")
    if not many and not isinstance(body, dict):
        raise bad_argument("The request body must be a JSON object.")
    return schema.load(body, many=many)


def flag(name: str, default: bool = False) -> bool:
    """A boolean query parameter: true/True/1 or false/False/0."""
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise bad_argument(f"The query parameter '{name}' must be true or false.")


def paging() -> tuple[int, int]:
    """`skip` and `take` query parameters (defaults 0 and 100, take at most 500)."""
    try:
        skip, take = int(request.args.get("skip", 0)), int(request.args.get("take", 100))
    except ValueError:
        raise bad_argument("skip and take must be integers.") from None
    if not 0 <= skip <= _MAX_SKIP or not 0 <= take <= 500:
        raise bad_argument(f"skip must be between 0 and {_MAX_SKIP} and take between 0 and 500.")
    return skip, take


def app_document():
    """An app to import: LUIS JSON (a dict), or `.lu` text (a str) sent as text/plain or with `format=lu`.

    The SDK's `import_lu_format` sends the text JSON-encoded, as a string literal.
    """
    _refuse_nul()
    if request.mimetype != "text/plain" and request.args.get("format") != "lu":
        return json_body()
    text = request.get_data(as_text=True)
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError):
        return text
    return decoded if isinstance(decoded, (str, dict)) else text
