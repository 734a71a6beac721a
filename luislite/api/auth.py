"""The keys store: authoring keys (valid everywhere) and endpoint keys (prediction only), compared in constant time.

Where a key travels and how a refusal reads is each surface's key policy (LUIS's: `api/luis/auth.py`).
"""
import hmac

from flask import current_app, g


def _matches(key: str, keys: list[str]) -> bool:
    found = False
    for candidate in keys:  # no early exit: the time taken does not depend on which key matched
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def is_valid(key: str, prediction: bool) -> bool:
    """Whether `key` is an authoring key (or, for prediction, an endpoint key)."""
    config = current_app.config["LUISLITE"]
    return _matches(key.strip(), config.authoring_keys + (config.endpoint_keys if prediction else []))


def admit(prediction: bool) -> None:
    """Called by a surface's key policy once a request's key is valid: notes it as a prediction or authoring
    request (`api/metrics.py` times predictions)."""
    g.api = "prediction" if prediction else "authoring"
