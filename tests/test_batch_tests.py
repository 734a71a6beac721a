"""Batch tests as jobs on a live tiny-BERT server: POST a LUIS batch-test file (202), the worker predicts and
reports, GET answers the status and the report as JSON, text or HTML. The report is checked against one
computed here from the same model's own predictions."""
import uuid

import pytest

from conftest import AUTHORING_V2, Http
from luislite.domain.evaluation import Example, Span, format_text, report
from tiny_app import V3, wait_until, trained_travel_app

# (text, intent, city) — some unseen, some seen in training, one with a wrong label on purpose
TEST_SET = [
    ("book a flight to paris", "BookFlight", "paris"),
    ("i want to fly to dublin", "BookFlight", "dublin"),
    ("weather forecast for tokyo", "GetWeather", "tokyo"),
    ("is it cold in vienna", "GetWeather", "vienna"),
    ("hello", "Greeting", None),
    ("hey there", "Greeting", None),
    ("my cat is sleeping", "None", None),
    ("the grass is green", "None", None),
]


def batch_json(text: str, intent: str, city: str | None) -> dict:
    entities = [{"entity": "City", "startPos": text.index(city), "endPos": text.index(city) + len(city) - 1}] \
        if city else []
    return {"text": text, "intent": intent, "entities": entities}


BATCH = [batch_json(*item) for item in TEST_SET]


@pytest.fixture(scope="module")
def app_id(tiny_server):
    with Http(tiny_server, tiny_server.key) as http:
        return trained_travel_app(http)


def run_batch_test(http, path: str, body=BATCH) -> dict:
    """POST a batch test to `path` (…/batchtests), check the 202, wait for the worker; the final GET answer."""
    response = http.post(path, json=body)
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["status"] == "Queued" and isinstance(queued["id"], int)
    assert response.headers["Location"].endswith(f"/batchtests/{queued['id']}")

    def finished():
        answer = http.get(f"{path}/{queued['id']}").json()
        assert answer["status"] in ("Queued", "InProgress", "Success", "Fail")
        return answer if answer["status"] in ("Success", "Fail") else None

    return wait_until(finished, what="the batch test")


def predicted_here(tiny_server, app_id: str, text: str) -> Example:
    """The version's own v3 answer (verbose) as an evaluation Example: City is the app's only entity."""
    import requests

    answer = requests.post(f"{tiny_server.url}{V3}/apps/{app_id}/versions/0.1/predict?verbose=true",
                           json={"query": text}, headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key},
                           timeout=30).json()["prediction"]
    spans = [Span(i["startIndex"], i["startIndex"] + i["length"], i["type"])
             for items in answer["entities"].get("$instance", {}).values() for i in items]
    return Example(text, answer["topIntent"], spans)


@pytest.fixture(scope="module")
def version_test(tiny_server, app_id):
    with Http(tiny_server, tiny_server.key) as http:
        return run_batch_test(http, f"/apps/{app_id}/versions/0.1/batchtests")


def test_a_version_batch_test_succeeds_with_the_report_of_the_models_own_predictions(tiny_server, app_id,
                                                                                      version_test):
    assert version_test["status"] == "Success", version_test
    assert version_test["versionId"] == "0.1" and version_test["slot"] is None
    assert version_test["utterancesCount"] == len(BATCH)
    assert version_test["progress"] == {"utterances": len(BATCH), "done": len(BATCH)}
    result = version_test["report"]
    gold = [Example.from_batch_json(doc) for doc in BATCH]
    predicted = [predicted_here(tiny_server, app_id, g.text) for g in gold]
    accuracy = sum(g.intent == p.intent for g, p in zip(gold, predicted)) / len(gold)
    assert result["utterances"] == len(BATCH)
    assert result["intent_accuracy"] == pytest.approx(accuracy)
    assert result == report(gold, predicted)  # every figure, the confusion matrix and the wrong utterances
    assert {name: s["support"] for name, s in result["intents"].items() if s["support"]} == \
        {"BookFlight": 2, "GetWeather": 2, "Greeting": 2, "None": 2}


def test_report_as_text_and_html(tiny_http, app_id, version_test):
    path = f"/apps/{app_id}/versions/0.1/batchtests/{version_test['id']}"
    text = tiny_http.get(path, params={"format": "text"})
    assert text.status_code == 200 and text.headers["Content-Type"].startswith("text/plain")
    assert text.text == format_text(version_test["report"])
    assert "Intent accuracy" in text.text and "BookFlight" in text.text
    page = tiny_http.get(path, params={"format": "html"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>") and "</html>" in page.text
    assert f"Batch test {version_test['id']}" in page.text and "confusion" in page.text.lower()
    assert "<script" not in page.text and "http" not in page.text.split("<body>")[1]  # self-contained
    assert tiny_http.get(path, params={"format": "pdf"}).status_code == 400


def test_a_slot_batch_test_on_the_v2_authoring_prefix(tiny_server, app_id, version_test):
    with Http(tiny_server, tiny_server.key) as http:
        slot_path = http.url(f"/apps/{app_id}/slots/Production/batchtests", prefix=AUTHORING_V2)
        answer = run_batch_test(http, slot_path, BATCH[:3])
        assert answer["status"] == "Success" and answer["slot"] == "production" and answer["versionId"] is None
        assert answer["report"]["utterances"] == 3
        # a test is found under the version or slot it was asked for only
        assert http.get(f"/apps/{app_id}/versions/0.1/batchtests/{answer['id']}").status_code == 404
        assert http.get(f"/apps/{app_id}/slots/production/batchtests/{version_test['id']}").status_code == 404


@pytest.mark.parametrize("path", [
    "/apps/{app}/versions/0.1/batchtests/987654321",
    "/apps/{unknown}/versions/0.1/batchtests/1",
    "/apps/{app}/versions/0.1/batchtests/abc",
])
def test_unknown_batch_tests_are_404(tiny_http, app_id, path):
    response = tiny_http.get(path.format(app=app_id, unknown=uuid.uuid4()))
    assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound"


def test_untrained_versions_unpublished_slots_and_unknown_apps_are_404(tiny_http, app_id):
    assert tiny_http.post(f"/apps/{app_id}/versions/0.1/clone", json={"version": "0.2"}).status_code == 201
    for path in (f"/apps/{app_id}/versions/0.2/batchtests", f"/apps/{app_id}/versions/9.9/batchtests",
                 f"/apps/{app_id}/slots/staging/batchtests", f"/apps/{uuid.uuid4()}/versions/0.1/batchtests"):
        response = tiny_http.post(path, json=BATCH)
        assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound", path


@pytest.mark.parametrize("body", [
    {"text": "hello", "intent": "Greeting"},                                  # not an array
    [],                                                                       # empty
    [{"text": "hello"}],                                                      # no intent
    [{"intent": "Greeting"}],                                                 # no text
    [{"text": "", "intent": "Greeting"}],                                     # empty text
    [{"text": "x" * 501, "intent": "None"}],                                  # too long
    [{"text": "fly to rome", "intent": "BookFlight", "entities": [{"entity": "City", "startPos": 7, "endPos": 11}]}],
    [{"text": "fly to rome", "intent": "BookFlight", "entities": [{"entity": "City", "startPos": 9, "endPos": 8}]}],
    [{"text": "fly to rome", "intent": "BookFlight", "entities": [{"entity": "City", "startPos": "7", "endPos": 10}]}],
    [{"text": "fly to rome", "intent": "BookFlight", "entities": [{"startPos": 7, "endPos": 10}]}],
    [{"text": "hello", "intent": "Greeting"}] * 1001,                         # over LUIS's limit
])
def test_bad_bodies_are_400(tiny_http, app_id, body):
    response = tiny_http.post(f"/apps/{app_id}/versions/0.1/batchtests", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadArgument"


def test_not_json_is_400(tiny_http, app_id):
    response = tiny_http.post(f"/apps/{app_id}/versions/0.1/batchtests", data="[{",
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "BadArgument"
