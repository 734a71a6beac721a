"""Every operation of the official authoring SDK (0.7.1) has a route: walked from the SDK against the app's URL map.

Each public method of each operation group of `LUISAuthoringClient` (apps, versions, model, examples...) carries
its URL template in `.metadata["url"]`, and its HTTP method is the one `self._client.<method>(...)` call in its
generated code. Its URL, every `{variable}` set to 1 and under the authoring prefix, must route to a rule serving
that method, and the rule must capture no literal segment of the SDK's URL as a variable (else
`/apps/customprebuiltdomains` would pass as `/apps/<app_id>`). Only the operations in UNROUTED may lack a route,
and any of them that gains one fails here until it is taken out of the set: the set only shrinks.
"""
import inspect
import re

import pytest
from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient, operations
from msrest.authentication import CognitiveServicesCredentials
from werkzeug.exceptions import MethodNotAllowed, NotFound

from conftest import AUTHORING, url_map

SDK_OPERATIONS = 173  # in azure-cognitiveservices-language-luis 0.7.1

UNROUTED: set[str] = set()  # operations not routed yet (none now): the set only shrinks
URL_MAP = url_map().bind("127.0.0.1")


def sdk_operations() -> dict[str, tuple[str, str]]:
    """`group.method` -> (HTTP method, URL template under the authoring prefix) for every SDK operation."""
    client = LUISAuthoringClient("http://127.0.0.1", CognitiveServicesCredentials("key"))
    assert client.config.base_url == "{Endpoint}" + AUTHORING
    groups = {name: group for name, group in vars(client).items() if type(group) in vars(operations).values()}
    return {f"{name}.{method_name}": (_http_method(method), method.metadata["url"])
            for name, group in groups.items()
            for method_name, method in inspect.getmembers(type(group), inspect.isfunction)
            if not method_name.startswith("_")}


def _http_method(method) -> str:
    [verb] = re.findall(r"self\._client\.(get|put|post|patch|delete|head)\(", inspect.getsource(method))
    return verb.upper()


OPERATIONS = sdk_operations()


def routed(method: str, template: str) -> bool:
    """Whether the SDK's URL routes to a rule serving `method` that captures only the URL's variables (a trailing
    `/` is dropped, as `api.NormalizePath` does)."""
    path = AUTHORING + re.sub(r"\{\w+\}", "1", template).rstrip("/")
    try:
        rule, arguments = URL_MAP.match(path, method=method, return_rule=True)
    except (NotFound, MethodNotAllowed):
        return False
    return all(str(value) == "1" or f"{value}," in rule.rule or f"{value})" in rule.rule  # an `any(...)` kind
               for value in arguments.values())


def test_the_sdk_has_173_authoring_operations():
    assert len(OPERATIONS) == SDK_OPERATIONS
    assert UNROUTED <= set(OPERATIONS), UNROUTED - set(OPERATIONS)


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_operation_has_a_route(name):
    method, template = OPERATIONS[name]
    if name in UNROUTED:
        assert not routed(method, template), f"{name} is routed now: take it out of UNROUTED"
    else:
        assert routed(method, template), f"no route for {name}: {method} {template}"
