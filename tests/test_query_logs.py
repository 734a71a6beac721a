"""Endpoint query logs on a live tiny-BERT server: `log=true` stores, `querylogs` returns LUIS's CSV, and the
review list of unsure predictions can be accepted (as labeled examples) or dismissed."""
import csv
import io
import json
import uuid

import pytest
import requests
from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
from msrest.authentication import CognitiveServicesCredentials

from conftest import AUTHORING_V2, Http
from tiny_app import V2, V3, trained_travel_app

ALL = {"threshold": 1, "margin": 0}  # every logged query is unsure


@pytest.fixture(scope="module")
def app_id(tiny_server):
    with Http(tiny_server, tiny_server.key) as http:
        return trained_travel_app(http)


@pytest.fixture
def predict(tiny_server, app_id):
    """predict(method, path, **requests_kwargs) with the endpoint key; `{app}` in the path is the app id."""
    def call(method: str, path: str, **kwargs):
        response = requests.request(method, tiny_server.url + path.format(app=app_id),
                                    headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key}, timeout=30,
                                    **kwargs)
        assert response.status_code == 200, response.text
        return response
    return call


def rows(http, app_id: str, prefix: str | None = None) -> list[list[str]]:
    response = http.get(http.url(f"/apps/{app_id}/querylogs", **({"prefix": prefix} if prefix else {})))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text)))


def review(http, app_id: str, **params) -> list[dict]:
    response = http.get(f"/apps/{app_id}/versions/0.1/reviewutterances", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


# --- logging and the CSV ----------------------------------------------------------------------

def test_log_true_stores_queries_and_querylogs_returns_them_as_csv(tiny_http, predict, app_id):
    texts = [unique(t) for t in ("fly to paris", "weather in oslo", "hi", "book rome", "not logged",
                                 "not logged either")]
    answers = [
        predict("POST", V3 + "/apps/{app}/slots/production/predict?log=true", json={"query": texts[0]}),
        predict("GET", V3 + "/apps/{app}/versions/0.1/predict", params={"query": texts[1], "log": "True"}),
        predict("GET", V2 + "/apps/{app}", params={"q": texts[2], "log": "true", "verbose": "true"}),
        predict("POST", V2 + "/apps/{app}?log=1", json=texts[3]),
        predict("POST", V3 + "/apps/{app}/slots/production/predict?log=false", json={"query": texts[4]}),
        predict("GET", V2 + "/apps/{app}", params={"q": texts[5]}),
    ]
    table = rows(tiny_http, app_id)
    assert table[0] == ["Query", "UTC DateTime", "Response"]
    logged = {row[0]: row for row in table[1:]}
    assert set(texts[:4]) <= set(logged) and not set(texts[4:]) & set(logged)
    for text, answer in zip(texts[:4], answers):
        query, moment, body = logged[text]
        assert json.loads(body) == answer.json()  # the response exactly as it was sent
        assert moment[2] == moment[5] == "/" and moment[10] == " " and len(moment) == 19  # MM/DD/YYYY HH:MM:SS
    assert [row[0] for row in table[1:]].index(texts[0]) < [row[0] for row in table[1:]].index(texts[3])


def test_querylogs_on_the_v2_prefix_and_through_the_sdk(tiny_server, tiny_http, predict, app_id):
    text = unique('say "cheese", please')  # quotes and commas survive the CSV
    predict("GET", V3 + "/apps/{app}/slots/production/predict", params={"query": text, "log": "true"})
    assert text in [row[0] for row in rows(tiny_http, app_id, prefix=AUTHORING_V2)]
    sdk = LUISAuthoringClient(tiny_server.url, CognitiveServicesCredentials(tiny_server.key))
    body = b"".join(sdk.apps.download_query_logs(app_id)).decode("utf-8")
    assert text in [row[0] for row in csv.reader(io.StringIO(body))]


def test_querylogs_of_a_new_app_is_the_header_only_and_unknown_apps_are_404(tiny_http):
    app_id = tiny_http.post("/apps/", json={"name": unique("empty"), "culture": "en-us"}).json()
    assert rows(tiny_http, app_id) == [["Query", "UTC DateTime", "Response"]]
    response = tiny_http.get(f"/apps/{uuid.uuid4()}/querylogs")
    assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound"


def test_each_prediction_of_a_slot_is_an_endpoint_hit_of_the_app(tiny_server, tiny_http, predict, app_id):
    sdk = LUISAuthoringClient(tiny_server.url, CognitiveServicesCredentials(tiny_server.key))
    before = sdk.apps.get(app_id).endpoint_hits_count
    predict("GET", V3 + "/apps/{app}/slots/production/predict", params={"query": "fly to rome", "log": "true"})
    predict("POST", V3 + "/apps/{app}/slots/production/predict", json={"query": "fly to oslo"})
    predict("POST", V2 + "/apps/{app}", json="fly to lima")
    predict("GET", V3 + "/apps/{app}/versions/0.1/predict", params={"query": "a test, no hit", "log": "true"})
    refused = requests.get(tiny_server.url + V3 + f"/apps/{app_id}/slots/production/predict",
                           headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key}, timeout=30)
    assert refused.status_code == 400  # no query, no hit
    assert sdk.apps.get(app_id).endpoint_hits_count == before + 3
    listed = {app["id"]: app for app in tiny_http.get("/apps/", params={"take": 500}).json()}
    assert listed[app_id]["endpointHitsCount"] == before + 3


# --- the review list --------------------------------------------------------------------------

def test_review_list_filters_by_threshold_and_margin_newest_first(tiny_http, predict, app_id):
    texts = [unique(t) for t in ("plane to lisbon", "rain tomorrow", "hey you")]
    predict("GET", V3 + "/apps/{app}/versions/0.1/predict", params={"query": texts[0], "log": "true"})
    predict("POST", V3 + "/apps/{app}/slots/production/predict?log=true", json={"query": texts[1]})  # serves 0.1
    predict("POST", V2 + "/apps/{app}?log=true", json=texts[2])
    items = [i for i in review(tiny_http, app_id, take=500, **ALL) if i["text"] in texts]
    assert [i["text"] for i in items] == texts[::-1]  # newest first
    assert [i["id"] for i in items] == sorted((i["id"] for i in items), reverse=True)
    for item in items:
        assert set(item) >= {"id", "text", "predictedIntent", "score", "entities"}
        assert 0 <= item["secondScore"] <= item["score"] <= 1

    assert review(tiny_http, app_id, threshold=0, margin=0) == []
    cut = sorted(i["score"] for i in items)[1]  # between the lowest score and the others
    below = [i["text"] for i in review(tiny_http, app_id, take=500, threshold=cut, margin=0) if i["text"] in texts]
    assert below == [i["text"] for i in items if i["score"] < cut] and below
    close = [i["text"] for i in review(tiny_http, app_id, take=500, threshold=0, margin=1) if i["text"] in texts]
    assert close == texts[::-1]  # the top two intents are always within 1
    assert len(review(tiny_http, app_id, skip=1, take=1, **ALL)) == 1


def test_review_list_shows_a_text_once_and_leaves_out_labeled_examples(tiny_http, predict, app_id):
    text = unique("Twice Logged")
    for query in (text, text.lower(), "hi there"):  # "hi there" is a labeled example
        predict("POST", V3 + "/apps/{app}/versions/0.1/predict?log=true", json={"query": query})
    items = review(tiny_http, app_id, take=500, **ALL)
    assert [i["text"] for i in items if i["text"].lower() == text.lower()] == [text.lower()]  # the latest
    assert "hi there" not in [i["text"] for i in items]


def test_review_list_errors(tiny_http, app_id):
    assert tiny_http.get(f"/apps/{app_id}/versions/9.9/reviewutterances").status_code == 404
    for params in ({"threshold": "high"}, {"threshold": 2}, {"margin": -1}, {"take": 501}):
        response = tiny_http.get(f"/apps/{app_id}/versions/0.1/reviewutterances", params=params)
        assert response.status_code == 400 and response.json()["error"]["code"] == "BadArgument"


def logged(tiny_http, predict, app_id, text: str) -> dict:
    """Log `text` against version 0.1; its review-list item."""
    predict("GET", V3 + "/apps/{app}/versions/0.1/predict", params={"query": text, "log": "true"})
    return next(i for i in review(tiny_http, app_id, take=500, **ALL) if i["text"] == text)


def examples(tiny_http, app_id: str) -> dict:
    return {e["text"]: e for e in tiny_http.get(f"/apps/{app_id}/versions/0.1/examples?take=500").json()}


def test_accept_with_a_correction_adds_a_labeled_example(tiny_http, predict, app_id):
    text = unique("a flight to cairo")
    item = logged(tiny_http, predict, app_id, text)
    start = text.index("cairo")
    response = tiny_http.post(f"/apps/{app_id}/versions/0.1/reviewutterances/{item['id']}/accept", json={
        "intentName": "BookFlight",
        "entityLabels": [{"entityName": "City", "startCharIndex": start, "endCharIndex": start + 4}]})
    assert response.status_code == 201, response.text
    assert response.json()["UtteranceText"] == text
    example = examples(tiny_http, app_id)[text]
    assert example["intentLabel"] == "BookFlight"
    assert [(e["entityName"], e["startTokenIndex"], e["endTokenIndex"]) for e in example["entityLabels"]] == \
        [("City", 3, 3)]
    assert tiny_http.get(f"/apps/{app_id}/versions/0.1").json()["trainingStatus"] == "NeedsTraining"
    assert text not in [i["text"] for i in review(tiny_http, app_id, take=500, **ALL)]
    again = tiny_http.post(f"/apps/{app_id}/versions/0.1/reviewutterances/{item['id']}/accept")
    assert again.status_code == 404


def test_accept_without_a_body_keeps_the_prediction(tiny_http, predict, app_id):
    item = logged(tiny_http, predict, app_id, unique("good evening"))
    response = tiny_http.post(f"/apps/{app_id}/versions/0.1/reviewutterances/{item['id']}/accept")
    assert response.status_code == 201, response.text
    assert examples(tiny_http, app_id)[item["text"]]["intentLabel"] == item["predictedIntent"]


def test_accept_errors(tiny_http, predict, app_id):
    item = logged(tiny_http, predict, app_id, unique("what now"))
    accept = f"/apps/{app_id}/versions/0.1/reviewutterances/{item['id']}/accept"
    for body in ({"intentName": "NoSuchIntent"}, {"entityLabels": [{"entityName": "Nope", "startCharIndex": 0,
                                                                     "endCharIndex": 3}]}, ["BookFlight"]):
        response = tiny_http.post(accept, json=body)
        assert response.status_code == 400 and response.json()["error"]["code"] == "BadArgument", body
    assert item["text"] in [i["text"] for i in review(tiny_http, app_id, take=500, **ALL)]  # still there
    assert tiny_http.post(f"/apps/{app_id}/versions/0.1/reviewutterances/999999999/accept").status_code == 404


def test_dismiss_by_id_and_by_text(tiny_http, predict, app_id):
    first = logged(tiny_http, predict, app_id, unique("dismiss me"))
    response = tiny_http.delete(f"/apps/{app_id}/versions/0.1/reviewutterances/{first['id']}")
    assert response.status_code == 200 and response.json()["code"] == "Success"
    assert tiny_http.delete(f"/apps/{app_id}/versions/0.1/reviewutterances/{first['id']}").status_code == 404

    second = logged(tiny_http, predict, app_id, unique("Dismiss Me Too"))
    response = tiny_http.delete(f"/apps/{app_id}/versions/0.1/suggest", json=second["text"].upper())
    assert response.status_code == 200 and response.json()["code"] == "Success"
    remaining = [i["text"] for i in review(tiny_http, app_id, take=500, **ALL)]
    assert first["text"] not in remaining and second["text"] not in remaining
    assert first["text"] not in examples(tiny_http, app_id)
    assert tiny_http.delete(f"/apps/{app_id}/versions/0.1/suggest", json={"text": "x"}).status_code == 400
    # dismissed queries stay in the query log
    assert {first["text"], second["text"]} <= {row[0] for row in rows(tiny_http, app_id)}
