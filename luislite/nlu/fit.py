"""Fine-tuning JointBert on a version's labeled utterances: examples, batches, schedule, early stopping, metrics."""
from __future__ import annotations

import copy
import functools
import math
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from collections.abc import Callable

import torch
from tokenizers import Tokenizer

from luislite.domain import cultures
from luislite.domain.appversion import AppVersion
from luislite.errors import AppVersionError
from luislite.nlu import adapters, artifact, shared, vocabulary
from luislite.nlu.encoder import base_model_dir, load_encoder, weights_digest
from luislite.nlu.features import PhraseLists
from luislite.nlu.model import IGNORE, JointBert
from luislite.nlu.rules import rules_json
from luislite.nlu.tags import Slot, TagSet, chunks
from luislite.nlu.tokenize import (MAX_TOKENS, NO_BOUNDARIES, RUNS, WORDS, Boundaries, encode_runs, encode_words,
                                   spaces, words)


DEEP = 12  # encoder layers from which `Recipe.deep_min_steps` applies
CJK_FROM = 0x2E80  # CJK radicals, kana, Hangul, CJK ideographs and beyond: scripts written without spaces


@dataclass
class Recipe:
    """How to train; the step budget and batch size follow from the number of examples (`plan`)."""
    rank: int = 16  # of the adapters (`nlu.adapters`) beside each linear layer of the frozen encoder
    alpha: float = 32.0  # adapters' updates are scaled by alpha / rank
    adapter_layers: int = 0  # adapters on this many top layers only (the rest need no backward pass); 0: all
    adapter_lr: float = 1e-3
    head_lr: float = 3e-3
    feature_lr: float = 3e-2  # phrase-list weights: one per label and list, starting from zero
    small_batch: int = 16
    large_batch: int = 32
    large_from: int = 2000  # examples from which batches are large
    min_steps: int = 300
    character_min_steps: int = 600  # cultures tokenized by characters (zh-cn, ko-kr): longer inputs, more to learn
    deep_min_steps: int = 600  # encoders of `DEEP` layers or more (the multilingual one): twice the adapters to learn
    min_epochs: int = 5
    warmup: float = 0.1
    weight_decay: float = 0.01
    augment: float = 0.3  # chance that an entity value (or an interchangeable phrase) is swapped for another
    pooling: str = "mean"
    bf16: bool = False  # bf16 autocast: slower than fp32 for adapters on small batches, even with native bf16
    validate_from: int = 1000  # utterances from which a validation split is held out for early stopping
    validation_share: float = 0.1
    max_validation: int = 700
    patience: int = 2
    quick_steps: int = 70  # the quick model's least steps (`quick`); 0: no quick model
    quick_batch: int = 16
    quick_adapter_lr: float = 3e-3
    quick_adapter_layers: int = 3
    quick_head_lr: float = 3e-3
    deep_quick_head_lr: float = 3e-2  # encoders of `DEEP` layers: at 3e-3 their quick model learned no intent
    prototype_weight: float = 20.0  # of the intents' prototypes in intent scores (`prototypes`); 0: none
    prototypes_below: int = 1000  # training examples from which the head alone scores intents
    underfit_slot_f1: float = 0.9  # slot F1 on its training examples below which a refined model is trained again
    name_prior: float = 0.0  # slot heads start at this times the vectors of their entities' names (`name_prior`)

    def plan(self, examples: int) -> tuple[int, int]:
        """(batch size, optimiser steps) for this many training examples."""
        batch = self.small_batch if examples < self.large_from else self.large_batch
        return batch, max(self.min_steps, self.min_epochs * math.ceil(examples / batch))

    def floored(self, culture: str, layers: int) -> Recipe:
        """This recipe with the step floor of `culture` and of an encoder of `layers` layers, and that encoder's
        quick head learning rate."""
        floors = [self.min_steps, self.deep_min_steps if layers >= DEEP else 0,
                  self.character_min_steps if cultures.of(culture).segmentation == "characters" else 0]
        quick_head_lr = self.deep_quick_head_lr if layers >= DEEP else self.quick_head_lr
        return replace(self, min_steps=max(floors), quick_head_lr=quick_head_lr)

    def again(self, first: dict) -> Recipe:
        """The recipe of a second try after a first (`learned`) that collapsed: half the learning rates; or that
        underfit its slots: the same (it learned too slowly, and half underfit more: RESULTS.md)."""
        return replace(self, adapter_lr=self.adapter_lr / 2, head_lr=self.head_lr / 2) if first["collapsed"] else self

    def quick(self, examples: int) -> Recipe | None:
        """The recipe of a model that answers within seconds while this one trains: smaller batches, one epoch or
        `quick_steps`, no validation; None where this recipe is no longer than that."""
        quick = replace(self, min_steps=self.quick_steps, min_epochs=1,
                        small_batch=self.quick_batch, adapter_lr=self.quick_adapter_lr, head_lr=self.quick_head_lr,
                        adapter_layers=self.quick_adapter_layers, validate_from=sys.maxsize)
        return quick if self.quick_steps and quick.plan(examples)[1] < self.plan(examples)[1] else None


@dataclass
class Example:
    words: list[str]
    intent: int
    tags: list[list[int]]  # per tag layer, per word
    spaces: list[bool]  # per word, whether whitespace comes before it


def train(version: AppVersion, out_dir: Path, base_model: Path | None = None,
          progress: Callable[[dict], None] | None = None, seed: int = 13, recipe: Recipe | None = None,
          threads: int | None = None, cache: Path | None = None, quick: bool = False) -> dict:
    """Train adapters of `base_model` (default: the culture's encoder) and heads on `version.utterances` with
    `threads` torch threads (default: every core but one), write the artifact to `out_dir` (and the base model's
    shared graph into the encoder `cache` if it is not there yet), and return training statistics; `quick`
    trains the recipe's quick model where it has one (statistics: `"quick": True`).

    Raises AppVersionError when the version has nothing to learn from (no example utterances).
    """
    intents = [intent.name for intent in version.intents]
    tagset = TagSet.from_version(version)
    examples = to_examples(version, intents, tagset)
    started = time.monotonic()
    threads = _set_threads(threads)
    rng = random.Random(seed)
    base_model = base_model_dir(base_model, version.culture)
    loaded, tokenizer = _loaded(base_model)
    recipe = (recipe or Recipe()).floored(version.culture, loaded.config.num_hidden_layers)
    faster = recipe.quick(len(examples)) if quick else None
    recipe = faster or recipe
    word_input, boundaries = WORDS, NO_BOUNDARIES
    if vocabulary.is_unigram(tokenizer):
        tokenizer = vocabulary.for_words(tokenizer)
        word_input, boundaries = RUNS, boundary_characters(tokenizer, examples)
    phrases = PhraseLists.from_version(version)
    train_set, validation = split(examples, recipe, rng)
    tagset = tagset.counted([e.tags for e in train_set])
    batcher = Batcher(tokenizer, phrases, word_input, boundaries)

    def attempt(seed: int, recipe: Recipe, rng: random.Random) -> tuple[JointBert, dict]:
        torch.manual_seed(seed)
        encoder, _ = pretrained(base_model)
        adapters.add(encoder, recipe.rank, recipe.alpha, recipe.adapter_layers)
        model = JointBert(encoder, len(intents), tagset.sizes(), recipe.pooling, features=phrases.channels)
        if recipe.name_prior:
            name_prior(model, loaded, batcher, tagset, recipe.name_prior)
        if phrases:
            model.set_feature_masks(phrases.intent_mask(version, intents), phrases.slot_masks(version, tagset))
        stats = fit(model, batcher, tagset, train_set, validation, recipe, rng, progress)
        if faster:  # a quick model is refined anyway: no second try, nothing to measure
            return model, stats
        return model, stats | {"fit": learned(model, batcher, tagset, train_set, recipe.underfit_slot_f1)}

    model, stats = attempt(seed, recipe, rng)
    first = stats.get("fit", {})
    if first.get("collapsed") or first.get("underfit"):
        again = recipe.again(first)
        retried = attempt(seed + 1, again, random.Random(seed + 1))
        fit_of = retried[1]["fit"]
        if fit_of["intent_accuracy"] + fit_of["slot_f1"] > first["intent_accuracy"] + first["slot_f1"]:
            (model, stats), seed, recipe = retried, seed + 1, again
        stats["retried"] = first  # the better kept: a collapse seen once in ~40 trainings, an underfit in ~15
    labels = {"intents": intents, "tags": tagset.to_json(), "phraselists": phrases.lists, "pooling": recipe.pooling,
              "max_tokens": MAX_TOKENS, "culture": version.culture, "word_input": word_input,
              "boundaries": boundaries._asdict(),
              "encoder": {"name": base_model.name, "digest": weights_digest(base_model), "path": str(base_model)},
              "seed": seed, "recipe": asdict(recipe)}
    shared.ensure(base_model, cache)
    weights = {}
    if recipe.prototype_weight and len(train_set) < recipe.prototypes_below:
        weights["intent.prototypes"] = recipe.prototype_weight * prototypes(loaded, batcher, train_set, len(intents))
    artifact.save(model, labels, Path(out_dir), rules_json(version), weights)
    return stats | {"examples": len(examples), "threads": threads, "quick": faster is not None,
                    "seconds": round(time.monotonic() - started, 1)}


def pretrained(base_model: Path) -> tuple[torch.nn.Module, Tokenizer]:
    """A copy of the base model to put adapters on, sharing its frozen weights with the process's one copy (loaded
    once per process), and its tokenizer."""
    encoder, tokenizer = _loaded(base_model)
    return copy.deepcopy(encoder, {id(p): p for p in encoder.parameters()}), tokenizer


@functools.lru_cache(maxsize=2)
def _loaded(base_model: Path) -> tuple[torch.nn.Module, Tokenizer]:
    return load_encoder(base_model)


@torch.no_grad()
def prototypes(encoder: torch.nn.Module, batcher: Batcher, examples: list[Example], intents: int,
               sample: int = 64) -> torch.Tensor:
    """Each intent's prototype (intents, hidden): the normalised mean of the pretrained encoder's normalised
    mean-pooled vectors of (up to `sample` of) its examples; zeros for an intent without any. Served beside the
    head (`recognizer.AdaptedNetwork.prototype_scores`): a sentence encoder's own sense of which examples an
    utterance is like, which a head trained on a few examples per intent does not have."""
    by_intent = [[e for e in examples if e.intent == i] for i in range(intents)]
    chosen = [e for members in by_intent if members for e in members[::math.ceil(len(members) / sample)]]
    sums = torch.zeros(intents, encoder.config.hidden_size)
    encoder.eval()
    for batch in batcher.batches(chosen, 64):
        ids, mask = batch["inputs"][:2]
        weights = mask.unsqueeze(-1).float()
        sentences = (encoder(input_ids=ids, attention_mask=mask).last_hidden_state * weights).sum(1) / weights.sum(1)
        sums.index_add_(0, batch["intents"], torch.nn.functional.normalize(sentences, dim=-1))
    return torch.nn.functional.normalize(sums, dim=-1)


@torch.no_grad()
def name_prior(model: JointBert, encoder: torch.nn.Module, batcher: Batcher, tagset: TagSet, scale: float) -> None:
    """Start each slot's B- and I- rows of the slot heads at `scale` times the pretrained encoder's vector of the
    slot's name (normalised, as an intent's `prototypes`): a word the encoder hears as "city" starts out a city.
    Opt-in: it helped some small English apps and hurt others and the multilingual encoder (RESULTS.md)."""
    for slots, head in zip(tagset.layers, model.slot_heads):
        names = [Example(words, i, [], [True] * len(words)) for i, words in enumerate(map(name_words, slots))]
        if names:
            head.weight[1::2] = head.weight[2::2] = scale * prototypes(encoder, batcher, names, len(names))


def name_words(slot: Slot) -> list[str]:
    """A slot's name as words: "object_name" is "object name", "Email.timeRange" "email time range" and the
    child "Size" of "Order" in the role "Large" "order size large"."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", slot.name)
    return [word.lower() for word in re.split(r"[\W_]+", spaced) if word] or ["entity"]


def to_examples(version: AppVersion, intents: list[str], tagset: TagSet) -> list[Example]:
    index = {name.lower(): i for i, name in enumerate(intents)}
    examples = []
    for utterance in version.utterances:
        if utterance.intent.lower() not in index:
            raise AppVersionError(f"The utterance '{utterance.text}' has the unknown intent '{utterance.intent}'.")
        tokens = words(utterance.text, version.culture)
        examples.append(Example([t.text for t in tokens], index[utterance.intent.lower()],
                                tagset.tag(utterance.labels, tokens), spaces(tokens)))
    if not examples:
        raise AppVersionError("The application version has no example utterances to train on.")
    return examples


def boundary_characters(tokenizer: Tokenizer, examples: list[Example]) -> Boundaries:
    """Where the labels of `examples` begin or end inside a piece of a multilingual tokenizer (made
    `vocabulary.for_words` here; say "最新" labeled in "最新的", one piece): the characters after and before such a
    boundary ("的", "新"). The app's words cut every piece at them (`tokenize.encode_runs`), so that its entities can
    begin and end where its labels do, in pieces never seen in training too ("重要的")."""
    before, after = set(), set()
    for example in examples:
        encoding = encode_runs(tokenizer, example.words, example.spaces)
        for word, glued in enumerate(encoding.joined):
            if glued and any(_boundary(tags[word - 1], tags[word]) for tags in example.tags):
                before.add(example.words[word][0])
                after.add(example.words[word - 1][-1])
    return Boundaries("".join(sorted(filter(_cuttable, before))), "".join(sorted(filter(_cuttable, after))))


def _cuttable(character: str) -> bool:
    """Whether pieces may be cut at `character`: not at a letter or digit of a script written with spaces (Latin,
    Cyrillic, Arabic...: "a" would cut most words), where such a boundary is beside glued punctuation, cut there."""
    return not character.isalnum() or ord(character) >= CJK_FROM


def _boundary(before: int, tag: int) -> bool:
    """Whether an entity begins or ends between two words of these tag ids (O 0, B-x odd, I-x even)."""
    return tag % 2 == 1 or (tag == 0) != (before == 0)


def split(examples: list[Example], recipe: Recipe, rng: random.Random) -> tuple[list[Example], list[Example]]:
    """(training, validation) examples; validation is empty for small apps and never takes an intent's last example."""
    if len(examples) < recipe.validate_from:
        return examples, []
    size = min(recipe.max_validation, int(len(examples) * recipe.validation_share))
    left, held = Counter(e.intent for e in examples), set()
    for i in rng.sample(range(len(examples)), len(examples)):
        if len(held) == size:
            break
        if left[examples[i].intent] > 1:
            held.add(i)
            left[examples[i].intent] -= 1
    return [e for i, e in enumerate(examples) if i not in held], [e for i, e in enumerate(examples) if i in held]


def fit(model: JointBert, batcher: Batcher, tagset: TagSet, examples: list[Example], validation: list[Example],
        recipe: Recipe, rng: random.Random, progress: Callable[[dict], None] | None) -> dict:
    """The training loop; with a validation split, stop early and keep the best epoch's weights."""
    batch_size, steps = recipe.plan(len(examples))
    optimizer, schedule = _optimizer(model, recipe, steps)
    pool = value_pool(examples)
    phrases = [batcher.phrases.alternatives(n) for n in range(len(batcher.phrases))] if batcher.phrases else []
    step, epoch, best, best_state, best_metrics, waited, history = 0, 0, -1.0, None, None, 0, []
    while step < steps and waited <= recipe.patience:
        epoch += 1
        model.train()
        augmented = [swap_values(e, pool, rng, recipe.augment) for e in examples]
        if any(phrases):
            augmented = [swap_phrases(e, batcher.phrases, phrases, rng, recipe.augment) for e in augmented]
        for batch in batcher.batches(augmented, batch_size, rng):
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=recipe.bf16):
                loss = model.loss(model(*batch["inputs"]), batch["intents"], batch["slots"])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if progress and (step % 10 == 0 or step == steps):
                progress({"step": step, "steps": steps, "loss": round(loss.item(), 4), "epoch": epoch})
            if step == steps:
                break
        if validation:
            metrics = evaluate(model, batcher, tagset, validation, recipe.bf16)
            history.append(metrics | {"epoch": epoch, "step": step})
            score = (metrics["intent_accuracy"] + metrics["slot_f1"] + metrics["exact_match"]) / 3
            if score > best:
                best, best_metrics, waited = score, metrics, 0
                best_state = {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}
            else:
                waited += 1
    if best_state is not None:
        model.load_state_dict(best_state, strict=False)
    model.eval()
    return {"steps": step, "epochs": epoch, "batch_size": batch_size, "train_examples": len(examples),
            "validation_examples": len(validation), "validation": history, "loss": round(loss.item(), 4),
            "kept_validation": best_metrics}


def _set_threads(threads: int | None) -> int:
    """Torch threads: `threads`, else every core but one (a busy core slows torch down many times)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    threads = threads or max(1, cores - 1)
    torch.set_num_threads(threads)
    return threads


def _optimizer(model: JointBert, recipe: Recipe, steps: int):
    """AdamW over the adapters, the heads and the phrase-list weights (each its learning rate); linear
    warmup/decay."""
    trained = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    groups = {"adapters": [], "heads": [], "features": []}
    for name, parameter in trained:
        groups["features" if "_features." in name else "adapters" if name.startswith("encoder.") else "heads"] \
            .append(parameter)
    optimizer = torch.optim.AdamW([{"params": groups["adapters"], "lr": recipe.adapter_lr},
                                   {"params": groups["heads"], "lr": recipe.head_lr},
                                   {"params": groups["features"], "lr": recipe.feature_lr, "weight_decay": 0.0}],
                                  weight_decay=recipe.weight_decay)
    warmup = max(1, int(steps * recipe.warmup))

    def factor(step: int) -> float:
        return step / warmup if step < warmup else max(0.0, (steps - step) / max(1, steps - warmup))
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


# --- augmentation: entity values swapped between examples of the same intent and slot ---------

Value = tuple[list[str], list[list[int]], list[bool]]  # an entity value's words, tags of every layer, spaces


def value_pool(examples: list[Example]) -> dict[tuple[int, int], list[Value]]:
    """Every labeled value of each top-level slot in the examples of each intent, by (intent, slot)."""
    pool: dict[tuple[int, int], list] = {}
    for example in examples:
        for slot, a, b in chunks(example.tags[0]):
            pool.setdefault((example.intent, slot), []).append(_value(example, a, b))
    return pool


def _value(example: Example, a: int, b: int) -> Value:
    return example.words[a:b + 1], [layer[a:b + 1] for layer in example.tags], example.spaces[a:b + 1]


def swap_values(example: Example, pool: dict, rng: random.Random, chance: float) -> Example:
    """A copy of `example` where each entity value is, with `chance`, replaced by another value of its slot labeled
    in an example of the same intent (a value may be what tells two intents apart: "next" and "previous" mail)."""
    if not chance:
        return example
    out_words, out_tags, out_spaces, at = [], [[] for _ in example.tags], [], 0
    for slot, a, b in chunks(example.tags[0]):
        value = _value(example, a, b)
        if rng.random() < chance:
            value = rng.choice(pool[example.intent, slot])
        out_words += example.words[at:a] + value[0]
        for out, layer, tags in zip(out_tags, example.tags, value[1]):
            out += layer[at:a] + tags
        out_spaces += example.spaces[at:a + 1] + value[2][1:]
        at = b + 1
    return _rest(example, at, out_words, out_tags, out_spaces)


def _rest(example: Example, at: int, words: list[str], tags: list[list[int]], spaces: list[bool]) -> Example:
    """The example made of `words`, `tags` and `spaces` followed by `example`'s words from `at` on."""
    for out, layer in zip(tags, example.tags):
        out += layer[at:]
    return Example(words + example.words[at:], example.intent, tags, spaces + example.spaces[at:])


def swap_phrases(example: Example, lists: PhraseLists, phrases: list[list[list[str]]], rng: random.Random,
                 chance: float) -> Example:
    """A copy of `example` where each match of an interchangeable phrase list is, with `chance`, replaced by
    another phrase of the list (`phrases[n]`, words), unless the match cuts an entity value."""
    out_words, out_tags, out_spaces, at = [], [[] for _ in example.tags], [], 0
    for n, i, length in sorted(lists.find(example.words), key=lambda m: m[1]):
        runs = [_run(layer, i, i + length) for layer in example.tags]
        if i < at or not phrases[n] or None in runs or rng.random() >= chance:
            continue
        words = rng.choice(phrases[n])
        out_words += example.words[at:i] + words
        for out, layer, run in zip(out_tags, example.tags, runs):
            out += layer[at:i] + [run] + [run + 1 if run else 0] * (len(words) - 1)
        out_spaces += example.spaces[at:i + 1] + [True] * (len(words) - 1)
        at = i + length
    return _rest(example, at, out_words, out_tags, out_spaces)


def _run(tags: list[int], a: int, b: int) -> int | None:
    """0 when words a..b-1 are outside entities; B's tag when they are exactly one value; else None."""
    part = tags[a:b]
    if not any(part):
        return 0
    whole = part[0] % 2 == 1 and all(t == part[0] + 1 for t in part[1:])
    return part[0] if whole and (b == len(tags) or tags[b] != part[0] + 1) else None


# --- batches: length-bucketed, padded to the longest of each batch -----------------------------

class Batcher:
    """Model inputs from examples: sub-token ids, attention mask and (with phrase lists) feature channels."""

    def __init__(self, tokenizer: Tokenizer, phrases: PhraseLists | None = None, word_input: str = WORDS,
                 boundaries: Boundaries = NO_BOUNDARIES):
        self.tokenizer = tokenizer
        self.phrases = phrases if phrases else None
        self.word_input, self.boundaries = word_input, boundaries  # how words reach the tokenizer (`encode_words`)

    def batches(self, examples: list[Example], size: int, rng: random.Random | None = None):
        """Tensors of batches of similar length; shuffled with `rng` (buckets of 50 batches), in order without."""
        encoded = [(encode_words(self.tokenizer, e.words, e.spaces, self.word_input, boundaries=self.boundaries), e)
                   for e in examples]
        order = list(range(len(encoded)))
        if rng:
            rng.shuffle(order)
        groups = []
        for at in range(0, len(order), size * 50):
            bucket = order[at:at + size * 50]
            if rng:
                bucket.sort(key=lambda i: len(encoded[i][0].input_ids))
            groups += [bucket[i:i + size] for i in range(0, len(bucket), size)]
        if rng:
            rng.shuffle(groups)
        for group in groups:
            yield self.collate([encoded[i] for i in group])

    def collate(self, items) -> dict:
        length = max(len(encoding.input_ids) for encoding, _ in items)
        ids = torch.zeros(len(items), length, dtype=torch.long)
        mask = torch.zeros(len(items), length, dtype=torch.long)
        slots = [torch.full((len(items), length), IGNORE, dtype=torch.long) for _ in items[0][1].tags]
        features = torch.zeros(len(items), length, self.phrases.channels) if self.phrases else None
        for row, (encoding, example) in enumerate(items):
            ids[row, :len(encoding.input_ids)] = torch.tensor(encoding.input_ids)
            mask[row, :len(encoding.input_ids)] = 1
            channels = self.phrases.features(example.words) if self.phrases else None
            for word, position in enumerate(encoding.first):
                if position >= 0:
                    for layer, tags in zip(slots, example.tags):
                        layer[row, position] = tags[word]
                    if features is not None:
                        features[row, position] = torch.from_numpy(channels[word])
        inputs = (ids, mask) + ((features,) if features is not None else ())
        return {"inputs": inputs, "intents": torch.tensor([e.intent for _, e in items]), "slots": slots,
                "first": [encoding.first for encoding, _ in items]}


# --- metrics ------------------------------------------------------------------------------------

def learned(model: JointBert, batcher: Batcher, tagset: TagSet, examples: list[Example], underfit: float = 0.9,
            sample: int = 256) -> dict:
    """Intent accuracy and slot F1 on (up to `sample` of) the training examples, and whether the model failed to
    learn them: `collapsed`, nothing of the intents (below halfway between always answering the commonest intent and
    always being right), or `underfit`, too little of the slots (slot F1 below `underfit`; healthy models: 0.98-1)."""
    examples = examples[::math.ceil(len(examples) / sample)]
    commonest = Counter(e.intent for e in examples).most_common(1)[0][1] / len(examples)
    metrics = evaluate(model, batcher, tagset, examples)
    return {"intent_accuracy": round(metrics["intent_accuracy"], 4), "slot_f1": round(metrics["slot_f1"], 4),
            "collapsed": metrics["intent_accuracy"] < (1 + commonest) / 2,
            "underfit": metrics["slot_f1"] < underfit}


@torch.no_grad()
def evaluate(model: JointBert, batcher: Batcher, tagset: TagSet, examples: list[Example], bf16: bool = False) -> dict:
    """Intent accuracy, slot F1 (exact span and tag, every layer) and exact match (intent and all slots right)."""
    model.eval()
    right_intents = exact = found = gold = correct = 0
    for batch in batcher.batches(examples, 64):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            intent_logits, *slot_logits = model(*batch["inputs"])
        log_probs = [torch.log_softmax(logits.float(), -1).numpy() for logits in slot_logits]
        for row, intent in enumerate(intent_logits.argmax(-1).tolist()):
            positions = [p for p in batch["first"][row] if p >= 0]
            intent_right = intent == batch["intents"][row].item()
            all_right = intent_right
            for depth, scores in enumerate(log_probs):
                target = batch["slots"][depth][row, positions].numpy()
                predicted = set(chunks(tagset.best_tags(depth, scores[row, positions])))
                expected = set(chunks(target))
                found, gold, correct = found + len(predicted), gold + len(expected), correct + len(predicted & expected)
                all_right = all_right and predicted == expected
            right_intents += intent_right
            exact += all_right
    f1 = 2 * correct / (found + gold) if found + gold else 1.0
    return {"intent_accuracy": right_intents / len(examples), "slot_f1": f1, "exact_match": exact / len(examples)}

