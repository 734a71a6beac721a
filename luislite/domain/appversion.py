"""The canonical app version: plain dataclasses, and LUIS app JSON in (schema 2.x to 7.0.0) and out (7.0.0).

Import, export, storage, training and `.lu` files all go through `AppVersion`. Offsets inside
the dataclasses are Python string indices with an exclusive end; LUIS JSON uses an inclusive
`endPos`, converted only at the JSON boundary.
"""
from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from luislite.domain import cultures
from luislite.domain.entity_kinds import EntityKind
from luislite.domain.legacy import HIERARCHY_SEPARATOR, upgrade
from luislite.domain.tokens import on_token_edges, tokenize
from luislite.errors import AppVersionError, LimitReached

SCHEMA_VERSION = "7.0.0"
NONE_INTENT = "None"
PREBUILT_NAMES = cultures.ALL_PREBUILTS
DEFAULT_SETTINGS = ("UseAllTrainingData", "NormalizePunctuation", "NormalizeDiacritics", "NormalizeWordForm")


def new_id() -> str:
    return str(uuid.uuid4())


def _extra(doc: dict, known: set[str]) -> dict:
    """Keys of a LUIS JSON object this module does not model: kept, and written back on export."""
    return {k: v for k, v in doc.items() if k not in known}


def _next_int_id(ids) -> int:
    return max(ids, default=0) + 1


# --- model features and roles -----------------------------------------------------------------

@dataclass
class Feature:
    """A phrase list (`feature_name`) or another model (`model_name`) used as a feature of a model."""
    feature_name: str | None = None
    model_name: str | None = None
    is_required: bool = False

    @classmethod
    def from_json(cls, doc: dict) -> Feature:
        return cls(doc.get("featureName"), doc.get("modelName"), bool(doc.get("isRequired", False)))

    def to_json(self) -> dict:
        key = "featureName" if self.feature_name is not None else "modelName"
        return {key: self.feature_name if self.feature_name is not None else self.model_name,
                "isRequired": self.is_required}


@dataclass
class Role:
    name: str
    id: str = field(default_factory=new_id)

    @classmethod
    def from_json(cls, doc) -> Role:
        return cls(doc) if isinstance(doc, str) else cls(doc["name"], doc.get("id") or new_id())

    def to_json(self, ids: bool):
        return {"id": self.id, "name": self.name} if ids else self.name


def _features(doc: dict) -> list[Feature]:
    return [Feature.from_json(f) for f in doc.get("features") or []]


def _roles(doc: dict) -> list[Role]:
    return [Role.from_json(r) for r in doc.get("roles") or []]


def inheritance(model) -> dict:
    """`{"domain_name", "model_name"}` of an intent or entity taken from a prebuilt domain (LUIS JSON's
    `inherits`), else an empty dict."""
    inherits = getattr(model, "extra", {}).get("inherits")
    return inherits if isinstance(inherits, dict) else {}


# --- intents ----------------------------------------------------------------------------------

@dataclass
class Intent:
    name: str
    id: str = field(default_factory=new_id)
    features: list[Feature] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, doc: dict) -> Intent:
        return cls(doc["name"], doc.get("id") or new_id(), _features(doc),
                   _extra(doc, {"name", "id", "features"}))

    def to_json(self, ids: bool) -> dict:
        doc = {"id": self.id} if ids else {}
        return doc | {"name": self.name, "features": [f.to_json() for f in self.features]} | self.extra


# --- entities ---------------------------------------------------------------------------------

@dataclass
class Child:
    """A child of a machine-learned entity, optionally constrained to another entity (`instance_of`)."""
    name: str
    id: str = field(default_factory=new_id)
    instance_of: str | None = None
    children: list[Child] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)

    @classmethod
    def from_json(cls, doc) -> Child:
        if isinstance(doc, str):  # a hierarchical entity's child (schema <= 5.x)
            return cls(doc)
        return cls(doc["name"], doc.get("id") or new_id(), doc.get("instanceOf"),
                   [Child.from_json(c) for c in doc.get("children") or []], _features(doc))

    def to_json(self, ids: bool) -> dict:
        doc = {"id": self.id} if ids else {}
        doc["name"] = self.name
        if self.instance_of is not None:
            doc["instanceOf"] = self.instance_of
        return doc | {"children": [c.to_json(ids) for c in self.children],
                      "features": [f.to_json() for f in self.features]}

    def walk(self):
        """This child and all its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Entity:
    """Base of every entity kind; each subclass's `kind` says what LUIS and luislite call it."""
    name: str
    id: str = field(default_factory=new_id)
    roles: list[Role] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    kind: ClassVar[EntityKind]
    _known: ClassVar[set] = {"name", "id", "roles"}

    @classmethod
    def from_json(cls, doc: dict) -> Entity:
        return cls(doc["name"], doc.get("id") or new_id(), _roles(doc), _extra(doc, cls._known), **cls._fields(doc))

    @classmethod
    def _fields(cls, doc: dict) -> dict:
        return {}

    def to_json(self, ids: bool) -> dict:
        doc = {"id": self.id} if ids else {}
        doc["name"] = self.name
        return doc | self._fields_json(ids) | {"roles": [r.to_json(ids) for r in self.roles]} | self.extra

    def _fields_json(self, ids: bool) -> dict:
        return {}

    def role(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.name.lower() == name.lower()), None)

    def check(self, version: AppVersion) -> None:
        """Raise AppVersionError unless the fields of this kind obey LUIS's rules in `version`."""

    @property
    def type_id(self) -> int:
        return self.kind.type_id

    @property
    def readable_type(self) -> str:
        return self.kind.readable_type


@dataclass
class MLEntity(Entity):
    children: list[Child] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)

    kind = EntityKind(section="entities", url_segment="entities", type_id=1, readable_type="Entity Extractor",
                      model_type="Entity Extractor", lu_type="ml", lu_title="Entity definitions", span_kind="ml",
                      limit=("ml_entities", "machine-learned entities"))
    _known = Entity._known | {"children", "features"}

    @classmethod
    def _fields(cls, doc):
        return {"children": [Child.from_json(c) for c in doc.get("children") or []], "features": _features(doc)}

    def _fields_json(self, ids):
        return {"children": [c.to_json(ids) for c in self.children], "features": [f.to_json() for f in self.features]}

    def descendants(self):
        for child in self.children:
            yield from child.walk()

    def check(self, version):
        version._check_children(self.children, 1)


@dataclass
class SubList:
    canonical_form: str
    synonyms: list[str] = field(default_factory=list)
    id: int = 0

    @classmethod
    def from_json(cls, doc: dict) -> SubList:
        return cls(doc["canonicalForm"], list(doc.get("list") or []), int(doc.get("id") or 0))

    def to_json(self, ids: bool) -> dict:
        doc = {"id": self.id} if ids else {}
        return doc | {"canonicalForm": self.canonical_form, "list": list(self.synonyms)}


@dataclass
class ListEntity(Entity):
    sublists: list[SubList] = field(default_factory=list)

    kind = EntityKind(section="closedLists", url_segment="closedlists", type_id=5,
                      readable_type="Closed List Entity Extractor", model_type="List Entity Extractor", lu_type="list",
                      lu_title="List entities", span_kind="list", rule_based=True,
                      limit=("list_entities", "list entities"), items="sublists")
    _known = Entity._known | {"subLists"}

    @classmethod
    def _fields(cls, doc):
        return {"sublists": [SubList.from_json(s) for s in doc.get("subLists") or []]}

    def _fields_json(self, ids):
        return {"subLists": [s.to_json(ids) for s in self.sublists]}

    def check(self, version):
        check_limit(sum(1 + len(s.synonyms) for s in self.sublists), "list_items", "items in a list entity")
        if any(not isinstance(s.canonical_form, str) or not s.canonical_form.strip() for s in self.sublists):
            raise AppVersionError(f"A sublist of '{self.name}' has an empty canonical form.")

    def add_sublist(self, sublist: SubList) -> SubList:
        sublist.id = _next_int_id(s.id for s in self.sublists)
        self.sublists.append(sublist)
        return sublist


@dataclass
class RegexEntity(Entity):
    regex_pattern: str = ""

    kind = EntityKind(section="regex_entities", url_segment="regexentities", type_id=8,
                      readable_type="Regex Entity Extractor", model_type="Regex Entity Extractor", lu_type="regex",
                      lu_title="RegEx entities", span_kind="regex", rule_based=True,
                      limit=("regex_entities", "regex entities"))
    _known = Entity._known | {"regexPattern"}

    @classmethod
    def _fields(cls, doc):
        return {"regex_pattern": doc.get("regexPattern") or ""}

    def _fields_json(self, ids):
        return {"regexPattern": self.regex_pattern}

    def check(self, version):
        check_regex(self.regex_pattern)


@dataclass
class PrebuiltEntity(Entity):
    kind = EntityKind(section="prebuiltEntities", url_segment="prebuilts", type_id=2,
                      readable_type="Prebuilt Entity Extractor", model_type="Prebuilt Entity Extractor",
                      lu_type="prebuilt", lu_title="PREBUILT Entity definitions", span_kind="prebuilt",
                      rule_based=True, type_prefix="builtin.")

    def check(self, version):
        if self.name not in PREBUILT_NAMES:
            raise AppVersionError(f"The prebuilt entity '{self.name}' does not exist.")


@dataclass
class ExplicitItem:
    text: str
    id: int = 0


@dataclass
class PatternAnyEntity(Entity):
    explicit_list: list[ExplicitItem] = field(default_factory=list)

    kind = EntityKind(section="patternAnyEntities", url_segment="patternanyentities", type_id=7,
                      readable_type="Pattern.any Entity Extractor", model_type="Pattern.any Entity Extractor",
                      lu_type="patternany", lu_title="Pattern.Any entities", span_kind="pattern.any",
                      limit=("pattern_any_entities", "pattern.any entities"), items="explicit_list")
    _known = Entity._known | {"explicitList"}

    @classmethod
    def _fields(cls, doc):
        items = doc.get("explicitList") or []
        return {"explicit_list": [ExplicitItem(i, n) if isinstance(i, str)
                                  else ExplicitItem(i["explicitListItem"], i["id"])
                                  for n, i in enumerate(items, 1)]}

    def _fields_json(self, ids):
        items = [{"id": i.id, "explicitListItem": i.text} if ids else i.text for i in self.explicit_list]
        return {"explicitList": items}


@dataclass
class CompositeEntity(Entity):
    children: list[str] = field(default_factory=list)

    kind = EntityKind(section="composites", url_segment="compositeentities", type_id=4,
                      readable_type="Composite Entity Extractor", model_type="Composite Entity Extractor",
                      lu_type="composite", lu_title="Composite entities", span_kind="composite",
                      limit=("ml_entities", "machine-learned entities"))
    _known = Entity._known | {"children"}

    @classmethod
    def _fields(cls, doc):
        return {"children": list(doc.get("children") or [])}

    def _fields_json(self, ids):
        return {"children": list(self.children)}

    def child_id(self, name: str) -> str:
        """A stable id for the child `name` (children are stored by name only)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.id}/{name.lower()}"))

    def check(self, version):
        for name in self.children:
            if not version._entity_exists(name):
                raise AppVersionError(f"The child '{name}' of composite '{self.name}' is not an entity.")


ENTITY_KINDS = (MLEntity, CompositeEntity, ListEntity, PrebuiltEntity, PatternAnyEntity, RegexEntity)  # export order


# --- phrase lists and patterns ----------------------------------------------------------------

@dataclass
class PhraseList:
    name: str
    phrases: list[str] = field(default_factory=list)
    interchangeable: bool = True
    active: bool = True
    enabled_for_all_models: bool = True
    id: int = 0
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, doc: dict) -> PhraseList:
        words = [w for w in (doc.get("words") or "").split(",") if w.strip()]
        return cls(doc["name"], words, bool(doc.get("mode", True)), bool(doc.get("activated", True)),
                   bool(doc.get("enabledForAllModels", True)), int(doc.get("id") or 0),
                   _extra(doc, {"name", "words", "mode", "activated", "enabledForAllModels", "id"}))

    def to_json(self, ids: bool) -> dict:
        doc = {"id": self.id} if ids else {}
        return doc | {"name": self.name, "mode": self.interchangeable, "words": ",".join(self.phrases),
                      "activated": self.active, "enabledForAllModels": self.enabled_for_all_models} | self.extra


@dataclass
class Pattern:
    pattern: str
    intent: str
    id: str = field(default_factory=new_id)

    @classmethod
    def from_json(cls, doc: dict) -> Pattern:
        return cls(doc["pattern"], doc["intent"], doc.get("id") or new_id())

    def to_json(self, ids: bool) -> dict:
        doc = {"id": self.id} if ids else {}
        return doc | {"pattern": self.pattern, "intent": self.intent}


# --- labeled utterances -----------------------------------------------------------------------

@dataclass
class Label:
    """An entity labeled on characters [start, end) of an utterance; `children` label an ML entity's children."""
    entity: str
    start: int
    end: int
    role: str | None = None
    children: list[Label] = field(default_factory=list)

    @classmethod
    def from_json(cls, doc: dict) -> Label:
        return cls(doc["entity"], int(doc["startPos"]), int(doc["endPos"]) + 1, doc.get("role") or None,
                   [Label.from_json(c) for c in doc.get("children") or []])

    def to_json(self) -> dict:
        doc = {"entity": self.entity, "startPos": self.start, "endPos": self.end - 1}
        if self.role:
            doc["role"] = self.role
        return doc | {"children": [c.to_json() for c in self.children]}

    def contains(self, other: Label) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass
class Utterance:
    text: str
    intent: str
    labels: list[Label] = field(default_factory=list)

    @classmethod
    def from_json(cls, doc: dict) -> Utterance:
        return cls(doc["text"], doc["intent"], [Label.from_json(e) for e in doc.get("entities") or []])

    def to_json(self) -> dict:
        return {"text": self.text, "intent": self.intent, "entities": [label.to_json() for label in self.labels]}


def _check_token_edges(labels: list[Label], tokens: list) -> None:
    for label in labels:
        if not on_token_edges(tokens, label.start, label.end):
            raise AppVersionError(f"The start and end indexes of the '{label.entity}' label do not correspond "
                                  "to the start and end of a token.")
        _check_token_edges(label.children, tokens)


# --- the app version --------------------------------------------------------------------------

@dataclass
class AppVersion:
    version_id: str = "0.1"
    name: str = ""
    desc: str = ""
    culture: str = "en-us"
    tokenizer_version: str = "1.0.0"
    intents: list[Intent] = field(default_factory=lambda: [Intent(NONE_INTENT)])
    entities: list[Entity] = field(default_factory=list)
    phraselists: list[PhraseList] = field(default_factory=list)
    patterns: list[Pattern] = field(default_factory=list)
    utterances: list[Utterance] = field(default_factory=list)
    settings: list[dict] = field(default_factory=lambda: [{"name": n, "value": "false"} for n in DEFAULT_SETTINGS])
    regex_features: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    # lookups
    def intent(self, name: str) -> Intent | None:
        return next((i for i in self.intents if i.name.lower() == name.lower()), None)

    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.entities if e.name.lower() == name.lower()), None)

    def entities_of(self, cls: type[Entity]) -> list:
        return [e for e in self.entities if type(e) is cls]

    def model(self, model_id: str):
        """The intent, entity or ML child with this id."""
        for item in self.intents + self.entities:
            if item.id == model_id:
                return item
        for entity in self.entities_of(MLEntity):
            for child in entity.descendants():
                if child.id == model_id:
                    return child
        return None

    def phraselist(self, name: str) -> PhraseList | None:
        return next((p for p in self.phraselists if p.name.lower() == name.lower()), None)

    def next_phraselist_id(self) -> int:
        return _next_int_id(p.id for p in self.phraselists)

    # JSON
    def to_luis(self, ids: bool = False) -> dict:
        """LUIS app JSON (schema 7.0.0); `ids=True` keeps the ids luislite needs to store a version."""
        doc = {"luis_schema_version": SCHEMA_VERSION, "versionId": self.version_id, "name": self.name,
               "desc": self.desc, "culture": self.culture, "tokenizerVersion": self.tokenizer_version,
               "intents": [i.to_json(ids) for i in self.intents], "hierarchicals": []}
        for cls in ENTITY_KINDS:
            doc[cls.kind.section] = [e.to_json(ids) for e in self.entities_of(cls)]
        return doc | {
            "phraselists": [p.to_json(ids) for p in self.phraselists],
            "regex_features": self.regex_features,
            "patterns": [p.to_json(ids) for p in self.patterns],
            "utterances": [u.to_json() for u in self.utterances],
            "settings": self.settings,
        } | self.extra

    @classmethod
    def from_luis(cls, doc: dict) -> AppVersion:
        """Read LUIS app JSON of any schema from 2.x to 7.0.0; call `validate` before trusting it."""
        doc = upgrade(doc)
        version = cls(
            version_id=str(doc.get("versionId") or "0.1"), name=doc.get("name") or "", desc=doc.get("desc") or "",
            culture=(doc.get("culture") or "en-us").lower(), tokenizer_version=doc.get("tokenizerVersion") or "1.0.0",
            intents=[Intent.from_json(i) for i in doc.get("intents") or []],
            entities=[c.from_json(e) for c in ENTITY_KINDS for e in doc.get(c.kind.section) or []],
            phraselists=[PhraseList.from_json(p) for p in doc.get("phraselists") or []],
            patterns=[Pattern.from_json(p) for p in doc.get("patterns") or []],
            utterances=[Utterance.from_json(u) for u in doc.get("utterances") or []],
            settings=doc.get("settings") or [{"name": n, "value": "false"} for n in DEFAULT_SETTINGS],
            regex_features=doc.get("regex_features") or [],
            extra=_extra(doc, _TOP_LEVEL_KEYS))
        if not version.intent(NONE_INTENT):
            version.intents.insert(0, Intent(NONE_INTENT))
        version._number_items()
        return version

    # validation
    def validate(self) -> None:
        """Raise AppVersionError unless the whole version obeys LUIS's rules and limits (used on import)."""
        if not all(isinstance(v, str) for v in (self.version_id, self.name, self.desc, self.tokenizer_version)):
            raise AppVersionError("versionId, name, desc and tokenizerVersion must be strings.")
        cultures.culture(self.culture).check_tokenizer_version(self.tokenizer_version)
        check_limit(len(self.intents), "intents", "intents")
        check_limit(len(self.utterances), "utterances", "example utterances")
        self._check_unique([check_name(i.name, "intent") for i in self.intents], "intent")
        self._check_unique([check_name(e.name, "entity") for e in self.entities], "entity")
        self._check_unique([check_name(p.name, "phrase list") for p in self.phraselists], "phrase list")
        for entity in self.entities:
            self.check_entity(entity)
        check_limit(len(self.patterns), "patterns", "patterns")
        for pattern in self.patterns:
            self.check_pattern(pattern)
        for utterance in self.utterances:
            self.check_utterance(utterance)

    @staticmethod
    def _check_unique(names: list[str], what: str) -> None:
        seen = set()
        for name in names:
            if name.lower() in seen:
                raise AppVersionError(f"The {what} name '{name}' is used more than once.")
            seen.add(name.lower())

    def check_entity(self, entity: Entity) -> None:
        """Raise AppVersionError unless `entity`, as part of this version, obeys LUIS's rules."""
        check_name(entity.name, "entity")
        check_limit(len(entity.roles), "roles", "roles per entity")
        self._check_unique([check_name(r.name, "role") for r in entity.roles], "role")
        counts = Counter(e.kind.limit for e in self.entities)
        for limit in dict.fromkeys(c.kind.limit for c in ENTITY_KINDS if c.kind.limit):
            check_limit(counts[limit], *limit)
        check_limit(len(self.entities), "entities", "entities")
        entity.check(self)

    def _entity_exists(self, name) -> bool:
        """Whether `name` is an entity, or a `Parent::Child` of a (formerly hierarchical) ML entity."""
        if not isinstance(name, str):
            return False
        parent, separator, child = name.partition(HIERARCHY_SEPARATOR)
        entity = self.entity(parent)
        if not separator:
            return entity is not None
        return isinstance(entity, MLEntity) and any(c.name.lower() == child.lower() for c in entity.descendants())

    def _check_children(self, children: list[Child], depth: int) -> None:
        if children and depth > LIMITS["depth"]:
            raise AppVersionError(f"Entity children nest at most {LIMITS['depth']} levels deep.")
        if len(children) > LIMITS["children"]:
            raise AppVersionError(f"An entity has at most {LIMITS['children']} children per level.")
        self._check_unique([check_name(c.name, "child entity") for c in children], "child entity")
        for child in children:
            if child.instance_of and not self.entity(child.instance_of):
                raise AppVersionError(f"The entity '{child.instance_of}' of child '{child.name}' does not exist.")
            self._check_children(child.children, depth + 1)

    def check_pattern(self, pattern: Pattern) -> None:
        if not isinstance(pattern.pattern, str) or not pattern.pattern.strip():
            raise AppVersionError("The pattern must not be empty.")
        if len(pattern.pattern) > LIMITS["pattern"]:
            raise AppVersionError(f"The pattern exceeds the maximum of {LIMITS['pattern']} characters.")
        if not self.intent(pattern.intent):
            raise AppVersionError(f"The intent classifier {pattern.intent} does not exist in the selected application")

    def check_utterance(self, utterance: Utterance) -> None:
        """Raise AppVersionError unless the utterance's text, intent and labels are valid here."""
        text = utterance.text
        if not isinstance(text, str) or not text.strip():
            raise AppVersionError("The utterance text must not be empty.")
        if len(text) > LIMITS["text"]:
            raise AppVersionError(f"The utterance text exceeds the maximum of {LIMITS['text']} characters.")
        if not self.intent(utterance.intent):
            raise AppVersionError(f"The intent classifier {utterance.intent} does not exist in the selected "
                                  "application")
        self._check_labels(utterance.labels, text, None, None)
        if cultures.of(self.culture).labels_on_token_edges:
            _check_token_edges(utterance.labels, tokenize(text, self.culture))

    def spell_names(self, utterance: Utterance) -> None:
        """Spell a checked utterance's intent, entity and role names as this version defines them.

        Names match ignoring case; storing them as defined keeps renames and deletes, which match
        exactly, from missing labels written in another case.
        """
        utterance.intent = self.intent(utterance.intent).name

        def spell(labels: list[Label], children) -> None:
            for label in labels:
                if children is None:
                    model = self.entity(label.entity)
                    label.role = model.role(label.role).name if label.role else label.role
                else:
                    model = next(c for c in children if c.name.lower() == label.entity.lower())
                label.entity = model.name
                spell(label.children, model.children if isinstance(model, (MLEntity, Child)) else [])

        spell(utterance.labels, None)

    def _check_labels(self, labels: list[Label], text: str, parent: Label | None, definition) -> None:
        for label in labels:
            if not 0 <= label.start < label.end <= len(text) or not text[label.start:label.end].strip():
                raise AppVersionError(f"The label of '{label.entity}' is out of the utterance's range.")
            if parent and not parent.contains(label):
                raise AppVersionError(f"The child label '{label.entity}' lies outside its parent's label.")
            if definition is None:
                entity = self.entity(label.entity)
                if entity is None:
                    raise AppVersionError(f"The entity extractor {label.entity} does not exist in the selected "
                                          "application")
                if label.role and not entity.role(label.role):
                    raise AppVersionError(f"The role '{label.role}' does not exist on entity '{label.entity}'.")
                children = entity.children if isinstance(entity, MLEntity) else []
            else:
                child = next((c for c in definition if c.name.lower() == label.entity.lower()), None)
                if child is None:
                    raise AppVersionError(f"The entity '{label.entity}' is not a child of '{parent.entity}'.")
                children = child.children
            self._check_labels(label.children, text, label, children)
        for a in labels:
            for b in labels:
                if a is not b and a.start < b.end and b.start < a.end and not (a.contains(b) or b.contains(a)):
                    raise AppVersionError(f"The labels of '{a.entity}' and '{b.entity}' overlap.")

    def _number_items(self):
        """Give integer ids to phrase lists, sublists and explicit-list items that came without one."""
        for items in [self.phraselists] + [getattr(e, e.kind.items) for e in self.entities if e.kind.items]:
            for item in items:
                if not item.id:
                    item.id = _next_int_id(i.id for i in items)


_TOP_LEVEL_KEYS = {"luis_schema_version", "versionId", "name", "desc", "culture", "tokenizerVersion", "intents",
                   "hierarchicals", "phraselists", "regex_features", "patterns", "utterances", "settings",
                   *(c.kind.section for c in ENTITY_KINDS)}


# --- LUIS's rules and limits ------------------------------------------------------------------

LIMITS = {"intents": 500, "utterances": 15_000, "text": 500, "name": 50, "ml_entities": 100, "entities": 330,
          "list_entities": 50, "list_items": 20_000, "regex_entities": 20, "regex_pattern": 500,
          "pattern_any_entities": 100, "patterns": 500, "pattern": 400, "phraselists": 500,
          "phrases": 500_000, "roles": 10, "children": 20, "depth": 5, "versions": 100, "version_id": 10,
          "apps": 500, "batch": 100, "app_roles": 300, "explicit_list": 50, "model_features": 10}
_CONTROL_CHARS = {chr(c) for c in range(32)} | {"\x7f"}
_FORBIDDEN_NAME_CHARS = set(":$&%*()+?~") | _CONTROL_CHARS


def check_app_name(name) -> str:
    """A valid LUIS application name, stripped: punctuation is allowed, as in `bf luis:build`'s `bot(dev)-app.lu`."""
    return check_name(name, "application", forbidden=_CONTROL_CHARS)


def check_name(name, what: str, forbidden: set[str] = _FORBIDDEN_NAME_CHARS) -> str:
    """A valid LUIS name for an intent, entity, role or phrase list, stripped."""
    if not isinstance(name, str) or not name.strip():
        raise AppVersionError(f"The {what} name must not be empty.")
    name = name.strip()
    if len(name) > LIMITS["name"]:
        raise AppVersionError(f"The {what} name '{name[:60]}...' exceeds the maximum of {LIMITS['name']} characters.")
    if forbidden & set(name):
        raise AppVersionError(f"The {what} name '{name}' contains a character LUIS does not allow.")
    return name


def check_limit(count: int, limit: str, what: str) -> None:
    if count > LIMITS[limit]:
        raise LimitReached(f"The application version exceeds the maximum of {LIMITS[limit]} {what}.")


def check_regex(pattern: str) -> str:
    import regex
    if not isinstance(pattern, str) or not pattern or len(pattern) > LIMITS["regex_pattern"]:
        raise AppVersionError(f"The regex pattern must have 1 to {LIMITS['regex_pattern']} characters.")
    if _repeats(pattern) > _MAX_REPEATS:
        raise AppVersionError(f"The regex pattern '{pattern}' is invalid: its repeat counts multiply to more than "
                              f"{_MAX_REPEATS}, and a query has at most {LIMITS['text']} characters.")
    try:
        regex.compile(pattern)
    except (regex.error, RecursionError, OverflowError) as error:
        raise AppVersionError(f"The regex pattern '{pattern}' is invalid: {error}.") from None
    return pattern


_MAX_REPEATS = 1_000
# an escape (with a braced argument), a character class, a counted repeat (group 1: its minimum), any other character
_REGEX_TOKEN = re.compile(r"\\[pPxuUNg]\{[^}]*\}|\\.|\[\^?\]?(?:\\.|[^\]])*\]|\{(\d+)(?:,\d*)?\}|.", re.S)


def _repeats(pattern: str) -> int:
    """The largest product of nested minimum repeat counts in a regex, such as 10**8 for `(?:a{10000}){10000}`.

    `regex` unrolls counted repeats when it compiles: that pattern would take minutes and gigabytes.
    """
    frames, last = [1], 1  # the largest product in each open group; the product of the last item
    for token in _REGEX_TOKEN.finditer(pattern):
        if token.group(1) is not None:
            last *= max(int(token.group(1)), 1)
            frames[-1] = max(frames[-1], last)
        elif token.group() == "(":
            frames.append(1)
        elif token.group() == ")" and len(frames) > 1:
            last = frames.pop()
            frames[-1] = max(frames[-1], last)
        else:
            last = 1
    return max(frames)
