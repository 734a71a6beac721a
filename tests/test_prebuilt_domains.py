"""Prebuilt domains with the official SDK: the catalogue, apps created from a domain that train, publish and predict,
a domain added to and deleted from a version, single intents and entities of a domain, their roles, errors."""
import gzip
import json
import uuid

import pytest
from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
from azure.cognitiveservices.language.luis.authoring.models import ErrorResponseException
from msrest.authentication import CognitiveServicesCredentials

from luislite.services.prebuilt_domains import DATA
from conftest import Http
from tiny_app import V3, train

CULTURES = {"en-us", "zh-cn", "es-es", "de-de", "fr-fr", "it-it"}
DOMAINS = {"Calendar", "Email", "ToDo", "Weather"}


@pytest.fixture(scope="module")
def domain_server(start_server, tiny_model):
    """A server training on tiny BERT, one epoch: seconds for a domain's thousand utterances."""
    return start_server(LUISLITE_BASE_MODEL=str(tiny_model), LUISLITE_TRAIN_THREADS="1",
                        LUISLITE_TRAIN_RECIPE='{"min_steps": 10, "character_min_steps": 10, "min_epochs": 1}')


@pytest.fixture(scope="module")
def client(domain_server) -> LUISAuthoringClient:
    return LUISAuthoringClient(domain_server.url, CognitiveServicesCredentials(domain_server.key))


def _new_app(client) -> str:
    return client.apps.add({"name": f"app-{uuid.uuid4().hex[:8]}", "culture": "en-us", "initial_version_id": "0.1"})


def _refused(status: int, code: str, call, *args, **kwargs) -> str:
    """The message of the LUIS error `call(*args, **kwargs)` answers, checked to be `status` and `code`."""
    with pytest.raises(ErrorResponseException) as caught:
        call(*args, **kwargs)
    error = caught.value.response.json()["error"]
    assert (caught.value.response.status_code, error["code"]) == (status, code)
    return error["message"]


def test_shipped_data_is_small_and_sourced():
    files = list(DATA.glob("*/*.json.gz"))
    assert {f.parent.name for f in files} == CULTURES and {f.name.split(".")[0] for f in files} == DOMAINS
    assert sum(f.stat().st_size for f in files) < 1_000_000
    assert "bca1ed6cc07d85af40812eabaefb91aa4559f188" in (DATA / "SOURCES.md").read_text()
    doc = json.loads(gzip.decompress((DATA / "en-us" / "Calendar.json.gz").read_bytes()))
    assert {"name": "Calendar.Subject", "inherits": {"domain_name": "Calendar", "model_name": "Subject"}}.items() \
        <= next(e for e in doc["entities"] if e["name"] == "Calendar.Subject").items()


def test_catalogue(client):
    domains = client.apps.list_available_custom_prebuilt_domains()
    assert {(d.name, d.culture) for d in domains} == {(n, c) for n in DOMAINS for c in CULTURES}
    [calendar] = [d for d in client.apps.list_available_custom_prebuilt_domains_for_culture("en-US")
                  if d.name == "Calendar"]
    assert calendar.description and calendar.examples
    assert "CreateCalendarEntry" in {i.name for i in calendar.intents}
    assert "Subject" in {e.name for e in calendar.entities} and all(i.examples for i in calendar.intents)
    assert client.apps.list_available_custom_prebuilt_domains_for_culture("ja-jp") == []
    _refused(400, "BadArgument", client.apps.list_available_custom_prebuilt_domains_for_culture, "xx-yy")


@pytest.mark.parametrize("domain, culture, query", [("Calendar", "en-us", "schedule a meeting with tom tomorrow"),
                                                   ("Weather", "zh-cn", "明天北京的天气怎么样")])
def test_app_from_domain_trains_publishes_predicts(client, domain_server, domain, culture, query):
    app_id = client.apps.add_custom_prebuilt_domain(domain_name=domain.lower(), culture=culture)
    app = client.apps.get(app_id)
    assert (app.name.split(" (")[0], app.culture, app.domain) == (domain, culture, domain)
    intents = {i.name: i for i in client.model.list_intents(app_id, "0.1", take=500)}
    assert all(i.custom_prebuilt_domain_name == domain for name, i in intents.items() if name != "None")
    assert client.examples.list(app_id, "0.1", take=10) and client.pattern.list_patterns(app_id, "0.1") is not None
    with Http(domain_server, domain_server.key) as http:
        train(http, app_id)
        client.apps.publish(app_id, version_id="0.1", is_staging=False)
        response = http.get(http.url(f"/apps/{app_id}/slots/production/predict", V3),
                            params={"query": query, "show-all-intents": "true"})
        exported = http.get(f"/apps/{app_id}/versions/0.1/export").json()
    assert response.status_code == 200, response.text
    prediction = response.json()["prediction"]
    assert prediction["topIntent"] in intents and set(prediction["intents"]) <= set(intents)
    assert any(name.startswith(f"{domain}.") for name in prediction["intents"])
    assert all(i["inherits"]["domain_name"] == domain for i in exported["intents"] if i["name"] != "None")


def test_add_and_delete_a_domain(client):
    app_id = _new_app(client)
    client.model.add_intent(app_id, "0.1", "Greeting")
    ids = client.model.add_custom_prebuilt_domain(app_id, "0.1", domain_name="ToDo")
    models = client.model.list_custom_prebuilt_models(app_id, "0.1")
    assert sorted(ids) == sorted(m.id for m in models)
    assert {(m.name, m.custom_prebuilt_domain_name, m.custom_prebuilt_model_name) for m in models} >= {
        ("ToDo.AddToDo", "ToDo", "AddToDo"), ("ToDo.TaskContent", "ToDo", "TaskContent")}
    intents = client.model.list_custom_prebuilt_intents(app_id, "0.1")
    entities = client.model.list_custom_prebuilt_entities(app_id, "0.1")
    assert {i.name for i in intents} | {e.name for e in entities} == {m.name for m in models}
    assert "ordinal" in {e.name for e in client.model.list_prebuilts(app_id, "0.1")}
    assert any(e.intent_label == "ToDo.AddToDo" for e in client.examples.list(app_id, "0.1", take=500))
    message = _refused(400, "BadArgument", client.model.add_custom_prebuilt_domain, app_id, "0.1", domain_name="todo")
    assert "already" in message

    assert client.model.delete_custom_prebuilt_domain(app_id, "0.1", "ToDo").code == "Success"
    assert client.model.list_custom_prebuilt_models(app_id, "0.1") == []
    assert {i.name for i in client.model.list_intents(app_id, "0.1")} == {"None", "Greeting"}
    assert client.examples.list(app_id, "0.1", take=500) == []
    _refused(404, "NotFound", client.model.delete_custom_prebuilt_domain, app_id, "0.1", "ToDo")


def test_single_models_and_roles(client):
    app_id = _new_app(client)
    entity_id = client.model.add_custom_prebuilt_entity(app_id, "0.1", domain_name="Email", model_name="contactname")
    intent_id = client.model.add_custom_prebuilt_intent(app_id, "0.1", domain_name="Email", model_name="SendEmail")
    [entity] = client.model.list_custom_prebuilt_entities(app_id, "0.1")
    [intent] = client.model.list_custom_prebuilt_intents(app_id, "0.1")
    assert (entity.id, entity.name, entity.custom_prebuilt_model_name) == (entity_id, "Email.ContactName",
                                                                           "ContactName")
    assert (intent.id, intent.name) == (intent_id, "Email.SendEmail")
    examples = client.examples.list(app_id, "0.1", take=500)
    assert examples and {e.intent_label for e in examples} == {"Email.SendEmail"}
    assert {label.entity_name for e in examples for label in e.entity_labels} == {"Email.ContactName"}

    role_id = client.model.create_custom_prebuilt_entity_role(app_id, "0.1", entity_id, name="Recipient")
    assert [r.name for r in client.model.list_custom_prebuilt_entity_roles(app_id, "0.1", entity_id)] == ["Recipient"]
    client.model.update_custom_prebuilt_entity_role(app_id, "0.1", entity_id, role_id, name="To")
    assert client.model.get_custom_entity_role(app_id, "0.1", entity_id, role_id).name == "To"
    assert client.model.delete_custom_entity_role(app_id, "0.1", entity_id, role_id).code == "Success"
    assert client.model.list_custom_prebuilt_entity_roles(app_id, "0.1", entity_id) == []

    _refused(400, "BadArgument", client.model.add_custom_prebuilt_intent, app_id, "0.1", domain_name="Email",
             model_name="Nothing")
    _refused(400, "BadArgument", client.model.add_custom_prebuilt_entity, app_id, "0.1", domain_name="Email",
             model_name="ContactName")


def test_errors(client):
    for domain_name, culture in (("Nothing", "en-us"), ("Calendar", "xx-yy"), ("Calendar", "ja-jp"), ("", "en-us")):
        _refused(400, "BadArgument", client.apps.add_custom_prebuilt_domain, domain_name=domain_name, culture=culture)
    app_id = _new_app(client)
    _refused(400, "BadArgument", client.model.add_custom_prebuilt_domain, app_id, "0.1", domain_name="Nothing")
    _refused(404, "NotFound", client.model.add_custom_prebuilt_domain, app_id, "9.9", domain_name="ToDo")
    _refused(404, "NotFound", client.model.list_custom_prebuilt_models, str(uuid.uuid4()), "0.1")
