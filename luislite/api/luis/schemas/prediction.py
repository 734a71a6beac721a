"""Prediction v3.0 and v2.0: query parameters, the v3.0 POST body, and the answers.

The answers are built by `prediction/render.py` (their shapes depend on the app's entities); these schemas
document them."""
from marshmallow import fields, validate

from luislite.api.luis.schemas.common import LuisSchema


class PredictionOptionsV3(LuisSchema):
    verbose = fields.Boolean(metadata={"description": "Add `$instance` metadata to the entities."})
    show_all_intents = fields.Boolean(data_key="show-all-intents", metadata={"description": "Score every intent."})
    log = fields.Boolean(metadata={"description": "Keep the query in the app's query log."})


class PredictionQueryV3(PredictionOptionsV3):
    query = fields.String(required=True, validate=validate.Length(min=1, max=500))
    datetimeReference = fields.DateTime(metadata={"description": "The time relative dates resolve against."})


class PredictionOptionsV2(LuisSchema):
    verbose = fields.Boolean(metadata={"description": "Add every intent's score."})
    staging = fields.Boolean(metadata={"description": "Predict with the staging slot."})
    log = fields.Boolean(metadata={"description": "Keep the query in the app's query log."})
    timezoneOffset = fields.Float(metadata={"description": "Minutes from UTC for datetimeV2 resolution."})
    spellCheck = fields.Boolean(metadata={"description": "Accepted and ignored."})


class PredictionQueryV2(PredictionOptionsV2):
    q = fields.String(required=True, validate=validate.Length(min=1, max=500))


class PredictionRequestOptions(LuisSchema):
    datetimeReference = fields.DateTime()
    preferExternalEntities = fields.Boolean()


class ExternalEntity(LuisSchema):
    """An entity the caller found itself: answered as found (`recognitionSources: ["externalEntities"]`)."""
    entityName = fields.String(required=True, validate=validate.Length(min=1))
    startIndex = fields.Integer(required=True, validate=validate.Range(min=0))
    entityLength = fields.Integer(required=True, validate=validate.Range(min=1))
    resolution = fields.Raw(allow_none=True)
    score = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1))


class RequestList(LuisSchema):
    name = fields.String(allow_none=True)
    canonicalForm = fields.String(required=True, validate=validate.Length(min=1))
    synonyms = fields.List(fields.String(), load_default=list)


class DynamicList(LuisSchema):
    """More sublists for one list entity of the app, for this request only."""
    listEntityName = fields.String(required=True)
    requestLists = fields.List(fields.Nested(RequestList), required=True)


class RequestEntities(LuisSchema):
    """What a v3.0 POST body adds to the app's entities for one prediction."""
    externalEntities = fields.List(fields.Nested(ExternalEntity), load_default=list, allow_none=True)
    dynamicLists = fields.List(fields.Nested(DynamicList), load_default=list, allow_none=True)


class PredictionRequest(RequestEntities):
    """The v3.0 POST body."""
    query = fields.String(required=True, validate=validate.Length(min=1, max=500))
    options = fields.Nested(PredictionRequestOptions)


class IntentScore(LuisSchema):
    score = fields.Float(required=True)


class PredictionV3(LuisSchema):
    topIntent = fields.String(required=True)
    intents = fields.Dict(fields.String(), fields.Nested(IntentScore), required=True)
    entities = fields.Dict(required=True, metadata={"description": "Entity (or role) name -> values, and "
                                                                   "`$instance` metadata when verbose."})
    sentiment = fields.Dict()


class PredictionResponseV3(LuisSchema):
    query = fields.String(required=True)
    prediction = fields.Nested(PredictionV3, required=True)


class IntentModel(LuisSchema):
    intent = fields.String(required=True)
    score = fields.Float(required=True)


class EntityModel(LuisSchema):
    entity = fields.String(required=True, metadata={"description": "The matched text, lowercased."})
    type = fields.String(required=True)
    startIndex = fields.Integer(required=True)
    endIndex = fields.Integer(required=True, metadata={"description": "Inclusive."})
    score = fields.Float()
    resolution = fields.Dict()
    role = fields.String()


class CompositeChildModel(LuisSchema):
    type = fields.String(required=True)
    value = fields.String(required=True)


class CompositeEntityModel(LuisSchema):
    parentType = fields.String(required=True)
    value = fields.String(required=True)
    children = fields.List(fields.Nested(CompositeChildModel), required=True)


class LuisResult(LuisSchema):
    """The v2.0 prediction."""
    query = fields.String(required=True)
    topScoringIntent = fields.Nested(IntentModel, required=True)
    intents = fields.List(fields.Nested(IntentModel), metadata={"description": "With verbose=true only."})
    entities = fields.List(fields.Nested(EntityModel), required=True)
    compositeEntities = fields.List(fields.Nested(CompositeEntityModel))
    sentimentAnalysis = fields.Dict()
