"""The keys check: authoring keys (valid everywhere) and endpoint keys (prediction only), compared as their sha256 in
constant time; and what every surface's key policy does once a key is valid (`admit`: quotas).

Where a key travels and how a refusal reads is each surface's key policy (LUIS's: `api/luis/auth.py`).
"""
import hmac

from flask import current_app, g

from luislite.api.errors import LuisError
from luislite.services import keys, quotas


def is_valid(key: str, prediction: bool) -> bool:
    """Whether `key` is a valid authoring key (or, for prediction, an endpoint key) now: a seed of the environment
    or a key created at run time, not revoked (`services/keys.py`)."""
    wanted, kinds = keys.digest(key), keys.KINDS if prediction else ("authoring",)
    found = False
    for candidate, kind in keys.valid().items():  # no early exit: the time taken does not depend on which matched
        found |= hmac.compare_digest(wanted, candidate) and kind in kinds
    return found


def admit(key: str, prediction: bool) -> None:
    """Called by a surface's key policy once a request's key is valid: LUIS's 429, with `Retry-After`, when the
    key is over its quota for this API; else the request goes on, noted as a prediction or authoring one
    (`api/metrics.py` times predictions)."""
    config = current_app.config["LUISLITE"]
    api, quota = ("prediction", config.prediction_quota) if prediction else ("authoring", config.authoring_quota)
    wait = quota and quotas.hit(key, api, quota)
    if wait:
        raise LuisError(429, "429", f"Rate limit is exceeded. Try again in {wait} seconds.", {"Retry-After": str(wait)})
    g.api = api
