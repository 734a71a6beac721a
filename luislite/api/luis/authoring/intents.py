"""Intents: add, list, get, rename, delete (examples move to None unless deleted with the intent)."""
from flask import jsonify

from luislite.services import authoring
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import flag, load, paging
from luislite.api.openapi import operation
from luislite.api.responses import created, writes
from luislite.domain.appversion import Intent
from luislite.api.luis.schemas.common import ModelName, PagingQuery
from luislite.api.luis.schemas.intents import IntentClassifier, IntentDeleteQuery

bp = authoring_blueprint("intents")
INTENTS = "/apps/<app_id>/versions/<version_id>/intents"


@bp.post(INTENTS)
@operation(body=ModelName)
@writes
def add_intent(app_id, version_id):
    intent = authoring.add_intent(authoring.get_version(app_id, version_id), load(ModelName())["name"])
    return created(intent.id)


@bp.get(INTENTS)
@operation([IntentClassifier], query=PagingQuery)
def list_intents(app_id, version_id):
    skip, take = paging()
    intents = authoring.load(authoring.get_version(app_id, version_id)).intents
    return jsonify(IntentClassifier(many=True).dump(intents[skip:skip + take]))


@bp.get(f"{INTENTS}/<intent_id>")
@operation(IntentClassifier)
def get_intent(app_id, version_id, intent_id):
    definition = authoring.load(authoring.get_version(app_id, version_id))
    return jsonify(IntentClassifier().dump(authoring.find_model(definition, intent_id, Intent)))


@bp.put(f"{INTENTS}/<intent_id>")
@operation(body=ModelName)
@writes
def rename_intent(app_id, version_id, intent_id):
    authoring.rename_intent(authoring.get_version(app_id, version_id), intent_id, load(ModelName())["name"])
    return operation_success()


@bp.delete(f"{INTENTS}/<intent_id>")
@operation(query=IntentDeleteQuery)
@writes
def delete_intent(app_id, version_id, intent_id):
    version = authoring.get_version(app_id, version_id)
    authoring.delete_intent(version, intent_id, flag("deleteUtterances"))
    return operation_success()


@bp.get(f"{INTENTS}/<intent_id>/suggest")
@operation([{"type": "object"}])
def intent_suggestions(app_id, version_id, intent_id):
    """Suggested endpoint utterances for the intent: none."""
    authoring.find_model(authoring.load(authoring.get_version(app_id, version_id)), intent_id, Intent)
    return jsonify([])
