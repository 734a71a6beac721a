"""Regex entities: each pattern compiled once, matched case-insensitively on whole LUIS tokens, within a time bound.

LUIS regexes are .NET syntax; the `regex` package reads nearly all of it. A match must begin and end on token
boundaries (`[a-z]{3}` finds "lax" in "fly to lax", never "fli" inside "flights"). Each search
may run at most `TIMEOUT` seconds, so a catastrophic pattern or query costs that much and finds nothing.
"""
from __future__ import annotations

import logging

import regex

from luislite.domain.appversion import AppVersion, RegexEntity
from luislite.nlu.prediction import EntitySpan

TIMEOUT = 0.05  # seconds per entity and query
log = logging.getLogger(__name__)
_WORD = r"[\p{L}\p{M}\p{N}]"
# a token boundary on each side: not inside a run of letters and digits
_BEFORE, _AFTER = rf"(?:(?<!{_WORD})|(?!{_WORD}))", rf"(?:(?!{_WORD})|(?<!{_WORD}))"


class RegexMatcher:
    def __init__(self, entity: RegexEntity):
        self.name = entity.name
        try:
            self.pattern = regex.compile(f"{_BEFORE}(?:{entity.regex_pattern}){_AFTER}", regex.IGNORECASE | regex.V0)
        except (regex.error, RecursionError, OverflowError):
            self.pattern = None
            log.warning("regex entity %s: pattern %r does not compile; it never matches", entity.name,
                        entity.regex_pattern)

    def parse(self, text: str) -> list[EntitySpan]:
        if self.pattern is None:
            return []
        try:
            return [EntitySpan(self.name, m.start(), m.end(), None, kind="regex")
                    for m in self.pattern.finditer(text, timeout=TIMEOUT) if m.end() > m.start()]
        except TimeoutError:
            log.warning("regex entity %s timed out on a query of %d characters", self.name, len(text))
            return []


class RegexParser:
    def __init__(self, matchers: list[RegexMatcher]):
        self.matchers = matchers

    @classmethod
    def from_version(cls, version: AppVersion) -> RegexParser | None:
        matchers = [RegexMatcher(e) for e in version.entities_of(RegexEntity)]
        return cls(matchers) if matchers else None

    def parse(self, text: str) -> list[EntitySpan]:
        return [span for matcher in self.matchers for span in matcher.parse(text)]
