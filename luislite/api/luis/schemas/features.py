"""Phrase lists, and the features (phrase lists or models) of intents and entities."""
from marshmallow import ValidationError, fields, post_load, validates_schema

from luislite.api.luis.schemas.common import NAME, LuisSchema, derived
from luislite.domain.appversion import Feature, PhraseList


class ModelFeature(LuisSchema):
    """ModelFeatureInformation: a phrase list (`featureName`) or a model (`modelName`) as a feature."""
    modelName = fields.String(allow_none=True, load_default=None)
    featureName = fields.String(allow_none=True, load_default=None)
    isRequired = fields.Boolean(allow_none=True, load_default=False)

    @validates_schema
    def one_target(self, data, **kwargs):
        if (data["modelName"] is None) == (data["featureName"] is None):
            raise ValidationError("Give either featureName or modelName.")

    @post_load
    def make(self, data, **kwargs) -> Feature:
        return Feature(data["featureName"], data["modelName"], bool(data["isRequired"]))


def _phrases(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


class PhraseListCreate(LuisSchema):
    name = NAME
    phrases = fields.String(required=True)
    interchangeable = fields.Boolean(data_key="isExchangeable", load_default=True, allow_none=True)
    enabled_for_all_models = fields.Boolean(data_key="enabledForAllModels", load_default=True, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> PhraseList:
        return PhraseList(data["name"], _phrases(data["phrases"]), data["interchangeable"] is not False,
                          enabled_for_all_models=data["enabled_for_all_models"] is not False)


class PhraseListUpdate(LuisSchema):
    name = fields.String()
    phrases = fields.String()
    active = fields.Boolean(data_key="isActive")
    interchangeable = fields.Boolean(data_key="isExchangeable")
    enabled_for_all_models = fields.Boolean(data_key="enabledForAllModels")

    @post_load
    def make(self, data, **kwargs) -> dict:
        if "phrases" in data:
            data["phrases"] = _phrases(data["phrases"])
        return data


class PhraseListInfo(LuisSchema):
    """PhraseListFeatureInfo."""
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    phrases = derived(fields.String(required=True), lambda phraselist: ",".join(phraselist.phrases))
    isActive = fields.Boolean(required=True, attribute="active")
    isExchangeable = fields.Boolean(required=True, attribute="interchangeable")
    enabledForAllModels = fields.Boolean(required=True, attribute="enabled_for_all_models")


class FeaturesResponse(LuisSchema):
    """v2.0's features envelope: the phrase lists (and no pattern features)."""
    phraselistFeatures = fields.List(fields.Nested(PhraseListInfo), required=True)
    patternFeatures = fields.List(fields.Dict(), required=True, dump_default=list)
