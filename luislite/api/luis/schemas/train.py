"""Training: the queued answer and the per-model status."""
from marshmallow import fields, validate

from luislite.api.luis.schemas.common import LuisSchema


class EnqueueTrainingResponse(LuisSchema):
    statusId = fields.Integer(required=True)
    status = fields.String(required=True)


class ModelTrainingDetails(LuisSchema):
    statusId = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["Queued", "InProgress", "UpToDate", "Success",
                                                                   "Fail"]))
    exampleCount = fields.Integer(required=True)
    trainingDateTime = fields.DateTime()
    failureReason = fields.String(allow_none=True)
    progress = fields.Dict()


class ModelTrainingInfo(LuisSchema):
    modelId = fields.UUID(required=True)
    details = fields.Nested(ModelTrainingDetails, required=True)
