"""Every real LUIS export in tests/fixtures/luis-apps: import, train (tiny BERT), publish, and predict utterances
that exercise its lists, regexes, prebuilts and patterns, checking values and offsets in the v3 and v2 shapes.

The tiny model learns next to nothing, so only what the deterministic recognizers decide is checked: list, regex,
prebuilt and pattern.any values, and the intents of matching patterns. Spans may sit inside a composite the model
happened to find, so values are looked for at any depth. All apps train at once on the module's one server.
"""
import json
import time
import uuid

import pytest
import requests

from conftest import FIXTURES

LUIS_APPS = FIXTURES / "luis-apps"
V3 = "/luis/prediction/v3.0"
V2 = "/luis/v2.0"
REFERENCE = "2024-05-01T10:00:00Z"
TOMORROW = {"type": "date", "values": [{"timex": "2024-05-02", "resolution": [{"value": "2024-05-02"}]}]}

# file -> [(query, intent a pattern decides or None, [(v3 key, text, v3 value, v2 type, v2 resolution)])]
# a v2 resolution of ... is not compared (datetimeV2 resolves against the clock in v2, which has no reference)
CASES = {
    "v2.1.0_TravelAgent.json": [
        ("fly to BCN tomorrow", None, [
            ("Coastal Cities", "BCN", ["Barcelona"], "Coastal Cities", {"values": ["Barcelona"]}),
            ("datetimeV2", "tomorrow", TOMORROW, "builtin.datetimeV2.date", ...)]),
        ("i need 3 tickets to barna", None, [
            ("number", "3", 3, "builtin.number", {"subtype": "integer", "value": "3"}),
            ("Coastal Cities", "barna", ["Barcelona"], "Coastal Cities", {"values": ["Barcelona"]})]),
    ],
    "v3.0.0_HumanResources_patterns-any.json": [
        ("who is Jill Jones the subordinate of?", "OrgChart-Manager", [
            ("Employee", "Jill Jones", ["Employee-45612"], "Employee", {"values": ["Employee-45612"]})]),
        ("who is john w. smith's supervisor", "OrgChart-Manager", [
            ("Employee", "john w. smith", ["Employee-24612"], "Employee", {"values": ["Employee-24612"]})]),
        ('where is the form "expense report" and who needs to sign it after i read it?', "FindForm", [
            ("FormName", "expense report", "expense report", "FormName", None)]),
        ("file HRF-123456 tomorrow", None, [
            ("HRF-number", "HRF-123456", "HRF-123456", "HRF-number", None),
            ("datetimeV2", "tomorrow", TOMORROW, "builtin.datetimeV2.date", ...)]),
    ],
    "v3.1.0_hotel-finder_LuisBot.json": [
        ("show hotels near LAX", None, [("AirportCodeRegex", "LAX", "LAX", "AirportCodeRegex", None)]),
    ],
    "v3.2.0_core-bot_FlightBooking.json": [
        ("fly from cdg to Seattle on march 3rd", None, [
            ("Airport", "cdg", ["Paris"], "Airport", {"values": ["Paris"]}),
            ("Airport", "Seattle", ["Seattle"], "Airport", {"values": ["Seattle"]}),
            ("datetimeV2", "march 3rd", {"type": "date", "values": [{"timex": "XXXX-03-03", "resolution": [
                {"value": "2024-03-03"}, {"value": "2025-03-03"}]}]}, "builtin.datetimeV2.date", ...)]),
    ],
    "v3.2.0_dispatch_HomeAutomation.json": [
        ("turn on kitchen lights in the living room", "HomeAutomation", [
            ("Device_PatternAny", "kitchen lights", "kitchen lights", "Device_PatternAny", None),
            ("Room_PatternAny", "the living room", "the living room", "Room_PatternAny", None),
            ("Operation", "turn on", ["on"], "Operation", {"values": ["on"]})]),
        ("set the thermostat to 72.5", None, [
            ("number", "72.5", 72.5, "builtin.number", {"subtype": "decimal", "value": "72.5"})]),
    ],
    "v4.0.0_sandwich.json": [
        ("multi grain wheat with Pepper Jack", None, [
            ("BreadEntity", "multi grain wheat", ["multiGrainWheat"], "BreadEntity", {"values": ["multiGrainWheat"]}),
            ("CheeseEntity", "Pepper Jack", ["pepper jack"], "CheeseEntity", {"values": ["pepper jack"]})]),
        ("$5.50", "sandwich", [
            ("money", "$5.50", {"number": 5.5, "units": "Dollar"}, "builtin.currency",
             {"unit": "Dollar", "value": "5.5"})]),
        ("6 inches", "sandwich", [
            ("dimension", "6 inches", {"number": 6, "units": "Inch"}, "builtin.dimension",
             {"unit": "Inch", "value": "6"})]),
    ],
    "v6.0.0_pizza-tutorial-with-entities.json": [
        ("i want 3 pizzas", None, [("number", "3", 3, "builtin.number", {"subtype": "integer", "value": "3"})]),
    ],
    "v7.0.0_Pizza_app_full.json": [
        ("2 pizzas large pepperoni ham for tomorrow", "ModifyOrder", [
            ("number", "2", 2, "builtin.number", {"subtype": "integer", "value": "2"}),
            ("SizeList", "large", ["Large"], "SizeList", {"values": ["Large"]}),
            ("ToppingList", "pepperoni", ["Pepperoni"], "ToppingList", {"values": ["Pepperoni"]}),
            ("ToppingList", "ham", ["Ham"], "ToppingList", {"values": ["Ham"]}),
            ("datetimeV2", "tomorrow", TOMORROW, "builtin.datetimeV2.date", ...)]),
    ],
    "v7.0.0_app-build-v7.json": [
        ("hellp me, i am 5 years old", None, [
            ("hellp", "hellp", "hellp", "hellp", None),
            ("age", "5 years old", {"number": 5, "unit": "Year"}, "builtin.age", {"unit": "Year", "value": "5"})]),
    ],
}


@pytest.fixture(scope="module")
def published(tiny_server):
    """file name -> app id: every export imported, trained (all queued at once) and published to production."""
    with requests.Session() as http:
        http.headers["Ocp-Apim-Subscription-Key"] = tiny_server.key
        return _publish_all(_Authoring(http, tiny_server.url))


class _Authoring:
    """Authoring calls under the v3.0-preview prefix (the `tiny_http` fixture is per test; this is per module)."""

    def __init__(self, session: requests.Session, url: str):
        self.session, self.prefix = session, f"{url}/luis/authoring/v3.0-preview"

    def get(self, path: str, **kwargs):
        return self.session.get(self.prefix + path, timeout=60, **kwargs)

    def post(self, path: str, **kwargs):
        return self.session.post(self.prefix + path, timeout=60, **kwargs)


def _publish_all(tiny_http) -> dict:
    files = sorted(LUIS_APPS.glob("*.json"))
    assert {f.name for f in files} >= set(CASES)
    apps = {}
    for path in files:
        response = tiny_http.post("/apps/import", params={"appName": f"{path.stem[:30]}-{uuid.uuid4().hex[:8]}"},
                                  data=path.read_bytes(), headers={"Content-Type": "application/json"})
        assert response.status_code == 201, response.text[:500]
        apps[path.name] = response.json()
    for app_id in apps.values():
        assert tiny_http.post(f"/apps/{app_id}/versions/{_version(tiny_http, app_id)}/train").status_code == 202
    deadline = time.monotonic() + 900
    for name, app_id in apps.items():
        version = _version(tiny_http, app_id)
        while True:
            statuses = [s["details"]["status"]
                        for s in tiny_http.get(f"/apps/{app_id}/versions/{version}/train").json()]
            if statuses and not {"Queued", "InProgress"} & set(statuses):
                break
            assert time.monotonic() < deadline, f"{name} did not train in time"
            time.sleep(0.5)
        assert set(statuses) <= {"Success", "UpToDate"}, (name, statuses)
        response = tiny_http.post(f"/apps/{app_id}/publish", json={"versionId": version, "isStaging": False})
        assert response.status_code == 201, response.text
    return apps


def _version(http, app_id: str) -> str:
    return http.get(f"/apps/{app_id}").json()["activeVersion"]


def _found(entities: dict, key: str):
    """(value, $instance) pairs of `key` at any depth of a v3 `entities` object (children, composites)."""
    for name, values in entities.items():
        if name == "$instance":
            continue
        if name == key:
            yield from zip(values, entities["$instance"][name])
        for value in values:
            if isinstance(value, dict) and "$instance" in value:
                yield from _found(value, key)


CASE_IDS = [(name, n) for name, cases in CASES.items() for n in range(len(cases))]


@pytest.mark.parametrize("name,n", CASE_IDS, ids=[f"{name[:-5]}-{n}" for name, n in CASE_IDS])
def test_v3_values_offsets_and_pattern_intents(tiny_server, tiny_http, published, name, n):
    query, intent, expected = CASES[name][n]
    response = tiny_http.post(tiny_http.url(f"/apps/{published[name]}/slots/production/predict", prefix=V3),
                              params={"verbose": "true", "show-all-intents": "true"},
                              json={"query": query, "options": {"datetimeReference": REFERENCE}})
    assert response.status_code == 200, response.text
    prediction = response.json()["prediction"]
    if intent:
        assert prediction["topIntent"] == intent
        assert prediction["intents"][intent]["score"] >= 0.99
    for key, text, value, v2_type, _ in expected:
        found = [(v, i) for v, i in _found(prediction["entities"], key) if i["text"] == text]
        assert found, (key, text, prediction["entities"])
        got, instance = found[0]
        assert got == value
        start = query.index(text)
        assert (instance["startIndex"], instance["length"]) == (start, len(text))
        assert query[instance["startIndex"]:instance["startIndex"] + instance["length"]] == text
        assert instance["type"] == v2_type
        if v2_type.startswith("builtin."):
            assert (instance["modelTypeId"], instance["modelType"]) == (2, "Prebuilt Entity Extractor")
        elif isinstance(value, list):
            assert (instance["modelTypeId"], instance["modelType"]) == (5, "List Entity Extractor")
        else:
            assert instance["modelTypeId"] in (7, 8) and "score" not in instance


@pytest.mark.parametrize("name,n", CASE_IDS, ids=[f"{name[:-5]}-{n}" for name, n in CASE_IDS])
def test_v2_entities_and_resolutions(tiny_server, tiny_http, published, name, n):
    query, intent, expected = CASES[name][n]
    response = tiny_http.get(tiny_http.url(f"/apps/{published[name]}", prefix=V2),
                             params={"q": query, "verbose": "true", "timezoneOffset": "0"})
    assert response.status_code == 200, response.text
    answer = response.json()
    if intent:
        assert answer["topScoringIntent"]["intent"] == intent and answer["intents"][0]["intent"] == intent
    for key, text, value, v2_type, resolution in expected:
        start = query.index(text)
        found = [e for e in answer["entities"] if e["type"] == v2_type and e["startIndex"] == start]
        assert found, (key, text, answer["entities"])
        entity = found[0]
        assert (entity["entity"], entity["endIndex"]) == (text.lower(), start + len(text) - 1)
        if resolution is None:
            assert "resolution" not in entity and "score" not in entity
        elif resolution is not ...:
            assert entity["resolution"] == resolution
        else:
            assert entity["resolution"]["values"][0]["type"] == value["type"]
    for composite in answer.get("compositeEntities", []):
        assert {"parentType", "value", "children"} <= set(composite) and composite["value"] in query.lower()


def test_every_export_answers_both_shapes_for_its_own_utterances(tiny_http, published):
    """A few training utterances per app: whatever the model says, the answers are well formed and offsets exact."""
    for name, app_id in published.items():
        doc = json.loads((LUIS_APPS / name).read_text())
        for utterance in [u["text"] for u in doc["utterances"][:3]]:
            v3 = tiny_http.get(tiny_http.url(f"/apps/{app_id}/slots/production/predict", prefix=V3),
                               params={"query": utterance, "verbose": "true"}).json()["prediction"]
            for instance in _instances(v3["entities"]):
                start = instance["startIndex"]
                assert utterance[start:start + instance["length"]] == instance["text"]
            v2 = tiny_http.get(tiny_http.url(f"/apps/{app_id}", prefix=V2), params={"q": utterance}).json()
            for entity in v2["entities"]:
                assert utterance[entity["startIndex"]:entity["endIndex"] + 1].lower() == entity["entity"]


def _instances(entities: dict):
    for items in entities.get("$instance", {}).values():
        yield from items
    for name, values in entities.items():
        for value in values if name != "$instance" else []:
            if isinstance(value, dict) and "$instance" in value:
                yield from _instances(value)
