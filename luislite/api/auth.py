"""The keys store: authoring keys (valid everywhere) and endpoint keys (prediction only), compared in constant time;
and what every surface's key policy does once a key is valid (`admit`: quotas).

Where a key travels and how a refusal reads is each surface's key policy (LUIS's: `api/luis/auth.py`).
"""
import hmac

from flask import current_app, g

from luislite.api.errors import LuisError
from luislite.services import quotas


def _matches(key: str, keys: list[str]) -> bool:
    found = False
    for candidate in keys:  # no early exit: the time taken does not depend on which key matched
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def is_valid(key: str, prediction: bool) -> bool:
    """Whether `key` is an authoring key (or, for prediction, an endpoint key)."""
    config = current_app.config["LUISLITE"]
    return _matches(key.strip(), config.authoring_keys + (config.endpoint_keys if prediction else []))


def admit(key: str, prediction: bool) -> None:
    """Called by a surface's key policy once a request's key is valid: LUIS's 429, with `Retry-After`, when the
    key is over its quota for this API; else the request goes on, noted as a prediction or authoring one
    (`api/metrics.py` times predictions)."""
    config = current_app.config["LUISLITE"]
    api, quota = ("prediction", config.prediction_quota) if prediction else ("authoring", config.authoring_quota)
    wait = quota and quotas.hit(key.strip(), api, quota)
    if wait:
        raise LuisError(429, "429", f"Rate limit is exceeded. Try again in {wait} seconds.", {"Retry-After": str(wait)})
    g.api = api
