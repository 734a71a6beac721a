"""Training with a tiny random BERT: the fit itself, determinism, the artifact, ONNX agreement, edge-case apps."""
import json
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from luislite.domain.appversion import AppVersion, Child, MLEntity
from luislite.errors import AppVersionError
from luislite.nlu.fit import Example, Recipe, name_words, swap_values, train, value_pool
from luislite.nlu.prediction import EntitySpan
from luislite.nlu.recognizer import Recognizer
from luislite.nlu.tags import Slot

from brace_markup import TRAVEL, assert_served_agrees, make_app, parse, travel_entities

LUIS_APPS = Path(__file__).resolve().parents[1] / "fixtures" / "luis-apps"
FAST = Recipe(adapter_lr=1e-2, head_lr=1e-1, min_steps=20, min_epochs=1)


@pytest.fixture(scope="module")
def travel(tiny_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("artifacts") / "travel"
    seen = []
    stats = train(make_app(TRAVEL, travel_entities()), out, tiny_model, seen.append,
                  recipe=Recipe(adapter_lr=1e-2, head_lr=1e-1, min_steps=400), threads=1)
    return out, stats, seen


def test_small_app_fits_its_training_data(travel):
    out, stats, seen = travel
    assert stats["steps"] == 400 and stats["examples"] == 44 and stats["seconds"] > 0 and stats["threads"] == 1
    assert seen[-1]["step"] == 400 and {"step", "steps", "loss", "epoch"} <= set(seen[0])
    assert stats["fit"]["intent_accuracy"] >= 0.9 and not stats["fit"]["collapsed"] and "retried" not in stats
    assert stats["fit"]["slot_f1"] >= 0.9 and not stats["fit"]["underfit"]
    recognizer = Recognizer.load(out)
    right_intents = right_entities = total_entities = 0
    for intent, lines in TRAVEL.items():
        for line in lines:
            text, labels = parse(line)
            prediction = recognizer.predict(text)
            right_intents += prediction.top_intent == intent
            found = {(e.entity, e.role, e.start, e.end) for e in prediction.entities}
            total_entities += len(labels)
            right_entities += len(found & {(l.entity, l.role, l.start, l.end) for l in labels})
    assert right_intents / 44 >= 0.9
    assert right_entities / total_entities >= 0.8


def test_artifact_files_and_labels(travel):
    out, _, _ = travel
    assert {p.name for p in out.iterdir()} == {"adapters.safetensors", "labels.json", "rules.json"}
    labels = json.loads((out / "labels.json").read_text())
    assert labels["intents"][0] == "None" and len(labels["intents"]) == 6
    assert [s["path"] for s in labels["tags"]["layers"][1]] == \
        [["Order", "Quantity"], ["Order", "Size"], ["Order", "Topping"]]
    assert labels["tags"]["pairs"] == [[], [[0, 1]]]  # only a Quantity ever directly followed by a Size
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_a_small_app_scores_intents_with_its_prototypes_too(travel, tiny_model):
    """Intent scores add the cosine of the pretrained encoder's sentence vector (the shared graph fed no adapters)
    with each intent's prototype, times their weight, to the head's logits."""
    import torch

    from luislite.nlu.encoder import load_encoder

    out, _, _ = travel
    prototypes = load_file(out / "adapters.safetensors")["intent.prototypes"]
    assert prototypes.shape == (6, 32)  # intents x the tiny encoder's hidden size
    np.testing.assert_allclose(np.linalg.norm(prototypes, axis=1), Recipe().prototype_weight, rtol=1e-4)
    recognizer = Recognizer.load(out)
    text = "book a flight from paris to london"
    _, encoding = recognizer.encode(text)
    ids = np.array([encoding.input_ids], dtype=np.int64)
    inputs = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    encoder, _ = load_encoder(tiny_model)
    with torch.no_grad():
        sentence = encoder(input_ids=torch.from_numpy(ids)).last_hidden_state.mean(1)
    expected = torch.nn.functional.normalize(sentence, dim=-1).numpy() @ prototypes.T
    scores = recognizer.network.prototype_scores(inputs)
    np.testing.assert_allclose(scores, expected, atol=0.05 * Recipe().prototype_weight)  # int8's error
    unsure, sure = np.zeros(6), np.array([10.0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(recognizer.intent_logits(unsure, inputs), scores[0])
    assert recognizer.intent_logits(sure, inputs) is sure  # a head sure of its answer (>= 0.99) is not second-guessed
    logits = recognizer.intent_logits(recognizer.network(inputs)[0][0], inputs)
    probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    served = recognizer.predict(text).intents
    np.testing.assert_allclose([served[name] for name in recognizer.intents], probabilities, rtol=1e-4)


@pytest.mark.parametrize("recipe", [Recipe(prototype_weight=0), Recipe(prototypes_below=4)])
def test_apps_without_prototypes_score_intents_by_the_head(tiny_model, tmp_path, recipe):
    version = make_app({"Greet": ["hello", "hi"], "Bye": ["bye", "see you"]})
    train(version, tmp_path / "m", tiny_model, recipe=replace(recipe, min_steps=20, min_epochs=1))
    assert "intent.prototypes" not in load_file(tmp_path / "m" / "adapters.safetensors")
    recognizer = Recognizer.load(tmp_path / "m")
    assert recognizer.network.prototype_scores({}) == 0.0


@pytest.mark.parametrize("scale", [3.0, 0.0])
def test_slot_heads_start_at_the_vectors_of_their_entities_names(tiny_model, tmp_path, scale):
    """Each slot's B- and I- rows start at `name_prior` times the pretrained encoder's normalised mean vector of its
    name's words ("City:origin" is "city origin"); with the heads' learning rate at 0 the artifact keeps them.
    With `name_prior` 0, the default, they start at random."""
    import torch

    from luislite.nlu.encoder import load_encoder

    train(make_app(TRAVEL, travel_entities()), tmp_path, tiny_model,
          recipe=Recipe(head_lr=0.0, min_steps=2, min_epochs=1, name_prior=scale))
    heads = load_file(tmp_path / "adapters.safetensors")
    encoder, tokenizer = load_encoder(tiny_model)
    layers = json.loads((tmp_path / "labels.json").read_text())["tags"]["layers"]
    assert [name_words(Slot(tuple(s["path"]), s["role"])) for s in layers[0][:3]] == \
        [["city"], ["city", "origin"], ["city", "destination"]]
    for depth, layer in enumerate(layers):
        rows = heads[f"slots.{depth}.weight"]
        for i, slot in enumerate(layer):
            words = name_words(Slot(tuple(slot["path"]), slot["role"]))
            ids = torch.tensor([tokenizer.encode(words, is_pretokenized=True).ids])
            with torch.no_grad():
                name = torch.nn.functional.normalize(encoder(input_ids=ids).last_hidden_state.mean(1)[0], dim=0)
            for row in rows[2 * i + 1], rows[2 * i + 2]:
                if scale:
                    np.testing.assert_allclose(row, scale * name.numpy(), atol=1e-5)
                else:
                    assert abs(row @ name.numpy()) / np.linalg.norm(row) < 0.9


def test_prediction_threads_are_given_to_onnxruntime(travel):
    for threads in (1, 2):
        session = Recognizer.load(travel[0], threads=threads).network.encoder.session
        assert session.get_session_options().intra_op_num_threads == threads


def test_served_network_agrees_with_torch(travel):
    out, _, _ = travel
    assert_served_agrees(out)


def test_same_seed_same_weights(tiny_model, tmp_path):
    version = make_app(TRAVEL, travel_entities())
    train(version, tmp_path / "a", tiny_model, recipe=FAST)
    train(version, tmp_path / "b", tiny_model, recipe=FAST)
    train(version, tmp_path / "c", tiny_model, recipe=FAST, seed=14)
    a, b, c = (load_file(tmp_path / name / "adapters.safetensors") for name in "abc")
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not all(np.array_equal(a[k], c[k]) for k in a)


def test_a_collapsed_training_is_trained_again_gentler(tiny_model, tmp_path):
    """A model that learned nothing of the intents (here: learning rates far too high) is trained once more, with
    the next seed and half the learning rates, and the better of the two kept; not a quick model."""
    wild = Recipe(adapter_lr=30.0, head_lr=300.0, min_steps=20, min_epochs=1)
    seen = []
    stats = train(make_app(TRAVEL, travel_entities()), tmp_path, tiny_model, seen.append, recipe=wild)
    assert stats["retried"]["collapsed"] and [p["step"] for p in seen] == [10, 20, 10, 20]
    labels = json.loads((tmp_path / "labels.json").read_text())
    assert (labels["seed"], labels["recipe"]["adapter_lr"]) in {(13, 30.0), (14, 15.0)}
    wild_quick = Recipe(quick_adapter_lr=30.0, quick_head_lr=300.0, min_steps=200, quick_steps=20)
    seen.clear()
    quick = train(make_app(TRAVEL, travel_entities()), tmp_path / "quick", tiny_model, seen.append, recipe=wild_quick,
                  quick=True)
    assert quick["quick"] and "retried" not in quick and [p["step"] for p in seen] == [10, 20]  # refining follows


def test_a_training_that_underfit_its_slots_is_trained_again(tiny_model, tmp_path):
    """A model that reproduces too little of its training slots (here: labels that contradict each other, the
    same words a City in one example and nothing in the next) is trained once more with the next seed, at the same
    learning rates (a collapsed one gets half)."""
    contradicting = {"BookFlight": ["fly to {City=paris}", "fly to paris", "fly to {City=rome}", "fly to rome"],
                     "Greeting": ["hello", "hi there"]}
    seen = []
    stats = train(make_app(contradicting, travel_entities()), tmp_path, tiny_model, seen.append,
                  recipe=Recipe(adapter_lr=1e-2, head_lr=1e-1, min_steps=20, min_epochs=1))
    first = stats["retried"]
    assert first["underfit"] and first["slot_f1"] < 0.9 and not first["collapsed"]
    assert [p["step"] for p in seen] == [10, 20, 10, 20]
    assert Recipe().again(first) == Recipe()  # the same learning rates: half underfit more
    assert Recipe().again(first | {"collapsed": True}) == Recipe(adapter_lr=5e-4, head_lr=1.5e-3)


def test_retraining_replaces_the_artifact(tiny_model, tmp_path):
    version = make_app({"Greet": ["hello", "hi"], "Bye": ["bye", "see you"]})
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "stale").write_text("old")
    train(version, tmp_path / "model", tiny_model, recipe=FAST)
    assert not (tmp_path / "model" / "stale").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


EDGE_CASES = {
    "single intent": ({"Greet": ["hello", "hi there"]}, []),
    "no entities, one example": ({"Greet": ["hello"], "Bye": ["bye", "see you later"]}, []),
    "unlabeled entity": ({"Greet": ["hello {Name=bob}"], "Bye": ["bye"]}, [MLEntity("Name"), MLEntity("Unused")]),
    "only None": ({"None": ["whatever", "the sky is blue"]}, [MLEntity("Thing", children=[])]),
    "deep children": ({"Order": ["{Order={Pizza={Size=large} pizza} now}"]},
                      [MLEntity("Order", children=[Child("Pizza", children=[Child("Size")])])]),
}


@pytest.mark.parametrize("case", EDGE_CASES)
def test_edge_case_apps_train_and_predict(tiny_model, tmp_path, case):
    examples, entities = EDGE_CASES[case]
    version = make_app(examples, entities)
    train(version, tmp_path / "m", tiny_model, recipe=FAST)
    prediction = Recognizer.load(tmp_path / "m").predict("hello bob, a large pizza")
    assert set(prediction.intents) == {i.name for i in version.intents}
    assert abs(sum(prediction.intents.values()) - 1) < 1e-5
    assert list(prediction.intents.values()) == sorted(prediction.intents.values(), reverse=True)


def test_no_utterances_is_a_clear_error(tiny_model, tmp_path):
    with pytest.raises(AppVersionError, match="no example utterances"):
        train(make_app({"Greet": []}), tmp_path / "m", tiny_model, recipe=FAST)
    assert not (tmp_path / "m").exists()


def test_serving_does_not_import_torch():
    code = "import sys, luislite.nlu.recognizer; " \
           "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("path", sorted(LUIS_APPS.glob("*.json")), ids=lambda p: p.stem)
def test_real_luis_apps_train_and_predict(tiny_model, tmp_path, path):
    version = AppVersion.from_luis(json.loads(path.read_text()))
    train(version, tmp_path / "m", tiny_model, recipe=Recipe(min_steps=2, min_epochs=1))
    utterance = version.utterances[0].text
    prediction = Recognizer.load(tmp_path / "m").predict(utterance)
    assert set(prediction.intents) == {i.name for i in version.intents}
    assert all(0 <= e.start < e.end <= len(utterance) for e in prediction.entities)


@pytest.mark.parametrize("text", ["", "   ", "?!", "naïve\u200b café 😀 " * 3, "fly to paris " * 60])
def test_any_text_predicts_with_offsets_inside_it(travel, text):
    prediction = Recognizer.load(travel[0]).predict(text)
    assert len(prediction.intents) == 6
    assert all(0 <= e.start < e.end <= len(text) and text[e.start:e.end].strip() for e in prediction.entities)


def test_parser_spans_merge_with_the_model_spans(travel):
    class Digits:
        def parse(self, text):
            return [EntitySpan("number", i, i + 1, None, kind="regex") for i, c in enumerate(text) if c.isdigit()]

    recognizer = Recognizer.load(travel[0], parsers=[Digits()])
    entities = recognizer.predict("7 flights to 2 cities").entities
    assert [(e.entity, e.kind) for e in entities if e.kind == "regex"] == [("number", "regex")] * 2
    assert [e.start for e in entities] == sorted(e.start for e in entities)


def test_step_floors_of_character_cultures_and_deep_encoders():
    recipe = Recipe(min_steps=300, character_min_steps=500, deep_min_steps=600)
    assert recipe.floored("en-us", 6).min_steps == 300
    assert recipe.floored("zh-cn", 6).min_steps == 500  # the English MiniLM forced on a Chinese app
    assert recipe.floored("de-de", 12).min_steps == 600  # the multilingual encoder
    assert Recipe(min_steps=700).floored("zh-cn", 12).min_steps == 700


def test_the_quick_model_of_a_deep_encoder_learns_its_heads_faster():
    recipe = Recipe(head_lr=1e-3, quick_head_lr=2e-3, deep_quick_head_lr=3e-2, quick_steps=70)
    assert recipe.floored("en-us", 6).quick(100).head_lr == 2e-3
    assert recipe.floored("zh-cn", 12).quick(100).head_lr == 3e-2
    assert recipe.floored("zh-cn", 12).head_lr == 1e-3  # the refined model's


def test_entity_values_are_swapped_within_their_intent():
    """Augmentation swaps a value for another of its slot in the same intent's examples: a value that tells two
    intents apart ("next" / "previous" mail) never teaches the other intent."""
    def mail(intent, value):
        return Example(["show", *value, "mail"], intent, [[0, 1] + [2] * (len(value) - 1) + [0]],
                       [True] * (len(value) + 2))
    examples = [mail(0, ["next"]), mail(0, ["the", "one", "after"]), mail(1, ["previous"]), mail(1, ["last"])]
    pool, rng = value_pool(examples), random.Random(0)
    swapped = [swap_values(e, pool, rng, 1.0) for e in examples * 20]
    assert {(e.intent, " ".join(e.words)) for e in swapped} == {
        (0, "show next mail"), (0, "show the one after mail"), (1, "show previous mail"), (1, "show last mail")}
    assert all(len(e.tags[0]) == len(e.spaces) == len(e.words) for e in swapped)
    assert {tuple(e.tags[0]) for e in swapped if e.intent == 0} == {(0, 1, 0), (0, 1, 2, 2, 0)}
