"""Phrase lists as model features: which words each list matches, and which models it is a feature of.

Each phrase list in use gives every word two 0/1 channels: the word begins a match of one of the list's phrases,
or continues one (whole tokens, ignoring case, longest match first, as list entities match). `JointBert` adds to
each intent's and each slot tag's logit a learned weight per channel, masked so that a list counts only for the
models it is a feature of: every model when it is global (`enabledForAllModels`), else the intents, entities and
children that name it among their `features`. So a phrase list teaches the model that its words (all of them, not
only those seen in examples) signal an intent or an entity. An interchangeable list (`mode: true`, LUIS's
synonyms) also teaches by example: training swaps its matches for other phrases of the list (`fit.swap_phrases`).
A required phrase list (`isRequired` on an ML entity or child) is enforced at prediction by `recognizer.merge`: a
span that overlaps no match of the list is dropped.
Inactive lists (`activated: false`) and lists no model uses are left out, as in LUIS.
"""
from __future__ import annotations

import numpy as np

from luislite.domain.appversion import AppVersion, MLEntity
from luislite.nlu.prediction import EntitySpan
from luislite.nlu.rules.lists import PhraseTable, word_key
from luislite.nlu.tags import TagSet
from luislite.domain.tokens import Token, tokenize

CHANNELS = 2  # per list: a match begins on the word, a match continues on it


class PhraseLists:
    def __init__(self, lists: list[dict], culture: str = "en-us"):
        self.lists = lists  # [{"name", "phrases", "global", "interchangeable"}], in channel order
        self.culture = culture
        self.tables = []
        for phrase_list in lists:
            table = PhraseTable(culture)
            for phrase in phrase_list["phrases"]:
                table.add(phrase, phrase_list["name"])
            self.tables.append(table)

    @classmethod
    def from_version(cls, version: AppVersion) -> PhraseLists:
        used = {name.lower() for features in _model_features(version).values() for name in features}
        return cls([{"name": p.name, "phrases": p.phrases, "global": p.enabled_for_all_models,
                     "interchangeable": p.interchangeable} for p in version.phraselists
                    if p.active and (p.enabled_for_all_models or p.name.lower() in used)], version.culture)

    def __len__(self) -> int:
        return len(self.lists)

    @property
    def channels(self) -> int:
        return CHANNELS * len(self.lists)

    def find(self, words: list[str]) -> list[tuple[int, int, int]]:
        """(list, first word, words) of every match in `words`."""
        keys = [word_key(w) for w in words]
        return [(n, i, length) for n, table in enumerate(self.tables) for i, length, _ in table.find(keys)]

    def alternatives(self, n: int) -> list[list[str]]:
        """The phrases of list `n` as words, if it is interchangeable (else none)."""
        if not self.lists[n].get("interchangeable"):
            return []
        return [words for phrase in self.lists[n]["phrases"]
                if (words := [t.text for t in tokenize(phrase, self.culture)])]

    def features(self, words: list[str], matches: list[tuple[int, int, int]] | None = None) -> np.ndarray:
        """(words, channels) 0/1 features, from `matches` when `find` has already been run on `words`."""
        out = np.zeros((len(words), self.channels), dtype=np.float32)
        for n, i, length in self.find(words) if matches is None else matches:
            out[i, CHANNELS * n] = 1
            out[i + 1:i + length, CHANNELS * n + 1] = 1
        return out

    def spans(self, tokens: list[Token], matches: list[tuple[int, int, int]]) -> list[EntitySpan]:
        """Each match of `find` on `tokens` as a span of kind "phraselist" (for required features; never an answer)."""
        return [EntitySpan(self.lists[n]["name"], tokens[i].start, tokens[i + length - 1].end, None, kind="phraselist")
                for n, i, length in matches]

    def intent_mask(self, version: AppVersion, intents: list[str]) -> np.ndarray:
        """(intents, channels): 1 where the list is a feature of the intent."""
        features = _model_features(version)
        return np.array([self._mask(features.get(("intent", name.lower()), set())) for name in intents],
                        dtype=np.float32).reshape(len(intents), self.channels)

    def slot_masks(self, version: AppVersion, tagset: TagSet) -> list[np.ndarray]:
        """Per tag layer, (tags, channels): 1 where the list is a feature of the tag's entity (O: none)."""
        features = _model_features(version)
        masks = []
        for layer in tagset.layers:
            rows = [[0.0] * self.channels]
            for slot in layer:
                row = self._mask(features.get(("entity",) + tuple(p.lower() for p in slot.path), set()))
                rows += [row, row]  # B- and I-
            masks.append(np.array(rows, dtype=np.float32))
        return masks

    def _mask(self, names: set[str]) -> list[float]:
        return [1.0 if p["global"] or p["name"].lower() in names else 0.0 for p in self.lists for _ in range(CHANNELS)]


def _model_features(version: AppVersion) -> dict[tuple[str, ...], set[str]]:
    """("intent", name) or ("entity", *path) -> the lowercased names of the phrase lists that are its features."""
    out = {("intent", i.name.lower()): _names(i.features) for i in version.intents}

    def walk(path: tuple[str, ...], node) -> None:
        out[("entity",) + path] = _names(node.features)
        for child in node.children:
            walk(path + (child.name.lower(),), child)
    for entity in version.entities_of(MLEntity):
        walk((entity.name.lower(),), entity)
    return out


def _names(features) -> set[str]:
    return {f.feature_name.lower() for f in features if f.feature_name}
