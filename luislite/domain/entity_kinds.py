"""What an entity kind is called in each place LUIS and luislite name it: one `EntityKind` per kind.

Each `Entity` subclass of `appversion.py` carries its kind as `kind`, and `appversion.ENTITY_KINDS` lists the
classes in LUIS's export order; every other table of kinds is a lookup on those (`{c.kind.url_segment: c ...}`).
The words: a *kind* is this descriptor; its *section* is its list in LUIS app JSON, its *URL segment* names it in
the authoring API, its *span kind* (`EntitySpan.kind`) marks the spans of its entities in a prediction.
"""
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class EntityKind:
    section: str  # LUIS app JSON: "closedLists"
    url_segment: str  # authoring API: /apps/{appId}/versions/{v}/closedlists
    type_id: int  # authoring `typeId`, and the v3 `$instance` `modelTypeId`
    readable_type: str  # authoring `readableType`: "Closed List Entity Extractor"
    model_type: str  # v3 `$instance` `modelType`: "List Entity Extractor"
    lu_type: str  # `.lu`: `@ list Name`
    lu_title: str  # `.lu`: the `> # List entities` comment over their definitions
    span_kind: str  # EntitySpan.kind of its entities' spans: "list"
    rule_based: bool = False  # found by a rule recognizer of `nlu/rules/` (list, regex, prebuilt), not learned
    type_prefix: str = ""  # before the entity's name in a prediction's `type` when the span has none: "builtin."
    limit: tuple[str, str] | None = None  # (LIMITS key, what it counts) on the number of entities of the kind
    items: str | None = None  # the attribute holding its numbered items: "sublists"
