"""End to end with the REAL packaged encoder (MiniLM-L6): author with the SDK, train, publish, predict held-out
utterances through the official runtime SDK and through a v2.0 POST whose body is a bare JSON string.

One training of a ~45-utterance app: about a minute on two cores. The assertions leave room for a miss or two
but fail when the model learned nothing, or when offsets or the response shapes are wrong.
"""
import json
import time
import uuid

import pytest
import requests
from azure.cognitiveservices.language.luis.authoring.models import EntityLabelObject, ExampleLabelObject
from azure.cognitiveservices.language.luis.runtime import LUISRuntimeClient
from msrest.authentication import CognitiveServicesCredentials

TRAIN = {  # intent -> [(utterance, entity value or None)]; City for flights and weather, Artist for music
    "BookFlight": [("book a flight to paris", "paris"), ("i need a plane ticket to berlin", "berlin"),
                   ("fly me to rome tomorrow", "rome"), ("get me a flight to new york please", "new york"),
                   ("i want to fly to tokyo", "tokyo"), ("reserve a seat on a flight to madrid", "madrid"),
                   ("book me on the next plane to london", "london"),
                   ("find flights to san francisco", "san francisco"), ("can you book a flight to dublin", "dublin"),
                   ("i would like to fly to vienna on friday", "vienna")],
    "GetWeather": [("what is the weather in paris", "paris"), ("will it rain in seattle today", "seattle"),
                   ("how hot is it in cairo", "cairo"), ("weather forecast for boston", "boston"),
                   ("is it sunny in barcelona", "barcelona"), ("tell me the weather in oslo", "oslo"),
                   ("how cold will it be in moscow tomorrow", "moscow"), ("what's the temperature in lisbon", "lisbon"),
                   ("is it going to snow in denver", "denver"), ("do i need an umbrella in prague", "prague")],
    "PlayMusic": [("play something by adele", "adele"), ("put on the beatles", "the beatles"),
                  ("i want to hear miles davis", "miles davis"), ("play songs by queen", "queen"),
                  ("start playing taylor swift", "taylor swift"), ("play music from bob marley", "bob marley"),
                  ("let me listen to nina simone", "nina simone"), ("play radiohead please", "radiohead"),
                  ("can you play some elvis presley", "elvis presley"),
                  ("shuffle songs by david bowie", "david bowie")],
    "Greeting": [("hello", None), ("hi there", None), ("good morning", None), ("hey", None),
                 ("hello how are you", None), ("hi", None), ("good evening", None), ("greetings", None),
                 ("hey how is it going", None), ("morning to you", None)],
    "None": [("what is the capital of peru", None), ("my cat is sleeping", None), ("the sky is blue", None),
             ("i like turtles", None), ("how many legs does a spider have", None)],
}
ENTITY = {"BookFlight": "City", "GetWeather": "City", "PlayMusic": "Artist"}
HELD_OUT = [("please book me a flight to amsterdam", "BookFlight", "City", "amsterdam"),
            ("what will the weather be like in chicago", "GetWeather", "City", "chicago"),
            ("play some songs by coldplay", "PlayMusic", "Artist", "coldplay"),
            ("hey there good afternoon", "Greeting", None, None)]


def _example(intent: str, text: str, value: str | None) -> ExampleLabelObject:
    labels = []
    if value:
        start = text.index(value)
        labels.append(EntityLabelObject(entity_name=ENTITY[intent], start_char_index=start,
                                        end_char_index=start + len(value) - 1))
    return ExampleLabelObject(text=text, intent_name=intent, entity_labels=labels)


@pytest.fixture(scope="module")
def published(server, authoring):
    """An app trained by the worker on the packaged encoder and published to production."""
    app_id = authoring.apps.add({"name": f"e2e-{uuid.uuid4().hex[:8]}", "culture": "en-us",
                                 "initial_version_id": "0.1"})
    for intent in TRAIN:
        if intent != "None":
            authoring.model.add_intent(app_id, "0.1", name=intent)
    for entity in ("City", "Artist"):
        authoring.model.add_entity(app_id, "0.1", name=entity)
    examples = [_example(intent, text, value) for intent, rows in TRAIN.items() for text, value in rows]
    assert not any(r.has_error for r in authoring.examples.batch(app_id, "0.1", examples))
    assert authoring.train.train_version(app_id, "0.1").status == "Queued"
    started, deadline = time.monotonic(), time.monotonic() + 600
    while time.monotonic() < deadline:
        statuses = authoring.train.get_status(app_id, "0.1")
        if statuses and all(s.details.status not in ("Queued", "InProgress") for s in statuses):
            break
        time.sleep(1)
    assert {s.details.status for s in statuses} == {"Success"}, [s.details.failure_reason for s in statuses]
    print(f"\nreal-encoder training of {len(examples)} utterances: {time.monotonic() - started:.1f} s")
    authoring.apps.publish(app_id, version_id="0.1", is_staging=False)
    return app_id


def test_held_out_utterances_through_the_runtime_sdk(server, published):
    runtime = LUISRuntimeClient(server.url, CognitiveServicesCredentials(server.endpoint_key))
    right_intents, right_spans, report = 0, 0, []
    for query, intent, entity, value in HELD_OUT:
        result = runtime.prediction.get_slot_prediction(published, "Production", {"query": query},
                                                       verbose=True, show_all_intents=True)
        prediction = result.prediction
        assert result.query == query and len(prediction.intents) == 5
        right_intents += prediction.top_intent == intent
        instances = prediction.entities.get("$instance", {})
        for items in instances.values():
            for item in items:
                assert query[item["startIndex"]:item["startIndex"] + item["length"]] == item["text"]
        if entity:
            start = query.index(value)
            right_spans += any((i["startIndex"], i["length"], i["text"]) == (start, len(value), value)
                               for i in instances.get(entity, []))
        report.append((query, prediction.top_intent,
                       {k: v for k, v in prediction.entities.items() if k != "$instance"}))
    assert right_intents >= 3, report
    assert right_spans >= 1, report


def test_held_out_utterances_through_a_v2_post(server, published):
    right_intents, right_spans, report = 0, 0, []
    for query, intent, entity, value in HELD_OUT:
        response = requests.post(f"{server.url}/luis/v2.0/apps/{published}", params={"verbose": "true"},
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
