"""End to end with the packaged MiniLM encoder: train a small app, then check held-out intents and entity offsets.

Not skippable: this is the one test that proves the real recipe learns (about a minute on 2 cores).
"""
import pytest

from luislite.nlu.fit import Recipe, train
from luislite.nlu.recognizer import Recognizer

from brace_markup import TRAVEL, make_app, parse, travel_entities

HELD_OUT = {
    "BookFlight": ["please book a flight from {City:origin=Amsterdam} to  {City:destination=Barcelona}",
                   "fly me from {City:origin=chicago} to {City:destination=miami}!"],
    "OrderPizza": ["i'd like {Order={Quantity=two} {Size=small} pizzas with {Topping=cheese}}"],
    "GetWeather": ["what's the weather like in {City=Cairo}?"],
    "PlayMusic": ["play something by {Artist=coldplay}"],
    "Greeting": ["good afternoon"],
}


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "travel"
    stats = train(make_app(TRAVEL, travel_entities()), out)  # the full recipe (a worker's refinement)
    assert stats["steps"] == Recipe().min_steps and not stats["quick"]
    return Recognizer.load(out)


def test_held_out_intents_and_entity_offsets(recognizer):
    expected = found = 0
    for intent, lines in HELD_OUT.items():
        for line in lines:
            text, labels = parse(line)
            prediction = recognizer.predict(text)
            assert prediction.top_intent == intent, text
            assert prediction.intents[intent] > 0.5
            gold = {(l.entity, l.role, l.start, l.end, tuple(sorted(_spans_of(l.children)))) for l in labels}
            predicted = {(e.entity, e.role, e.start, e.end, tuple(sorted(_spans_of(e.children)))) for e in
                         prediction.entities}
            expected, found = expected + len(gold), found + len(gold & predicted)
    assert found >= expected - 1


def _spans_of(items):
    return [(i.entity, i.start, i.end) for i in items]


def test_offsets_point_into_the_original_text(recognizer):
    text = "  Fly from   Chicago to MIAMI, please "
    entities = recognizer.predict(text).entities
    found = {text[e.start:e.end] for e in entities}
    assert "Chicago" in found and found <= {"Chicago", "MIAMI"}
