"""Marshmallow schemas for request bodies, and the LUIS JSON shapes of responses, in one place."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from luislite.domain.appversion import (Child, CompositeEntity, Entity, ExplicitItem, Feature, Intent, Label,
                                 ListEntity, MLEntity, Pattern, PatternAnyEntity, PhraseList, RegexEntity, SubList,
                                 Utterance)
from luislite.domain.tokens import snap_label, token_span, tokenize

_name = fields.String(required=True, validate=validate.Length(min=1, max=500))


class LuisSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # LUIS ignores fields it does not know, and the SDK sends extras


# --- requests ---------------------------------------------------------------------------------

class AppCreate(LuisSchema):
    name = _name
    culture = fields.String(required=True, validate=validate.Length(min=2, max=20))
    description = fields.String(load_default="", allow_none=True)
    domain = fields.String(load_default="", allow_none=True)
    usageScenario = fields.String(load_default="", allow_none=True)
    initialVersionId = fields.String(load_default="0.1", allow_none=True)


class AppUpdate(LuisSchema):
    name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


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


class VersionUpdate(LuisSchema):
    version = fields.String(required=True, validate=validate.Length(min=1, max=50))


class ModelName(LuisSchema):
    name = _name


class VersionSetting(LuisSchema):
    name = fields.String(required=True)
    value = fields.String(required=True)


class EntityLabel(LuisSchema):
    entityName = fields.String(required=True)
    startCharIndex = fields.Integer(required=True, strict=True)
    endCharIndex = fields.Integer(required=True, strict=True)
    role = fields.String(allow_none=True, load_default=None)
    children = fields.List(fields.Nested(lambda: EntityLabel()), load_default=list, allow_none=True)


class ExampleLabel(LuisSchema):
    text = fields.String(required=True)
    intentName = fields.String(required=True)
    entityLabels = fields.List(fields.Nested(EntityLabel), load_default=list, allow_none=True)


def to_utterance(body: dict) -> Utterance:
    """An ExampleLabelObject as an Utterance, its labels snapped to whole tokens as LUIS does."""
    text = body["text"]
    tokens = tokenize(text)

    def label(doc: dict) -> Label:
        in_range = 0 <= doc["startCharIndex"] <= doc["endCharIndex"] <= len(text)  # end == len: exclusive end
        span = snap_label(tokens, doc["startCharIndex"], doc["endCharIndex"]) if in_range else None
        start, end = (tokens[span[0]].start, tokens[span[1]].end) if span else (doc["startCharIndex"], -1)
        return Label(doc["entityName"], start, end, doc.get("role"), [label(c) for c in doc.get("children") or []])

    return Utterance(text, body["intentName"], [label(d) for d in body.get("entityLabels") or []])


# --- responses --------------------------------------------------------------------------------

def iso(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


OPERATION_SUCCESS = {"code": "Success", "message": "Operation Successful"}


def intent_json(intent: Intent) -> dict:
    return {"id": intent.id, "name": intent.name, "typeId": 0, "readableType": "Intent Classifier"}


def child_json(child: Child) -> dict:
    return {"id": child.id, "name": child.name, "instanceOf": child.instance_of, "typeId": 6,
            "readableType": "Child Entity Extractor", "children": [child_json(c) for c in child.children]}


def entity_json(entity: Entity) -> dict:
    """An entity of any kind as LUIS's authoring API shows it."""
    doc = {"id": entity.id, "name": entity.name, "typeId": entity.type_id, "readableType": entity.readable_type,
           "roles": [{"id": r.id, "name": r.name} for r in entity.roles]}
    if isinstance(entity, MLEntity):
        doc["children"] = [child_json(c) for c in entity.children]
    if isinstance(entity, CompositeEntity):
        doc["children"] = [{"id": entity.child_id(name), "name": name} for name in entity.children]
    return doc | {k: v for k, v in entity.to_json(ids=True).items() if k not in doc and k not in ("features",)}


def labeled_utterance_json(example_id: int, utterance: Utterance) -> dict:
    """A LabeledUtterance of the examples listing: token indices, inclusive end."""
    tokens = tokenize(utterance.text)

    def label(lab: Label) -> dict:
        first, last = token_span(tokens, lab.start, lab.end) or (0, 0)
        return {"entityName": lab.entity, "startTokenIndex": first, "endTokenIndex": last, "role": lab.role,
                "roleId": None, "children": [label(c) for c in lab.children]}

    return {"id": example_id, "text": utterance.text, "tokenizedText": [t.text for t in tokens],
            "intentLabel": utterance.intent, "entityLabels": [label(lab) for lab in utterance.labels],
            "intentPredictions": [], "entityPredictions": []}


def endpoint_info(publication, base_url: str) -> dict:
    """ProductionOrStagingEndpointInfo: what publishing answers, and what an app lists per slot."""
    return {"versionId": publication.version_id, "isStaging": publication.slot == "staging",
            "endpointUrl": f"{base_url}/luis/v2.0/apps/{publication.app_id}", "region": "local",
            "assignedEndpointKey": None, "endpointRegion": "local", "failedRegions": None,
            "publishedDateTime": iso(publication.published_at)}


def app_json(app, base_url: str) -> dict:
    return {"id": app.id, "name": app.name, "description": app.description, "culture": app.culture,
            "usageScenario": app.usage_scenario, "domain": app.domain, "versionsCount": len(app.versions),
            "createdDateTime": iso(app.created),
            "endpoints": {p.slot.upper(): endpoint_info(p, base_url) for p in app.publications},
            "endpointHitsCount": app.endpoint_hits, "activeVersion": app.active_version}


def version_json(version, training_status: str, base_url: str) -> dict:
    definition = version.definition
    entity_count = sum(len(definition.get(k) or []) for k in
                       ("entities", "closedLists", "composites", "prebuiltEntities", "patternAnyEntities",
                        "regex_entities"))
    return {"version": version.version_id, "createdDateTime": iso(version.created),
            "lastModifiedDateTime": iso(version.modified), "lastTrainedDateTime": iso(version.trained_at),
            "lastPublishedDateTime": iso(version.published_at),
            "endpointUrl": f"{base_url}/luis/v2.0/apps/{version.app_id}" if version.published_at else None,
            "assignedEndpointKey": None, "externalApiKeys": None, "intentsCount": len(definition.get("intents") or []),
            "entitiesCount": entity_count, "endpointHitsCount": 0, "trainingStatus": training_status}


# --- entities of every kind, roles, features, phrase lists, patterns (requests and responses) ----
# Update schemas leave out what the body leaves out: the loaded keys are the fields to change.

class ChildCreate(LuisSchema):
    """ChildEntityModelCreateObject: a child of an ML entity, with its own children."""
    name = _name
    instance_of = fields.String(data_key="instanceOf", allow_none=True, load_default=None)
    children = fields.List(fields.Nested(lambda: ChildCreate()), load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> Child:
        return Child(data["name"], instance_of=data["instance_of"] or None, children=data["children"] or [])


class EntityCreate(LuisSchema):
    """EntityModelCreateObject (v2: name only)."""
    name = _name
    children = fields.List(fields.Nested(ChildCreate), load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> MLEntity:
        return MLEntity(data["name"], children=data["children"] or [])


class EntityUpdate(LuisSchema):
    """EntityModelUpdateObject: rename an ML entity or child, or set a child's instanceOf (null clears it)."""
    name = fields.String()
    instance_of = fields.String(data_key="instanceOf", allow_none=True)


class WordList(LuisSchema):
    canonical_form = fields.String(data_key="canonicalForm", required=True)
    synonyms = fields.List(fields.String(), data_key="list", load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> SubList:
        return SubList(data["canonical_form"], list(data["synonyms"] or []))


class ClosedListCreate(LuisSchema):
    name = _name
    sublists = fields.List(fields.Nested(WordList), data_key="subLists", load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> ListEntity:
        return ListEntity(data["name"], sublists=data["sublists"] or [])


class ClosedListUpdate(LuisSchema):
    """ClosedListModelUpdateObject (PUT replaces name and sublists) or ClosedListModelPatchObject (PATCH appends)."""
    name = fields.String()
    sublists = fields.List(fields.Nested(WordList), data_key="subLists")


class RegexCreate(LuisSchema):
    name = _name
    regex_pattern = fields.String(data_key="regexPattern", required=True)

    @post_load
    def make(self, data, **kwargs) -> RegexEntity:
        return RegexEntity(data["name"], regex_pattern=data["regex_pattern"])


class RegexUpdate(LuisSchema):
    name = fields.String()
    regex_pattern = fields.String(data_key="regexPattern")


def _explicit_items(texts) -> list[ExplicitItem]:
    return [ExplicitItem(text) for text in texts or []]


class PatternAnyCreate(LuisSchema):
    name = _name
    explicit_list = fields.List(fields.String(), data_key="explicitList", load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> PatternAnyEntity:
        return PatternAnyEntity(data["name"], explicit_list=_explicit_items(data["explicit_list"]))


class PatternAnyUpdate(LuisSchema):
    name = fields.String()
    explicit_list = fields.List(fields.String(), data_key="explicitList")

    @post_load
    def make(self, data, **kwargs) -> dict:
        if "explicit_list" in data:
            data["explicit_list"] = _explicit_items(data["explicit_list"])
        return data


class CompositeCreate(LuisSchema):
    """CompositeEntityModel (v2 create, and PUT): children are names of existing entities."""
    name = _name
    children = fields.List(fields.String(), load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> CompositeEntity:
        return CompositeEntity(data["name"], children=list(data["children"] or []))


class CompositeUpdate(LuisSchema):
    name = fields.String()
    children = fields.List(fields.String())


class ExplicitListItem(LuisSchema):
    explicitListItem = fields.String(required=True, validate=validate.Length(min=1, max=500))


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
    name = _name
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


class PatternRule(LuisSchema):
    """PatternRuleCreateObject, or PatternRuleUpdateObject when it carries an id."""
    id = fields.String(load_default=None, allow_none=True)
    pattern = fields.String(required=True)
    intent = fields.String(required=True)

    @post_load
    def make(self, data, **kwargs) -> Pattern:
        return Pattern(data["pattern"], data["intent"], data["id"] or "")


STRING_LIST = fields.List(fields.String(validate=validate.Length(min=1, max=500)), required=True)


def role_json(role) -> dict:
    return {"id": role.id, "name": role.name}


def phraselist_json(phraselist: PhraseList) -> dict:
    return {"id": phraselist.id, "name": phraselist.name, "phrases": ",".join(phraselist.phrases),
            "isActive": phraselist.active, "isExchangeable": phraselist.interchangeable,
            "enabledForAllModels": phraselist.enabled_for_all_models}


def explicit_item_json(item: ExplicitItem) -> dict:
    return {"id": item.id, "explicitListItem": item.text}


# --- query parameters (documented in the OpenAPI description) --------------------------------

class PagingQuery(LuisSchema):
    skip = fields.Integer(validate=validate.Range(0, 2 ** 31 - 1), metadata={"description": "Entries to skip."})
    take = fields.Integer(validate=validate.Range(0, 500), metadata={"description": "Entries to return (100)."})


class AppDeleteQuery(LuisSchema):
    force = fields.Boolean(metadata={"description": "Accepted and ignored: luislite has no Azure resources."})


class AppImportQuery(LuisSchema):
    appName = fields.String(metadata={"description": "The new app's name, instead of the document's."})
    format = fields.String(validate=validate.OneOf(["json", "lu"]))


class VersionImportQuery(LuisSchema):
    versionId = fields.String(metadata={"description": "The new version's id, instead of the document's."})
    format = fields.String(validate=validate.OneOf(["json", "lu"]))


class ExportQuery(LuisSchema):
    format = fields.String(validate=validate.OneOf(["json", "lu"]), metadata={"description": "`lu`: .lu text."})


class IntentDeleteQuery(LuisSchema):
    deleteUtterances = fields.Boolean(metadata={"description": "Delete the intent's examples (else they move "
                                                                "to None)."})


class ReviewQuery(PagingQuery):
    threshold = fields.Float(validate=validate.Range(0, 1), metadata={"description": "Top scores below it (0.5)."})
    margin = fields.Float(validate=validate.Range(0, 1), metadata={"description": "Top-two gaps below it (0.1)."})


class BatchTestReportQuery(LuisSchema):
    format = fields.String(validate=validate.OneOf(["json", "text", "html"]))


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


# --- request bodies documented only (the views read them directly) -----------------------------

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


# --- response shapes (documented in the OpenAPI description; built by the *_json functions) ------

class OperationStatus(LuisSchema):
    code = fields.String(required=True, validate=validate.OneOf(["Success", "Failed"]))
    message = fields.String(required=True)


class ErrorBody(LuisSchema):
    code = fields.String(required=True, metadata={"description": "BadArgument, NotFound, 401, 414..."})
    message = fields.String(required=True)


class ErrorResponse(LuisSchema):
    error = fields.Nested(ErrorBody, required=True)


class EndpointInfo(LuisSchema):
    """ProductionOrStagingEndpointInfo."""
    versionId = fields.String(required=True)
    isStaging = fields.Boolean(required=True)
    endpointUrl = fields.String(required=True)
    region = fields.String(required=True)
    assignedEndpointKey = fields.String(required=True, allow_none=True)
    endpointRegion = fields.String(required=True)
    failedRegions = fields.String(required=True, allow_none=True)
    publishedDateTime = fields.DateTime(required=True)


class ApplicationInfo(LuisSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    culture = fields.String(required=True)
    usageScenario = fields.String(required=True, allow_none=True)
    domain = fields.String(required=True, allow_none=True)
    versionsCount = fields.Integer(required=True)
    createdDateTime = fields.DateTime(required=True)
    endpoints = fields.Dict(fields.String(), fields.Nested(EndpointInfo), required=True)
    endpointHitsCount = fields.Integer(required=True)
    activeVersion = fields.String(required=True, allow_none=True)


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


class VersionInfo(LuisSchema):
    version = fields.String(required=True)
    createdDateTime = fields.DateTime(required=True, allow_none=True)
    lastModifiedDateTime = fields.DateTime(required=True, allow_none=True)
    lastTrainedDateTime = fields.DateTime(required=True, allow_none=True)
    lastPublishedDateTime = fields.DateTime(required=True, allow_none=True)
    endpointUrl = fields.String(required=True, allow_none=True)
    assignedEndpointKey = fields.String(required=True, allow_none=True)
    externalApiKeys = fields.Dict(required=True, allow_none=True)
    intentsCount = fields.Integer(required=True)
    entitiesCount = fields.Integer(required=True)
    endpointHitsCount = fields.Integer(required=True)
    trainingStatus = fields.String(required=True, validate=validate.OneOf(["NeedsTraining", "InProgress", "Trained"]))


class ModelInfo(LuisSchema):
    """An intent or entity of any kind, as listed by `/models`."""
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    typeId = fields.Integer(required=True)
    readableType = fields.String(required=True)


class EntityRole(LuisSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class ChildEntity(LuisSchema):
    """A child of an ML entity (every field), or of a composite (`id` and `name`)."""
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    instanceOf = fields.String(allow_none=True)
    typeId = fields.Integer()
    readableType = fields.String()
    children = fields.List(fields.Nested(lambda: ChildEntity()))


class SubListInfo(LuisSchema):
    id = fields.Integer(required=True)
    canonicalForm = fields.String(required=True)
    list = fields.List(fields.String(), required=True)


class ExplicitListItemInfo(LuisSchema):
    id = fields.Integer(required=True)
    explicitListItem = fields.String(required=True)


class EntityExtractor(ModelInfo):
    """An entity of any kind; the fields after `roles` belong to some kinds only."""
    roles = fields.List(fields.Nested(EntityRole), required=True)
    children = fields.List(fields.Nested(ChildEntity), metadata={"description": "ML and composite entities."})
    subLists = fields.List(fields.Nested(SubListInfo), metadata={"description": "List entities."})
    regexPattern = fields.String(metadata={"description": "Regex entities."})
    explicitList = fields.List(fields.Nested(ExplicitListItemInfo), metadata={"description": "Pattern.any entities."})


class PrebuiltDomainEntity(LuisSchema):
    """An entry of the prebuilt entity catalogue (`/listprebuilts`)."""
    name = fields.String(required=True)
    description = fields.String(required=True)
    examples = fields.String(required=True)


class EntityLabelInfo(LuisSchema):
    entityName = fields.String(required=True)
    startTokenIndex = fields.Integer(required=True)
    endTokenIndex = fields.Integer(required=True)
    role = fields.String(required=True, allow_none=True)
    roleId = fields.String(required=True, allow_none=True)
    children = fields.List(fields.Nested(lambda: EntityLabelInfo()), required=True)


class LabeledUtterance(LuisSchema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    tokenizedText = fields.List(fields.String(), required=True)
    intentLabel = fields.String(required=True)
    entityLabels = fields.List(fields.Nested(EntityLabelInfo), required=True)
    intentPredictions = fields.List(fields.Dict(), required=True)
    entityPredictions = fields.List(fields.Dict(), required=True)


class LabelExampleResponse(LuisSchema):
    UtteranceText = fields.String(required=True)
    ExampleId = fields.Integer(required=True)


class BatchLabelExample(LuisSchema):
    value = fields.Nested(LabelExampleResponse)
    hasError = fields.Boolean(required=True)
    error = fields.Nested(ErrorBody)


class LabelTextObject(LuisSchema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)


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


class PhraseListInfo(LuisSchema):
    """PhraseListFeatureInfo."""
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    phrases = fields.String(required=True)
    isActive = fields.Boolean(required=True)
    isExchangeable = fields.Boolean(required=True)
    enabledForAllModels = fields.Boolean(required=True)


class FeaturesResponse(LuisSchema):
    phraselistFeatures = fields.List(fields.Nested(PhraseListInfo), required=True)
    patternFeatures = fields.List(fields.Dict(), required=True)


class PatternRuleInfo(LuisSchema):
    id = fields.UUID(required=True)
    pattern = fields.String(required=True)
    intent = fields.String(required=True)


class ReviewUtterance(LuisSchema):
    """A logged endpoint query whose prediction was unsure."""
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    predictedIntent = fields.String(required=True)
    score = fields.Float(required=True)
    secondScore = fields.Float(required=True, allow_none=True)
    entities = fields.Raw(required=True)
    slot = fields.String(required=True, allow_none=True)
    loggedDateTime = fields.DateTime(required=True)


class BatchTestQueued(LuisSchema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


class BatchTestInfo(BatchTestQueued):
    versionId = fields.String(required=True, allow_none=True)
    slot = fields.String(required=True, allow_none=True)
    utterancesCount = fields.Integer(required=True)
    createdDateTime = fields.DateTime(required=True)
    startedDateTime = fields.DateTime(required=True, allow_none=True)
    finishedDateTime = fields.DateTime(required=True, allow_none=True)
    progress = fields.Dict(required=True, allow_none=True)
    failureReason = fields.String()
    report = fields.Dict()


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


class Liveness(LuisSchema):
    status = fields.String(required=True)


class ServiceInfo(LuisSchema):
    service = fields.String(required=True)
    version = fields.String(required=True)
    description = fields.String(required=True)
    authoring = fields.List(fields.String(), required=True)
    prediction = fields.Dict(fields.String(), fields.List(fields.String()), required=True)
    keys = fields.String(required=True)
    openapi = fields.String(required=True)
    health = fields.String(required=True)
    ready = fields.String(required=True)
    docs = fields.String(required=True)


class Readiness(LuisSchema):
    status = fields.String(required=True, validate=validate.OneOf(["ready", "unavailable"]))
    checks = fields.Dict(fields.String(), fields.String(), required=True)
