"""Parts of entities: ML children, list-entity sublists, pattern.any explicit lists, composite and hierarchical
children."""
from flask import jsonify

from luislite.services import authoring
from luislite.services import entity_authoring as modeling
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import load
from luislite.api.openapi import GUID, operation
from luislite.api.responses import created, writes
from luislite.errors import NotFound
from luislite.domain.appversion import ExplicitItem, ListEntity, PatternAnyEntity
from luislite.api.luis.schemas.common import ModelName
from luislite.api.luis.schemas.entities import (ChildCreate, ChildEntity, ClosedListUpdate, ExplicitListItem,
                                                ExplicitListItemInfo, WordList)

bp = authoring_blueprint("entity_parts")
VERSION = "/apps/<app_id>/versions/<version_id>"
SUBLISTS = f"{VERSION}/closedlists/<entity_id>/sublists"
EXPLICIT_LIST = f"{VERSION}/patternanyentities/<entity_id>/explicitlist"
COMPOSITE_CHILDREN = f"{VERSION}/compositeentities/<entity_id>/children"
HIERARCHICAL_CHILD = f"{VERSION}/hierarchicalentities/<entity_id>/children/<child_id>"


@bp.post(f"{VERSION}/entities/<entity_id>/children")
@operation(body=ChildCreate)
@writes
def add_child(app_id, version_id, entity_id):
    child = modeling.add_child(authoring.get_version(app_id, version_id), entity_id, load(ChildCreate()))
    return created(child.id)


# --- sublists -----------------------------------------------------------------------------------

@bp.patch(f"{VERSION}/closedlists/<entity_id>")
@operation(body=ClosedListUpdate)
@writes
def append_sublists(app_id, version_id, entity_id):
    """Append the `subLists` of the body to a list entity."""
    sublists = load(ClosedListUpdate()).get("sublists", [])
    modeling.add_items(authoring.get_version(app_id, version_id), entity_id, ListEntity, sublists)
    return operation_success()


@bp.post(SUBLISTS)
@operation({"type": "integer"}, body=WordList)
@writes
def add_sublist(app_id, version_id, entity_id):
    version = authoring.get_version(app_id, version_id)
    [sublist] = modeling.add_items(version, entity_id, ListEntity, [load(WordList())])
    return created(sublist.id)


@bp.put(f"{SUBLISTS}/<int(signed=True):sublist_id>")
@operation(body=WordList)
@writes
def update_sublist(app_id, version_id, entity_id, sublist_id):
    version = authoring.get_version(app_id, version_id)
    modeling.replace_item(version, entity_id, ListEntity, sublist_id, load(WordList()))
    return operation_success()


@bp.delete(f"{SUBLISTS}/<int(signed=True):sublist_id>")
@writes
def delete_sublist(app_id, version_id, entity_id, sublist_id):
    modeling.delete_item(authoring.get_version(app_id, version_id), entity_id, ListEntity, sublist_id)
    return operation_success()


# --- explicit lists -----------------------------------------------------------------------------

def _explicit_list(app_id, version_id, entity_id) -> list[ExplicitItem]:
    definition = authoring.load(authoring.get_version(app_id, version_id))
    return authoring.find_model(definition, entity_id, PatternAnyEntity).explicit_list


def _explicit_item() -> ExplicitItem:
    return ExplicitItem(load(ExplicitListItem())["explicitListItem"])


@bp.get(EXPLICIT_LIST)
@operation([ExplicitListItemInfo])
def get_explicit_list(app_id, version_id, entity_id):
    return jsonify(ExplicitListItemInfo(many=True).dump(_explicit_list(app_id, version_id, entity_id)))


@bp.post(EXPLICIT_LIST)
@operation({"type": "integer"}, body=ExplicitListItem)
@writes
def add_explicit_item(app_id, version_id, entity_id):
    version = authoring.get_version(app_id, version_id)
    [item] = modeling.add_items(version, entity_id, PatternAnyEntity, [_explicit_item()])
    return created(item.id)


@bp.get(f"{EXPLICIT_LIST}/<int(signed=True):item_id>")
@operation(ExplicitListItemInfo)
def get_explicit_item(app_id, version_id, entity_id, item_id):
    item = modeling.find_item(_explicit_list(app_id, version_id, entity_id), item_id)
    return jsonify(ExplicitListItemInfo().dump(item))


@bp.put(f"{EXPLICIT_LIST}/<int(signed=True):item_id>")
@operation(body=ExplicitListItem)
@writes
def update_explicit_item(app_id, version_id, entity_id, item_id):
    version = authoring.get_version(app_id, version_id)
    modeling.replace_item(version, entity_id, PatternAnyEntity, item_id, _explicit_item())
    return operation_success()


@bp.delete(f"{EXPLICIT_LIST}/<int(signed=True):item_id>")
@writes
def delete_explicit_item(app_id, version_id, entity_id, item_id):
    modeling.delete_item(authoring.get_version(app_id, version_id), entity_id, PatternAnyEntity, item_id)
    return operation_success()


# --- composite children -------------------------------------------------------------------------

@bp.post(COMPOSITE_CHILDREN)
@operation(GUID, body=ModelName)
@writes
def add_composite_child(app_id, version_id, entity_id):
    version = authoring.get_version(app_id, version_id)
    return created(modeling.add_composite_child(version, entity_id, load(ModelName())["name"]))


@bp.delete(f"{COMPOSITE_CHILDREN}/<child_id>")
@writes
def delete_composite_child(app_id, version_id, entity_id, child_id):
    modeling.delete_composite_child(authoring.get_version(app_id, version_id), entity_id, child_id)
    return operation_success()


# --- hierarchical children (v2) -----------------------------------------------------------------

@bp.route(HIERARCHICAL_CHILD, methods=["GET", "PATCH", "DELETE"])
@operation(ChildEntity, methods=["GET"])
@operation(body=ModelName, methods=["PATCH"])
def hierarchical_child(app_id, version_id, entity_id, child_id):
    """Get, rename (PATCH) or delete a hierarchical entity's child: never found.

    Hierarchical entities are never stored (import turns them into ML entities with children), so neither are
    their children: once the app and version are found, 404, as for the hierarchical entity itself.
    """
    authoring.get_version(app_id, version_id)
    raise NotFound("Cannot find the model with the specified ID.")
