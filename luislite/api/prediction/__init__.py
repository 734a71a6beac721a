"""LUIS prediction API: v3.0 (and its older prefixes) and v2.0, any authoring or endpoint key."""
from flask import Flask

from luislite.api.errors import LuisError, bad_argument
from luislite.appversion import LIMITS

V3_PREFIXES = ("/luis/prediction/v3.0", "/luis/v3.0-preview", "/luis/v3.0")


def check_query(query) -> str:
    """The utterance to predict: a non-empty string of at most 500 characters (414 beyond, as LUIS)."""
    if not isinstance(query, str) or not query.strip():
        raise bad_argument("The query is missing or empty.")
    if len(query) > LIMITS["text"]:
        raise LuisError(414, "414", f"The query length exceeds the maximum of {LIMITS['text']} characters.")
    return query


def register(app: Flask) -> None:
    from luislite.api.prediction import v2, v3

    for n, prefix in enumerate(V3_PREFIXES):
        app.register_blueprint(v3.bp, url_prefix=prefix, name=f"predict_v3_{n}")
    app.register_blueprint(v2.bp, url_prefix="/luis/v2.0")
