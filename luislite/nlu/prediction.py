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
    kind: str = "ml"
    resolution: object = None


@dataclass
class Prediction:
    intents: dict[str, float]  # every intent, softmax probabilities, best first
    entities: list[EntitySpan]

    @property
    def top_intent(self) -> str:
        return next(iter(self.intents))
