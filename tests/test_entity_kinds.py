"""Entity kinds: each `EntityKind` names its kind the way every part of luislite and LUIS does.

A new kind gets its LUIS names and a create body in `LUIS` below; every test here then runs on it.
"""
import pytest

from luislite.api.luis.prediction.render import entities_v3
from luislite.domain.appversion import (ENTITY_KINDS, CompositeEntity, ListEntity, MLEntity, PatternAnyEntity,
                                        PrebuiltEntity, RegexEntity)
from luislite.domain.lu import parse_lu
from luislite.nlu.prediction import EntitySpan

# LUIS's names of each kind: app JSON section, authoring URL segment, typeId, readableType, `.lu` type,
# v3 `$instance` modelType; and a create body for its URL segment (a composite's child is the ML entity "Order")
LUIS = {
    MLEntity: ("entities", "entities", 1, "Entity Extractor", "ml", "Entity Extractor", {"name": "Order"}),
    ListEntity: ("closedLists", "closedlists", 5, "Closed List Entity Extractor", "list", "List Entity Extractor",
                 {"name": "Sizes", "subLists": [{"canonicalForm": "small", "list": ["S"]}]}),
    RegexEntity: ("regex_entities", "regexentities", 8, "Regex Entity Extractor", "regex", "Regex Entity Extractor",
                  {"name": "Code", "regexPattern": "kb[0-9]{6}"}),
    PrebuiltEntity: ("prebuiltEntities", "prebuilts", 2, "Prebuilt Entity Extractor", "prebuilt",
                     "Prebuilt Entity Extractor", ["number"]),
    PatternAnyEntity: ("patternAnyEntities", "patternanyentities", 7, "Pattern.any Entity Extractor", "patternany",
                       "Pattern.any Entity Extractor", {"name": "Title", "explicitList": ["the hobbit"]}),
    CompositeEntity: ("composites", "compositeentities", 4, "Composite Entity Extractor", "composite",
                      "Composite Entity Extractor", {"name": "Trip", "children": ["Order"]}),
}
NAMES = {cls: spec[-1][0] if isinstance(spec[-1], list) else spec[-1]["name"] for cls, spec in LUIS.items()}


@pytest.mark.parametrize("cls", ENTITY_KINDS, ids=lambda cls: cls.__name__)
def test_a_kind_has_luis_names(cls):
    kind = cls.kind
    assert LUIS[cls][:-1] == (kind.section, kind.url_segment, kind.type_id, kind.readable_type, kind.lu_type,
                              kind.model_type)


@pytest.mark.parametrize("field", ["section", "url_segment", "type_id", "lu_type", "lu_title", "span_kind"])
def test_every_kind_has_its_own_names(field):
    assert set(LUIS) == set(ENTITY_KINDS)
    values = [getattr(cls.kind, field) for cls in ENTITY_KINDS]
    assert len(set(values)) == len(values)


@pytest.fixture
def app_with_every_kind(http, new_app) -> str:
    base = f"/apps/{new_app}/versions/0.1"
    for cls in ENTITY_KINDS:  # export order: ML before the composite naming it
        segment, body = LUIS[cls][1], LUIS[cls][-1]
        assert http.post(f"{base}/{segment}", json=body).status_code == 201
    return base


def test_a_kind_is_served_under_its_url_segment_and_exported_in_its_section(http, app_with_every_kind):
    base = app_with_every_kind
    exported = http.get(f"{base}/export").json()
    for cls, (section, segment, type_id, readable_type, *_) in LUIS.items():
        listed = http.get(f"{base}/{segment}").json()
        assert [(e["name"], e["typeId"], e["readableType"]) for e in listed] == [(NAMES[cls], type_id, readable_type)]
        assert [e["name"] for e in exported[section]] == [NAMES[cls]]


def test_a_kind_is_written_and_read_back_in_lu_as_its_type(http, app_with_every_kind):
    lu = http.get(f"{app_with_every_kind}/export", params={"format": "lu"}).text
    for cls, spec in LUIS.items():
        assert f"> # {cls.kind.lu_title}\n\n@ {spec[4]} {NAMES[cls]}" in lu
    version = parse_lu(lu)
    assert sorted((type(e).__name__, e.name) for e in version.entities) == \
        sorted((cls.__name__, name) for cls, name in NAMES.items())


@pytest.mark.parametrize("cls", ENTITY_KINDS, ids=lambda cls: cls.__name__)
def test_a_span_of_a_kind_answers_its_model_type(cls):
    span = EntitySpan(NAMES[cls], 0, 4, None, kind=cls.kind.span_kind)
    [instance] = entities_v3([span], "some text", verbose=True)["$instance"][NAMES[cls]]
    prefix = "builtin." if cls is PrebuiltEntity else ""
    assert (instance["type"], instance["modelTypeId"], instance["modelType"]) == \
        (prefix + NAMES[cls], LUIS[cls][2], LUIS[cls][5])
