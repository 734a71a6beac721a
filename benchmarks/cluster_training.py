"""Training throughput of training nodes sharing PostgreSQL: two apps trained by one worker, then by two.

Starts a throwaway PostgreSQL cluster (tests/postgres.py), an API node (`luislite serve --workers 0`) and, per
round, --workers-per-round training nodes (`luislite worker`, each its own data dir); each round imports --apps
travel apps, asks for all their trainings at once and times until every one has succeeded.

    LUISLITE_TRAIN_THREADS=1 .venv/bin/python benchmarks/cluster_training.py [--base-model tests' tiny BERT dir]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from load import AUTHORING, KEY, TRAVEL, app_json, training_status, wait_for
from local_server import REPO, start_server

sys.path.insert(0, str(REPO / "tests"))
from postgres import Cluster, create_database


def start_worker(data_dir: Path, settings: dict) -> subprocess.Popen:
    environment = dict(os.environ, LUISLITE_DATA_DIR=str(data_dir), LUISLITE_AUTHORING_KEYS=KEY,
                       HF_HUB_OFFLINE="1", **settings)
    return subprocess.Popen([sys.executable, "-m", "luislite.cli", "worker"], cwd=REPO, env=environment,
                            stdout=open(data_dir / "worker.log", "wb"), stderr=subprocess.STDOUT)


def train_round(url: str, apps: int, name: str) -> float:
    """Seconds from asking for `apps` trainings at once until all succeeded."""
    session = requests.Session()
    session.headers["Ocp-Apim-Subscription-Key"] = KEY
    app_ids = []
    for n in range(apps):
        response = session.post(f"{url}{AUTHORING}/apps/import", json=app_json(f"{name}-{n}", TRAVEL), timeout=120)
        app_ids.append(response.json())
    started = time.monotonic()
    for app_id in app_ids:
        session.post(f"{url}{AUTHORING}/apps/{app_id}/versions/0.1/train", timeout=60).raise_for_status()
    for app_id in app_ids:
        wait_for(lambda a=app_id: training_status(session, url, a) == "Success", 1800, "the trainings")
    return round(time.monotonic() - started, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=2)
    parser.add_argument("--workers-per-round", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--base-model", help="LUISLITE_BASE_MODEL (default: the packaged MiniLM)")
    args = parser.parse_args()
    cluster, processes, results = Cluster(), [], {}
    try:
        with tempfile.TemporaryDirectory(prefix="luislite-training-") as tmp:
            settings = {"LUISLITE_ACCESS_LOG": "0", "LUISLITE_DATABASE_URL": create_database(cluster.url, "bench")} \
                | ({"LUISLITE_BASE_MODEL": args.base_model} if args.base_model else {})
            (Path(tmp) / "api").mkdir()
            process, url = start_server(Path(tmp) / "api", KEY, "--workers", "0", **settings)
            processes.append(process)
            for workers in args.workers_per_round:
                started = []
                for n in range(workers):
                    (data_dir := Path(tmp) / f"worker-{workers}-{n}").mkdir()
                    started.append(start_worker(data_dir, settings))
                processes.extend(started)
                seconds = train_round(url, args.apps, f"round-{workers}")
                results[f"{workers} worker(s), {args.apps} apps"] = {
                    "seconds": seconds, "models_per_minute": round(60 * args.apps / seconds, 2)}
                for worker in started:
                    worker.terminate()
                    worker.wait(timeout=30)
    finally:
        for process in processes:
            process.terminate()
        cluster.stop()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
