"""Slot tags of machine-learned entities: BIO per entity, role and child, one tag layer per nesting depth.

One BIO sequence cannot hold `Order` and, inside it, its children `Size` and `Quantity`, so depth d of the
entity tree gets its own layer (and its own head): layer 0 tags entities (`Order`, and `Order:role` for each
role), layer 1 their children (`Order/Size`), and so on. Tag 0 is O, 2i+1 is B- and 2i+2 is I- of slot i.
Decoding is Viterbi under BIO's rule (I-x only after B-x or I-x), with transition scores counted on the
training tags but tied across entities (O->B, B->I-same, I->B-same, ... : 3 x 4 numbers per layer), so
that a multi-word value is not cut in two even for an entity seen twice; and, because a few examples teach a
model words better than structure, an entity directly followed by another that never followed it in training
costs `UNSEEN_PAIR` more ("cle elum" is one city, not a city and then a state; chosen on SNIPS 20/intent's dev
split, benchmarks/RESULTS.md; artifacts older than it decode without). A child span is kept only inside a span
of its parent.

Two more layers follow the entity tree when an app needs them, because LUIS learns them from labels too:
a *composite* layer (a composite's span, and `Composite:role`; its children are found by `recognizer.merge`
among the other spans inside it) and a *role* layer for roles of list, regex and prebuilt entities
(`number:Quantity`): those entities are found by rules, and the model only says which role an occurrence has.
Their spans come out with `kind` "composite" and "role".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from luislite.domain.appversion import AppVersion, Child, CompositeEntity, Label, MLEntity
from luislite.nlu.prediction import EntitySpan
from luislite.domain.tokens import Token

UNSEEN_PAIR = -2.0  # log-score of an entity directly followed by another never seen following it in training


@dataclass(frozen=True)
class Slot:
    path: tuple[str, ...]  # ("Order",) for an entity, ("Order", "Size") for its child
    role: str | None = None
    kind: str = "ml"  # "ml" (the entity tree's layers), "composite" or "role" (one layer each, after the tree)

    @property
    def name(self) -> str:
        return "/".join(self.path) + (f":{self.role}" if self.role else "")


class TagSet:
    def __init__(self, layers: list[list[Slot]], transitions: list[list[list[int]]] | None = None,
                 pairs: list[list[list[int]]] | None = None):
        """`transitions`: tied transition counts per layer; `pairs`: per layer, the [slot, slot] pairs seen
        adjacent (None: every pair as the tied counts say, as in older artifacts)."""
        self.layers = layers
        self.transitions = transitions or [[[0] * 4 for _ in range(3)] for _ in layers]
        self.pairs = pairs
        self._index = [{_key(slot.path, slot.role): i for i, slot in enumerate(layer)} for layer in layers]
        self._transitions = [_transitions(len(layer), counts, pairs[d] if pairs else None)
                             for d, (layer, counts) in enumerate(zip(layers, self.transitions))]
        self.ml_depth = next((d for d, layer in enumerate(layers) if layer and layer[0].kind != "ml"), len(layers))

    @classmethod
    def from_version(cls, version: AppVersion) -> TagSet:
        layers: list[list[Slot]] = [[]]
        for entity in version.entities_of(MLEntity):
            layers[0] += [Slot((entity.name,))] + [Slot((entity.name,), role.name) for role in entity.roles]
            _add_children(layers, (entity.name,), entity.children)
        composites = [Slot((c.name,), role, "composite") for c in version.entities_of(CompositeEntity)
                      for role in [None] + [r.name for r in c.roles]]
        roles = [Slot((e.name,), r.name, "role") for e in version.entities if e.kind.rule_based for r in e.roles]
        return cls(layers + [layer for layer in (composites, roles) if layer])

    @classmethod
    def from_json(cls, doc: dict) -> TagSet:
        return cls([[Slot(tuple(s["path"]), s["role"], s.get("kind", "ml")) for s in layer] for layer in doc["layers"]],
                   doc["transitions"], doc.get("pairs"))

    def to_json(self) -> dict:
        def slot(s: Slot) -> dict:
            return {"path": list(s.path), "role": s.role} | ({"kind": s.kind} if s.kind != "ml" else {})
        return {"layers": [[slot(s) for s in layer] for layer in self.layers], "transitions": self.transitions} | \
            ({"pairs": self.pairs} if self.pairs is not None else {})

    def counted(self, tagged: list[list[list[int]]]) -> TagSet:
        """This tag set with what decoding learns from examples' tags (per example: per layer, per word): tied
        transition counts and the entity pairs seen adjacent."""
        counts = [[[0] * 4 for _ in range(3)] for _ in self.layers]
        pairs = [set() for _ in self.layers]
        for layers in tagged:
            for depth, tags in enumerate(layers):
                for previous, tag in zip([0] + tags, tags):
                    counts[depth][_kind(previous)][_move(previous, tag)] += 1
                spans = chunks(tags)
                pairs[depth].update((x, y) for (x, _, end), (y, start, _) in zip(spans, spans[1:]) if start == end + 1)
        return TagSet(self.layers, counts, [sorted(map(list, p)) for p in pairs])

    def sizes(self) -> list[int]:
        """Number of tags of each layer."""
        return [1 + 2 * len(layer) for layer in self.layers]

    def names(self, depth: int) -> list[str]:
        return ["O"] + [f"{bio}-{slot.name}" for slot in self.layers[depth] for bio in "BI"]

    # labels -> tags
    def tag(self, labels: list[Label], words: list[Token]) -> list[list[int]]:
        """Tag ids per layer and word; labels of entities without slots (not machine-learned) are left out."""
        tags = [[0] * len(words) for _ in self.layers]
        self._tag(labels, words, (), tags)
        flat = sorted(_walk(labels), key=lambda l: (l.start, l.start - l.end))
        for depth in range(self.ml_depth, len(self.layers)):  # composites, roles of rule entities: any label
            for label in flat:
                self._mark(tags[depth], self._index[depth].get(_key((label.entity,), label.role)), label, words)
        return tags

    def _tag(self, labels: list[Label], words: list[Token], parent: tuple[str, ...], tags: list[list[int]]):
        depth = len(parent)
        if depth >= self.ml_depth:
            return
        for label in sorted(labels, key=lambda l: (l.start, l.start - l.end)):
            slot = self._index[depth].get(_key(parent + (label.entity,), label.role if not parent else None))
            if self._mark(tags[depth], slot, label, words):
                self._tag(label.children, words, self.layers[depth][slot].path, tags)

    @staticmethod
    def _mark(tags: list[int], slot: int | None, label: Label, words: list[Token]) -> bool:
        """Tag the words of `label` as `slot` unless one of them is tagged already; whether it was tagged."""
        covered = [i for i, w in enumerate(words) if w.start < label.end and w.end > label.start]
        if slot is None or not covered or any(tags[i] for i in covered):
            return False
        for n, i in enumerate(covered):
            tags[i] = 2 * slot + (2 if n else 1)
        return True

    # scores -> spans
    def decode(self, words: list[Token], log_probs: list[np.ndarray]) -> list[EntitySpan]:
        """Entity spans (with children) from per-layer log-probabilities of shape (words, tags)."""
        parents: list[tuple[Slot, EntitySpan]] = []
        roots = []
        for depth, scores in enumerate(log_probs):
            spans = []
            for slot, a, b, score in self._spans(depth, scores):
                span = EntitySpan(slot.path[-1], words[a].start, words[b].end, score, slot.role, kind=slot.kind)
                if depth == 0 or slot.kind != "ml":
                    roots.append(span)
                else:
                    parent = _innermost(parents, slot.path[:-1], span)
                    if parent is None:
                        continue
                    parent.children.append(span)
                spans.append((slot, span))
            parents = spans
        return roots

    def best_tags(self, depth: int, scores: np.ndarray) -> np.ndarray:
        """The most likely valid BIO tag ids of a layer, from (words, tags) log-probabilities."""
        return viterbi(scores, self._transitions[depth])

    def _spans(self, depth: int, scores: np.ndarray):
        tags = self.best_tags(depth, scores)
        probs = np.exp(scores[np.arange(len(tags)), tags])
        for slot, a, b in chunks(tags):
            yield self.layers[depth][slot], a, b, float(probs[a:b + 1].mean())


def chunks(tags) -> list[tuple[int, int, int]]:
    """(slot index, first word, last word) of each B-x I-x... run in a sequence of tag ids."""
    found, i = [], 0
    while i < len(tags):
        if tags[i] % 2 == 1:
            j = i + 1
            while j < len(tags) and tags[j] == tags[i] + 1:
                j += 1
            found.append((int(tags[i]) // 2, i, j - 1))
            i = j
        else:
            i += 1
    return found


def _walk(labels: list[Label]):
    for label in labels:
        yield label
        yield from _walk(label.children)


def _key(path: tuple[str, ...], role: str | None) -> tuple:
    return tuple(p.lower() for p in path), role.lower() if role else None


def _add_children(layers: list[list[Slot]], path: tuple[str, ...], children: list[Child]) -> None:
    for child in children:
        if len(layers) == len(path):
            layers.append([])
        layers[len(path)].append(Slot(path + (child.name,)))
        _add_children(layers, path + (child.name,), child.children)


def _innermost(parents: list[tuple[Slot, EntitySpan]], path: tuple[str, ...], span: EntitySpan):
    inside = [p for slot, p in parents if slot.path == path and p.start <= span.start and span.end <= p.end]
    return min(inside, key=lambda p: p.end - p.start, default=None)


_O, _B_SAME, _B_OTHER, _I_SAME, _INVALID = range(5)


def _kind(tag: int) -> int:
    """0 for O, 1 for B-, 2 for I-."""
    return 0 if tag == 0 else 1 if tag % 2 else 2


def _move(previous: int, tag: int) -> int:
    """The tied transition class from `previous` to `tag`."""
    same = previous and (previous - 1) // 2 == (tag - 1) // 2
    if tag == 0:
        return _O
    if tag % 2:
        return _B_SAME if same else _B_OTHER
    return _I_SAME if same else _INVALID


def _transitions(slots: int, counts: list[list[int]], pairs: list[list[int]] | None = None) -> np.ndarray:
    """Log-transition matrix (from, to) of tied, add-one smoothed counts; I-x only after B-x or I-x; with `pairs`
    (the [x, y] seen adjacent), B-y directly after x costs `UNSEEN_PAIR` more where [x, y] is not among them.

    Row 0 (after O) also serves as the start of the utterance.
    """
    counts = np.array(counts, dtype=float) + 1
    log_probs = np.log(counts / counts.sum(1, keepdims=True))
    log_probs = np.concatenate([log_probs, np.full((3, 1), -np.inf)], axis=1)
    size = 1 + 2 * slots
    matrix = np.array([[log_probs[_kind(i), _move(i, j)] for j in range(size)] for i in range(size)])
    if pairs is not None:
        unseen = np.full((slots, slots), UNSEEN_PAIR)
        np.fill_diagonal(unseen, 0.0)  # the same entity again: the tied counts say
        for x, y in pairs:
            unseen[x, y] = 0.0
        matrix[1:, 1::2] += np.repeat(unseen, 2, axis=0)  # from B-x and I-x (rows 2x+1, 2x+2) to B-y (2y+1)
    return matrix


def viterbi(scores: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """The best tag sequence for (words, tags) log-scores under the allowed transitions."""
    if not len(scores):
        return np.zeros(0, dtype=int)
    best = scores[0] + transitions[0]
    back = []
    for row in scores[1:]:
        candidates = best[:, None] + transitions
        back.append(candidates.argmax(0))
        best = candidates.max(0) + row
    tags = [int(best.argmax())]
    for pointers in reversed(back):
        tags.append(int(pointers[tags[-1]]))
    return np.array(tags[::-1])
