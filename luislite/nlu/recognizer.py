"""A trained artifact served with onnxruntime and tokenizers only (no torch): `predict(text) -> Prediction`.

The artifact's rule-based recognizers (list, regex, prebuilt entities and patterns, `rules.json`; see
`luislite.nlu.rules`) run next to the model, and `merge` combines their spans with the model's. More parsers
plug in as `parsers`: objects with `parse(text) -> list[EntitySpan]`.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import numpy as np
from safetensors.numpy import load_file

from luislite.domain.legacy import HIERARCHY_SEPARATOR
from luislite.domain.tokens import Token
from luislite.nlu import shared
from luislite.nlu.features import PhraseLists
from luislite.nlu.prediction import EntitySpan, Prediction, RequestEntities
from luislite.nlu.rules import RULES_FILE, Rules
from luislite.nlu.rules.lists import ListMatcher, ListParser
from luislite.nlu.rules.patterns import PatternMatch
from luislite.nlu.tags import TagSet
from luislite.nlu.tokenize import (MARKED, WORDS, Boundaries, Encoding, covering, encode_words, load_tokenizer,
                                   spaces, words)


class Parser(Protocol):
    def parse(self, text: str) -> list[EntitySpan]: ...


class Network(Protocol):
    def __call__(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Intent logits (batch, intents), then each tag layer's slot logits (batch, sub-tokens, tags), of
        `input_ids`, `attention_mask` and, with phrase lists, `features` (batch, sub-tokens, channels)."""

    def prototype_scores(self, inputs: dict[str, np.ndarray]) -> np.ndarray | float:
        """What the intents' prototypes add to the intent logits (batch, intents); 0 without prototypes."""


class AdaptedNetwork:
    """An app's adapters and heads on its base model's shared graph: the encoder runs in the graph, the heads
    (and phrase-list weights) in numpy."""

    def __init__(self, encoder: shared.SharedEncoder, weights: dict[str, np.ndarray], pooling: str):
        self.encoder = encoder
        rank = next(array.shape[0] for name, array in weights.items() if name.endswith(".A"))
        self.adapters = {name: weights[name] if name in weights else
                         _zeros((rank, side) if name.endswith(".A") else (side, rank))
                         for name, side in encoder.inputs.items()}  # a layer without adapters: zeros of the same rank
        self.heads = {name: array for name, array in weights.items() if name not in self.adapters}
        self.prototypes = self.heads.pop("intent.prototypes", None)  # (intents, hidden), scaled by their weight
        self.frozen = {name: _zeros(matrix.shape) for name, matrix in self.adapters.items()}  # the pretrained encoder
        self.pooling = pooling
        self.depths = sum(name.endswith(".bias") and name.startswith("slots.") for name in self.heads)

    def __call__(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        mask = inputs["attention_mask"]
        hidden = self.encoder.hidden(inputs["input_ids"], mask, self.adapters)
        sentence = hidden[:, 0] if self.pooling == "cls" else _mean(hidden, mask)
        intents = self._linear("intent", sentence)
        slots = [self._linear(f"slots.{depth}", hidden) for depth in range(self.depths)]
        if "features" in inputs:
            intents = intents + inputs["features"].max(1) @ self.heads["intent.features"].T
            slots = [logits + inputs["features"] @ self.heads[f"slots.{depth}.features"].T
                     for depth, logits in enumerate(slots)]
        return [intents, *slots]

    def prototype_scores(self, inputs: dict[str, np.ndarray]) -> np.ndarray | float:
        """The cosine of the pretrained encoder's sentence vector (the shared graph fed no adapters: a second
        pass) with each intent's prototype, times their weight (`fit.prototypes`); 0 without prototypes."""
        if self.prototypes is None:
            return 0.0
        sentence = _mean(self.encoder.hidden(inputs["input_ids"], inputs["attention_mask"], self.frozen),
                         inputs["attention_mask"])
        return sentence / np.maximum(np.linalg.norm(sentence, axis=-1, keepdims=True), 1e-12) @ self.prototypes.T

    def _linear(self, head: str, x: np.ndarray) -> np.ndarray:
        return x @ self.heads[f"{head}.weight"].T + self.heads[f"{head}.bias"]


def _mean(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the hidden states (batch, tokens, hidden) over the tokens `mask` keeps."""
    weights = mask[..., None].astype(hidden.dtype)
    return (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1)


@functools.lru_cache(maxsize=1024)
def _zeros(shape: tuple[int, int]) -> np.ndarray:
    """A zero matrix, one per shape and process, shared by the apps that feed it."""
    return np.zeros(shape, dtype=np.float16)


class GraphNetwork:
    """A format-1 artifact's own ONNX graph: a whole fine-tuned encoder with its heads."""

    def __init__(self, session):
        self.session = session

    def __call__(self, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        return self.session.run(None, inputs)

    def prototype_scores(self, inputs: dict[str, np.ndarray]) -> float:
        return 0.0


PATTERN_SCORE = 0.99  # the least score of the intent of a matching pattern
SURE = 0.99  # a head this sure of its top intent is not second-guessed by the prototypes (`Recognizer.intent_logits`)


class Recognizer:
    def __init__(self, network: Network, tokenizer, labels: dict, parsers: list[Parser] = (),
                 rules: Rules | None = None):
        self.network = network
        self.tokenizer = tokenizer
        self.intents: list[str] = labels["intents"]
        self.tagset = TagSet.from_json(labels["tags"])
        self.max_tokens: int = labels["max_tokens"]
        self.culture: str = labels.get("culture", "en-us")  # older artifacts: English
        self.word_input: str = labels.get("word_input") or (MARKED if labels.get("word_marks") else WORDS)
        self.boundaries = Boundaries(**labels.get("boundaries", {}))
        self.phrases = PhraseLists(labels.get("phraselists", []), self.culture)
        self.parsers = list(parsers)
        self.rules = rules

    @classmethod
    def load(cls, artifact_dir: Path, parsers: list[Parser] = (), model: str | None = None,
             threads: int = 1, cache: Path | None = None) -> Recognizer:
        """Serve `artifact_dir` on `threads` onnxruntime intra-op threads: its adapters on its base model's shared
        graph (from the encoder `cache`), or a format-1 artifact's own ONNX graph (`labels.json` "serve", or the
        file named `model`)."""
        artifact_dir = Path(artifact_dir)
        labels = json.loads((artifact_dir / "labels.json").read_text())
        rules = Rules.load(artifact_dir / RULES_FILE) if (artifact_dir / RULES_FILE).exists() else None  # older: none
        if labels.get("format", 1) >= 2:
            encoder = shared.get(labels["encoder"], cache, threads)
            network = AdaptedNetwork(encoder, load_file(artifact_dir / labels["serve"]), labels["pooling"])
            return cls(network, encoder.tokenizer, labels, parsers, rules)
        network = GraphNetwork(shared.session(str(artifact_dir / (model or labels["serve"])), threads))
        return cls(network, load_tokenizer(artifact_dir / "tokenizer.json"), labels, parsers, rules)

    def entity(self, name: str) -> tuple[str, str] | None:
        """(name as the app spells it, span kind) of an entity of the app; None for an unknown name."""
        if self.rules is None:  # an artifact older than rules.json: any name, as machine-learned
            return name, "ml"
        return self.rules.span_kinds.get(name.lower())

    def predict(self, text: str, datetime_reference: dt.datetime | None = None,
                extra: RequestEntities | None = None) -> Prediction:
        """Intents and entities of `text`; relative dates resolve against `datetime_reference` (default: now);
        `extra` brings the request's dynamic lists and external entities."""
        tokens, encoding = self.encode(text)
        texts = [t.text for t in tokens]
        ids = np.array([encoding.input_ids], dtype=np.int64)
        inputs = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        kept = [i for i, position in enumerate(encoding.first) if position >= 0]
        positions = [encoding.first[i] for i in kept]
        matches = self.phrases.find(texts) if self.phrases else []
        if self.phrases:
            inputs["features"] = np.zeros((1, ids.shape[1], self.phrases.channels), dtype=np.float32)
            inputs["features"][0, positions] = self.phrases.features(texts, matches)[kept]
        intent_logits, *slot_logits = self.network(inputs)
        spans = self.tagset.decode(covering(tokens, encoding), [_log_softmax(l[0, positions]) for l in slot_logits])
        parsed = (self.rules.parse(text, datetime_reference) if self.rules else []) + \
            [p.parse(text) for p in self.parsers]
        if extra and extra.lists:
            parsed.append(ListParser([ListMatcher(e, self.culture) for e in extra.lists], self.culture).parse(text))
        pattern = None
        if self.rules:
            candidates = [s for s in spans if s.kind == "ml"] + [s for found in parsed for s in found]
            pattern = self.rules.match(text, candidates)
        intents = pattern_intents(self._intents(self.intent_logits(intent_logits[0], inputs)), pattern)
        entities = merge(spans, parsed, pattern, self.rules, self.phrases.spans(tokens, matches))
        if extra and extra.external:
            entities = with_external(entities, extra.external, extra.prefer_external)
        return Prediction(intents, entities)

    def encode(self, text: str) -> tuple[list[Token], Encoding]:
        """The LUIS tokens of `text` and their sub-tokens, read as this model read its training examples."""
        tokens = words(text, self.culture)
        return tokens, encode_words(self.tokenizer, [t.text for t in tokens], spaces(tokens), self.word_input,
                                    self.max_tokens, self.boundaries)

    def intent_logits(self, head: np.ndarray, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """The head's intent logits, plus the prototypes' scores unless the head is `SURE` of its top intent: on
        SNIPS 20/intent dev no such answer was changed by them, and 80 % of utterances were that sure (their second
        pass of the encoder saved)."""
        if np.exp(_log_softmax(head)).max() >= SURE:
            return head
        return head + np.ravel(self.network.prototype_scores(inputs))

    def _intents(self, logits: np.ndarray) -> dict[str, float]:
        probs = np.exp(_log_softmax(logits))
        return {self.intents[i]: float(probs[i]) for i in np.argsort(-probs, kind="stable")}


def merge(learned: list[EntitySpan], parsed: list[list[EntitySpan]], pattern: PatternMatch | None = None,
          rules: Rules | None = None, phrases: list[EntitySpan] = ()) -> list[EntitySpan]:
    """The one place where the model's spans meet the rule-based parsers' spans. Precedence, in order:

    1. Rule spans (list, regex, prebuilt) are always kept, next to the model's: LUIS answers them whatever the
       model says. Of spans of the same rule entity that overlap, the longest (then the first) is kept.
    2. A role of a rule entity comes from the model's role layer: a rule span overlapping a span the model tagged
       `Entity:role` takes that role (the role span itself is not an answer).
    3. A matching pattern decides (its intent is put on top by `pattern_intents`): its slots' spans, with the
       pattern's roles, replace the model's spans they overlap and the same entity's rule spans there.
    4. Machine-learned entities and children obey their constraints: one constrained to an entity (`instanceOf`,
       or a required model feature) is dropped unless a span of that entity overlaps it; with `instanceOf` it
       takes that span's offsets and value (a list's canonical forms, a prebuilt's resolution) and type.
       Constraints to prebuilts luislite cannot recognise (geographyV2, ...) are ignored. One with a required
       phrase list is dropped unless a match of the list (`phrases`) overlaps it.
    5. A composite span the model found takes as children every other top-level span inside it whose entity is
       one of its children (`Parent::Child` takes the child span of a `Parent` span); those spans then appear
       only inside it. A composite without any child is dropped.
    All spans come out in text order (start, then longest first).
    """
    roles = [s for s in learned if s.kind == "role"]
    composites = [s for s in learned if s.kind == "composite"]
    model = [s for s in learned if s.kind not in ("role", "composite")]
    found = [_with_role(s, roles) for s in _dedupe([span for spans in parsed for span in spans])]
    if pattern:
        model = [s for s in model if not any(_overlaps(s, p) for p in pattern.spans)]
        found = [s for s in found if not any(_overlaps(s, p) and s.entity.lower() == p.entity.lower()
                                             for p in pattern.spans)]
        found += [p for p in pattern.spans if p.kind != "ml"]
        model += [p for p in pattern.spans if p.kind == "ml"]
    spans = model + found
    if rules:
        spans = [c for s in model if (c := _constrain(s, (s.entity.lower(),), spans, rules, phrases))] + found
        spans = _compose(composites, spans, rules)
    return sorted(spans, key=_order)


def with_external(spans: list[EntitySpan], external: list[EntitySpan], prefer: bool) -> list[EntitySpan]:
    """The request's external entities among the predicted spans: preferred, they replace the spans of the same
    entity they overlap (LUIS's `preferExternalEntities`, the default); else they fill in only where the app did
    not find that entity."""
    def same(a: EntitySpan, b: EntitySpan) -> bool:
        return a.entity.lower() == b.entity.lower() and _overlaps(a, b)
    if prefer:
        spans = [s for s in spans if not any(same(s, e) for e in external)]
    else:
        external = [e for e in external if not any(same(e, s) for s in spans)]
    return sorted(spans + external, key=_order)


def pattern_intents(intents: dict[str, float], pattern: PatternMatch | None) -> dict[str, float]:
    """The model's intent scores, with a matching pattern's intent on top (at least PATTERN_SCORE; others scaled)."""
    if pattern is None:
        return intents
    score = max(intents.get(pattern.intent, 0.0), PATTERN_SCORE)
    rest = sum(v for k, v in intents.items() if k != pattern.intent)
    scale = (1 - score) / rest if rest else 0.0
    return {pattern.intent: score} | {k: v * scale for k, v in intents.items() if k != pattern.intent}


def _order(span: EntitySpan):
    return span.start, -span.end


def _overlaps(a: EntitySpan, b: EntitySpan) -> bool:
    return a.start < b.end and b.start < a.end


def _inside(a: EntitySpan, b: EntitySpan) -> bool:
    return b.start <= a.start and a.end <= b.end


def _dedupe(spans: list[EntitySpan]) -> list[EntitySpan]:
    kept: list[EntitySpan] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        if not any(k.entity.lower() == span.entity.lower() and _overlaps(k, span) for k in kept):
            kept.append(span)
    return kept


def _with_role(span: EntitySpan, roles: list[EntitySpan]) -> EntitySpan:
    if span.role:
        return span
    role = next((r for r in roles if r.entity.lower() == span.entity.lower() and _overlaps(r, span)), None)
    return replace(span, role=role.role) if role else span


def _constrain(span: EntitySpan, path: tuple[str, ...], spans: list[EntitySpan], rules: Rules,
               phrases: list[EntitySpan]) -> EntitySpan | None:
    """`span` (and its children) if its constraints hold, with the value of its `instanceOf` entity; else None."""
    for need in rules.required_phrases.get(path, ()):
        if not any(p.entity.lower() == need and _overlaps(p, span) for p in phrases):
            return None
    for need in rules.required.get(path, ()):
        candidates = [s for s in spans if s.entity.lower() == need and s is not span and _overlaps(s, span)]
        if not candidates:
            return None
        if need == rules.instance_of.get(path):
            best = max(candidates, key=lambda s: min(s.end, span.end) - max(s.start, span.start))
            span = replace(span, start=best.start, end=best.end, resolution=best.resolution,
                           type=best.type or best.entity)
    children = [c for child in span.children
                if (c := _constrain(child, path + (child.entity.lower(),), spans, rules, phrases))]
    return replace(span, children=children) if children != span.children else span


def _compose(composites: list[EntitySpan], spans: list[EntitySpan], rules: Rules) -> list[EntitySpan]:
    taken: set[int] = set()
    built = []
    for composite in composites:
        names = rules.composites.get(composite.entity.lower(), [])
        children = []
        for n, span in enumerate(spans):
            if n in taken:
                continue
            if span.entity.lower() in names and _inside(span, composite):
                children.append(span)
                taken.add(n)
                continue
            for child in span.children:
                if f"{span.entity}{HIERARCHY_SEPARATOR}{child.entity}".lower() in names and _inside(child, composite):
                    children.append(child)
        if children:
            built.append(replace(composite, children=sorted(children, key=_order)))
    return [s for n, s in enumerate(spans) if n not in taken] + built


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
