"""CLU's key policy: LUIS's keys in the `Ocp-Apim-Subscription-Key` header; the runtime takes an authoring or
endpoint key, authoring an authoring key; a refusal is Azure's 401. Every request names an `api-version`."""
import re

from flask import request

from luislite.api import auth
from luislite.api.errors import LuisError

HEADER = "Ocp-Apim-Subscription-Key"
SECURITY = {"cluSubscriptionKey": {"type": "apiKey", "in": "header", "name": HEADER}}
_DENIED = ("Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
           "for an active subscription and use a correct regional API endpoint for your resource.")
_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")


def require_key(runtime: bool) -> None:
    key = request.headers.get(HEADER)
    if not key or not auth.is_valid(key, runtime):
        raise LuisError(401, "401", _DENIED)
    auth.admit(key, runtime)
    if not _API_VERSION.fullmatch(request.args.get("api-version", "")):
        raise LuisError(400, "InvalidRequest", "The api-version query parameter is missing or not a CLU version "
                                               "(such as 2023-04-01).")
