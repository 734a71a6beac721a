"""Every route's access policy, walked from the app's URL map: a route added later is checked without being listed.

Each route and method answers its surface's 401 without a key and with a wrong key (in each place the surface
reads keys from: LUIS's header and `subscription-key`, CLU's header only); authoring routes also refuse an endpoint
key, prediction routes (PREDICTION, by prefix) serve it. Only the routes in PUBLIC need no key: any other route,
under whatever prefix, is held to the authoring policy, so a new keyless or prediction route fails here until it is
listed, and a route of a surface not in SURFACES fails too. The key is checked before a route's view runs, so a
URL needs only to route to its own rule; it names a real app (tests/fuzzing.py's, trained and published), so an
unguarded route would serve its data.
"""
import re
import uuid
from dataclasses import dataclass, field

import pytest
import requests

from conftest import Http, url_map
from fuzzing import fuzz_app
from luislite.api.openapi import VARIABLE

PUBLIC = {"/", "/health", "/ready", "/openapi.json",
          "/console", "/console/<path:filename>",  # the web console's files: it sends the key the user types
          "/static/<path:filename>"}  # Flask's own, serving nothing: luislite has no static folder
PREDICTION = ("/luis/prediction/v3.0/", "/luis/v3.0-preview/", "/luis/v3.0/", "/luis/v2.0/",
              "/language/:analyze-conversations")
QUERY = "book a flight to paris"
AZURE_DENIED = "Access denied due to invalid subscription key or wrong API endpoint."


@dataclass(frozen=True)
class KeyRules:
    """How a surface reads keys and words its refusals."""
    key_in_query: bool
    missing: str
    invalid: str
    params: dict = field(default_factory=dict)


LUIS_RULES = KeyRules(True, "missing subscription key", "invalid subscription key")
SURFACES = {"/luis/": LUIS_RULES,
            "/language/": KeyRules(False, AZURE_DENIED, AZURE_DENIED, {"api-version": "2023-04-01"}),
            "/metrics": LUIS_RULES,  # LUISLITE_METRICS=keyed, the default: an authoring key, as LUIS takes it
            "/luislite/": LUIS_RULES}  # run-time keys: the same


def key_rules(rule) -> KeyRules:
    return next(rules for prefix, rules in SURFACES.items() if rule.rule.startswith(prefix))


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


def prediction(rule, method: str, app: dict) -> dict:
    """A valid prediction request: the query in the URL, or in the body (v2.0 posts it as a JSON string, CLU as a
    conversation item for the app's production deployment)."""
    if method in ("GET", "HEAD"):
        return {"params": {"query": QUERY, "q": QUERY}}
    if rule.rule.startswith("/language/"):
        return {"json": {"kind": "Conversation",
                         "analysisInput": {"conversationItem": {"id": "1", "participantId": "1", "text": QUERY}},
                         "parameters": {"projectName": app["name"], "deploymentName": "production"}}}
    return {"json": QUERY if rule.rule.startswith("/luis/v2.0/") else {"query": QUERY}}


def refused(response, message: str) -> None:
    """The surface's 401 in its error envelope (a HEAD answer has no body)."""
    assert response.status_code == 401, f"{response.request.method} {response.url}: {response.text[:200]}"
    if response.request.method != "HEAD":
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"] == "401", body
        assert message in body["error"]["message"], body


@pytest.mark.parametrize(("rule", "method"), KEYED, ids=[f"{method} {rule.rule}" for rule, method in KEYED])
def test_route_needs_its_key(tiny_server, app, session, rule, method):
    url = tiny_server.url + path(rule, method, app)
    rules = key_rules(rule)
    is_prediction = rule.rule.startswith(PREDICTION)
    kwargs = prediction(rule, method, app) if is_prediction else {}
    params = rules.params | kwargs.pop("params", {})

    def send(key: str | None = None, in_query: bool = False):
        headers = {"Ocp-Apim-Subscription-Key": key} if key and not in_query else {}
        query = params | ({"subscription-key": key} if in_query else {})
        return session.request(method, url, headers=headers, params=query, timeout=30, allow_redirects=False,
                               **kwargs)

    refused(send(), rules.missing)
    if not rules.key_in_query:  # a valid key where this surface never reads keys is no key
        refused(send(tiny_server.key, in_query=True), rules.missing)
    for in_query in (False, True) if rules.key_in_query else (False,):
        refused(send(str(uuid.uuid4()), in_query), rules.invalid)
        with_endpoint_key = send(tiny_server.endpoint_key, in_query)
        if not is_prediction:
            refused(with_endpoint_key, rules.invalid)
        else:  # HEAD is answered as GET is, without the body
            assert with_endpoint_key.status_code == 200, with_endpoint_key.text
    if method == "GET" and not is_prediction:  # the keys alone decide: the authoring key passes
        assert send(tiny_server.key).status_code != 401


def test_every_public_route_exists_and_needs_no_key(tiny_server, session):
    rules = {rule.rule for rule, _ in ROUTES}
    assert PUBLIC <= rules, PUBLIC - rules
    for rule in PUBLIC - {"/static/<path:filename>", "/console", "/console/<path:filename>"}:
        response = session.get(tiny_server.url + rule, timeout=30)
        assert response.status_code in (200, 503) and "error" not in response.json(), (rule, response.text)
    console = session.get(f"{tiny_server.url}/console/", timeout=30)
    assert console.status_code == 200 and console.headers["Content-Type"].startswith("text/html")
    static = session.get(f"{tiny_server.url}/static/luislite.css", timeout=30)
    assert static.status_code == 404 and static.json()["error"]["code"] == "NotFound"


def test_the_walk_covers_every_surface():
    """The URL map holds both LUIS authoring prefixes, every prediction prefix and CLU's authoring: the walk is not
    of an empty map, and every keyed route belongs to a surface whose key rules are known here."""
    prefixes = {"/luis/authoring/v3.0-preview/", "/luis/api/v2.0/", "/language/authoring/", *PREDICTION}
    assert {prefix for prefix in prefixes for rule, _ in ROUTES if rule.rule.startswith(prefix)} == prefixes
    assert all(rule.rule.startswith(tuple(SURFACES)) for rule, _ in KEYED)
    assert len(ROUTES) > 190
