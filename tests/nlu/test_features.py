"""Phrase lists as features: the channels, where they apply, what they teach the model, and required phrase lists."""
import json
import random
from dataclasses import replace

import numpy as np
import pytest

from luislite.domain.appversion import Child, Feature, Intent, MLEntity, PhraseList
from luislite.nlu.features import PhraseLists
from luislite.nlu.fit import Example, Recipe, swap_phrases, train
from luislite.nlu.prediction import EntitySpan
from luislite.nlu.recognizer import Recognizer, merge
from luislite.nlu.rules import Rules
from luislite.nlu.tags import TagSet
from luislite.domain.tokens import tokenize

from brace_markup import assert_served_agrees, make_app

FRUITS = PhraseList("Fruits", ["apple", "banana", "cherry", "grape", "mango", "papaya", "kiwi", "passion fruit"])
SEEN, UNSEEN = ["apple", "banana", "cherry", "grape"], ["mango", "papaya", "kiwi"]
FILLER = ["now", "please", "today", "help", "it", "more", "that", "this"]


def fruit_app(phraselists=(FRUITS,)):
    """Ordering fruit: which word is a Fruit only its identity says (non-fruits take the same places)."""
    orders = [f"i want {{Fruit={fruit}}} {filler}" for fruit in SEEN for filler in FILLER[:4]]
    orders += [f"{filler} i want {{Fruit={fruit}}}" for fruit in SEEN for filler in FILLER[4:]]
    others = [f"i want {word} {filler}" for word in FILLER[:4] for filler in FILLER[4:]]
    version = make_app({"Order": orders, "None": others}, [MLEntity("Fruit")])
    version.phraselists = list(phraselists)
    return version


def test_channels_mark_where_a_match_begins_and_continues():
    phrases = PhraseLists.from_version(fruit_app())
    features = phrases.features(["an", "Apple", "and", "PASSION", "fruit"])
    assert features.tolist() == [[0, 0], [1, 0], [0, 0], [1, 0], [0, 1]]


def test_lists_apply_to_the_models_they_are_features_of():
    scoped = replace(FRUITS, enabled_for_all_models=False)
    unused, inactive = PhraseList("Unused", ["x"], enabled_for_all_models=False), PhraseList("Off", ["y"], active=False)
    version = fruit_app([scoped, PhraseList("Global", ["z"]), unused, inactive])
    version.entities = [MLEntity("Fruit", children=[Child("Kind", features=[Feature("Fruits")])])]
    version.intents.append(Intent("Ask", features=[Feature("Fruits")]))
    phrases = PhraseLists.from_version(version)
    assert [p["name"] for p in phrases.lists] == ["Fruits", "Global"]
    intents = ["None", "Order", "Ask"]
    assert phrases.intent_mask(version, intents).tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 1]]
    entity, child = phrases.slot_masks(version, TagSet.from_version(version))
    assert entity.tolist() == [[0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]  # O, B-Fruit, I-Fruit
    assert child.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1]]  # O, B-Fruit/Kind, I-Fruit/Kind


def test_interchangeable_phrases_swap_whole_values_and_words_outside_entities():
    phrases = PhraseLists([{"name": "Fruits", "phrases": ["passion fruit", "kiwi"], "global": True,
                            "interchangeable": True}])
    swaps = [phrases.alternatives(0)]
    assert swaps == [[["passion", "fruit"], ["kiwi"]]]
    tagged = Example(["kiwi", "and", "passion", "fruit"], 0, [[1, 0, 1, 2]], [True] * 4)
    swapped = swap_phrases(tagged, phrases, [[["passion", "fruit"]]], random.Random(0), 1.0)
    assert (swapped.words, swapped.tags) == (["passion", "fruit", "and", "passion", "fruit"], [[1, 2, 0, 1, 2]])
    outside = Example(["kiwi", "please"], 0, [[0, 0]], [True] * 2)
    assert swap_phrases(outside, phrases, [[["passion", "fruit"]]], random.Random(0), 1.0).tags == [[0, 0, 0]]
    cut = Example(["passion", "fruit", "tea"], 0, [[1, 2, 2]], [True] * 3)  # the match is part of a longer value: kept
    assert swap_phrases(cut, phrases, swaps, random.Random(0), 1.0) == cut
    related = PhraseLists([{"name": "Fruits", "phrases": ["kiwi"], "global": True, "interchangeable": False}])
    assert related.alternatives(0) == []


@pytest.fixture(scope="module")
def fruit_models(tiny_model, tmp_path_factory):
    recipe = Recipe(adapter_lr=1e-2, head_lr=1e-1, min_steps=120)
    out = {}
    for name, lists in {"with": (FRUITS,), "without": ()}.items():
        out[name] = tmp_path_factory.mktemp("fruit") / name
        train(fruit_app(lists), out[name], tiny_model, recipe=recipe)
    return out


def _fruits_found(artifact) -> int:
    recognizer = Recognizer.load(artifact)
    found = 0
    for fruit in UNSEEN:
        text = f"i want {fruit} now"
        found += [(e.entity, text[e.start:e.end]) for e in recognizer.predict(text).entities] == [("Fruit", fruit)]
    return found


def test_a_phrase_list_teaches_the_words_no_example_has(fruit_models):
    assert _fruits_found(fruit_models["with"]) == len(UNSEEN)
    assert _fruits_found(fruit_models["without"]) < len(UNSEEN)


def test_served_network_with_features_agrees_with_torch(fruit_models):
    artifact = fruit_models["with"]
    assert json.loads((artifact / "labels.json").read_text())["phraselists"][0]["name"] == "Fruits"
    features = np.zeros((1, 9, 2), dtype=np.float32)
    features[0, 3, 0] = 1
    assert_served_agrees(artifact, features)


def test_a_required_phrase_list_suppresses_spans_without_a_match():
    version = fruit_app()
    version.entities = [MLEntity("Fruit", features=[Feature("Fruits", is_required=True)])]
    rules = Rules(version)
    text = "i want mango and rocks"
    lists, tokens = PhraseLists.from_version(version), tokenize(text)
    phrases = lists.spans(tokens, lists.find([t.text for t in tokens]))
    learned = [EntitySpan("Fruit", 7, 12, 0.9), EntitySpan("Fruit", 17, 22, 0.9)]
    assert [text[s.start:s.end] for s in merge(learned, [], None, rules, phrases)] == ["mango"]

