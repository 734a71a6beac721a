"""Azure CLU's operations on the stored apps: projects, import and export, training with evaluation, deployments.

How a CLU project maps onto an app is told in `domain/clu.py`. Long-running operations are `CluJob` rows; all but
training finish within their request, so their first poll already says `succeeded`. A training job follows the
LUIS training job of the model's version; the worker evaluates the model on the held-out utterances before it
finishes that job (`evaluate_in_worker`), so that no poll waits for an evaluation; a poll evaluates only a model
the worker did not (trained before the CLU job asked for it). Callers commit.
"""
import functools
import hashlib
import uuid
from datetime import datetime

import sqlalchemy as sa

from luislite.db import App, CluJob, CluProject, Publication, TrainingJob, Version, db, utcnow
from luislite.domain import clu
from luislite.domain.appversion import AppVersion
from luislite.domain.evaluation import Example as Scored, Span, confusion_matrix, entity_scores, intent_scores
from luislite.errors import Conflict, InvalidRequest, NotFound
from luislite.nlu.prediction import EntitySpan
from luislite.services import authoring, publishing
from luislite.training import jobs

_TICKS_AT_EPOCH = 621355968000000000  # .NET ticks of 1970-01-01, as the ids of CLU's jobs end


# --- projects -----------------------------------------------------------------------------------

def find_project(name: str) -> App:
    app = db.session.scalar(sa.select(App).where(App.name == name))
    if app is None:
        raise NotFound(f"The project '{name}' was not found.")
    return app


def extras(app: App) -> CluProject:
    """The CLU facts kept beside an app (defaults for an app CLU never wrote)."""
    row = db.session.get(CluProject, app.id)
    if row is None:
        row = CluProject(app_id=app.id, settings={}, multilingual=False, test_texts=[], entity_specs={},
                         modified=app.created)
        db.session.add(row)
    return row


def working_copy(app: App) -> Version:
    return next(v for v in app.versions if v.version_id == app.active_version)


def upsert_project(name: str, patch: dict) -> tuple[App, bool]:
    """Create the project, or merge `patch` into it (JSON merge-patch); (app, created)."""
    app = db.session.scalar(sa.select(App).where(App.name == name))
    created = app is None
    if created:
        if not isinstance(patch.get("language"), str) or not patch["language"]:
            raise InvalidRequest("The project's 'language' is required to create it.")
        app = authoring.create_app(name, patch["language"], patch.get("description") or "")
    elif "description" in patch:
        app.description = patch["description"] or ""
    row = extras(app)
    if "multilingual" in patch:
        row.multilingual = bool(patch["multilingual"])
    if "settings" in patch:
        row.settings = _settings(patch["settings"])
    row.modified = utcnow()
    return app, created


def _settings(settings) -> dict:
    if settings is None:
        return {}
    threshold = settings.get("confidenceThreshold") if isinstance(settings, dict) else None
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 <= threshold <= 1:
        raise InvalidRequest("settings.confidenceThreshold must be a number between 0 and 1.")
    return {"confidenceThreshold": threshold}


def list_projects() -> list[App]:
    return db.session.scalars(sa.select(App).order_by(App.created, App.id)).all()


def trained_versions(app: App) -> list[Version]:
    """The project's trained models: its trained versions."""
    return [v for v in app.versions if v.artifact is not None]


# --- import and export --------------------------------------------------------------------------

def import_project(name: str, doc, fmt: str | None) -> None:
    """Create the project from a CLU project file (or, `fmt` Luis, a LUIS app), or replace its working copy."""
    existing = db.session.scalar(sa.select(App).where(App.name == name))
    version_id = existing.active_version if existing else "0.1"
    if (fmt or "conversation").lower() == "luis":
        if not isinstance(doc.get("culture"), str):
            raise InvalidRequest("The LUIS app JSON has no culture.")
        luis, tests, specs, metadata = doc, [], {}, {}
    elif (fmt or "conversation").lower() == "conversation":
        luis, tests, specs = clu.to_luis(doc, version_id)
        metadata = doc["metadata"]
    else:
        raise InvalidRequest(f"The format '{fmt}' is not Conversation or Luis.")
    definition = authoring.parse_luis(luis)
    definition.version_id = version_id
    if existing:
        _replace_working_copy(existing, definition)
        app = existing
    else:
        app = authoring.create_app(name, definition.culture, definition.desc, version=definition)
    row = extras(app)
    row.test_texts, row.entity_specs, row.modified = tests, specs, utcnow()
    if metadata.get("settings") is not None:
        row.settings = _settings(metadata["settings"])
    row.multilingual = bool(metadata.get("multilingual"))


def _replace_working_copy(app: App, definition: AppVersion) -> None:
    """The working copy's content replaced; deployments keep serving their models (slots refer to artifacts)."""
    db.session.delete(working_copy(app))
    db.session.flush()
    db.session.expire(app, ["versions"])
    authoring.store_version(app, definition)
    app.culture = definition.culture
    if definition.desc:
        app.description = definition.desc


def export_project(app: App, label: str | None, api_version: str) -> dict:
    version = working_copy(app) if label is None else model_version(app, label)
    row = extras(app)
    return clu.from_luis(authoring.export(version), app.name, set(row.test_texts), row.settings, api_version,
                         row.entity_specs)


# --- jobs ---------------------------------------------------------------------------------------

def new_job(kind: str, project: str, **details) -> CluJob:
    now = utcnow()
    ticks = _TICKS_AT_EPOCH + int(now.timestamp()) * 10_000_000
    job = CluJob(id=f"{uuid.uuid4()}_{ticks}", kind=kind, project=project, status="succeeded", created=now,
                 updated=now, details=details, errors=[])
    db.session.add(job)
    return job


def get_job(job_id: str, kind: str, project: str | None = None) -> CluJob:
    job = db.session.get(CluJob, job_id)
    if job is None or job.kind != kind or (project is not None and job.project != project):
        raise NotFound(f"The job '{job_id}' was not found.")
    if job.kind == "train":
        _follow_training(job)
    return job


def training_jobs(project: str) -> list[CluJob]:
    found = db.session.scalars(sa.select(CluJob).where(CluJob.kind == "train", CluJob.project == project)
                               .order_by(CluJob.created)).all()
    for job in found:
        _follow_training(job)
    return found


# --- training and evaluation --------------------------------------------------------------------

def train(app: App, label: str, evaluation: dict) -> CluJob:
    """A model `label`: the working copy without its test utterances, copied to version `label` and trained.

    Training the working copy's own label trains it in place, on all its utterances.
    """
    working = working_copy(app)
    definition = authoring.load(working, utterances=True)
    tests = _test_set(definition, set(extras(app).test_texts), evaluation)
    if label == working.version_id:
        version = working
    else:
        held_out = {t.text for t in tests}
        definition.utterances = [u for u in definition.utterances if u.text not in held_out]
        definition.version_id = label
        old = next((v for v in app.versions if v.version_id == label), None)
        if old is not None:  # a label trained again: its deployments keep the old model until deployed again
            db.session.delete(old)
            db.session.flush()
            db.session.expire(app, ["versions"])
        version = authoring.store_version(app, definition)
        db.session.flush()
    jobs.enqueue(version)
    db.session.flush()
    latest = jobs.latest_job(version)
    job = new_job("train", app.name, modelLabel=label, versionPk=version.pk, evaluationOptions=evaluation,
                  test=[u.to_json() for u in tests], language=app.culture)
    job.status, job.training_job_id = "running", latest.id if latest else None
    return job


def cancel_training(job: CluJob) -> None:
    """A running training job cancelled, with its LUIS training job: a queued one is never trained, the worker
    training one stops at its next progress report, and the model's version keeps no model."""
    if job.status == "running":
        if job.training_job_id is not None:
            jobs.cancel(job.training_job_id)
        job.status, job.updated = "cancelled", utcnow()


def _test_set(definition: AppVersion, marked: set[str], evaluation: dict) -> list:
    if evaluation.get("kind", "percentage").lower() == "manual":
        return [u for u in definition.utterances if u.text in marked]
    percent = evaluation.get("testingSplitPercentage", 20)
    return [u for u in definition.utterances if int(hashlib.sha1(u.text.encode()).hexdigest(), 16) % 100 < percent]


def _follow_training(job: CluJob) -> None:
    """A running training job ends as its LUIS training job did; its model is then evaluated."""
    if job.status != "running":
        return
    training = db.session.get(TrainingJob, job.training_job_id) if job.training_job_id else None
    if training is not None and training.status in jobs.ACTIVE:
        return
    version = db.session.get(Version, job.details["versionPk"])
    if training is not None and training.status == "Fail":
        ended = _failed("InternalServerError", training.failure_reason)
    elif version is None or version.artifact is None:
        ended = _failed("NotFound", "The model was deleted while training.")
    else:
        ended = {"status": "succeeded", "result": job.result or _evaluate_job(job, version, version.artifact),
                 "details": job.details | {"trainedAt": version.trained_at.isoformat(),
                                           "seconds": _seconds(training, version)}}
    _record({job.id: ended | {"updated": utcnow()}})


def _failed(code: str, message: str) -> dict:
    return {"status": "failed", "errors": [{"code": code, "message": message}]}


def _record(outcomes: dict[str, dict]) -> None:
    """Write running jobs' new values (by job id) in a transaction begun with the writes: what was read before is
    let go, for on SQLite a read transaction cannot become a write one once another connection has written since it
    began (a poll while the worker finishes). A job that a concurrent request ended meanwhile is left as it is."""
    db.session.rollback()
    for job_id, values in outcomes.items():
        db.session.execute(sa.update(CluJob).where(CluJob.id == job_id, CluJob.status == "running").values(values))
    db.session.commit()


def _evaluate_job(job: CluJob, version: Version, artifact: str) -> dict:
    return evaluate(artifact, job.details["test"], _component_roles(version.definition),
                    extras(find_project(job.project)).entity_specs)


def evaluate_in_worker(training_job_id: int, artifact: str) -> None:
    """Called by the worker between training and finishing LUIS training job `training_job_id`: each CLU training
    job following it keeps its model's evaluation (`result`), and ends `succeeded` on its next poll."""
    results = {}
    for job in db.session.scalars(sa.select(CluJob).where(CluJob.training_job_id == training_job_id,
                                                          CluJob.status == "running")).all():
        version = db.session.get(Version, job.details["versionPk"])
        if version is not None:
            results[job.id] = {"result": _evaluate_job(job, version, artifact)}
    _record(results)


def _seconds(training: TrainingJob | None, version: Version) -> int:
    if training is None or training.started is None or training.finished is None:
        return 0
    return int((training.finished - training.started).total_seconds())


def span_leaves(spans: list[EntitySpan], roles: dict[str, list[str]], prefix: str = ""):
    """(CLU category, span) of each predicted leaf: ML children as `Parent.Child`, a role by its name, and a
    list, regex or prebuilt span without one once per role of its entity (each a CLU entity with that component)."""
    for span in spans:
        if span.children:
            yield from span_leaves(span.children, roles, prefix + (span.role or span.entity) + ".")
        elif span.role or span.kind == "ml":
            yield span.role or prefix + span.entity, span
        else:
            yield from ((name, span) for name in roles.get(span.entity) or [span.entity])


def entity_matches(spans: list[EntitySpan], roles: dict[str, list[str]], specs: dict) -> list[tuple]:
    """The CLU entities of predicted spans, composed as each entity's spec says: `(category, start, end, spans)`."""
    owner = clu.owners(specs)
    return clu.compose([(owner.get(name, name), clu.COMPONENTS.get(span.kind, "learned"), span.start, span.end, span)
                        for name, span in span_leaves(spans, roles)], specs)


def _component_roles(definition: dict) -> dict[str, list[str]]:
    """Role names of a version's list, regex and prebuilt entities, by entity."""
    return {e["name"]: clu.role_names(e) for key in ("closedLists", "regex_entities",
            "prebuiltEntities") for e in definition.get(key) or [] if e.get("roles")}


def evaluate(artifact: str, tests: list[dict], roles: dict[str, list[str]], specs: dict) -> dict:
    """Each test utterance predicted by the model: intents and leaf spans, expected and predicted."""
    recognizer = publishing.recognizer(artifact)
    results = []
    for test in tests:
        prediction = recognizer.predict(test["text"])
        expected = [leaf for label in test["entities"] for leaf in clu.label_leaves(label)]
        results.append({"text": test["text"], "expectedIntent": test["intent"], "predictedIntent":
                        prediction.top_intent, "expected": expected,
                        "predicted": [found[:3] for found in entity_matches(prediction.entities, roles, specs)]})
    return {"utterances": results}


def evaluation_summary(results: list[dict], options: dict) -> dict:
    gold = [Scored(r["text"], r["expectedIntent"], [Span(s, e, n) for n, s, e in r["expected"]]) for r in results]
    predicted = [Scored(r["text"], r["predictedIntent"], [Span(s, e, n) for n, s, e in r["predicted"]])
                 for r in results]
    intents = intent_scores(gold, predicted)
    matrix = confusion_matrix(gold, predicted)
    return {"intentsEvaluation": _evaluation("intents", intents, len(results), {
                g: {p: {"normalizedValue": 100 * n / max(sum(row.values()), 1), "rawValue": n}
                    for p, n in row.items() if n} for g, row in matrix.items()}),
            "entitiesEvaluation": _evaluation("entities", entity_scores(gold, predicted), len(results), {}),
            "evaluationOptions": options}


def _evaluation(key: str, classes: dict, total: int, matrix: dict) -> dict:
    counts = {name: {"tp": c["correct"], "fp": c["predicted"] - c["correct"], "fn": c["support"] - c["correct"]}
              for name, c in classes.items()}
    per_class = {name: {"f1": c["f1"], "precision": c["precision"], "recall": c["recall"],
                        "truePositiveCount": counts[name]["tp"], "falsePositiveCount": counts[name]["fp"],
                        "falseNegativeCount": counts[name]["fn"],
                        "trueNegativeCount": max(total - sum(counts[name].values()), 0)}
                 for name, c in classes.items()}
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn"))
    precision, recall = tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0
    mean = (lambda k: sum(c[k] for c in classes.values()) / len(classes)) if classes else (lambda k: 0.0)
    return {"confusionMatrix": matrix, key: per_class, "microF1": 2 * precision * recall / (precision + recall)
            if precision + recall else 0.0, "microPrecision": precision, "microRecall": recall,
            "macroF1": mean("f1"), "macroPrecision": mean("precision"), "macroRecall": mean("recall")}


def model_evaluation(app: App, label: str) -> tuple[CluJob, Version]:
    """The last succeeded training job of a model, and its version; NotFound for a model CLU did not train."""
    version = model_version(app, label)
    job = db.session.scalar(sa.select(CluJob).where(CluJob.kind == "train", CluJob.project == app.name,
                                                    CluJob.status == "succeeded").order_by(CluJob.created.desc())
                            .where(CluJob.details["modelLabel"].as_string() == label).limit(1))
    if job is None:
        raise NotFound(f"The model '{label}' has no evaluation.")
    return job, version


# --- models and deployments ---------------------------------------------------------------------

def model_version(app: App, label: str) -> Version:
    version = next((v for v in app.versions if v.version_id == label and v.artifact), None)
    if version is None:
        raise NotFound(f"The trained model '{label}' was not found.")
    return version


def load_snapshot(app: App, label: str) -> None:
    """The working copy replaced by what a model was trained on (its Test utterances are not in it)."""
    version = model_version(app, label)
    if version.version_id != app.active_version:
        definition = authoring.load(version, utterances=True)
        definition.version_id = app.active_version
        _replace_working_copy(app, definition)


def delete_model(app: App, label: str) -> None:
    version = model_version(app, label)
    if version.version_id == app.active_version:
        raise Conflict(f"The model '{label}' is the working copy of the project; it cannot be deleted.")
    authoring.delete_version(version)  # not while deployed (409)


def deployments(app: App) -> list[Publication]:
    return sorted(app.publications, key=lambda p: p.published_at)


def get_deployment(app: App, name: str) -> Publication:
    found = db.session.get(Publication, (app.id, name))
    if found is None:
        raise NotFound(f"The deployment '{name}' was not found.")
    return found


def deploy(app: App, name: str, label: str) -> None:
    if not isinstance(label, str) or not label:
        raise InvalidRequest("The body's 'trainedModelLabel' is required.")
    version = model_version(app, label)
    publication = db.session.get(Publication, (app.id, name)) or Publication(app_id=app.id, slot=name)
    publication.version_id, publication.artifact, publication.published_at = label, version.artifact, utcnow()
    version.published_at = extras(app).deployed = publication.published_at
    db.session.add(publication)


def delete_deployment(app: App, name: str) -> None:
    db.session.delete(get_deployment(app, name))


def swap(app: App, first: str, second: str) -> None:
    a, b = get_deployment(app, first), get_deployment(app, second)
    (a.version_id, a.artifact), (b.version_id, b.artifact) = (b.version_id, b.artifact), (a.version_id, a.artifact)
    a.published_at = b.published_at = utcnow()


def deployment(project: str, name: str) -> tuple[str, float, dict[str, list[str]], dict]:
    """What a deployment serves, the project's confidence threshold (0 when none), its component roles and the
    project's entity specs.

    Two indexed reads per prediction; the roles are read once per model."""
    row = db.session.execute(sa.select(Publication.artifact, Publication.version_id, App.id, CluProject.settings,
                                       CluProject.entity_specs)
                             .join(App, App.id == Publication.app_id)
                             .outerjoin(CluProject, CluProject.app_id == App.id)
                             .where(App.name == project, Publication.slot == name)).first()
    if row is None:
        find_project(project)
        raise NotFound(f"The deployment '{name}' was not found.")
    artifact, version_id, app_id, settings, specs = row
    return artifact, (settings or {}).get("confidenceThreshold", 0.0), _roles(artifact, app_id, version_id), specs or {}


@functools.lru_cache(maxsize=64)
def _roles(artifact: str, app_id: str, version_id: str) -> dict[str, list[str]]:
    definition = db.session.scalar(sa.select(Version.definition).where(Version.app_id == app_id,
                                                                      Version.version_id == version_id))
    return _component_roles(definition or {})


def last_trained(app: App) -> datetime | None:
    return max((v.trained_at for v in trained_versions(app)), default=None)

