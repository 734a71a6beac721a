"""Apps: create, list, get, update, delete, import, settings, publish settings."""
from flask import jsonify, request

from luislite.services import authoring
from luislite.services import publishing
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import app_document, flag, load, paging
from luislite.api.openapi import TEXT, operation
from luislite.api.responses import created, writes
from luislite.api.luis.schemas.apps import (AppCreate, AppDeleteQuery, AppImportQuery, AppSettings, AppSettingsInfo,
                                            AppUpdate, ApplicationInfo, AvailableCulture, EndpointInfo,
                                            PersonalAssistants, Publish, PublishSettings, PublishSettingsInfo,
                                            endpoint_url)
from luislite.api.luis.schemas.common import PagingQuery
from luislite.api.luis.schemas.versions import LuisApp
from luislite.domain import cultures
from luislite.domain.appversion import AppVersion

bp = authoring_blueprint("apps")


@bp.post("/apps")
@operation(body=AppCreate)
@writes
def add_app():
    """Create an app, with its first version holding the None intent."""
    body = load(AppCreate())
    app = authoring.create_app(body["name"], body["culture"], body["description"], body["domain"],
                               body["usageScenario"], AppVersion(version_id=body["initialVersionId"] or "0.1"))
    return created(app.id)


@bp.get("/apps")
@operation([ApplicationInfo], query=PagingQuery)
def list_apps():
    return jsonify(ApplicationInfo(many=True).dump(authoring.list_apps(*paging())))


@bp.get("/apps/assistants")
@operation(PersonalAssistants)
def list_cortana_endpoints():
    """Cortana's prebuilt apps: none here, and no key shown."""
    return jsonify(PersonalAssistants().dump({"endpointKeys": [], "endpointUrls": {}}))


@bp.get("/apps/cultures")
@operation([AvailableCulture])
def list_cultures():
    return jsonify(AvailableCulture(many=True).dump(cultures.CULTURES.values()))


@bp.get("/apps/domains")
@operation([TEXT])
def list_domains():
    return jsonify([])


@bp.get("/apps/usagescenarios")
@operation([TEXT])
def list_usage_scenarios():
    return jsonify([])


@bp.post("/apps/import")
@operation(body={"application/json": LuisApp, "text/plain": TEXT}, query=AppImportQuery)
@writes
def import_app():
    """Import a LUIS app: LUIS JSON (schema 2.x to 7.0.0) or `.lu` text."""
    app = authoring.import_app(app_document(), request.args.get("appName"))
    return created(app.id)


@bp.get("/apps/<app_id>")
@operation(ApplicationInfo)
def get_app(app_id):
    return jsonify(ApplicationInfo().dump(authoring.get_app(app_id)))


@bp.put("/apps/<app_id>")
@operation(body=AppUpdate)
@writes
def update_app(app_id):
    body = load(AppUpdate())
    authoring.update_app(authoring.get_app(app_id), body.get("name"), body.get("description"))
    return operation_success()


@bp.delete("/apps/<app_id>")
@operation(query=AppDeleteQuery)
@writes
def delete_app(app_id):
    flag("force")
    authoring.delete_app(authoring.get_app(app_id))
    return operation_success()


@bp.get("/apps/<app_id>/settings")
@operation(AppSettingsInfo)
def get_settings(app_id):
    return jsonify(AppSettingsInfo().dump(authoring.get_app(app_id)))


@bp.put("/apps/<app_id>/settings")
@operation(body=AppSettings)
@writes
def update_settings(app_id):
    authoring.get_app(app_id).public = load(AppSettings())["public"]
    return operation_success()


@bp.get("/apps/<app_id>/publishsettings")
@operation(PublishSettingsInfo)
def get_publish_settings(app_id):
    app = authoring.get_app(app_id)
    return jsonify(PublishSettingsInfo().dump({"id": app.id} | authoring.publish_settings(app)))


@bp.put("/apps/<app_id>/publishsettings")
@operation(body=PublishSettings)
@writes
def update_publish_settings(app_id):
    app = authoring.get_app(app_id)
    app.publish_settings = authoring.publish_settings(app) | load(PublishSettings())
    return operation_success()


@bp.post("/apps/<app_id>/publish")
@operation(EndpointInfo, body=Publish)
@writes
def publish(app_id):
    """Publish a trained version to the production or staging slot."""
    body = load(Publish())
    publication = publishing.publish(app_id, body["versionId"], body["isStaging"])
    publishing.collect_garbage()
    return created(EndpointInfo().dump(publication))


@bp.get("/apps/<app_id>/endpoints")
@operation({"type": "object", "additionalProperties": TEXT})
def list_endpoints(app_id):
    return jsonify({"local": endpoint_url(authoring.get_app(app_id).id)})
