"""Entities of every kind: create, list, get, update, delete; prebuilts and their catalogue; models.

One parametrised route serves each operation for every kind. The URL names the kind: `entities` (machine-
learned), `closedlists`, `regexentities`, `prebuilts`, `patternanyentities`, `compositeentities`, and
`hierarchicalentities`, which are never stored (import turns them into ML entities): listed empty, 404 by id.
"""
from flask import jsonify

from luislite.services import authoring
from luislite.services import entity_authoring as modeling
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import json_body, load, paging
from luislite.api.openapi import TEXT, operation
from luislite.api.responses import created, writes
from luislite.domain.appversion import (ENTITY_KINDS, CompositeEntity, ListEntity, MLEntity, PatternAnyEntity,
                                        RegexEntity)
from luislite.api.luis.schemas.common import ModelInfo, PagingQuery, STRING_LIST
from luislite.api.luis.schemas.entities import (ClosedListCreate, ClosedListUpdate, CompositeCreate, CompositeUpdate,
                                                EntityCreate, EntityExtractor, EntityUpdate, LabelTextObject,
                                                PatternAnyCreate, PatternAnyUpdate, PrebuiltDomainEntity, RegexCreate,
                                                RegexUpdate)
from luislite.api.luis.schemas.intents import IntentClassifier

bp = authoring_blueprint("entities")
VERSION = "/apps/<app_id>/versions/<version_id>"

# URL segment -> the class of its entities, and the bodies that create and update them
KINDS = {c.kind.url_segment: c for c in ENTITY_KINDS} | {"hierarchicalentities": ()}
CREATE = {c.kind.url_segment: schema for c, schema in (
    (MLEntity, EntityCreate), (ListEntity, ClosedListCreate), (RegexEntity, RegexCreate),
    (PatternAnyEntity, PatternAnyCreate), (CompositeEntity, CompositeCreate))}
UPDATE = {c.kind.url_segment: schema for c, schema in (
    (MLEntity, EntityUpdate), (ListEntity, ClosedListUpdate), (RegexEntity, RegexUpdate),
    (PatternAnyEntity, PatternAnyUpdate), (CompositeEntity, CompositeUpdate))} | {"hierarchicalentities": EntityUpdate}


def kind(names) -> str:
    """A URL segment matching one of `names`, passed to the view as `kind` (the URL segment, not an EntityKind)."""
    return f"<any({', '.join(names)}):kind>"


ENTITY = f"{VERSION}/{kind(KINDS)}/<entity_id>"


@bp.post(f"{VERSION}/{kind(CREATE)}")
@operation(body={"anyOf": list(CREATE.values())})
@writes
def add_entity(app_id, version_id, kind):
    """Create an entity of the kind the URL names; the body as that kind's create object."""
    entity = modeling.add_entity(authoring.get_version(app_id, version_id), load(CREATE[kind]()))
    return created(entity.id)


@bp.get(f"{VERSION}/{kind(KINDS)}")
@operation([EntityExtractor], query=PagingQuery)
def list_entities(app_id, version_id, kind):
    skip, take = paging()
    entities = modeling.entities_of(authoring.load(authoring.get_version(app_id, version_id)), KINDS[kind])
    return jsonify(EntityExtractor(many=True).dump(entities[skip:skip + take]))


@bp.get(ENTITY)
@operation(EntityExtractor)
def get_entity(app_id, version_id, kind, entity_id):
    definition = authoring.load(authoring.get_version(app_id, version_id))
    return jsonify(EntityExtractor().dump(authoring.find_model(definition, entity_id, KINDS[kind])))


@bp.put(f"{VERSION}/{kind(UPDATE)}/<entity_id>")
@bp.patch(f"{VERSION}/{kind(['entities', 'hierarchicalentities'])}/<entity_id>")  # v3: rename, set instanceOf
@operation(body={"anyOf": list(dict.fromkeys(UPDATE.values()))})
@writes
def update_entity(app_id, version_id, kind, entity_id):
    """Update an entity of the kind the URL names; the body as that kind's update object."""
    version = authoring.get_version(app_id, version_id)
    modeling.update_entity(version, entity_id, KINDS[kind], **load(UPDATE[kind]()))
    return operation_success()


@bp.delete(ENTITY)
@writes
def delete_entity(app_id, version_id, kind, entity_id):
    modeling.delete_entity(authoring.get_version(app_id, version_id), entity_id, KINDS[kind])
    return operation_success()


@bp.get(f"{VERSION}/entities/<entity_id>/suggest")
@operation([{"type": "object"}])
def entity_suggestions(app_id, version_id, entity_id):
    """Suggested endpoint utterances for the entity: none."""
    authoring.find_model(authoring.load(authoring.get_version(app_id, version_id)), entity_id, MLEntity)
    return jsonify([])


@bp.post(f"{VERSION}/prebuilts")
@operation([EntityExtractor], body=[TEXT])
@writes
def add_prebuilts(app_id, version_id):
    """Add prebuilt entities by name (`number`, `datetimeV2`...)."""
    names = STRING_LIST.deserialize(json_body())
    entities = modeling.add_prebuilts(authoring.get_version(app_id, version_id), names)
    return created(EntityExtractor(many=True).dump(entities))


@bp.get(f"{VERSION}/listprebuilts")
@operation([PrebuiltDomainEntity])
def prebuilt_catalogue(app_id, version_id):
    """The prebuilt entities available to the version."""
    version = authoring.get_version(app_id, version_id)
    return jsonify([{"name": name, "description": description, "examples": examples}
                    for name, (description, examples) in modeling.prebuilt_catalogue(version.app.culture).items()])


@bp.get(f"{VERSION}/models")
@operation([ModelInfo], query=PagingQuery)
def list_models(app_id, version_id):
    """The intents, then the entities of every kind."""
    skip, take = paging()
    definition = authoring.load(authoring.get_version(app_id, version_id))
    models = IntentClassifier(many=True).dump(definition.intents) + EntityExtractor(many=True).dump(definition.entities)
    return jsonify(models[skip:skip + take])


@bp.get(f"{VERSION}/models/<model_id>/examples")
@operation([LabelTextObject], query=PagingQuery)
def model_examples(app_id, version_id, model_id):
    """The examples labeled with an intent or entity."""
    examples = modeling.model_examples(authoring.get_version(app_id, version_id), model_id, *paging())
    return jsonify(LabelTextObject(many=True).dump(examples))
