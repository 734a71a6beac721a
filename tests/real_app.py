"""A travel and music app trained on the REAL packaged encoder (MiniLM-L6) by the `server` worker and published.

Trained once per session (about a minute on two cores) by the `real_app` fixture (conftest.py), for every test
that needs a model that learned: test_end_to_end.py (held-out intents) and test_prediction.py (spans known in
advance). City (flights and weather) and Artist (music) are machine-learned entities.
"""
import time
import uuid

import pytest
from azure.cognitiveservices.language.luis.authoring.models import EntityLabelObject, ExampleLabelObject

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


def _example(intent: str, text: str, value: str | None) -> ExampleLabelObject:
    labels = []
    if value:
        start = text.index(value)
        labels.append(EntityLabelObject(entity_name=ENTITY[intent], start_char_index=start,
                                        end_char_index=start + len(value) - 1))
    return ExampleLabelObject(text=text, intent_name=intent, entity_labels=labels)


def trained_and_published(authoring) -> str:
    """The id of a new app authored with the SDK from TRAIN, trained and published to production."""
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
    else:
        pytest.fail("the real-encoder training did not finish within 600 s")
    assert {s.details.status for s in statuses} == {"Success"}, [s.details.failure_reason for s in statuses]
    print(f"\nreal-encoder training of {len(examples)} utterances: {time.monotonic() - started:.1f} s")
    authoring.apps.publish(app_id, version_id="0.1", is_staging=False)
    return app_id
