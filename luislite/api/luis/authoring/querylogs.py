"""Endpoint query logs: the CSV download, and the review list of unsure predictions (label, accept, dismiss)."""
from flask import Response, jsonify, request, stream_with_context

from luislite.services import authoring
from luislite.services import query_logging as querylog
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import json_body, paging
from luislite.api.errors import bad_argument
from luislite.api.openapi import TEXT, operation
from luislite.api.responses import created, writes
from luislite.api.luis.schemas.examples import LabelExampleResponse, to_utterance
from luislite.api.luis.schemas.querylogs import ReviewCorrection, ReviewQuery, ReviewUtterance

bp = authoring_blueprint("querylogs")
REVIEW = "/apps/<app_id>/versions/<version_id>/reviewutterances"


def _number(name: str, default: float) -> float:
    try:
        value = float(request.args.get(name, default))
    except ValueError:
        raise bad_argument(f"The query parameter '{name}' must be a number.") from None
    if not 0.0 <= value <= 1.0:
        raise bad_argument(f"The query parameter '{name}' must be between 0 and 1.")
    return value


@bp.get("/apps/<app_id>/querylogs")
@operation({"text/csv": TEXT})
def download_query_logs(app_id):
    """The app's logged endpoint queries as CSV: Query, UTC DateTime, Response."""
    app = authoring.get_app(app_id)
    return Response(stream_with_context(querylog.csv_lines(app.id)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{app.id}_querylogs.csv"'})


@bp.get(REVIEW)
@operation([ReviewUtterance], query=ReviewQuery)
def review_utterances(app_id, version_id):
    """Logged queries whose prediction was unsure: a low top score, or a close second."""
    version = authoring.get_version(app_id, version_id)
    entries = querylog.review_list(version, *paging(), _number("threshold", 0.5), _number("margin", 0.1))
    return jsonify(ReviewUtterance(many=True).dump(entries))


@bp.post(f"{REVIEW}/<int:log_id>/accept")
@operation(LabelExampleResponse, body=ReviewCorrection)
@writes
def accept_review_utterance(app_id, version_id, log_id):
    """Add a logged query as an example: as predicted, or with the body's corrections."""
    version = authoring.get_version(app_id, version_id)
    entry = querylog.pending(version, log_id)
    body = json_body()
    if body is not None and not isinstance(body, dict):
        raise bad_argument("The request body must be a JSON object with 'intentName' and/or 'entityLabels'.")
    correction = ReviewCorrection().load(body or {})
    intent = correction.get("intentName")
    if correction.get("entityLabels") is None:
        utterance = querylog.predicted_utterance(entry, intent)
    else:
        utterance = to_utterance({"text": entry.query, "intentName": intent or entry.top_intent,
                                  "entityLabels": correction["entityLabels"]}, version.app.culture)
    example = querylog.accept(version, entry, utterance)
    return created(LabelExampleResponse().dump(example))


@bp.delete(f"{REVIEW}/<int:log_id>")
@writes
def dismiss_review_utterance(app_id, version_id, log_id):
    """Remove a logged query from the review list."""
    version = authoring.get_version(app_id, version_id)
    querylog.dismiss(version, querylog.pending(version, log_id).query)
    return operation_success()


@bp.delete("/apps/<app_id>/versions/<version_id>/suggest")
@operation(body=TEXT)
@writes
def delete_unlabelled_utterance(app_id, version_id):
    """LUIS's DeleteUnlabelledUtterance: the body is the utterance as a JSON string."""
    version = authoring.get_version(app_id, version_id)
    text = json_body()
    if not isinstance(text, str) or not text.strip():
        raise bad_argument("The request body must be the utterance as a JSON string.")
    querylog.dismiss(version, text)
    return operation_success()
