"""Cultures as LUIS had them, driven by the official SDK against a live server: the supported list, refusals of an
unsupported culture, tokenizer version or prebuilt, labels refused inside a token, and per culture an app authored,
trained (tiny random BERT), published and predicted with offsets into the original query.
"""
import json
import uuid

import pytest
from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
from azure.cognitiveservices.language.luis.authoring.models import (EntityLabelObject, ErrorResponseException,
                                                                    ExampleLabelObject, WordListObject)
from azure.cognitiveservices.language.luis.runtime import LUISRuntimeClient
from msrest.authentication import CognitiveServicesCredentials

from conftest import unique_name
from test_prediction import instances, wait_for_training

TOKEN_EDGES = "do not correspond to the start and end of a token"

# culture -> (examples (text, intent, Place value), Cities list values, query, the City in the query)
APPS = {
    "zh-cn": ([("帮我订一张去北京的机票", "BookFlight", "北京"), ("我想去上海", "BookFlight", "上海"),
               ("明天广州天气怎么样", "GetWeather", "广州"), ("深圳会下雨吗", "GetWeather", "深圳")],
              ["北京", "上海", "东京"], "帮我订一张去东京的机票", "东京"),
    "ja-jp": ([("東京に行きたい", "BookFlight", "東京"), ("大阪までの航空券を予約して", "BookFlight", "大阪"),
               ("札幌の天気はどう", "GetWeather", "札幌"), ("明日の福岡は雨ですか", "GetWeather", "福岡")],
              ["東京", "京都"], "京都に行きたいです", "京都"),
    "ko-kr": ([("서울로 가는 비행기 예약해 줘", "BookFlight", "서울"), ("부산 가는 표 예매", "BookFlight", "부산"),
               ("대전 날씨 어때", "GetWeather", "대전"), ("내일 인천에 비 와?", "GetWeather", "인천")],
              ["서울", "대구"], "대구로 가는 KTX 예약해 줘", "대구"),
    "de-de": ([("Flug nach Berlin buchen", "BookFlight", "Berlin"), ("ich will nach Hamburg fliegen", "BookFlight",
                                                                    "Hamburg"),
               ("Wie ist das Wetter in München", "GetWeather", "München"), ("regnet es morgen in Bonn?", "GetWeather",
                                                                           "Bonn")],
              ["Berlin", "Köln"], "Ich möchte nach Köln fliegen", "Köln"),
    "es-es": ([("reservar un vuelo a Madrid", "BookFlight", "Madrid"), ("quiero volar a Bilbao", "BookFlight",
                                                                       "Bilbao"),
               ("qué tiempo hace en Sevilla", "GetWeather", "Sevilla"), ("¿llueve mañana en Valencia?", "GetWeather",
                                                                         "Valencia")],
              ["Madrid", "Málaga"], "¿puedo volar a Málaga?", "Málaga"),
}


def _label(text: str, entity: str, value: str) -> EntityLabelObject:
    start = text.index(value)
    return EntityLabelObject(entity_name=entity, start_char_index=start, end_char_index=start + len(value) - 1)


def _status(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(ErrorResponseException) as error:
        call(*args, **kwargs)
    return error.value.response.status_code, error.value.response.json()["error"]["message"]


def _app(authoring, culture: str) -> str:
    return authoring.apps.add({"name": unique_name(culture), "culture": culture, "initial_version_id": "0.1"})


# --- the supported cultures ------------------------------------------------------------------------

def test_cultures_list_every_luis_culture(authoring):
    listed = {c.code: c.name for c in authoring.apps.list_supported_cultures()}
    assert set(listed) == {"en-us", "zh-cn", "ja-jp", "ko-kr", "de-de", "fr-fr", "fr-ca", "es-es", "es-mx", "it-it",
                           "pt-br", "nl-nl", "tr-tr", "ar-ar", "hi-in", "gu-in", "mr-in", "ta-in", "te-in"}
    assert listed["zh-cn"] == "Chinese" and listed["en-us"] == "English"


def test_an_unsupported_culture_is_refused(authoring, http):
    status, message = _status(authoring.apps.add, {"name": unique_name(), "culture": "xx-yy"})
    assert status == 400 and "'xx-yy' is not supported" in message
    app = {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": unique_name(), "culture": "xx-yy",
           "intents": [{"name": "None"}], "utterances": []}
    response = http.post("/apps/import", json=app)
    assert response.status_code == 400 and response.json()["error"]["code"] == "BadArgument"
    assert "'xx-yy' is not supported" in response.json()["error"]["message"]


@pytest.mark.parametrize("culture, version, status", [("de-de", "1.0.2", 201), ("de-de", "1.0.1", 400),
                                                      ("en-us", "1.0.1", 201), ("en-us", "1.0.2", 400),
                                                      ("zh-cn", "1.0.0", 201), ("zh-cn", "1.0.1", 400)])
def test_tokenizer_versions_per_culture(http, culture, version, status):
    app = {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": unique_name(), "culture": culture,
           "tokenizerVersion": version, "intents": [{"name": "None"}], "utterances": []}
    response = http.post("/apps/import", json=app)
    assert response.status_code == status, response.text
    if status == 201:
        assert http.get(f"/apps/{response.json()}/versions/0.1/export").json()["tokenizerVersion"] == version


def test_prebuilts_follow_the_culture(authoring, http):
    app_id = _app(authoring, "zh-cn")
    catalogue = {p["name"] for p in http.get(f"/apps/{app_id}/versions/0.1/listprebuilts").json()}
    assert "datetimeV2" in catalogue and "personName" not in catalogue and "geographyV2" not in catalogue
    status, message = _status(authoring.model.add_prebuilt, app_id, "0.1", ["personName"])
    assert status == 400 and "zh-cn" in message
    assert [p.name for p in authoring.model.add_prebuilt(app_id, "0.1", ["datetimeV2"])] == ["datetimeV2"]


# --- labels on token edges -------------------------------------------------------------------------

@pytest.mark.parametrize("culture, text, value", [("ja-jp", "東京に行きたい", "京"), ("zh-cn", "我要买iPhone", "Phone"),
                                                  ("ko-kr", "KTX 예약", "TX")])
def test_a_label_inside_a_token_is_refused(authoring, http, culture, text, value):
    app_id = _app(authoring, culture)
    authoring.model.add_entity(app_id, "0.1", name="Place")
    status, message = _status(authoring.examples.add, app_id, "0.1", ExampleLabelObject(
        text=text, intent_name="None", entity_labels=[_label(text, "Place", value)]))
    assert status == 400 and TOKEN_EDGES in message
    [result] = authoring.examples.batch(app_id, "0.1", [ExampleLabelObject(
        text=text, intent_name="None", entity_labels=[_label(text, "Place", value)])])
    assert result.has_error and TOKEN_EDGES in result.error.message
    start = text.index(value)
    app = {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": unique_name(), "culture": culture,
           "intents": [{"name": "None"}], "entities": [{"name": "Place", "roles": []}],
           "utterances": [{"text": text, "intent": "None",
                           "entities": [{"entity": "Place", "startPos": start, "endPos": start + len(value) - 1}]}]}
    response = http.post("/apps/import", json=app)
    assert response.status_code == 400 and TOKEN_EDGES in response.json()["error"]["message"]


def test_labels_on_token_edges_are_listed_by_tokens(authoring):
    app_id = _app(authoring, "zh-cn")
    authoring.model.add_entity(app_id, "0.1", name="Place")
    text = "我要买iPhone去北京"
    authoring.examples.add(app_id, "0.1", ExampleLabelObject(
        text=text, intent_name="None", entity_labels=[_label(text, "Place", "北京"), _label(text, "Place", "iPhone")]))
    [listed] = authoring.examples.list(app_id, "0.1")
    assert listed.tokenized_text == ["我", "要", "买", "iPhone", "去", "北", "京"]
    assert sorted((e.start_token_index, e.end_token_index) for e in listed.entity_labels) == [(3, 3), (5, 6)]


# --- an app per culture: author, train, publish, predict ------------------------------------------

@pytest.fixture(scope="module")
def multilingual_server(start_server, tmp_path_factory):
    """A server on the default encoders: every culture here trains the multilingual-e5-small (40 steps: enough
    for these apps' queries, a minute for all five)."""
    return start_server(data_dir=tmp_path_factory.mktemp("multilingual"), LUISLITE_TRAIN_THREADS="2",
                        LUISLITE_TRAIN_RECIPE='{"min_steps": 40, "character_min_steps": 40, "deep_min_steps": 40}')


@pytest.fixture(scope="module")
def culture_apps(multilingual_server):
    """culture -> app id: each authored with the SDK (intents, an ML entity, a list, examples), trained on the
    multilingual encoder (the default of every culture but English) and published to production."""
    authoring = LUISAuthoringClient(multilingual_server.url, CognitiveServicesCredentials(multilingual_server.key))
    apps = {}
    for culture, (examples, cities, _, _) in APPS.items():
        app_id = authoring.apps.add({"name": f"{culture}-{uuid.uuid4().hex[:8]}", "culture": culture})
        for intent in ("BookFlight", "GetWeather"):
            authoring.model.add_intent(app_id, "0.1", name=intent)
        authoring.model.add_entity(app_id, "0.1", name="Place")
        authoring.model.add_closed_list(app_id, "0.1", name="City",
                                        sub_lists=[WordListObject(canonical_form=c) for c in cities])
        if culture == "zh-cn":
            authoring.model.add_prebuilt(app_id, "0.1", ["datetimeV2"])
            authoring.pattern.add_pattern(app_id, "0.1", pattern="去{City}的机票", intent="BookFlight")
        results = authoring.examples.batch(app_id, "0.1", [
            ExampleLabelObject(text=t, intent_name=i, entity_labels=[_label(t, "Place", v)]) for t, i, v in examples])
        assert not any(r.has_error for r in results), [r.error.message for r in results if r.has_error]
        authoring.train.train_version(app_id, "0.1")
        apps[culture] = app_id
    for culture, app_id in apps.items():
        statuses = wait_for_training(authoring, app_id, timeout=600)[-1]  # a busy or AVX2-only box is slower
        assert {s.details.status for s in statuses} == {"Success"}, (culture, [s.details.failure_reason
                                                                               for s in statuses])
        authoring.apps.publish(app_id, version_id="0.1", is_staging=False)
    return apps


@pytest.fixture(scope="module")
def runtime(multilingual_server):
    return LUISRuntimeClient(multilingual_server.url, CognitiveServicesCredentials(multilingual_server.endpoint_key))


def test_every_culture_trained_the_multilingual_encoder(multilingual_server, culture_apps):
    labels = {json.loads(p.read_text())["culture"]: json.loads(p.read_text())
              for p in multilingual_server.data_dir.rglob("labels.json")}
    assert set(labels) == set(APPS)
    assert {(l["encoder"]["name"], l["word_input"]) for l in labels.values()} == {("multilingual-e5-small-1", "runs")}


@pytest.mark.parametrize("culture", list(APPS))
def test_the_multilingual_encoder_reads_each_culture(runtime, culture_apps, culture):
    """Four examples are enough for the queries, close to them, to get their intent: the encoder reads the text."""
    _, _, query, _ = APPS[culture]
    prediction = runtime.prediction.get_slot_prediction(culture_apps[culture], "Production",
                                                        {"query": query}).prediction
    assert prediction.top_intent == "BookFlight", prediction.intents


@pytest.mark.parametrize("culture", list(APPS))
def test_prediction_offsets_follow_the_culture(runtime, culture_apps, culture):
    _, _, query, city = APPS[culture]
    prediction = runtime.prediction.get_slot_prediction(culture_apps[culture], "Production", {"query": query},
                                                        verbose=True).prediction
    for item in instances(prediction.entities):
        assert query[item["startIndex"]:item["startIndex"] + item["length"]] == item["text"]
    [found] = prediction.entities["$instance"]["City"]
    assert (found["startIndex"], found["length"], found["text"]) == (query.index(city), len(city), city)
    assert prediction.entities["City"] == [[city]]


def test_chinese_dates_resolve_to_datetimev2(runtime, culture_apps):
    prediction = runtime.prediction.get_slot_prediction(
        culture_apps["zh-cn"], "Production", {"query": "明天下午三点", "options": {"datetimeReference":
                                                                                   "2026-12-01T09:00:00"}},
        verbose=True).prediction
    [value] = prediction.entities["datetimeV2"]
    assert value["type"] == "datetime" and value["values"][0]["timex"] == "2026-12-02T15"
    assert prediction.entities["$instance"]["datetimeV2"][0]["text"] == "明天下午三点"


def test_chinese_patterns_match_characters(runtime, culture_apps):
    prediction = runtime.prediction.get_slot_prediction(culture_apps["zh-cn"], "Production",
                                                        {"query": "去东京的机票"}, verbose=True).prediction
    assert prediction.top_intent == "BookFlight" and prediction.intents["BookFlight"].score >= 0.99
    assert prediction.entities["$instance"]["City"][0]["startIndex"] == 1


# --- a base model per culture ----------------------------------------------------------------------

def test_a_culture_trains_on_its_own_base_model(start_server, tiny_model, tmp_path):
    """LUISLITE_BASE_MODELS: zh-cn apps train on a tiny random checkpoint with a Chinese vocabulary (none of their
    characters is unknown to it, so none is added), ja-jp on a directory without a checkpoint (training fails
    and says why), other cultures on LUISLITE_BASE_MODEL."""
    from tinybert import build_tiny_bert

    examples = APPS["zh-cn"][0]
    chinese = build_tiny_bert(tmp_path / "chinese-bert", sorted({c for text, _, _ in examples for c in text}))
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server = start_server(data_dir=data_dir, LUISLITE_BASE_MODEL=str(tiny_model), LUISLITE_TRAIN_THREADS="1",
                          LUISLITE_BASE_MODELS=f"zh-cn={chinese}, JA-JP={tmp_path / 'absent'}")
    authoring = LUISAuthoringClient(server.url, CognitiveServicesCredentials(server.key))
    apps = {}
    for culture in ("zh-cn", "ja-jp"):
        apps[culture] = _app(authoring, culture)
        authoring.model.add_intent(apps[culture], "0.1", name="BookFlight")
        authoring.examples.batch(apps[culture], "0.1", [ExampleLabelObject(text=t, intent_name="BookFlight")
                                                        for t, _, _ in APPS[culture][0]])
        authoring.train.train_version(apps[culture], "0.1")
    statuses = wait_for_training(authoring, apps["zh-cn"])[-1]
    assert {s.details.status for s in statuses} == {"Success"}, statuses[0].details.failure_reason
    labels = [json.loads(p.read_text()) for p in data_dir.rglob("labels.json")]
    assert [(l["encoder"]["name"], l["culture"]) for l in labels] == [("chinese-bert", "zh-cn")]
    [ja] = wait_for_training(authoring, apps["ja-jp"])[-1][:1]
    assert ja.details.status == "Fail" and "EncoderError" in ja.details.failure_reason
