"""LUIS's REST surface: authoring (v3.0-preview, and v2.0) and prediction (v3.0 and its older prefixes, and v2.0).

Everything LUIS-specific about HTTP is in this package: its URL prefixes and `register` (below), its key policy
(`auth.py`), its error envelope and its answers to domain errors (`errors.py`), its JSON shapes (`schemas/`, one
module per resource) and its part of the OpenAPI document (`SURFACE.openapi`). `api/__init__.py` mounts it.

A LUIS endpoint is a view in the `authoring/` or `prediction/` module of its resource, on that module's blueprint
(the key check comes with it). It loads its body with `api.body.load(Schema())`, answers `Schema().dump(...)`
(through `jsonify` or `created`) or `operation_success()`, and names the same schemas in `@operation`; errors
are raised (`LuisError`, or the domain's own), never answered by hand.
"""
from flask import Flask

from luislite.api.luis import errors
from luislite.api.luis.auth import SECURITY
from luislite.api.luis.schemas.common import ErrorResponse, OperationStatus
from luislite.api.openapi import GUID
from luislite.api.surface import OpenApi, Surface

AUTHORING_PREFIXES = {"v3": "/luis/authoring/v3.0-preview", "v2": "/luis/api/v2.0"}
V3_PREFIXES = ("/luis/prediction/v3.0", "/luis/v3.0-preview", "/luis/v3.0")
V2_PREFIX = "/luis/v2.0"


def register(app: Flask) -> None:
    """Every authoring blueprint under each authoring prefix, and the prediction blueprints under theirs."""
    from luislite.api.luis import prediction
    from luislite.api.luis.authoring import AUTHORING_BLUEPRINTS

    for tag, prefix in AUTHORING_PREFIXES.items():
        for blueprint in AUTHORING_BLUEPRINTS:
            app.register_blueprint(blueprint, url_prefix=prefix, name=f"{blueprint.name}_{tag}")
    prediction.register(app)


def default_answer(method: str):
    """POST creates (201, the new id as a JSON string); PUT, PATCH and DELETE answer an OperationStatus."""
    return GUID if method == "POST" else OperationStatus


OPENAPI = OpenApi(
    description="Azure LUIS's authoring and prediction REST APIs, served by luislite. The authoring paths are also "
                "served under `/luis/api/v2.0`, the v3.0 prediction paths under `/luis/v3.0-preview` and "
                "`/luis/v3.0`; every path also answers with a trailing slash.",
    security=SECURITY,
    errors={"400": ("BadArgument", "A missing or invalid argument."),
            "401": ("Unauthorized", "A missing or invalid subscription key."),
            "404": ("NotFound", "No such app, version, model or route."),
            "default": ("Error", "Any other error, in the same envelope.")},
    error_schema=ErrorResponse, default_answer=default_answer, aliases=(AUTHORING_PREFIXES["v2"], *V3_PREFIXES[1:]))

SURFACE = Surface("luis", "/luis", register, errors.error_response, errors.ERRORS, OPENAPI)
