"""List (closed-list) entities: canonical forms and synonyms matched exactly on whole LUIS tokens.

Matching ignores case (and diacritics' composition form); within one list the longest match wins, left to right,
and different lists may match overlapping text. Text matching several sublists resolves to all their canonical
forms, in sublist order.
"""
from __future__ import annotations

import unicodedata

from luislite.appversion import AppVersion, ListEntity
from luislite.nlu.prediction import EntitySpan
from luislite.tokens import tokenize


def _key(text: str) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", t.text).casefold() for t in tokenize(text))


class ListMatcher:
    """One list entity: token sequence -> canonical forms."""

    def __init__(self, entity: ListEntity):
        self.name = entity.name
        self.table: dict[tuple[str, ...], list[str]] = {}
        for sublist in entity.sublists:
            for phrase in [sublist.canonical_form, *sublist.synonyms]:
                key = _key(phrase)
                if key and sublist.canonical_form not in self.table.setdefault(key, []):
                    self.table[key].append(sublist.canonical_form)
        self.longest = max(map(len, self.table), default=0)

    def parse(self, words: list, keys: list[str]) -> list[EntitySpan]:
        spans, i = [], 0
        while i < len(keys):
            for n in range(min(self.longest, len(keys) - i), 0, -1):
                canonical = self.table.get(tuple(keys[i:i + n]))
                if canonical:
                    spans.append(EntitySpan(self.name, words[i].start, words[i + n - 1].end, None, kind="list",
                                            resolution=list(canonical)))
                    i += n
                    break
            else:
                i += 1
        return spans


class ListParser:
    """Every list entity of an app."""

    def __init__(self, matchers: list[ListMatcher]):
        self.matchers = matchers

    @classmethod
    def from_version(cls, version: AppVersion) -> ListParser | None:
        matchers = [ListMatcher(e) for e in version.entities_of(ListEntity)]
        return cls(matchers) if matchers else None

    def parse(self, text: str) -> list[EntitySpan]:
        words = tokenize(text)
        keys = [unicodedata.normalize("NFC", w.text).casefold() for w in words]
        return [span for matcher in self.matchers for span in matcher.parse(words, keys)]
