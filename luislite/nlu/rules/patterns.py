"""Patterns: `book a flight to {City}[?]`, `{Device:role} (on|off) [please]`, pattern.any and explicit lists.

A pattern is parsed once into elements: words (its literal text, as LUIS tokens without punctuation), entity
slots `{Entity}` / `{Entity:role}`, optional groups `[...]` and alternatives `(a|b)`. It matches when it covers
the whole utterance, ignoring case and punctuation between elements. A slot of a list, regex or prebuilt entity
takes one of that entity's spans found by the rule parsers; a machine-learned entity's slot prefers a span the
model found and otherwise takes any words, like a pattern.any slot. Pattern.any slots take the fewest words that
let the rest match (every split is tried, so an explicit-list item is matched like any other words).
When several patterns match, the one with the most literal words wins, then the one whose free slots took fewest
words. Matching is bounded (`MAX_STEPS`) so a pattern full of slots cannot run away on a long utterance.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from luislite.domain.appversion import AppVersion, MLEntity
from luislite.nlu.prediction import EntitySpan
from luislite.domain.tokens import Token, tokenize

MAX_STEPS = 20_000
log = logging.getLogger(__name__)


@dataclass
class Word:
    text: str


@dataclass
class Slot:
    entity: str
    role: str | None
    kind: str  # "rule" (list/regex/prebuilt), "ml", "any" (pattern.any, composite)


@dataclass
class Optional_:
    elements: list


@dataclass
class Choice:
    options: list[list]


@dataclass
class PatternMatch:
    intent: str
    spans: list[EntitySpan]
    pattern: str


class PatternSyntaxError(ValueError):
    pass


def parse_pattern(pattern: str, kinds: dict[str, tuple[str, str]], culture: str = "en-us") -> list:
    """Elements of a pattern of an app of `culture`; `kinds` maps lowercased entity names to (name as defined,
    slot kind)."""
    elements, at = _sequence(pattern, 0, kinds, stops="", culture=culture)
    if at != len(pattern):
        raise PatternSyntaxError(f"unexpected '{pattern[at]}' at {at}")
    return elements


def _sequence(pattern: str, at: int, kinds: dict, stops: str, culture: str) -> tuple[list, int]:
    elements, text = [], ""

    def flush():
        nonlocal text
        elements.extend(Word(t.text.casefold()) for t in tokenize(text, culture) if t.text.isalnum())
        text = ""

    while at < len(pattern) and pattern[at] not in stops:
        char = pattern[at]
        if char == "\\" and at + 1 < len(pattern):
            text += pattern[at + 1]
            at += 2
        elif char == "{":
            flush()
            end = pattern.find("}", at)
            if end < 0:
                raise PatternSyntaxError("unclosed '{'")
            name, _, role = pattern[at + 1:end].partition(":")
            defined = kinds.get(name.strip().lower())
            if defined is None:
                raise PatternSyntaxError(f"unknown entity '{name.strip()}'")
            elements.append(Slot(defined[0], role.strip() or None, defined[1]))
            at = end + 1
        elif char == "[":
            flush()
            inner, at = _sequence(pattern, at + 1, kinds, "]", culture)
            if at >= len(pattern):
                raise PatternSyntaxError("unclosed '['")
            if inner:
                elements.append(Optional_(inner))
            at += 1
        elif char == "(":
            flush()
            options = []
            at += 1
            while True:
                inner, at = _sequence(pattern, at, kinds, "|)", culture)
                options.append(inner)
                if at >= len(pattern):
                    raise PatternSyntaxError("unclosed '('")
                at += 1
                if pattern[at - 1] == ")":
                    break
            elements.append(Choice(options))
        elif char in "]})|":
            raise PatternSyntaxError(f"unexpected '{char}'")
        else:
            text += char
            at += 1
    flush()
    return elements, at


class _Budget(Exception):
    pass


@dataclass
class _Fill:
    slot: Slot
    start: int
    end: int
    span: EntitySpan | None  # the rule or model span the slot took, if any
    free: int  # words taken freely (pattern.any, or an ML slot without a model span)


class CompiledPattern:
    def __init__(self, text: str, intent: str, elements: list):
        self.text, self.intent, self.elements = text, intent, elements

    def match(self, words: list[Token], spans: dict[str, list[EntitySpan]]) -> tuple[tuple, list[_Fill]] | None:
        """(rank, slot fillings) of the first way this pattern covers all `words`, or None."""
        self._steps, self._words, self._spans = 0, words, spans
        self._ends = {w.end: n + 1 for n, w in enumerate(words)}
        try:
            for end, fills in self._sequence(self.elements, 0, 0):
                if _skip(words, end) == len(words):
                    in_slots = sum(1 for w in words for f in fills if w.text.isalnum() and f.start <= w.start < f.end)
                    literal = sum(1 for w in words if w.text.isalnum()) - in_slots
                    return (literal, -sum(f.free for f in fills)), list(fills)
        except _Budget:
            log.warning("pattern '%s' gave up on an utterance of %d words", self.text, len(words))
        finally:
            self._words = self._spans = self._ends = None
        return None

    def _sequence(self, elements: list, k: int, at: int):
        if k == len(elements):
            yield at, ()
            return
        for position in dict.fromkeys((_skip(self._words, at), at)):  # punctuation may sit between elements
            for end, fills in self._element(elements[k], position):
                for last, more in self._sequence(elements, k + 1, end):
                    yield last, fills + more

    def _element(self, element, at: int):
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise _Budget
        words = self._words
        if isinstance(element, Word):
            if at < len(words) and words[at].text.casefold() == element.text:
                yield at + 1, ()
        elif isinstance(element, Optional_):
            yield from self._sequence(element.elements, 0, at)
            yield at, ()
        elif isinstance(element, Choice):
            for option in element.options:
                yield from self._sequence(option, 0, at)
        elif at < len(words):
            yield from self._slot(element, at)

    def _slot(self, slot: Slot, at: int):
        words, start = self._words, self._words[at].start
        if slot.kind in ("rule", "ml"):
            for span in self._spans.get(slot.entity.lower(), ()):
                if span.start == start and span.end in self._ends:
                    yield self._ends[span.end], (_Fill(slot, span.start, span.end, span, 0),)
        if slot.kind == "any" and words[at].text.isalnum():
            for end in range(at + 1, len(words) + 1):
                if words[end - 1].text.isalnum():
                    yield end, (_Fill(slot, start, words[end - 1].end, None, end - at),)


def _skip(words: list[Token], at: int) -> int:
    while at < len(words) and not words[at].text.isalnum():
        at += 1
    return at


class PatternMatcher:
    """Every pattern of an app; `match(text, spans)` -> the best PatternMatch or None."""

    def __init__(self, patterns: list[CompiledPattern], culture: str = "en-us"):
        self.patterns = patterns
        self.culture = culture

    @classmethod
    def from_version(cls, version: AppVersion) -> PatternMatcher | None:
        kinds = {}
        for entity in version.entities:
            kind = "rule" if entity.kind.rule_based else "ml" if isinstance(entity, MLEntity) else "any"
            kinds[entity.name.lower()] = (entity.name, kind)
        compiled = []
        for pattern in version.patterns:
            intent = version.intent(pattern.intent)
            try:
                elements = parse_pattern(pattern.pattern, kinds, version.culture)
            except PatternSyntaxError as error:
                log.warning("pattern '%s' is ignored: %s", pattern.pattern, error)
                continue
            if intent and elements:
                compiled.append(CompiledPattern(pattern.pattern, intent.name, elements))
        return cls(compiled, version.culture) if compiled else None

    def match(self, text: str, spans: list[EntitySpan]) -> PatternMatch | None:
        words = tokenize(text, self.culture)
        if not any(w.text.isalnum() for w in words):
            return None
        by_entity: dict[str, list[EntitySpan]] = {}
        for span in sorted(spans, key=lambda s: s.start - s.end):  # longest first
            by_entity.setdefault(span.entity.lower(), []).append(span)
        best = None
        for pattern in self.patterns:
            found = pattern.match(words, by_entity)
            if found and (best is None or found[0] > best[0]):
                best = (found[0], pattern, found[1])
        if best is None:
            return None
        _, pattern, fills = best
        return PatternMatch(pattern.intent, [_span(fill) for fill in fills], pattern.text)


def _span(fill: _Fill) -> EntitySpan:
    slot = fill.slot
    if fill.span is not None:
        return replace(fill.span, role=slot.role or fill.span.role)
    kind = {"any": "pattern.any", "ml": "ml"}[slot.kind]
    return EntitySpan(slot.entity, fill.start, fill.end, None, slot.role, kind=kind)
