"""Train: POST queues the version for the training worker (202), GET reports per-model status."""
from flask import jsonify

from luislite.services import authoring
from luislite.api.luis.authoring import authoring_blueprint
from luislite.api.openapi import operation
from luislite.api.responses import writes
from luislite.api.luis.schemas.train import EnqueueTrainingResponse, ModelTrainingInfo
from luislite.training import jobs

bp = authoring_blueprint("train")
TRAIN = "/apps/<app_id>/versions/<version_id>/train"


@bp.post(TRAIN)
@operation(EnqueueTrainingResponse, status=202)
@writes
def train_version(app_id, version_id):
    """Queue the version for training (202); the training worker trains it."""
    status = jobs.enqueue(authoring.get_version(app_id, version_id))
    response = jsonify({"statusId": jobs.STATUS_IDS[status], "status": status})
    response.status_code = 202
    return response


@bp.get(TRAIN)
@operation([ModelTrainingInfo])
def training_status(app_id, version_id):
    """The training status of each model of the version."""
    return jsonify(jobs.model_statuses(authoring.get_version(app_id, version_id)))
