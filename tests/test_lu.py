"""The LU format: parsing bf-cli's syntax, canonical writing, round trips, and errors with line numbers."""
import json
import re
import warnings
from pathlib import Path

import pytest

from luislite.domain.appversion import (
    ENTITY_KINDS, AppVersion, AppVersionError, Child, CompositeEntity, Feature, Intent, Label, ListEntity, MLEntity,
    Pattern, PatternAnyEntity, PhraseList, PrebuiltEntity, RegexEntity, Role, SubList, Utterance,
)
from luislite.domain.lu import LuWarning, parse_lu, write_lu, write_utterance

FIXTURES = Path(__file__).parent / "fixtures"
LUIS_APPS = sorted((FIXTURES / "luis-apps").glob("*.json")) + [FIXTURES / "atis" / "train_luis_app.json"]


def fixture(name: str) -> AppVersion:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LuWarning)
        return parse_lu((FIXTURES / name).read_text())


def labeled(utterance: Utterance) -> list[tuple[str, str | None, str]]:
    """(entity, role, labeled text) of every label, children included, in text order."""
    result = []

    def visit(label):
        result.append((label.entity, label.role, utterance.text[label.start:label.end]))
        for child in label.children:
            visit(child)

    for label in sorted(utterance.labels, key=lambda l: (l.start, -l.end)):
        visit(label)
    return result


# --- parsing the fixtures ---------------------------------------------------------------------

def test_pizza_fixture_intents_utterances_and_nested_labels():
    version = fixture("pizza.lu")
    version.validate()
    assert [i.name for i in version.intents] == ["OrderPizza", "None"]
    assert version.intent("OrderPizza").features == [Feature(feature_name="SizeWords")]
    first, second = version.utterances[:2]
    assert first.text == "i want two large pizzas"
    assert first.labels == [Label("Order", 7, 23, children=[Label("Quantity", 7, 10), Label("Size", 11, 16)])]
    assert labeled(second) == [("Order", None, "a small ham and pineapple pizza"), ("Size", None, "small"),
                               ("Toppings", None, "ham and pineapple"), ("Topping", None, "ham"),
                               ("Topping", None, "pineapple")]
    assert labeled(version.utterances[3]) == [("Order", None, "medium pizza"), ("Size", None, "medium"),
                                              ("datetimeV2", None, "tonight")]
    assert [(p.pattern, p.intent) for p in version.patterns] == [("order {Order} for {Address}", "OrderPizza")]


def test_pizza_fixture_entities_children_features_lists_and_phraselists():
    version = fixture("pizza.lu")
    assert [(type(e).__name__, e.name) for e in version.entities] == [
        ("MLEntity", "Order"), ("MLEntity", "Address"), ("ListEntity", "SizeList"),
        ("PrebuiltEntity", "number"), ("PrebuiltEntity", "datetimeV2")]
    order = version.entity("Order")
    assert order.features == [Feature(feature_name="SizeWords"), Feature(model_name="SizeList")]
    quantity, size, toppings = order.children
    assert (quantity.name, quantity.instance_of, size.instance_of, toppings.instance_of) == \
        ("Quantity", "number", "SizeList", None)
    assert size.features == [Feature(feature_name="SizeWords")]
    assert [c.name for c in toppings.children] == ["Topping"]
    sizes = version.entity("SizeList")
    assert [(s.canonical_form, s.synonyms, s.id) for s in sizes.sublists] == [
        ("large", ["big", "huge"], 1), ("small", ["little"], 2), ("medium", [], 3)]
    words, confirm = version.phraselists
    assert (words.name, words.phrases, words.interchangeable, words.active, words.enabled_for_all_models) == \
        ("SizeWords", ["small", "medium", "large", "extra large"], True, True, True)
    assert (confirm.phrases, confirm.interchangeable, confirm.active, confirm.enabled_for_all_models) == \
        (["yes", "sure"], False, False, False)


def test_app_information_and_settings_are_read_from_model_info_comments():
    version = fixture("pizza.lu")
    assert (version.name, version.version_id, version.culture) == ("Pizza orders", "0.2", "en-us")
    assert version.settings == [{"name": "NormalizePunctuation", "value": "true"}]
    assert fixture("travel.lu").settings == AppVersion().settings  # defaults when the file names none


def test_import_lines_are_ignored_with_a_warning():
    with pytest.warns(LuWarning, match="Line 7: import"):
        parse_lu((FIXTURES / "pizza.lu").read_text())


def test_travel_fixture_roles_regex_composite_patternany_and_old_label_syntax():
    version = fixture("travel.lu")
    version.validate()
    city = version.entity("City")
    assert [r.name for r in city.roles] == ["origin", "destination"]
    assert version.entity("FlightCode").regex_pattern == "[a-z]{2}[0-9]{4}"
    trip = version.entity("Trip")
    assert isinstance(trip, CompositeEntity) and trip.children == ["City", "FlightCode"]
    assert [r.name for r in trip.roles] == ["route"]
    assert isinstance(version.entity("FormName"), PatternAnyEntity)
    book, fly, ticket = version.utterances[:3]
    assert labeled(book) == [("City", "origin", "paris"), ("City", "destination", "new york")]
    # `{@role=..}` as bf-cli writes it, and `*` / `+` item marks
    assert labeled(fly) == [("City", "origin", "rome"), ("City", "destination", "oslo"), ("FlightCode", None, "ab1234")]
    # a composite's children are top-level labels inside its span, as in LUIS JSON
    assert [(l.entity, l.role, l.start, l.end, l.children) for l in ticket.labels] == [
        ("Trip", None, 16, 36, []), ("City", "origin", 21, 27, []), ("City", "destination", 31, 36, [])]
    assert [p.pattern for p in version.patterns] == [
        "book {FormName} from {City:origin} to {City:destination}", "when does [the] flight {FlightCode} leave[?]"]
    assert version.utterances[-1].text == "cancel the {draft} booking"
    assert version.utterances[-1].labels == []


def test_bfcli_export_with_tabs_quotes_and_blank_lines():
    version = fixture("bfcli_export.lu")
    version.validate()
    assert [i.name for i in version.intents] == ["TurnOn", "TurnOff", "None"]
    assert (version.name, version.desc) == ("HomeAutomation", "Turn devices on and off")
    assert [r.name for r in version.entity("number").roles] == ["level", "target level"]
    assert [(s.canonical_form, s.synonyms) for s in version.entity("Operation").sublists] == [
        ("off", ["turn off", "switch off"]), ("on", ["turn on"])]
    assert version.phraselists[0].phrases == ["lamp", "fan", "light"]
    assert version.patterns == [Pattern("{Device_PatternAny} on [please]", "TurnOn", version.patterns[0].id)]


# --- writing ----------------------------------------------------------------------------------

def small_version() -> AppVersion:
    version = AppVersion(name="demo", intents=[Intent("None"), Intent("Book", features=[Feature(model_name="City")])])
    version.entities = [
        MLEntity("City", roles=[Role("origin"), Role("destination")]),
        MLEntity("Order", children=[Child("Size", instance_of="Sizes"), Child("Building Number")],
                 features=[Feature(feature_name="cities")]),
        ListEntity("Sizes", sublists=[SubList("large", ["big"], 1)]),
        PrebuiltEntity("number", roles=[Role("count")]),
        RegexEntity("Code", regex_pattern="[a-z]{3}/[0-9]+"),
        CompositeEntity("Trip", children=["City", "number"]),
        PatternAnyEntity("Anything"),
    ]
    version.phraselists = [PhraseList("cities", ["paris", "new york"], interchangeable=False, id=1)]
    version.patterns = [Pattern("book {Anything} to {City:destination}", "Book")]
    version.utterances = [
        Utterance("book paris to rome", "Book", [Label("City", 5, 10, "origin"), Label("City", 14, 18, "destination")]),
        Utterance("a large pizza at 12 main st", "Book",
                  [Label("Order", 0, 27, children=[Label("Size", 2, 7), Label("Building Number", 17, 19)])]),
        Utterance("3 tickets", "Book", [Label("Trip", 0, 1), Label("number", 0, 1, "count")]),
        Utterance(r"escape {this} and a \ backslash", "None"),
    ]
    return version


def test_write_lu_is_the_bfcli_layout():
    text = write_lu(small_version())
    assert "- book {@City:origin=paris} to {@City:destination=rome}\n" in text
    assert "- a {@Size=large} pizza at {@Building Number=12} main st" not in text
    assert "- {@Order=a {@Size=large} pizza at {@Building Number=12} main st}\n" in text
    assert "- {@Trip={@number:count=3}} tickets\n" in text  # the composite outside its child
    assert r"- escape \{this\} and a \\ backslash" in text
    assert "- book {@Anything} to {@City:destination}\n" in text
    assert "@ intent Book usesFeature City\n" in text
    assert '@ ml Order usesFeature cities\n    - @ Sizes Size\n    - @ ml "Building Number"\n' in text
    assert "@ list Sizes =\n    - large :\n        - big\n" in text
    assert "@ prebuilt number hasRole count\n" in text
    assert "@ ml City hasRoles origin, destination\n" in text
    assert "@ regex Code = /[a-z]{3}/[0-9]+/\n" in text
    assert "@ composite Trip = [City, number]\n" in text
    assert "@ patternany Anything\n" in text
    assert "@ phraselist cities enabledForAllModels =\n    - paris,new york\n" in text


def test_write_then_parse_gives_back_the_version():
    version = small_version()
    version.validate()
    back = parse_lu(write_lu(version))
    back.validate()
    assert summary(back) == summary(version)


def test_labels_that_cross_cannot_be_written():
    utterance = Utterance("new york city", "None", [Label("A", 0, 8, children=[Label("B", 4, 13)])])
    with pytest.raises(AppVersionError, match="cross"):
        write_utterance(utterance)


@pytest.mark.parametrize("name", ["pizza.lu", "travel.lu", "bfcli_export.lu"])
def test_fixture_round_trip_is_stable(name):
    once = write_lu(fixture(name))
    assert write_lu(parse_lu(once)) == once


# --- lenient input ----------------------------------------------------------------------------

def test_undefined_names_are_defined_as_bfcli_does():
    version = parse_lu("# Order\n- {Order={Size=large} pizza} to {Street=main st}\n- find {Form}\n")
    order = version.entity("Order")
    assert isinstance(order, MLEntity) and [c.name for c in order.children] == ["Size"]
    assert isinstance(version.entity("Street"), MLEntity)
    assert isinstance(version.entity("Form"), PatternAnyEntity)
    assert version.utterances[0].labels == [Label("Order", 0, 11, children=[Label("Size", 0, 5)]),
                                            Label("Street", 15, 22)]
    version.validate()


def test_byte_order_mark_crlf_and_features_naming_label_defined_entities():
    version = parse_lu("\ufeff# A\r\n- go to {@Place=rome}\r\n@ intent A usesFeature Place\r\n")
    assert version.intent("A").features == [Feature(model_name="Place")]
    assert version.utterances[0].labels == [Label("Place", 6, 10)]


def test_labels_keep_their_exact_characters():
    version = parse_lu("# A\n- go{@X= to paris }now\n")
    utterance = version.utterances[0]
    assert utterance.text == "go to paris now"
    assert utterance.labels == [Label("X", 2, 12)]


def test_qna_sections_are_skipped_with_a_warning():
    with pytest.warns(LuWarning, match="QnA"):
        version = parse_lu("# ? what is this\n- a question\n# Greet\n- hi\n")
    assert [(u.text, u.intent) for u in version.utterances] == [("hi", "Greet")]


@pytest.mark.parametrize("text, line, message", [
    ("# A\n- book {@City=paris\n", 2, "not closed"),
    ("# A\n- book paris}\n", 2, "closes no label"),
    ("# A\n- book {@City=}\n", 2, "empty"),
    ("# A\n- {@=paris}\n", 2, "no entity name"),
    ("# A\n- book {City} to {@City=paris}\n", 2, "mixes labels"),
    ("- hello\n", 1, "must follow an intent"),
    ("#\n", 1, "needs a name"),
    ("## A.B\n", 1, "nested"),
    ("> comment\n@ frobnicate X\n", 2, "unknown definition type"),
    ("@ ml\n", 1, "type and a name"),
    ("@ ml A\n@ list A\n", 2, "defined twice"),
    ("@ phraselist P =\n- a\n@ phraselist P\n", 3, "defined twice"),
    ("@ list L =\n    - big\n", 2, "before any"),
    ("@ list L =\n- :\n", 2, "empty canonical"),
    ("@ regex R = [a-z]+\n", 1, "/pattern/"),
    ("@ composite C = a, b\n", 1, "[child1, child2]"),
    ("@ ml A usesFeature nothing\n", 1, "neither a phrase list nor a model"),
    ("@ ml A\n    - @ ml B\n    - just text\n", 3, "written '- @ ml Name'"),
    ("@ ml A\n    - @ list B\n", 2, "typed by 'ml'"),
    ("@ ml A bogus\n", 1, "unexpected 'bogus'"),
    ("@ prebuilt number = 3\n", 1, "unexpected '3'"),
    ("$City:simple\n", 1, "'$' entity syntax"),
    ("**Filters:**\n", 1, "Filters"),
    ("hello there\n", 1, "is not an intent"),
    ("@ ml A hasRole r\n@ ml B hasRole r\n# I\n- {@r=x}\n", 4, "several entities"),
])
def test_malformed_input_names_the_line(text, line, message):
    with pytest.raises(AppVersionError, match=rf"^Line {line}: .*{re.escape(message)}"):
        parse_lu(text)


# --- real LUIS exports ------------------------------------------------------------------------

def _children(children: list[Child]) -> list:
    """Name, type constraint (instanceOf or a required model feature, as bf-cli writes both), features, children."""
    result = []
    for child in children:
        required = next((f for f in child.features if f.is_required and f.model_name), None)
        constraint = child.instance_of or (required.model_name if required else None)
        features = [(f.feature_name, f.model_name) for f in child.features if f is not required or child.instance_of]
        result.append((child.name, constraint, features, _children(child.children)))
    return result


def _labels(labels: list[Label]) -> list:
    return sorted((l.entity, l.start, l.end, l.role, tuple(map(tuple, _labels(l.children)))) for l in labels)


def summary(version: AppVersion) -> dict:
    """What a .lu file must carry: every definition and every label, ids aside."""
    def features(item):
        return [(f.feature_name, f.model_name) for f in item.features]

    def entity(e):
        return (type(e).__name__, e.name, [r.name for r in e.roles],
                _children(e.children) if isinstance(e, MLEntity) else getattr(e, "children", None),
                features(e) if isinstance(e, MLEntity) else None,
                [(s.canonical_form, s.synonyms) for s in getattr(e, "sublists", [])],
                getattr(e, "regex_pattern", None))

    return {
        "app": (version.name, " ".join(version.desc.split()), version.version_id, version.culture,
                version.tokenizer_version, version.settings),
        "intents": [(i.name, features(i)) for i in version.intents],
        "entities": [entity(e) for e in sorted(version.entities, key=lambda e: ENTITY_KINDS.index(type(e)))],
        "phraselists": [(p.name, [w.strip() for w in p.phrases], p.interchangeable, p.active, p.enabled_for_all_models)
                        for p in version.phraselists],
        "patterns": sorted((p.intent, p.pattern) for p in version.patterns),
        "utterances": {i.name: [(u.text, _labels(u.labels)) for u in version.utterances if u.intent == i.name]
                       for i in version.intents},
    }


@pytest.mark.parametrize("path", LUIS_APPS, ids=lambda p: p.name)
def test_real_luis_export_survives_a_trip_through_lu(path):
    version = AppVersion.from_luis(json.loads(path.read_text()))
    text = write_lu(version)
    back = parse_lu(text)
    expected, got = summary(version), summary(back)
    for key in expected:
        assert got[key] == expected[key], key
    back.validate()
    assert write_lu(back) == text
