"""LUIS's deterministic features: list, regex and prebuilt entity parsers, patterns, and what merging needs to know.

Each parser is a small class built `from_version(version)` with `parse(text) -> list[EntitySpan]`, in the manner
of Snips NLU. `Rules` gathers those an app needs. Training writes the parts of the version they need into the
artifact as `rules.json` (LUIS app JSON without utterances), so a trained artifact answers with
the lists, regexes and patterns of the version it was trained on: sublist edits take effect after the next train.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from luislite.domain.appversion import AppVersion, CompositeEntity, MLEntity, PrebuiltEntity
from luislite.nlu.prediction import EntitySpan
from luislite.nlu.rules.lists import ListParser
from luislite.nlu.rules.patterns import PatternMatch, PatternMatcher
from luislite.nlu.rules.prebuilt import MODELS, PrebuiltParser
from luislite.nlu.rules.regexes import RegexParser

RULES_FILE = "rules.json"


def rules_json(version: AppVersion) -> dict:
    """What `Rules` needs of a version, as LUIS app JSON (entities, patterns, phrase lists), without utterances."""
    return version.to_luis() | {"utterances": []}


class Rules:
    def __init__(self, version: AppVersion):
        self.lists = ListParser.from_version(version)
        self.regexes = RegexParser.from_version(version)
        self.prebuilts = PrebuiltParser.from_version(version)
        self.patterns = PatternMatcher.from_version(version)
        # entity name, lowercased -> (its name, its span kind)
        self.span_kinds = {e.name.lower(): (e.name, e.kind.span_kind) for e in version.entities}
        # composite name -> its children's names ("Parent::Child" for a child of an ML entity), lowercased
        self.composites = {c.name.lower(): [n.lower() for n in c.children]
                           for c in version.entities_of(CompositeEntity)}
        # ML entity or child path (lowercased names) -> entities that must be found on it: its `instanceOf`, and
        # the models among its required features; the first is `instanceOf`, whose value the span takes
        self.required: dict[tuple[str, ...], list[str]] = {}
        self.instance_of: dict[tuple[str, ...], str] = {}
        # ... and the active phrase lists that must match on it (required phrase-list features)
        self.required_phrases: dict[tuple[str, ...], list[str]] = {}
        self._active = {p.name.lower() for p in version.phraselists if p.active}
        recognizable = {e.name.lower() for e in version.entities
                        if e.kind.rule_based and (not isinstance(e, PrebuiltEntity) or e.name in MODELS)}
        recognizable |= {e.name.lower() for e in version.entities_of(MLEntity)}
        for entity in version.entities_of(MLEntity):
            self._constraints((entity.name.lower(),), entity, recognizable)

    def _constraints(self, path: tuple[str, ...], node, recognizable: set[str]) -> None:
        needs = [f.model_name.lower() for f in node.features if f.model_name and f.is_required]
        instance_of = getattr(node, "instance_of", None)
        if instance_of:
            self.instance_of[path] = instance_of.lower()
            needs.insert(0, instance_of.lower())
        needs = [n for n in dict.fromkeys(needs) if n in recognizable]  # an unsupported prebuilt never suppresses
        if needs:
            self.required[path] = needs
        phrases = [f.feature_name.lower() for f in node.features if f.feature_name and f.is_required]
        if phrases := [p for p in phrases if p in self._active]:
            self.required_phrases[path] = phrases
        for child in node.children:
            self._constraints(path + (child.name.lower(),), child, recognizable)

    @classmethod
    def load(cls, path: Path) -> Rules:
        return cls(AppVersion.from_luis(json.loads(Path(path).read_text())))

    def parse(self, text: str, reference: dt.datetime | None = None) -> list[list[EntitySpan]]:
        """Spans of every list, regex and prebuilt entity, one list per parser."""
        found = [p.parse(text) for p in (self.lists, self.regexes) if p]
        if self.prebuilts:
            found.append(self.prebuilts.parse(text, reference))
        return found

    def match(self, text: str, spans: list[EntitySpan]) -> PatternMatch | None:
        return self.patterns.match(text, spans) if self.patterns else None
