"""What a recognizer answers: intent probabilities and entity spans over the original text."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EntitySpan:
    """An entity found on characters [start, end) of the utterance; `children` are an ML entity's children."""
    entity: str
    start: int
    end: int
    score: float | None
    role: str | None = None
    children: list[EntitySpan] = field(default_factory=list)
    kind: str = "ml"  # the span kind: its entity's `kind.span_kind` (ml, list, ...), or role, phraselist
    resolution: object = None  # list: canonical forms; prebuilt (or a child constrained to one): PrebuiltValue
    type: str | None = None  # the answer's `type` where it is not the entity's name (builtin.datetimeV2.date, ...)
    source: str = "model"  # or "externalEntities": given with the request


@dataclass
class PrebuiltValue:
    """A prebuilt entity's value as LUIS answers it: `v3` the v3 value element, `v2` the v2 `resolution`."""
    v3: object
    v2: dict
    type: str  # builtin.number, builtin.currency, builtin.datetimeV2.date, ...


@dataclass
class ExternalValue:
    """An external entity's `resolution`, as the request gave it."""
    value: object


@dataclass
class RequestEntities:
    """What a request adds for its own prediction: more sublists for list entities (`dynamicLists`), and spans
    the caller found itself (`externalEntities`), preferred to the app's own where they overlap, or not."""
    lists: list = field(default_factory=list)  # ListEntity, each named as one of the app's
    external: list[EntitySpan] = field(default_factory=list)
    prefer_external: bool = True


@dataclass
class Prediction:
    intents: dict[str, float]  # every intent, softmax probabilities, best first
    entities: list[EntitySpan]

    @property
    def top_intent(self) -> str:
        return next(iter(self.intents))
