"""Versions: rename, clone, settings, import and export (the LUIS app document)."""
from marshmallow import fields, validate

from luislite.api.luis.schemas.apps import endpoint_url
from luislite.api.luis.schemas.common import LuisSchema, Time, derived
from luislite.domain.appversion import ENTITY_KINDS
from luislite.services import authoring

ENTITY_SECTIONS = tuple(cls.kind.section for cls in ENTITY_KINDS)


class VersionUpdate(LuisSchema):
    version = fields.String(required=True, validate=validate.Length(min=1, max=50))


class VersionSetting(LuisSchema):
    name = fields.String(required=True)
    value = fields.String(required=True)


class VersionImportQuery(LuisSchema):
    versionId = fields.String(metadata={"description": "The new version's id, instead of the document's."})
    format = fields.String(validate=validate.OneOf(["json", "lu"]))


class ExportQuery(LuisSchema):
    format = fields.String(validate=validate.OneOf(["json", "lu"]), metadata={"description": "`lu`: .lu text."})


class VersionInfo(LuisSchema):
    """A stored Version; its counts are of its definition's intents and entities."""
    version = fields.String(required=True, attribute="version_id")
    createdDateTime = Time(required=True, allow_none=True, attribute="created")
    lastModifiedDateTime = Time(required=True, allow_none=True, attribute="modified")
    lastTrainedDateTime = Time(required=True, allow_none=True, attribute="trained_at")
    lastPublishedDateTime = Time(required=True, allow_none=True, attribute="published_at")
    endpointUrl = derived(fields.String(required=True, allow_none=True),
                          lambda version: endpoint_url(version.app_id) if version.published_at else None)
    assignedEndpointKey = fields.String(required=True, allow_none=True, dump_default=None)
    externalApiKeys = fields.Dict(required=True, allow_none=True, dump_default=None)
    intentsCount = derived(fields.Integer(required=True), lambda version: len(version.definition.get("intents") or []))
    entitiesCount = derived(fields.Integer(required=True), lambda version: sum(
        len(version.definition.get(section) or []) for section in ENTITY_SECTIONS))
    endpointHitsCount = fields.Integer(required=True, dump_default=0)
    trainingStatus = derived(fields.String(required=True, validate=validate.OneOf(["NeedsTraining", "InProgress",
                                                                                  "Trained"])),
                             authoring.training_status)


class LuisLabel(LuisSchema):
    entity = fields.String(required=True)
    startPos = fields.Integer(required=True, metadata={"description": "Inclusive."})
    endPos = fields.Integer(required=True, metadata={"description": "Inclusive."})
    role = fields.String()
    children = fields.List(fields.Nested(lambda: LuisLabel()))


class LuisUtterance(LuisSchema):
    text = fields.String(required=True)
    intent = fields.String(required=True)
    entities = fields.List(fields.Nested(LuisLabel), required=True)


class LuisApp(LuisSchema):
    """A LUIS app (export format 7.0.0; import reads schema versions 2.x to 7.0.0)."""
    luis_schema_version = fields.String()
    versionId = fields.String()
    name = fields.String()
    desc = fields.String(allow_none=True)
    culture = fields.String()
    tokenizerVersion = fields.String()
    intents = fields.List(fields.Dict())
    entities = fields.List(fields.Dict())
    hierarchicals = fields.List(fields.Dict())
    composites = fields.List(fields.Dict())
    closedLists = fields.List(fields.Dict())
    prebuiltEntities = fields.List(fields.Dict())
    patternAnyEntities = fields.List(fields.Dict())
    regex_entities = fields.List(fields.Dict())
    phraselists = fields.List(fields.Dict())
    regex_features = fields.List(fields.Dict())
    patterns = fields.List(fields.Dict())
    utterances = fields.List(fields.Nested(LuisUtterance))
    settings = fields.List(fields.Nested(VersionSetting))
