"""Noisy neighbour under a prediction quota, and /metrics against the client's own counts.

Starts `luislite serve` on a fresh data dir with LUISLITE_PREDICTION_QUOTA (--quota) and two endpoint keys, trains
and publishes the small travel app on the tests' tiny random BERT (seconds), then:
1. idle: the normal key alone at --rate requests/s for --idle-seconds: its p99 is the reference;
2. load: the abusive key from --abusers threads at full speed and the normal key at --rate, for --seconds (at most
   30): the abusive key's 200s and 429s (each 429 must carry Retry-After), the normal key's p50/p99 and its ratio
   to the idle p99 (issue 22 wants it within 2x);
3. /metrics scraped before phase 1 and after phase 2: `luislite_requests_total` for the predict route, by status,
   and the count of `luislite_prediction_duration_seconds` (admitted predictions) against what the client counted
   (issue 22: within 1 %).

    nice .venv/bin/python benchmarks/quota_load.py
    nice .venv/bin/python benchmarks/quota_load.py --pin   # the server on one CPU, the clients on the others
    nice .venv/bin/python benchmarks/quota_load.py --pin --processes 8   # gunicorn's 8 processes on that CPU
"""
import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from load import AUTHORING, KEY, QUERIES, TRAVEL, import_and_train, percentile, training_status, wait_for
from local_server import REPO, start_server, start_worker

ABUSIVE = "00000000-0000-4000-8000-0000000a0b05"
NORMAL = "00000000-0000-4000-8000-00000000900d"
MAX_SECONDS = 30
ROUTE = "/luis/prediction/v3.0/apps/<app_id>/slots/<slot>/predict"


class Client:
    """One key's predictions from some threads: latencies (ms) by status, and 429s without Retry-After."""

    def __init__(self, url: str, app_id: str, key: str):
        self.predict = f"{url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict"
        self.key, self.lock = key, threading.Lock()
        self.latencies: dict[int, list[float]] = {}
        self.no_retry_after = 0

    def run(self, seconds: float, threads: int = 1, rate: float | None = None) -> None:
        """Predict from `threads` threads for `seconds`, at full speed or `rate` requests/s (one thread)."""
        stop = time.monotonic() + seconds
        workers = [threading.Thread(target=self._loop, args=(stop, rate)) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def _loop(self, stop: float, rate: float | None) -> None:
        with requests.Session() as session:
            session.headers["Ocp-Apim-Subscription-Key"] = self.key
            n, began = 0, time.monotonic()
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = session.get(self.predict, params={"query": QUERIES[n % len(QUERIES)]}, timeout=30)
                self._record(response, (time.perf_counter() - started) * 1000)
                n += 1
                if rate:
                    time.sleep(max(0.0, began + n / rate - time.monotonic()))

    def _record(self, response: requests.Response, ms: float) -> None:
        with self.lock:
            self.latencies.setdefault(response.status_code, []).append(ms)
            self.no_retry_after += response.status_code == 429 and "Retry-After" not in response.headers

    def counts(self) -> Counter:
        return Counter({status: len(values) for status, values in self.latencies.items()})

    def summary(self) -> dict:
        ok = self.latencies.get(200, [])
        return {"by_status": dict(self.counts()), "p50_ms": round(percentile(ok, 0.50), 1),
                "p99_ms": round(percentile(ok, 0.99), 1), "429_without_retry_after": self.no_retry_after}


def scrape(url: str) -> tuple[Counter, float]:
    """Predict-route requests by status, and the prediction-latency histogram's count, from /metrics."""
    text = requests.get(f"{url}/metrics", headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=30).text
    requests_by_status, histogram = Counter(), 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("route") != ROUTE:
                continue
            if sample.name == "luislite_requests_total":
                requests_by_status[int(sample.labels["status"])] += sample.value
            elif sample.name == "luislite_prediction_duration_seconds_count":
                histogram += sample.value
    return requests_by_status, histogram


def served_tiny_app(data_dir: Path, quota: str, processes: int) -> tuple[list, str, str]:
    """The server's processes (quota on, access log off; with `processes`, gunicorn's and a training worker), and
    the travel app trained on tiny BERT and published."""
    sys.path.insert(0, str(REPO / "tests"))
    from tinybert import build_tiny_bert

    model = build_tiny_bert(data_dir / "tiny-bert")
    settings = {"LUISLITE_PREDICTION_QUOTA": quota, "LUISLITE_ENDPOINT_KEYS": f"{ABUSIVE},{NORMAL}",
                "LUISLITE_BASE_MODEL": str(model), "LUISLITE_ACCESS_LOG": "0", "LUISLITE_TRAIN_THREADS": "1"}
    process, url = start_server(data_dir, KEY, processes=processes, **settings)
    processes = [process, start_worker(data_dir, KEY, **settings)] if processes else [process]
    session = requests.Session()
    session.headers["Ocp-Apim-Subscription-Key"] = KEY
    app_id = import_and_train(session, url, "travel", TRAVEL)
    wait_for(lambda: training_status(session, url, app_id) == "Success", 300, "training the served app")
    session.post(f"{url}{AUTHORING}/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": False},
                 timeout=60).raise_for_status()
    return processes, url, app_id


def pin(server_pid: int) -> list[int]:
    """Every thread of the server (and of its child processes: gunicorn's workers) on the first CPU, this process's
    threads to come on the others: the clients no longer take the server's core, as if they ran on other machines.
    The server's CPUs."""
    cpus = sorted(os.sched_getaffinity(0))
    for pid in [server_pid, *children(server_pid)]:
        for task in Path(f"/proc/{pid}/task").iterdir():
            os.sched_setaffinity(int(task.name), cpus[:1])
    os.sched_setaffinity(0, cpus[1:])
    return cpus[:1]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def measure(url: str, app_id: str, args, server_pid: int) -> dict:
    """The two phases between two scrapes of /metrics."""
    Client(url, app_id, NORMAL).run(2, rate=args.rate)  # warm-up: the model loads
    if args.pin:
        args.server_cpus = pin(server_pid)
    time.sleep(1.1)  # a fresh quota window
    before = scrape(url)
    idle = Client(url, app_id, NORMAL)
    idle.run(args.idle_seconds, rate=args.rate)
    abusive, normal = Client(url, app_id, ABUSIVE), Client(url, app_id, NORMAL)
    noisy = threading.Thread(target=abusive.run, args=(min(args.seconds, MAX_SECONDS), args.abusers))
    noisy.start()
    normal.run(min(args.seconds, MAX_SECONDS), rate=args.rate)
    noisy.join()
    after = scrape(url)
    client = idle.counts() + abusive.counts() + normal.counts()
    return {"idle": idle.summary(), "abusive": abusive.summary(), "normal": normal.summary(),
            "normal_p99_over_idle_p99": round(normal.summary()["p99_ms"] / idle.summary()["p99_ms"], 2),
            "metrics": compare(client, after[0] - before[0], after[1] - before[1])}


def compare(client: Counter, server: Counter, histogram: float) -> dict:
    """The server's counts beside the client's, and their largest relative difference (%)."""
    pairs = {f"requests_{status}": (client[status], server[status]) for status in sorted(client | server)}
    pairs["prediction_histogram_count"] = (client[200], histogram)
    worst = max(abs(s - c) / max(c, 1) * 100 for c, s in pairs.values())
    return {"client_vs_server": {name: [c, int(s)] for name, (c, s) in pairs.items()},
            "max_difference_percent": round(worst, 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quota", default="20/s", help="LUISLITE_PREDICTION_QUOTA (per key)")
    parser.add_argument("--rate", type=float, default=10, help="the normal key's requests/s (under the quota)")
    parser.add_argument("--abusers", type=int, default=4, help="threads of the abusive key, at full speed")
    parser.add_argument("--idle-seconds", type=float, default=15)
    parser.add_argument("--seconds", type=float, default=30, help=f"the noisy phase, at most {MAX_SECONDS}")
    parser.add_argument("--pin", action="store_true", help="the server on one CPU, the clients on the others")
    parser.add_argument("--processes", type=int, default=0,
                        help="serve with gunicorn and this many worker processes (and `luislite worker` beside) "
                             "instead of `luislite serve`'s one process")
    args = parser.parse_args()
    args.server_cpus = None
    with tempfile.TemporaryDirectory(prefix="luislite-quota-") as data_dir:
        processes, url, app_id = served_tiny_app(Path(data_dir), args.quota, args.processes)
        try:
            results = measure(url, app_id, args, processes[0].pid)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
    results["settings"] = {"quota": args.quota, "normal_rate": args.rate, "abusers": args.abusers,
                           "idle_seconds": args.idle_seconds, "seconds": min(args.seconds, MAX_SECONDS),
                           "cpus": os.cpu_count(), "server_cpus": args.server_cpus,
                           "server": f"gunicorn, {args.processes} workers" if args.processes else "luislite serve",
                           "model": "tests' tiny random BERT"}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
