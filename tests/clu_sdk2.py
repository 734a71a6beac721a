"""Azure's second CLU SDK generation against a live luislite: `azure-ai-language-conversations-authoring` 1.0.0b4
with the typed runtime `azure-ai-language-conversations` 2.0.0b2 (api-version 2025-11-15-preview).

It cannot share an environment with the 1.1.0 SDK the suite uses, so it runs in `.venv-clu2` (`make .venv-clu2`)
as a script: `python tests/clu_sdk2.py URL AUTHORING_KEY ENDPOINT_KEY`; test_clu.py starts it. Exit status 0 when
every check passed.
"""
import sys
import uuid

from azure.ai.language.conversations import ConversationAnalysisClient
from azure.ai.language.conversations.authoring import ConversationAuthoringClient
from azure.ai.language.conversations.models import ListKey, NumberResolution
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ResourceNotFoundError

from test_clu import OFFSETS, PROJECT, QUERY, luis_app


def analyze(runtime, project: str, text: str, **parameters):
    return runtime.analyze_conversation(body={
        "kind": "Conversation", "analysisInput": {"conversationItem": {"id": "1", "participantId": "1", "text": text}},
        "parameters": {"projectName": project, "deploymentName": "production", **parameters}}).result.prediction


def main(url: str, key: str, endpoint_key: str) -> None:
    client = ConversationAuthoringClient(url, AzureKeyCredential(key))
    runtime = ConversationAnalysisClient(url, AzureKeyCredential(endpoint_key))
    name = f"Mail2-{uuid.uuid4().hex[:6]}"
    created = client.create_project(name, {"projectKind": "Conversation", "projectName": name, "language": "en-us"})
    assert created.project_name == name and created.language == "en-us", created
    project = client.get_project_client(name)
    project.project.begin_import(body=PROJECT, exported_project_format="Conversation").result()
    trained = project.project.begin_train(body={"modelLabel": "m1", "trainingMode": "standard",
                                                "evaluationOptions": {"kind": "manual"}}).result()
    assert trained.model_label == "m1" and trained.training_status.status == "succeeded", trained
    project.project.begin_train(body={"modelLabel": "doomed", "trainingMode": "standard"}, polling=False)
    doomed = next(j for j in project.project.list_training_jobs() if j.result.model_label == "doomed")
    assert project.project.begin_cancel_training_job(doomed.job_id).result().model_label == "doomed"
    assert project.project.get_training_status(doomed.job_id).status == "cancelled"
    summary = project.trained_model.get_model_evaluation_summary("m1")
    assert summary.intents_evaluation.micro_f1 is not None
    project.deployment.begin_deploy_project("production", {"trainedModelLabel": "m1"}).result()
    project.deployment.begin_deploy_project("staging", {"trainedModelLabel": "m1"}).result()
    project.project.begin_swap_deployments(
        body={"firstDeploymentName": "production", "secondDeploymentName": "staging"}).result()
    assert project.deployment.get_deployment("production").deployment_name == "production"
    for index_type, offsets in OFFSETS.items():
        prediction = analyze(runtime, name, QUERY, stringIndexType=index_type)
        folder = next(e for e in prediction.entities if e.category == "Folder")
        count = next(e for e in prediction.entities if e.category == "Count")
        assert (folder.offset, count.offset) == (offsets["Folder"], offsets["Count"]), (index_type, prediction)
        assert isinstance(folder.extra_information[0], ListKey) and folder.extra_information[0].key == "Inbox"
        assert isinstance(count.resolutions[0], NumberResolution) and count.resolutions[0].value == 3
    luis = f"Travel2-{uuid.uuid4().hex[:6]}"
    client.get_project_client(luis).project.begin_import(body=luis_app(luis), exported_project_format="Luis").result()
    assert client.get_project(luis).language == "en-us"
    for doomed in (name, luis):
        client.begin_delete_project(doomed).result()
    try:
        client.get_project(name)
    except ResourceNotFoundError as error:
        assert error.status_code == 404
    else:
        raise AssertionError("a deleted project is still there")


if __name__ == "__main__":
    main(*sys.argv[1:4])
    print("clu_sdk2: all checks passed")
