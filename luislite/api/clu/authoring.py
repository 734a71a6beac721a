"""CLU's authoring API: projects, import and export, training and its jobs, trained models and their evaluation,
deployments, and the `global/` lists, under `/language/authoring/analyze-conversations/projects`.

A long-running operation answers 202 with an absolute `operation-location` (its job's URL, same api-version); jobs
end within their request except training, whose polls send `retry-after-ms` while it runs. Lists come in one page.
"""
from datetime import datetime, timedelta
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request

from luislite.api.body import json_body, load
from luislite.api.clu import AUTHORING
from luislite.api.clu.auth import require_key
from luislite.api.clu.schemas import (ApiVersion, DeploymentOptions, EvaluationQuery, ExportQuery, ImportQuery, Page,
                                      ProjectPatch, SwapDeploymentsOptions, TrainingJobOptions)
from luislite.api.openapi import NO_BODY, operation
from luislite.api.responses import base_url, created, writes
from luislite.db import App, CluJob, Publication, Version
from luislite.domain import clu
from luislite.errors import InvalidRequest
from luislite.services import authoring as luis
from luislite.services import clu as projects

bp = Blueprint("clu_authoring", __name__)
bp.before_request(lambda: require_key(runtime=False))

TRAINING_CONFIG = "2022-09-01"
RETRY_AFTER_MS = "250"
LANGUAGES = {"en-us": "English", "de-de": "German", "fr-fr": "French", "es-es": "Spanish", "it-it": "Italian",
             "pt-br": "Portuguese (Brazil)", "nl-nl": "Dutch", "zh-cn": "Chinese (Simplified)", "ja-jp": "Japanese"}
OBJECT = {"type": "object"}


def _documented(answer, status: int = 200, query=ApiVersion, **more):
    """`operation`, with the api-version every CLU request carries."""
    return operation(answer, status=status, query=query, **more)


def _time(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _page(items: list) -> dict:
    return {"value": items, "nextLink": None}


def _url(path: str, **query) -> str:
    """The absolute URL of `path` under the projects root, with the request's api-version (and `query`)."""
    arguments = "&".join(f"{k}={v}" for k, v in {"api-version": request.args["api-version"], **query}.items())
    return f"{base_url()}{AUTHORING}/{quote(path)}?{arguments}"


def _accepted(job: CluJob, path: str):
    """202 with the job's absolute URL as `operation-location`."""
    response = Response(status=202)
    response.headers["operation-location"] = _url(f"{path}/{job.id}")
    return response


def _job(job: CluJob, **extra):
    body = {"jobId": job.id, "createdDateTime": _time(job.created), "lastUpdatedDateTime": _time(job.updated),
            "expirationDateTime": _time(job.created + timedelta(days=7)), "status": job.status,
            "warnings": [{"code": "Warning", "message": w} for w in job.details.get("warnings", [])],
            "errors": job.errors} | extra
    response = jsonify(body)
    if job.status in ("notStarted", "running"):
        response.headers["retry-after-ms"] = RETRY_AFTER_MS
    return response


# --- projects -----------------------------------------------------------------------------------

def _project(app: App) -> dict:
    row = projects.extras(app)
    body = {"createdDateTime": _time(app.created), "lastModifiedDateTime": _time(max(row.modified, app.created)),
            "lastTrainedDateTime": _time(projects.last_trained(app)), "lastDeployedDateTime": _time(row.deployed),
            "projectKind": "Conversation", "projectName": app.name, "multilingual": row.multilingual,
            "description": app.description, "language": app.culture}
    if row.settings:
        body["settings"] = row.settings
    return {k: v for k, v in body.items() if v is not None}


@bp.get("")
@_documented(Page)
def list_projects():
    """Every project: every app."""
    return jsonify(_page([_project(app) for app in projects.list_projects()]))


@bp.patch("/<name>")
@_documented(OBJECT, also={201: OBJECT}, body=ProjectPatch)
@writes
def create_project(name):
    """Create a project, or update it (JSON merge-patch)."""
    app, new = projects.upsert_project(name, load(ProjectPatch()))
    return created(_project(app)) if new else jsonify(_project(app))


@bp.get("/<name>")
@_documented(OBJECT)
def get_project(name):
    """A project's metadata."""
    return jsonify(_project(projects.find_project(name)))


@bp.delete("/<name>")
@_documented(NO_BODY, status=202)
@writes
def delete_project(name):
    """Delete a project (its app, all versions and deployments)."""
    luis.delete_app(projects.find_project(name))
    return _accepted(projects.new_job("deletion", name), "global/deletion-jobs")


@bp.get("/global/deletion-jobs/<job_id>")
@_documented(OBJECT)
def get_deletion_job(job_id):
    """The status of a project deletion."""
    return _job(projects.get_job(job_id, "deletion"))


# --- import and export --------------------------------------------------------------------------

@bp.post("/<name>/:import")
@_documented(NO_BODY, status=202, body=OBJECT, query=ImportQuery)
@writes
def import_project(name):
    """Create or replace a project from a CLU project file, or (`format=Luis`) a LUIS app JSON."""
    doc = json_body()
    if not isinstance(doc, dict):
        raise InvalidRequest("The request body must be a project file (a JSON object).")
    projects.import_project(name, doc, request.args.get("format"))
    return _accepted(projects.new_job("import", name), f"{name}/import/jobs")


@bp.get("/<name>/import/jobs/<job_id>")
@_documented(OBJECT)
def get_import_job(name, job_id):
    """The status of an import."""
    return _job(projects.get_job(job_id, "import", name))


@bp.post("/<name>/:export")
@_documented(NO_BODY, status=202, query=ExportQuery)
@writes
def export_project(name):
    """Export a project (or, `trainedModelLabel`, a trained model's snapshot) as a CLU project file."""
    clu.string_index_type(request.args.get("stringIndexType") or "missing")
    if (request.args.get("format") or "Conversation").lower() != "conversation":
        raise InvalidRequest("Only the Conversation format can be exported.")
    app = projects.find_project(name)
    job = projects.new_job("export", name)
    job.result = projects.export_project(app, request.args.get("trainedModelLabel"), request.args["api-version"])
    return _accepted(job, f"{name}/export/jobs")


@bp.get("/<name>/export/jobs/<job_id>")
@_documented(OBJECT)
def get_export_job(name, job_id):
    """The status of an export, with the URL of its project file."""
    return _job(projects.get_job(job_id, "export", name), resultUrl=_url(f"{name}/export/jobs/{job_id}/result"))


@bp.get("/<name>/export/jobs/<job_id>/result")
@_documented(OBJECT)
def get_export_result(name, job_id):
    """The project file an export wrote."""
    return jsonify(projects.get_job(job_id, "export", name).result)


# --- training -----------------------------------------------------------------------------------

@bp.post("/<name>/:train")
@_documented(NO_BODY, status=202, body=TrainingJobOptions)
@writes
def train(name):
    """Train a model (label) from the working copy, evaluated on the utterances held out."""
    options = load(TrainingJobOptions())
    app = projects.find_project(name)
    job = projects.train(app, options["modelLabel"], options["evaluationOptions"])
    job.details = job.details | {"trainingMode": options["trainingMode"]}
    return _accepted(job, f"{name}/train/jobs")


def _training(job: CluJob) -> dict:
    done = job.status not in ("notStarted", "running")
    step = {"percentComplete": 100 if done else 0, "status": job.status, "startDateTime": _time(job.created)}
    if done:
        step["endDateTime"] = _time(job.updated)
    return {"modelLabel": job.details["modelLabel"], "trainingConfigVersion": TRAINING_CONFIG,
            "trainingMode": job.details.get("trainingMode", "standard"), "trainingStatus": step,
            "evaluationStatus": step, "dataGenerationStatus": {"percentComplete": 0, "status": "notStarted"}}


@bp.get("/<name>/train/jobs")
@_documented(Page)
def list_training_jobs(name):
    """The project's training jobs."""
    projects.find_project(name)
    return jsonify(_page([_job(job, result=_training(job)).json for job in projects.training_jobs(name)]))


@bp.get("/<name>/train/jobs/<job_id>")
@_documented(OBJECT)
def get_training_job(name, job_id):
    """The status of a training job, with its result."""
    job = projects.get_job(job_id, "train", name)
    return _job(job, result=_training(job))


@bp.post("/<name>/train/jobs/<job_id>/:cancel")
@_documented(NO_BODY, status=202)
@writes
def cancel_training_job(name, job_id):
    """Cancel a running training job and the LUIS training it started (one that has ended stays as it ended)."""
    job = projects.get_job(job_id, "train", name)
    projects.cancel_training(job)
    return _accepted(job, f"{name}/train/jobs")


# --- trained models -----------------------------------------------------------------------------

def _model_id(label: str, artifact: str) -> str:
    return f"{label}-{artifact[:32]}"


def _model(version: Version) -> dict:
    return {"label": version.version_id, "modelId": _model_id(version.version_id, version.artifact),
            "lastTrainedDateTime": _time(version.trained_at), "lastTrainingDurationInSeconds": 0,
            "modelExpirationDate": "2099-12-31", "modelTrainingConfigVersion": TRAINING_CONFIG, "hasSnapshot": True}


@bp.get("/<name>/models")
@_documented(Page)
def list_models(name):
    """The project's trained models: its trained versions."""
    return jsonify(_page([_model(v) for v in projects.trained_versions(projects.find_project(name))]))


@bp.get("/<name>/models/<label>")
@_documented(OBJECT)
def get_model(name, label):
    """A trained model."""
    return jsonify(_model(projects.model_version(projects.find_project(name), label)))


@bp.delete("/<name>/models/<label>")
@_documented(NO_BODY, status=204)
@writes
def delete_model(name, label):
    """Delete a trained model (its version); not the working copy."""
    projects.delete_model(projects.find_project(name), label)
    return "", 204


@bp.post("/<name>/models/<label>/:load-snapshot")
@_documented(NO_BODY, status=202)
@writes
def load_snapshot(name, label):
    """Replace the working copy with what the model was trained on."""
    projects.load_snapshot(projects.find_project(name), label)
    return _accepted(projects.new_job("snapshot", name), f"{name}/models/{label}/load-snapshot/jobs")


@bp.get("/<name>/models/<label>/load-snapshot/jobs/<job_id>")
@_documented(OBJECT)
def get_load_snapshot_job(name, label, job_id):
    """The status of a snapshot load."""
    return _job(projects.get_job(job_id, "snapshot", name))


@bp.get("/<name>/models/<label>/evaluation/summary-result")
@_documented(OBJECT)
def evaluation_summary(name, label):
    """The model's evaluation: intent and entity precision, recall, F1, confusion matrix."""
    job, _ = projects.model_evaluation(projects.find_project(name), label)
    return jsonify(projects.evaluation_summary(job.result["utterances"], job.details["evaluationOptions"]))


@bp.get("/<name>/models/<label>/evaluation/result")
@_documented(Page, query=EvaluationQuery)
def evaluation_results(name, label):
    """Each test utterance: expected and predicted intent and entities (offsets in `stringIndexType`)."""
    index_type = clu.string_index_type(request.args.get("stringIndexType") or "missing")
    job, _ = projects.model_evaluation(projects.find_project(name), label)
    language = job.details.get("language")

    def spans(text, leaves):
        return [dict(zip(("category", "offset", "length"), (n, *clu.span_units(text, s, e, index_type))))
                for n, s, e in leaves]
    return jsonify(_page([{"text": r["text"], "language": language, "intentsResult": {
        "expectedIntent": r["expectedIntent"], "predictedIntent": r["predictedIntent"]}, "entitiesResult": {
        "expectedEntities": spans(r["text"], r["expected"]), "predictedEntities": spans(r["text"], r["predicted"])}}
        for r in job.result["utterances"]]))


# --- deployments --------------------------------------------------------------------------------

def _deployment(app: App, publication: Publication) -> dict:
    version = next((v for v in app.versions if v.version_id == publication.version_id), None)
    trained = version.trained_at if version is not None and version.artifact == publication.artifact else None
    return {"deploymentName": publication.slot, "modelId": _model_id(publication.version_id, publication.artifact),
            "lastTrainedDateTime": _time(trained or publication.published_at),
            "lastDeployedDateTime": _time(publication.published_at), "deploymentExpirationDate": "2099-12-31",
            "modelTrainingConfigVersion": TRAINING_CONFIG, "assignedResources": []}


@bp.get("/<name>/deployments")
@_documented(Page)
def list_deployments(name):
    """The project's deployments: its app's slots, LUIS's production and staging included."""
    app = projects.find_project(name)
    return jsonify(_page([_deployment(app, p) for p in projects.deployments(app)]))


@bp.get("/<name>/deployments/<deployment>")
@_documented(OBJECT)
def get_deployment(name, deployment):
    """A deployment."""
    app = projects.find_project(name)
    return jsonify(_deployment(app, projects.get_deployment(app, deployment)))


@bp.put("/<name>/deployments/<deployment>")
@_documented(NO_BODY, status=202, body=DeploymentOptions)
@writes
def deploy(name, deployment):
    """Deploy a trained model under a name (created or replaced)."""
    label = load(DeploymentOptions())["trainedModelLabel"]
    if len(deployment) > 50:
        raise InvalidRequest("A deployment name has at most 50 characters.")
    projects.deploy(projects.find_project(name), deployment, label)
    return _accepted(projects.new_job("deployment", name), f"{name}/deployments/{deployment}/jobs")


@bp.delete("/<name>/deployments/<deployment>")
@_documented(NO_BODY, status=202)
@writes
def delete_deployment(name, deployment):
    """Delete a deployment."""
    projects.delete_deployment(projects.find_project(name), deployment)
    return _accepted(projects.new_job("deployment", name), f"{name}/deployments/{deployment}/jobs")


@bp.get("/<name>/deployments/<deployment>/jobs/<job_id>")
@_documented(OBJECT)
def get_deployment_job(name, deployment, job_id):
    """The status of a deployment or its deletion."""
    return _job(projects.get_job(job_id, "deployment", name))


@bp.post("/<name>/deployments/:swap")
@_documented(NO_BODY, status=202, body=SwapDeploymentsOptions)
@writes
def swap_deployments(name):
    """Exchange the models of two deployments."""
    body = load(SwapDeploymentsOptions())
    projects.swap(projects.find_project(name), body["firstDeploymentName"], body["secondDeploymentName"])
    return _accepted(projects.new_job("swap", name), f"{name}/deployments/swap/jobs")


@bp.get("/<name>/deployments/swap/jobs/<job_id>")
@_documented(OBJECT)
def get_swap_job(name, job_id):
    """The status of a swap."""
    return _job(projects.get_job(job_id, "swap", name))


# --- global lists -------------------------------------------------------------------------------

@bp.get("/global/languages")
@_documented(Page)
def list_languages():
    """The languages a project may have."""
    return jsonify(_page([{"languageName": n, "languageCode": c} for c, n in LANGUAGES.items()]))


@bp.get("/global/prebuilt-entities")
@_documented(Page)
def list_prebuilt_entities():
    """The prebuilt components an entity may have."""
    names = dict.fromkeys(clu.PREBUILTS.values())
    return jsonify(_page([{"category": n, "description": f"Prebuilt {n}", "examples": ""} for n in names]))


@bp.get("/global/training-config-versions")
@_documented(Page)
def list_training_config_versions():
    """The training configuration versions."""
    return jsonify(_page([{"trainingConfigVersion": TRAINING_CONFIG, "modelExpirationDate": "2099-12-31"}]))
