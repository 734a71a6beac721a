"""Roles of entities of every kind: `.../{kind}/{entityId}/roles[/{roleId}]`, one parametrised route each.

`customprebuiltentities` reaches the entities a prebuilt domain brought, whatever their kind."""
from flask import jsonify

from luislite.services import authoring
from luislite.services import entity_authoring as modeling
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.luis.authoring.entities import KINDS, VERSION, kind
from luislite.api.body import load
from luislite.api.openapi import operation
from luislite.api.responses import created, writes
from luislite.api.luis.schemas.common import ModelName
from luislite.api.luis.schemas.entities import EntityRole
from luislite.domain.appversion import Entity

bp = authoring_blueprint("roles")
ROLE_KINDS = KINDS | {"customprebuiltentities": Entity}
ROLES = f"{VERSION}/{kind(ROLE_KINDS)}/<entity_id>/roles"


def _entity(app_id, version_id, kind, entity_id):
    definition = authoring.load(authoring.get_version(app_id, version_id))
    return authoring.find_model(definition, entity_id, ROLE_KINDS[kind])


@bp.get(ROLES)
@operation([EntityRole])
def list_roles(app_id, version_id, kind, entity_id):
    return jsonify(EntityRole(many=True).dump(_entity(app_id, version_id, kind, entity_id).roles))


@bp.post(ROLES)
@operation(body=ModelName)
@writes
def add_role(app_id, version_id, kind, entity_id):
    version = authoring.get_version(app_id, version_id)
    return created(modeling.add_role(version, entity_id, ROLE_KINDS[kind], load(ModelName())["name"]).id)


@bp.get(f"{ROLES}/<role_id>")
@operation(EntityRole)
def get_role(app_id, version_id, kind, entity_id, role_id):
    return jsonify(EntityRole().dump(modeling.find_role(_entity(app_id, version_id, kind, entity_id), role_id)))


@bp.put(f"{ROLES}/<role_id>")
@operation(body=ModelName)
@writes
def rename_role(app_id, version_id, kind, entity_id, role_id):
    version = authoring.get_version(app_id, version_id)
    modeling.rename_role(version, entity_id, ROLE_KINDS[kind], role_id, load(ModelName())["name"])
    return operation_success()


@bp.delete(f"{ROLES}/<role_id>")
@writes
def delete_role(app_id, version_id, kind, entity_id, role_id):
    modeling.delete_role(authoring.get_version(app_id, version_id), entity_id, ROLE_KINDS[kind], role_id)
    return operation_success()
