"""A longer fuzz run of the whole HTTP API (schemathesis, from `GET /openapi.json`): tests/test_fuzz.py, longer.

Starts `luislite serve` on 127.0.0.1 with a fresh data dir, its worker fine-tuning a tiny random BERT
(tests/tinybert.py) so that fuzzed trainings take seconds, and imports, trains and publishes an app with an entity
of every kind (tests/fuzzing.py). Then, for every operation: --examples valid and as many invalid generated
requests with generated ids (unknown apps: 404s, query checks), the same with the ids of that app (bodies reach
validation, predictions reach the model and the recognizers), and schemathesis's coverage cases (each parameter and
field at its bounds, of a wrong type or missing; unexpected methods) with the app's ids. Prints the requests sent,
the 5xx answers and the answers that do not match the OpenAPI description, each listed.

    LUISLITE_TRAIN_THREADS=1 .venv/bin/python benchmarks/fuzz.py --examples 5
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from local_server import REPO, start_server

sys.path.insert(0, str(REPO / "tests"))
from conftest import Http
from fuzzing import Findings, cover, fuzz, fuzz_app, load_schema
from tinybert import build_tiny_bert

KEY = "00000000-0000-4000-8000-00000000f022"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=5, help="valid and invalid requests per operation and pass")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        process, url = start_server(data_dir, KEY, LUISLITE_BASE_MODEL=str(build_tiny_bert(data_dir / "tiny-bert")),
                                    LUISLITE_ACCESS_LOG="0")
        try:
            with Http(SimpleNamespace(url=url), KEY) as http:
                app = fuzz_app(http)
            started, findings, schema = time.monotonic(), Findings(), load_schema(url, KEY)
            for path_parameters in (None, app):
                fuzz(schema, args.examples, findings, path_parameters)
            cover(schema, findings, app)
            report(findings, time.monotonic() - started)
        finally:
            process.terminate()
            process.wait()


def report(findings: Findings, seconds: float) -> None:
    for title, items in (("5xx answers", findings.server_errors), ("schema violations", findings.violations)):
        for item in items:
            print(f"[{title}] {item}")
    print(f"requests: {findings.requests}  5xx: {len(findings.server_errors)}  "
          f"schema violations: {len(findings.violations)}  duration: {seconds:.0f} s")
    print("answers by status:", dict(sorted(findings.statuses.items())))


if __name__ == "__main__":
    main()
