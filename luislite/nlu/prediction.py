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
    kind: str = "ml"  # ml, composite, list, regex, prebuilt, pattern.any (see render.MODEL_TYPES)
    resolution: object = None  # list: canonical forms; prebuilt (or a child constrained to one): PrebuiltValue
    type: str | None = None  # the answer's `type` where it is not the entity's name (builtin.datetimeV2.date, ...)


@dataclass
class PrebuiltValue:
    """A prebuilt entity's value as LUIS answers it: `v3` the v3 value element, `v2` the v2 `resolution`."""
    v3: object
    v2: dict
    type: str  # builtin.number, builtin.currency, builtin.datetimeV2.date, ...


@dataclass
class Prediction:
    intents: dict[str, float]  # every intent, softmax probabilities, best first
    entities: list[EntitySpan]

    @property
    def top_intent(self) -> str:
        return next(iter(self.intents))
