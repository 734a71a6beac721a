"""List (closed-list) entities: canonical forms and synonyms matched exactly on whole LUIS tokens.

Matching ignores case (and diacritics' composition form); within one list the longest match wins, left to right,
and different lists may match overlapping text. Text matching several sublists resolves to all their canonical
forms, in sublist order.
"""
from __future__ import annotations

import unicodedata

from luislite.domain.appversion import AppVersion, ListEntity
from luislite.nlu.prediction import EntitySpan
from luislite.domain.tokens import tokenize


def key(text: str, culture: str = "en-us") -> tuple[str, ...]:
    """How a phrase is looked up: its LUIS tokens in `culture`, NFC-normalised and casefolded."""
    return tuple(word_key(t.text) for t in tokenize(text, culture))


def word_key(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


class PhraseTable:
    """Phrases (as token keys) -> values; `find` takes the longest match at each position, left to right."""

    def __init__(self, culture: str = "en-us"):
        self.table: dict[tuple[str, ...], list] = {}
        self.longest = 0
        self.culture = culture

    def add(self, phrase: str, value) -> None:
        phrase_key = key(phrase, self.culture)
        if phrase_key and value not in self.table.setdefault(phrase_key, []):
            self.table[phrase_key].append(value)
            self.longest = max(self.longest, len(phrase_key))

    def find(self, keys: list[str]) -> list[tuple[int, int, list]]:
        """(first word, words, values) of each match in `keys` (words' keys)."""
        matches, i = [], 0
        while i < len(keys):
            for n in range(min(self.longest, len(keys) - i), 0, -1):
                values = self.table.get(tuple(keys[i:i + n]))
                if values:
                    matches.append((i, n, values))
                    i += n
                    break
            else:
                i += 1
        return matches


class ListMatcher:
    """One list entity: its canonical forms and synonyms -> canonical forms."""

    def __init__(self, entity: ListEntity, culture: str = "en-us"):
        self.name = entity.name
        self.phrases = PhraseTable(culture)
        for sublist in entity.sublists:
            for phrase in [sublist.canonical_form, *sublist.synonyms]:
                self.phrases.add(phrase, sublist.canonical_form)

    def parse(self, words: list, keys: list[str]) -> list[EntitySpan]:
        return [EntitySpan(self.name, words[i].start, words[i + n - 1].end, None, kind="list", resolution=list(values))
                for i, n, values in self.phrases.find(keys)]


class ListParser:
    """Every list entity of an app."""

    def __init__(self, matchers: list[ListMatcher], culture: str = "en-us"):
        self.matchers = matchers
        self.culture = culture

    @classmethod
    def from_version(cls, version: AppVersion) -> ListParser | None:
        matchers = [ListMatcher(e, version.culture) for e in version.entities_of(ListEntity)]
        return cls(matchers, version.culture) if matchers else None

    def parse(self, text: str) -> list[EntitySpan]:
        words = tokenize(text, self.culture)
        keys = [word_key(w.text) for w in words]
        return [span for matcher in self.matchers for span in matcher.parse(words, keys)]
