"""Prebuilt domains: the catalogue, an app from a domain, a domain's models added to and deleted from a version.

Roles of the entities a domain brought (`customprebuiltentities/{entityId}/roles`) are served by roles.py.
"""
from flask import jsonify

from luislite.services import authoring
from luislite.services import prebuilt_domains as domains
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import load
from luislite.api.openapi import TEXT, operation
from luislite.api.responses import created, writes
from luislite.domain.appversion import Intent
from luislite.api.luis.schemas.entities import EntityExtractor
from luislite.api.luis.schemas.intents import IntentClassifier
from luislite.api.luis.schemas.prebuiltdomains import (CustomPrebuiltModel, PrebuiltDomain, PrebuiltDomainCreate,
                                                       PrebuiltDomainCreateBase, PrebuiltDomainModelCreate)

bp = authoring_blueprint("prebuiltdomains")
CATALOGUE = "/apps/customprebuiltdomains"
VERSION = "/apps/<app_id>/versions/<version_id>"


@bp.get(CATALOGUE)
@operation([PrebuiltDomain])
def list_domains():
    """The prebuilt domains of every culture."""
    return jsonify(domains.catalogue())


@bp.get(f"{CATALOGUE}/<culture>")
@operation([PrebuiltDomain])
def list_culture_domains(culture):
    """The prebuilt domains of one culture."""
    return jsonify(domains.catalogue(culture))


@bp.post(CATALOGUE)
@operation(TEXT, body=PrebuiltDomainCreate)
@writes
def create_app():
    """A new app from a domain; its id."""
    body = load(PrebuiltDomainCreate())
    return created(domains.create_app(body["domainName"], body["culture"]).id)


@bp.post(f"{VERSION}/customprebuiltdomains")
@operation([TEXT], body=PrebuiltDomainCreateBase)
@writes
def add_domain(app_id, version_id):
    """Add a domain's models, patterns and examples to the version; the ids of its intents and entities."""
    version = authoring.get_version(app_id, version_id)
    return created(domains.add_domain(version, load(PrebuiltDomainCreateBase())["domainName"]))


@bp.delete(f"{VERSION}/customprebuiltdomains/<domain_name>")
@writes
def delete_domain(app_id, version_id, domain_name):
    """Delete the models a domain brought, with their examples and labels."""
    domains.delete_domain(authoring.get_version(app_id, version_id), domain_name)
    return operation_success()


def _add_model(app_id, version_id, intent: bool):
    body = load(PrebuiltDomainModelCreate())
    version = authoring.get_version(app_id, version_id)
    return created(domains.add_model(version, body["domainName"], body["modelName"], intent))


def _custom_models(app_id, version_id) -> tuple[list, list]:
    """The intents and the entities the version took from prebuilt domains."""
    models = domains.custom_models(authoring.load(authoring.get_version(app_id, version_id)))
    return [m for m in models if isinstance(m, Intent)], [m for m in models if not isinstance(m, Intent)]


@bp.post(f"{VERSION}/customprebuiltintents")
@operation(TEXT, body=PrebuiltDomainModelCreate)
@writes
def add_intent(app_id, version_id):
    """Add one intent of a domain, with its examples; its id."""
    return _add_model(app_id, version_id, intent=True)


@bp.post(f"{VERSION}/customprebuiltentities")
@operation(TEXT, body=PrebuiltDomainModelCreate)
@writes
def add_entity(app_id, version_id):
    """Add one entity of a domain; its id."""
    return _add_model(app_id, version_id, intent=False)


@bp.get(f"{VERSION}/customprebuiltintents")
@operation([IntentClassifier])
def list_intents(app_id, version_id):
    """The intents taken from prebuilt domains."""
    intents, _ = _custom_models(app_id, version_id)
    return jsonify(IntentClassifier(many=True).dump(intents))


@bp.get(f"{VERSION}/customprebuiltentities")
@operation([EntityExtractor])
def list_entities(app_id, version_id):
    """The entities taken from prebuilt domains."""
    _, entities = _custom_models(app_id, version_id)
    return jsonify(EntityExtractor(many=True).dump(entities))


@bp.get(f"{VERSION}/customprebuiltmodels")
@operation([CustomPrebuiltModel])
def list_models(app_id, version_id):
    """The intents, then the entities, taken from prebuilt domains."""
    intents, entities = _custom_models(app_id, version_id)
    return jsonify(IntentClassifier(many=True).dump(intents) + EntityExtractor(many=True).dump(entities))
