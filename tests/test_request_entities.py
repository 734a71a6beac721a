"""v3.0 POST `dynamicLists` and `externalEntities`: sublists and spans a request adds for its own prediction.

The app (tiny model) has a list entity, Airline, whose matches are deterministic; what the request adds is
checked through the official runtime SDK (which Bot Framework's V3 recognizer also sends) and plain HTTP.
"""
import uuid

import pytest
import requests
from azure.cognitiveservices.language.luis.runtime import LUISRuntimeClient
from azure.cognitiveservices.language.luis.runtime.models import DynamicList, ExternalEntity, PredictionRequest, \
    RequestList
from msrest.authentication import CognitiveServicesCredentials

from conftest import Http
from tiny_app import EXAMPLES, INTENTS, train

AIRLINE = {"name": "Airline", "subLists": [{"canonicalForm": "British Airways", "list": ["ba"]}]}
QUERY = "book british airways or af to paris"


@pytest.fixture(scope="module")
def app_id(tiny_server):
    http = Http(tiny_server, tiny_server.key)
    utterances = [{"text": text, "intent": intent, "entities": [
        {"entity": "City", "startPos": text.index(city), "endPos": text.index(city) + len(city) - 1}] if city else []}
        for text, intent, city in EXAMPLES]
    app = {"luis_schema_version": "7.0.0", "name": f"airlines-{uuid.uuid4().hex[:8]}", "versionId": "0.1",
           "culture": "en-us", "intents": [{"name": n} for n in INTENTS + ["None"]], "entities": [{"name": "City"}],
           "closedLists": [AIRLINE], "utterances": utterances}
    response = http.post("/apps/import", json=app)
    assert response.status_code == 201, response.text
    train(http, response.json())
    assert http.post(f"/apps/{response.json()}/publish", json={"versionId": "0.1"}).status_code == 201
    return response.json()


@pytest.fixture(scope="module")
def runtime(tiny_server):
    return LUISRuntimeClient(tiny_server.url, CognitiveServicesCredentials(tiny_server.endpoint_key))


def _predict(tiny_server, app_id, body):
    return requests.post(f"{tiny_server.url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict",
                         params={"verbose": "true"}, json=body, timeout=30,
                         headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key})


def test_a_dynamic_list_adds_sublists_for_one_request(runtime, app_id):
    dynamic = DynamicList(list_entity_name="airline",
                          request_lists=[RequestList(canonical_form="Air France", synonyms=["af"])])
    entities = runtime.prediction.get_slot_prediction(
        app_id, "production", PredictionRequest(query=QUERY, dynamic_lists=[dynamic]), verbose=True).prediction.entities
    assert entities["Airline"] == [["British Airways"], ["Air France"]]
    assert [(i["text"], i["startIndex"]) for i in entities["$instance"]["Airline"]] == \
        [("british airways", 5), ("af", 24)]
    plain = runtime.prediction.get_slot_prediction(app_id, "production", PredictionRequest(query=QUERY)).prediction
    assert plain.entities["Airline"] == [["British Airways"]]  # the request's sublist was for that request only


def test_external_entities_are_answered_as_given(runtime, app_id):
    external = ExternalEntity(entity_name="City", start_index=QUERY.index("paris"), entity_length=5,
                              resolution={"iata": "CDG"}, score=0.9)
    entities = runtime.prediction.get_slot_prediction(
        app_id, "production", PredictionRequest(query=QUERY, external_entities=[external]),
        verbose=True).prediction.entities
    assert entities["City"] == [{"iata": "CDG"}]
    instance = entities["$instance"]["City"][0]
    assert (instance["text"], instance["startIndex"], instance["length"], instance["score"]) == \
        ("paris", QUERY.index("paris"), 5, 0.9)
    assert instance["recognitionSources"] == ["externalEntities"] and instance["modelTypeId"] == 1


@pytest.mark.parametrize("prefer, value", [(True, [{"code": "BA"}]), (False, [["British Airways"]])])
def test_prefer_external_entities_decides_between_an_external_and_the_apps_span(tiny_server, app_id, prefer, value):
    body = {"query": QUERY, "options": {"preferExternalEntities": prefer},
            "externalEntities": [{"entityName": "Airline", "startIndex": 5, "entityLength": 15,
                                  "resolution": {"code": "BA"}}]}
    response = _predict(tiny_server, app_id, body)
    assert response.status_code == 200, response.text
    entities = response.json()["prediction"]["entities"]
    assert entities["Airline"] == value
    assert entities["$instance"]["Airline"][0]["modelTypeId"] == 5  # a list entity's span, whoever found it


@pytest.mark.parametrize("extra, message", [
    ({"dynamicLists": [{"listEntityName": "Nope", "requestLists": [{"canonicalForm": "x"}]}]}, "no list entity"),
    ({"dynamicLists": [{"listEntityName": "City", "requestLists": [{"canonicalForm": "x"}]}]}, "no list entity"),
    ({"dynamicLists": [{"listEntityName": "Airline"}]}, "requestLists"),
    ({"externalEntities": [{"entityName": "Nope", "startIndex": 0, "entityLength": 4}]}, "no entity"),
    ({"externalEntities": [{"entityName": "City", "startIndex": 30, "entityLength": 10}]}, "past the end"),
    ({"externalEntities": [{"entityName": "City", "startIndex": "a", "entityLength": 1}]}, "startIndex"),
])
def test_bad_request_entities_are_400(tiny_server, app_id, extra, message):
    response = _predict(tiny_server, app_id, {"query": QUERY} | extra)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]["message"]
