"""Bounded fuzz of the whole API from its OpenAPI description (tests/fuzzing.py; benchmarks/fuzz.py runs longer).

The path parameters name a trained, published app on `tiny_server`, so bodies reach validation and predictions
reach the model and the recognizers; two valid and two invalid requests per operation, the same ones every run.
What fuzzing found is kept below as plain regression tests.
"""
import pytest
import requests

from conftest import Http
from fuzzing import Findings, fuzz, fuzz_app, load_schema
from tiny_app import V2

EXAMPLES = 2


@pytest.fixture(scope="module")
def app(tiny_server) -> dict:
    with Http(tiny_server, tiny_server.key) as http:
        return fuzz_app(http)


def test_openapi_document_is_valid_and_needs_no_key(tiny_server):
    document = requests.get(f"{tiny_server.url}/openapi.json", timeout=30).json()
    load_schema(tiny_server.url, tiny_server.key).validate()  # against the OpenAPI 3.1 meta-schema
    assert {"subscriptionKeyHeader", "subscriptionKeyQuery"} <= set(document["components"]["securitySchemes"])
    paths = set(document["paths"])
    assert {"/luis/authoring/v3.0-preview/apps/{appId}/versions/{versionId}/examples",
            "/luis/prediction/v3.0/apps/{appId}/slots/{slot}/predict", "/luis/v2.0/apps/{appId}"} <= paths
    assert not [path for path in paths if path.startswith(("/luis/api/v2.0", "/luis/v3.0"))]  # the aliases


def test_no_5xx_and_every_answer_as_described(tiny_server, app):
    findings = fuzz(load_schema(tiny_server.url, tiny_server.key), EXAMPLES, Findings(), app)
    assert findings.requests > 300
    assert not findings.server_errors, "\n".join(findings.server_errors)
    assert not findings.violations, "\n".join(findings.violations)


@pytest.mark.parametrize("offset", ["1e10", "-1e300", "nan", "inf"])
def test_timezone_offsets_beyond_the_calendar_are_400(tiny_http, app, offset):
    response = tiny_http.get(tiny_http.url(f"/apps/{app['appId']}", prefix=V2),
                             params={"q": "tomorrow", "timezoneOffset": offset})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadArgument"
