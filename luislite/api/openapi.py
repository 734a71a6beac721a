"""The OpenAPI 3.1 description of every API surface at `GET /openapi.json` (no key needed).

Paths come from the URL map, summaries from the views' docstrings, and bodies, query parameters and answers from
the marshmallow schemas each view names with `@operation`. What is a surface's own comes from its `Surface.openapi`
(`api/surface.py`): its description, key security schemes, error responses, the answer of a view that declares
none (LUIS: POST creates, answering the new id; PUT, PATCH and DELETE answer an OperationStatus), and the alias
prefixes left out. A surface's tags are the modules of its views, named below its package (`authoring.apps`).
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

from luislite.api.surface import OpenApi, Surface, surface_of

bp = Blueprint("openapi", __name__)

GUID = {"type": "string", "format": "uuid"}
NO_BODY = {"description": "an answer without a body"}  # as `answer`: documented without content
TEXT = {"type": "string"}
KEYLESS = {"home", "health", "openapi"}  # blueprints whose routes need no key
UNDOCUMENTED = {"static", "console"}  # not API: Flask's static files, the web console (luislite/console)
GUID_IDS = ["app_id", "intent_id", "entity_id", "role_id", "pattern_id", "child_id", "model_id"]
VARIABLES = dict.fromkeys(GUID_IDS, GUID) | {"slot": {"type": "string", "enum": ["production", "staging"]}}
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


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
    from luislite.api import SURFACES

    rules = _documented_rules(SURFACES)
    served = Counter(rule.endpoint for rule in rules for _ in _methods(rule))
    spec = _spec(SURFACES)
    for rule in rules:
        view = current_app.view_functions[rule.endpoint]
        path, parameters = _path(rule)
        surface, tag = surface_of(rule.rule, SURFACES), _tag(view.__module__, SURFACES)
        keyless = rule.endpoint.partition(".")[0] in KEYLESS
        operations = {}
        for method in _methods(rule):
            operation_id = view.__name__ if served[rule.endpoint] == 1 else f"{view.__name__}_{method.lower()}"
            operations[method.lower()] = {"tags": [tag], **_operation(view, method, parameters, surface, keyless),
                                          "operationId": operation_id}
        spec.path(path, operations=operations)
    for module in dict.fromkeys(current_app.view_functions[rule.endpoint].__module__ for rule in rules):
        summary = sys.modules[module].__doc__.split("\n\n")[0]
        spec.tag({"name": _tag(module, SURFACES), "description": " ".join(summary.split())})
    return spec.to_dict()


def _documented_rules(surfaces: list[Surface]) -> list:
    """The URL rules of the current app, less those under the alias prefixes (the same views again)."""
    aliases = tuple(alias for surface in surfaces for alias in surface.openapi.aliases)
    return [rule for rule in current_app.url_map.iter_rules()
            if rule.endpoint.partition(".")[0] not in UNDOCUMENTED and not rule.rule.startswith(aliases)]


def _spec(surfaces: list[Surface]) -> APISpec:
    """An empty document: each surface's description, key security schemes and error responses."""
    spec = APISpec("luislite", version("luislite"), "3.1.0", plugins=[MarshmallowPlugin()],
                   info={"description": "\n\n".join(surface.openapi.description for surface in surfaces)})
    for surface in surfaces:
        for name, scheme in surface.openapi.security.items():
            spec.components.security_scheme(name, scheme)
        for name, description in surface.openapi.errors.values():
            spec.components.response(name, {"description": description,
                                            "content": _content(surface.openapi.error_schema)})
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


def _tag(module: str, surfaces: list[Surface]) -> str:
    """A view module's name below `luislite.api`, and below its surface's package (`authoring.apps`)."""
    name = module.removeprefix("luislite.api.")
    return next((name.removeprefix(f"{s.name}.") for s in surfaces if name.startswith(f"{s.name}.")), name)


def _operation(view, method: str, path_parameters: list[dict], surface: Surface, keyless: bool) -> dict:
    declared = getattr(view, "openapi", {})
    described = declared.get(method) or declared.get("*") or Operation()
    summary, _, description = (view.__doc__ or view.__name__.replace("_", " ").capitalize()).partition("\n")
    query = [{"in": "query", "schema": described.query}] if described.query else []
    doc = {"summary": summary.strip(), "parameters": path_parameters + query,
           "responses": _responses(described, method, surface.openapi, keyless)}
    if description.strip():
        doc["description"] = " ".join(description.split())
    if described.body is not None:
        doc["requestBody"] = {"required": True, "content": _content(described.body)}
    return doc | {"security": [] if keyless else [{name: []} for name in surface.openapi.security]}


def _responses(described: Operation, method: str, surface: OpenApi, keyless: bool) -> dict:
    """The success answer (by default the surface's for the method), any others declared, then its errors."""
    status = described.status or (201 if method == "POST" else 200)
    answers = {status: described.answer or surface.default_answer(method)} | (described.also or {})
    responses = {str(s): {"description": HTTPStatus(s).phrase} | ({} if a is NO_BODY else {"content": _content(a)})
                 for s, a in answers.items()}
    errors = ["default"] if keyless else surface.errors
    return responses | {s: {"$ref": f"#/components/responses/{surface.errors[s][0]}"}
                        for s in errors if s not in responses}


def _content(shape) -> dict:
    """The `content` of a body or answer: JSON, unless `shape` maps media types to shapes."""
    media = shape if isinstance(shape, dict) and "/" in next(iter(shape), "") else {"application/json": shape}
    return {media_type: {"schema": _schema(s)} for media_type, s in media.items()}


def _schema(shape):
    return {"type": "array", "items": _schema(shape[0])} if isinstance(shape, list) else shape
