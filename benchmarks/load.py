"""Bounded load test of v3.0 prediction, idle and while a training job runs, from this second process.

Starts `luislite serve` on 127.0.0.1 with a fresh data dir (or uses --url/--key/--app), trains and publishes a
small travel app, then for each phase sends GET slot predictions from --concurrency threads (keep-alive sessions)
for --seconds (at most 30) and prints throughput, latency p50/p95/p99 and errors, as JSON with --json.

    .venv/bin/python benchmarks/load.py --seconds 15 --concurrency 4
    .venv/bin/python benchmarks/load.py --base-model /path/to/small/bert   # faster trainings, cheaper model

Phase "training": a second app (--train-utterances SNIPS-like utterances) is queued for training first and the
phase starts once its job is InProgress; the result says whether it was still training when the phase ended.
"""
import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import requests

from local_server import start_server

AUTHORING = "/luis/authoring/v3.0-preview"
KEY = "00000000-0000-4000-8000-0000000010ad"
MAX_SECONDS = 30
QUERIES = ["book a flight to paris", "what is the weather in oslo", "hello there", "fly me to rome tomorrow",
           "will it snow in berlin", "i need a ticket to tokyo", "good evening", "the cat is asleep"]
TRAVEL = [("book a flight to paris", "BookFlight"), ("fly me to london tomorrow", "BookFlight"),
          ("i need a plane ticket to berlin", "BookFlight"), ("book a trip to rome", "BookFlight"),
          ("what is the weather in madrid", "GetWeather"), ("will it rain in oslo", "GetWeather"),
          ("weather forecast for tokyo", "GetWeather"), ("hello", "Greeting"), ("hi there", "Greeting"),
          ("good morning", "Greeting"), ("the sky is blue", "None"), ("my cat is sleeping", "None")]


def app_json(name: str, utterances: list[tuple[str, str]]) -> dict:
    intents = sorted({intent for _, intent in utterances} | {"None"})
    return {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": name, "culture": "en-us",
            "intents": [{"name": i} for i in intents], "entities": [],
            "utterances": [{"text": t, "intent": i, "entities": []} for t, i in utterances]}


def snips_like(count: int) -> list[tuple[str, str]]:
    intents = ["AddToPlaylist", "BookRestaurant", "GetWeather", "PlayMusic", "RateBook", "SearchCreativeWork"]
    return [(f"{intents[i % 6].lower()} request number {i} please", intents[i % 6]) for i in range(count)]


def training_status(session: requests.Session, url: str, app_id: str) -> str:
    statuses = session.get(f"{url}{AUTHORING}/apps/{app_id}/versions/0.1/train", timeout=60).json()
    return statuses[0]["details"]["status"] if statuses else "Queued"


def import_and_train(session: requests.Session, url: str, name: str, utterances) -> str:
    response = session.post(f"{url}{AUTHORING}/apps/import", json=app_json(name, utterances), timeout=120)
    response.raise_for_status()
    app_id = response.json()
    session.post(f"{url}{AUTHORING}/apps/{app_id}/versions/0.1/train", timeout=60).raise_for_status()
    return app_id


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise SystemExit(f"{what} did not happen within {timeout:.0f} s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def phase(url: str, key: str, app_id: str, seconds: float, concurrency: int) -> dict:
    """Predict from `concurrency` threads for `seconds`; throughput, latency percentiles (ms) and errors."""
    predict = f"{url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict"
    latencies, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int):
        with requests.Session() as session:
            session.headers["Ocp-Apim-Subscription-Key"] = key
            i = n
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    response = session.get(predict, params={"query": QUERIES[i % len(QUERIES)]}, timeout=30)
                    ok = response.status_code == 200
                    failure = None if ok else f"HTTP {response.status_code}"
                except requests.RequestException as error:
                    failure = type(error).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    (errors.append(failure) if failure else latencies.append(elapsed))
                i += concurrency

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    return {"seconds": round(wall, 1), "requests": len(latencies) + len(errors), "errors": len(errors),
            "error_kinds": sorted(set(errors)), "throughput_rps": round((len(latencies) + len(errors)) / wall, 1),
            "p50_ms": round(percentile(latencies, 0.50), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1), "max_ms": round(max(latencies, default=0), 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15, help=f"per phase, at most {MAX_SECONDS}")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--base-model", help="LUISLITE_BASE_MODEL for the spawned server (default: packaged MiniLM)")
    parser.add_argument("--train-utterances", type=int, default=600, help="size of the app trained during load")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)

    with tempfile.TemporaryDirectory(prefix="luislite-load-") as data_dir:
        settings = {"LUISLITE_ACCESS_LOG": "0"} | ({"LUISLITE_BASE_MODEL": args.base_model} if args.base_model else {})
        process, url = start_server(Path(data_dir), KEY, **settings)
        try:
            session = requests.Session()
            session.headers["Ocp-Apim-Subscription-Key"] = KEY
            app_id = import_and_train(session, url, "travel", TRAVEL)
            wait_for(lambda: training_status(session, url, app_id) == "Success", 600, "training the served app")
            session.post(f"{url}{AUTHORING}/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": False},
                         timeout=60).raise_for_status()
            phase(url, KEY, app_id, 2, args.concurrency)  # warm-up: load the model, open connections
            results = {"idle": phase(url, KEY, app_id, seconds, args.concurrency)}
            other = import_and_train(session, url, "busy", snips_like(args.train_utterances))
            wait_for(lambda: training_status(session, url, other) == "InProgress", 120, "the training job starting")
            results["training"] = phase(url, KEY, app_id, seconds, args.concurrency)
            results["training"]["still_training_at_end"] = training_status(session, url, other) == "InProgress"
        finally:
            process.terminate()
            process.wait(timeout=30)
    results["settings"] = {"concurrency": args.concurrency, "seconds_per_phase": seconds, "cpus": os.cpu_count(),
                           "base_model": args.base_model or "packaged all-MiniLM-L6-v2"}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'phase':10} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name in ("idle", "training"):
        r = results[name]
        print(f"{name:10} {r['requests']:8} {r['errors']:6} {r['throughput_rps']:7} {r['p50_ms']:7} "
              f"{r['p95_ms']:7} {r['p99_ms']:7}")


if __name__ == "__main__":
    main()
