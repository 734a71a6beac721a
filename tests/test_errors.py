"""Keys, URL forms and bad input over plain HTTP: every failure is a LUIS error body, never a 500,
and a failed write leaves nothing half-written."""
import json

import pytest

from conftest import AUTHORING_V2, Http, unique_name

GREET_APP = {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "greet", "culture": "en-us",
             "intents": [{"name": "None"}, {"name": "BookFlight"}],
             "entities": [{"name": "City", "roles": ["origin"]}, {"name": "Airline", "roles": []}],
             "utterances": [{"text": "fly to paris", "intent": "BookFlight",
                             "entities": [{"entity": "City", "startPos": 7, "endPos": 11}]}]}


def assert_error(response, status: int, code: str | None = None) -> str:
    """The response is a LUIS error with this status (and code); returns its message."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"]["message"], str), body
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]["message"]


def bad(response) -> str:
    return assert_error(response, 400, "BadArgument")


def example_count(http, app_id, version="0.1") -> int:
    return len(http.get(f"/apps/{app_id}/versions/{version}/examples", params={"take": 500}).json())


def app_names(http) -> list[str]:
    return [a["name"] for a in http.get("/apps/", params={"take": 500}).json()]


@pytest.fixture
def greet_app(http):
    response = http.post("/apps/import", params={"appName": unique_name("greet")}, json=GREET_APP)
    assert response.status_code == 201, response.text
    return response.json()


# --- keys ------------------------------------------------------------------------------------

def test_missing_key(server):
    with Http(server, None) as anonymous:
        message = assert_error(anonymous.get("/apps/"), 401, "401")
    assert "missing subscription key" in message


def test_wrong_key(server):
    with Http(server, "12345678-1234-1234-1234-123456789012") as stranger:
        assert "invalid subscription key" in assert_error(stranger.get("/apps/"), 401, "401")
    with Http(server, "not-a-guid") as stranger:
        assert_error(stranger.post("/apps/", json={"name": unique_name(), "culture": "en-us"}), 401, "401")


def test_endpoint_key_is_refused_on_authoring(server):
    with Http(server, server.endpoint_key) as endpoint_only:
        assert_error(endpoint_only.get("/apps/"), 401, "401")
        assert_error(endpoint_only.get("/apps/", params={"subscription-key": server.endpoint_key}), 401, "401")


def test_key_in_query_string(server, new_app):
    with Http(server, None) as anonymous:
        response = anonymous.get(f"/apps/{new_app}", params={"subscription-key": server.key})
    assert response.status_code == 200 and response.json()["id"] == new_app


# --- URL forms --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/apps/{app}", "/apps/{app}/", "//apps//{app}", "/apps/{app}/versions/0.1/",
                                  "/apps/{app}/versions/0.1", "//apps/{app}//versions/0.1//"])
def test_slashes_never_redirect(http, new_app, path):
    response = http.get(path.format(app=new_app))
    assert response.status_code == 200, response.text


def test_double_slash_after_the_host(http, new_app):
    response = http.get(f"{http.server.url}//luis/authoring/v3.0-preview/apps/{new_app}/versions/0.1/")
    assert response.status_code == 200 and response.json()["version"] == "0.1"
    assert http.get("/apps/").status_code == 200 and http.get("/apps").status_code == 200


def test_v2_prefix(http, new_app):
    response = http.get(http.url("/apps/", AUTHORING_V2), params={"take": 500})
    assert response.status_code == 200 and new_app in [a["id"] for a in response.json()]
    response = http.post(http.url(f"/apps/{new_app}/versions/0.1/intents", AUTHORING_V2), json={"name": "Hi"})
    assert response.status_code == 201
    assert "Hi" in [i["name"] for i in http.get(f"/apps/{new_app}/versions/0.1/intents").json()]


def test_unknown_resources_are_404(http, new_app):
    for path in ["/apps/6f1c4a0e-0000-4000-8000-000000000000", "/apps/not-a-guid", f"/apps/{new_app}/versions/9.9/",
                 f"/apps/{new_app}/versions/9.9/export", f"/apps/{new_app}/versions/0.1/intents/not-an-id",
                 f"/apps/{new_app}/versions/0.1/intents/6f1c4a0e-0000-4000-8000-000000000000", "/no/such/route"]:
        assert_error(http.get(path), 404, "NotFound")
    assert_error(http.delete(f"/apps/{new_app}/versions/0.1/examples/123456789"), 404, "NotFound")
    assert_error(http.delete(f"/apps/{new_app}/versions/0.1/examples/99999999999999999999999"), 404, "NotFound")
    assert_error(http.patch("/apps/"), 405)


def test_paging_arguments(http):
    for params in [{"skip": -1}, {"take": 501}, {"take": -1}, {"skip": "x"}, {"take": "1.5"}]:
        bad(http.get("/apps/", params=params))
    bad(http.get("/apps/", params={"skip": 10 ** 30}))
    assert http.get("/apps/", params={"skip": 2 ** 31 - 1}).json() == []


# --- bodies -----------------------------------------------------------------------------------

def test_malformed_bodies(http, new_app):
    before = app_names(http)

    def post(data, ctype="application/json"):
        return http.post("/apps/", data=data, headers={"Content-Type": ctype})

    assert "JSON" in bad(post(b'{"name": "x", "culture": '))
    assert_error(post(b'{"name": "x", "culture": "en-us"}', "application/x-www-form-urlencoded"), 415)
    assert_error(post(b'<app/>', "application/xml"), 415)
    assert "object" in bad(post(b'[{"name": "x", "culture": "en-us"}]'))
    bad(post(b'"a string"'))
    bad(post(b''))
    bad(post(b'null'))
    assert "name" in bad(post(json.dumps({"name": 5, "culture": "en-us"})))
    assert "culture" in bad(post(json.dumps({"name": unique_name()})))
    bad(post(json.dumps({"name": unique_name(), "culture": "en-us", "initialVersionId": 0.1})))
    bad(post(b'{"name": "\xff\xfe", "culture": "en-us"}'))  # not UTF-8
    bad(post(b"[" * 100_000 + b"]" * 100_000))
    bad(post(b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"))
    bad(post(json.dumps({"name": "a\u0000b", "culture": "en-us"})))
    bad(post(json.dumps({"name": "x" * 51, "culture": "en-us"})))
    bad(post(json.dumps({"name": "   ", "culture": "en-us"})))
    bad(http.post(f"/apps/{new_app}/versions/0.1/intents", json=["Hi"]))
    bad(http.post(f"/apps/{new_app}/versions/0.1/intents", json={"name": "Hi\u0000"}))
    bad(http.post(f"/apps/{new_app}/versions/0.1/intents", json={"name": None}))
    bad(http.put(f"/apps/{new_app}/versions/0.1/", json={"version": "bad\u0000id"}))
    bad(http.put(f"/apps/{new_app}/versions/0.1/", json={"version": 2}))
    bad(http.post(f"/apps/{new_app}/versions/0.1/clone", json={"version": None}))
    bad(http.post(f"/apps/{new_app}/versions/0.1/clone", json={"version": "a/b"}))
    bad(http.put(f"/apps/{new_app}/settings", json={"public": "maybe"}))
    assert app_names(http) == before
    assert [v["version"] for v in http.get(f"/apps/{new_app}/versions").json()] == ["0.1"]


def test_body_over_the_size_limit(start_server):
    small = start_server("--workers", "0", LUISLITE_MAX_BODY_MB="1")
    with Http(small, small.key) as session:
        body = json.dumps({"name": "big", "culture": "en-us", "description": "x" * (2 << 20)})
        assert_error(session.post("/apps/", data=body, headers={"Content-Type": "application/json"}), 413)
        chunks = (part.encode() for part in [body[:1000], body[1000:]])  # chunked: no Content-Length
        assert_error(session.post("/apps/", data=chunks, headers={"Content-Type": "application/json"}), 413)
        assert session.get("/apps/").json() == []


def test_duplicate_names(http, new_app):
    name = http.get(f"/apps/{new_app}").json()["name"]
    bad(http.post("/apps/", json={"name": name.upper(), "culture": "en-us"}))
    other = http.post("/apps/", json={"name": unique_name(), "culture": "en-us"}).json()
    bad(http.put(f"/apps/{other}", json={"name": name}))
    assert app_names(http).count(name) == 1
    intents = f"/apps/{new_app}/versions/0.1/intents"
    assert http.post(intents, json={"name": "BookFlight"}).status_code == 201
    bad(http.post(intents, json={"name": "bookflight"}))
    bad(http.post(intents, json={"name": "NONE"}))
    hello = http.post(intents, json={"name": "Hello"}).json()
    bad(http.put(f"{intents}/{hello}", json={"name": "BOOKFLIGHT"}))
    assert [i["name"] for i in http.get(intents).json()] == ["None", "BookFlight", "Hello"]


def test_names_with_dots_and_hashes(http, new_app):
    response = http.post(f"/apps/{new_app}/versions/0.1/intents", json={"name": "atis_flight#atis_airfare"})
    assert response.status_code == 201
    doc = {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "atis", "culture": "en-us",
           "intents": [{"name": "atis_flight#atis_airfare"}],
           "entities": [{"name": "fromloc.city_name", "roles": []}, {"name": "B-toloc.city_name", "roles": []}],
           "utterances": [{"text": "fares from boston", "intent": "atis_flight#atis_airfare",
                           "entities": [{"entity": "fromloc.city_name", "startPos": 11, "endPos": 16}]}]}
    response = http.post("/apps/import", params={"appName": unique_name("atis")}, json=doc)
    assert response.status_code == 201, response.text
    exported = http.get(f"/apps/{response.json()}/versions/0.1/export").json()
    assert exported["utterances"] == [doc["utterances"][0] | {"entities": [
        {"entity": "fromloc.city_name", "startPos": 11, "endPos": 16, "children": []}]}]
    response = http.post(f"/apps/{response.json()}/versions/0.1/example",
                         json={"text": "fares to denver", "intentName": "atis_flight#atis_airfare",
                               "entityLabels": [{"entityName": "B-toloc.city_name", "startCharIndex": 9,
                                                 "endCharIndex": 15}]})
    assert response.status_code == 201, response.text


def test_app_names_allow_punctuation_that_model_names_do_not(http, new_app):
    name = f"mybot({unique_name('dev')})-app.en-us.lu"  # as `bf luis:build --botName mybot --suffix ...` names it
    created = http.post("/apps/", json={"name": name, "culture": "en-us"})
    assert created.status_code == 201, created.text
    assert http.get(f"/apps/{created.json()}").json()["name"] == name
    imported = http.post("/apps/import", params={"appName": f"{name}+$&%*?~:"}, json={"culture": "en-us"})
    assert imported.status_code == 201, imported.text
    bad(http.put(f"/apps/{new_app}", json={"name": "tab\there"}))
    bad(http.post(f"/apps/{new_app}/versions/0.1/intents", json={"name": "Book(Flight)"}))


# --- examples ---------------------------------------------------------------------------------

def label(entity, start, end, **extra):
    return {"entityName": entity, "startCharIndex": start, "endCharIndex": end} | extra


def test_bad_examples(http, greet_app):
    url = f"/apps/{greet_app}/versions/0.1/example"
    before = example_count(http, greet_app)
    text = "fly from new york to rome"
    cases = [
        {"text": "x" * 501, "intentName": "None"},
        {"text": "", "intentName": "None"},
        {"text": "   ", "intentName": "None"},
        {"text": 5, "intentName": "None"},
        {"text": "hello"},
        {"text": "hello", "intentName": "NoSuchIntent"},
        {"text": "hello", "intentName": None},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("Town", 9, 16)]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", 9, 16, role="target")]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", 9, 16), label("Airline", 13, 20)]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", 9, 100)]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", 30, 40)]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", -5, 3)]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", 16, 9)]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", "9", 16)]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", 9.5, 16)]},
        {"text": text, "intentName": "BookFlight", "entityLabels": [{"entityName": "City"}]},
        {"text": text, "intentName": "BookFlight", "entityLabels": "City"},
        {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", 9, 16, children=[
            label("City", 9, 11)])]},
    ]
    for body in cases:
        bad(http.post(url, json=body))
    child = json.dumps(label("City", 9, 16))[:-1] + ', "children": ['
    deep = f'{{"text": "{text}", "intentName": "BookFlight", "entityLabels": [' + child * 5000 + "]}" * 5000 + "]}"
    bad(http.post(url, data=deep, headers={"Content-Type": "application/json"}))
    bad(http.post(url, json=[{"text": "hello", "intentName": "None"}]))
    assert example_count(http, greet_app) == before
    ok = {"text": text, "intentName": "BookFlight", "entityLabels": [label("City", 9, 16, role="origin")]}
    assert http.post(url, json=ok).status_code == 201
    assert example_count(http, greet_app) == before + 1


def test_bad_batches(http, greet_app):
    url = f"/apps/{greet_app}/versions/0.1/examples"
    before = example_count(http, greet_app)
    bad(http.post(url, json=[{"text": f"hello {n}", "intentName": "None"} for n in range(101)]))
    bad(http.post(url, json={"text": "hello", "intentName": "None"}))
    bad(http.post(url, json=[{"text": "hello", "intentName": "None"}, 5]))
    bad(http.post(url, json=[{"text": "hello", "intentName": "None"}, {"text": 5, "intentName": "None"}]))
    assert example_count(http, greet_app) == before
    response = http.post(url, json=[{"text": "hi", "intentName": "NoSuchIntent"}])
    assert response.status_code == 207 and response.json()[0]["hasError"] is True
    assert example_count(http, greet_app) == before
    assert http.post(url, json=[]).status_code == 201


# --- imports ----------------------------------------------------------------------------------

def test_bad_imports_leave_nothing(http, new_app):
    before = app_names(http)
    name = unique_name("imported")
    unknown_entity = GREET_APP | {"utterances": [{"text": "fly to rome", "intent": "BookFlight", "entities": [
        {"entity": "Town", "startPos": 7, "endPos": 10}]}]}
    assert "Town" in bad(http.post("/apps/import", params={"appName": name}, json=unknown_entity))
    cases = [
        GREET_APP | {"utterances": [{"text": "fly", "intent": "Unknown", "entities": []}]},
        GREET_APP | {"utterances": [{"text": "fly to rome", "intent": "BookFlight",
                                     "entities": [{"entity": 5, "startPos": 7, "endPos": 10}]}]},
        GREET_APP | {"utterances": [{"text": "fly to rome", "intent": "BookFlight",
                                     "entities": [{"entity": "City", "startPos": 7, "endPos": 99}]}]},
        GREET_APP | {"utterances": [{"text": "fly to rome", "intent": "BookFlight", "entities": [
            {"entity": "City", "startPos": 7, "endPos": 10, "role": 5}]}]},
        GREET_APP | {"utterances": [{"text": "fly", "intent": 5, "entities": []}]},
        GREET_APP | {"utterances": [{"intent": "None"}]},
        GREET_APP | {"utterances": "fly"},
        GREET_APP | {"intents": [{"name": "A"}, {"name": "a"}]},
        GREET_APP | {"intents": [{"name": "None"}] + [{"name": f"I{n}"} for n in range(500)]},
        GREET_APP | {"entities": [{"name": "City"}, {"name": "CITY"}]},
        GREET_APP | {"intents": "None"},
        GREET_APP | {"culture": 5},
        GREET_APP | {"prebuiltEntities": [{"name": "nosuchprebuilt"}]},
        GREET_APP | {"patterns": [{"pattern": "fly to {City}", "intent": "Nope"}]},
        GREET_APP | {"patterns": [{"pattern": "fly to {City}", "intent": 5}]},
        [GREET_APP],
        {"utterances": [{"text": "x", "intent": "None", "entities": [
            {"entity": "E", "startPos": 0, "endPos": 0, "children": "[" * 50}]}]},
    ]
    for doc in cases:
        bad(http.post("/apps/import", params={"appName": name}, json=doc))
        bad(http.post(f"/apps/{new_app}/versions/import", params={"versionId": "0.2"}, json=doc))
    bad(http.post("/apps/import", params={"appName": name},
                  json={k: v for k, v in GREET_APP.items() if k != "culture"}))
    bad(http.post("/apps/import", params={"appName": "a\u0000b"}, json=GREET_APP))
    bad(http.post("/apps/import", data=b"[" * 100_000, headers={"Content-Type": "application/json"}))
    bad(http.post(f"/apps/{new_app}/versions/import", params={"versionId": "0.1"}, json=GREET_APP))
    assert app_names(http) == before
    assert [v["version"] for v in http.get(f"/apps/{new_app}/versions").json()] == ["0.1"]


def test_too_many_utterances(http, new_app):
    doc = GREET_APP | {"utterances": [{"text": f"utterance {n}", "intent": "None"} for n in range(15_001)]}
    message = bad(http.post(f"/apps/{new_app}/versions/import", params={"versionId": "big"}, json=doc))
    assert "15000" in message
    bad(http.post("/apps/import", params={"appName": unique_name()}, json=doc))
    assert [v["version"] for v in http.get(f"/apps/{new_app}/versions").json()] == ["0.1"]

    doc["utterances"].pop()
    response = http.post(f"/apps/{new_app}/versions/import", params={"versionId": "full"}, json=doc)
    assert response.status_code == 201, response.text
    examples = f"/apps/{new_app}/versions/full/examples"
    bad(http.post(examples, json=[{"text": "one too many", "intentName": "None"}]))
    bad(http.post(f"/apps/{new_app}/versions/full/example", json={"text": "one too many", "intentName": "None"}))
    assert http.post(examples, json=[{"text": "UTTERANCE 7", "intentName": "None"}]).status_code == 201  # replaces
    assert len(http.get(examples, params={"skip": 14_900, "take": 500}).json()) == 100
