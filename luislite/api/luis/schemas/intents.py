"""Intents."""
from marshmallow import fields

from luislite.api.luis.schemas.common import LuisSchema, ModelInfo


class IntentDeleteQuery(LuisSchema):
    deleteUtterances = fields.Boolean(metadata={"description": "Delete the intent's examples (else they move "
                                                                "to None)."})


class IntentClassifier(ModelInfo):
    """An intent, as listed alone or among the models."""
    typeId = fields.Integer(required=True, dump_default=0)
    readableType = fields.String(required=True, dump_default="Intent Classifier")
