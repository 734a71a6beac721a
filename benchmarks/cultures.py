"""Cultures benchmark: a Virtual Assistant skill's `.lu` file (Bot Framework, MIT) in one culture, luislite through
its HTTP API beside classical baselines trained on the same split in the same run.

Data: the skills' `.lu` files of `microsoft/botframework-solutions` (e.g. `skills/csharp/emailskill/Deployment/
Resources/LU/zh-cn/Email.lu`, as of the commit before d096a663 that moved the skills out), read from a local
copy. The split is ours: utterances deduplicated by text, then per intent (sorted names) shuffled with
`random.Random(13)`; of each intent, the first half trains, the next tenth is dev and the rest is test.
Settings are chosen on `--split dev`; the test split is reported once. `--domain Calendar` reads a prebuilt domain
luislite ships instead (its own app: patterns, lists and prebuilts kept, its utterances split the same way).

Baselines (benchmark-only dependencies: scikit-learn, sklearn-crfsuite): intents by TF-IDF + logistic regression
(character 1-3-grams for CJK cultures, word 1-2-grams otherwise); slots by a linear-chain CRF over the culture's
LUIS tokens (characters for zh-cn) with the token, its neighbours and their shapes as features.

    .venv/bin/python benchmarks/cultures.py --lu Email-zh-cn.lu --culture zh-cn --split dev
    .venv/bin/python benchmarks/cultures.py --lu Email-zh-cn.lu --culture zh-cn --split dev --direct \
        --recipe rank=8
    .venv/bin/python benchmarks/cultures.py --lu Email-zh-cn.lu --culture zh-cn --split test --direct --seed 13 1 2

`--direct` trains and predicts in this process with `luislite.nlu` (the same model the server trains, no HTTP),
which lets recipe settings vary (`--recipe rank=8`: adapters of rank 8).
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


from http_benchmark import model_sizes, percentiles, production_model, rss_mb, served_app, spans_of
from local_server import REPO

sys.path.insert(0, str(REPO))
from luislite.domain.tokens import tokenize

_LABEL = re.compile(r"\{([^=}{]+)=([^}{]+)\}")


def read_lu(text: str) -> list[dict]:
    """Utterances of `## Intent` sections with `{Entity=value}` labels, as LUIS export utterances; first text wins."""
    utterances, intent, seen = [], None, set()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("## "):
            intent = line[3:].strip()
        elif line.startswith("- ") and intent:
            plain, entities, at = "", [], 0
            for match in _LABEL.finditer(line[2:]):
                plain += line[2:][at:match.start()]
                start = len(plain)
                plain += match.group(2)
                entities.append({"entity": match.group(1).strip(), "startPos": start, "endPos": len(plain) - 1})
                at = match.end()
            plain += line[2:][at:]
            if plain.strip() and plain not in seen and "{" not in plain:
                seen.add(plain)
                utterances.append({"text": plain, "intent": intent, "entities": entities})
    return utterances


def split(utterances: list[dict]) -> dict[str, list[dict]]:
    by_intent = defaultdict(list)
    for utterance in utterances:
        by_intent[utterance["intent"]].append(utterance)
    parts = {"train": [], "dev": [], "test": []}
    for intent in sorted(by_intent):
        items = by_intent[intent]
        random.Random(13).shuffle(items)
        train, dev = len(items) // 2, len(items) // 2 + max(1, len(items) // 10)
        parts["train"] += items[:train]
        parts["dev"] += items[train:dev]
        parts["test"] += items[dev:]
    return parts


def domain(name: str, culture: str) -> dict:
    """A prebuilt domain as luislite ships it (`luislite/prebuilt_domains`): a LUIS app with its utterances."""
    path = REPO / "luislite" / "prebuilt_domains" / culture / f"{name}.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))


def luis_app(train: list[dict], culture: str) -> dict:
    entities = sorted({e["entity"] for u in train for e in u["entities"]})
    return {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "cultures-benchmark", "culture": culture,
            "intents": [{"name": n} for n in sorted({u["intent"] for u in train} | {"None"})],
            "entities": [{"name": n, "roles": []} for n in entities], "utterances": train}


# --- scoring, shared by every system ------------------------------------------------------------------

def score(test: list[dict], predictions: list[tuple[str, set]]) -> dict:
    right = exact = tp = fp = fn = 0
    for example, (intent, found) in zip(test, predictions):
        gold = {(e["startPos"], e["endPos"] + 1, e["entity"]) for e in example["entities"]}
        right += intent == example["intent"]
        exact += intent == example["intent"] and found == gold
        tp, fp, fn = tp + len(found & gold), fp + len(found - gold), fn + len(gold - found)
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"intent_accuracy": round(100 * right / len(test), 1),
            "slot_f1": round(100 * 2 * precision * recall / max(precision + recall, 1e-9), 1),
            "exact_match": round(100 * exact / len(test), 1)}


# --- classical baselines --------------------------------------------------------------------------------

def _features(tokens: list, i: int) -> dict:
    features = {"bias": 1.0}
    for offset in (-2, -1, 0, 1, 2):
        j = i + offset
        text = tokens[j].text.lower() if 0 <= j < len(tokens) else ("<s>" if j < 0 else "</s>")
        features[f"{offset}:t"] = text
        features[f"{offset}:digit"] = text.isdigit()
        features[f"{offset}:latin"] = text.isascii() and text.isalpha()
    features["-1|0"] = features["-1:t"] + "|" + features["0:t"]
    features["0|1"] = features["0:t"] + "|" + features["1:t"]
    return features


def _tags(example: dict, tokens: list) -> list[str]:
    tags = ["O"] * len(tokens)
    for e in example["entities"]:
        inside = [i for i, t in enumerate(tokens) if t.start >= e["startPos"] and t.end <= e["endPos"] + 1]
        for n, i in enumerate(inside):
            tags[i] = ("B-" if n == 0 else "I-") + e["entity"]
    return tags


def _spans(tokens: list, tags: list[str]) -> set:
    spans, current = set(), None
    for token, tag in zip(tokens + [None], tags + ["O"]):
        if current and (tag == "O" or tag.startswith("B-") or tag[2:] != current[2]):
            spans.add(tuple(current))
            current = None
        if tag != "O" and current is None:
            current = [token.start, token.end, tag[2:]]
        elif tag != "O":
            current[1] = token.end
    return spans


def baseline(train: list[dict], test: list[dict], culture: str) -> tuple[dict, float]:
    import sklearn_crfsuite
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    started = time.monotonic()
    cjk = culture in ("zh-cn", "ja-jp", "ko-kr")
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)) if cjk else \
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    intents = make_pipeline(vectorizer, LogisticRegression(C=10, max_iter=2000))
    intents.fit([u["text"] for u in train], [u["intent"] for u in train])
    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.1, c2=0.1, max_iterations=200)
    train_tokens = [tokenize(u["text"], culture) for u in train]
    crf.fit([[_features(t, i) for i in range(len(t))] for t in train_tokens],
            [_tags(u, t) for u, t in zip(train, train_tokens)])
    test_tokens = [tokenize(u["text"], culture) for u in test]
    tags = crf.predict([[_features(t, i) for i in range(len(t))] for t in test_tokens])
    predicted = intents.predict([u["text"] for u in test])
    return score(test, [(i, _spans(t, g)) for i, t, g in zip(predicted, test_tokens, tags)]), \
        round(time.monotonic() - started, 1)


# --- luislite ---------------------------------------------------------------------------------------------

def over_http(app: dict, test: list[dict]) -> tuple[dict, float]:
    """Scores and training seconds, with what the model costs: its size on disk and in a database store, the
    server's memory before and after it served (VmRSS), the p50 of a prediction over HTTP. Only the entities that
    label utterances are scored (a domain's prebuilt and list entities are not)."""
    labeled = {e["name"] for e in app["entities"]}
    with served_app(app) as served:
        session, url, app_id, data_dir, process = served.session, served.url, served.app_id, served.data_dir, \
            served.process
        before, predictions, latencies = rss_mb(process.pid), [], []
        for example in test:
            started = time.perf_counter()
            response = session.post(f"{url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict",
                                    params={"verbose": "true"}, json={"query": example["text"]})
            latencies.append((time.perf_counter() - started) * 1000)
            prediction = response.json()["prediction"]
            predictions.append((prediction["topIntent"], {s for s in spans_of(prediction["entities"])
                                                          if s[2] in labeled}))
        cost = model_sizes(production_model(data_dir, app_id)) | {
            "server_rss_mb": [round(before), round(rss_mb(process.pid))],
            "latency_ms_p50": percentiles(latencies)[0], "quick_train_seconds": round(served.train_seconds, 1)}
    return score(test, predictions) | cost, round(served.refined_seconds, 1)


def direct(app: dict, test: list[dict], recipe: dict, seed: int, ablate: bool = False) -> tuple[dict, float]:
    """Scores of a model trained in this process (with `ablate`, also those of the same model without its priors:
    `nlu_direct.ablations`) and its training seconds."""
    from luislite.domain.appversion import AppVersion
    from luislite.nlu.fit import Recipe, train
    from luislite.nlu.recognizer import Recognizer
    from nlu_direct import ablations

    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        train(AppVersion.from_luis(app), Path(out), recipe=Recipe(**recipe), seed=seed)
        seconds = time.monotonic() - started
        recognizer = Recognizer.load(Path(out))
        scores = _scored(recognizer, test)
        if ablate:
            scores |= {name: _scored(variant, test) for name, variant in ablations(recognizer).items()}
    return scores, round(seconds, 1)


def _scored(recognizer, test: list[dict]) -> dict:
    predictions = []
    for example in test:
        prediction = recognizer.predict(example["text"])
        top = max(prediction.intents, key=prediction.intents.get)
        predictions.append((top, {(s.start, s.end, s.entity) for s in prediction.entities}))
    return score(test, predictions)


def _mean(runs: list[dict]) -> dict:
    """The mean of each figure over runs, nested ones (ablations) included."""
    return {name: _mean([run[name] for run in runs]) if isinstance(value, dict) else
            round(sum(run[name] for run in runs) / len(runs), 1) for name, value in runs[0].items()}


def cpu_flags() -> str:
    flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")).split()
    return " ".join(sorted(f for f in flags if f == "avx2" or f.startswith(("avx512", "amx"))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--lu", type=Path)
    source.add_argument("--domain", help="a prebuilt domain luislite ships (Calendar, Email...): its own app, its "
                                         "utterances split as the .lu files'")
    parser.add_argument("--culture", required=True)
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--train-sample", type=int, metavar="N",
                        help="train on N utterances of the train split (random.Random(13).sample)")
    parser.add_argument("--direct", action="store_true", help="luislite.nlu in this process instead of HTTP")
    parser.add_argument("--seed", type=int, nargs="+", default=[13],
                        help="with --direct: the training seed; several: one training each, and their mean (one "
                             "seed moves a 250-utterance test set by several points)")
    parser.add_argument("--recipe", nargs="*", default=[], metavar="NAME=VALUE",
                        help="with --direct: Recipe settings, e.g. rank=8 adapter_lr=3e-3")
    parser.add_argument("--ablate", action="store_true",
                        help="with --direct: also score each model without its intent prototypes, and without those "
                             "nor its entity-pair costs")
    args = parser.parse_args()
    shipped = args.domain and domain(args.domain, args.culture)
    parts = split(shipped["utterances"] if shipped else read_lu(args.lu.read_text(encoding="utf-8")))
    if args.train_sample:
        parts["train"] = random.Random(13).sample(parts["train"], args.train_sample)
    app = dict(shipped, utterances=parts["train"]) if shipped else luis_app(parts["train"], args.culture)
    test = parts[args.split]
    result = {"data": args.domain or args.lu.name, "culture": args.culture, "split": args.split,
              "train": len(parts["train"]), "evaluated": len(test), "intents": len(app["intents"]),
              "slot_types": len(app["entities"]),
              "cpu_flags": cpu_flags()}
    scores, seconds = baseline(parts["train"], test, args.culture)
    result["baseline"] = scores | {"train_seconds": seconds}
    if args.direct:
        recipe = {name: json.loads(value) for name, _, value in (item.partition("=") for item in args.recipe)}
        runs = [direct(app, test, recipe, seed, args.ablate) for seed in args.seed]
        result["luislite_direct"] = [scores | {"recipe": recipe, "seed": seed, "train_seconds": seconds}
                                     for seed, (scores, seconds) in zip(args.seed, runs)]
        if len(runs) > 1:
            result["luislite_direct_mean"] = _mean([scores for scores, _ in runs])
    else:
        scores, seconds = over_http(app, test)
        result["luislite_http"] = scores | {"train_seconds": seconds}
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
