"""Batch tests."""
from marshmallow import ValidationError, fields, missing, validate, validates_schema

from luislite.api.luis.schemas.common import LuisSchema, Time, derived
from luislite.domain.appversion import LIMITS


class BatchTestReportQuery(LuisSchema):
    format = fields.String(validate=validate.OneOf(["json", "text", "html"]))


class BatchTestQueued(LuisSchema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


class BatchTestInfo(BatchTestQueued):
    """A batch test: its status, its progress while it runs, then its failure or its report."""
    versionId = fields.String(required=True, allow_none=True, attribute="version_id")
    slot = fields.String(required=True, allow_none=True)
    utterancesCount = derived(fields.Integer(required=True), lambda test: len(test.utterances))
    createdDateTime = Time(required=True, attribute="created")
    startedDateTime = Time(required=True, allow_none=True, attribute="started")
    finishedDateTime = Time(required=True, allow_none=True, attribute="finished")
    progress = derived(fields.Dict(required=True, allow_none=True), lambda test: test.progress or None)
    failureReason = derived(fields.String(), lambda test: test.failure_reason or missing)
    report = derived(fields.Dict(), lambda test: missing if test.report is None else test.report)


class BatchEntity(LuisSchema):
    entity = fields.String(required=True, validate=validate.Length(min=1))
    startPos = fields.Integer(required=True, strict=True)
    endPos = fields.Integer(required=True, strict=True)  # inclusive


class BatchUtterance(LuisSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=LIMITS["text"]))
    intent = fields.String(required=True, validate=validate.Length(min=1))
    entities = fields.List(fields.Nested(BatchEntity), load_default=list, allow_none=True)

    @validates_schema
    def labels_inside_text(self, data, **kwargs):
        for entity in data.get("entities") or []:
            if not 0 <= entity["startPos"] <= entity["endPos"] < len(data["text"]):
                raise ValidationError(f"The label of '{entity['entity']}' (startPos {entity['startPos']}, endPos "
                                      f"{entity['endPos']}, inclusive) lies outside the text.", "entities")
