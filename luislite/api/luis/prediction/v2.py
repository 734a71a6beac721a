"""Prediction v2.0: GET with `q`, or POST whose body is the utterance as a JSON string (Bot Framework's default)."""
import json

from flask import Blueprint, jsonify, request

from luislite.services import publishing
from luislite.services import query_logging as querylog
from luislite.api.luis.auth import require_key
from luislite.api.body import flag
from luislite.api.openapi import TEXT, operation
from luislite.api.luis.prediction import check_query, datetime_reference
from luislite.api.luis.prediction.render import prediction_v2
from luislite.api.luis.schemas.prediction import LuisResult, PredictionOptionsV2, PredictionQueryV2
from luislite.db import writes_lazily

bp = Blueprint("predict_v2", __name__)
bp.before_request(lambda: require_key(prediction=True))


def _query() -> str:
    if request.method != "POST":  # GET, and HEAD as Flask answers it for every GET route
        return check_query(request.args.get("q"))
    raw = request.get_data(as_text=True)
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        body = raw  # a plain-text (or absurdly nested) body is tolerated, then refused below if not a string
    return check_query(body if isinstance(body, str) else None)


@bp.route("/apps/<app_id>", methods=["GET", "POST"])
@writes_lazily
@operation(LuisResult, query=PredictionQueryV2, methods=["GET"])
@operation(LuisResult, status=200, query=PredictionOptionsV2, body={"application/json": TEXT, "text/plain": TEXT},
           methods=["POST"])
def predict(app_id):
    """Predict with the app's production (or staging) slot; POST's body is the query as a JSON string."""
    query = _query()
    slot = "staging" if flag("staging") else "production"
    artifact = publishing.slot_artifact(app_id, slot)
    prediction = publishing.recognizer(artifact).predict(query, datetime_reference())
    response = jsonify(prediction_v2(query, prediction, flag("verbose")))
    querylog.record(app_id, query, prediction, response.get_data(as_text=True), logged=flag("log"), slot=slot)
    return response
