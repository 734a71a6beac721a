"""Small apps written in a brace markup, for the nlu tests (the tiny BERT checkpoint, `tiny_model`, comes from
tests/conftest.py)."""
from __future__ import annotations

import json
import re

import numpy as np

from luislite.domain.appversion import AppVersion, Child, Intent, Label, MLEntity, Role, Utterance

_MARK = re.compile(r"\{([^=:{}]+)(?::([^={}]+))?=|\}")


def parse(marked: str) -> tuple[str, list[Label]]:
    """Text and labels of `book {City:origin=paris}`; nested braces are children: `{Order={Size=large} pizza}`."""
    text, stack, roots, at = "", [], [], 0
    for match in _MARK.finditer(marked):
        text += marked[at:match.start()]
        at = match.end()
        if match.group() == "}":
            label = stack.pop()
            label.end = len(text)
            (stack[-1].children if stack else roots).append(label)
        else:
            stack.append(Label(match.group(1), len(text), -1, match.group(2)))
    return text + marked[at:], roots


def make_app(examples: dict[str, list[str]], entities: list[MLEntity] = ()) -> AppVersion:
    version = AppVersion(name="test", entities=list(entities))
    version.intents += [Intent(name) for name in examples if name != "None"]
    for intent, marked in examples.items():
        for line in marked:
            text, labels = parse(line)
            version.utterances.append(Utterance(text, intent, labels))
    return version


def travel_entities() -> list[MLEntity]:
    return [MLEntity("City", roles=[Role("origin"), Role("destination")]),
            MLEntity("Order", children=[Child("Quantity"), Child("Size"), Child("Topping")]),
            MLEntity("Artist")]


TRAVEL = {
    "BookFlight": [
        "book a flight from {City:origin=paris} to {City:destination=london}",
        "fly me to {City:destination=new york} from {City:origin=boston}",
        "i need a plane ticket from {City:origin=berlin} to {City:destination=rome}",
        "get me a flight to {City:destination=tokyo}",
        "flights from {City:origin=madrid} to {City:destination=lisbon} please",
        "book a trip from {City:origin=oslo} to {City:destination=vienna}",
        "i want to fly from {City:origin=dublin} to {City:destination=prague}",
        "reserve a flight to {City:destination=seattle} leaving {City:origin=denver}",
    ],
    "OrderPizza": [
        "i want {Order={Quantity=two} {Size=large} pizzas with {Topping=ham}}",
        "order {Order={Quantity=one} {Size=small} pizza}",
        "can i get {Order={Quantity=three} {Size=medium} pizzas}",
        "please deliver {Order={Quantity=a} {Size=large} pizza with {Topping=mushrooms}}",
        "get me {Order={Quantity=four} {Size=small} pizzas with {Topping=olives}}",
        "i would like {Order={Quantity=two} {Size=medium} pizzas}",
        "send {Order={Quantity=one} {Size=large} pizza with {Topping=pepperoni}}",
        "order {Order={Quantity=five} {Size=small} pizzas with {Topping=onions}}",
    ],
    "GetWeather": [
        "what is the weather in {City=paris}",
        "will it rain in {City=london} tomorrow",
        "how hot is it in {City=madrid}",
        "weather forecast for {City=berlin}",
        "is it sunny in {City=rome} today",
        "tell me the weather in {City=tokyo}",
        "how cold will it be in {City=oslo}",
        "what's the temperature in {City=boston}",
    ],
    "PlayMusic": [
        "play something by {Artist=adele}",
        "put on {Artist=the beatles}",
        "i want to hear {Artist=miles davis}",
        "play songs by {Artist=queen}",
        "start playing {Artist=taylor swift}",
        "play music from {Artist=bob marley}",
        "let me listen to {Artist=nina simone}",
        "play {Artist=radiohead} please",
    ],
    "Greeting": ["hello", "hi there", "good morning", "hey", "hello how are you", "hi", "good evening", "greetings"],
    "None": ["what is the capital of peru", "my cat is sleeping", "the sky is blue", "i like turtles"],
}


def assert_served_agrees(artifact, features=None):
    """The served network (the shared int8 graph fed the app's adapters, numpy heads) answers the logits of the
    trained torch model, up to int8's error, and exactly the same intent and tags."""
    import torch

    from luislite.nlu.artifact import load_model
    from luislite.nlu.recognizer import Recognizer

    ids = np.array([[101, 4965, 1037, 3462, 2013, 3000, 2000, 2414, 102]], dtype=np.int64)
    inputs = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if features is not None:
        inputs["features"] = features
    served = Recognizer.load(artifact).network(inputs)
    with torch.no_grad():
        reference = load_model(artifact)(*(torch.from_numpy(v) for v in inputs.values()))
    layers = json.loads((artifact / "labels.json").read_text())["tags"]["layers"]
    assert len(served) == len(reference) == 1 + len(layers)
    for a, b in zip(served, reference):
        np.testing.assert_allclose(a, b.numpy(), atol=0.15 * np.abs(b.numpy()).max())
        np.testing.assert_array_equal(a.argmax(-1), b.numpy().argmax(-1))
