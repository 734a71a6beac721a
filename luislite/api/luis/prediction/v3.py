"""Prediction v3.0: GET (query parameter) and POST (PredictionRequest body) on slots and versions."""
from flask import Blueprint, jsonify, request

from luislite.services import publishing
from luislite.services import query_logging as querylog
from luislite.api.luis.auth import require_key
from luislite.api.body import flag, json_body
from luislite.api.errors import bad_argument
from luislite.api.openapi import operation
from luislite.api.luis.prediction import check_query, datetime_reference, request_entities
from luislite.api.luis.prediction.render import prediction_v3
from luislite.api.luis.schemas.prediction import (PredictionOptionsV3, PredictionQueryV3, PredictionRequest,
                                                  PredictionResponseV3)
from luislite.db import writes_lazily

bp = Blueprint("predict_v3", __name__)
bp.before_request(lambda: require_key(prediction=True))


def _request() -> tuple[str, dict | None]:
    """The query, and the POST body (parsed once) that may carry `options`."""
    if request.method != "POST":  # GET, and HEAD as Flask answers it for every GET route
        return check_query(request.args.get("query")), None
    body = json_body()
    if not isinstance(body, dict):
        raise bad_argument("The request body must be a JSON object with a 'query'.")
    return check_query(body.get("query")), body


def _predict(artifact: str, app_id: str, **served_by):
    query, body = _request()
    recognizer = publishing.recognizer(artifact)
    prediction = recognizer.predict(query, datetime_reference(body), request_entities(query, body, recognizer))
    response = jsonify(prediction_v3(query, prediction, flag("verbose"), flag("show-all-intents")))
    querylog.record(app_id, query, prediction, response.get_data(as_text=True), logged=flag("log"), **served_by)
    return response


@bp.route("/apps/<app_id>/slots/<slot>/predict", methods=["GET", "POST"])
@writes_lazily
@operation(PredictionResponseV3, query=PredictionQueryV3, methods=["GET"])
@operation(PredictionResponseV3, status=200, query=PredictionOptionsV3, body=PredictionRequest, methods=["POST"])
def predict_slot(app_id, slot):
    """Predict with the app version a slot (production or staging) serves."""
    return _predict(publishing.slot_artifact(app_id, slot), app_id, slot=slot)


@bp.route("/apps/<app_id>/versions/<version_id>/predict", methods=["GET", "POST"])
@writes_lazily
@operation(PredictionResponseV3, query=PredictionQueryV3, methods=["GET"])
@operation(PredictionResponseV3, status=200, query=PredictionOptionsV3, body=PredictionRequest, methods=["POST"])
def predict_version(app_id, version_id):
    """Predict with a trained version, published or not."""
    return _predict(publishing.version_artifact(app_id, version_id), app_id, version_id=version_id)
