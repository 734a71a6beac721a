"""Memory soak: the server's RSS while clients predict across apps and one app is retrained and republished.

Starts `luislite serve` (its training worker, SQLite or --database-url) on a fresh data dir, imports, trains and
publishes --apps travel apps, then for --seconds: --concurrency threads send GET slot predictions round robin across
the apps, while one app gets an example more, is trained and published again, over and over; every --every seconds
the server process's RSS (/proc, the worker's process apart) is sampled. Prints start/end/max RSS, the samples,
models trained, requests, errors and latency as JSON.

    LUISLITE_TRAIN_THREADS=1 .venv/bin/python benchmarks/soak.py --seconds 300 --concurrency 4 [--base-model DIR]
"""
import argparse
import itertools
import json
import tempfile
import threading
import time
from pathlib import Path

import requests

from load import AUTHORING, KEY, QUERIES, TRAVEL, import_and_train, percentile, training_status, wait_for
from local_server import start_server


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024, 1)


def authoring(url: str) -> requests.Session:
    session = requests.Session()
    session.headers["Ocp-Apim-Subscription-Key"] = KEY
    session.base_url = f"{url}{AUTHORING}/apps"
    return session


def publish(session: requests.Session, app_id: str) -> None:
    session.post(f"{session.base_url}/{app_id}/publish", json={"versionId": "0.1", "isStaging": False},
                 timeout=60).raise_for_status()


def retrain_forever(session: requests.Session, url: str, app_id: str, stop: threading.Event, trained: list) -> None:
    """Add an example, train, publish; again until `stop` (a training under way at the end is not counted)."""
    for n in itertools.count():
        session.post(f"{session.base_url}/{app_id}/versions/0.1/example",
                     json={"text": f"book a flight to city number {n}", "intentName": "BookFlight"},
                     timeout=60).raise_for_status()
        session.post(f"{session.base_url}/{app_id}/versions/0.1/train", timeout=60).raise_for_status()
        while (status := training_status(session, url, app_id)) in ("Queued", "InProgress"):
            if stop.wait(1):
                return
        if status != "Success":
            raise SystemExit(f"retraining ended {status}")
        publish(session, app_id)
        trained.append(time.monotonic())


def predict_forever(url: str, app_ids: list[str], first: int, stop: threading.Event, latencies: list, errors: list):
    with requests.Session() as session:
        session.headers["Ocp-Apim-Subscription-Key"] = KEY
        for i in itertools.count(first):
            if stop.is_set():
                return
            started = time.perf_counter()
            try:
                response = session.get(f"{url}/luis/prediction/v3.0/apps/{app_ids[i % len(app_ids)]}/slots/"
                                       f"production/predict", params={"query": QUERIES[i % len(QUERIES)]}, timeout=60)
                failure = None if response.status_code == 200 else f"HTTP {response.status_code}"
            except requests.RequestException as error:
                failure = type(error).__name__
            (errors.append(failure) if failure else latencies.append((time.perf_counter() - started) * 1000))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--apps", type=int, default=3)
    parser.add_argument("--every", type=float, default=10, help="seconds between RSS samples")
    parser.add_argument("--base-model", help="LUISLITE_BASE_MODEL (default: the packaged MiniLM)")
    parser.add_argument("--database-url", help="LUISLITE_DATABASE_URL (default: SQLite in the data dir)")
    args = parser.parse_args()
    settings = {"LUISLITE_ACCESS_LOG": "0"} | ({"LUISLITE_BASE_MODEL": args.base_model} if args.base_model else {}) \
        | ({"LUISLITE_DATABASE_URL": args.database_url} if args.database_url else {})
    with tempfile.TemporaryDirectory(prefix="luislite-soak-") as data_dir:
        process, url = start_server(Path(data_dir), KEY, **settings)
        try:
            session = authoring(url)
            app_ids = [import_and_train(session, url, f"travel-{n}", TRAVEL) for n in range(args.apps)]
            for app_id in app_ids:
                wait_for(lambda a=app_id: training_status(session, url, a) == "Success", 900, "training the apps")
                publish(session, app_id)
            stop, trained, latencies, errors = threading.Event(), [], [], []
            threads = [threading.Thread(target=predict_forever, args=(url, app_ids, n, stop, latencies, errors))
                       for n in range(args.concurrency)]
            threads.append(threading.Thread(target=retrain_forever, args=(authoring(url), url, app_ids[0], stop,
                                                                          trained)))
            began = time.monotonic()
            samples = [(0, rss_mb(process.pid))]
            for thread in threads:
                thread.start()
            while (elapsed := time.monotonic() - began) < args.seconds:
                time.sleep(min(args.every, args.seconds - elapsed))
                samples.append((round(time.monotonic() - began), rss_mb(process.pid)))
                print(f"{samples[-1][0]:5d} s  RSS {samples[-1][1]:7.1f} MB  models trained {len(trained)}  "
                      f"requests {len(latencies) + len(errors)}  errors {len(errors)}", flush=True)
            stop.set()
            for thread in threads:
                thread.join()
        finally:
            process.terminate()
            process.wait(timeout=30)
    rss = [mb for _, mb in samples]
    print(json.dumps({"seconds": round(time.monotonic() - began), "rss_mb": {"start": rss[0], "end": rss[-1],
                      "max": max(rss)}, "models_trained": len(trained), "requests": len(latencies) + len(errors),
                      "errors": len(errors), "error_kinds": sorted(set(errors)),
                      "p50_ms": round(percentile(latencies, 0.5), 1), "p99_ms": round(percentile(latencies, 0.99), 1)},
                     indent=1))
    print("samples (s, MB):", json.dumps(samples))


if __name__ == "__main__":
    main()
