"""Endpoint query logs: the review list of unsure predictions."""
from marshmallow import fields, validate

from luislite.api.luis.schemas.common import LuisSchema, PagingQuery, Time
from luislite.api.luis.schemas.examples import EntityLabel


class ReviewQuery(PagingQuery):
    threshold = fields.Float(validate=validate.Range(0, 1), metadata={"description": "Top scores below it (0.5)."})
    margin = fields.Float(validate=validate.Range(0, 1), metadata={"description": "Top-two gaps below it (0.1)."})


class ReviewUtterance(LuisSchema):
    """A logged endpoint query whose prediction was unsure."""
    id = fields.Integer(required=True)
    text = fields.String(required=True, attribute="query")
    predictedIntent = fields.String(required=True, attribute="top_intent")
    score = fields.Float(required=True)
    secondScore = fields.Float(required=True, allow_none=True, attribute="second_score")
    entities = fields.Raw(required=True)
    slot = fields.String(required=True, allow_none=True)
    loggedDateTime = Time(required=True, attribute="created")


class ReviewCorrection(LuisSchema):
    """The optional body of an accept: the right intent and labels, where the prediction was wrong."""
    intentName = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1))
    entityLabels = fields.List(fields.Nested(EntityLabel), load_default=None, allow_none=True)
