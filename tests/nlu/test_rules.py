"""The rule-based recognizers (lists, regexes, prebuilts, patterns), `merge` and the LUIS shapes they render to."""
import datetime as dt
import json
import shutil

import pytest

from luislite.api.luis.prediction.render import prediction_v2, prediction_v3
from luislite.domain.appversion import (AppVersion, Child, CompositeEntity, ExplicitItem, Feature, Intent, ListEntity,
                                 MLEntity, Pattern, PatternAnyEntity, PrebuiltEntity, RegexEntity, Role, SubList)
from luislite.nlu.fit import Recipe, train
from luislite.nlu.prediction import EntitySpan, Prediction
from luislite.nlu.recognizer import PATTERN_SCORE, Recognizer, merge, pattern_intents
from luislite.nlu.rules import RULES_FILE, Rules
from luislite.nlu.rules import regexes
from luislite.nlu.rules.lists import ListParser
from luislite.nlu.rules.prebuilt import PrebuiltParser, may_hold_a_date, model
from luislite.nlu.rules.regexes import RegexParser
from luislite.nlu.tags import TagSet
from luislite.domain.tokens import tokenize

from brace_markup import make_app

REFERENCE = dt.datetime(2024, 5, 1, 10, 0)


def version(*entities, patterns=(), intents=("BookFlight", "Help")) -> AppVersion:
    app = AppVersion(name="rules", entities=list(entities), patterns=list(patterns))
    app.intents += [Intent(name) for name in intents]
    return app


AIRPORT = ListEntity("Airport", sublists=[SubList("New York", ["nyc", "new york", "big apple"]),
                                          SubList("Newark", ["new york", "ewr"]), SubList("Paris", ["cdg"])],
                     roles=[Role("origin"), Role("destination")])
CITY = ListEntity("City", sublists=[SubList("York", ["york"])])


def found(spans, text):
    return [(s.entity, text[s.start:s.end], s.resolution) for s in spans]


# --- lists -------------------------------------------------------------------------------------------

def test_list_matches_whole_tokens_ignoring_case_longest_first():
    parser = ListParser.from_version(version(AIRPORT, CITY))
    text = "fly NYC to New  York or Paris, not nycx via CDG."
    spans = parser.parse(text)
    assert found(spans, text) == [("Airport", "NYC", ["New York"]), ("Airport", "New  York", ["New York", "Newark"]),
                                  ("Airport", "Paris", ["Paris"]), ("Airport", "CDG", ["Paris"]),
                                  ("City", "York", ["York"])]  # lists may overlap
    assert all(s.kind == "list" and s.score is None for s in spans)


def test_list_synonyms_with_punctuation_match_token_by_token():
    employee = ListEntity("Employee", sublists=[SubList("E-1", ["john.w.smith@mycompany.com", "425-555-1212"])])
    text = "mail John.W.Smith@MyCompany.com or call 425-555-1212"
    assert found(ListParser.from_version(version(employee)).parse(text), text) == [
        ("Employee", "John.W.Smith@MyCompany.com", ["E-1"]), ("Employee", "425-555-1212", ["E-1"])]


# --- regexes -----------------------------------------------------------------------------------------

def test_regex_is_case_insensitive_on_token_boundaries():
    parser = RegexParser.from_version(version(RegexEntity("Code", regex_pattern="[a-z]{3}"),
                                              RegexEntity("Form", regex_pattern="hrf-[0-9]{6}")))
    text = "Flights to LAX, form HRF-123456 or hrf-1234567"
    spans = parser.parse(text)
    assert [text[s.start:s.end] for s in spans if s.entity == "Code"] == ["LAX", "HRF", "hrf"]
    assert [text[s.start:s.end] for s in spans if s.entity == "Form"] == ["HRF-123456"]
    assert all(s.kind == "regex" and s.resolution is None for s in spans)


def test_a_regex_that_runs_too_long_finds_nothing(monkeypatch):
    parser = RegexParser.from_version(version(RegexEntity("Slow", regex_pattern=r"(\w+\s?)+!")))
    monkeypatch.setattr(regexes, "TIMEOUT", 1e-6)
    assert parser.parse("a" * 3000) == []


def test_a_regex_that_does_not_compile_never_matches():
    assert RegexParser.from_version(version(RegexEntity("Bad", regex_pattern="(unclosed"))).parse("unclosed") == []


# --- prebuilts ---------------------------------------------------------------------------------------

def test_prebuilt_values_in_v3_and_v2_shapes():
    names = ["number", "ordinal", "percentage", "money", "temperature", "dimension", "age", "email", "url",
             "phonenumber", "personName", "geographyV2", "keyPhrase"]
    parser = PrebuiltParser(names)
    text = "2 seats, the 3rd, 15% off, $30.5, 20 degrees, 3 feet, 5 years old, a@b.com http://x.com 425-555-1212"
    spans = {(s.entity, text[s.start:s.end]): s for s in parser.parse(text)}
    assert spans[("number", "2")].resolution.v3 == 2
    assert spans[("number", "2")].resolution.v2 == {"subtype": "integer", "value": "2"}
    assert spans[("number", "30.5")].resolution.v2 == {"subtype": "decimal", "value": "30.5"}
    assert spans[("ordinal", "3rd")].resolution.v3 == 3
    assert spans[("percentage", "15%")].resolution.v3 == 15
    money = spans[("money", "$30.5")].resolution
    assert (money.v3, money.v2, money.type) == ({"number": 30.5, "units": "Dollar"},
                                               {"unit": "Dollar", "value": "30.5"}, "builtin.currency")
    assert spans[("temperature", "20 degrees")].resolution.v3 == {"number": 20, "units": "Degree"}
    assert spans[("dimension", "3 feet")].resolution.v3 == {"number": 3, "units": "Foot"}
    assert spans[("age", "5 years old")].resolution.v3 == {"number": 5, "unit": "Year"}
    assert spans[("email", "a@b.com")].resolution.v3 == "a@b.com"
    assert spans[("url", "http://x.com")].resolution.v3 == "http://x.com"
    assert spans[("phonenumber", "425-555-1212")].resolution.v3 == "425-555-1212"
    assert all(text[s.start:s.end] == key[1] for key, s in spans.items())


def test_datetime_v3_groups_by_timex_and_honours_the_reference():
    parser = PrebuiltParser(["datetimeV2"])
    text = "fly tomorrow at 8am or on feb 14th for 2 hours"
    spans = parser.parse(text, REFERENCE)
    assert [(text[s.start:s.end], s.type) for s in spans] == [
        ("tomorrow at 8am", "builtin.datetimeV2.datetime"), ("feb 14th", "builtin.datetimeV2.date"),
        ("2 hours", "builtin.datetimeV2.duration")]
    assert spans[0].resolution.v3 == {"type": "datetime", "values": [
        {"timex": "2024-05-02T08", "resolution": [{"value": "2024-05-02 08:00:00"}]}]}
    assert spans[1].resolution.v3 == {"type": "date", "values": [
        {"timex": "XXXX-02-14", "resolution": [{"value": "2024-02-14"}, {"value": "2025-02-14"}]}]}
    assert spans[1].resolution.v2 == {"values": [{"timex": "XXXX-02-14", "type": "date", "value": "2024-02-14"},
                                                 {"timex": "XXXX-02-14", "type": "date", "value": "2025-02-14"}]}
    assert spans[2].resolution.v3["values"][0]["resolution"] == [{"value": "7200"}]


@pytest.mark.parametrize("text", ["tomorrow", "at 5pm", "next friday", "in two weeks", "on 3/4", "christmas eve",
                                  "the day after tomorrow", "at noon", "march the third", "half past five", "tonight",
                                  "every monday", "for three hours", "last year", "2024-05-01", "this weekend"])
def test_the_date_prefilter_lets_dates_through(text):
    assert may_hold_a_date(text)
    assert PrebuiltParser(["datetimeV2"]).parse(f"book it {text}", REFERENCE), text


@pytest.mark.parametrize("text", ["hello there", "book a flight to paris", "what can you do", "cancel my order"])
def test_the_date_prefilter_skips_utterances_without_a_date(text):
    assert not may_hold_a_date(text)


def test_models_are_built_once_and_only_for_prebuilts_the_app_uses():
    assert PrebuiltParser(["number"]).models["number"] is PrebuiltParser(["number", "age"]).models["number"]
    assert list(PrebuiltParser(["number", "personName"]).models) == ["number"]
    assert PrebuiltParser.from_version(version(PrebuiltEntity("keyPhrase"))) is None
    assert model("number", "en-us") is model("number", "en-us")


# --- offsets into the original text ----------------------------------------------------------------------
# Before each entity, a character whose case mapping changes the text's length: "İ".lower() and "ß".upper() are two
# characters, "ﬁ".casefold() is "fi", and "e\u0301" is an "é" of two code points. Spans are written by hand.

ODD = version(AIRPORT, RegexEntity("Ticket", regex_pattern="tkt-[a-z]+"), PrebuiltEntity("number"),
              PrebuiltEntity("datetimeV2"), PrebuiltEntity("phonenumber"), PatternAnyEntity("FormName"),
              patterns=[Pattern("send {FormName} to {Airport}", "Help"), Pattern("send {FormName}", "Help")])


@pytest.mark.parametrize("text, expected", [
    ("İstanbul: NYC, TKT-ABC, 3 tomorrow",
     [("Airport", 10, 13), ("Ticket", 15, 22), ("number", 24, 25), ("datetimeV2", 26, 34)]),
    ("Straße: NYC, TKT-ABC, 3 tomorrow",
     [("Airport", 8, 11), ("Ticket", 13, 20), ("number", 22, 23), ("datetimeV2", 24, 32)]),
    ("ﬁle: NYC, TKT-ABC, 3 tomorrow",
     [("Airport", 5, 8), ("Ticket", 10, 17), ("number", 19, 20), ("datetimeV2", 21, 29)]),
    ("Cafe\u0301: NYC, TKT-ABC, 3 tomorrow",
     [("Airport", 7, 10), ("Ticket", 12, 19), ("number", 21, 22), ("datetimeV2", 23, 31)]),
    ("İstanbul to NYC", [("Airport", 12, 15)]),
    ("İstanbul TKT-ABC", [("Ticket", 9, 16)]),
    ("İstanbul for 3", [("number", 13, 14)]),
])
def test_rule_spans_after_characters_whose_case_changes_length(text, expected):
    spans = [s for found in Rules(ODD).parse(text, REFERENCE) for s in found]
    assert sorted((s.entity, s.start, s.end) for s in spans) == sorted(expected)


def test_a_prebuilt_whose_offsets_miss_its_text_is_found_where_its_text_is():
    """The phone number model strips the space before "(0)" off its text, not off its start."""
    text = "İ call +212 (0) 644444444 or +212 (0) 644444444"
    phones = [(s.start, s.end) for s in PrebuiltParser(["phonenumber"]).parse(text)]
    assert phones == [(12, 25), (34, 47)]


def test_full_width_digits_are_numbers_at_their_own_offsets():
    """The models read "３" as "3" (recognizers-text makes full-width forms ASCII): the span is the text's "３"."""
    text = "İ book ３ rooms"
    assert [(s.start, s.end, s.resolution.v3) for s in PrebuiltParser(["number"]).parse(text)] == [(7, 8, 3)]


@pytest.mark.parametrize("text, expected", [
    ("send İstanbul ﬁle to NYC", [("FormName", 5, 17), ("Airport", 21, 24)]),
    ("send the Straße ﬁle", [("FormName", 5, 19)]),
    ("send the cafe\u0301 menu", [("FormName", 5, 19)]),
])
def test_pattern_spans_after_characters_whose_case_changes_length(text, expected):
    rules = Rules(ODD)
    found = rules.match(text, [s for spans in rules.parse(text, REFERENCE) for s in spans])
    assert [(s.entity, s.start, s.end) for s in found.spans] == expected


# --- patterns ----------------------------------------------------------------------------------------

def patterns(*templates, entities=()):
    app = version(AIRPORT, PrebuiltEntity("number"), PatternAnyEntity("FormName", explicit_list=[ExplicitItem("x")]),
                  MLEntity("Device"), *entities, patterns=[Pattern(p, i) for p, i in templates])
    return app, Rules(app)


def match(rules: Rules, text: str):
    spans = [s for found in rules.parse(text, REFERENCE) for s in found]
    return rules.match(text, spans)


def test_pattern_with_roles_optional_text_and_alternatives():
    _, rules = patterns(("(book|reserve) [me] a flight from {Airport:origin} to {Airport:destination}[?]",
                         "BookFlight"))
    text = "Reserve a flight from NYC to cdg?"
    found = match(rules, text)
    assert found.intent == "BookFlight"
    assert [(s.entity, text[s.start:s.end], s.role, s.resolution) for s in found.spans] == [
        ("Airport", "NYC", "origin", ["New York"]), ("Airport", "cdg", "destination", ["Paris"])]
    assert match(rules, "book me a flight from nyc to cdg").intent == "BookFlight"
    assert match(rules, "book me a flight from nyc to cdg please") is None  # the whole utterance must match
    assert match(rules, "book me a flight from rome to cdg") is None  # a list slot needs the list's value


def test_pattern_any_takes_the_words_between_and_ignores_punctuation():
    _, rules = patterns(('where is the form ["]{FormName}["] and who signs it[?]', "Help"))
    text = 'Where is the form "expense report, 2024" and who signs it?'
    found = match(rules, text)
    assert [(s.entity, s.kind, text[s.start:s.end]) for s in found.spans] == [
        ("FormName", "pattern.any", "expense report, 2024")]


def test_the_most_specific_pattern_wins_and_unknown_entities_are_ignored():
    _, rules = patterns(("{FormName}", "Help"), ("book {number} seats", "BookFlight"), ("{Nope} seats", "Help"))
    found = match(rules, "book 3 seats")
    assert found.intent == "BookFlight" and found.spans[0].resolution.v3 == 3
    assert match(rules, "anything at all").intent == "Help"
    assert len(rules.patterns.patterns) == 2


def test_an_ml_slot_needs_the_models_span():
    _, rules = patterns(("turn on {Device}", "Help"))
    assert rules.match("turn on the lights", []) is None
    device = EntitySpan("Device", 8, 18, 0.7)
    assert rules.match("turn on the lights", [device]).spans == [device]


def test_pattern_intent_goes_on_top_and_scores_still_sum_to_one():
    intents = pattern_intents({"None": 0.7, "Help": 0.2, "BookFlight": 0.1}, match(patterns(("book {number} seats",
                                                                                             "BookFlight"))[1],
                                                                                    "book 2 seats"))
    assert list(intents)[0] == "BookFlight" and intents["BookFlight"] == PATTERN_SCORE
    assert abs(sum(intents.values()) - 1) < 1e-9 and intents["None"] > intents["Help"]


# --- merge -------------------------------------------------------------------------------------------

def test_merge_keeps_rule_spans_beside_model_spans_and_dedupes():
    text = "fly nyc"
    learned = [EntitySpan("City", 4, 7, 0.9)]
    parsed = [[EntitySpan("Airport", 4, 7, None, kind="list", resolution=["New York"])],
              [EntitySpan("Airport", 4, 7, None, kind="list", resolution=["New York"])]]
    merged = merge(learned, parsed, None, Rules(version(AIRPORT)))
    assert [(s.entity, s.kind) for s in merged] == [("City", "ml"), ("Airport", "list")]
    assert text[merged[1].start:merged[1].end] == "nyc"


def test_merge_gives_rule_spans_the_role_the_model_tagged():
    learned = [EntitySpan("Airport", 4, 7, 0.8, "origin", kind="role")]
    parsed = [[EntitySpan("Airport", 4, 7, None, kind="list", resolution=["New York"]),
               EntitySpan("Airport", 11, 14, None, kind="list", resolution=["Paris"])]]
    merged = merge(learned, parsed, None, Rules(version(AIRPORT)))
    assert [(s.entity, s.role, s.kind) for s in merged] == [("Airport", "origin", "list"), ("Airport", None, "list")]


def test_merge_pattern_spans_replace_overlapping_model_spans():
    app, rules = patterns(("book {number} seats", "BookFlight"))
    text = "book 2 seats"
    learned = [EntitySpan("Device", 5, 12, 0.5), EntitySpan("Device", 0, 4, 0.5)]
    parsed = rules.parse(text)
    merged = merge(learned, parsed, rules.match(text, [s for p in parsed for s in p]), rules)
    assert [(s.entity, text[s.start:s.end]) for s in merged] == [("Device", "book"), ("number", "2")]


def test_merge_children_constrained_to_an_entity_take_its_value():
    order = MLEntity("Order", children=[Child("Quantity", instance_of="number"), Child("Dest", instance_of="Airport"),
                                        Child("Size", features=[Feature(model_name="number", is_required=True)])])
    rules = Rules(version(order, AIRPORT, PrebuiltEntity("number")))
    text = "2 pizzas to nyc large"
    learned = [EntitySpan("Order", 0, 21, 0.9, children=[
        EntitySpan("Quantity", 0, 8, 0.8), EntitySpan("Dest", 12, 15, 0.8), EntitySpan("Size", 16, 21, 0.8)])]
    merged = merge(learned, rules.parse(text), None, rules)
    children = merged[0].children
    assert [(c.entity, text[c.start:c.end], c.type) for c in children] == [
        ("Quantity", "2", "builtin.number"), ("Dest", "nyc", "Airport")]  # Size lacks its required number
    assert children[0].resolution.v3 == 2 and children[1].resolution == ["New York"]
    entities = prediction_v3(text, Prediction({"None": 1.0}, merged), True, False)["prediction"]["entities"]
    assert entities["Order"][0]["Quantity"] == [2] and entities["Order"][0]["Dest"] == [["New York"]]
    assert entities["Order"][0]["$instance"]["Quantity"][0]["type"] == "builtin.number"
    assert entities["Order"][0]["$instance"]["Quantity"][0]["modelTypeId"] == 1


def composite_app():
    return version(CompositeEntity("TicketsOrder", children=["number", "TravelClass", "Location::LocationTo"]),
                   PrebuiltEntity("number"), MLEntity("TravelClass"),
                   MLEntity("Location", children=[Child("LocationTo")]))


def test_merge_builds_composites_from_the_spans_inside_them():
    rules = Rules(composite_app())
    text = "book 2 business tickets to paris and 3 more"
    learned = [EntitySpan("TicketsOrder", 5, 32, 0.7, kind="composite"), EntitySpan("TravelClass", 7, 15, 0.9),
               EntitySpan("Location", 27, 32, 0.9, children=[EntitySpan("LocationTo", 27, 32, 0.8)])]
    merged = merge(learned, rules.parse(text), None, rules)
    assert [(s.entity, s.kind) for s in merged] == [("TicketsOrder", "composite"), ("Location", "ml"),
                                                    ("number", "prebuilt")]
    composite = merged[0]
    assert [(c.entity, text[c.start:c.end]) for c in composite.children] == [
        ("number", "2"), ("TravelClass", "business"), ("LocationTo", "paris")]
    assert merge([EntitySpan("TicketsOrder", 0, 4, 0.7, kind="composite")], [], None, rules) == []  # no child


def test_composites_render_nested_in_v3_and_as_composite_entities_in_v2():
    rules = Rules(composite_app())
    text = "book 2 Business tickets"
    learned = [EntitySpan("TicketsOrder", 5, 15, 0.7, kind="composite"), EntitySpan("TravelClass", 7, 15, 0.9)]
    prediction = Prediction({"BookFlight": 0.9, "None": 0.1}, merge(learned, rules.parse(text), None, rules))
    v3 = prediction_v3(text, prediction, True, False)["prediction"]["entities"]
    assert v3["TicketsOrder"] == [{"number": [2], "TravelClass": ["Business"], "$instance": {
        "number": [{"type": "builtin.number", "text": "2", "startIndex": 5, "length": 1, "modelTypeId": 2,
                    "modelType": "Prebuilt Entity Extractor", "recognitionSources": ["model"]}],
        "TravelClass": [{"type": "TravelClass", "text": "Business", "startIndex": 7, "length": 8, "score": 0.9,
                         "modelTypeId": 1, "modelType": "Entity Extractor", "recognitionSources": ["model"]}]}}]
    assert v3["$instance"]["TicketsOrder"][0] | {"score": None} == {
        "type": "TicketsOrder", "text": "2 Business", "startIndex": 5, "length": 10, "score": None,
        "modelTypeId": 4, "modelType": "Composite Entity Extractor", "recognitionSources": ["model"]}
    v2 = prediction_v2(text, prediction, True)
    assert v2["compositeEntities"] == [{"parentType": "TicketsOrder", "value": "2 business", "children": [
        {"type": "builtin.number", "value": "2"}, {"type": "TravelClass", "value": "business"}]}]
    assert [e["type"] for e in v2["entities"]] == ["TicketsOrder", "builtin.number", "TravelClass"]
    assert v2["entities"][1]["resolution"] == {"subtype": "integer", "value": "2"}


def test_rule_entities_render_with_their_model_types_and_roles():
    text = "nyc on feb 14th, code ABC"
    spans = [EntitySpan("Airport", 0, 3, None, "origin", kind="list", resolution=["New York"]),
             *PrebuiltParser(["datetimeV2"]).parse(text, REFERENCE),
             EntitySpan("Code", 22, 25, None, kind="regex"), EntitySpan("Form", 22, 25, None, kind="pattern.any")]
    prediction = Prediction({"None": 1.0}, spans)
    v3 = prediction_v3(text, prediction, True, False)["prediction"]["entities"]
    assert v3["origin"] == [["New York"]] and v3["Code"] == ["ABC"] and v3["Form"] == ["ABC"]
    assert v3["datetimeV2"][0]["type"] == "date"
    assert [(i["type"], i["modelTypeId"], i["modelType"]) for key in ("origin", "datetimeV2", "Code", "Form")
            for i in v3["$instance"][key]] == [
        ("Airport", 5, "List Entity Extractor"), ("builtin.datetimeV2.date", 2, "Prebuilt Entity Extractor"),
        ("Code", 8, "Regex Entity Extractor"), ("Form", 7, "Pattern.any Entity Extractor")]
    assert v3["$instance"]["origin"][0]["role"] == "origin" and "score" not in v3["$instance"]["origin"][0]
    v2 = prediction_v2(text, prediction, False)["entities"]
    assert v2[0] == {"entity": "nyc", "type": "Airport", "startIndex": 0, "endIndex": 2,
                     "resolution": {"values": ["New York"]}, "role": "origin"}
    assert v2[1]["type"] == "builtin.datetimeV2.date" and v2[1]["resolution"]["values"][0]["value"] == "2024-02-14"
    assert v2[2] == {"entity": "abc", "type": "Code", "startIndex": 22, "endIndex": 24}


# --- tags: composite and role layers, artifacts -------------------------------------------------------

def test_composites_and_rule_entity_roles_get_their_own_tag_layers():
    app = make_app({"Book": ["book {TicketsOrder={number:count=2} {TravelClass=business}} seats"]}, [])
    app.entities += composite_app().entities
    app.entity("number").roles.append(Role("count"))
    tagset = TagSet.from_version(app)
    assert [s.kind for s in tagset.layers[-2]] == ["composite"] and tagset.ml_depth == 2
    assert [s.name for s in tagset.layers[-1]] == ["number:count"]
    text, labels = app.utterances[0].text, app.utterances[0].labels
    names = [[tagset.names(d)[t] for t in layer] for d, layer in enumerate(tagset.tag(labels, tokenize(text)))]
    assert names[2] == ["O", "B-TicketsOrder", "I-TicketsOrder", "O"] and names[3] == ["O", "B-number:count", "O", "O"]
    assert TagSet.from_json(json.loads(json.dumps(tagset.to_json()))).layers == tagset.layers


def test_training_writes_the_rules_and_old_artifacts_load_without_them(tiny_model, tmp_path):
    app = make_app({"BookFlight": ["fly to {City=nyc}", "book a flight to {City=cdg}"], "None": ["hello"]},
                   [MLEntity("City")])
    app.entities.append(AIRPORT)
    app.patterns.append(Pattern("flight to {Airport} now", "BookFlight"))
    train(app, tmp_path / "m", tiny_model, recipe=Recipe(min_steps=5, min_epochs=1))
    assert json.loads((tmp_path / "m" / RULES_FILE).read_text())["closedLists"][0]["name"] == "Airport"
    prediction = Recognizer.load(tmp_path / "m").predict("flight to NYC now")
    assert prediction.top_intent == "BookFlight" and prediction.intents["BookFlight"] >= PATTERN_SCORE
    assert [(s.entity, s.resolution) for s in prediction.entities if s.kind == "list"] == [("Airport", ["New York"])]
    shutil.copytree(tmp_path / "m", tmp_path / "old")
    (tmp_path / "old" / RULES_FILE).unlink()
    assert not [s for s in Recognizer.load(tmp_path / "old").predict("flight to NYC now").entities if s.kind != "ml"]
