"""Subscription keys: `Ocp-Apim-Subscription-Key` header or `subscription-key` query, compared in constant time."""
import hmac

from flask import current_app, request

from luislite.api.errors import LuisError

_INVALID = ("Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
            "for an active subscription and use a correct regional API endpoint for your resource.")
_MISSING = ("Access denied due to missing subscription key. Make sure to include subscription key when making "
            "requests to an API.")


def _matches(key: str, keys: list[str]) -> bool:
    found = False
    for candidate in keys:  # no early exit: the time taken does not depend on which key matched
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def require_key(prediction: bool) -> None:
    """Abort with LUIS's 401 unless the request carries an authoring key (or, for prediction, an endpoint key)."""
    key = request.headers.get("Ocp-Apim-Subscription-Key") or request.args.get("subscription-key")
    if not key:
        raise LuisError(401, "401", _MISSING)
    config = current_app.config["LUISLITE"]
    keys = config.authoring_keys + (config.endpoint_keys if prediction else [])
    if not _matches(key.strip(), keys):
        raise LuisError(401, "401", _INVALID)
