"""Small apps written in a brace markup, for the nlu tests (the tiny BERT checkpoint, `tiny_model`, comes from
tests/conftest.py)."""
from __future__ import annotations

import re

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

