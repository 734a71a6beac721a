"""Versions: list, get, rename, clone, delete, export, import, settings."""
from flask import Response, jsonify, request

from luislite.services import authoring
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import app_document, json_body, load, paging
from luislite.api.openapi import TEXT, operation
from luislite.api.responses import created, writes
from luislite.domain.appversion import AppVersion
from luislite.domain.lu import write_lu
from luislite.api.luis.schemas.common import PagingQuery
from luislite.api.luis.schemas.versions import (ExportQuery, LuisApp, VersionImportQuery, VersionInfo, VersionSetting,
                                                VersionUpdate)

bp = authoring_blueprint("versions")
VERSION = "/apps/<app_id>/versions/<version_id>"


@bp.get("/apps/<app_id>/versions")
@operation([VersionInfo], query=PagingQuery)
def list_versions(app_id):
    return jsonify(VersionInfo(many=True).dump(authoring.list_versions(authoring.get_app(app_id), *paging())))


@bp.get(VERSION)
@operation(VersionInfo)
def get_version(app_id, version_id):
    return jsonify(VersionInfo().dump(authoring.get_version(app_id, version_id)))


@bp.put(VERSION)
@operation(body=VersionUpdate)
@writes
def rename_version(app_id, version_id):
    """Rename a version (`version` is its new id)."""
    authoring.rename_version(authoring.get_version(app_id, version_id), load(VersionUpdate())["version"])
    return operation_success()


@bp.delete(VERSION)
@writes
def delete_version(app_id, version_id):
    authoring.delete_version(authoring.get_version(app_id, version_id))
    return operation_success()


@bp.post(f"{VERSION}/clone")
@operation(TEXT, body=VersionUpdate)
@writes
def clone_version(app_id, version_id):
    """Copy a version, untrained, to the id `version`; answers that id."""
    body = json_body() or {}
    new_id = body.get("version") if isinstance(body, dict) else None
    clone = authoring.clone_version(authoring.get_version(app_id, version_id), new_id)
    return created(clone.version_id)


@bp.get(f"{VERSION}/export")
@operation({"application/json": LuisApp, "text/plain": TEXT}, query=ExportQuery)
def export_version(app_id, version_id):
    """LUIS app JSON (schema 7.0.0), or the `.lu` format with `format=lu`."""
    document = authoring.export(authoring.get_version(app_id, version_id))
    if request.args.get("format") == "lu":
        return Response(write_lu(AppVersion.from_luis(document)), mimetype="text/plain")
    return jsonify(document)


@bp.post("/apps/<app_id>/versions/import")
@operation(TEXT, body={"application/json": LuisApp, "text/plain": TEXT}, query=VersionImportQuery)
@writes
def import_version(app_id):
    """Import a LUIS app document as a new version; answers its id."""
    version = authoring.import_version(authoring.get_app(app_id), app_document(), request.args.get("versionId"))
    return created(version.version_id)


@bp.get(f"{VERSION}/settings")
@operation([VersionSetting])
def get_version_settings(app_id, version_id):
    return jsonify(authoring.load(authoring.get_version(app_id, version_id)).settings)


@bp.put(f"{VERSION}/settings")
@operation(body=[VersionSetting])
@writes
def update_version_settings(app_id, version_id):
    version = authoring.get_version(app_id, version_id)
    authoring.update_settings(version, load(VersionSetting(), many=True))
    return operation_success()
