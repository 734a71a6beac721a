"""Authoring operations on stored apps, versions and labeled examples, in LUIS terms.

A version's definition (intents, entities, phrase lists, patterns) is stored as the JSON of its
`AppVersion`; examples are rows. Callers commit: one request, one transaction.
"""
import contextlib
import gc
import uuid

import sqlalchemy as sa

from luislite.domain.appversion import (LIMITS, NONE_INTENT, AppVersion, Intent, Label, Utterance, check_app_name,
                                        check_limit, check_name)
from luislite.config import is_guid
from luislite.domain import cultures
from luislite.domain.lu import parse_lu
from luislite.db import App, Example, TrainingJob, Version, db, utcnow
from luislite.errors import AppVersionError, Conflict, InvalidRequest, LimitReached, NotFound

_APP_NOT_FOUND = "Cannot find an application with the specified ID."
_VERSION_NOT_FOUND = "Cannot find a version with the specified ID."


@contextlib.contextmanager
def _bulk():
    """Pause the cyclic garbage collector while building the many small objects of a whole version.

    Nothing built here forms reference cycles, and the collector's passes over a big heap made
    importing and exporting a 13,000-utterance app two to three times slower. Usable as a decorator.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- apps -------------------------------------------------------------------------------------

def get_app(app_id: str) -> App:
    app = db.session.get(App, app_id.lower()) if is_guid(app_id) else None
    if app is None:
        raise NotFound(_APP_NOT_FOUND)
    return app


def list_apps(skip: int, take: int) -> list[App]:
    return db.session.scalars(sa.select(App).order_by(App.created, App.id).offset(skip).limit(take)).all()


def create_app(name: str, culture: str, description: str = "", domain: str = "", usage_scenario: str = "",
               version: AppVersion | None = None) -> App:
    """A new app holding one version (a fresh one with the None intent, or `version`)."""
    name = check_app_name(name)
    if db.session.scalar(sa.select(sa.func.count()).select_from(App)) >= LIMITS["apps"]:
        raise LimitReached(f"The maximum of {LIMITS['apps']} applications was reached.")
    if db.session.scalar(sa.select(App).where(sa.func.lower(App.name) == name.lower())):
        raise Conflict(f"An application with the name '{name}' already exists.")
    culture = cultures.culture(culture).code
    version = version or AppVersion()
    version.name, version.culture = name, culture
    app = App(id=str(uuid.uuid4()), name=name, description=description or "", culture=culture,
              domain=domain or "", usage_scenario=usage_scenario or "", active_version=version.version_id,
              publish_settings={})
    db.session.add(app)
    store_version(app, version)
    return app


def update_app(app: App, name: str | None, description: str | None) -> None:
    if name is not None and name.strip().lower() != app.name.lower():
        name = check_app_name(name)
        if db.session.scalar(sa.select(App).where(sa.func.lower(App.name) == name.lower())):
            raise Conflict(f"An application with the name '{name}' already exists.")
        app.name = name
    if description is not None:
        app.description = description


def import_app(doc, app_name: str | None) -> App:
    version = parse_luis(doc)
    if not (app_name or version.name):
        raise InvalidRequest("The application name is missing (appName query parameter or 'name' in the JSON).")
    if isinstance(doc, dict) and not isinstance(doc.get("culture"), str):
        raise AppVersionError("The application JSON has no culture.")
    return create_app(app_name or version.name, version.culture, version.desc, version=version)


# --- versions ---------------------------------------------------------------------------------

def get_version(app_id: str, version_id: str) -> Version:
    app = get_app(app_id)
    version = db.session.scalar(sa.select(Version).where(Version.app_id == app.id, Version.version_id == version_id))
    if version is None:
        raise NotFound(_VERSION_NOT_FOUND)
    return version


def list_versions(app: App, skip: int, take: int) -> list[Version]:
    return app.versions[skip:skip + take]


def check_version_id(app: App, version_id) -> str:
    """A version ID LUIS would accept (leniently: exports carry ids like '0.6 Beta Version'), unused in `app`."""
    if not isinstance(version_id, str) or not version_id.strip() or len(version_id) > LIMITS["name"] \
            or any(c in '/\\?#%' or not c.isprintable() for c in version_id) or version_id in (".", ".."):
        raise AppVersionError("The version ID must have 1 to 50 printable characters other than / \\ ? # %, "
                              "and not be . or .. (a URL cannot hold those).")
    if any(v.version_id == version_id for v in app.versions):
        raise Conflict(f"A version with the ID '{version_id}' already exists.")
    return version_id


@_bulk()
def store_version(app: App, version: AppVersion) -> Version:
    """Store a validated AppVersion (definition and examples) as a new version of `app`."""
    check_version_id(app, version.version_id)
    check_limit(len(app.versions) + 1, "versions", "versions")
    row = Version(app=app, version_id=version.version_id, definition=_definition(version))
    db.session.add(row)
    db.session.flush()
    rows = [_example_row(row.pk, u) for u in version.utterances]
    if rows:
        db.session.execute(sa.insert(Example), rows)
    return row


def import_version(app: App, doc, version_id: str | None) -> Version:
    """Import LUIS JSON or `.lu` as a new version, which becomes the active one (as in LUIS; `bf luis:build`
    exports the active version to compare the next build with)."""
    version = parse_luis(doc)
    version.version_id = version_id or version.version_id
    row = store_version(app, version)
    app.active_version = row.version_id
    return row


@_bulk()
def parse_luis(doc) -> AppVersion:
    """A validated AppVersion from LUIS app JSON (a dict) or `.lu` text (a str); duplicate utterance texts
    keep the last, as adding does."""
    if not isinstance(doc, (dict, str)):
        raise AppVersionError("The application JSON must be an object.")
    try:
        if isinstance(doc, dict):
            _check_utterance_count(doc)
        version = parse_lu(doc) if isinstance(doc, str) else AppVersion.from_luis(doc)
        version.utterances = list({u.text.lower() if isinstance(u.text, str) else u.text: u
                                   for u in version.utterances}.values())
        version.validate()
        for utterance in version.utterances:
            version.spell_names(utterance)
        for pattern in version.patterns:
            pattern.intent = version.intent(pattern.intent).name
    except (KeyError, TypeError, ValueError, AttributeError) as error:  # e.g. a number where a name belongs
        raise AppVersionError(f"The application JSON is malformed: {type(error).__name__} {error}.") from None
    return version


def _check_utterance_count(doc: dict) -> None:
    """Refuse LUIS JSON over the utterance limit before building it: 200,000 utterances would take seconds."""
    utterances = doc.get("utterances")
    if isinstance(utterances, list) and len(utterances) > LIMITS["utterances"]:
        texts = {u["text"].lower() for u in utterances if isinstance(u, dict) and isinstance(u.get("text"), str)}
        check_limit(len(texts), "utterances", "example utterances")


@_bulk()
def load(version: Version, utterances: bool = False) -> AppVersion:
    """The stored version as an AppVersion, with its labeled utterances if asked."""
    result = AppVersion.from_luis(version.definition)
    result.version_id, result.name, result.culture = version.version_id, version.app.name, version.app.culture
    if utterances:
        examples = db.session.scalars(sa.select(Example).where(Example.version_pk == version.pk).order_by(Example.id))
        result.utterances = [to_utterance(e) for e in examples]
    return result


def save(version: Version, definition: AppVersion) -> None:
    """Store an edited definition; the version then needs training."""
    version.definition = _definition(definition)
    touch(version)


def touch(version: Version) -> None:
    version.revision = (version.revision or 0) + 1
    version.modified = utcnow()


@_bulk()
def export(version: Version) -> dict:
    result = load(version, utterances=True)
    result.desc = version.app.description
    return result.to_luis()


def clone_version(version: Version, new_id: str) -> Version:
    definition = load(version, utterances=True)
    definition.version_id = new_id
    return store_version(version.app, definition)


def rename_version(version: Version, new_id: str) -> None:
    if new_id == version.version_id:
        return
    app = version.app
    check_version_id(app, new_id)
    if app.active_version == version.version_id:
        app.active_version = new_id
    for publication in app.publications:
        if publication.version_id == version.version_id:
            publication.version_id = new_id
    version.version_id = new_id


def delete_version(version: Version) -> None:
    app = version.app
    if len(app.versions) == 1:
        raise Conflict("Cannot delete the only version of an application.")
    if any(p.version_id == version.version_id for p in app.publications):
        raise Conflict("Cannot delete a version that is published to a slot.")
    remaining = [v for v in app.versions if v is not version]
    db.session.delete(version)
    db.session.flush()
    if app.active_version == version.version_id:
        app.active_version = remaining[-1].version_id


def training_status(version: Version) -> str:
    """NeedsTraining, InProgress or Trained, as LUIS's VersionInfo says."""
    running = db.session.scalar(sa.select(TrainingJob.id).where(
        TrainingJob.version_pk == version.pk, TrainingJob.kind == "train",
        TrainingJob.status.in_(("Queued", "InProgress"))))
    if running:
        return "InProgress"
    return "Trained" if version.trained_revision == version.revision else "NeedsTraining"


# --- intents (examples follow their intent) ---------------------------------------------------

def add_intent(version: Version, name) -> Intent:
    definition = load(version)
    name = check_name(name, "intent")
    if definition.intent(name):
        raise Conflict(f"The intent name '{name}' already exists.")
    check_limit(len(definition.intents) + 1, "intents", "intents")
    intent = Intent(name)
    definition.intents.append(intent)
    save(version, definition)
    return intent


def rename_intent(version: Version, intent_id: str, name) -> None:
    definition = load(version)
    intent = find_model(definition, intent_id, Intent)
    name = check_name(name, "intent")
    if intent.name == NONE_INTENT:
        raise AppVersionError("The None intent cannot be renamed.")
    if name.lower() != intent.name.lower() and definition.intent(name):
        raise Conflict(f"The intent name '{name}' already exists.")
    _examples_query(version, intent.name).update({Example.intent: name})
    for pattern in definition.patterns:
        if pattern.intent == intent.name:
            pattern.intent = name
    intent.name = name
    save(version, definition)


def delete_intent(version: Version, intent_id: str, delete_utterances: bool) -> None:
    definition = load(version)
    intent = find_model(definition, intent_id, Intent)
    if intent.name == NONE_INTENT:
        raise AppVersionError("The None intent cannot be deleted.")
    examples = _examples_query(version, intent.name)
    if delete_utterances:
        examples.delete()
    else:
        examples.update({Example.intent: NONE_INTENT})
    definition.intents.remove(intent)
    definition.patterns = [p for p in definition.patterns if p.intent != intent.name]
    save(version, definition)


def find_model(definition: AppVersion, model_id: str, cls=object):
    """The intent, entity or child with this id, an instance of `cls` (a class or a tuple of them), or NotFound."""
    model = definition.model(model_id)
    if model is None or not isinstance(model, cls):
        raise NotFound("Cannot find the model with the specified ID.")
    return model


def _examples_query(version: Version, intent: str):
    return db.session.query(Example).filter(Example.version_pk == version.pk, Example.intent == intent)


# --- labeled examples -------------------------------------------------------------------------

def to_utterance(example: Example) -> Utterance:
    return Utterance.from_json({"text": example.text, "intent": example.intent, "entities": example.labels})


def _example_row(version_pk: int, utterance: Utterance) -> dict:
    doc = utterance.to_json()
    return {"version_pk": version_pk, "text": utterance.text, "text_key": utterance.text.lower(),
            "intent": utterance.intent, "labels": doc["entities"]}


def add_examples(version: Version, utterances: list[Utterance]) -> list[Example | AppVersionError]:
    """Add or replace (same text) each utterance; an invalid one yields its error instead of an example."""
    definition = load(version)
    results = []
    for utterance in utterances:
        try:
            definition.check_utterance(utterance)
            definition.spell_names(utterance)
            results.append(_upsert_example(version, utterance))
        except AppVersionError as error:
            results.append(error)
    count = db.session.scalar(sa.select(sa.func.count()).where(Example.version_pk == version.pk))
    check_limit(count, "utterances", "example utterances")
    touch(version)
    return results


def _upsert_example(version: Version, utterance: Utterance) -> Example:
    row = _example_row(version.pk, utterance)
    example = db.session.scalar(sa.select(Example).where(Example.version_pk == version.pk,
                                                         Example.text_key == row["text_key"]))
    if example is None:
        example = Example(**row)
        db.session.add(example)
    else:
        example.text, example.intent, example.labels = row["text"], row["intent"], row["labels"]
    db.session.flush()
    return example


def list_examples(version: Version, skip: int, take: int, intent: str | None = None) -> list[Example]:
    query = sa.select(Example).where(Example.version_pk == version.pk)
    if intent is not None:
        query = query.where(Example.intent == intent)
    return db.session.scalars(query.order_by(Example.id).offset(skip).limit(take)).all()


def delete_example(version: Version, example_id) -> None:
    in_range = isinstance(example_id, int) and -2 ** 63 <= example_id < 2 ** 63
    example = db.session.get(Example, example_id) if in_range else None
    if example is None or example.version_pk != version.pk:
        raise NotFound("Cannot find an example with the specified ID.")
    db.session.delete(example)
    touch(version)


def relabel_examples(version: Version, change) -> None:
    """Apply `change(labels: list[Label]) -> list[Label]` to every example's labels (entity rename or delete)."""
    for example in db.session.scalars(sa.select(Example).where(Example.version_pk == version.pk)):
        utterance = to_utterance(example)
        labels = change(utterance.labels)
        if labels != utterance.labels:
            example.labels = [label.to_json() for label in labels]


def rename_label(old: str, new: str):
    def change(labels: list[Label]) -> list[Label]:
        return [Label(new if label.entity == old else label.entity, label.start, label.end, label.role,
                      change(label.children)) for label in labels]
    return change


def drop_label(name: str):
    def change(labels: list[Label]) -> list[Label]:
        return [Label(label.entity, label.start, label.end, label.role, change(label.children))
                for label in labels if label.entity != name]
    return change


def _definition(version: AppVersion) -> dict:
    doc = version.to_luis(ids=True)
    doc["utterances"] = []
    return doc



def delete_app(app: App) -> None:
    db.session.delete(app)


def publish_settings(app: App) -> dict:
    return {"sentimentAnalysis": False, "speech": False, "spellChecker": False} | (app.publish_settings or {})


def update_settings(version: Version, settings: list[dict]) -> None:
    """Set version settings by name (UseAllTrainingData, NormalizePunctuation, ...)."""
    definition = load(version)
    values = {s["name"].lower(): s for s in definition.settings}
    for setting in settings:
        values[setting["name"].lower()] = {"name": setting["name"], "value": setting["value"]}
    definition.settings = list(values.values())
    save(version, definition)
