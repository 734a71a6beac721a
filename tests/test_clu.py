"""Azure CLU's surface driven by Azure's own SDK, unchanged: `azure-ai-language-conversations` 1.1.0 (the runtime
client and its bundled authoring client, api-version 2023-04-01) against a live server training tiny BERT.

One project is imported, trained with a manual evaluation split and deployed once (module fixture); the tests then
read it through CLU's runtime and authoring API, and through LUIS's. Entities checked for offsets are rule-based
(list, prebuilt), so their spans do not depend on the tiny model's random predictions.
"""
import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
from azure.ai.language.conversations import ConversationAnalysisClient
from azure.ai.language.conversations.authoring import ConversationAuthoringClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import (ClientAuthenticationError, HttpResponseError, ResourceExistsError,
                                   ResourceNotFoundError)
from azure.core.rest import HttpRequest

from tiny_app import EXAMPLES, INTENTS, training_status, wait_until

CLU2 = Path(__file__).resolve().parent.parent / ".venv-clu2" / "bin" / "python"  # built by `make .venv-clu2`

# "inbox" and "3" after an emoji with a skin tone (2 code points, 4 UTF-16 units, 1 grapheme) and an e with a
# combining acute (2 code points, 1 grapheme)
QUERY = "👍🏽 Jose\u0301 open 3 mails in inbox"
OFFSETS = {"TextElements_v8": {"Count": 12, "Folder": 23}, "UnicodeCodePoint": {"Count": 14, "Folder": 25},
           "Utf16CodeUnit": {"Count": 16, "Folder": 27}}
UTTERANCES = [
    ("open the mail from blake", "Read", "Train", [("Sender", 19, 5)]),
    ("read what anna sent me", "Read", "Train", [("Sender", 10, 4)]),
    ("show me the email 😀 from tom", "Read", "Train", [("Sender", 26, 3)]),
    ("delete the mail from bob", "Delete", "Train", [("Sender", 21, 3)]),
    ("remove 2 mails in outbox", "Delete", "Train", []),
    ("throw away everything from carl", "Delete", "Train", [("Sender", 27, 4)]),
    ("what is the weather", "None", "Train", []),
    ("open the letter from zoe\u0308", "Read", "Test", [("Sender", 21, 4)]),
    ("delete messages from dan", "Delete", "Test", [("Sender", 21, 3)]),
]
# entities of a list and a prebuilt component, by composition setting, list key (its one synonym), required ones
COMPOSED = [("Quota", "combineComponents", "3 mails", []), ("Parts", "separateComponents", "3 mails", []),
            ("Longest", "returnLongestOverlap", "3 mails", []),
            ("Boxed", "combineComponents", "3 mails", ["list", "prebuilts"]),
            ("Exact", "requireExactOverlap", "3", [])]
PROJECT = {
    "projectFileVersion": "2023-04-01", "stringIndexType": "Utf16CodeUnit",
    "metadata": {"projectKind": "Conversation", "projectName": "ignored", "language": "en-us", "multilingual": False,
                 "description": "Mail", "settings": {"confidenceThreshold": 0.0}},
    "assets": {
        "projectKind": "Conversation",
        "intents": [{"category": "Delete"}, {"category": "None"}, {"category": "Read"}],
        "entities": [
            {"category": "Sender"},
            {"category": "Folder", "compositionSetting": "combineComponents", "list": {"sublists": [
                {"listKey": "Inbox", "synonyms": [{"language": "en-us", "values": ["Inbox", "inbox", "incoming"]}]},
                {"listKey": "Sent", "synonyms": [{"language": "en-us", "values": ["Sent", "outbox"]}]}]}},
            {"category": "Code", "compositionSetting": "combineComponents", "regex": {"expressions": [
                {"regexKey": "Code", "language": "en-us", "regexPattern": "[A-Z]{3}-\\d{3}"}]}},
            {"category": "Count", "compositionSetting": "combineComponents",
             "prebuilts": [{"category": "Quantity.Number"}]},
            *({"category": category, "compositionSetting": setting, "list": {"sublists": [
                {"listKey": key, "synonyms": [{"language": "en-us", "values": [key]}]}]},
               "prebuilts": [{"category": "Quantity.Number"}]} | ({"requiredComponents": required} if required else {})
              for category, setting, key, required in COMPOSED)],
        "utterances": [{"text": text, "language": "en-us", "intent": intent, "dataset": dataset,
                        "entities": [{"category": c, "offset": o, "length": n} for c, o, n in labels]}
                       for text, intent, dataset, labels in UTTERANCES]}}


def luis_app(name: str) -> dict:
    """tiny_app's travel app as LUIS JSON (7.0.0), with a list entity."""
    utterances = [{"text": t, "intent": i, "entities": [] if not city else [
        {"entity": "City", "startPos": t.index(city), "endPos": t.index(city) + len(city) - 1}]}
        for t, i, city in EXAMPLES]
    return {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": name, "desc": "", "culture": "en-us",
            "intents": [{"name": n} for n in [*INTENTS, "None"]], "entities": [{"name": "City", "roles": []}],
            "closedLists": [{"name": "Airline", "roles": [], "subLists": [{"canonicalForm": "KLM", "list": ["klm"]}]}],
            "prebuiltEntities": [], "regex_entities": [], "composites": [], "patternAnyEntities": [],
            "hierarchicals": [], "phraselists": [], "patterns": [], "utterances": utterances}


@pytest.fixture(scope="module")
def clients(tiny_server):
    credential = AzureKeyCredential(tiny_server.key)
    return (ConversationAuthoringClient(tiny_server.url, credential),
            ConversationAnalysisClient(tiny_server.url, AzureKeyCredential(tiny_server.endpoint_key)))


@pytest.fixture(scope="module")
def project(clients):
    """A project imported from PROJECT, trained as m1 (manual split) and deployed to production."""
    authoring, _ = clients
    name = f"Mail-{uuid.uuid4().hex[:6]}"
    assert authoring.begin_import_project(name, PROJECT).result()["status"] == "succeeded"
    job = authoring.begin_train(name, {"modelLabel": "m1", "trainingMode": "standard",
                                       "evaluationOptions": {"kind": "manual"}}).result()
    assert job["status"] == "succeeded" and job["result"]["modelLabel"] == "m1", job
    deployment = authoring.begin_deploy_project(name, "production", {"trainedModelLabel": "m1"}).result()
    assert deployment["deploymentName"] == "production"
    return name


def analyze(runtime, project: str, text: str, deployment: str = "production", **parameters) -> dict:
    result = runtime.analyze_conversation(task={
        "kind": "Conversation",
        "analysisInput": {"conversationItem": {"id": "1", "participantId": "1", "text": text}},
        "parameters": {"projectName": project, "deploymentName": deployment, **parameters}})
    assert result["kind"] == "ConversationResult" and result["result"]["query"] == text
    return result["result"]["prediction"]


@pytest.mark.parametrize("index_type", [None, "TextElement_V8", "UnicodeCodePoint", "Utf16CodeUnit"])
def test_analyze_counts_offsets_in_the_requested_units(clients, project, index_type):
    prediction = analyze(clients[1], project, QUERY, **({"stringIndexType": index_type} if index_type else {}))
    assert prediction["projectKind"] == "Conversation"
    scores = [i["confidenceScore"] for i in prediction["intents"]]
    assert {i["category"] for i in prediction["intents"]} == {"Read", "Delete", "None"}
    assert scores == sorted(scores, reverse=True) and prediction["topIntent"] == prediction["intents"][0]["category"]
    entities = {e["category"]: e for e in prediction["entities"] if e["category"] in ("Folder", "Count")}
    offsets = OFFSETS[{None: "TextElements_v8", "TextElement_V8": "TextElements_v8"}.get(index_type, index_type)]
    assert entities["Folder"] == {"category": "Folder", "text": "inbox", "offset": offsets["Folder"], "length": 5,
                                  "confidenceScore": 1,
                                  "extraInformation": [{"extraInformationKind": "ListKey", "key": "Inbox"}]}
    assert entities["Count"] == {"category": "Count", "text": "3", "offset": offsets["Count"], "length": 1,
                                 "confidenceScore": 1,
                                 "extraInformation": [{"extraInformationKind": "EntitySubtype",
                                                       "value": "quantity.number"}],
                                 "resolutions": [{"resolutionKind": "NumberResolution", "numberKind": "Integer",
                                                  "value": 3}]}


def test_regex_components_and_the_confidence_threshold(clients, project):
    authoring, runtime = clients
    prediction = analyze(runtime, project, "read ticket ABC-123")
    code = next(e for e in prediction["entities"] if e["category"] == "Code")
    assert code["offset"] == 12 and code["extraInformation"] == [{"extraInformationKind": "RegexKey", "key": "Code"}]
    authoring.create_project(project, {"settings": {"confidenceThreshold": 1.0}})
    try:
        prediction = analyze(runtime, project, "read ticket ABC-123")
        assert prediction["topIntent"] == "None" and prediction["intents"][0]["confidenceScore"] < 1
    finally:
        authoring.create_project(project, {"settings": {"confidenceThreshold": 0.0}})


@pytest.mark.parametrize("text, expected", [
    ("open 3 mails", {("Quota", "3 mails", 5, ("ListKey", "EntitySubtype")), ("Parts", "3", 5, ("EntitySubtype",)),
                      ("Parts", "3 mails", 5, ("ListKey",)), ("Longest", "3 mails", 5, ("ListKey",)),
                      ("Boxed", "3 mails", 5, ("ListKey", "EntitySubtype")),
                      ("Exact", "3", 5, ("ListKey", "EntitySubtype"))}),
    ("open 4 letters", {("Quota", "4", 5, ("EntitySubtype",)), ("Parts", "4", 5, ("EntitySubtype",)),
                        ("Longest", "4", 5, ("EntitySubtype",))}),  # Boxed lacks its list, Exact its list too
])
def test_entities_compose_their_components(clients, project, text, expected):
    prediction = analyze(clients[1], project, text)
    found = {(e["category"], e["text"], e["offset"], tuple(x["extraInformationKind"] for x in e["extraInformation"]))
             for e in prediction["entities"] if e["category"] in {c[0] for c in COMPOSED}}
    assert found == expected
    quota = next(e for e in prediction["entities"] if e["category"] == "Quota")
    assert quota["resolutions"][0]["resolutionKind"] == "NumberResolution"


def test_project_models_and_evaluation(clients, project):
    authoring, _ = clients
    metadata = authoring.get_project(project)
    assert metadata["projectKind"] == "Conversation" and metadata["language"] == "en-us"
    assert "lastTrainedDateTime" in metadata and "lastDeployedDateTime" in metadata
    assert project in [p["projectName"] for p in authoring.list_projects()]
    assert "m1" in [m["label"] for m in authoring.list_trained_models(project)]
    assert authoring.get_trained_model(project, "m1")["hasSnapshot"] is True
    summary = authoring.get_model_evaluation_summary(project, "m1")
    intents = summary["intentsEvaluation"]
    assert sum(c["truePositiveCount"] + c["falseNegativeCount"] for c in intents["intents"].values()) == 2
    assert set(summary["entitiesEvaluation"]) >= {"entities", "microF1", "macroF1", "confusionMatrix"}
    results = {r["text"]: r for r in authoring.list_model_evaluation_results(
        project, "m1", string_index_type="Utf16CodeUnit")}
    assert set(results) == {"open the letter from zoe\u0308", "delete messages from dan"}
    assert results["open the letter from zoe\u0308"]["entitiesResult"]["expectedEntities"] == [
        {"category": "Sender", "offset": 21, "length": 4}]
    assert results["delete messages from dan"]["intentsResult"]["expectedIntent"] == "Delete"


def test_trained_models_are_deleted_unless_deployed(clients, project):
    authoring, _ = clients
    authoring.begin_train(project, {"modelLabel": "m2", "trainingMode": "standard"}).result()
    assert {"m1", "m2"} <= {m["label"] for m in authoring.list_trained_models(project)}
    with pytest.raises(ResourceExistsError):  # m1 is deployed
        authoring.delete_trained_model(project, "m1")
    authoring.delete_trained_model(project, "m2")
    with pytest.raises(ResourceNotFoundError):
        authoring.get_trained_model(project, "m2")


def test_cancelling_a_training_job_stops_its_luis_training(clients, tiny_http, project):
    """Cancelled as soon as it started (the tiny model trains for seconds): the job reports `cancelled`, LUIS's
    training job of the model's version failed as cancelled, and no model exists. SDK 1.1.0's poller would poll a
    `cancelled` job forever (azure-core knows "canceled"), as against Azure: so no polling here."""
    authoring, _ = clients
    authoring.begin_train(project, {"modelLabel": "doomed", "trainingMode": "standard"}, polling=False)
    job = next(j for j in authoring.list_training_jobs(project) if j["result"]["modelLabel"] == "doomed")
    authoring.begin_cancel_training_job(project, job["jobId"], polling=False)
    assert authoring.get_training_job_status(project, job["jobId"])["status"] == "cancelled"
    with pytest.raises(ResourceNotFoundError):
        authoring.get_trained_model(project, "doomed")
    app = next(a for a in tiny_http.get("/apps/").json() if a["name"] == project)
    statuses = tiny_http.get(f"/apps/{app['id']}/versions/doomed/train").json()
    assert statuses and all(s["details"]["status"] == "Fail" and s["details"]["failureReason"].startswith("Cancelled")
                            for s in statuses)


def test_the_worker_evaluates_before_any_poll(clients, tiny_http, tiny_server, sql, project):
    """Once LUIS's training job has ended, the CLU job, never polled, already holds its model's evaluation: the
    worker made it, so no poll of a large held-out set is slow."""
    authoring, _ = clients
    authoring.begin_train(project, {"modelLabel": "m3", "trainingMode": "standard",
                                    "evaluationOptions": {"kind": "manual"}}, polling=False)
    app = next(a for a in tiny_http.get("/apps/").json() if a["name"] == project)
    ended = wait_until(lambda: training_status(tiny_http, app["id"], "m3") in ("Success", "Fail"), what="training")
    assert ended and training_status(tiny_http, app["id"], "m3") == "Success"
    rows = sql(tiny_server.data_dir, "SELECT status, result, details FROM clu_jobs WHERE kind = 'train'")
    (status, result), = [(status, _json(result)) for status, result, details in rows
                         if _json(details)["modelLabel"] == "m3"]
    assert status == "running" and {u["text"] for u in result["utterances"]} == {
        "open the letter from zoe\u0308", "delete messages from dan"}
    job = next(j for j in authoring.list_training_jobs(project) if j["result"]["modelLabel"] == "m3")
    assert job["status"] == "succeeded"
    assert authoring.get_model_evaluation_summary(project, "m3")["intentsEvaluation"]["intents"]


def _json(value):
    """A JSON column's value: text in SQLite, decoded by PostgreSQL's driver."""
    return json.loads(value) if isinstance(value, str) else value


def test_the_model_holds_no_test_utterance(clients, tiny_http, project):
    """The model is trained on the Train utterances only: its version (label m1) lacks the Test ones, and so does
    the working copy once the model's snapshot is loaded into it."""
    app = next(a for a in tiny_http.get("/apps/").json() if a["name"] == project)
    texts = {e["text"] for e in tiny_http.get(f"/apps/{app['id']}/versions/m1/examples").json()}
    assert "delete messages from dan" not in texts and "open the mail from blake" in texts
    authoring, _ = clients
    copy = f"{project}-snapshot"
    authoring.begin_import_project(copy, _export(authoring, project)).result()
    authoring.begin_train(copy, {"modelLabel": "m1", "trainingMode": "standard",
                                 "evaluationOptions": {"kind": "manual"}}).result()
    assert authoring.begin_load_snapshot(copy, "m1").result()["status"] == "succeeded"
    working = {u["text"] for u in _export(authoring, copy)["assets"]["utterances"]}
    assert working == texts
    authoring.begin_delete_project(copy).result()


def test_deployments_swap_and_delete(clients, project):
    authoring, runtime = clients
    authoring.begin_deploy_project(project, "staging", {"trainedModelLabel": "m1"}).result()
    assert {d["deploymentName"] for d in authoring.list_deployments(project)} == {"production", "staging"}
    before = authoring.get_deployment(project, "production")
    assert authoring.begin_swap_deployments(project, {"firstDeploymentName": "production",
                                                      "secondDeploymentName": "staging"}).result()["status"] \
        == "succeeded"
    assert authoring.get_deployment(project, "staging")["modelId"] == before["modelId"]
    authoring.begin_delete_deployment(project, "staging").result()
    with pytest.raises(ResourceNotFoundError):
        authoring.get_deployment(project, "staging")
    with pytest.raises(ResourceNotFoundError):
        analyze(runtime, project, "hello", deployment="staging")


def _export(authoring, project: str) -> dict:
    job = authoring.begin_export_project(project, string_index_type="Utf16CodeUnit").result()
    assert job["resultUrl"].startswith("http://127.0.0.1")
    response = authoring.send_request(HttpRequest("GET", job["resultUrl"]))
    response.raise_for_status()
    return response.json()


def test_export_and_reimport_lose_nothing(clients, project):
    authoring, _ = clients
    exported = _export(authoring, project)
    assert exported["metadata"]["projectName"] == project
    for key in ("intents", "entities"):
        assert sorted(exported["assets"][key], key=str) == sorted(PROJECT["assets"][key], key=str)
    assert sorted(exported["assets"]["utterances"], key=str) == sorted(PROJECT["assets"]["utterances"], key=str)
    copy = f"{project}-copy"
    authoring.begin_import_project(copy, exported).result()
    again = _export(authoring, copy)
    assert again["assets"] == exported["assets"] and again["metadata"]["settings"] == exported["metadata"]["settings"]
    assert authoring.begin_delete_project(copy).result()["status"] == "succeeded"
    with pytest.raises(ResourceNotFoundError):
        authoring.get_project(copy)


def test_a_luis_app_answers_alike_through_both_apis(clients, tiny_server):
    """A LUIS app imported through CLU (`format=Luis`), trained and deployed there, queried through both APIs."""
    authoring, runtime = clients
    name = f"Travel {uuid.uuid4().hex[:6]}"  # a space: job URLs must quote it
    authoring.begin_import_project(name, luis_app(name), exported_project_format="Luis").result()
    authoring.begin_train(name, {"modelLabel": "0.1", "trainingMode": "standard"}).result()
    authoring.begin_deploy_project(name, "production", {"trainedModelLabel": "0.1"}).result()
    exported = _export(authoring, name)
    assert {e["category"] for e in exported["assets"]["entities"]} == {"City", "Airline"}
    clu = analyze(runtime, name, "fly klm to paris", stringIndexType="UnicodeCodePoint")
    app_id = next(a["id"] for a in requests.get(f"{tiny_server.url}/luis/authoring/v3.0-preview/apps/", headers={
        "Ocp-Apim-Subscription-Key": tiny_server.key}).json() if a["name"] == name)
    luis = requests.get(f"{tiny_server.url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict",
                        params={"query": "fly klm to paris", "show-all-intents": "true"},
                        headers={"Ocp-Apim-Subscription-Key": tiny_server.endpoint_key}).json()["prediction"]
    assert clu["topIntent"] == luis["topIntent"]
    assert {i["category"]: i["confidenceScore"] for i in clu["intents"]} == pytest.approx(
        {k: v["score"] for k, v in luis["intents"].items()}, abs=1e-5)
    assert {"category": "Airline", "text": "klm", "offset": 4, "length": 3, "confidenceScore": 1,
            "extraInformation": [{"extraInformationKind": "ListKey", "key": "KLM"}]} in clu["entities"]
    assert luis["entities"]["Airline"] == [["KLM"]]
    authoring.begin_delete_project(name).result()


def test_errors_in_clus_envelope(clients, project, tiny_server):
    authoring, runtime = clients
    with pytest.raises(ResourceNotFoundError) as missing:
        authoring.get_project("no-such-project")
    assert missing.value.error.code == "NotFound"
    with pytest.raises(ClientAuthenticationError):
        ConversationAuthoringClient(tiny_server.url, AzureKeyCredential("wrong")).get_project(project)
    with pytest.raises(ClientAuthenticationError):  # an endpoint key cannot author
        ConversationAuthoringClient(tiny_server.url, AzureKeyCredential(tiny_server.endpoint_key)).get_project(project)
    with pytest.raises(HttpResponseError) as bad:
        analyze(runtime, project, "hello", stringIndexType="Utf8")
    assert bad.value.status_code == 400 and bad.value.error.code == "InvalidRequest"
    with pytest.raises(HttpResponseError) as bad:
        authoring.begin_train(project, {"trainingMode": "standard"})
    assert bad.value.status_code == 400 and "modelLabel" in bad.value.message
    with pytest.raises(ResourceNotFoundError):
        authoring.begin_deploy_project(project, "x", {"trainedModelLabel": "nope"})
    response = requests.post(f"{tiny_server.url}/language/:analyze-conversations?api-version=2023-04-01",
                             json={"kind": "Conversation"}, headers={"Ocp-Apim-Subscription-Key": tiny_server.key})
    assert response.status_code == 400
    assert response.json()["error"]["innererror"]["code"] == "InvalidParameterValue"


def test_the_second_sdk_generation(tiny_server):
    """azure-ai-language-conversations-authoring 1.0.0b4 + runtime 2.0.0b2, in their own venv (tests/clu_sdk2.py)."""
    if not CLU2.exists():
        pytest.skip("the second CLU SDK generation's venv is absent: run `make .venv-clu2` (make test does)")
    run = subprocess.run([str(CLU2), str(Path(__file__).with_name("clu_sdk2.py")), tiny_server.url, tiny_server.key,
                          tiny_server.endpoint_key], capture_output=True, text=True, timeout=600,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all checks passed" in run.stdout
