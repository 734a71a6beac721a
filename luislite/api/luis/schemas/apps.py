"""Apps: create, update, settings, publish settings, publishing and its endpoint info."""
from marshmallow import fields, validate

from luislite.api.luis.schemas.common import NAME, LuisSchema, Time, derived
from luislite.api.responses import base_url


class AppCreate(LuisSchema):
    name = NAME
    culture = fields.String(required=True, validate=validate.Length(min=2, max=20))
    description = fields.String(load_default="", allow_none=True)
    domain = fields.String(load_default="", allow_none=True)
    usageScenario = fields.String(load_default="", allow_none=True)
    initialVersionId = fields.String(load_default="0.1", allow_none=True)


class AppUpdate(LuisSchema):
    name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class AppDeleteQuery(LuisSchema):
    force = fields.Boolean(metadata={"description": "Accepted and ignored: luislite has no Azure resources."})


class AppImportQuery(LuisSchema):
    appName = fields.String(metadata={"description": "The new app's name, instead of the document's."})
    format = fields.String(validate=validate.OneOf(["json", "lu"]))


class AppSettings(LuisSchema):
    public = fields.Boolean(load_default=False)


class PublishSettings(LuisSchema):
    sentimentAnalysis = fields.Boolean()
    speech = fields.Boolean()
    spellChecker = fields.Boolean()


class Publish(LuisSchema):
    versionId = fields.String(required=True)
    isStaging = fields.Boolean(load_default=False)
    directVersionPublish = fields.Boolean(load_default=False)


def endpoint_url(app_id: str) -> str:
    """The v2.0 prediction URL of an app, as LUIS lists it."""
    return f"{base_url()}/luis/v2.0/apps/{app_id}"


class EndpointInfo(LuisSchema):
    """ProductionOrStagingEndpointInfo: what publishing answers, and what an app lists per slot (a Publication)."""
    versionId = fields.String(required=True, attribute="version_id")
    isStaging = derived(fields.Boolean(required=True), lambda publication: publication.slot == "staging")
    endpointUrl = derived(fields.String(required=True), lambda publication: endpoint_url(publication.app_id))
    region = fields.String(required=True, dump_default="local")
    assignedEndpointKey = fields.String(required=True, allow_none=True, dump_default=None)
    endpointRegion = fields.String(required=True, dump_default="local")
    failedRegions = fields.String(required=True, allow_none=True, dump_default=None)
    publishedDateTime = Time(required=True, attribute="published_at")


class ApplicationInfo(LuisSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    culture = fields.String(required=True)
    usageScenario = fields.String(required=True, allow_none=True, attribute="usage_scenario")
    domain = fields.String(required=True, allow_none=True)
    versionsCount = derived(fields.Integer(required=True), lambda app: len(app.versions))
    createdDateTime = Time(required=True, attribute="created")
    endpoints = derived(fields.Dict(fields.String(), fields.Nested(EndpointInfo), required=True),
                        lambda app: {publication.slot.upper(): publication for publication in app.publications})
    endpointHitsCount = fields.Integer(required=True, attribute="endpoint_hits")
    activeVersion = fields.String(required=True, allow_none=True, attribute="active_version")


class PersonalAssistants(LuisSchema):
    """Cortana's prebuilt apps and the user's endpoint keys (`/apps/assistants`): luislite has no Cortana apps and
    never shows a key."""
    endpointKeys = fields.List(fields.String(), required=True)
    endpointUrls = fields.Dict(fields.String(), fields.String(), required=True)


class AppSettingsInfo(LuisSchema):
    id = fields.UUID(required=True)
    public = fields.Boolean(required=True)


class PublishSettingsInfo(LuisSchema):
    id = fields.UUID(required=True)
    sentimentAnalysis = fields.Boolean(required=True)
    speech = fields.Boolean(required=True)
    spellChecker = fields.Boolean(required=True)


class AvailableCulture(LuisSchema):
    name = fields.String(required=True)
    code = fields.String(required=True)
