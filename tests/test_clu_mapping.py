"""CLU's view of a LUIS app (luislite/domain/clu.py): text offsets in CLU's units, and the project file mapping."""
from pathlib import Path

import pytest

from luislite.domain import clu
from luislite.domain.lu import parse_lu
from luislite.errors import InvalidRequest

FAMILY = "👨\u200d👩\u200d👧"  # one grapheme: 5 code points, 8 UTF-16 units


@pytest.mark.parametrize("kind, expected", [("TextElements_v8", (4, 2)), ("UnicodeCodePoint", (9, 2)),
                                            ("Utf16CodeUnit", (12, 2))])
def test_offsets_in_each_unit(kind, expected):
    text = f"a{FAMILY}e\u0301 ok"  # "ok" after a ZWJ family, an e with a combining acute and a space
    start = text.index("ok")
    assert clu.span_units(text, start, start + 2, kind) == expected


def test_string_index_type_spellings():
    assert clu.string_index_type("TextElement_V8") == clu.string_index_type(None) == "TextElements_v8"
    assert clu.string_index_type("utf16codeunit") == "Utf16CodeUnit"
    with pytest.raises(InvalidRequest):
        clu.string_index_type("Utf8CodeUnit")


def test_utf16_offsets_back_to_code_points():
    text = "😀 hi"
    assert clu.from_utf16(text, 3) == 2 and clu.from_utf16(text, 5) == len(text)
    with pytest.raises(InvalidRequest):
        clu.from_utf16(text, 1)  # inside the surrogate pair
    with pytest.raises(InvalidRequest):
        clu.from_utf16(text, 9)


@pytest.mark.filterwarnings("ignore:Line 7")  # pizza.lu's import line
def test_a_luis_app_as_a_clu_project():
    """Leaves of ML entities as Parent.Child, lists with their keys, prebuilts by CLU's names; patterns and
    phrase lists do not cross."""
    app = parse_lu((Path(__file__).parent / "fixtures" / "pizza.lu").read_text()).to_luis()
    project = clu.from_luis(app, "Pizza", set(), {}, "2023-04-01")
    entities = {e["category"]: e for e in project["assets"]["entities"]}
    assert {"Order.Quantity", "Order.Size", "Order.Toppings.Topping", "Address", "SizeList"} <= set(entities)
    assert "Order" not in entities and "SizeWords" not in entities
    assert entities["SizeList"]["list"]["sublists"][0] == {
        "listKey": "large", "synonyms": [{"language": "en-us", "values": ["large", "big", "huge"]}]}
    assert entities["number"]["prebuilts"] == [{"category": "Quantity.Number"}]
    first = project["assets"]["utterances"][0]
    assert first["text"] == "i want two large pizzas" and first["dataset"] == "Train"
    assert {"category": "Order.Size", "offset": 11, "length": 5} in first["entities"]
    assert "patterns" not in project["assets"]


def test_a_clu_project_as_a_luis_app():
    project = {"metadata": {"language": "en-us", "projectName": "p"}, "assets": {
        "intents": [{"category": "None"}, {"category": "Go"}],
        "entities": [{"category": "Where"}, {"category": "When", "prebuilts": [{"category": "datetime"}]},
                     {"category": "Code", "regex": {"expressions": [{"regexPattern": "a+"}, {"regexPattern": "b+"}]}}],
        "utterances": [{"text": "go 😀 home", "intent": "Go", "dataset": "Test",
                        "entities": [{"category": "Where", "offset": 6, "length": 4}]}]}}
    app, tests, specs = clu.to_luis(project, "0.1")
    assert specs == {}  # each entity one component combining its matches: LUIS's model says it all
    assert app["utterances"][0]["entities"] == [{"entity": "Where", "startPos": 5, "endPos": 8, "children": []}]
    assert app["prebuiltEntities"] == [{"name": "datetimeV2", "roles": [{"name": "When"}]}]
    assert app["regex_entities"][0]["regexPattern"] == "(?:a+)|(?:b+)" and tests == ["go 😀 home"]
    with pytest.raises(InvalidRequest):
        clu.to_luis({"metadata": {"language": "en"}, "assets": {"entities": [
            {"category": "X", "prebuilts": [{"category": "Quantity.Nothing"}]}]}}, "0.1")
    with pytest.raises(InvalidRequest):
        clu.to_luis({"metadata": {}}, "0.1")


SIZE = {"category": "Size", "compositionSetting": "separateComponents", "requiredComponents": ["list"],
        "list": {"sublists": [{"listKey": "big", "synonyms": [{"values": ["big"]}]}]},
        "regex": {"expressions": [{"regexKey": "Size", "regexPattern": "XL"}]},
        "prebuilts": [{"category": "Quantity.Number"}]}
MULTI = {"metadata": {"language": "en-us", "projectName": "p"}, "assets": {
    "intents": [{"category": "None"}], "entities": [SIZE],
    "utterances": [{"text": "a big one", "intent": "None", "dataset": "Train",
                    "entities": [{"category": "Size", "offset": 2, "length": 3}]}]}}


def test_an_entity_of_several_components():
    """A learned component (labelled), a list, a regex and a prebuilt: four LUIS entities, one CLU entity again."""
    app, _, specs = clu.to_luis(MULTI, "0.1")
    assert [e["name"] for e in app["entities"]] == ["Size"] and app["utterances"][0]["entities"] == [
        {"entity": "Size", "startPos": 2, "endPos": 4, "children": []}]
    assert [c["name"] for c in app["closedLists"]] == ["Size-list"]
    assert [r["name"] for r in app["regex_entities"]] == ["Size-regex"]
    assert app["prebuiltEntities"] == [{"name": "number", "roles": [{"name": "Size"}]}]
    assert specs == {"Size": {"compositionSetting": "separateComponents", "requiredComponents": ["list"],
                              "components": ["learned", "list", "regex", "prebuilts"],
                              "aliases": ["Size-list", "Size-regex"]}}
    exported = clu.from_luis(app | {"closedLists": [{"name": "Size-list", "roles": [], "subLists": [
        {"canonicalForm": "big", "list": []}]}]}, "p", set(), {}, "2023-04-01", specs)
    size = exported["assets"]["entities"]
    assert size == [{"category": "Size", "compositionSetting": "separateComponents", "requiredComponents": ["list"],
                     "list": {"sublists": [{"listKey": "big", "synonyms": [{"language": "en-us", "values": ["big"]}]}]},
                     "regex": {"expressions": [{"regexKey": "Size", "language": "en-us", "regexPattern": "XL"}]},
                     "prebuilts": [{"category": "Quantity.Number"}]}]
    assert exported["assets"]["utterances"][0]["entities"] == [{"category": "Size", "offset": 2, "length": 3}]


def test_bad_composition_is_refused():
    for entity in ({"category": "X", "compositionSetting": "merge"},
                   {"category": "X", "list": {"sublists": []}, "requiredComponents": ["regex"]}):
        with pytest.raises(InvalidRequest):
            clu.to_luis({"metadata": {"language": "en"}, "assets": {"entities": [entity]}}, "0.1")


# "3 mails" matched by a list component (L, 0-7) and a learned one (M, 0-1 and 2-7); "3" by a prebuilt (P, 0-1)
MATCHES = [("E", "list", 0, 7, "L"), ("E", "prebuilts", 0, 1, "P"), ("E", "learned", 0, 1, "M"),
           ("E", "learned", 9, 12, "M2")]


@pytest.mark.parametrize("setting, required, expected", [
    ("combineComponents", [], [("E", 0, 7, ["L", "P", "M"]), ("E", 9, 12, ["M2"])]),
    ("separateComponents", [], [("E", 0, 1, ["P"]), ("E", 0, 1, ["M"]), ("E", 0, 7, ["L"]), ("E", 9, 12, ["M2"])]),
    ("returnLongestOverlap", [], [("E", 0, 7, ["L"]), ("E", 9, 12, ["M2"])]),
    ("requireExactOverlap", [], []),  # "3 mails" list, "3" the others; "two" lacks the list and the prebuilt
    ("combineComponents", ["list"], [("E", 0, 7, ["L", "P", "M"])]),
    ("separateComponents", ["learned", "prebuilts"], [("E", 0, 1, ["P"]), ("E", 0, 1, ["M"]), ("E", 0, 7, ["L"])]),
])
def test_composition(setting, required, expected):
    specs = {"E": {"compositionSetting": setting, "requiredComponents": required,
                   "components": ["learned", "list", "prebuilts"]}}
    assert clu.compose(MATCHES, specs) == expected


def test_exact_overlap():
    specs = {"E": {"compositionSetting": "requireExactOverlap", "requiredComponents": [],
                   "components": ["list", "prebuilts"]}}
    assert clu.compose([("E", "list", 2, 3, "L"), ("E", "prebuilts", 2, 3, "P"), ("E", "list", 5, 6, "L2")],
                       specs) == [("E", 2, 3, ["L", "P"])]
    assert clu.compose([("E", "list", 2, 3, "L"), ("E", "prebuilts", 2, 4, "P")], specs) == []
    assert clu.compose([("F", "list", 2, 3, "L")], specs) == [("F", 2, 3, ["L"])]  # no spec: combined
