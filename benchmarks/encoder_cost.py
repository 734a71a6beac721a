"""What an app costs on each encoder: artifact bytes on disk, bytes in the database model store, serving memory
and prediction latency, for the same app trained once per culture (`luislite.nlu` in-process, default recipe).

    .venv/bin/python benchmarks/encoder_cost.py --lu Email-zh-cn.lu --culture zh-cn --lu Email-es-es.lu \
        --culture es-es --english snips

Each `--lu`/`--culture` pair is a Virtual Assistant skill `.lu` file (see benchmarks/cultures.py) whose training
split is trained; `--english snips` adds SNIPS 20/intent (English, the MiniLM) from ../shared/datasets. Serving
memory is the resident set a fresh process gains by loading the served model (int8 ONNX + tokenizer) and answering
one prediction, median of three processes; latency is the median of the test utterances predicted one by one.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cultures import cpu_flags, luis_app, read_lu, split

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from luislite.domain.appversion import AppVersion
from luislite.nlu.fit import train
from luislite.store.base import serving_files

_MEMORY = """
import json, resource, sys
from luislite.nlu.recognizer import Recognizer
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
Recognizer.load(sys.argv[1]).predict(sys.argv[2])
print(json.dumps((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024))
"""


def app_of(args_lu: Path, culture: str) -> tuple[dict, list[str]]:
    parts = split(read_lu(args_lu.read_text(encoding="utf-8")))
    return luis_app(parts["train"], culture), [u["text"] for u in parts["test"]]


def english() -> tuple[dict, list[str]]:
    sys.path.insert(0, str(Path(__file__).parent))
    from nlu_direct import DATASETS, sample

    version = AppVersion.from_luis(json.loads((DATASETS / "snips" / "train_luis_app.json").read_text()))
    sample(version, 20)
    tests = [json.loads(line)["text"] for line in (DATASETS / "snips" / "test.jsonl").read_text().splitlines()]
    return version.to_luis(), tests[:300]


def cost(app: dict, queries: list[str]) -> dict:
    from luislite.nlu.recognizer import Recognizer

    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        stats = train(AppVersion.from_luis(app), Path(out))
        seconds = time.monotonic() - started
        files = {p.name: p.stat().st_size for p in Path(out).iterdir()}
        served = sum(p.stat().st_size for p in serving_files(Path(out)))
        memory = statistics.median(int(subprocess.run([sys.executable, "-c", _MEMORY, out, queries[0]], check=True,
                                                      capture_output=True, text=True).stdout) for _ in range(3))
        recognizer = Recognizer.load(Path(out))
        latencies = []
        for query in queries:
            begun = time.perf_counter()
            recognizer.predict(query)
            latencies.append(1000 * (time.perf_counter() - begun))
        labels = json.loads((Path(out) / "labels.json").read_text())
    mb = 1 << 20
    return {"culture": app["culture"], "utterances": len(app["utterances"]), "base_model": labels["base_model"],
            "train_seconds": round(seconds, 1), "steps": stats["steps"],
            "vocabulary": json.loads((Path(out) / "config.json").read_text())["vocab_size"],
            "disk_mb": round(sum(files.values()) / mb, 1), "database_store_mb": round(served / mb, 1),
            "int8_graph_mb": round(files["model.int8.onnx"] / mb, 1), "serving_rss_mb": round(memory / mb, 1),
            "predict_p50_ms": round(statistics.median(latencies), 2),
            "predict_p95_ms": round(statistics.quantiles(latencies, n=20)[-1], 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lu", type=Path, action="append", default=[])
    parser.add_argument("--culture", action="append", default=[])
    parser.add_argument("--english", choices=["snips"])
    args = parser.parse_args()
    apps = [app_of(lu, culture) for lu, culture in zip(args.lu, args.culture)] + ([english()] if args.english else [])
    print(json.dumps({"cpu_flags": cpu_flags(), "apps": [cost(app, queries) for app, queries in apps]}, indent=1))


if __name__ == "__main__":
    main()
