"""Marshmallow schemas for request bodies, and the LUIS JSON shapes of responses, in one place."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from luislite.appversion import (Child, CompositeEntity, Entity, ExplicitItem, Feature, Intent, Label, ListEntity,
                                 MLEntity, Pattern, PatternAnyEntity, PhraseList, RegexEntity, SubList, Utterance)
from luislite.tokens import snap_label, token_span, tokenize

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
                       ("entities", "closedLists", "composites", "prebuiltEntities", "patternAnyEntities", "regex_entities"))
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
