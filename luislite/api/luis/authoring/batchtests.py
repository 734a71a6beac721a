"""Batch tests: POST a LUIS batch-test file to test a version or a slot (202, run by the worker); GET its
status and report as JSON, as an aligned text table (`format=text`) or as an HTML page (`format=html`)."""
from flask import Response, jsonify, request

from luislite.services import batch_testing as batchtest
from luislite.api.luis.authoring import authoring_blueprint
from luislite.api.body import load
from luislite.api.errors import LuisError, bad_argument
from luislite.api.openapi import TEXT, operation
from luislite.api.responses import writes
from luislite.domain.evaluation import format_html, format_text
from luislite.api.luis.schemas.batchtests import BatchTestInfo, BatchTestQueued, BatchTestReportQuery, BatchUtterance

bp = authoring_blueprint("batchtests")
VERSION_TESTS = "/apps/<app_id>/versions/<version_id>/batchtests"
SLOT_TESTS = "/apps/<app_id>/slots/<slot>/batchtests"
REPORT = {"application/json": BatchTestInfo, "text/plain": TEXT, "text/html": TEXT}


def _utterances() -> list[dict]:
    utterances = load(BatchUtterance(), many=True)
    if not 1 <= len(utterances) <= batchtest.MAX_UTTERANCES:
        raise bad_argument(f"A batch test holds between 1 and {batchtest.MAX_UTTERANCES} utterances.")
    return [u | {"entities": u["entities"] or []} for u in utterances]


def _queued(test):
    response = jsonify(BatchTestQueued().dump(test))
    response.status_code = 202
    response.headers["Location"] = f"{request.path}/{test.id}"
    return response


def _answer(test):
    """The test as JSON, or its report as text or HTML once it succeeded."""
    form = request.args.get("format", "json").lower()
    if form not in ("json", "text", "html"):
        raise bad_argument("format must be json, text or html.")
    if form == "json":
        return jsonify(BatchTestInfo().dump(test))
    if test.status != "Success":
        raise LuisError(409, "Conflict", f"The batch test has no report: its status is {test.status}.")
    if form == "text":
        return Response(format_text(test.report), mimetype="text/plain")
    return Response(format_html(test.report, batchtest.title(test)), mimetype="text/html")


@bp.post(VERSION_TESTS)
@operation(BatchTestQueued, status=202, body=[BatchUtterance])
@writes
def test_version(app_id, version_id):
    """Queue a batch test of a trained version (202)."""
    return _queued(batchtest.enqueue(app_id, _utterances(), version_id=version_id))


@bp.post(SLOT_TESTS)
@operation(BatchTestQueued, status=202, body=[BatchUtterance])
@writes
def test_slot(app_id, slot):
    """Queue a batch test of a published slot (202)."""
    return _queued(batchtest.enqueue(app_id, _utterances(), slot=slot))


@bp.get(f"{VERSION_TESTS}/<int:test_id>")
@operation(REPORT, query=BatchTestReportQuery)
def version_test(app_id, version_id, test_id):
    """A batch test of a version: its status, and its report once it succeeded."""
    return _answer(batchtest.get(app_id, test_id, version_id=version_id))


@bp.get(f"{SLOT_TESTS}/<int:test_id>")
@operation(REPORT, query=BatchTestReportQuery)
def slot_test(app_id, slot, test_id):
    """A batch test of a slot: its status, and its report once it succeeded."""
    return _answer(batchtest.get(app_id, test_id, slot=slot))
