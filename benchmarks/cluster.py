"""Prediction on PostgreSQL against SQLite, one and two API processes, a cold node, bytes per stored model.

Starts a throwaway PostgreSQL cluster (tests/postgres.py; `make postgres` installs the server), then:
* SQLite: one `luislite serve` trains and publishes the travel app (benchmarks/load.py), then --seconds of GET
  predictions from --concurrency threads;
* PostgreSQL: node A (`serve`, one worker) does the same; then node B (`serve --workers 0`, an empty data dir)
  starts, and its first prediction is timed (the model fetched from the database); then a publish through B is
  timed until A serves it; then the same load is split across A and B.

    .venv/bin/python benchmarks/cluster.py --seconds 15 --concurrency 4 [--base-model tests' tiny BERT dir]
"""
import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import sqlalchemy as sa

from load import AUTHORING, KEY, TRAVEL, import_and_train, phase, training_status, wait_for
from local_server import REPO, start_server

sys.path.insert(0, str(REPO / "tests"))
from postgres import Cluster, create_database


def trained_and_published(url: str) -> str:
    session = requests.Session()
    session.headers["Ocp-Apim-Subscription-Key"] = KEY
    app_id = import_and_train(session, url, "travel", TRAVEL)
    wait_for(lambda: training_status(session, url, app_id) == "Success", 900, "training the served app")
    publish(url, app_id, staging=False)
    return app_id


def publish(url: str, app_id: str, staging: bool) -> None:
    requests.post(f"{url}{AUTHORING}/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": staging},
                  headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=60).raise_for_status()


def predict(url: str, app_id: str, slot: str = "production") -> requests.Response:
    return requests.get(f"{url}/luis/prediction/v3.0/apps/{app_id}/slots/{slot}/predict",
                        params={"query": "fly me to rome"}, headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=30)


def load(urls: list[str], app_id: str, seconds: float, concurrency: int) -> dict:
    """`concurrency` clients shared among `urls`, totals and the worst percentiles."""
    phase(urls[0], KEY, app_id, 2, concurrency)  # warm-up
    with ThreadPoolExecutor(len(urls)) as pool:
        parts = list(pool.map(lambda u: phase(u, KEY, app_id, seconds, concurrency // len(urls)), urls))
    total = {key: sum(p[key] for p in parts) for key in ("requests", "errors", "throughput_rps")}
    return total | {key: max(p[key] for p in parts) for key in ("p50_ms", "p95_ms", "p99_ms")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--base-model", help="LUISLITE_BASE_MODEL (default: the packaged MiniLM)")
    args = parser.parse_args()
    settings = {"LUISLITE_ACCESS_LOG": "0"} | ({"LUISLITE_BASE_MODEL": args.base_model} if args.base_model else {})
    results, processes, cluster = {}, [], Cluster()
    try:
        with tempfile.TemporaryDirectory(prefix="luislite-cluster-") as tmp:
            tmp = Path(tmp)
            for name in ("sqlite", "a", "b"):
                (tmp / name).mkdir()
            process, url = start_server(tmp / "sqlite", KEY, **settings)
            processes.append(process)
            app_id = trained_and_published(url)
            results["sqlite, 1 process"] = load([url], app_id, args.seconds, args.concurrency)
            process.terminate()

            database = create_database(cluster.url, "luislite_bench")
            settings["LUISLITE_DATABASE_URL"] = database
            process, a = start_server(tmp / "a", KEY, **settings)
            processes.append(process)
            app_id = trained_and_published(a)
            results["postgres, 1 process"] = load([a], app_id, args.seconds, args.concurrency)

            started = time.monotonic()
            process, b = start_server(tmp / "b", KEY, "--workers", "0", **settings)
            processes.append(process)
            results["cold node: start to /health, s"] = round(time.monotonic() - started, 2)
            started = time.monotonic()
            assert predict(b, app_id).status_code == 200
            results["cold node: first prediction, s"] = round(time.monotonic() - started, 2)
            started = time.monotonic()
            publish(b, app_id, staging=True)
            wait_for(lambda: predict(a, app_id, "staging").status_code == 200, 10, "A serving B's publish")
            results["publish through B served by A, s"] = round(time.monotonic() - started, 2)
            results["postgres, 2 processes"] = load([a, b], app_id, args.seconds, args.concurrency)
            engine = sa.create_engine(database)
            with engine.connect() as connection:
                results["stored model bytes"] = connection.scalar(sa.text("SELECT max(size) FROM stored_models"))
            engine.dispose()
            results["model dir bytes (data-dir store, all files)"] = sum(
                f.stat().st_size for d in (tmp / "sqlite" / "models").iterdir() for f in d.iterdir())
    finally:
        for process in processes:
            process.terminate()
        cluster.stop()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
