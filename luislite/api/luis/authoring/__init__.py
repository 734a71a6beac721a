"""LUIS authoring API blueprints, mounted under /luis/authoring/v3.0-preview and /luis/api/v2.0."""
from flask import Blueprint, jsonify

from luislite.api.luis.auth import require_key
from luislite.api.luis.schemas.common import OPERATION_SUCCESS


def authoring_blueprint(name: str) -> Blueprint:
    """A blueprint whose every route needs an authoring key."""
    blueprint = Blueprint(name, __name__)
    blueprint.before_request(lambda: require_key(prediction=False))
    return blueprint


def operation_success():
    """What an authoring write without a result answers: LUIS's OperationStatus."""
    return jsonify(OPERATION_SUCCESS)


from luislite.api.luis.authoring import apps, examples, intents, train, versions  # noqa: E402
from luislite.api.luis.authoring import entities, entity_parts, features, patterns, roles  # noqa: E402
from luislite.api.luis.authoring import azureaccounts, batchtests, packages, prebuiltdomains, querylogs  # noqa: E402

AUTHORING_BLUEPRINTS = [apps.bp, versions.bp, intents.bp, examples.bp, train.bp,
                        entities.bp, entity_parts.bp, roles.bp, features.bp, patterns.bp,
                        querylogs.bp, batchtests.bp, azureaccounts.bp, packages.bp, prebuiltdomains.bp]
