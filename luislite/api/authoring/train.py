"""Train: POST queues the version for the training worker (202), GET reports per-model status."""
from flask import jsonify

from luislite import authoring
from luislite.api.authoring import authoring_blueprint
from luislite.api.responses import writes
from luislite.training import jobs

bp = authoring_blueprint("train")
TRAIN = "/apps/<app_id>/versions/<version_id>/train"


@bp.post(TRAIN)
@writes
def train_version(app_id, version_id):
    status = jobs.enqueue(authoring.get_version(app_id, version_id))
    response = jsonify({"statusId": jobs.STATUS_IDS[status], "status": status})
    response.status_code = 202
    return response


@bp.get(TRAIN)
def training_status(app_id, version_id):
    return jsonify(jobs.model_statuses(authoring.get_version(app_id, version_id)))
