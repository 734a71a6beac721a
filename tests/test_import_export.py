"""LUIS app JSON: every real export in ../shared/datasets imports, round-trips stably, and keeps its labels.

Documented conversions the label checks allow for: a hierarchical `Parent::Child` label becomes a
`Parent` label with a nested `Child` label (same span), flat child labels of schema <= 6.x move into
their parent's `children`, and utterances whose texts differ only in case are merged (the last wins).
"""
import json

import pytest

from conftest import REPO, unique_name
from luislite.domain.appversion import AppVersion

DATASETS = REPO.parent / "shared" / "datasets"
FILES = sorted(p.relative_to(DATASETS).as_posix() for p in DATASETS.glob("luis-apps/*.json")) + \
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
def luis_file(request, shared_datasets):
    return shared_datasets / request.param


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
