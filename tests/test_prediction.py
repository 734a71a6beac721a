"""Train, publish and predict on a live server whose worker fine-tunes a tiny random BERT (seconds per training).

The tiny model learns little, so these tests check the LUIS contract, not accuracy: training statuses, publishing,
the v3.0 and v2.0 response shapes through the official SDK and plain HTTP, offsets into the original query, errors.
Entities found for certain come from the travel app's list entity Place. The tests share module-scoped apps they
only read, so any one of them runs alone or in any order; the tests that edit or delete an app make their own.
Entity spans are checked against spans written by hand: every rule kind on an app of its own, machine-learned spans
on the app trained once per session on the real encoder (`real_app`).
"""
import json
import math
import re
import time
import uuid
from types import SimpleNamespace

import pytest
import requests
from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
from azure.cognitiveservices.language.luis.authoring.models import (EntityLabelObject, ErrorResponseException,
                                                                    ExampleLabelObject, WordListObject)
from azure.cognitiveservices.language.luis.runtime import LUISRuntimeClient
from azure.cognitiveservices.language.luis.runtime.models import ErrorException
from msrest.authentication import CognitiveServicesCredentials

from conftest import Http
from tiny_app import train

V3 = "/luis/prediction/v3.0"
V2 = "/luis/v2.0"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PUBLISH_KEYS = {"versionId", "isStaging", "endpointUrl", "region", "assignedEndpointKey", "endpointRegion",
                "failedRegions", "publishedDateTime"}

# (text, intent, [(entity, value, [(child, value)])]); offsets are found with str.index
EXAMPLES = [
    ("book a flight to paris", "BookFlight", [("City", "paris", [])]),
    ("fly me to london tomorrow", "BookFlight", [("City", "london", [])]),
    ("i need a plane ticket to berlin", "BookFlight", [("City", "berlin", [])]),
    ("get me a flight to new york", "BookFlight", [("City", "new york", [])]),
    ("book a trip to rome", "BookFlight", [("City", "rome", [])]),
    ("what is the weather in madrid", "GetWeather", [("City", "madrid", [])]),
    ("will it rain in oslo", "GetWeather", [("City", "oslo", [])]),
    ("weather forecast for tokyo", "GetWeather", [("City", "tokyo", [])]),
    ("is it sunny in lisbon today", "GetWeather", [("City", "lisbon", [])]),
    ("order two large pizzas", "OrderPizza", [("Order", "two large pizzas", [("Size", "large")])]),
    ("i want a small pizza with ham", "OrderPizza", [("Order", "a small pizza with ham", [("Size", "small")])]),
    ("can i get one medium pizza", "OrderPizza", [("Order", "one medium pizza", [("Size", "medium")])]),
    ("hello", "Greeting", []),
    ("hi there", "Greeting", []),
    ("good morning", "Greeting", []),
    ("the sky is blue", "None", []),
    ("my cat is sleeping", "None", []),
]
INTENTS = ["BookFlight", "GetWeather", "OrderPizza", "Greeting"]
PLACES = ["paris", "london", "berlin", "new york", "rome", "madrid", "oslo", "tokyo", "lisbon"]
# (intent, text) of the two-version app: each version has the examples of its intents
SLOT_EXAMPLES = [("Greeting", "hello"), ("Greeting", "hi there"), ("Farewell", "bye"), ("Farewell", "see you later"),
                 ("None", "the sky is blue")]


def label(text: str, entity: str, value: str, children=()) -> EntityLabelObject:
    start = text.index(value)
    return EntityLabelObject(entity_name=entity, start_char_index=start, end_char_index=start + len(value) - 1,
                             children=[label(text, c, v) for c, v in children] or None)


def example(text: str, intent: str, entities) -> ExampleLabelObject:
    return ExampleLabelObject(text=text, intent_name=intent,
                              entity_labels=[label(text, e, v, children) for e, v, children in entities])


def wait_for_training(authoring, app_id: str, version: str = "0.1", timeout: float = 180) -> list[list]:
    """Poll the training status (SDK) until no model is Queued or InProgress; every answer seen, in order."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = authoring.train.get_status(app_id, version)
        seen.append(statuses)
        if statuses and all(s.details.status not in ("Queued", "InProgress") for s in statuses):
            return seen
        time.sleep(0.3)
    pytest.fail(f"training of {app_id} did not finish within {timeout} s: {[s.details.status for s in seen[-1]]}")


def versioned_app(version: str, intents: list[str]) -> dict:
    """A LUIS app (JSON) of one version: the examples of `intents`, and a list entity, Version, resolving
    "which version" to the version's id, so that an answer says which version gave it."""
    intents = ["None", *intents]
    return {"luis_schema_version": "7.0.0", "versionId": version, "name": "slots", "culture": "en-us",
            "intents": [{"name": name} for name in intents],
            "closedLists": [{"name": "Version", "subLists": [{"canonicalForm": version, "list": ["which version"]}]}],
            "utterances": [{"text": text, "intent": intent, "entities": []}
                           for intent, text in SLOT_EXAMPLES if intent in intents]}


def imported_app(http, versions: dict[str, list[str]]) -> str:
    """A new app of these versions (version id: its intents), imported over HTTP and each trained."""
    (first, intents), *others = versions.items()
    response = http.post("/apps/import", params={"appName": f"slots-{uuid.uuid4().hex[:8]}"},
                         json=versioned_app(first, intents))
    assert response.status_code == 201, response.text
    app_id = response.json()
    for version, intents in others:
        response = http.post(f"/apps/{app_id}/versions/import", params={"versionId": version},
                             json=versioned_app(version, intents))
        assert response.status_code == 201, response.text
    for version in versions:
        train(http, app_id, version)
    return app_id


def publish(http, app_id: str, version: str, staging: bool) -> dict:
    response = http.post(f"/apps/{app_id}/publish", json={"versionId": version, "isStaging": staging})
    assert response.status_code == 201, response.text
    return response.json()


def endpoint(server, method: str, path: str, **kwargs) -> requests.Response:
    """A prediction request with the endpoint key in the header."""
    headers = {"Ocp-Apim-Subscription-Key": server.endpoint_key} | kwargs.pop("headers", {})
    return requests.request(method, server.url + path, headers=headers, timeout=30, **kwargs)


def instances(entities: dict):
    """Every `$instance` entry of a v3 `entities` object, nested children's included."""
    for items in entities.get("$instance", {}).values():
        yield from items
    for name, values in entities.items():
        if name != "$instance":
            for value in values:
                if isinstance(value, dict):
                    yield from instances(value)


def assert_offsets(query: str, entities: dict) -> list[dict]:
    """The `$instance` entries of a v3 `entities` object, each checked to index `query`; there must be some."""
    found = list(instances(entities))
    assert found, f"no entity found in {query!r}: the offset checks tested nothing"
    for instance in found:
        assert query[instance["startIndex"]:instance["startIndex"] + instance["length"]] == instance["text"]
    return found


@pytest.fixture(scope="module")
def clients(tiny_server):
    url = tiny_server.url
    return SimpleNamespace(
        authoring=LUISAuthoringClient(url, CognitiveServicesCredentials(tiny_server.key)),
        runtime=LUISRuntimeClient(url, CognitiveServicesCredentials(tiny_server.endpoint_key)))


@pytest.fixture(scope="module")
def travel(tiny_server, clients):
    """An app authored with the SDK and trained: the POST answer and every status seen while waiting."""
    authoring = clients.authoring
    app_id = authoring.apps.add({"name": f"predict-{uuid.uuid4().hex[:8]}", "culture": "en-us",
                                 "initial_version_id": "0.1"})
    for intent in INTENTS:
        authoring.model.add_intent(app_id, "0.1", name=intent)
    authoring.model.add_entity(app_id, "0.1", name="City")
    authoring.model.add_entity(app_id, "0.1", name="Order", children=[{"name": "Size"}])
    authoring.model.add_closed_list(app_id, "0.1", name="Place",
                                    sub_lists=[WordListObject(canonical_form=p.title(), list=[p]) for p in PLACES])
    results = authoring.examples.batch(app_id, "0.1", [example(*e) for e in EXAMPLES])
    assert not any(r.has_error for r in results)
    posted = requests.post(f"{tiny_server.url}/luis/authoring/v3.0-preview/apps/{app_id}/versions/0.1/train",
                           headers={"Ocp-Apim-Subscription-Key": tiny_server.key}, timeout=30)
    seen = wait_for_training(authoring, app_id)
    return SimpleNamespace(id=app_id, posted=posted, seen=seen)


@pytest.fixture(scope="module")
def production(tiny_server, clients, travel):
    """The travel app published to the production slot with the SDK."""
    return clients.authoring.apps.publish(travel.id, version_id="0.1", is_staging=False)


@pytest.fixture
def predict(tiny_server, production, travel):
    """Plain-HTTP prediction of the travel app with the endpoint key: predict(method, path, **requests_kwargs)."""
    return lambda method, path, **kwargs: endpoint(tiny_server, method, path.format(app=travel.id), **kwargs)


@pytest.fixture(scope="module")
def slots(tiny_server):
    """An app of two versions trained differently: 0.1 published to production, then 0.2 to staging. The publish
    answers, and the staging slot's answers (v3.0, v2.0) between the two publishes."""
    with Http(tiny_server, tiny_server.key) as http:
        app_id = imported_app(http, {"0.1": ["Greeting"], "0.2": ["Greeting", "Farewell"]})
        production = publish(http, app_id, "0.1", staging=False)
        unpublished = [endpoint(tiny_server, "POST", f"{V3}/apps/{app_id}/slots/staging/predict", json={"query": "hi"}),
                       endpoint(tiny_server, "GET", f"{V2}/apps/{app_id}", params={"q": "hi", "staging": "true"})]
        staging = publish(http, app_id, "0.2", staging=True)
    return SimpleNamespace(id=app_id, production=production, staging=staging, unpublished=unpublished)


@pytest.fixture
def own_app(tiny_server) -> str:
    """A new app of one trained version, 0.1, published to both slots: for a test that edits or deletes it."""
    with Http(tiny_server, tiny_server.key) as http:
        app_id = imported_app(http, {"0.1": ["Greeting"]})
        for staging in (False, True):
            publish(http, app_id, "0.1", staging)
    return app_id


# --- train ----------------------------------------------------------------------------------------

def test_train_answers_202_queued(travel):
    assert travel.posted.status_code == 202
    assert travel.posted.json() == {"statusId": 9, "status": "Queued"}


def test_status_has_one_entry_per_model_and_ends_in_success(clients, travel):
    authoring = clients.authoring
    assert {s.details.status for statuses in travel.seen for s in statuses} <= {"Queued", "InProgress", "Success"}
    final = travel.seen[-1]
    intents = {i.id for i in authoring.model.list_intents(travel.id, "0.1")}
    entities = {e.id for e in authoring.model.list_entities(travel.id, "0.1")}
    assert len(intents) == 5 and len(entities) == 2
    assert sorted(s.model_id for s in final) == sorted(intents | entities)
    for status in final:
        assert (status.details.status_id, status.details.status) == (0, "Success")
        assert status.details.example_count == len(EXAMPLES)
        assert status.details.training_date_time is not None and status.details.failure_reason is None


def test_status_over_http(tiny_http, travel):
    entries = tiny_http.get(f"/apps/{travel.id}/versions/0.1/train").json()
    assert entries and all(ISO.match(e["details"]["trainingDateTime"]) for e in entries)
    assert all(e["details"]["statusId"] == 0 and e["details"]["exampleCount"] == len(EXAMPLES) for e in entries)
    progress = entries[0]["details"]["progress"]
    assert progress["step"] == progress["steps"] > 0  # the last step is recorded, not one a second earlier


def test_second_train_is_up_to_date(clients, tiny_http, travel):
    answer = clients.authoring.train.train_version(travel.id, "0.1")
    assert (answer.status_id, answer.status) == (2, "UpToDate")
    response = tiny_http.post(f"/apps/{travel.id}/versions/0.1/train")
    assert response.status_code == 202 and response.json() == {"statusId": 2, "status": "UpToDate"}


def test_version_info_says_trained(clients, tiny_http, travel):
    version = clients.authoring.versions.get(travel.id, "0.1")
    assert version.training_status == "Trained" and version.last_trained_date_time is not None
    assert tiny_http.get(f"/apps/{travel.id}/versions/0.1/").json()["trainingStatus"] == "Trained"


def test_training_failure_ends_in_fail(clients, tiny_http):
    """An app without a single example cannot train: every model ends in Fail with a reason, never stuck."""
    app_id = tiny_http.post("/apps/", json={"name": f"empty-{uuid.uuid4().hex[:8]}", "culture": "en-us"}).json()
    response = tiny_http.post(f"/apps/{app_id}/versions/0.1/train")
    assert response.status_code == 202 and response.json()["status"] == "Queued"
    final = wait_for_training(clients.authoring, app_id, timeout=60)[-1]
    assert final and all((s.details.status_id, s.details.status) == (1, "Fail") for s in final)
    assert all(s.details.failure_reason for s in final)
    assert tiny_http.get(f"/apps/{app_id}/versions/0.1/").json()["trainingStatus"] == "NeedsTraining"
    publish = tiny_http.post(f"/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": False})
    assert publish.status_code == 400 and publish.json()["error"]["code"] == "BadArgument"


# --- publish --------------------------------------------------------------------------------------

def test_publishing_an_untrained_version_is_400(clients, tiny_http):
    app_id = clients.authoring.apps.add({"name": f"untrained-{uuid.uuid4().hex[:8]}", "culture": "en-us"})
    response = tiny_http.post(f"/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": False})
    assert response.status_code == 400 and response.json()["error"]["code"] == "BadArgument"
    with pytest.raises(ErrorResponseException):
        clients.authoring.apps.publish(app_id, version_id="0.1", is_staging=True)
    assert tiny_http.get(f"/apps/{app_id}").json()["endpoints"] == {}


def test_publish_production(tiny_server, production, travel):
    assert production.version_id == "0.1" and production.is_staging is False
    assert production.endpoint_url == f"{tiny_server.url}/luis/v2.0/apps/{travel.id}"
    assert production.published_date_time is not None


def test_publish_answers_name_their_slot_and_version(tiny_server, slots):
    for answer, version, staging in ((slots.production, "0.1", False), (slots.staging, "0.2", True)):
        assert set(answer) == PUBLISH_KEYS and (answer["versionId"], answer["isStaging"]) == (version, staging)
        assert answer["endpointUrl"] == f"{tiny_server.url}/luis/v2.0/apps/{slots.id}"
        assert ISO.match(answer["publishedDateTime"])


def test_staging_is_404_until_published(slots):
    for response in slots.unpublished:
        assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound", response.text


def test_app_endpoints_after_publish(tiny_server, tiny_http, slots):
    endpoints = tiny_http.get(f"/apps/{slots.id}").json()["endpoints"]
    assert endpoints == {"PRODUCTION": slots.production, "STAGING": slots.staging}
    urls = tiny_http.get(f"/apps/{slots.id}/endpoints").json()
    assert list(urls.values()) == [f"{tiny_server.url}/luis/v2.0/apps/{slots.id}"]


@pytest.mark.parametrize(("slot", "version", "intents"), [("production", "0.1", {"None", "Greeting"}),
                                                          ("Staging", "0.2", {"None", "Greeting", "Farewell"})])
def test_each_slot_answers_with_its_own_version(tiny_server, clients, slots, slot, version, intents):
    """Its version's intents and list entity, over v3.0 (plain HTTP and the SDK) and v2.0 (`staging=true`)."""
    query = "which version"
    v3 = endpoint(tiny_server, "POST", f"{V3}/apps/{slots.id}/slots/{slot}/predict",
                  params={"show-all-intents": "true"}, json={"query": query}).json()["prediction"]
    assert set(v3["intents"]) == intents and v3["entities"]["Version"] == [[version]]
    sdk = clients.runtime.prediction.get_slot_prediction(slots.id, slot, {"query": query}, show_all_intents=True)
    assert set(sdk.prediction.intents) == intents and sdk.prediction.entities["Version"] == [[version]]
    params = {"q": query, "verbose": "true"} | ({"staging": "true"} if slot == "Staging" else {})
    v2 = endpoint(tiny_server, "GET", f"{V2}/apps/{slots.id}", params=params).json()
    assert {i["intent"] for i in v2["intents"]} == intents
    assert [e["resolution"]["values"] for e in v2["entities"]] == [[version]]


def test_a_slot_republished_through_the_server_serves_the_new_version_at_once(tiny_server):
    """The server keeps a slot's lookup for a moment (publishing.SLOT_SECONDS); its own publish forgets it."""
    with Http(tiny_server, tiny_server.key) as http:
        app_id = imported_app(http, {"0.1": ["Greeting"], "0.2": ["Greeting", "Farewell"]})

        def staging_intents() -> set[str]:
            return set(endpoint(tiny_server, "POST", f"{V3}/apps/{app_id}/slots/staging/predict", json={"query": "hi"},
                                params={"show-all-intents": "true"}).json()["prediction"]["intents"])

        publish(http, app_id, "0.2", staging=True)
        for version, intents in (("0.1", {"Greeting", "None"}), ("0.2", {"Greeting", "Farewell", "None"})):
            staging_intents()  # the slot's previous version answers, and is remembered
            publish(http, app_id, version, staging=True)
            assert staging_intents() == intents


# --- prediction v3.0 ------------------------------------------------------------------------------

def test_v3_sdk_slot_prediction(clients, production, travel):
    result = clients.runtime.prediction.get_slot_prediction(travel.id, "Production",
                                                           {"query": "Book a flight to Paris"})
    assert result.query == "Book a flight to Paris"
    assert result.prediction.top_intent in INTENTS + ["None"]
    assert list(result.prediction.intents) == [result.prediction.top_intent]
    assert 0 <= result.prediction.intents[result.prediction.top_intent].score <= 1
    assert isinstance(result.prediction.entities, dict) and "$instance" not in result.prediction.entities


def test_v3_sdk_verbose_and_all_intents(clients, production, travel):
    query = "i want a small pizza with ham in rome"
    result = clients.runtime.prediction.get_slot_prediction(travel.id, "production", {"query": query},
                                                           verbose=True, show_all_intents=True)
    intents = result.prediction.intents
    assert set(intents) == set(INTENTS) | {"None"}
    assert math.isclose(sum(i.score for i in intents.values()), 1, abs_tol=1e-3)
    assert result.prediction.top_intent == max(intents, key=lambda name: intents[name].score)
    assert "Place" in {instance["type"] for instance in assert_offsets(query, result.prediction.entities)}


def test_v3_sdk_version_prediction(clients, production, travel):
    result = clients.runtime.prediction.get_version_prediction(travel.id, "0.1", {"query": "hello"},
                                                              show_all_intents=True)
    assert len(result.prediction.intents) == 5 and isinstance(result.prediction.entities, dict)


def test_v3_get_with_the_key_in_the_query_string(tiny_server, production, travel):
    url = f"{tiny_server.url}{V3}/apps/{travel.id}/slots/production/predict"
    response = requests.get(url, params={"subscription-key": tiny_server.endpoint_key, "query": "hi there"}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == "hi there" and set(body["prediction"]) == {"topIntent", "intents", "entities"}
    assert list(body["prediction"]["intents"]) == [body["prediction"]["topIntent"]]
    version = requests.get(f"{tiny_server.url}{V3}/apps/{travel.id}/versions/0.1/predict",
                           params={"subscription-key": tiny_server.key, "query": "hi there"}, timeout=30)
    assert version.status_code == 200 and version.json()["prediction"]["topIntent"] == body["prediction"]["topIntent"]


def test_v3_show_all_intents_sorted_by_score(predict):
    body = predict("GET", V3 + "/apps/{app}/slots/production/predict",
                   params={"query": "weather forecast for tokyo", "show-all-intents": "true"}).json()["prediction"]
    scores = [v["score"] for v in body["intents"].values()]
    assert set(body["intents"]) == set(INTENTS) | {"None"} and scores == sorted(scores, reverse=True)
    assert next(iter(body["intents"])) == body["topIntent"] and math.isclose(sum(scores), 1, abs_tol=1e-3)


def test_v3_instance_only_with_verbose(predict):
    for query in [text for text, _, _ in EXAMPLES if any(place in text for place in PLACES)]:
        plain = predict("POST", V3 + "/apps/{app}/slots/production/predict", json={"query": query})
        assert "$instance" not in plain.text and isinstance(plain.json()["prediction"]["entities"], dict)
        verbose = predict("POST", V3 + "/apps/{app}/slots/production/predict", params={"verbose": "true"},
                          json={"query": query, "options": {"preferExternalEntities": True}}).json()
        entities = verbose["prediction"]["entities"]
        assert {k for k in entities if k != "$instance"} == {k for k in plain.json()["prediction"]["entities"]}
        found = assert_offsets(query, entities)
        assert "Place" in {instance["type"] for instance in found}
        for instance in found:
            assert {"type", "text", "startIndex", "length", "modelTypeId", "modelType",
                    "recognitionSources"} <= set(instance)


# Training utterances, disguised: emoji, combining marks, other scripts, doubled and odd spaces, capitals.
ODD_QUERIES = ["🛫 book a flight to paris ✈️", "book  a   flight to\tPARIS", "  fly me to london tomorrow  ",
               "what is the weather in madrid ☔☔", "wéather forecast for tokyo 東京",
               "i want a small pizza with ham in rome 🍕", "will it rain in oslo\u00a0today",
               "is it sunny in lisbon today"]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_offsets_index_the_original_query(predict, query):
    v3 = predict("POST", V3 + "/apps/{app}/slots/production/predict", params={"verbose": "true"},
                 json={"query": query}).json()
    assert v3["query"] == query
    assert_offsets(query, v3["prediction"]["entities"])
    v2 = predict("GET", V2 + "/apps/{app}", params={"q": query}).json()
    assert v2["query"] == query and v2["entities"]
    for entity in v2["entities"]:
        assert entity["entity"] == query[entity["startIndex"]:entity["endIndex"] + 1].lower()


def test_combining_marks_keep_their_offsets(predict):
    query = "book a flight to Pa\u0301ris from rome please"  # the accent is its own code point
    v3 = predict("POST", V3 + "/apps/{app}/slots/production/predict", params={"verbose": "true"},
                 json={"query": query}).json()
    assert v3["query"] == query
    assert "rome" in {instance["text"] for instance in assert_offsets(query, v3["prediction"]["entities"])}


# --- spans known in advance ---------------------------------------------------------------------------------
# Each query has entities of a kind at its end, and before them a character whose case mapping changes the length
# of the text ("İ".lower() and "ß".upper() are two characters, "ﬁ".casefold() is "fi", "e\u0301" is an "é" of two
# code points). The spans are written by hand: v3 `$instance` (startIndex, length, text), v2 startIndex and an
# INCLUSIVE endIndex.

RULES_APP = {  # an entity of every rule kind; the tiny model finds no entity of its own: it has none to find
    "luis_schema_version": "7.0.0", "versionId": "0.1", "culture": "en-us",
    "intents": [{"name": "None"}, {"name": "BookFlight"}, {"name": "SendForm"}],
    "entities": [],
    "closedLists": [{"name": "Airport", "subLists": [{"canonicalForm": "New York", "list": ["nyc", "big apple"]}]}],
    "regex_entities": [{"name": "Ticket", "regexPattern": "tkt-[a-z]+"}],
    "prebuiltEntities": [{"name": "number"}, {"name": "datetimeV2"}, {"name": "phonenumber"}],
    "patternAnyEntities": [{"name": "FormName", "explicitList": []}],
    "patterns": [{"pattern": "send {FormName} to {Airport}", "intent": "SendForm"},
                 {"pattern": "send {FormName}", "intent": "SendForm"}],
    "utterances": [{"text": "fly to nyc", "intent": "BookFlight", "entities": []},
                   {"text": "send the form", "intent": "SendForm", "entities": []},
                   {"text": "hello", "intent": "None", "entities": []}],
}
RULE_SPANS = [  # (query, every entity of the answer as (name, startIndex, length, text))
    ("İstanbul: NYC, TKT-ABC, 3 tomorrow",
     [("Airport", 10, 3, "NYC"), ("Ticket", 15, 7, "TKT-ABC"), ("number", 24, 1, "3"),
      ("datetimeV2", 26, 8, "tomorrow")]),
    ("Straße, TKT-ABC, 3 tomorrow to NYC",
     [("Ticket", 8, 7, "TKT-ABC"), ("number", 17, 1, "3"), ("datetimeV2", 19, 8, "tomorrow"),
      ("Airport", 31, 3, "NYC")]),
    ("ﬁle 3 tomorrow, TKT-ABC",
     [("number", 4, 1, "3"), ("datetimeV2", 6, 8, "tomorrow"), ("Ticket", 16, 7, "TKT-ABC")]),
    ("Cafe\u0301 seats: 3", [("number", 13, 1, "3")]),
    # recognizers-text answers this phone number with a start one before its text: it is found where its text is
    ("İ call +212 (0) 644444444",
     [("number", 8, 3, "212"), ("phonenumber", 12, 13, "(0) 644444444"), ("number", 13, 1, "0"),
      ("number", 16, 9, "644444444")]),
    ("send İstanbul ﬁle to NYC", [("FormName", 5, 12, "İstanbul ﬁle"), ("Airport", 21, 3, "NYC")]),
    ("send the Straße ﬁle", [("FormName", 5, 14, "the Straße ﬁle")]),
]
ML_SPANS = [  # (query, the City spans of tests/real_app.py's model, as (startIndex, length, text))
    ("İ want to fly to london", [(17, 6, "london")]),
    ("ﬁne, fly me to paris tomorrow", [(15, 5, "paris")]),
    ("Cafe\u0301 break. what is the weather in oslo", [(36, 4, "oslo")]),
    ("will it rain in madrid today", [(16, 6, "madrid")]),
]


@pytest.fixture(scope="module")
def rules_app(tiny_server) -> str:
    """The id of RULES_APP, imported, trained and published to production."""
    with Http(tiny_server, tiny_server.key) as http:
        response = http.post("/apps/import", params={"appName": f"spans-{uuid.uuid4().hex[:8]}"}, json=RULES_APP)
        assert response.status_code == 201, response.text
        app_id = response.json()
        train(http, app_id)
        response = http.post(f"/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": False})
        assert response.status_code == 201, response.text
    return app_id


def spans(server, app_id: str, query: str) -> tuple[list, list]:
    """(v3 `$instance` entries as (name, startIndex, length, text), v2 entities as (startIndex, endIndex, length of
    their lowercased text)), sorted."""
    headers = {"Ocp-Apim-Subscription-Key": server.endpoint_key}
    v3 = requests.post(f"{server.url}{V3}/apps/{app_id}/slots/production/predict", params={"verbose": "true"},
                       json={"query": query}, headers=headers, timeout=30)
    v2 = requests.get(f"{server.url}{V2}/apps/{app_id}", params={"q": query}, headers=headers, timeout=30)
    assert v3.status_code == v2.status_code == 200, v3.text + v2.text
    instances = v3.json()["prediction"]["entities"].get("$instance", {})
    return (sorted((name, i["startIndex"], i["length"], i["text"]) for name, items in instances.items() for i in items),
            sorted((e["startIndex"], e["endIndex"], len(e["entity"])) for e in v2.json()["entities"]))


@pytest.mark.parametrize("query, expected", RULE_SPANS)
def test_rule_entity_spans(tiny_server, rules_app, query, expected):
    v3, v2 = spans(tiny_server, rules_app, query)
    assert v3 == sorted(expected)
    assert v2 == sorted((start, start + length - 1, length) for _, start, length, _ in expected)  # end inclusive


def test_v2_entity_text_is_lowercased_as_long_as_its_span(tiny_server, rules_app):
    body = requests.get(f"{tiny_server.url}{V2}/apps/{rules_app}", params={"q": "send İstanbul ﬁle to NYC"},
                        headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key}, timeout=30).json()
    assert [(e["type"], e["entity"], e["startIndex"], e["endIndex"]) for e in body["entities"]] == [
        ("FormName", "istanbul ﬁle", 5, 16), ("Airport", "nyc", 21, 23)]


@pytest.mark.parametrize("query, expected", ML_SPANS)
def test_machine_learned_entity_spans(server, real_app, query, expected):
    v3, v2 = spans(server, real_app, query)
    assert v3 == [("City", *span) for span in expected]
    assert v2 == [(start, start + length - 1, length) for start, length, _ in expected]


# --- prediction v2.0 ------------------------------------------------------------------------------

def test_v2_get(predict):
    body = predict("GET", V2 + "/apps/{app}", params={"q": "Book a flight to Paris"}).json()
    assert body["query"] == "Book a flight to Paris" and "intents" not in body
    assert set(body["topScoringIntent"]) == {"intent", "score"} and isinstance(body["entities"], list)
    verbose = predict("GET", V2 + "/apps/{app}", params={"q": "Book a flight to Paris", "verbose": "true"}).json()
    scores = [i["score"] for i in verbose["intents"]]
    assert {i["intent"] for i in verbose["intents"]} == set(INTENTS) | {"None"}
    assert scores == sorted(scores, reverse=True)
    assert verbose["intents"][0] == verbose["topScoringIntent"] == body["topScoringIntent"]


def test_v2_entities_have_inclusive_end_and_lowercase_text(predict):
    found = 0
    for text, _, entities in EXAMPLES:
        if entities:
            query = text.upper()
            for entity in predict("GET", V2 + "/apps/{app}", params={"q": query}).json()["entities"]:
                found += 1
                assert entity["entity"] == query[entity["startIndex"]:entity["endIndex"] + 1].lower()
                assert entity["entity"] == entity["entity"].lower()
                assert ("score" in entity) == (entity["type"] != "Place"), entity  # as in LUIS: a list's has none
    assert found, "no entity at all: the v2 entity checks tested nothing"


def test_v2_post_bodies(predict):
    """Bot Framework's default recognizer posts the utterance as a bare JSON string; plain text is tolerated too."""
    query = "fly me to london tomorrow"
    as_json = predict("POST", V2 + "/apps/{app}", params={"verbose": "true"}, data=json.dumps(query).encode(),
                      headers={"Content-Type": "application/json; charset=utf-8"})
    as_text = predict("POST", V2 + "/apps/{app}", params={"verbose": "true"}, data=query.encode(),
                      headers={"Content-Type": "text/plain"})
    assert as_json.status_code == as_text.status_code == 200, as_json.text + as_text.text
    assert as_json.json() == as_text.json()
    assert as_json.json()["query"] == query and len(as_json.json()["intents"]) == 5
    get = predict("GET", V2 + "/apps/{app}", params={"q": query, "verbose": "true"}).json()
    assert get == as_json.json()


# --- errors ---------------------------------------------------------------------------------------

def test_empty_queries_are_400(predict):
    slot = V3 + "/apps/{app}/slots/production/predict"
    responses = [predict("GET", slot, params={"query": ""}), predict("GET", slot),
                 predict("POST", slot, json={"query": ""}), predict("POST", slot, json={"query": "   "}),
                 predict("POST", slot, json={}), predict("GET", V2 + "/apps/{app}", params={"q": ""}),
                 predict("POST", V2 + "/apps/{app}", data=b'""', headers={"Content-Type": "application/json"})]
    for response in responses:
        assert response.status_code == 400 and response.json()["error"]["code"] == "BadArgument", response.text


def test_long_queries_are_414_on_get_and_post(predict):
    slot = V3 + "/apps/{app}/slots/production/predict"
    query = "a" * 501
    responses = [predict("GET", slot, params={"query": query}), predict("POST", slot, json={"query": query}),
                 predict("GET", V2 + "/apps/{app}", params={"q": query}),
                 predict("POST", V2 + "/apps/{app}", data=json.dumps(query),
                         headers={"Content-Type": "application/json"})]
    for response in responses:
        assert response.status_code == 414 and response.json()["error"]["code"] == "414", response.text
    assert predict("POST", slot, json={"query": "a" * 500}).status_code == 200


def test_unknown_apps_slots_and_versions_are_404(clients, predict, travel):
    for path in (V3 + f"/apps/{uuid.uuid4()}/slots/production/predict",
                 V3 + "/apps/not-a-guid/slots/production/predict",
                 V3 + "/apps/{app}/slots/dev/predict", V3 + "/apps/{app}/versions/9.9/predict",
                 V3 + f"/apps/{uuid.uuid4()}/versions/0.1/predict", V2 + f"/apps/{uuid.uuid4()}"):
        response = predict("POST", path, json={"query": "hello"}) if path.startswith(V3) else \
            predict("GET", path, params={"q": "hello"})
        assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound", path
    with pytest.raises(ErrorException) as raised:
        clients.runtime.prediction.get_slot_prediction(str(uuid.uuid4()), "production", {"query": "hello"})
    assert raised.value.response.status_code == 404


def test_endpoint_key_predicts_but_cannot_author(tiny_server, predict, travel):
    assert predict("GET", V2 + "/apps/{app}", params={"q": "hello"}).status_code == 200
    refused = requests.get(f"{tiny_server.url}/luis/authoring/v3.0-preview/apps/{travel.id}",
                           headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key}, timeout=30)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "401"
    wrong = predict("GET", V2 + "/apps/{app}", params={"q": "hello"},
                    headers={"Ocp-Apim-Subscription-Key": str(uuid.uuid4())})
    assert wrong.status_code == 401


# --- edit, retrain, delete (each on an app of its own) --------------------------------------------

def test_an_edit_needs_training_and_retrains(clients, tiny_server, own_app):
    authoring, examples = clients.authoring, len(versioned_app("0.1", ["Greeting"])["utterances"])
    authoring.examples.add(own_app, "0.1", example("say hello to me", "Greeting", []))
    assert authoring.versions.get(own_app, "0.1").training_status == "NeedsTraining"
    answer = authoring.train.train_version(own_app, "0.1")
    assert (answer.status_id, answer.status) == (9, "Queued")
    final = wait_for_training(authoring, own_app)[-1]
    assert {s.details.status for s in final} == {"Success"}
    assert {s.details.example_count for s in final} == {examples + 1}
    assert authoring.versions.get(own_app, "0.1").training_status == "Trained"
    response = endpoint(tiny_server, "POST", f"{V3}/apps/{own_app}/slots/production/predict", json={"query": "hi"})
    assert response.status_code == 200


def test_deleting_the_app_removes_its_publications(clients, tiny_server, own_app):
    for slot in ("production", "staging"):
        assert endpoint(tiny_server, "GET", f"{V3}/apps/{own_app}/slots/{slot}/predict",
                        params={"query": "hi"}).status_code == 200
    clients.authoring.apps.delete(own_app)
    for method, path, kwargs in (("POST", f"{V3}/apps/{own_app}/slots/production/predict", {"json": {"query": "hi"}}),
                                 ("POST", f"{V3}/apps/{own_app}/slots/staging/predict", {"json": {"query": "hi"}}),
                                 ("POST", f"{V3}/apps/{own_app}/versions/0.1/predict", {"json": {"query": "hi"}}),
                                 ("GET", f"{V2}/apps/{own_app}", {"params": {"q": "hi"}})):
        response = endpoint(tiny_server, method, path, **kwargs)
        assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound", path
