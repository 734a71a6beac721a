"""Labeled examples: add one, add a batch (201, or 207 when any item fails), list, delete."""
from flask import jsonify

from luislite.services import authoring
from luislite.api.luis.authoring import authoring_blueprint, operation_success
from luislite.api.body import load, paging
from luislite.api.errors import bad_argument
from luislite.api.openapi import operation
from luislite.api.responses import created, writes
from luislite.domain.appversion import LIMITS, AppVersionError
from luislite.api.luis.schemas.common import PagingQuery
from luislite.api.luis.schemas.examples import (BatchLabelExample, ExampleLabel, LabelExampleResponse, LabeledUtterance,
                                                labeled_utterance_json, to_utterance)

bp = authoring_blueprint("examples")
VERSION = "/apps/<app_id>/versions/<version_id>"


@bp.post(f"{VERSION}/example")
@operation(LabelExampleResponse, body=ExampleLabel)
@writes
def add_example(app_id, version_id):
    version = authoring.get_version(app_id, version_id)
    [result] = authoring.add_examples(version, [to_utterance(load(ExampleLabel()), version.app.culture)])
    if isinstance(result, AppVersionError):
        raise result
    return created(LabelExampleResponse().dump(result))


@bp.post(f"{VERSION}/examples")
@operation([BatchLabelExample], body=[ExampleLabel], also={207: [BatchLabelExample]})
@writes
def add_examples(app_id, version_id):
    """Add a batch of examples: 201, or 207 when any fails (one result per example, in order)."""
    version = authoring.get_version(app_id, version_id)
    bodies = load(ExampleLabel(), many=True)
    if len(bodies) > LIMITS["batch"]:
        raise bad_argument(f"A batch holds at most {LIMITS['batch']} examples.")
    utterances = [to_utterance(b, version.app.culture) for b in bodies]
    results = authoring.add_examples(version, utterances)
    items = [{"hasError": True, "error": {"code": "FAILED", "message": f"{u.text}. Error: {r}"}}
             if isinstance(r, AppVersionError) else {"value": r, "hasError": False}
             for u, r in zip(utterances, results)]
    response = created(BatchLabelExample(many=True).dump(items))
    response.status_code = 207 if any(i["hasError"] for i in items) else 201
    return response


@bp.get(f"{VERSION}/examples")
@operation([LabeledUtterance], query=PagingQuery)
def list_examples(app_id, version_id):
    version = authoring.get_version(app_id, version_id)
    examples = authoring.list_examples(version, *paging())
    return jsonify([labeled_utterance_json(e.id, authoring.to_utterance(e), version.app.culture) for e in examples])


@bp.delete(f"{VERSION}/examples/<int(signed=True):example_id>")
@writes
def delete_example(app_id, version_id, example_id):
    authoring.delete_example(authoring.get_version(app_id, version_id), example_id)
    return operation_success()
