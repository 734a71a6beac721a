"""Packages: a published slot or a trained version as one tar.gz, for prediction-only nodes
(`luislite serve --package`), as the LUIS container's downloads were."""
from flask import Response

from luislite.api.luis.authoring import authoring_blueprint
from luislite.api.openapi import operation
from luislite.services import packages

bp = authoring_blueprint("packages")
GZIP = {"application/gzip": {"type": "string", "format": "binary"}}


def _download(name: str, package: bytes) -> Response:
    return Response(package, mimetype="application/gzip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/package/<app_id>/slot/<slot>/gzip")
@operation(GZIP)
def package_published_application(app_id, slot):
    """The package of what a slot serves: its model's serving files, the app's identity and settings."""
    return _download(*packages.published(app_id, slot))


@bp.get("/package/<app_id>/versions/<version_id>/gzip")
@operation(GZIP)
def package_trained_application(app_id, version_id):
    """The package of a trained version's model."""
    return _download(*packages.trained(app_id, version_id))
