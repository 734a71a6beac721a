"""Accuracy and speed of luislite through its HTTP API, exactly as a LUIS user would drive it.

Imports `{dataset}/train_luis_app.json` (or a fixed small sample of it), trains, publishes, then predicts
every utterance of `{dataset}/test.jsonl` with prediction v3.0 POST and prints intent accuracy, slot F1
(exact span and type), sentence exact match, training wall time, HTTP latency p50/p95, the latency of the
published model alone on the same utterances (`Recognizer.predict` in this process: HTTP minus model is the
service's overhead) and peak memory.

    .venv/bin/python benchmarks/http_benchmark.py --dataset snips
    .venv/bin/python benchmarks/http_benchmark.py --dataset snips --per-intent 20
    .venv/bin/python benchmarks/http_benchmark.py --dataset snips --per-intent 7 --train-only   # Train to Success

Settings are never chosen on the test split: the model trains on the train split only.
"""
import argparse
import contextlib
import json
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import requests

from local_server import REPO, start_server

DATASETS = REPO.parent / "shared" / "datasets"
KEY = "00000000-0000-4000-8000-00000000be9c"


def small_sample(app: dict, per_intent: int, seed: int = 13) -> dict:
    """For each intent in sorted order, `random.Random(seed).sample(train_of_that_intent, N)` (a new Random each)."""
    by_intent = defaultdict(list)
    for utterance in app["utterances"]:
        by_intent[utterance["intent"]].append(utterance)
    return dict(app, utterances=[u for intent in sorted(by_intent) for u in random.Random(seed).sample(
        by_intent[intent], min(per_intent, len(by_intent[intent])))])


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    def hwm(p):
        try:
            line = next(l for l in Path(f"/proc/{p}/status").read_text().splitlines() if l.startswith("VmHWM"))
            return int(line.split()[1]) / 1024
        except (FileNotFoundError, StopIteration):
            return 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return hwm(pid) + sum(hwm(int(c)) for c in children)


class Served(NamedTuple):
    session: requests.Session  # carries the key
    url: str
    app_id: str
    train_seconds: float  # from the train request to Success (the quick model, where the recipe has one)
    data_dir: Path
    process: object  # the server's subprocess.Popen
    refined_seconds: float  # from the train request to the refined model serving


@contextlib.contextmanager
def served_app(app: dict, refined: bool = True):
    """A local server on a temporary data dir with `app` imported, trained and published to production, its quick
    model refined unless not `refined` (`Served`); stopped on leaving."""
    with tempfile.TemporaryDirectory() as data_dir:
        process, url = start_server(Path(data_dir), KEY)
        try:
            session = requests.Session()
            session.headers["Ocp-Apim-Subscription-Key"] = KEY
            started = time.monotonic()
            app_id, seconds = train_and_publish(session, url, app, poll=0.1)
            if refined:
                wait_refined(session, url, app_id, app["versionId"])
            yield Served(session, url, app_id, seconds, Path(data_dir), process, time.monotonic() - started)
        finally:
            process.terminate()
            process.wait()


def train_and_publish(session: requests.Session, url: str, app: dict, timeout: float | None = None,
                      poll: float = 1.0) -> tuple[str, float]:
    """Import, train (status polled every `poll` s; TimeoutError after `timeout` s), publish to production: the app's
    id and the seconds from the train request to the status Success."""
    authoring = f"{url}/luis/authoring/v3.0-preview"
    app_id = session.post(f"{authoring}/apps/import", params={"appName": f"bench-{time.time()}"}, json=app).json()
    version = app["versionId"]
    started = time.monotonic()
    session.post(f"{authoring}/apps/{app_id}/versions/{version}/train").raise_for_status()
    while True:
        statuses = {m["details"]["status"]
                    for m in session.get(f"{authoring}/apps/{app_id}/versions/{version}/train").json()}
        if statuses and statuses <= {"Success", "UpToDate"}:
            break
        if "Fail" in statuses:
            raise SystemExit("training failed")
        if timeout is not None and time.monotonic() - started > timeout:
            raise TimeoutError(f"app {app_id} did not train within {timeout:.0f} s")
        time.sleep(poll)
    seconds = time.monotonic() - started
    session.post(f"{authoring}/apps/{app_id}/publish", json={"versionId": version}).raise_for_status()
    return app_id, seconds


def wait_refined(session: requests.Session, url: str, app_id: str, version: str, poll: float = 1.0) -> None:
    """Wait until the version's quick model is refined (its train status's `refinement` ends), if it had one."""
    status = f"{url}/luis/authoring/v3.0-preview/apps/{app_id}/versions/{version}/train"
    while True:
        refinement = session.get(status).json()[0]["details"].get("refinement", {"status": "Success"})
        if refinement["status"] == "Fail":
            raise SystemExit(f"refinement failed: {refinement}")
        if refinement["status"] == "Success":
            return
        time.sleep(poll)


def spans_of(entities: dict) -> set:
    instances = entities.get("$instance", {})
    return {(i["startIndex"], i["startIndex"] + i["length"], i["type"]) for items in instances.values() for i in items}


def evaluate(session: requests.Session, url: str, app_id: str, test: list[dict]) -> dict:
    predict = f"{url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict"
    intents_right = exact = tp = fp = fn = 0
    latencies = []
    for example in test:
        started = time.perf_counter()
        response = session.post(predict, params={"verbose": "true"}, json={"query": example["text"]})
        latencies.append((time.perf_counter() - started) * 1000)
        prediction = response.json()["prediction"]
        gold = {(e["startPos"], e["endPos"] + 1, e["entity"]) for e in example["entities"]}
        found = spans_of(prediction["entities"])
        intent_right = prediction["topIntent"] == example["intent"]
        intents_right += intent_right
        exact += intent_right and found == gold
        tp, fp, fn = tp + len(found & gold), fp + len(found - gold), fn + len(gold - found)
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    p50, p95 = percentiles(latencies)
    return {"utterances": len(test), "intent_accuracy": round(100 * intents_right / len(test), 2),
            "slot_f1": round(100 * 2 * precision * recall / max(precision + recall, 1e-9), 2),
            "exact_match": round(100 * exact / len(test), 2), "latency_ms_p50": p50, "latency_ms_p95": p95}


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of a process now, in MB."""
    line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def production_model(data_dir: Path, app_id: str) -> Path:
    """The directory of the model published to an app's production slot."""
    from luislite.store import DataDirStore

    with sqlite3.connect(data_dir / "luislite.db") as db:
        [artifact] = db.execute("SELECT artifact FROM publications WHERE app_id = ? AND slot = 'production'",
                                (app_id,)).fetchone()
    return DataDirStore(data_dir).open_for_serving(artifact)


def model_sizes(directory: Path) -> dict:
    """MB of a model on disk (all its files) and in a database store (the files serving reads)."""
    from luislite.store.base import serving_files

    def mb(files):
        return round(sum(f.stat().st_size for f in files) / 2**20, 1)
    return {"model_disk_mb": mb(p for p in directory.rglob("*") if p.is_file()),
            "model_store_mb": mb(serving_files(directory))}


def model_latency(data_dir: Path, app_id: str, test: list[dict]) -> dict:
    """p50/p95 of the production slot's model alone: `Recognizer.predict` in this process, no HTTP."""
    from luislite.nlu.recognizer import Recognizer

    recognizer = Recognizer.load(production_model(data_dir, app_id))
    latencies = []
    for example in test:
        started = time.perf_counter()
        recognizer.predict(example["text"])
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentiles(latencies)
    return {"model_ms_p50": p50, "model_ms_p95": p95}


def percentiles(latencies: list[float]) -> tuple[float, float]:
    latencies = sorted(latencies)
    return round(statistics.median(latencies), 2), round(latencies[int(0.95 * (len(latencies) - 1))], 2)


def dataset_split(description: str) -> tuple[argparse.Namespace, dict, list[dict]]:
    """The command line (--dataset, --per-intent, --datasets), the training app and the test utterances it names."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dataset", choices=["snips", "atis"], default="snips")
    parser.add_argument("--per-intent", type=int, help="train on this many examples per intent (fixed seed 13)")
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--train-only", action="store_true",
                        help="only the seconds from the train request to Success (what a user waits for), no scores")
    args = parser.parse_args()
    app = json.loads((args.datasets / args.dataset / "train_luis_app.json").read_text())
    if args.per_intent:
        app = small_sample(app, args.per_intent)
    test = [json.loads(line) for line in (args.datasets / args.dataset / "test.jsonl").read_text().splitlines()]
    return args, app, test


def main():
    args, app, test = dataset_split(__doc__.splitlines()[0])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the server below on `kill` too
    if args.train_only:
        with served_app(app, refined=False) as served:
            print(json.dumps({"dataset": args.dataset, "train_utterances": len(app["utterances"]),
                              "train_seconds": round(served.train_seconds, 1)}))
        return
    with served_app(app) as served:
        result = {"dataset": args.dataset, "train_utterances": len(app["utterances"]),
                  "train_seconds": round(served.train_seconds, 1), "refined_seconds": round(served.refined_seconds, 1)}
        result |= evaluate(served.session, served.url, served.app_id, test)
        result |= model_latency(served.data_dir, served.app_id, test)
        result["peak_rss_mb"] = round(peak_rss_mb(served.process.pid), 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
