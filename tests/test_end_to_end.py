"""End to end with the REAL packaged encoder (MiniLM-L6): author with the SDK, train, publish, predict held-out
utterances through the official runtime SDK and through a v2.0 POST whose body is a bare JSON string.

The app is tests/real_app.py's, trained once per session. The assertions leave room for a miss or two but fail
when the model learned nothing, or when offsets or the response shapes are wrong.
"""
import json

import requests
from azure.cognitiveservices.language.luis.runtime import LUISRuntimeClient
from msrest.authentication import CognitiveServicesCredentials

from real_app import TRAIN

HELD_OUT = [("please book me a flight to amsterdam", "BookFlight", "City", "amsterdam"),
            ("what will the weather be like in chicago", "GetWeather", "City", "chicago"),
            ("play some songs by coldplay", "PlayMusic", "Artist", "coldplay"),
            ("hey there good afternoon", "Greeting", None, None)]


def test_held_out_utterances_through_the_runtime_sdk(server, real_app):
    runtime = LUISRuntimeClient(server.url, CognitiveServicesCredentials(server.endpoint_key))
    right_intents, right_spans, report = 0, 0, []
    for query, intent, entity, value in HELD_OUT:
        result = runtime.prediction.get_slot_prediction(real_app, "Production", {"query": query},
                                                       verbose=True, show_all_intents=True)
        prediction = result.prediction
        assert result.query == query and len(prediction.intents) == len(TRAIN)
        right_intents += prediction.top_intent == intent
        instances = prediction.entities.get("$instance", {})
        for items in instances.values():
            for item in items:
                assert query[item["startIndex"]:item["startIndex"] + item["length"]] == item["text"]
        if entity:
            start = query.index(value)
            right_spans += any((i["startIndex"], i["length"], i["text"]) == (start, len(value), value)
                               for i in instances.get(entity, []))
        entities = {k: v for k, v in prediction.entities.items() if k != "$instance"}
        report.append((query, prediction.top_intent, entities))
    assert right_intents >= 3, report
    assert right_spans >= 1, report


def test_held_out_utterances_through_a_v2_post(server, real_app):
    right_intents, right_spans, report = 0, 0, []
    for query, intent, entity, value in HELD_OUT:
        response = requests.post(f"{server.url}/luis/v2.0/apps/{real_app}", params={"verbose": "true"},
                                 data=json.dumps(query), timeout=30,
                                 headers={"Content-Type": "application/json; charset=utf-8",
                                          "Ocp-Apim-Subscription-Key": server.endpoint_key})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["query"] == query and body["intents"][0] == body["topScoringIntent"]
        right_intents += body["topScoringIntent"]["intent"] == intent
        for found in body["entities"]:
            assert found["entity"] == query[found["startIndex"]:found["endIndex"] + 1].lower()
        if entity:
            start = query.index(value)
            right_spans += any((e["type"], e["startIndex"], e["endIndex"]) == (entity, start, start + len(value) - 1)
                               for e in body["entities"])
        report.append((query, body["topScoringIntent"], body["entities"]))
    assert right_intents >= 3, report
    assert right_spans >= 1, report
