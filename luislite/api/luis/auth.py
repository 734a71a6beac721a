"""LUIS's key policy: `Ocp-Apim-Subscription-Key` header or `subscription-key` query; authoring routes take an
authoring key, prediction routes an authoring or endpoint key; a refusal is LUIS's 401."""
from flask import request

from luislite.api import auth
from luislite.api.errors import LuisError

HEADER, QUERY = "Ocp-Apim-Subscription-Key", "subscription-key"
SECURITY = {"subscriptionKeyHeader": {"type": "apiKey", "in": "header", "name": HEADER},  # for the OpenAPI document
            "subscriptionKeyQuery": {"type": "apiKey", "in": "query", "name": QUERY}}
_INVALID = ("Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
            "for an active subscription and use a correct regional API endpoint for your resource.")
_MISSING = ("Access denied due to missing subscription key. Make sure to include subscription key when making "
            "requests to an API.")


def require_key(prediction: bool) -> None:
    """Abort with LUIS's 401 unless the request carries an authoring key (or, for prediction, an endpoint key)."""
    key = request.headers.get(HEADER) or request.args.get(QUERY)
    if not key:
        raise LuisError(401, "401", _MISSING)
    if not auth.is_valid(key, prediction):
        raise LuisError(401, "401", _INVALID)
    auth.admit(key, prediction)
