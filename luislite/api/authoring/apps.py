"""Apps: create, list, get, update, delete, import, settings, publish settings."""
from flask import jsonify, request

from luislite import authoring, publishing
from luislite.api.authoring import authoring_blueprint
from luislite.api.body import app_document, flag, load, paging
from luislite.api.responses import base_url, created, operation_success, writes
from luislite.schemas import AppCreate, AppSettings, AppUpdate, Publish, PublishSettings, app_json, endpoint_info
from luislite.appversion import AppVersion

bp = authoring_blueprint("apps")

CULTURES = [{"name": "English", "code": "en-us"}]


@bp.post("/apps")
@writes
def add_app():
    body = load(AppCreate())
    app = authoring.create_app(body["name"], body["culture"], body["description"], body["domain"],
                               body["usageScenario"], AppVersion(version_id=body["initialVersionId"] or "0.1"))
    return created(app.id)


@bp.get("/apps")
def list_apps():
    return jsonify([app_json(a, base_url()) for a in authoring.list_apps(*paging())])


@bp.get("/apps/cultures")
def list_cultures():
    return jsonify(CULTURES)


@bp.get("/apps/domains")
@bp.get("/apps/usagescenarios")
def list_empty_names():
    return jsonify([])


@bp.post("/apps/import")
@writes
def import_app():
    app = authoring.import_app(app_document(), request.args.get("appName"))
    return created(app.id)


@bp.get("/apps/<app_id>")
def get_app(app_id):
    return jsonify(app_json(authoring.get_app(app_id), base_url()))


@bp.put("/apps/<app_id>")
@writes
def update_app(app_id):
    body = load(AppUpdate())
    authoring.update_app(authoring.get_app(app_id), body.get("name"), body.get("description"))
    return operation_success()


@bp.delete("/apps/<app_id>")
@writes
def delete_app(app_id):
    flag("force")
    authoring.delete_app(authoring.get_app(app_id))
    return operation_success()


@bp.get("/apps/<app_id>/settings")
def get_settings(app_id):
    app = authoring.get_app(app_id)
    return jsonify({"id": app.id, "public": app.public})


@bp.put("/apps/<app_id>/settings")
@writes
def update_settings(app_id):
    authoring.get_app(app_id).public = load(AppSettings())["public"]
    return operation_success()


@bp.get("/apps/<app_id>/publishsettings")
def get_publish_settings(app_id):
    app = authoring.get_app(app_id)
    return jsonify({"id": app.id, **authoring.publish_settings(app)})


@bp.put("/apps/<app_id>/publishsettings")
@writes
def update_publish_settings(app_id):
    app = authoring.get_app(app_id)
    app.publish_settings = authoring.publish_settings(app) | load(PublishSettings())
    return operation_success()


@bp.post("/apps/<app_id>/publish")
@writes
def publish(app_id):
    body = load(Publish())
    publication = publishing.publish(app_id, body["versionId"], body["isStaging"])
    publishing.collect_garbage()
    return created(endpoint_info(publication, base_url()))


@bp.get("/apps/<app_id>/endpoints")
def list_endpoints(app_id):
    return jsonify({"local": f"{base_url()}/luis/v2.0/apps/{authoring.get_app(app_id).id}"})
