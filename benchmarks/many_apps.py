"""Scale in number of apps (issue 20): one `luislite serve` holding many trained apps of mixed sizes and cultures.

Starts `luislite serve` (its one training worker, SQLite) on a fresh data dir with LUISLITE_MODEL_MEMORY_MB at
--memory-mb (default 1024, the server's own default). The budget counts a model at twice its files: an app's own
weights only (its adapters, heads and rules, about 3 MB for an en-us app and 6 MB for a zh-cn one), while the shared
encoders they run on are the process's, outside it; so 100 apps stay loaded in the default budget, and a smaller
--memory-mb shows the least recently used released (and their "over the memory budget" log lines). Then, through
the LUIS HTTP API:

1. builds --apps apps (default 100), shared among --cultures by --share and interleaved in that proportion: en-us
   apps are `snips/train_luis_app.json` sampled per intent (`http_benchmark.small_sample`), any other culture's are
   one of the prebuilt domains luislite ships for it (--domains, default Calendar,Email,ToDo: the Bot Framework
   skills' own `.lu` data, as `cultures.py --domain` reads it; the `.lu` copies `cultures.py --lu` reads are not
   on this box) sampled the same way. Each culture's apps cycle through --sizes (utterances per intent, default
   5,10,20,50) and every app samples with its own seed (13 + its index), so no two apps are alike;
2. imports, trains (sequentially; status polled every 0.25 s, --train-timeout per app) and publishes each one:
   train wall time from the train request to Success, as median / p90 / max over all, by culture and by size;
3. only then predicts once on each app in turn: that prediction loads its model (nothing loaded it at publish),
   so its latency is the app's cold first prediction (median / p90 / max). Server memory (VmRSS) is read after
   startup, after the first app's first prediction and after every app has served once, for the serving process
   (which holds the loaded models) and for the whole process tree (serving process + training worker + helpers);
   memory per app = (RSS after all apps served - RSS after one app) / (N - 1); per culture, the median of the
   serving process's growth over that culture's cold predictions (its first app's, which carries the culture's
   one-time costs, left out);
4. warm phase, round robin: --requests prediction v3.0 requests (POST with verbose=true like `http_benchmark.py`'s
   evaluate, or GET with --method get), request k to app k mod N with a query of that app's data (SNIPS test
   utterances for en-us, the domain's utterances otherwise): HTTP p50 / p99, overall and per culture;
5. single-app phase, same run, same server: for each culture, the very queries its apps got in phase 4, all sent
   to that culture's first app, one culture after the other: p50 / p99 and the differences (round robin minus
   single app) from which "p50 within 1 ms of a single-app server" reads off.

It also checks the memory budget held: the server's `/metrics` gauges of loaded models and their estimated bytes,
and the count of "over the memory budget" releases in the server's log (0 expected within the budget). Latency is
client-side HTTP time, one request at a time from this process. stdout: one JSON object; stderr: progress and a
short summary. A training's quick model is refined by the worker afterwards, replacing it where it serves: with the
default recipe, refinements of earlier apps run (and swap models) while later phases measure; the recipe below
(`quick_steps` 0: each app trained once, adapters on every layer as a refined model has, fewer steps) keeps the
worker idle once the apps are trained.

    RECIPE='{"quick_steps": 0, "min_steps": 60, "character_min_steps": 60, "deep_min_steps": 60, "min_epochs": 1}'
    nice .venv/bin/python benchmarks/many_apps.py --env LUISLITE_TRAIN_RECIPE="$RECIPE"   # 100 apps, en-us + zh-cn
    SMOKE='{"min_steps": 20, "character_min_steps": 20, "deep_min_steps": 20, "min_epochs": 1}'
    nice .venv/bin/python benchmarks/many_apps.py --apps 3 --sizes 5 --requests 60 --env LUISLITE_TRAIN_RECIPE="$SMOKE"
    nice .venv/bin/python benchmarks/many_apps.py --cultures en-us --apps 50 --sizes 10,20 > result.json

Trainings take the worker's cores (LUISLITE_TRAIN_THREADS, default every core but one); --env passes any other
LUISLITE_* setting to the server (LUISLITE_TRAIN_RECIPE, LUISLITE_ACCESS_LOG, LUISLITE_PREDICT_THREADS...).
"""
import argparse
import itertools
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from cultures import cpu_flags, domain
from http_benchmark import DATASETS, KEY, rss_mb, small_sample, train_and_publish
from load import percentile
from local_server import start_server

ENGLISH = "en-us"  # SNIPS' culture; the others take luislite's prebuilt domains


def spread(values: list[float]) -> dict:
    """n, p50 (median), p90, p99 and max of `values`, to 2 decimals."""
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(statistics.median(values), 2),
            **{f"p{q}": round(percentile(values, q / 100), 2) for q in (90, 99)}, "max": round(max(values), 2)}


def by(records: list[dict], key: str, value: str) -> dict:
    """`spread` of each record's `value`, grouped by its `key`."""
    groups = defaultdict(list)
    for record in records:
        groups[record[key]].append(record[value])
    return {str(name): spread(values) for name, values in sorted(groups.items())}


def tree_pids(pid: int) -> list[int]:
    """`pid` and every process below it (the children of each of its threads, recursively)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:  # the thread ended meanwhile
            continue
    return [pid, *itertools.chain.from_iterable(tree_pids(c) for c in children)]


def memory(pid: int) -> dict:
    """VmRSS in MB of the serving process and of its whole process tree (a process gone or a zombie counts 0)."""
    def rss(p):
        try:
            return rss_mb(p)
        except (FileNotFoundError, StopIteration):
            return 0.0
    return {"serving_mb": round(rss(pid), 1), "tree_mb": round(sum(rss(p) for p in tree_pids(pid)), 1)}


def plan(args) -> list[dict]:
    """The apps to build: culture, data source, utterances per intent and sampling seed, interleaved by --share."""
    shares = [float(s) for s in args.share.split(",")] if args.share else [1.0] * len(args.cultures)
    if len(shares) != len(args.cultures) or min(shares) < 0 or not sum(shares):
        raise SystemExit("--share needs one non-negative number per culture of --cultures")
    exact = [args.apps * s / sum(shares) for s in shares]
    counts = [int(e) for e in exact]
    for n in sorted(range(len(exact)), key=lambda n: counts[n] - exact[n])[:args.apps - sum(counts)]:
        counts[n] += 1  # largest remainders first
    order = sorted(((k + 0.5) / count, n, k) for n, count in enumerate(counts) for k in range(count))
    return [{"app": i, "culture": args.cultures[n], "per_intent": args.sizes[k % len(args.sizes)], "seed": 13 + i,
             "source": "snips" if args.cultures[n] == ENGLISH else args.domains[k % len(args.domains)]}
            for i, (_, n, k) in enumerate(order)]


def sources(apps: list[dict], datasets: Path) -> dict:
    """(culture, source) -> (the full LUIS app to sample, the queries to predict with)."""
    loaded = {}
    for culture, source in {(a["culture"], a["source"]) for a in apps}:
        if source == "snips":
            app = json.loads((datasets / "snips" / "train_luis_app.json").read_text())
            test = (datasets / "snips" / "test.jsonl").read_text().splitlines()
            queries = [json.loads(line)["text"] for line in test]
        else:
            app = domain(source, culture)
            queries = [u["text"] for u in app["utterances"]]
        loaded[culture, source] = app, queries
    return loaded


def predict_ms(session: requests.Session, url: str, app_id: str, query: str, method: str) -> float:
    """Client-side milliseconds of one prediction v3.0 request to the production slot (an HTTP error raises)."""
    endpoint = f"{url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict"
    started = time.perf_counter()
    if method == "get":
        response = session.get(endpoint, params={"query": query, "verbose": "true"}, timeout=120)
    else:
        response = session.post(endpoint, params={"verbose": "true"}, json={"query": query}, timeout=120)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def loaded_models(url: str) -> dict:
    """What the server's `/metrics` says it holds loaded: models and their estimated MB."""
    text = requests.get(f"{url}/metrics", headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=30).text
    gauges = {s.name: s.value for family in text_string_to_metric_families(text) for s in family.samples}
    return {"models": int(gauges.get("luislite_loaded_models", -1)),
            "estimated_mb": round(gauges.get("luislite_loaded_model_bytes", 0) / 2**20, 1)}


def build(session, url: str, apps: list[dict], data: dict, timeout: float) -> str | None:
    """Import, train and publish every app in turn, noting its id, utterances and train seconds; the reason it
    stopped early (a training past `timeout`), else None."""
    for app in apps:
        full, _ = data[app["culture"], app["source"]]
        sample = small_sample(full, app["per_intent"], app["seed"])
        app["utterances"] = len(sample["utterances"])
        try:
            app["id"], seconds = train_and_publish(session, url, sample, timeout=timeout, poll=0.25)
        except TimeoutError as error:
            return str(error)
        app["train_s"] = round(seconds, 2)
        print(f"app {app['app'] + 1}/{len(apps)} {app['culture']} {app['source']} {app['per_intent']}/intent "
              f"({app['utterances']} utterances): trained in {seconds:.1f} s", file=sys.stderr)
    return None


def cold(session, url: str, apps: list[dict], data: dict, method: str, pid: int) -> dict:
    """Each app's first prediction (its cold load), the serving RSS after it; memory after the first and the last."""
    marks = {}
    for app in apps:
        app["cold_ms"] = round(predict_ms(session, url, app["id"], data[app["culture"], app["source"]][1][0],
                                          method), 2)
        now = memory(pid)
        app["rss_after_mb"] = now["serving_mb"]
        marks.setdefault("after_first_app_mb", now)
    marks["after_all_apps_mb"] = now
    return marks


def per_app_growth(apps: list[dict]) -> dict:
    """Per culture: the median growth of the serving RSS over its apps' cold predictions, its first app left out."""
    growth, seen = defaultdict(list), {apps[0]["culture"]}
    for before, app in zip(apps, apps[1:]):
        if app["culture"] in seen:
            growth[app["culture"]].append(app["rss_after_mb"] - before["rss_after_mb"])
        seen.add(app["culture"])
    return {culture: round(statistics.median(values), 1) for culture, values in sorted(growth.items())}


def warm(session, url: str, apps: list[dict], data: dict, requests_count: int, method: str) -> tuple[dict, dict]:
    """Round robin over all apps, then the same queries per culture to that culture's first app: latencies (ms)
    per culture for each phase."""
    sent = defaultdict(list)  # culture -> queries in the order the round robin sent them
    round_robin, single = defaultdict(list), defaultdict(list)
    for k in range(requests_count):
        app = apps[k % len(apps)]
        queries = data[app["culture"], app["source"]][1]
        query = queries[(k // len(apps)) % len(queries)]
        sent[app["culture"]].append(query)
        round_robin[app["culture"]].append(predict_ms(session, url, app["id"], query, method))
    for culture, queries in sent.items():
        first = next(a for a in apps if a["culture"] == culture)
        single[culture] = [predict_ms(session, url, first["id"], query, method) for query in queries]
    return round_robin, single


def compare(round_robin: dict, single: dict) -> dict:
    """p50/p99 of both phases, overall and per culture, and round robin minus single app."""
    def both(many, one):
        a, b = spread(many), spread(one)
        return {"round_robin": a, "single_app": b, "p50_difference_ms": round(a["p50"] - b["p50"], 2),
                "p99_difference_ms": round(a["p99"] - b["p99"], 2)}
    result = {"all": both(list(itertools.chain(*round_robin.values())), list(itertools.chain(*single.values())))}
    return result | {culture: both(round_robin[culture], single[culture]) for culture in sorted(round_robin)}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--cultures", default=f"{ENGLISH},zh-cn",
                        type=lambda s: [c.strip().lower() for c in s.split(",")],
                        help="en-us: SNIPS samples; any other: luislite's prebuilt domains of that culture")
    parser.add_argument("--share", help="each culture's share of the apps, in --cultures order (default: equal)")
    parser.add_argument("--sizes", default="5,10,20,50", type=lambda s: [int(n) for n in s.split(",")],
                        help="utterances per intent; each culture's apps cycle through them")
    parser.add_argument("--domains", default="Calendar,Email,ToDo", type=lambda s: s.split(","),
                        help="prebuilt domains the non-English apps cycle through")
    parser.add_argument("--requests", type=int, default=2000, help="predictions per warm phase")
    parser.add_argument("--method", choices=["post", "get"], default="post")
    parser.add_argument("--memory-mb", type=int, default=1024, help="LUISLITE_MODEL_MEMORY_MB of the server")
    parser.add_argument("--train-timeout", type=float, default=1800,
                        help="seconds one app may take to train; past it, no more apps are built and the rest "
                             "of the benchmark runs on those published (beside the overdue training)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the server, e.g. LUISLITE_TRAIN_RECIPE='{\"min_steps\": 20}'; repeatable")
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--data-dir", type=Path, help="the server's data dir, kept (default: a temporary one)")
    args = parser.parse_args()
    if args.apps < 2:
        parser.error("--apps must be at least 2 (memory per app divides by N - 1)")
    return args


def summary(result: dict) -> str:
    memory_, cold_, warm_ = result["memory"], result["cold_first_prediction_ms"]["all"], result["warm"]["all"]
    train = result["train_seconds"]["all"]
    lines = [f"{result['apps_published']} apps published ({result['stopped'] or 'all built'}); "
             f"train s median/p90/max {train.get('p50')}/{train.get('p90')}/{train.get('max')}",
             f"RSS serving MB: startup {memory_['startup_mb']['serving_mb']}, one app "
             f"{memory_['after_first_app_mb']['serving_mb']}, all apps {memory_['after_all_apps_mb']['serving_mb']}"
             f" -> {memory_['per_app_mb']['serving']} MB/app (tree: {memory_['per_app_mb']['tree']} MB/app; "
             f"by culture {memory_['per_app_mb']['serving_by_culture']})",
             f"loaded per /metrics: {result['loaded']['models']} models, {result['loaded']['estimated_mb']} MB "
             f"estimated; budget releases in the log: {result['budget_releases']}",
             f"cold first prediction ms median/p90/max {cold_['p50']}/{cold_['p90']}/{cold_['max']}",
             f"warm p50/p99 ms: round robin {warm_['round_robin']['p50']}/{warm_['round_robin']['p99']}, single app "
             f"{warm_['single_app']['p50']}/{warm_['single_app']['p99']}: p50 difference "
             f"{warm_['p50_difference_ms']} ms"]
    return "\n".join(lines)


def main():
    args = parse()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the server below on `kill` too
    apps = plan(args)
    data = sources(apps, args.datasets)
    settings = {"LUISLITE_MODEL_MEMORY_MB": str(args.memory_mb)} | dict(item.split("=", 1) for item in args.env)
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = args.data_dir or Path(temporary)
        data_dir.mkdir(parents=True, exist_ok=True)
        process, url = start_server(data_dir, KEY, **settings)
        try:
            session = requests.Session()
            session.headers["Ocp-Apim-Subscription-Key"] = KEY
            load_before = os.getloadavg()
            time.sleep(2)  # the training worker starts beside the server
            marks = {"startup_mb": memory(process.pid)}
            started = time.monotonic()
            stopped = build(session, url, apps, data, args.train_timeout)
            built_s = time.monotonic() - started
            apps = [a for a in apps if "id" in a]
            if len(apps) < 2:
                raise SystemExit(f"fewer than 2 apps published: {stopped}")
            marks |= cold(session, url, apps, data, args.method, process.pid)
            round_robin, single = warm(session, url, apps, data, args.requests, args.method)
            marks["after_warm_phases_mb"] = memory(process.pid)
            loaded = loaded_models(url)
        finally:
            process.terminate()
            process.wait()
        releases = (data_dir / "server.log").read_text(errors="replace").count("over the memory budget")
    n = len(apps)
    result = {
        "config": {"apps": args.apps, "cultures": args.cultures, "share": args.share, "sizes": args.sizes,
                   "domains": args.domains, "requests": args.requests, "method": args.method,
                   "memory_mb": args.memory_mb, "train_timeout_s": args.train_timeout, "server_env": settings},
        "machine": {"cpu_flags": cpu_flags(), "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "apps_published": n, "stopped": stopped, "build_seconds": round(built_s, 1),
        "train_seconds": {"all": spread([a["train_s"] for a in apps]), "by_culture": by(apps, "culture", "train_s"),
                          "by_per_intent": by(apps, "per_intent", "train_s")},
        "memory": marks | {"per_app_mb": {
            kind: round((marks["after_all_apps_mb"][f"{kind}_mb"] - marks["after_first_app_mb"][f"{kind}_mb"])
                        / max(n - 1, 1), 1) for kind in ("serving", "tree")}},
        "cold_first_prediction_ms": {"all": spread([a["cold_ms"] for a in apps]),
                                     "by_culture": by(apps, "culture", "cold_ms"),
                                     "server_first_prediction": apps[0]["cold_ms"]},
        "warm": compare(round_robin, single),
        "loaded": loaded, "budget_releases": releases,
        "apps": [{k: a[k] for k in ("app", "culture", "source", "per_intent", "seed", "utterances", "train_s",
                                    "cold_ms", "rss_after_mb")} for a in apps],
    }
    result["memory"]["per_app_mb"]["serving_by_culture"] = per_app_growth(apps)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    print(summary(result), file=sys.stderr)


if __name__ == "__main__":
    main()
