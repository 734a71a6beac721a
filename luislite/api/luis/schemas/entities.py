"""Entities of every kind, their roles and their parts (children, sublists, explicit lists).

Update schemas leave out what the body leaves out: the loaded keys are the fields to change."""
from marshmallow import fields, missing, post_dump, post_load, validate

from luislite.api.luis.schemas.common import NAME, LuisSchema, ModelInfo, derived
from luislite.domain.appversion import (Child, CompositeEntity, Entity, ExplicitItem, ListEntity, MLEntity,
                                        PatternAnyEntity, RegexEntity, SubList)


class ChildCreate(LuisSchema):
    """ChildEntityModelCreateObject: a child of an ML entity, with its own children."""
    name = NAME
    instance_of = fields.String(data_key="instanceOf", allow_none=True, load_default=None)
    children = fields.List(fields.Nested(lambda: ChildCreate()), load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> Child:
        return Child(data["name"], instance_of=data["instance_of"] or None, children=data["children"] or [])


class EntityCreate(LuisSchema):
    """EntityModelCreateObject (v2: name only)."""
    name = NAME
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
    name = NAME
    sublists = fields.List(fields.Nested(WordList), data_key="subLists", load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> ListEntity:
        return ListEntity(data["name"], sublists=data["sublists"] or [])


class ClosedListUpdate(LuisSchema):
    """ClosedListModelUpdateObject (PUT replaces name and sublists) or ClosedListModelPatchObject (PATCH appends)."""
    name = fields.String()
    sublists = fields.List(fields.Nested(WordList), data_key="subLists")


class RegexCreate(LuisSchema):
    name = NAME
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
    name = NAME
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
    name = NAME
    children = fields.List(fields.String(), load_default=list, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> CompositeEntity:
        return CompositeEntity(data["name"], children=list(data["children"] or []))


class CompositeUpdate(LuisSchema):
    name = fields.String()
    children = fields.List(fields.String())


class ExplicitListItem(LuisSchema):
    explicitListItem = fields.String(required=True, validate=validate.Length(min=1, max=500))


class EntityRole(LuisSchema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


def _of_ml_child(value):
    """`value` for a child of an ML entity; a composite's children (`{"id", "name"}`) have no more fields."""
    return lambda child: value if isinstance(child, Child) else missing


class ChildEntity(LuisSchema):
    """A child of an ML entity (every field), or of a composite (`id` and `name`)."""
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    instanceOf = fields.String(allow_none=True, attribute="instance_of")
    typeId = derived(fields.Integer(), _of_ml_child(6))
    readableType = derived(fields.String(), _of_ml_child("Child Entity Extractor"))
    children = fields.List(fields.Nested(lambda: ChildEntity()))


class SubListInfo(LuisSchema):
    id = fields.Integer(required=True)
    canonicalForm = fields.String(required=True)
    list = fields.List(fields.String(), required=True)


class ExplicitListItemInfo(LuisSchema):
    id = fields.Integer(required=True)
    explicitListItem = fields.String(required=True, attribute="text")


def _children(entity: Entity):
    """An ML entity's children; a composite's, which are stored by name, as `{"id", "name"}`."""
    if isinstance(entity, MLEntity):
        return entity.children
    if isinstance(entity, CompositeEntity):
        return [{"id": entity.child_id(name), "name": name} for name in entity.children]
    return missing


class EntityExtractor(ModelInfo):
    """An entity of any kind; the fields after `roles` belong to some kinds only.

    `subLists`, `regexPattern` and `explicitList` (and whatever an imported document added) are the entity's own
    LUIS JSON (`Entity.to_json`), appended by `kind_fields`.
    """
    roles = fields.List(fields.Nested(EntityRole), required=True)
    children = derived(fields.List(fields.Nested(ChildEntity), metadata={"description": "ML and composite entities."}),
                       _children)
    subLists = fields.List(fields.Nested(SubListInfo), metadata={"description": "List entities."})
    regexPattern = fields.String(metadata={"description": "Regex entities."})
    explicitList = fields.List(fields.Nested(ExplicitListItemInfo), metadata={"description": "Pattern.any entities."})

    @post_dump(pass_original=True)
    def kind_fields(self, doc: dict, entity: Entity, **kwargs) -> dict:
        return doc | {k: v for k, v in entity.to_json(ids=True).items() if k not in doc and k != "features"}


class PrebuiltDomainEntity(LuisSchema):
    """An entry of the prebuilt entity catalogue (`/listprebuilts`)."""
    name = fields.String(required=True)
    description = fields.String(required=True)
    examples = fields.String(required=True)


class LabelTextObject(LuisSchema):
    """An example labeled with a model."""
    id = fields.Integer(required=True)
    text = fields.String(required=True)
