"""Entities of every kind, roles, features, phrase lists, patterns and models, through the official SDK 0.7.1.

Plain HTTP covers error cases, v2.0-only routes (composite create, PUT rename, the features envelope) and
the v2.0 prefix.
"""
import pytest
from azure.cognitiveservices.language.luis.authoring.models import (
    ChildEntityModelCreateObject, EntityLabelObject, ErrorResponseException, ExampleLabelObject,
    ModelFeatureInformation, PatternRuleCreateObject, PatternRuleUpdateObject, PhraselistCreateObject,
    PhraselistUpdateObject, WordListObject)

from conftest import AUTHORING_V2

V = "0.1"


def status_of(call, *args, **kwargs) -> int:
    with pytest.raises(ErrorResponseException) as error:
        call(*args, **kwargs)
    return error.value.response.status_code


def child(name, *children, instance_of=None):
    return ChildEntityModelCreateObject(name=name, instance_of=instance_of, children=list(children))


def label_example(authoring, app, text, intent, entity, value, role=None):
    start = text.index(value)
    label = EntityLabelObject(entity_name=entity, start_char_index=start, end_char_index=start + len(value), role=role)
    authoring.examples.add(app, V, ExampleLabelObject(text=text, intent_name=intent, entity_labels=[label]))


def labels(http, app) -> list[tuple]:
    """(text, entity, role, child labels' names) of every example's labels."""
    examples = http.get(f"/apps/{app}/versions/{V}/examples").json()
    return [(e["text"], lab["entityName"], lab["role"], [c["entityName"] for c in lab["children"]])
            for e in examples for lab in e["entityLabels"]]


# --- machine-learned entities and children --------------------------------------------------------

def test_ml_entity_with_nested_children(authoring, http, new_app):
    model = authoring.model
    order = model.add_entity(new_app, V, name="Order", children=[child("Pizza", child("Size"))])
    model.add_closed_list(new_app, V, name="SizeList", sub_lists=[WordListObject(canonical_form="large")])

    entity = model.get_entity(new_app, V, order)
    assert (entity.name, entity.type_id, entity.readable_type) == ("Order", 1, "Entity Extractor")
    [pizza] = entity.children
    assert (pizza.name, [c.name for c in pizza.children]) == ("Pizza", ["Size"])

    size = pizza.children[0].id
    topping = model.add_entity_child(new_app, V, pizza.id, child("Topping", child("Extra")))
    model.update_entity_child(new_app, V, size, name="PizzaSize", instance_of="sizelist")
    pizza = model.get_entity(new_app, V, order).children[0]
    assert [(c.name, c.instance_of) for c in pizza.children] == [("PizzaSize", "SizeList"), ("Topping", None)]
    assert pizza.children[1].id == topping and pizza.children[1].children[0].name == "Extra"

    model.delete_entity(new_app, V, topping)
    assert [c.name for c in model.get_entity(new_app, V, order).children[0].children] == ["PizzaSize"]
    assert [e.name for e in model.list_entities(new_app, V)] == ["Order"]
    assert model.list_entity_suggestions(new_app, V, order) == []


def test_children_nest_at_most_five_levels(authoring, new_app):
    parent = authoring.model.add_entity(new_app, V, name="Deep")
    for depth in range(1, 6):
        parent = authoring.model.add_entity_child(new_app, V, parent, child(f"Level{depth}"))
    assert status_of(authoring.model.add_entity_child, new_app, V, parent, child("Level6")) == 400


def test_child_names_and_instance_of_are_checked(authoring, new_app):
    order = authoring.model.add_entity(new_app, V, name="Order", children=[child("Size")])
    assert status_of(authoring.model.add_entity_child, new_app, V, order, child("size")) == 400
    assert status_of(authoring.model.add_entity_child, new_app, V, order, child("X", instance_of="Nope")) == 400
    assert status_of(authoring.model.add_entity, new_app, V, name="Bad", children=[child("A"), child("a")]) == 400


def test_entity_names_are_unique_across_kinds(authoring, new_app):
    model = authoring.model
    model.add_entity(new_app, V, name="City")
    assert status_of(model.add_closed_list, new_app, V, name="city", sub_lists=[]) == 400
    assert status_of(model.create_regex_entity_model, new_app, V, name="CITY", regex_pattern="x") == 400
    assert status_of(model.create_pattern_any_entity_model, new_app, V, name="City") == 400
    assert status_of(model.add_entity, new_app, V, name="number") == 400  # reserved for the prebuilt
    regex = model.create_regex_entity_model(new_app, V, name="Code", regex_pattern="[a-z]{3}")
    assert status_of(model.update_regex_entity_model, new_app, V, regex, name="City", regex_pattern="x") == 400


def test_rename_and_delete_entity_rewrite_labels(authoring, http, new_app):
    model = authoring.model
    model.add_intent(new_app, V, name="Order")
    order = model.add_entity(new_app, V, name="Pizza", children=[child("Size")])
    city = model.add_entity(new_app, V, name="City")
    text = "a large pizza to paris"
    authoring.examples.add(new_app, V, ExampleLabelObject(text=text, intent_name="Order", entity_labels=[
        EntityLabelObject(entity_name="Pizza", start_char_index=2, end_char_index=13, children=[
            EntityLabelObject(entity_name="Size", start_char_index=2, end_char_index=7)]),
        EntityLabelObject(entity_name="City", start_char_index=17, end_char_index=22)]))

    model.update_entity_child(new_app, V, order, name="Pie")
    size = model.get_entity(new_app, V, order).children[0].id
    model.update_entity_child(new_app, V, size, name="Diameter")
    assert labels(http, new_app) == [(text, "Pie", None, ["Diameter"]), (text, "City", None, [])]

    model.delete_entity(new_app, V, size)
    assert labels(http, new_app) == [(text, "Pie", None, []), (text, "City", None, [])]
    model.delete_entity(new_app, V, city)
    assert labels(http, new_app) == [(text, "Pie", None, [])]


def test_unknown_ids_are_404(authoring, http, new_app):
    missing = "00000000-0000-0000-0000-000000000000"
    model = authoring.model
    for call in (model.get_entity, model.delete_entity, model.get_closed_list, model.get_prebuilt,
                 model.get_regex_entity_entity_info, model.get_pattern_any_entity_info,
                 model.get_composite_entity, model.get_hierarchical_entity, model.list_entity_roles):
        assert status_of(call, new_app, V, missing) == 404, call.__name__
    assert status_of(model.update_entity_child, new_app, V, missing, name="x") == 404
    assert status_of(model.update_hierarchical_entity, new_app, V, missing, name="x") == 404
    assert status_of(model.delete_hierarchical_entity_child, new_app, V, missing, missing) == 404
    intent = model.list_intents(new_app, V)[0].id  # an intent is not an entity
    assert status_of(model.get_entity, new_app, V, intent) == 404
    response = http.get(f"/apps/{new_app}/versions/{V}/closedlists/{missing}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound"


# --- list, regex, prebuilt, pattern.any, composite, hierarchical ----------------------------------

def test_closed_list_lifecycle(authoring, new_app):
    model = authoring.model
    cities = model.add_closed_list(new_app, V, name="Cities", sub_lists=[
        WordListObject(canonical_form="New York", list=["NYC", "big apple"])])
    closed = model.get_closed_list(new_app, V, cities)
    assert (closed.name, closed.type_id, closed.readable_type) == ("Cities", 5, "Closed List Entity Extractor")
    assert [(s.id, s.canonical_form, s.list) for s in closed.sub_lists] == [(1, "New York", ["NYC", "big apple"])]

    paris = model.add_sub_list(new_app, V, cities, canonical_form="Paris", list=["paname"])
    assert paris == 2
    model.update_sub_list(new_app, V, cities, paris, canonical_form="Paris", list=["paname", "city of light"])
    model.patch_closed_list(new_app, V, cities, sub_lists=[WordListObject(canonical_form="Rome", list=[])])
    sublists = model.get_closed_list(new_app, V, cities).sub_lists
    assert [(s.id, s.canonical_form) for s in sublists] == [(1, "New York"), (2, "Paris"), (3, "Rome")]
    assert sublists[1].list == ["paname", "city of light"]

    model.delete_sub_list(new_app, V, cities, 1)
    assert status_of(model.delete_sub_list, new_app, V, cities, 1) == 404
    model.update_closed_list(new_app, V, cities, name="Towns", sub_lists=[WordListObject(canonical_form="Oslo")])
    [towns] = model.list_closed_lists(new_app, V)
    assert (towns.name, [s.canonical_form for s in towns.sub_lists]) == ("Towns", ["Oslo"])
    assert status_of(model.add_sub_list, new_app, V, cities, canonical_form="", list=[]) == 400
    model.delete_closed_list(new_app, V, cities)
    assert model.list_closed_lists(new_app, V) == []


def test_regex_entity_lifecycle(authoring, new_app):
    model = authoring.model
    kb = model.create_regex_entity_model(new_app, V, name="KBNumber", regex_pattern="kb[0-9]{6}")
    regex = model.get_regex_entity_entity_info(new_app, V, kb)
    assert (regex.name, regex.regex_pattern, regex.type_id) == ("KBNumber", "kb[0-9]{6}", 8)
    assert status_of(model.create_regex_entity_model, new_app, V, name="Bad", regex_pattern="kb[0-9") == 400
    assert status_of(model.update_regex_entity_model, new_app, V, kb, name="KB", regex_pattern="(") == 400
    model.update_regex_entity_model(new_app, V, kb, name="KB", regex_pattern="kb\\d+")
    assert [(r.name, r.regex_pattern) for r in model.list_regex_entity_infos(new_app, V)] == [("KB", "kb\\d+")]
    model.delete_regex_entity_model(new_app, V, kb)
    assert model.list_regex_entity_infos(new_app, V) == []


def test_prebuilts(authoring, http, new_app):
    model = authoring.model
    added = model.add_prebuilt(new_app, V, ["number", "datetimev2"])
    assert [(p.name, p.type_id, p.readable_type) for p in added] == [
        ("number", 2, "Prebuilt Entity Extractor"), ("datetimeV2", 2, "Prebuilt Entity Extractor")]
    assert status_of(model.add_prebuilt, new_app, V, ["number"]) == 400
    assert status_of(model.add_prebuilt, new_app, V, ["no_such_prebuilt"]) == 400
    assert [p.name for p in model.list_prebuilts(new_app, V)] == ["number", "datetimeV2"]
    assert model.get_prebuilt(new_app, V, added[0].id).name == "number"
    model.delete_prebuilt(new_app, V, added[0].id)
    assert [p.name for p in model.list_prebuilts(new_app, V)] == ["datetimeV2"]
    catalogue = model.list_prebuilt_entities(new_app, V)
    assert "number" in [p.name for p in catalogue] and all(p.description and p.examples for p in catalogue)
    assert http.post(f"/apps/{new_app}/versions/{V}/prebuilts", json={"name": "number"}).status_code == 400


def test_pattern_any_lifecycle(authoring, new_app):
    model = authoring.model
    title = model.create_pattern_any_entity_model(new_app, V, name="BookTitle", explicit_list=["The Hobbit"])
    entity = model.get_pattern_any_entity_info(new_app, V, title)
    assert (entity.name, entity.type_id, [(i.id, i.explicit_list_item) for i in entity.explicit_list]) == (
        "BookTitle", 7, [(1, "The Hobbit")])
    item = model.add_explicit_list_item(new_app, V, title, explicit_list_item="Dune")
    assert item == 2 and model.get_explicit_list_item(new_app, V, title, item).explicit_list_item == "Dune"
    model.update_explicit_list_item(new_app, V, title, item, explicit_list_item="Emma")
    assert [i.explicit_list_item for i in model.get_explicit_list(new_app, V, title)] == ["The Hobbit", "Emma"]
    model.delete_explicit_list_item(new_app, V, title, 1)
    assert status_of(model.get_explicit_list_item, new_app, V, title, 1) == 404
    model.update_pattern_any_entity_model(new_app, V, title, name="Title", explicit_list=["A", "B"])
    [entity] = model.list_pattern_any_entity_infos(new_app, V)
    assert (entity.name, [i.explicit_list_item for i in entity.explicit_list]) == ("Title", ["A", "B"])
    model.delete_pattern_any_entity_model(new_app, V, title)
    assert model.list_pattern_any_entity_infos(new_app, V) == []


def test_composite_and_hierarchical(authoring, http, new_app):
    model = authoring.model
    model.add_entity(new_app, V, name="Origin")
    model.add_prebuilt(new_app, V, ["number"])
    model.create_regex_entity_model(new_app, V, name="Code", regex_pattern="[A-Z]{3}")
    base = f"/apps/{new_app}/versions/{V}/compositeentities"
    for children in (["Nope"], ["Origin", "origin"], [3]):
        assert http.post(http.url(base, AUTHORING_V2), json={"name": "Trip", "children": children}).status_code == 400
    response = http.post(http.url(base, AUTHORING_V2), json={"name": "Trip", "children": ["origin", "number"]})
    assert response.status_code == 201, response.text
    trip = response.json()

    composite = model.get_composite_entity(new_app, V, trip)
    assert (composite.name, composite.type_id) == ("Trip", 4)
    assert [c.name for c in composite.children] == ["Origin", "number"]
    code = model.add_composite_entity_child(new_app, V, trip, name="Code")
    assert status_of(model.add_composite_entity_child, new_app, V, trip, name="Code") == 400
    model.delete_composite_entity_child(new_app, V, trip, composite.children[0].id)
    assert [(c.id, c.name) for c in model.get_composite_entity(new_app, V, trip).children][1] == (code, "Code")
    model.update_composite_entity(new_app, V, trip, name="Journey", children=["Origin"])
    [journey] = model.list_composite_entities(new_app, V)
    assert (journey.name, [c.name for c in journey.children]) == ("Journey", ["Origin"])

    model.delete_entity(new_app, V, model.list_entities(new_app, V)[0].id)  # Origin leaves the composite
    assert model.get_composite_entity(new_app, V, trip).children == []
    model.delete_composite_entity(new_app, V, trip)
    assert model.list_composite_entities(new_app, V) == [] and model.list_hierarchical_entities(new_app, V) == []


def error_of(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(ErrorResponseException) as error:
        call(*args, **kwargs)
    return error.value.response.status_code, error.value.response.json()["error"]


def test_hierarchical_children_are_never_found(authoring, http, new_app):
    """Hierarchical entities are never stored (import makes them ML entities with children): an ML entity's
    child is no hierarchical child either. The app and the version are looked up first."""
    model = authoring.model
    trip = model.add_entity(new_app, V, name="Trip", children=[child("Origin")])
    origin = model.get_entity(new_app, V, trip).children[0].id
    assert error_of(model.get_hierarchical_entity, new_app, V, trip)[0] == 404
    not_found = (404, {"code": "NotFound", "message": "Cannot find the model with the specified ID."})
    assert error_of(model.get_hierarchical_entity_child, new_app, V, trip, origin) == not_found
    assert error_of(model.update_hierarchical_entity_child, new_app, V, trip, origin, name="From") == not_found
    assert error_of(model.delete_hierarchical_entity_child, new_app, V, trip, origin) == not_found
    assert model.get_entity(new_app, V, trip).children[0].name == "Origin"

    status, error = error_of(model.get_hierarchical_entity_child, new_app, "9.9", trip, origin)
    assert (status, error["code"]) == (404, "NotFound") and "version" in error["message"].lower()
    status, error = error_of(model.delete_hierarchical_entity_child, "not-an-app", V, trip, origin)
    assert (status, error["code"]) == (404, "NotFound") and "app" in error["message"].lower()
    v2 = http.patch(http.url(f"/apps/{new_app}/versions/{V}/hierarchicalentities/{trip}/children/{origin}",
                             AUTHORING_V2), json={"name": "From"})
    assert (v2.status_code, v2.json()["error"]) == not_found


# --- roles ------------------------------------------------------------------------------------------

ROLE_OPERATIONS = {  # SDK name of the kind: how to create an entity of that kind
    "entity": lambda m, app: m.add_entity(app, V, name="Place"),
    "prebuilt_entity": lambda m, app: m.add_prebuilt(app, V, ["number"])[0].id,
    "closed_list_entity": lambda m, app: m.add_closed_list(app, V, name="Sizes", sub_lists=[]),
    "regex_entity": lambda m, app: m.create_regex_entity_model(app, V, name="Code", regex_pattern="x+"),
    "pattern_any_entity": lambda m, app: m.create_pattern_any_entity_model(app, V, name="Title"),
}


@pytest.mark.parametrize("kind", ROLE_OPERATIONS)
def test_roles_of_every_kind(authoring, new_app, kind):
    model = authoring.model
    entity = ROLE_OPERATIONS[kind](model, new_app)
    role = getattr(model, f"create_{kind}_role")(new_app, V, entity, name="origin")
    getattr(model, f"create_{kind}_role")(new_app, V, entity, name="destination")
    assert status_of(getattr(model, f"create_{kind}_role"), new_app, V, entity, name="Origin") == 400
    assert getattr(model, f"get_{kind}_role")(new_app, V, entity, role).name == "origin"
    getattr(model, f"update_{kind}_role")(new_app, V, entity, role, name="from")
    assert [r.name for r in getattr(model, f"list_{kind}_roles")(new_app, V, entity)] == ["from", "destination"]
    getattr(model, f"delete_{kind}_role")(new_app, V, entity, role)
    assert status_of(getattr(model, f"get_{kind}_role"), new_app, V, entity, role) == 404
    assert [r.name for r in getattr(model, f"list_{kind}_roles")(new_app, V, entity)] == ["destination"]


def test_composite_and_hierarchical_roles(authoring, http, new_app):
    model = authoring.model
    model.add_entity(new_app, V, name="Origin")
    trip = http.post(f"/apps/{new_app}/versions/{V}/compositeentities", json={"name": "Trip", "children": ["Origin"]})
    role = model.create_composite_entity_role(new_app, V, trip.json(), name="outbound")
    assert [r.id for r in model.list_composite_entity_roles(new_app, V, trip.json())] == [role]
    model.update_composite_entity_role(new_app, V, trip.json(), role, name="return")
    assert model.get_composite_entity_role(new_app, V, trip.json(), role).name == "return"
    model.delete_composite_entity_role(new_app, V, trip.json(), role)
    assert model.list_composite_entity_roles(new_app, V, trip.json()) == []
    missing = "00000000-0000-0000-0000-000000000000"  # hierarchical entities are never stored (README)
    assert status_of(model.create_hierarchical_entity_role, new_app, V, missing, name="r") == 404
    assert status_of(model.list_hierarchical_entity_roles, new_app, V, missing) == 404
    for operation in (model.get_hierarchical_entity_role, model.delete_hierarchical_entity_role):
        assert status_of(operation, new_app, V, missing, missing) == 404
    assert status_of(model.update_hierarchical_entity_role, new_app, V, missing, missing, name="r") == 404


def test_role_rename_and_delete_update_labels_and_patterns(authoring, http, new_app):
    model = authoring.model
    model.add_intent(new_app, V, name="Fly")
    city = model.add_entity(new_app, V, name="City")
    origin = model.create_entity_role(new_app, V, city, name="origin")
    label_example(authoring, new_app, "fly from paris", "Fly", "City", "paris", role="origin")
    model_pattern = authoring.pattern.add_pattern(new_app, V, pattern="fly from {City:origin}", intent="Fly")

    model.update_entity_role(new_app, V, city, origin, name="source")
    assert labels(http, new_app) == [("fly from paris", "City", "source", [])]
    assert authoring.pattern.list_patterns(new_app, V)[0].pattern == "fly from {City:source}"
    model.update_entity_child(new_app, V, city, name="Town")
    assert authoring.pattern.list_patterns(new_app, V)[0].pattern == "fly from {Town:source}"

    model.delete_entity_role(new_app, V, city, origin)
    assert labels(http, new_app) == [("fly from paris", "Town", None, [])]
    assert authoring.pattern.list_patterns(new_app, V)[0].id == model_pattern.id


# --- models -----------------------------------------------------------------------------------------

def test_models_and_their_examples(authoring, new_app):
    model = authoring.model
    fly = model.add_intent(new_app, V, name="Fly")
    city = model.add_entity(new_app, V, name="City", children=[child("District")])
    model.add_closed_list(new_app, V, name="Sizes", sub_lists=[WordListObject(canonical_form="big")])
    label_example(authoring, new_app, "fly to paris", "Fly", "City", "paris")
    authoring.examples.add(new_app, V, ExampleLabelObject(text="hello", intent_name="None"))

    models = model.list_models(new_app, V)
    assert [(m.name, m.type_id) for m in models] == [("None", 0), ("Fly", 0), ("City", 1), ("Sizes", 5)]
    assert models[2].children[0].name == "District" and models[3].sub_lists[0].canonical_form == "big"
    assert [m.name for m in model.list_models(new_app, V, skip=1, take=2)] == ["Fly", "City"]
    assert [e.text for e in model.examples_method(new_app, V, fly)] == ["fly to paris"]
    assert [e.text for e in model.examples_method(new_app, V, city)] == ["fly to paris"]
    assert status_of(model.examples_method, new_app, V, "00000000-0000-0000-0000-000000000000") == 404


# --- phrase lists and features ----------------------------------------------------------------------

def test_phrase_lists(authoring, http, new_app):
    features = authoring.features
    cities = features.add_phrase_list(new_app, V, PhraselistCreateObject(name="Cities", phrases="paris,london"))
    assert isinstance(cities, int)
    phraselist = features.get_phrase_list(new_app, V, cities)
    assert (phraselist.name, phraselist.phrases, phraselist.is_exchangeable, phraselist.is_active) == (
        "Cities", "paris,london", True, True)
    assert status_of(features.add_phrase_list, new_app, V, PhraselistCreateObject(name="cities", phrases="x")) == 400
    features.update_phrase_list(new_app, V, cities, PhraselistUpdateObject(
        name="Towns", phrases="oslo,rome", is_active=False, is_exchangeable=False))
    [phraselist] = features.list_phrase_lists(new_app, V)
    assert (phraselist.name, phraselist.phrases, phraselist.is_active, phraselist.is_exchangeable) == (
        "Towns", "oslo,rome", False, False)
    envelope = http.get(http.url(f"/apps/{new_app}/versions/{V}/features", AUTHORING_V2)).json()
    assert envelope["patternFeatures"] == [] and envelope["phraselistFeatures"][0]["name"] == "Towns"
    assert features.list(new_app, V).phraselist_features[0].id == cities
    features.delete_phrase_list(new_app, V, cities)
    assert status_of(features.get_phrase_list, new_app, V, cities) == 404


def test_model_features(authoring, new_app):
    model, features = authoring.model, authoring.features
    fly = model.add_intent(new_app, V, name="Fly")
    city = model.add_entity(new_app, V, name="City", children=[child("District")])
    cities = features.add_phrase_list(new_app, V, PhraselistCreateObject(name="Cities", phrases="paris,london"))
    features.add_intent_feature(new_app, V, fly, ModelFeatureInformation(feature_name="cities"))
    features.add_intent_feature(new_app, V, fly, ModelFeatureInformation(model_name="City", is_required=True))
    assert [(f.feature_name, f.model_name, f.is_required) for f in model.get_intent_features(new_app, V, fly)] == [
        ("Cities", None, False), (None, "City", True)]
    assert status_of(features.add_intent_feature, new_app, V, fly, ModelFeatureInformation(feature_name="x")) == 400
    assert status_of(features.add_intent_feature, new_app, V, fly, ModelFeatureInformation(model_name="Cities")) == 400
    assert status_of(features.add_intent_feature, new_app, V, fly, ModelFeatureInformation(model_name="City")) == 400

    district = model.get_entity(new_app, V, city).children[0].id
    features.add_entity_feature(new_app, V, district, ModelFeatureInformation(feature_name="Cities"))
    assert [f.feature_name for f in model.get_entity_features(new_app, V, district)] == ["Cities"]
    model.replace_entity_features(new_app, V, city, [ModelFeatureInformation(feature_name="Cities")])
    assert [f.feature_name for f in model.get_entity_features(new_app, V, city)] == ["Cities"]

    model.delete_intent_feature(new_app, V, fly, ModelFeatureInformation(model_name="City"))
    assert status_of(model.delete_intent_feature, new_app, V, fly, ModelFeatureInformation(model_name="City")) == 404
    features.update_phrase_list(new_app, V, cities, PhraselistUpdateObject(name="Places"))
    assert [f.feature_name for f in model.get_intent_features(new_app, V, fly)] == ["Places"]
    features.delete_phrase_list(new_app, V, cities)
    assert model.get_intent_features(new_app, V, fly) == [] and model.get_entity_features(new_app, V, city) == []


# --- patterns ---------------------------------------------------------------------------------------

def test_patterns(authoring, http, new_app):
    pattern, model = authoring.pattern, authoring.model
    fly = model.add_intent(new_app, V, name="Fly")
    model.add_entity(new_app, V, name="City")
    first = pattern.add_pattern(new_app, V, pattern="fly to {city}[?]", intent="fly")
    assert (first.pattern, first.intent) == ("fly to {city}[?]", "Fly") and len(first.id) == 36
    batch = pattern.batch_add_patterns(new_app, V, [PatternRuleCreateObject(pattern="go to {City}", intent="Fly"),
                                                   PatternRuleCreateObject(pattern="hi", intent="None")])
    assert [p.pattern for p in pattern.list_patterns(new_app, V)] == ["fly to {city}[?]", "go to {City}", "hi"]
    assert [p.pattern for p in pattern.list_intent_patterns(new_app, V, fly)] == ["fly to {city}[?]", "go to {City}"]
    assert [p.pattern for p in pattern.list_patterns(new_app, V, skip=2, take=5)] == ["hi"]

    for bad in ({"pattern": "x", "intent": "Nope"}, {"pattern": "x {Nope}", "intent": "Fly"},
                {"pattern": "hi", "intent": "Fly"}, {"pattern": "", "intent": "Fly"}):
        response = http.post(f"/apps/{new_app}/versions/{V}/patternrule", json=bad)
        assert response.status_code == 400, bad
    assert status_of(pattern.add_pattern, new_app, V, pattern="x", intent="Nope") == 400

    change = PatternRuleUpdateObject(pattern="fly to {City}", intent="Fly")
    updated = pattern.update_pattern(new_app, V, first.id, change)
    assert (updated.id, updated.pattern) == (first.id, "fly to {City}")
    changes = [PatternRuleUpdateObject(id=p.id, pattern=p.pattern + "!", intent="None") for p in batch]
    [a, b] = pattern.update_patterns(new_app, V, changes)
    assert (a.pattern, b.intent) == ("go to {City}!", "None")
    assert status_of(pattern.update_patterns, new_app, V, [
        PatternRuleUpdateObject(id="00000000-0000-0000-0000-000000000000", pattern="x", intent="Fly")]) == 404
    pattern.delete_pattern(new_app, V, first.id)
    pattern.delete_patterns(new_app, V, [p.id for p in batch])
    assert pattern.list_patterns(new_app, V) == []


# --- v2.0 paths and bad bodies ---------------------------------------------------------------------

def test_v2_paths(authoring, http, new_app):
    base = f"/apps/{new_app}/versions/{V}"
    response = http.post(http.url(f"{base}/entities", AUTHORING_V2), json={"name": "City"})
    assert response.status_code == 201
    city = response.json()
    assert http.put(http.url(f"{base}/entities/{city}", AUTHORING_V2), json={"name": "Town"}).status_code == 200
    assert http.get(http.url(f"{base}/entities/{city}", AUTHORING_V2)).json()["name"] == "Town"
    response = http.post(http.url(f"{base}/closedlists/", AUTHORING_V2),
                         json={"name": "Sizes", "subLists": [{"canonicalForm": "big", "list": ["large"]}]})
    assert response.status_code == 201
    assert http.get(http.url(f"{base}/closedlists", AUTHORING_V2)).json()[0]["subLists"] == [
        {"id": 1, "canonicalForm": "big", "list": ["large"]}]
    assert http.get(http.url(f"{base}/hierarchicalentities", AUTHORING_V2)).json() == []
    response = http.post(http.url(f"{base}/phraselists", AUTHORING_V2), json={"name": "P", "phrases": "a,b"})
    assert (response.status_code, response.text.strip()) == (201, "1")


@pytest.mark.parametrize("path, body", [
    ("entities", {"name": 3}), ("entities", []), ("entities", {"name": "X", "children": [{"name": ""}]}),
    ("closedlists", {"name": "L", "subLists": [{"list": ["a"]}]}), ("closedlists", {"name": "L", "subLists": "x"}),
    ("regexentities", {"name": "R"}), ("patternanyentities", {"name": "P", "explicitList": [1]}),
    ("prebuilts", "number"), ("prebuilts", [1]),
    ("phraselists", {"name": "P"}), ("phraselists", {"name": "P", "phrases": ""}),
    ("patternrules", {"pattern": "x", "intent": "None"}),
])
def test_bad_bodies_are_400(http, new_app, path, body):
    response = http.post(f"/apps/{new_app}/versions/{V}/{path}", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadArgument"


def test_deeply_nested_children_are_refused_cleanly(http, new_app):
    body = {"name": "Deep"}
    node = body
    for depth in range(300):
        node["children"] = [{"name": f"c{depth}"}]
        node = node["children"][0]
    response = http.post(f"/apps/{new_app}/versions/{V}/entities", json=body)
    assert response.status_code == 400, response.text
