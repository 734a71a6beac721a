"""Azure CLU's REST surface (Conversational Language Understanding, api-version 2023-04-01 and later), under
`/language`: the runtime `POST /language/:analyze-conversations` (`runtime.py`) and the authoring API under
`/language/authoring/analyze-conversations/projects` (`authoring.py`), over the same stored apps as LUIS's surface
(the mapping: `domain/clu.py`; the operations: `services/clu.py`).

Keys are LUIS's (`Ocp-Apim-Subscription-Key`; authoring routes take an authoring key, the runtime an authoring or
endpoint key, `auth.py`); every request names an `api-version` (any `YYYY-MM-DD[-preview]`, all served alike).
Errors answer in CLU's envelope `{"error": {"code", "message", "innererror"}}` (`errors.py`). Request bodies are
checked by the schemas of `schemas/`.
"""
from flask import Flask

from luislite.api.clu import errors
from luislite.api.clu.auth import SECURITY
from luislite.api.clu.schemas import ErrorResponse
from luislite.api.surface import OpenApi, Surface

ROOT = "/language"
AUTHORING = ROOT + "/authoring/analyze-conversations/projects"


def register(app: Flask) -> None:
    from luislite.api.clu import authoring, runtime

    app.register_blueprint(runtime.bp, url_prefix=ROOT)
    app.register_blueprint(authoring.bp, url_prefix=AUTHORING)


OPENAPI = OpenApi(
    description="Azure AI Language's Conversational Language Understanding (CLU) runtime and authoring APIs, "
                "served by luislite over the same apps (`api-version` 2023-04-01 and later).",
    security=SECURITY,
    errors={"400": ("CluInvalidRequest", "A missing or invalid argument."),
            "401": ("CluUnauthorized", "A missing or invalid subscription key."),
            "404": ("CluNotFound", "No such project, deployment, model, job or route."),
            "default": ("CluError", "Any other error, in the same envelope.")},
    error_schema=ErrorResponse, default_answer=lambda method: {"type": "object"})

SURFACE = Surface("clu", ROOT, register, errors.error_response, errors.ERRORS, OPENAPI)
