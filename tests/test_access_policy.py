"""Every route's access policy, walked from the app's URL map: a route added later is checked without being listed.

Each route and method answers LUIS's 401 without a key and with a wrong key; authoring routes also refuse an
endpoint key, prediction routes (PREDICTION, by prefix) serve it. Only the routes in PUBLIC need no key: any other
route, under whatever prefix, is held to the authoring policy, so a new keyless or prediction route fails here
until it is listed. The key is checked before a route's view runs, so a URL needs only to route to its own rule;
it names a real app (tests/fuzzing.py's, trained and published), so an unguarded route would serve its data.
"""
import re
import tempfile
import uuid
from pathlib import Path

import pytest
import requests

from conftest import AUTHORING_KEY, Http
from fuzzing import fuzz_app
from luislite import create_app
from luislite.api.openapi import VARIABLE
from luislite.config import Config

PUBLIC = {"/", "/health", "/ready", "/openapi.json",
          "/static/<path:filename>"}  # Flask's own, serving nothing: luislite has no static folder
PREDICTION = ("/luis/prediction/v3.0/", "/luis/v3.0-preview/", "/luis/v3.0/", "/luis/v2.0/")
QUERY = "book a flight to paris"
MISSING, INVALID = "missing subscription key", "invalid subscription key"


def url_map():
    with tempfile.TemporaryDirectory() as data_dir:
        return create_app(Config(Path(data_dir), "sqlite://", [AUTHORING_KEY]), migrate=False).url_map


URL_MAP = url_map()
ROUTES = [(rule, method) for rule in URL_MAP.iter_rules() for method in sorted(rule.methods - {"OPTIONS"})]
KEYED = [(rule, method) for rule, method in ROUTES if rule.rule not in PUBLIC]


@pytest.fixture(scope="module")
def app(tiny_server) -> dict:
    """The ids of a trained app published to both slots, with an entity of every kind (by kind)."""
    with Http(tiny_server, tiny_server.key) as http:
        return fuzz_app(http)


@pytest.fixture(scope="module")
def session():
    with requests.Session() as session:
        yield session


def path(rule, method: str, app: dict) -> str:
    """The rule's path with every variable set: the app's ids (its entity of the kind the path names), else a
    plausible value. It must route to the rule itself, not to another that shadows it."""
    kind = re.search(r"/(\w+)/<entity_id>", rule.rule)
    ids = {"app_id": app["appId"], "version_id": app["versionId"], "intent_id": app["intentId"],
           "entity_id": app["entityId"].get(kind[1] if kind else "entities", app["entityId"]["entities"]),
           "model_id": app["modelId"], "slot": "production"}

    def value(variable) -> str:
        if variable["converter"] == "int":
            return "1"
        if variable["converter"] == "any":
            kinds = [item.strip(" '\"") for item in variable["args"].split(",")]
            return "entities" if "entities" in kinds else kinds[0]
        return ids.get(variable["name"], str(uuid.uuid4()))

    built = VARIABLE.sub(value, rule.rule)
    assert URL_MAP.bind("127.0.0.1").match(built, method=method)[0] == rule.endpoint, built
    return built


def prediction(rule, method: str) -> dict:
    """A valid prediction request: the query in the URL, or in the body (v2.0 posts it as a JSON string)."""
    if method in ("GET", "HEAD"):
        return {"params": {"query": QUERY, "q": QUERY}}
    return {"json": QUERY if rule.rule.startswith("/luis/v2.0/") else {"query": QUERY}}


def refused(response, message: str) -> None:
    """LUIS's 401 in its error envelope (a HEAD answer has no body)."""
    assert response.status_code == 401, f"{response.request.method} {response.url}: {response.text[:200]}"
    if response.request.method != "HEAD":
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"] == "401", body
        assert message in body["error"]["message"], body


@pytest.mark.parametrize(("rule", "method"), KEYED, ids=[f"{method} {rule.rule}" for rule, method in KEYED])
def test_route_needs_its_key(tiny_server, app, session, rule, method):
    url = tiny_server.url + path(rule, method, app)
    is_prediction = rule.rule.startswith(PREDICTION)
    kwargs = prediction(rule, method) if is_prediction else {}
    params = kwargs.pop("params", {})

    def send(key: str | None = None, in_query: bool = False):
        headers = {"Ocp-Apim-Subscription-Key": key} if key and not in_query else {}
        query = params | ({"subscription-key": key} if in_query else {})
        return session.request(method, url, headers=headers, params=query, timeout=30, allow_redirects=False,
                               **kwargs)

    refused(send(), MISSING)
    for in_query in (False, True):
        refused(send(str(uuid.uuid4()), in_query), INVALID)
        with_endpoint_key = send(tiny_server.endpoint_key, in_query)
        if not is_prediction:
            refused(with_endpoint_key, INVALID)
        else:  # HEAD is answered as GET is, without the body
            assert with_endpoint_key.status_code == 200, with_endpoint_key.text
    if method == "GET" and not is_prediction:  # the keys alone decide: the authoring key passes
        assert send(tiny_server.key).status_code != 401


def test_every_public_route_exists_and_needs_no_key(tiny_server, session):
    rules = {rule.rule for rule, _ in ROUTES}
    assert PUBLIC <= rules, PUBLIC - rules
    for rule in PUBLIC - {"/static/<path:filename>"}:
        response = session.get(tiny_server.url + rule, timeout=30)
        assert response.status_code in (200, 503) and "error" not in response.json(), (rule, response.text)
    static = session.get(f"{tiny_server.url}/static/luislite.css", timeout=30)
    assert static.status_code == 404 and static.json()["error"]["code"] == "NotFound"


def test_the_walk_covers_every_luis_surface():
    """The URL map holds both authoring prefixes and every prediction prefix: the walk is not of an empty map."""
    prefixes = {"/luis/authoring/v3.0-preview/", "/luis/api/v2.0/", *PREDICTION}
    assert {prefix for prefix in prefixes for rule, _ in ROUTES if rule.rule.startswith(prefix)} == prefixes
    assert len(ROUTES) > 190
