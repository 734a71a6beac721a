"""LUIS app JSON: every real export in tests/fixtures imports, exports as its source (after the documented
upgrades, see `expected_export`), round-trips stably, and keeps its labels.

Documented conversions the label checks allow for: a hierarchical `Parent::Child` label becomes a
`Parent` label with a nested `Child` label (same span), flat child labels of schema <= 6.x move into
their parent's `children`, and utterances whose texts differ only in case are merged (the last wins).
"""
import json

import pytest

from conftest import FIXTURES, unique_name
from luislite.domain.appversion import AppVersion

FILES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("luis-apps/*.json")) + \
    ["snips/train_luis_app.json", "atis/train_luis_app.json"]


def label_spans(doc: dict, merge_duplicates: bool = False) -> set:
    """(text, entity, role, labeled text) of every label, nested ones included, hierarchical ones split."""
    utterances = doc.get("utterances") or []
    if merge_duplicates:
        utterances = {u["text"].lower(): u for u in utterances}.values()
    spans = set()

    def visit(text, labels):
        for label in labels:
            span = text[label["startPos"]:label["endPos"] + 1]
            for name in label["entity"].split("::"):
                spans.add((text, name, label.get("role") or None, span))
            visit(text, label.get("children") or [])

    for utterance in utterances:
        visit(utterance["text"], utterance.get("entities") or [])
    return spans


@pytest.fixture(params=FILES)
def luis_file(request):
    return FIXTURES / request.param


# --- unit level: AppVersion alone, no server ------------------------------------------------------

def test_from_luis_to_luis(luis_file):
    doc = json.loads(luis_file.read_text())
    version = AppVersion.from_luis(doc)
    version.validate()
    exported = version.to_luis()
    assert exported["luis_schema_version"] == "7.0.0"
    assert AppVersion.from_luis(exported).to_luis() == exported
    assert label_spans(exported) == label_spans(doc)
    assert len(exported["utterances"]) == len(doc.get("utterances") or [])
    assert "None" in [i["name"] for i in exported["intents"]]
    for key in ("intents", "entities", "hierarchicals", "composites", "closedLists", "prebuiltEntities",
                "patternAnyEntities", "regex_entities", "phraselists", "regex_features", "patterns", "utterances"):
        assert isinstance(exported[key], list), key


def test_unknown_parts_are_kept():
    doc = {"luis_schema_version": "7.0.0", "culture": "en-us", "name": "x", "versionId": "0.1",
           "intents": [{"name": "Greet", "customThing": 1}], "entities": [{"name": "E", "roles": [], "x": [1]}],
           "regex_features": [{"name": "rf", "pattern": "a+", "activated": True}],
           "utterances": [{"text": "hi", "intent": "Greet", "entities": []}], "someExtension": {"keep": True}}
    exported = AppVersion.from_luis(doc).to_luis()
    assert exported["someExtension"] == {"keep": True}
    assert exported["intents"][1]["customThing"] == 1 and exported["entities"][0]["x"] == [1]
    assert exported["regex_features"] == doc["regex_features"]
    assert AppVersion.from_luis(exported).to_luis() == exported


def test_legacy_keys_are_upgraded():
    doc = {"luis_schema_version": "2.1.0", "culture": "en-us", "name": "x", "versionId": "0.1",
           "intents": [{"name": "Go"}], "bing_entities": ["number"],
           "model_features": [{"name": "cities", "mode": True, "words": "paris,rome", "activated": True}],
           "entities": [{"name": "Location", "children": ["From", "To"]}],
           "utterances": [{"text": "go from paris to 2 rome", "intent": "Go", "entities": [
               {"entity": "Location::From", "startPos": 8, "endPos": 12},
               {"entity": "Location::To", "startPos": 17, "endPos": 22}]}]}
    version = AppVersion.from_luis(doc)
    version.validate()
    exported = version.to_luis()
    assert [p["name"] for p in exported["prebuiltEntities"]] == ["number"]
    assert exported["phraselists"][0]["words"] == "paris,rome"
    assert [c["name"] for c in exported["entities"][0]["children"]] == ["From", "To"]
    labels = exported["utterances"][0]["entities"]
    assert [(l["entity"], l["startPos"], l["endPos"], [c["entity"] for c in l["children"]]) for l in labels] == \
        [("Location", 8, 12, ["From"]), ("Location", 17, 22, ["To"])]
    assert "bing_entities" not in exported and "model_features" not in exported


# --- through the server: POST /apps/import and versions/import, raw JSON files ----------------------

def _import_app(http, raw: bytes) -> str:
    response = http.post("/apps/import", params={"appName": unique_name("import")}, data=raw,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text[:500]
    return response.json()


def _export(http, app_id: str, version_id: str) -> dict:
    response = http.get(f"/apps/{app_id}/versions/{version_id}/export")
    assert response.status_code == 200, response.text[:500]
    return response.json()


def test_import_export_round_trip(http, luis_file):
    raw = luis_file.read_bytes()
    original = json.loads(raw)
    app_id = _import_app(http, raw)
    version_id = http.get(f"/apps/{app_id}").json()["activeVersion"]
    assert version_id == str(original.get("versionId") or "0.1")
    first = _export(http, app_id, version_id)
    assert first["luis_schema_version"] == "7.0.0"
    assert label_spans(first) == label_spans(original, merge_duplicates=True)
    assert len(first["utterances"]) == len({u["text"].lower() for u in original.get("utterances") or []})

    response = http.post(f"/apps/{app_id}/versions/import", params={"versionId": "copy"}, data=raw,
                         headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (201, "copy")
    assert http.get(f"/apps/{app_id}").json()["activeVersion"] == "copy"  # as in LUIS; `bf luis:build` relies on it
    assert _export(http, app_id, "copy") == first | {"versionId": "copy"}

    again = _export(http, _import_app(http, json.dumps(first).encode()), version_id)
    assert again == first | {"name": again["name"]}


# --- round trip against the source: what an export must hold, derived from the source file itself ---------------

DEFAULT_SETTINGS = [{"name": n, "value": "false"} for n in
                    ("UseAllTrainingData", "NormalizePunctuation", "NormalizeDiacritics", "NormalizeWordForm")]


def expected_export(source: dict, name: str) -> dict:
    """The export of `source` imported as app `name`, written here independently of luislite's reader.

    Documented upgrades to 7.0.0: `bing_entities` become prebuilt entities, `model_features` phrase lists,
    hierarchical entities (string children, `hierarchicals`) ML entities with children, `Parent::Child` and flat
    child labels nested labels (see `label_paths`); an empty `actions` is dropped. Defaults written out: `roles`,
    `features`, `children`, `explicitList` [], a feature's `isRequired` false, a phrase list `mode`, `activated`,
    `enabledForAllModels` true, `tokenizerVersion` 1.0.0, absent or empty `settings` LUIS's four defaults (false).
    Form only: ids are dropped, roles and explicit-list items compared by name, labels as `label_paths`.
    """
    doc = {k: v for k, v in source.items() if k not in ("bing_entities", "model_features", "hierarchicals")}
    if not doc.get("actions"):
        doc.pop("actions", None)
    entities = (source.get("entities") or []) + (source.get("hierarchicals") or [])
    prebuilts = source.get("prebuiltEntities") or []
    prebuilts += [{"name": n} for n in source.get("bing_entities") or [] if n not in {p["name"] for p in prebuilts}]
    return doc | {
        "luis_schema_version": "7.0.0", "name": name, "versionId": source.get("versionId") or "0.1",
        "desc": source.get("desc") or "", "culture": source["culture"].lower(),
        "tokenizerVersion": source.get("tokenizerVersion") or "1.0.0", "hierarchicals": [],
        "intents": [i | {"features": _features(i)} for i in source["intents"]],
        "entities": [_ml_entity(e) for e in entities],
        "composites": [_with_roles(e) for e in source.get("composites") or []],
        "closedLists": [_list_entity(e) for e in source.get("closedLists") or []],
        "prebuiltEntities": [_with_roles(e) for e in prebuilts],
        "patternAnyEntities": [_pattern_any(e) for e in source.get("patternAnyEntities") or []],
        "regex_entities": [_with_roles(e) for e in source.get("regex_entities") or []],
        "phraselists": [{"mode": True, "activated": True, "enabledForAllModels": True} | _without_id(p)
                        for p in (source.get("phraselists") or source.get("model_features") or [])],
        "regex_features": source.get("regex_features") or [],
        "patterns": [{"pattern": p["pattern"], "intent": p["intent"]} for p in source.get("patterns") or []],
        "utterances": [(u["text"], u["intent"], label_paths(u, source)) for u in source["utterances"]],
        "settings": source.get("settings") or DEFAULT_SETTINGS,
    }


def comparable_export(export: dict) -> dict:
    """An export in the form `expected_export` writes: ids dropped, labels as `label_paths`."""
    return export | {
        "entities": [_ml_entity(e) for e in export["entities"]],
        **{kind: [_with_roles(e) for e in export[kind]] for kind in ("composites", "prebuiltEntities",
                                                                     "regex_entities")},
        "closedLists": [_list_entity(e) for e in export["closedLists"]],
        "patternAnyEntities": [_pattern_any(e) for e in export["patternAnyEntities"]],
        "phraselists": [_without_id(p) for p in export["phraselists"]],
        "utterances": [(u["text"], u["intent"], label_paths(u, export)) for u in export["utterances"]]}


def _without_id(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "id"}


def _list_entity(entity: dict) -> dict:
    return _with_roles(entity) | {"subLists": [_without_id(s) for s in entity["subLists"]]}


def _pattern_any(entity: dict) -> dict:
    items = [i if isinstance(i, str) else i["explicitListItem"] for i in entity.get("explicitList") or []]
    return _with_roles(entity) | {"explicitList": items}


def _with_roles(entity: dict) -> dict:
    return _without_id(entity) | {"roles": [r if isinstance(r, str) else r["name"] for r in entity.get("roles") or []]}


def _features(model: dict) -> list[dict]:
    return [{"isRequired": False} | f for f in model.get("features") or []]


def _ml_entity(entity: dict) -> dict:
    """An ML entity or a child: string children (hierarchical entities) become children without children."""
    children = [_ml_entity({"name": c} if isinstance(c, str) else c) for c in entity.get("children") or []]
    return _with_roles(entity) | {"features": _features(entity), "children": children}


ENTITY_SECTIONS = ("entities", "hierarchicals", "composites", "closedLists", "prebuiltEntities", "patternAnyEntities",
                   "regex_entities")


def label_paths(utterance: dict, doc: dict) -> list[tuple]:
    """(entity path, role, startPos, endPos) of every label of an utterance of `doc`, sorted, children nested or not.

    A `Parent::Child` label is a `Parent` label holding a `Child` label of the same span; a flat label of a child
    (schema <= 6.x) belongs to the smallest label around it whose entity has that child."""
    top_level = {e["name"] for section in ENTITY_SECTIONS for e in doc.get(section) or []}
    top_level |= set(doc.get("bing_entities") or [])
    children = {}

    def declare(path, node):
        children[path] = {c if isinstance(c, str) else c["name"] for c in node.get("children") or []}
        for child in node.get("children") or []:
            if not isinstance(child, str):
                declare(path + (child["name"],), child)

    for entity in (doc.get("entities") or []) + (doc.get("hierarchicals") or []):
        declare((entity["name"],), entity)
    paths = []

    def visit(labels, parent):
        for label in labels:
            path = parent + tuple(label["entity"].split("::"))
            for depth in range(len(parent) + 1, len(path) + 1):
                paths.append((path[:depth], label.get("role"), label["startPos"], label["endPos"]))
            visit(label.get("children") or [], path)

    visit([label for label in utterance["entities"] if label["entity"].split("::")[0] in top_level], ())
    for flat in sorted((label for label in utterance["entities"] if label["entity"].split("::")[0] not in top_level),
                       key=lambda label: label["endPos"] - label["startPos"], reverse=True):
        around = min((p for p in paths if p[2] <= flat["startPos"] and flat["endPos"] <= p[3]
                      and flat["entity"] in children.get(p[0], ())), key=lambda p: p[3] - p[2])
        visit([flat], around[0])
    return sorted(paths, key=lambda p: (p[2], p[3], p[0]))


def test_import_then_export_gives_back_the_source(http, luis_file):
    raw = luis_file.read_bytes()
    app_name = unique_name("source")
    response = http.post("/apps/import", params={"appName": app_name}, data=raw,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text[:500]
    source = json.loads(raw)
    expected = expected_export(source, app_name)
    exported = comparable_export(_export(http, response.json(), expected["versionId"]))
    for key in expected:
        assert exported[key] == expected[key], key
    assert set(exported) == set(expected)
