"""Entities of every kind, roles, model features, phrase lists and patterns of a stored version, in LUIS terms.

Each edit loads the version's AppVersion, changes it, validates it and saves it (`editing`). Renaming or
deleting a model also updates what names it: example labels, composites, children's instanceOf, model
features and patterns. Callers commit: one request, one transaction.
"""
import re
from contextlib import contextmanager
from dataclasses import replace

from luislite.services import authoring
from luislite.domain.appversion import (LIMITS, PREBUILT_NAMES, AppVersion, Child, CompositeEntity, Entity,
                                        Feature, Intent, MLEntity, Pattern, PatternAnyEntity,
                                        PhraseList, PrebuiltEntity, Role, check_limit, check_name, new_id)
from luislite.db import Version
from luislite.domain import cultures
from luislite.errors import AppVersionError, Conflict, NotFound

_PREBUILTS = {name.lower(): name for name in PREBUILT_NAMES}

PREBUILT_CATALOGUE = {  # name: (description, examples), as LUIS's listprebuilts shows them for en-us
    "age": ("Age of a person or thing", "10-month-old, 19 years old, 58 year-old"),
    "datetimeV2": ("Dates and times, resolved to a canonical form", "June 23, 1976, 7 AM, 6:49 PM, tomorrow at 7 AM"),
    "dimension": ("Spatial dimensions, including length, distance, area and volume", "2 miles, 650 square kilometres"),
    "email": ("Email addresses", "user@example.com"),
    "geographyV2": ("Places: countries, cities, states, points of interest", "Paris, Mount Everest, Ohio"),
    "keyPhrase": ("Key phrases of the utterance", "the weather in seattle"),
    "money": ("Monetary amounts and their currency", "$10, 7.50 euros, 10 dollars"),
    "number": ("Cardinal numbers in digits or words", "3, third, 3.5, ten"),
    "ordinal": ("Ordinal numbers", "first, second, 3rd"),
    "ordinalV2": ("Ordinal numbers, with relative positions", "first, next, last but one"),
    "percentage": ("Percentages", "10%, 5.6 percent"),
    "personName": ("Names of people", "John Doe, Anna"),
    "phonenumber": ("Phone numbers", "1 (800) 642-7676, 555-1234"),
    "temperature": ("Temperatures", "10 degrees celsius, 50 F"),
    "url": ("Web addresses", "www.example.com, https://example.com/a"),
}


@contextmanager
def editing(version: Version):
    """The version's definition, saved when the block ends without an error."""
    definition = authoring.load(version)
    yield definition
    authoring.save(version, definition)


# --- entities ---------------------------------------------------------------------------------

def entities_of(definition: AppVersion, cls) -> list[Entity]:
    """The entities of class `cls`; none for () (hierarchical entities: never stored, imported as ML)."""
    return [e for e in definition.entities if isinstance(e, cls)]


def add_entity(version: Version, entity: Entity) -> Entity:
    with editing(version) as definition:
        _add(definition, entity)
    return entity


def add_prebuilts(version: Version, names: list[str]) -> list[PrebuiltEntity]:
    """One prebuilt entity per name, in order; an unknown or already present name, or one the app's culture
    lacks, fails them all."""
    with editing(version) as definition:
        entities = [PrebuiltEntity(_prebuilt_name(name, definition.culture)) for name in names]
        for entity in entities:
            _add(definition, entity)
    return entities


def add_child(version: Version, parent_id: str, child: Child) -> Child:
    """A child under an ML entity or under one of its children."""
    with editing(version) as definition:
        path, _, parent = _locate(definition, parent_id, MLEntity)
        parent.children.append(child)
        child.name = _free_name(parent.children, child.name, child)
        _check(definition, _root(definition, path, parent))
    return child


def update_entity(version: Version, entity_id: str, cls, name: str | None = None, **changes) -> None:
    """Rename an entity (or ML child) and replace the kind's fields given (sublists, regex_pattern, children...)."""
    with editing(version) as definition:
        path, siblings, entity = _locate(definition, entity_id, cls)
        for field, value in changes.items():
            if not hasattr(entity, field):
                if value is not None:
                    raise AppVersionError(f"Only child entities have an instanceOf, not '{entity.name}'.")
                continue
            setattr(entity, field, value)
        if name is not None:
            _rename(version, definition, path, siblings, entity, name)
        _check(definition, _root(definition, path, entity))


def delete_entity(version: Version, entity_id: str, cls) -> None:
    """Delete an entity (or ML child) and its labels; composites, instanceOf and features forget it."""
    with editing(version) as definition:
        path, siblings, entity = _locate(definition, entity_id, cls)
        siblings.remove(entity)
        if not path:
            _retarget(definition, entity.name, None)
        authoring.relabel_examples(version, _under(path, authoring.drop_label(entity.name)))


def _add(definition: AppVersion, entity: Entity) -> None:
    definition.entities.append(entity)
    entity.name = _free_name(definition.entities, entity.name, entity)
    _check(definition, entity)


def _prebuilt_name(name, culture: str) -> str:
    if not isinstance(name, str) or name.lower() not in _PREBUILTS:
        raise AppVersionError(f"The prebuilt entity '{name}' does not exist.")
    if _PREBUILTS[name.lower()] not in cultures.of(culture).prebuilts:
        raise AppVersionError(f"The prebuilt entity '{name}' is not supported in the culture '{culture}'.")
    return _PREBUILTS[name.lower()]


def prebuilt_catalogue(culture: str) -> dict[str, tuple[str, str]]:
    """The prebuilts an app of `culture` may add: name -> (description, examples)."""
    return {name: entry for name, entry in PREBUILT_CATALOGUE.items() if name in cultures.of(culture).prebuilts}


def _free_name(siblings: list, name, entity) -> str:
    """`name`, valid and used by nothing else among `siblings` (all entities, or a parent's children)."""
    name = check_name(name, "entity")
    if any(other is not entity and other.name.lower() == name.lower() for other in siblings):
        raise Conflict(f"An entity with the name '{name}' already exists.")
    if isinstance(entity, Entity) and not isinstance(entity, PrebuiltEntity) and name.lower() in _PREBUILTS:
        raise AppVersionError(f"The name '{name}' is reserved for the prebuilt entity '{_PREBUILTS[name.lower()]}'.")
    return name


def _rename(version: Version, definition: AppVersion, path: list[str], siblings: list, entity, name) -> None:
    if check_name(name, "entity") == entity.name:
        return
    old, entity.name = entity.name, _free_name(siblings, name, entity)
    if not path:
        _retarget(definition, old, entity.name)
    authoring.relabel_examples(version, _under(path, authoring.rename_label(old, entity.name)))


def _check(definition: AppVersion, entity: Entity) -> None:
    """Number new items, spell referenced entities as defined, and validate `entity` and the app's totals."""
    if entity.kind.items:
        _number(getattr(entity, entity.kind.items))
    if isinstance(entity, CompositeEntity):
        entity.children = _composite_children(definition, entity)
    for child in entity.descendants() if isinstance(entity, MLEntity) else ():
        if child.instance_of and definition.entity(child.instance_of):
            child.instance_of = definition.entity(child.instance_of).name
    definition.check_entity(entity)
    check_limit(sum(len(e.roles) for e in definition.entities), "app_roles", "roles")
    check_limit(sum(len(e.explicit_list) for e in definition.entities_of(PatternAnyEntity)),
                "explicit_list", "explicit list items")


def _number(items: list) -> None:
    """Give new items (id 0) the next integer ids."""
    for item in items:
        if not item.id:
            item.id = max(i.id for i in items) + 1


def _composite_children(definition: AppVersion, composite: CompositeEntity) -> list[str]:
    """The composite's children spelled as defined; `check_entity` then refuses names that are no entity."""
    names = []
    for name in composite.children:
        child = definition.entity(name) if isinstance(name, str) else None
        if isinstance(child, CompositeEntity):
            raise AppVersionError(f"The composite '{child.name}' cannot be a child of another composite.")
        name = child.name if child else name
        if any(_same(name)(n) for n in names):
            raise AppVersionError(f"The entity '{name}' is already a child of '{composite.name}'.")
        names.append(name)
    return names


def _tree(definition: AppVersion):
    """Every ML entity and child as (names of its ancestors, the list holding it, it)."""
    def walk(path, nodes):
        for node in nodes:
            yield path, nodes, node
            yield from walk(path + [node.name], node.children)
    for entity in definition.entities_of(MLEntity):
        yield [], definition.entities, entity
        yield from walk([entity.name], entity.children)


def _locate(definition: AppVersion, entity_id: str, cls):
    """(names of its ancestors, the list holding it, the entity); for ML entities, children are found too."""
    if cls is not MLEntity:
        return [], definition.entities, authoring.find_model(definition, entity_id, cls)
    entity = authoring.find_model(definition, entity_id, (MLEntity, Child))
    return next(found for found in _tree(definition) if found[2] is entity)


def _root(definition: AppVersion, path: list[str], entity):
    return definition.entity(path[0]) if path else entity


def _under(path: list[str], change):
    """`change` applied to the labels nested in labels of `path` (entity, child, ...); [] means the top level."""
    def apply(labels, depth=0):
        if depth == len(path):
            return change(labels)
        return [replace(label, children=apply(label.children, depth + 1))
                if label.entity.lower() == path[depth].lower() else label for label in labels]
    return apply


def _same(old: str):
    return lambda name: isinstance(name, str) and name.lower() == old.lower()


def _retarget(definition: AppVersion, old: str, new: str | None) -> None:
    """Composites, children's instanceOf, model features and patterns naming entity `old` now name `new`
    (None: they drop it; patterns are left as they are)."""
    same = _same(old)
    for composite in definition.entities_of(CompositeEntity):
        composite.children = [new if same(c) else c for c in composite.children if new or not same(c)]
    for _, _, node in _tree(definition):
        if isinstance(node, Child) and same(node.instance_of):
            node.instance_of = new
    _retarget_features(definition, "model_name", old, new)
    if new:
        slot = re.compile(r"\{\s*" + re.escape(old) + r"\s*(?=[:}])", re.IGNORECASE)
        for pattern in definition.patterns:
            pattern.pattern = slot.sub(lambda _: "{" + new, pattern.pattern)


# --- roles ------------------------------------------------------------------------------------

def find_role(entity: Entity, role_id: str) -> Role:
    role = next((r for r in entity.roles if r.id == role_id), None)
    if role is None:
        raise NotFound("Cannot find the role with the specified ID.")
    return role


def add_role(version: Version, entity_id: str, cls, name) -> Role:
    with editing(version) as definition:
        entity = authoring.find_model(definition, entity_id, cls)
        role = Role(check_name(name, "role"))
        entity.roles.append(role)
        _check(definition, entity)
    return role


def rename_role(version: Version, entity_id: str, cls, role_id: str, name) -> None:
    with editing(version) as definition:
        entity = authoring.find_model(definition, entity_id, cls)
        role = find_role(entity, role_id)
        old, role.name = role.name, check_name(name, "role")
        _check(definition, entity)
        _retarget_role(version, definition, entity.name, old, role.name)


def delete_role(version: Version, entity_id: str, cls, role_id: str) -> None:
    """Delete a role; its labels keep the entity without a role, and patterns' `{Entity:role}` become `{Entity}`."""
    with editing(version) as definition:
        entity = authoring.find_model(definition, entity_id, cls)
        role = find_role(entity, role_id)
        entity.roles.remove(role)
        _retarget_role(version, definition, entity.name, role.name, None)


def _retarget_role(version: Version, definition: AppVersion, entity: str, old: str, new: str | None) -> None:
    is_entity, is_old = _same(entity), _same(old)

    def change(labels):
        return [replace(label, role=new if is_entity(label.entity) and is_old(label.role) else label.role,
                        children=change(label.children)) for label in labels]

    slot = re.compile(r"\{(\s*" + re.escape(entity) + r"\s*):\s*" + re.escape(old) + r"\s*\}", re.IGNORECASE)
    for pattern in definition.patterns:
        pattern.pattern = slot.sub(lambda m: "{" + m.group(1) + (f":{new}" if new else "") + "}", pattern.pattern)
    authoring.relabel_examples(version, change)


# --- list items: sublists of list entities, explicit lists of pattern.any entities ------------

def find_item(items: list, item_id: int):
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise NotFound("Cannot find the list item with the specified ID.")
    return item


@contextmanager
def _editing_items(version: Version, entity_id: str, cls):
    with editing(version) as definition:
        entity = authoring.find_model(definition, entity_id, cls)
        yield getattr(entity, entity.kind.items)
        _check(definition, entity)


def add_items(version: Version, entity_id: str, cls, new_items: list) -> list:
    with _editing_items(version, entity_id, cls) as items:
        items.extend(new_items)
    return new_items


def replace_item(version: Version, entity_id: str, cls, item_id: int, item) -> None:
    with _editing_items(version, entity_id, cls) as items:
        find_item(items, item_id)
        item.id = item_id
        items[:] = [item if i.id == item_id else i for i in items]


def delete_item(version: Version, entity_id: str, cls, item_id: int) -> None:
    with _editing_items(version, entity_id, cls) as items:
        items.remove(find_item(items, item_id))


# --- composite children -----------------------------------------------------------------------

def add_composite_child(version: Version, entity_id: str, name) -> str:
    with editing(version) as definition:
        composite = authoring.find_model(definition, entity_id, CompositeEntity)
        composite.children.append(name)
        _check(definition, composite)
    return composite.child_id(name)


def delete_composite_child(version: Version, entity_id: str, child_id: str) -> None:
    with editing(version) as definition:
        composite = authoring.find_model(definition, entity_id, CompositeEntity)
        name = next((n for n in composite.children if composite.child_id(n) == child_id), None)
        if name is None:
            raise NotFound("Cannot find the composite child with the specified ID.")
        composite.children.remove(name)


# --- model features ---------------------------------------------------------------------------

def add_feature(version: Version, model_id: str, cls, feature: Feature) -> None:
    with editing(version) as definition:
        model = authoring.find_model(definition, model_id, cls)
        model.features.append(_feature(definition, model, feature))
        _check_features(model)


def replace_features(version: Version, model_id: str, cls, features: list[Feature]) -> None:
    with editing(version) as definition:
        model = authoring.find_model(definition, model_id, cls)
        model.features = [_feature(definition, model, f) for f in features]
        _check_features(model)


def delete_feature(version: Version, model_id: str, cls, feature: Feature) -> None:
    with editing(version) as definition:
        model = authoring.find_model(definition, model_id, cls)
        kept = [f for f in model.features if _feature_key(f) != _feature_key(feature)]
        if len(kept) == len(model.features):
            raise NotFound("The model has no such feature.")
        model.features = kept


def _feature(definition: AppVersion, model, feature: Feature) -> Feature:
    """`feature` naming an existing phrase list or entity (not `model` itself), spelled as defined."""
    if feature.feature_name is not None:
        phraselist = definition.phraselist(feature.feature_name)
        if phraselist is None:
            raise AppVersionError(f"The phrase list feature '{feature.feature_name}' does not exist.")
        return Feature(phraselist.name, None, feature.is_required)
    entity = definition.entity(feature.model_name)
    if entity is None or entity is model:
        raise AppVersionError(f"The entity '{feature.model_name}' does not exist or cannot be a feature of itself.")
    return Feature(None, entity.name, feature.is_required)


def _feature_key(feature: Feature) -> tuple:
    return (feature.feature_name or "").lower(), (feature.model_name or "").lower()


def _check_features(model) -> None:
    keys = [_feature_key(f) for f in model.features]
    if len(set(keys)) < len(keys):
        raise AppVersionError(f"A feature is given more than once to '{model.name}'.")
    check_limit(sum(1 for f in model.features if f.feature_name is not None), "model_features",
                "phrase lists as features of one model")
    check_limit(sum(1 for f in model.features if f.model_name is not None), "model_features",
                "models as features of one model")


def _featured(definition: AppVersion) -> list:
    """Every model that can have features: intents, ML entities and their children."""
    return definition.intents + [node for _, _, node in _tree(definition)]


def _retarget_features(definition: AppVersion, field: str, old: str, new: str | None) -> None:
    same = _same(old)
    for model in _featured(definition):
        model.features = [replace(f, **{field: new}) if same(getattr(f, field)) else f
                          for f in model.features if new or not same(getattr(f, field))]


# --- phrase lists -----------------------------------------------------------------------------

def find_phraselist(definition: AppVersion, phraselist_id: int) -> PhraseList:
    phraselist = next((p for p in definition.phraselists if p.id == phraselist_id), None)
    if phraselist is None:
        raise NotFound("Cannot find the phrase list with the specified ID.")
    return phraselist


def add_phraselist(version: Version, phraselist: PhraseList) -> PhraseList:
    with editing(version) as definition:
        phraselist.id = definition.next_phraselist_id()
        definition.phraselists.append(phraselist)
        _check_phraselist(definition, phraselist)
    return phraselist


def update_phraselist(version: Version, phraselist_id: int, name: str | None = None, **changes) -> None:
    """Change a phrase list's phrases and flags; renaming it renames it in model features."""
    with editing(version) as definition:
        phraselist = find_phraselist(definition, phraselist_id)
        for field, value in changes.items():
            setattr(phraselist, field, value)
        if name is not None:
            old, phraselist.name = phraselist.name, check_name(name, "phrase list")
            _retarget_features(definition, "feature_name", old, phraselist.name)
        _check_phraselist(definition, phraselist)


def delete_phraselist(version: Version, phraselist_id: int) -> None:
    with editing(version) as definition:
        phraselist = find_phraselist(definition, phraselist_id)
        definition.phraselists.remove(phraselist)
        _retarget_features(definition, "feature_name", phraselist.name, None)


def _check_phraselist(definition: AppVersion, phraselist: PhraseList) -> None:
    phraselist.name = check_name(phraselist.name, "phrase list")
    if any(p is not phraselist and p.name.lower() == phraselist.name.lower() for p in definition.phraselists):
        raise Conflict(f"A phrase list with the name '{phraselist.name}' already exists.")
    if not phraselist.phrases:
        raise AppVersionError("A phrase list needs at least one phrase.")
    check_limit(len(definition.phraselists), "phraselists", "phrase lists")
    check_limit(sum(len(p.phrases) for p in definition.phraselists), "phrases", "phrases in phrase lists")


# --- patterns ---------------------------------------------------------------------------------

_SLOT = re.compile(r"\{([^{}:]*)(?::([^{}]*))?\}")


def find_pattern(definition: AppVersion, pattern_id: str) -> Pattern:
    pattern = next((p for p in definition.patterns if p.id == pattern_id), None)
    if pattern is None:
        raise NotFound("Cannot find the pattern with the specified ID.")
    return pattern


def intent_patterns(definition: AppVersion, intent_id: str) -> list[Pattern]:
    intent = authoring.find_model(definition, intent_id, Intent)
    return [p for p in definition.patterns if p.intent == intent.name]


def add_patterns(version: Version, patterns: list[Pattern]) -> list[Pattern]:
    with editing(version) as definition:
        for pattern in patterns:
            pattern.id = new_id()
            definition.patterns.append(pattern)
            _check_pattern(definition, pattern)
    return patterns


def update_patterns(version: Version, patterns: list[Pattern]) -> list[Pattern]:
    """Replace the text and intent of stored patterns, found by id."""
    with editing(version) as definition:
        stored = [find_pattern(definition, p.id) for p in patterns]
        for old, new in zip(stored, patterns):
            old.pattern, old.intent = new.pattern, new.intent
            _check_pattern(definition, old)
    return stored


def delete_patterns(version: Version, pattern_ids: list[str]) -> None:
    with editing(version) as definition:
        for pattern_id in pattern_ids:
            definition.patterns.remove(find_pattern(definition, pattern_id))


def _check_pattern(definition: AppVersion, pattern: Pattern) -> None:
    """A valid pattern of an existing intent, whose `{Entity}`, `{Entity:role}` or `{role}` slots exist."""
    definition.check_pattern(pattern)
    pattern.intent = definition.intent(pattern.intent).name
    check_limit(len(definition.patterns), "patterns", "patterns")
    if any(p is not pattern and p.pattern.lower() == pattern.pattern.lower() for p in definition.patterns):
        raise Conflict(f"The pattern '{pattern.pattern}' already exists.")
    for name, role in _SLOT.findall(pattern.pattern):
        entity = definition.entity(name.strip())
        if entity is None and not role and any(e.role(name.strip()) for e in definition.entities):
            continue  # a slot may name a role alone
        if entity is None or (role.strip() and not entity.role(role.strip())):
            raise AppVersionError(f"The pattern '{pattern.pattern}' names an entity or role that does not exist: "
                                  f"'{name}{':' + role if role else ''}'.")


# --- models and their examples ----------------------------------------------------------------

def model_examples(version: Version, model_id: str, skip: int, take: int) -> list:
    """The examples labeled with an intent, or with an entity or child anywhere in their labels."""
    model = authoring.find_model(authoring.load(version), model_id)
    if isinstance(model, Intent):
        return authoring.list_examples(version, skip, take, intent=model.name)
    examples = authoring.list_examples(version, 0, LIMITS["utterances"])
    return [e for e in examples if _mentions(authoring.to_utterance(e).labels, model.name)][skip:skip + take]


def _mentions(labels: list, name: str) -> bool:
    return any(label.entity.lower() == name.lower() or _mentions(label.children, name) for label in labels)
