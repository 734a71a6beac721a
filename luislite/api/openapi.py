"""The OpenAPI 3.1 description of the LUIS API at `GET /openapi.json` (no key needed).

Paths come from the URL map, summaries from the views' docstrings, and bodies, query parameters and answers from
the marshmallow schemas each view names with `@operation`. A view without it answers as its method does by
default: POST creates (201, the new id as a JSON string), PUT, PATCH and DELETE answer an OperationStatus.
"""
import re
import sys
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from importlib.metadata import version

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from luislite.schemas import ErrorResponse, OperationStatus

bp = Blueprint("openapi", __name__)

GUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string"}
KEYLESS = {"home", "health", "openapi"}  # blueprints whose routes need no key
GUID_IDS = ["app_id", "intent_id", "entity_id", "role_id", "pattern_id", "child_id", "model_id"]
VARIABLES = dict.fromkeys(GUID_IDS, GUID) | {"slot": {"type": "string", "enum": ["production", "staging"]}}
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
SECURITY = {"subscriptionKeyHeader": {"type": "apiKey", "in": "header", "name": "Ocp-Apim-Subscription-Key"},
            "subscriptionKeyQuery": {"type": "apiKey", "in": "query", "name": "subscription-key"}}
ERRORS = {"400": ("BadArgument", "A missing or invalid argument."),
          "401": ("Unauthorized", "A missing or invalid subscription key."),
          "404": ("NotFound", "No such app, version, model or route."),
          "default": ("Error", "Any other error, in the same envelope.")}
DESCRIPTION = ("Azure LUIS's authoring and prediction REST APIs, served by luislite. The authoring paths are "
               "also served under `/luis/api/v2.0`, the v3.0 prediction paths under `/luis/v3.0-preview` and "
               "`/luis/v3.0`; every path also answers with a trailing slash.")


@dataclass(frozen=True)
class Operation:
    """What a view's OpenAPI operation declares beyond its path.

    `answer` and `body`: a schema class, `[schema class]` for an array, a JSON Schema dict, or a dict of media
    type to one of those. `also`: other statuses and their answers.
    """
    answer: object = None
    status: int | None = None
    body: object = None
    query: type | None = None
    also: dict | None = None


def operation(answer=None, *, status=None, body=None, query=None, also=None, methods=("*",)):
    """Describe the view for the OpenAPI document (for `methods` only, when the view serves several)."""
    described = Operation(answer, status, body, query, also)

    def describe(view):
        view.openapi = getattr(view, "openapi", {}) | dict.fromkeys(methods, described)
        return view
    return describe


@bp.get("/openapi.json")
@operation({"type": "object"})
def openapi_document():
    """This OpenAPI description."""
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build_document()
    return jsonify(current_app.extensions["openapi"])


def build_document() -> dict:
    """The OpenAPI document of the current app: a path per URL rule, an operation per method, a tag per module."""
    rules = _documented_rules()
    served = Counter(rule.endpoint for rule in rules for _ in _methods(rule))
    spec = _spec()
    for rule in rules:
        view = current_app.view_functions[rule.endpoint]
        path, parameters = _path(rule)
        keyless = rule.endpoint.partition(".")[0] in KEYLESS
        operations = {}
        for method in _methods(rule):
            operation_id = view.__name__ if served[rule.endpoint] == 1 else f"{view.__name__}_{method.lower()}"
            operations[method.lower()] = _operation(view, method, parameters, keyless) | {"operationId": operation_id}
        spec.path(path, operations=operations)
    for module in dict.fromkeys(current_app.view_functions[rule.endpoint].__module__ for rule in rules):
        summary = sys.modules[module].__doc__.split("\n\n")[0]
        spec.tag({"name": _tag(module), "description": " ".join(summary.split())})
    return spec.to_dict()


def _documented_rules() -> list:
    """The URL rules of the current app, less those under the alias prefixes (the same views again)."""
    from luislite.api import AUTHORING_PREFIXES
    from luislite.api.luis.prediction import V3_PREFIXES

    aliases = (AUTHORING_PREFIXES["v2"], *V3_PREFIXES[1:])
    return [rule for rule in current_app.url_map.iter_rules()
            if rule.endpoint != "static" and not rule.rule.startswith(aliases)]


def _spec() -> APISpec:
    """An empty document: the key security schemes and the LUIS error envelope."""
    spec = APISpec("luislite", version("luislite"), "3.1.0", plugins=[MarshmallowPlugin()],
                   info={"description": DESCRIPTION}, security=[{name: []} for name in SECURITY])
    for name, scheme in SECURITY.items():
        spec.components.security_scheme(name, scheme)
    for name, description in ERRORS.values():
        spec.components.response(name, {"description": description, "content": _content(ErrorResponse)})
    return spec


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _path(rule) -> tuple[str, list[dict]]:
    """The OpenAPI path template of a URL rule (`<app_id>` -> `{appId}`) and its path parameters."""
    parameters = []

    def variable(match) -> str:
        name = _camel(match["name"])
        parameters.append({"in": "path", "name": name, "required": True, "schema": _variable_schema(match)})
        return f"{{{name}}}"

    return VARIABLE.sub(variable, rule.rule), parameters


def _variable_schema(match) -> dict:
    if match["converter"] == "int":
        return {"type": "integer"}
    if match["converter"] == "any":
        return {"type": "string", "enum": [item.strip(" '\"") for item in match["args"].split(",")]}
    return VARIABLES.get(match["name"], {"type": "string", "minLength": 1})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _tag(module: str) -> str:
    return module.removeprefix("luislite.api.").removeprefix("luis.")


def _operation(view, method: str, path_parameters: list[dict], keyless: bool) -> dict:
    declared = getattr(view, "openapi", {})
    described = declared.get(method) or declared.get("*") or Operation()
    summary, _, description = (view.__doc__ or view.__name__.replace("_", " ").capitalize()).partition("\n")
    query = [{"in": "query", "schema": described.query}] if described.query else []
    doc = {"tags": [_tag(view.__module__)], "summary": summary.strip(), "parameters": path_parameters + query,
           "responses": _responses(described, method, keyless)}
    if description.strip():
        doc["description"] = " ".join(description.split())
    if described.body is not None:
        doc["requestBody"] = {"required": True, "content": _content(described.body)}
    return doc | ({"security": []} if keyless else {})


def _responses(described: Operation, method: str, keyless: bool) -> dict:
    """The success answer (by default as the method implies), any others declared, then the LUIS errors."""
    status = described.status or (201 if method == "POST" else 200)
    answer = described.answer or (GUID if method == "POST" else OperationStatus)
    answers = {status: answer} | (described.also or {})
    responses = {str(s): {"description": HTTPStatus(s).phrase, "content": _content(a)} for s, a in answers.items()}
    errors = ["default"] if keyless else ERRORS
    return responses | {s: {"$ref": f"#/components/responses/{ERRORS[s][0]}"} for s in errors if s not in responses}


def _content(shape) -> dict:
    """The `content` of a body or answer: JSON, unless `shape` maps media types to shapes."""
    media = shape if isinstance(shape, dict) and "/" in next(iter(shape), "") else {"application/json": shape}
    return {media_type: {"schema": _schema(s)} for media_type, s in media.items()}


def _schema(shape):
    return {"type": "array", "items": _schema(shape[0])} if isinstance(shape, list) else shape
