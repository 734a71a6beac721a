"""The core authoring API (apps, versions, intents, examples), driven through the official SDK 0.7.1."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from azure.cognitiveservices.language.luis.authoring.models import (
    ApplicationCreateObject, AzureAccountInfoObject, EntityLabelObject, ErrorResponseException, ExampleLabelObject,
    LuisApp, PublishSettingUpdateObject)

from conftest import Http, unique_name

# A small app of our own: the label tests need entities, created here through import only.
TRAVEL_APP = {
    "luis_schema_version": "7.0.0", "versionId": "0.1", "name": "travel", "desc": "", "culture": "en-us",
    "intents": [{"name": "None"}, {"name": "BookFlight"}],
    "entities": [{"name": "City", "roles": [], "children": []},
                 {"name": "Trip", "roles": [], "children": [{"name": "Origin", "children": []},
                                                              {"name": "Destination", "children": []}]}],
    "closedLists": [], "composites": [], "prebuiltEntities": [], "patternAnyEntities": [], "regex_entities": [],
    "phraselists": [], "patterns": [],
    "utterances": [{"text": "fly to paris", "intent": "BookFlight",
                    "entities": [{"entity": "City", "startPos": 7, "endPos": 11}]}],
}


def status_of(call, *args, **kwargs) -> int:
    with pytest.raises(ErrorResponseException) as error:
        call(*args, **kwargs)
    return error.value.response.status_code


def example(text, intent="None", labels=()):
    return ExampleLabelObject(text=text, intent_name=intent, entity_labels=[
        EntityLabelObject(entity_name=name, start_char_index=start, end_char_index=end)
        for name, start, end in labels])


@pytest.fixture
def travel_app(http):
    response = http.post("/apps/import", params={"appName": unique_name("travel")}, json=TRAVEL_APP)
    assert response.status_code == 201, response.text
    return response.json()


# --- apps -------------------------------------------------------------------------------------

def test_app_lifecycle(authoring):
    name = unique_name()
    app_id = authoring.apps.add(ApplicationCreateObject(name=name, culture="en-us", description="d",
                                                        initial_version_id="1.0"))
    app = authoring.apps.get(app_id)
    assert (app.id, app.name, app.description, app.culture, app.active_version) == (app_id, name, "d", "en-us", "1.0")
    assert app.versions_count == 1 and app.created_date_time is not None and app.endpoints == {}
    assert [i.name for i in authoring.model.list_intents(app_id, "1.0")] == ["None"]

    assert authoring.apps.update(app_id, name=name + "-x", description="new").code == "Success"
    app = authoring.apps.get(app_id)
    assert (app.name, app.description) == (name + "-x", "new")

    assert authoring.apps.delete(app_id).code == "Success"
    assert status_of(authoring.apps.get, app_id) == 404
    assert app_id not in [a.id for a in authoring.apps.list(take=500)]


def test_apps_list_pages(authoring):
    ids = [authoring.apps.add(ApplicationCreateObject(name=unique_name(), culture="en-us")) for _ in range(3)]
    everything = [a.id for a in authoring.apps.list(skip=0, take=500)]
    assert all(i in everything for i in ids)
    assert [a.id for a in authoring.apps.list(skip=1, take=2)] == everything[1:3]
    assert [a.id for a in authoring.apps.list(skip=len(everything) - 1, take=5)] == everything[-1:]
    assert authoring.apps.list(skip=len(everything), take=5) == []
    assert authoring.apps.list(take=0) == []


def test_app_settings(authoring, new_app):
    assert authoring.apps.get_settings(new_app).is_public is False
    assert authoring.apps.update_settings(new_app, is_public=True).code == "Success"
    settings = authoring.apps.get_settings(new_app)
    assert (settings.id, settings.is_public) == (new_app, True)


def test_publish_settings(authoring, new_app):
    settings = authoring.apps.get_publish_settings(new_app)
    assert (settings.id, settings.is_sentiment_analysis_enabled, settings.is_speech_enabled,
            settings.is_spell_checker_enabled) == (new_app, False, False, False)
    update = PublishSettingUpdateObject(sentiment_analysis=True, spell_checker=True)
    assert authoring.apps.update_publish_settings(new_app, update).code == "Success"
    settings = authoring.apps.get_publish_settings(new_app)
    assert (settings.is_sentiment_analysis_enabled, settings.is_speech_enabled,
            settings.is_spell_checker_enabled) == (True, False, True)


def test_azure_accounts_none_assigned(authoring, http, new_app):
    """luislite has no Azure accounts: none is listed or assigned; assigning or removing one is accepted (LUIS's
    201 and 200 OperationStatus), changing nothing. The app must exist and the body name an account."""
    accounts = authoring.azure_accounts
    account = AzureAccountInfoObject(azure_subscription_id="sub", resource_group="group", account_name="luis-pred")
    assert accounts.list_user_luis_accounts(arm_token="token") == []
    assert accounts.get_assigned(new_app, arm_token="token") == []
    assert accounts.assign_to_app(new_app, arm_token="token", azure_account_info_object=account).code == "Success"
    assert accounts.get_assigned(new_app) == []
    assert accounts.remove_from_app(new_app, arm_token="token", azure_account_info_object=account).code == "Success"

    missing = "00000000-0000-0000-0000-000000000000"
    assert status_of(accounts.get_assigned, missing) == 404
    assert status_of(accounts.assign_to_app, missing, azure_account_info_object=account) == 404
    assert status_of(accounts.assign_to_app, new_app) == 400  # no account named
    response = http.delete(f"/apps/{new_app}/azureaccounts", json={"azureSubscriptionId": "sub", "accountName": "x"})
    assert response.status_code == 400 and "resourceGroup" in response.json()["error"]["message"]



def test_no_cortana_apps(authoring):
    """LUIS's Cortana prebuilt apps are gone: none listed, and no key shown."""
    answer = authoring.apps.list_cortana_endpoints()
    assert (answer.endpoint_keys, answer.endpoint_urls) == ([], {})

# --- versions ---------------------------------------------------------------------------------

def test_versions(authoring, new_app):
    authoring.model.add_intent(new_app, "0.1", name="Greet")
    authoring.examples.add(new_app, "0.1", example("hello there", "Greet"))
    [info] = authoring.versions.list(new_app)
    assert (info.version, info.intents_count, info.entities_count, info.training_status) == \
        ("0.1", 2, 0, "NeedsTraining")
    assert info.created_date_time is not None and info.last_trained_date_time is None

    assert authoring.versions.clone(new_app, "0.1", version="0.2") == "0.2"
    clone = authoring.versions.export(new_app, "0.2")
    assert [u.text for u in clone.utterances] == ["hello there"] and clone.version_id == "0.2"
    assert status_of(authoring.versions.clone, new_app, "0.1", version="0.2") == 400

    assert authoring.versions.update(new_app, "0.2", version="0.3").code == "Success"
    assert [v.version for v in authoring.versions.list(new_app)] == ["0.1", "0.3"]
    assert authoring.versions.get(new_app, "0.3").intents_count == 2
    assert status_of(authoring.versions.get, new_app, "0.2") == 404
    assert [v.version for v in authoring.versions.list(new_app, skip=1, take=1)] == ["0.3"]

    exported = authoring.versions.export(new_app, "0.1")
    assert authoring.versions.import_method(new_app, exported, version_id="0.4") == "0.4"
    assert authoring.apps.get(new_app).active_version == "0.4"  # an imported version becomes the active one
    again = authoring.versions.export(new_app, "0.4")
    assert ([i.name for i in again.intents], [u.text for u in again.utterances]) == \
        (["None", "Greet"], ["hello there"])
    assert status_of(authoring.versions.import_method, new_app, exported, version_id="0.4") == 400

    assert authoring.versions.delete(new_app, "0.3").code == "Success"
    assert authoring.versions.delete(new_app, "0.1").code == "Success"
    assert authoring.apps.get(new_app).active_version == "0.4"
    assert status_of(authoring.versions.delete, new_app, "0.4") == 400  # the last version stays
    assert [v.version for v in authoring.versions.list(new_app)] == ["0.4"]


def test_version_rename_follows_active_version(authoring, new_app):
    authoring.versions.update(new_app, "0.1", version="1.0")
    assert authoring.apps.get(new_app).active_version == "1.0"
    assert authoring.versions.export(new_app, "1.0").version_id == "1.0"


def test_version_import_without_version_id_uses_the_json(authoring, new_app):
    app = LuisApp(name="x", version_id="2.0", desc="", culture="en-us", intents=[{"name": "Hi"}],
                  entities=[], closed_lists=[], composites=[], pattern_any_entities=[], regex_entities=[],
                  prebuilt_entities=[], regex_features=[], phraselists=[], patterns=[],
                  utterances=[{"text": "hi", "intent": "Hi", "entities": []}])
    assert authoring.versions.import_method(new_app, app) == "2.0"
    assert [i.name for i in authoring.model.list_intents(new_app, "2.0")] == ["None", "Hi"]  # None added


# --- intents ----------------------------------------------------------------------------------

def test_intents(authoring, new_app):
    greet = authoring.model.add_intent(new_app, "0.1", name="Greet")
    bye = authoring.model.add_intent(new_app, "0.1", name="Bye")
    intents = authoring.model.list_intents(new_app, "0.1")
    assert [(i.name, i.type_id, i.readable_type) for i in intents] == \
        [("None", 0, "Intent Classifier"), ("Greet", 0, "Intent Classifier"), ("Bye", 0, "Intent Classifier")]
    assert [i.name for i in authoring.model.list_intents(new_app, "0.1", skip=1, take=1)] == ["Greet"]
    assert authoring.model.get_intent(new_app, "0.1", greet).name == "Greet"
    assert status_of(authoring.model.add_intent, new_app, "0.1", name="greet") == 400

    authoring.examples.batch(new_app, "0.1", [example("hello", "Greet"), example("hi", "Greet"),
                                              example("goodbye", "Bye")])
    assert authoring.model.update_intent(new_app, "0.1", greet, name="Hello").code == "Success"
    assert authoring.model.get_intent(new_app, "0.1", greet).name == "Hello"
    assert {e.text: e.intent_label for e in authoring.examples.list(new_app, "0.1")} == \
        {"hello": "Hello", "hi": "Hello", "goodbye": "Bye"}

    assert authoring.model.delete_intent(new_app, "0.1", greet).code == "Success"
    assert {e.text: e.intent_label for e in authoring.examples.list(new_app, "0.1")} == \
        {"hello": "None", "hi": "None", "goodbye": "Bye"}
    assert authoring.model.delete_intent(new_app, "0.1", bye, delete_utterances=True).code == "Success"
    assert sorted(e.text for e in authoring.examples.list(new_app, "0.1")) == ["hello", "hi"]
    assert [i.name for i in authoring.model.list_intents(new_app, "0.1")] == ["None"]
    assert status_of(authoring.model.get_intent, new_app, "0.1", greet) == 404

    none = authoring.model.list_intents(new_app, "0.1")[0].id
    assert status_of(authoring.model.delete_intent, new_app, "0.1", none) == 400


# --- examples ---------------------------------------------------------------------------------

def test_example_add_and_delete(authoring, new_app):
    authoring.model.add_intent(new_app, "0.1", name="Greet")
    added = authoring.examples.add(new_app, "0.1", example("Hello there!", "Greet"))
    assert added.utterance_text == "Hello there!" and isinstance(added.example_id, int)
    [listed] = authoring.examples.list(new_app, "0.1")
    assert (listed.id, listed.text, listed.tokenized_text, listed.intent_label) == \
        (added.example_id, "Hello there!", ["Hello", "there", "!"], "Greet")
    assert listed.intent_predictions == [] and listed.entity_predictions == []

    again = authoring.examples.add(new_app, "0.1", example("hello THERE!", "None"))  # same text: replaced
    assert again.example_id == added.example_id
    assert [(e.text, e.intent_label) for e in authoring.examples.list(new_app, "0.1")] == [("hello THERE!", "None")]

    assert authoring.examples.delete(new_app, "0.1", added.example_id).code == "Success"
    assert authoring.examples.list(new_app, "0.1") == []
    assert status_of(authoring.examples.delete, new_app, "0.1", added.example_id) == 404
    assert status_of(authoring.examples.add, new_app, "0.1", example("x", "NoSuchIntent")) == 400


def test_example_batch_201_and_207(authoring, new_app):
    authoring.model.add_intent(new_app, "0.1", name="Greet")
    response = authoring.examples.batch(new_app, "0.1", [example("hi", "Greet"), example("yo", "None")], raw=True)
    assert response.response.status_code == 201
    assert [(r.has_error, r.value.utterance_text) for r in response.output] == [(False, "hi"), (False, "yo")]

    response = authoring.examples.batch(new_app, "0.1", [
        example("hey", "Greet"), example("open the door", "NoSuchIntent"), example("hello", "Greet"),
        example("x" * 501, "Greet")], raw=True)
    assert response.response.status_code == 207
    results = response.output
    assert [r.has_error for r in results] == [False, True, False, True]
    assert results[0].value.utterance_text == "hey" and results[2].value.utterance_text == "hello"
    assert results[1].error.code == "FAILED"
    assert results[1].error.message.startswith("open the door. Error: ")
    assert "NoSuchIntent" in results[1].error.message
    assert sorted(e.text for e in authoring.examples.list(new_app, "0.1")) == ["hello", "hey", "hi", "yo"]


def test_examples_list_pages(authoring, new_app):
    texts = [f"utterance number {n}" for n in range(250)]
    for start in range(0, 250, 100):
        results = authoring.examples.batch(new_app, "0.1", [example(t) for t in texts[start:start + 100]])
        assert not any(r.has_error for r in results)
    assert len(authoring.examples.list(new_app, "0.1")) == 100  # the default take
    pages = [authoring.examples.list(new_app, "0.1", skip=skip, take=100) for skip in (0, 100, 200, 300)]
    assert [len(p) for p in pages] == [100, 100, 50, 0]
    assert [e.text for page in pages for e in page] == texts
    ids = [e.id for page in pages for e in page]
    assert len(set(ids)) == 250
    assert [e.text for e in authoring.examples.list(new_app, "0.1", skip=245, take=500)] == texts[245:]
    assert authoring.versions.get(new_app, "0.1").training_status == "NeedsTraining"


# --- labels -----------------------------------------------------------------------------------

def _labels(authoring, app_id, text):
    """(entity, startPos, endPos, children) of the exported labels of `text`."""
    [utterance] = [u for u in authoring.versions.export(app_id, "0.1").utterances if u.text == text]
    return [(e.entity, e.start_pos, e.end_pos, e.children or []) for e in utterance.entities]


@pytest.mark.parametrize("end_convention", ["inclusive", "exclusive"])
def test_labels_snap_to_tokens(authoring, travel_app, end_convention):
    text = "book a flight to new york please"
    start, value = text.index("new york"), "new york"
    end = start + len(value) - 1 if end_convention == "inclusive" else start + len(value)
    authoring.examples.add(travel_app, "0.1", example(text, "BookFlight", [("City", start, end)]))
    assert _labels(authoring, travel_app, text) == [("City", 17, 24, [])]
    [listed] = [e for e in authoring.examples.list(travel_app, "0.1") if e.text == text]
    assert [(e.entity_name, e.start_token_index, e.end_token_index) for e in listed.entity_labels] == \
        [("City", 4, 5)]


@pytest.mark.parametrize("end_convention", ["inclusive", "exclusive"])
def test_labels_snap_before_punctuation(authoring, travel_app, end_convention):
    text = "weather in seattle?"
    start = text.index("seattle")
    end = start + 6 if end_convention == "inclusive" else start + 7  # exclusive end lands on "?"
    authoring.examples.add(travel_app, "0.1", example(text, "None", [("City", start, end)]))
    assert _labels(authoring, travel_app, text) == [("City", 11, 17, [])]


def test_labels_inside_a_word_snap_to_the_whole_word(authoring, travel_app):
    text = "going to amsterdam"
    authoring.examples.add(travel_app, "0.1", example(text, "None", [("City", 11, 14)]))
    assert _labels(authoring, travel_app, text) == [("City", 9, 17, [])]


def test_batch_labels_both_conventions_and_children(authoring, travel_app):
    texts = ["fly from new york to rome", "fly from rome to new york"]
    items = []
    for n, text in enumerate(texts):
        origin, destination = ("new york", "rome") if n == 0 else ("rome", "new york")
        o, d = text.index(origin), text.index(destination)
        shift = 0 if n == 0 else 1  # the first uses inclusive ends, the second exclusive ones
        items.append(ExampleLabelObject(text=text, intent_name="BookFlight", entity_labels=[EntityLabelObject(
            entity_name="Trip", start_char_index=o, end_char_index=len(text) - 1 + shift, children=[
                EntityLabelObject(entity_name="Origin", start_char_index=o, end_char_index=o + len(origin) - 1 + shift),
                EntityLabelObject(entity_name="Destination", start_char_index=d,
                                  end_char_index=d + len(destination) - 1 + shift)])]))
    assert not any(r.has_error for r in authoring.examples.batch(travel_app, "0.1", items))
    exported = {u.text: u.entities for u in authoring.versions.export(travel_app, "0.1").utterances}
    for text in texts:
        [trip] = exported[text]
        assert text[trip.start_pos:trip.end_pos + 1] == text[9:]
        assert {c.entity: text[c.start_pos:c.end_pos + 1] for c in trip.children} == \
            ({"Origin": "new york", "Destination": "rome"} if text == texts[0] else
             {"Origin": "rome", "Destination": "new york"})


def test_label_of_unknown_entity_is_refused(authoring, travel_app):
    before = len(authoring.examples.list(travel_app, "0.1"))
    assert status_of(authoring.examples.add, travel_app, "0.1",
                     example("fly to rome", "BookFlight", [("Town", 7, 10)])) == 400
    assert len(authoring.examples.list(travel_app, "0.1")) == before


def test_names_are_stored_as_defined(authoring, http, travel_app):
    """Names match ignoring case, and are stored as the version spells them, so renames find them."""
    authoring.examples.add(travel_app, "0.1", example("fly to rome", "bookflight", [("city", 7, 10)]))
    doc = dict(TRAVEL_APP, utterances=[{"text": "fly to oslo", "intent": "BOOKFLIGHT",
                                        "entities": [{"entity": "CITY", "startPos": 7, "endPos": 10}]}])
    assert authoring.versions.import_method(travel_app, LuisApp.from_dict(doc), version_id="0.2") == "0.2"
    for version_id, text in [("0.1", "fly to rome"), ("0.2", "fly to oslo")]:
        [utterance] = [u for u in authoring.versions.export(travel_app, version_id).utterances if u.text == text]
        assert (utterance.intent, [e.entity for e in utterance.entities]) == ("BookFlight", ["City"])
    book = next(i.id for i in authoring.model.list_intents(travel_app, "0.1") if i.name == "BookFlight")
    authoring.model.update_intent(travel_app, "0.1", book, name="Book")
    assert {e.text: e.intent_label for e in authoring.examples.list(travel_app, "0.1")} == \
        {"fly to paris": "Book", "fly to rome": "Book"}


def test_concurrent_edits_of_one_version_are_all_kept(server, new_app, http):
    """Each edit loads the version, changes it and saves it: concurrent ones must wait for each other, on any
    database (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), never overwrite each other."""
    def add(n: int) -> int:
        with Http(server, server.key) as session:
            return session.post(f"/apps/{new_app}/versions/0.1/intents", json={"name": f"Intent{n}"}).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(add, range(24))) == [201] * 24
    names = {intent["name"] for intent in http.get(f"/apps/{new_app}/versions/0.1/intents").json()}
    assert {f"Intent{n}" for n in range(24)} <= names


def test_listings_settings_and_lu_imports_through_the_sdk(authoring, new_app):
    """SDK operations no other test drives: the app-wide listings, settings, and imports (JSON, `.lu` text, v2
    apps) into a new app and into a new version."""
    from azure.cognitiveservices.language.luis.authoring.models import AppVersionSettingObject, LuisAppV2

    assert "en-us" in [c.code for c in authoring.apps.list_supported_cultures()]
    assert isinstance(authoring.apps.list_domains(), list) and isinstance(authoring.apps.list_usage_scenarios(), list)
    assert isinstance(authoring.apps.list_endpoints(new_app), dict)
    authoring.settings.update(new_app, "0.1", [AppVersionSettingObject(name="UseAllTrainingData", value="true")])
    assert {s.name: s.value for s in authoring.settings.list(new_app, "0.1")}["UseAllTrainingData"] == "true"

    authoring.model.add_intent(new_app, "0.1", name="Greet")
    authoring.examples.add(new_app, "0.1", example("hello there", "Greet"))
    lu = b"".join(authoring.versions.export_lu_format(new_app, "0.1")).decode()
    assert "# Greet\n- hello there" in lu
    json_app = authoring.apps.import_method(authoring.versions.export(new_app, "0.1"), app_name=unique_name("json"))
    assert "Greet" in [i.name for i in authoring.model.list_intents(json_app, "0.1")]
    lu_app = authoring.apps.import_lu_format(lu, app_name=unique_name("lu"))
    assert authoring.versions.import_lu_format(lu_app, lu, version_id="0.2") == "0.2"
    assert "Greet" in [i.name for i in authoring.model.list_intents(lu_app, "0.2")]

    v2 = LuisAppV2.from_dict(dict(TRAVEL_APP, luis_schema_version="3.2.0", entities=TRAVEL_APP["entities"][:1],
                                  bing_entities=[], model_features=[]))  # a v2 entity's children are names
    v2_app = authoring.apps.import_v2_app(v2, app_name=unique_name("v2"))
    assert authoring.versions.import_v2_app(v2_app, v2, version_id="0.2") == "0.2"
    assert "BookFlight" in [i.name for i in authoring.model.list_intents(v2_app, "0.2")]
    authoring.versions.delete_unlabelled_utterance(v2_app, "0.2", "fly to paris")


def test_features_of_models_and_suggestions_through_the_sdk(authoring, new_app):
    from azure.cognitiveservices.language.luis.authoring.models import ModelFeatureInformation, PhraselistCreateObject

    authoring.features.add_phrase_list(new_app, "0.1", PhraselistCreateObject(name="greetings", phrases="hello,hi"))
    greetings = ModelFeatureInformation(feature_name="greetings")
    intent = authoring.model.add_intent(new_app, "0.1", name="Greet")
    authoring.model.replace_intent_features(new_app, "0.1", intent, [greetings])
    assert [f.feature_name for f in authoring.model.get_intent_features(new_app, "0.1", intent)] == ["greetings"]
    entity = authoring.model.add_entity(new_app, "0.1", name="Who")
    authoring.features.add_entity_feature(new_app, "0.1", entity, greetings)
    authoring.model.delete_entity_feature(new_app, "0.1", entity, greetings)
    assert authoring.model.get_entity_features(new_app, "0.1", entity) == []
    assert authoring.model.list_intent_suggestions(new_app, "0.1", intent) == []
    assert status_of(authoring.model.delete_hierarchical_entity, new_app, "0.1", entity) == 404
