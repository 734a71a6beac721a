"""Phrase lists, the v2 features envelope, and the features (phrase lists or entities) of intents and entities."""
from flask import jsonify

from luislite.services import authoring
from luislite.services import entity_authoring as modeling
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import load, paging
from luislite.api.openapi import operation
from luislite.api.responses import created, writes
from luislite.domain.appversion import Child, Intent, MLEntity, PhraseList
from luislite.api.luis.schemas.common import OperationStatus, PagingQuery
from luislite.api.luis.schemas.features import (FeaturesResponse, ModelFeature, PhraseListCreate, PhraseListInfo,
                                                PhraseListUpdate)

bp = authoring_blueprint("features")
VERSION = "/apps/<app_id>/versions/<version_id>"
PHRASELISTS = f"{VERSION}/phraselists"
MODEL_FEATURES = f"{VERSION}/<any(intents, entities):kind>/<model_id>/features"
FEATURED = {"intents": Intent, "entities": (MLEntity, Child)}


def _phraselists(app_id, version_id) -> list[PhraseList]:
    skip, take = paging()
    return authoring.load(authoring.get_version(app_id, version_id)).phraselists[skip:skip + take]


@bp.post(PHRASELISTS)
@operation({"type": "integer"}, body=PhraseListCreate)
@writes
def add_phraselist(app_id, version_id):
    phraselist = modeling.add_phraselist(authoring.get_version(app_id, version_id), load(PhraseListCreate()))
    return created(phraselist.id)


@bp.get(PHRASELISTS)
@operation([PhraseListInfo], query=PagingQuery)
def list_phraselists(app_id, version_id):
    return jsonify(PhraseListInfo(many=True).dump(_phraselists(app_id, version_id)))


@bp.get(f"{VERSION}/features")
@operation(FeaturesResponse, query=PagingQuery)
def list_features(app_id, version_id):
    """The phrase lists, in v2.0's features envelope."""
    return jsonify(FeaturesResponse().dump({"phraselistFeatures": _phraselists(app_id, version_id)}))


@bp.get(f"{PHRASELISTS}/<int(signed=True):phraselist_id>")
@operation(PhraseListInfo)
def get_phraselist(app_id, version_id, phraselist_id):
    definition = authoring.load(authoring.get_version(app_id, version_id))
    return jsonify(PhraseListInfo().dump(modeling.find_phraselist(definition, phraselist_id)))


@bp.put(f"{PHRASELISTS}/<int(signed=True):phraselist_id>")
@operation(body=PhraseListUpdate)
@writes
def update_phraselist(app_id, version_id, phraselist_id):
    version = authoring.get_version(app_id, version_id)
    modeling.update_phraselist(version, phraselist_id, **load(PhraseListUpdate()))
    return operation_success()


@bp.delete(f"{PHRASELISTS}/<int(signed=True):phraselist_id>")
@writes
def delete_phraselist(app_id, version_id, phraselist_id):
    modeling.delete_phraselist(authoring.get_version(app_id, version_id), phraselist_id)
    return operation_success()


# --- features of a model ----------------------------------------------------------------------

@bp.get(MODEL_FEATURES)
@operation([ModelFeature])
def get_model_features(app_id, version_id, kind, model_id):
    """The phrase lists and models that are features of an intent or entity."""
    definition = authoring.load(authoring.get_version(app_id, version_id))
    return jsonify([f.to_json() for f in authoring.find_model(definition, model_id, FEATURED[kind]).features])


@bp.post(MODEL_FEATURES)
@operation(OperationStatus, status=200, body=ModelFeature)
@writes
def add_model_feature(app_id, version_id, kind, model_id):
    version = authoring.get_version(app_id, version_id)
    modeling.add_feature(version, model_id, FEATURED[kind], load(ModelFeature()))
    return operation_success()


@bp.put(MODEL_FEATURES)
@operation(body=[ModelFeature])
@writes
def replace_model_features(app_id, version_id, kind, model_id):
    version = authoring.get_version(app_id, version_id)
    modeling.replace_features(version, model_id, FEATURED[kind], load(ModelFeature(), many=True))
    return operation_success()


@bp.delete(MODEL_FEATURES)
@operation(body=ModelFeature)
@writes
def delete_model_feature(app_id, version_id, kind, model_id):
    version = authoring.get_version(app_id, version_id)
    modeling.delete_feature(version, model_id, FEATURED[kind], load(ModelFeature()))
    return operation_success()
