"""Accuracy and speed of luislite.nlu called directly (no HTTP): train on a LUIS app, score dev and test.

    python benchmarks/nlu_direct.py snips --per-intent 20      # small-data sample, fixed seed
    python benchmarks/nlu_direct.py snips                      # full training set
    python benchmarks/nlu_direct.py snips --per-intent 10 --phraselists   # + a phrase list per entity
    python benchmarks/nlu_direct.py snips --per-intent 7 --quick          # the quick model Train answers first
    python benchmarks/nlu_direct.py snips --per-intent 20 --ablate        # + the same model without its priors

`--phraselists` gives each entity with at least 5 distinct values in the *full* training set a phrase list of
those values, as a feature of that entity (what a user with a vocabulary of their domain would add); scores are
then also reported on those entities alone.

Small-data sample: for each intent in sorted order, `random.Random(13).sample(train_of_that_intent, N)`.
Scores: intent accuracy, slot F1 (exact span and entity type, micro), exact match (intent and every span right),
as served (int8 shared encoder); prediction latency (tokenize + model + decode) p50/p95. `--ablate` also scores the
same trained model without its intent prototypes, and without those nor its entity-pair costs (`ablations`).
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from luislite.domain.appversion import AppVersion, Feature, PhraseList
from luislite.nlu.fit import Recipe, train
from luislite.nlu.recognizer import Recognizer
from luislite.nlu.tags import TagSet

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def sample(version: AppVersion, per_intent: int) -> None:
    by_intent: dict[str, list] = {}
    for utterance in version.utterances:
        by_intent.setdefault(utterance.intent, []).append(utterance)
    version.utterances = [u for intent in sorted(by_intent)
                          for u in random.Random(13).sample(by_intent[intent], min(per_intent, len(by_intent[intent])))]


def vocabulary(version: AppVersion) -> dict[str, list[str]]:
    """Each entity's distinct training values (lowercased), for entities with at least 5."""
    values: dict[str, set[str]] = {}
    for utterance in version.utterances:
        for label in utterance.labels:
            values.setdefault(label.entity, set()).add(utterance.text[label.start:label.end].lower())
    return {entity: sorted(found) for entity, found in values.items() if len(found) >= 5}


def add_phraselists(version: AppVersion, vocabulary: dict[str, list[str]], interchangeable: bool) -> None:
    """A phrase list of each entity's values, as a feature of that entity."""
    for entity in version.entities:
        if entity.name in vocabulary:
            version.phraselists.append(PhraseList(f"{entity.name}_values", vocabulary[entity.name], interchangeable,
                                                  enabled_for_all_models=False))
            entity.features.append(Feature(f"{entity.name}_values"))


def ablations(recognizer: Recognizer) -> dict[str, Recognizer]:
    """The same trained model without its intent prototypes, and without those nor its entity-pair costs (as
    models decoded before them): what each adds, measured on one training."""
    network = copy.copy(recognizer.network)
    network.prototypes = None
    unprototyped = copy.copy(recognizer)
    unprototyped.network = network
    bare = copy.copy(unprototyped)
    bare.tagset = TagSet(recognizer.tagset.layers, recognizer.tagset.transitions)
    return {"without prototypes": unprototyped, "without prototypes or pairs": bare}


def score(recognizer: Recognizer, test: list[dict], only: set[str] | None = None) -> dict:
    """Scores over all entities (or only those in `only`: slot F1 alone)."""
    intents = found = gold = correct = exact = 0
    times = []
    for example in test:
        started = time.perf_counter()
        prediction = recognizer.predict(example["text"])
        times.append(time.perf_counter() - started)
        expected = {(e["entity"], e["startPos"], e["endPos"] + 1) for e in example["entities"]}
        predicted = {(e.entity, e.start, e.end) for e in prediction.entities}
        if only is not None:
            expected, predicted = {e for e in expected if e[0] in only}, {e for e in predicted if e[0] in only}
        intents += prediction.top_intent == example["intent"]
        found, gold, correct = found + len(predicted), gold + len(expected), correct + len(predicted & expected)
        exact += prediction.top_intent == example["intent"] and predicted == expected
    times.sort()
    if only is not None:
        return {"slot_f1": round(100 * 2 * correct / (found + gold), 2), "entities": len(only)}
    return {"intent_accuracy": round(100 * intents / len(test), 2),
            "slot_f1": round(100 * 2 * correct / (found + gold), 2), "exact_match": round(100 * exact / len(test), 2),
            "p50_ms": round(1000 * statistics.median(times), 2),
            "p95_ms": round(1000 * times[int(0.95 * len(times))], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=["snips", "atis"])
    parser.add_argument("--per-intent", type=int, help="train on N examples per intent (seeded sample)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"), help="artifact parent directory")
    parser.add_argument("--recipe", default="{}", help='JSON overrides of Recipe fields, e.g. \'{"augment": 0}\'')
    parser.add_argument("--quick", action="store_true", help="train the quick model (what Train answers first)")
    parser.add_argument("--phraselists", choices=["interchangeable", "related"],
                        help="add a phrase list of each entity's training values (see above)")
    parser.add_argument("--datasets", type=Path, default=DATASETS, help="the folder holding snips/ and atis/")
    parser.add_argument("--seed", type=int, default=13, help="the training seed")
    parser.add_argument("--ablate", action="store_true", help="also score the model without its priors (above)")
    args = parser.parse_args()
    version = AppVersion.from_luis(json.loads((args.datasets / args.dataset / "train_luis_app.json").read_text()))
    listed = vocabulary(version)
    if args.phraselists:
        add_phraselists(version, listed, args.phraselists == "interchangeable")
    if args.per_intent:
        sample(version, args.per_intent)
    out = args.out / f"{args.dataset}-{args.per_intent or 'full'}{'-' + args.phraselists if args.phraselists else ''}"
    stats = train(version, out, recipe=Recipe(**json.loads(args.recipe)), quick=args.quick, seed=args.seed,
                  progress=lambda p: p["step"] % 100 == 0 and print(json.dumps(p), file=sys.stderr, flush=True))
    report = {"dataset": args.dataset, "per_intent": args.per_intent, "recipe": args.recipe, "quick": args.quick,
              "seed": args.seed, "phraselists": args.phraselists,
              "train": {k: v for k, v in stats.items() if k != "validation"}, "validation": stats["validation"][-3:]}
    for split in ("dev", "test"):  # choose settings on dev, report test
        path = args.datasets / args.dataset / f"{split}.jsonl"
        examples = [json.loads(line) for line in path.read_text().splitlines()]
        recognizer = Recognizer.load(out)
        report[split] = score(recognizer, examples)
        report[f"{split} listed"] = score(recognizer, examples, set(listed))
        if args.ablate:
            report |= {f"{split} {name}": score(variant, examples) for name, variant in ablations(recognizer).items()}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
