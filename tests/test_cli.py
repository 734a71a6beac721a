"""The `luislite` client commands: local mode (the data directory, in-process) and remote mode (`--endpoint`).

Training uses the tiny random BERT (`tiny_model`), so predictions are of no quality: the tests check that
the commands, the progress bar, the exit codes and the report agree with what the API answers.
"""
import json
import logging
import re
import uuid
import warnings
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from conftest import REPO, _free_port, unique_name
from luislite import create_app
from luislite.cli import main
from luislite.domain.evaluation import load_batch

SAMPLE = REPO / "samples" / "travel_app.json"
PIZZA_LU = REPO / "tests" / "fixtures" / "pizza.lu"
PREDICT = "/luis/prediction/v3.0/apps/{app}/slots/{slot}/predict"


def cli(*args, **env):
    """Run `luislite ARGS` in-process; env variables apply during the call only."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env or None, catch_exceptions=False)


def error_line(result) -> str:
    """The one line a failed command wrote to stderr."""
    lines = [line for line in result.stderr.replace("\r", "\n").splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and result.stderr.rstrip().endswith(lines[0]), result.stderr
    return lines[0]


@pytest.fixture(autouse=True)
def restore_logging():
    """The CLI quiets logging and reformats warnings for its process; give the test process its own back."""
    formatwarning = warnings.formatwarning
    yield
    logging.disable(logging.NOTSET)
    warnings.formatwarning = formatwarning


@pytest.fixture(scope="module")
def local(tmp_path_factory, tiny_model):
    """Local mode: a fresh data directory, training on the tiny model."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("LUISLITE_ENDPOINT", "LUISLITE_KEY", "LUISLITE_DATABASE_URL", "LUISLITE_AUTHORING_KEYS",
                     "LUISLITE_ENDPOINT_KEYS"):
            patch.delenv(name, raising=False)
        patch.setenv("LUISLITE_DATA_DIR", str(tmp_path_factory.mktemp("cli-data")))
        patch.setenv("LUISLITE_BASE_MODEL", str(tiny_model))
        patch.setenv("LUISLITE_TRAIN_THREADS", "1")
        yield


@pytest.fixture(scope="module")
def remote(tiny_server) -> dict:
    """Remote mode through the environment: the tiny-model server."""
    return {"LUISLITE_ENDPOINT": tiny_server.url, "LUISLITE_KEY": tiny_server.key}


def import_sample(name: str, **env) -> str:
    result = cli("import", SAMPLE, "--name", name, **env)
    assert result.exit_code == 0, result.stderr
    app_id = result.stdout.strip()
    uuid.UUID(app_id)
    return app_id


def batch_file(path: Path, jsonl: bool = False) -> Path:
    """A batch test from the sample's own utterances (nested labels flattened), as JSON or JSON lines."""
    def flat(entities):
        for e in entities:
            yield {"entity": e["entity"], "startPos": e["startPos"], "endPos": e["endPos"]}
            yield from flat(e.get("children") or [])

    utterances = json.loads(SAMPLE.read_text())["utterances"][::3]
    docs = [{"text": u["text"], "intent": u["intent"], "entities": list(flat(u["entities"]))} for u in utterances]
    path.write_text("\n".join(json.dumps(d) for d in docs) if jsonl else json.dumps(docs))
    return path


def check_report(result: dict, gold_file: Path, responses: list[dict]) -> None:
    """The report's figures, recomputed from predictions made here."""
    gold = load_batch(gold_file)
    assert result["utterances"] == len(gold) == len(responses)
    intents = [r["prediction"]["topIntent"] for r in responses]
    assert result["intent_accuracy"] == pytest.approx(sum(g.intent == p for g, p in zip(gold, intents)) / len(gold))
    for name, scores in result["intents"].items():
        assert scores["predicted"] == intents.count(name)
        assert scores["support"] == sum(g.intent == name for g in gold)

    def spans(entities):
        for key, items in (entities.get("$instance") or {}).items():
            for item, value in zip(items, entities[key]):
                yield item["startIndex"], item["startIndex"] + item["length"], item["type"]
                if isinstance(value, dict):
                    yield from spans(value)

    predicted = [set(spans(r["prediction"]["entities"])) for r in responses]
    correct = sum(len(set(g.spans) & p) for g, p in zip(gold, predicted))
    assert sum(s["correct"] for s in result["entities"].values()) == correct
    assert sum(s["predicted"] for s in result["entities"].values()) == sum(len(p) for p in predicted)
    assert len(result["errors"]) == sum(not (g.intent == i and set(g.spans) == p)
                                        for g, i, p in zip(gold, intents, predicted))


def check_training_output(result) -> None:
    assert result.exit_code == 0, result.stderr
    assert "loss=" in result.stderr  # the bar, fed by details.progress, ends full
    assert re.search(r"100%\|.*\| (\d+)/\1 \[", result.stderr), result.stderr
    assert result.stdout.startswith("Success: version 0.1 trained")


# --- local mode -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_app(local):
    """The sample app imported, trained and published in local mode; (id, name, the train command's result)."""
    name = unique_name("cli")
    app_id = import_sample(name)
    trained = cli("train", name)
    assert cli("publish", app_id).exit_code == 0
    return app_id, name, trained


def test_local_import_json_and_lu_then_export_both_formats(local, tmp_path):
    app_id = import_sample(unique_name("json"))
    exported = cli("export", app_id)
    assert exported.exit_code == 0 and json.loads(exported.stdout)["name"].startswith("json-")

    lu_app = cli("import", PIZZA_LU)
    assert lu_app.exit_code == 0, lu_app.stderr
    assert cli("export", "Pizza orders", "-o", tmp_path / "pizza.lu").exit_code == 0
    lu = (tmp_path / "pizza.lu").read_text()
    assert "> !# @app.name = Pizza orders" in lu and "# OrderPizza" in lu
    assert cli("export", lu_app.stdout.strip(), "--format", "json", "-o", tmp_path / "pizza.json").exit_code == 0
    assert json.loads((tmp_path / "pizza.json").read_text())["versionId"] == "0.2"

    again = cli("import", tmp_path / "pizza.lu", "--name", "Pizza again")  # .lu -> app -> .lu is stable
    assert again.exit_code == 0
    assert cli("export", "Pizza again", "--format", "lu").stdout == lu.replace("Pizza orders", "Pizza again")


def test_local_commands_print_no_access_log(local):
    """Access logs are the server's: in local mode a command prints what was asked for, here the app id."""
    result = cli("import", SAMPLE, "--name", unique_name("quiet"))
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    uuid.UUID(result.stdout.strip())


def test_local_train_shows_progress(local_app):
    check_training_output(local_app[2])
    assert cli("train", local_app[1]).stdout.startswith("UpToDate")


def test_local_predict_pretty_and_json(local_app, tmp_path):
    app_id, name, _ = local_app
    pretty = cli("predict", name, "book a flight from paris to london")
    assert pretty.exit_code == 0, pretty.stderr
    lines = pretty.stdout.splitlines()
    assert lines[0] == "book a flight from paris to london" and lines[1].startswith("  intent  ")

    raw = cli("predict", app_id, "book a flight from paris to london", "--version", "0.1", "--json")
    answer = json.loads(raw.stdout)
    assert answer["query"] == "book a flight from paris to london"
    top = answer["prediction"]["topIntent"]
    assert lines[1] == f"  intent  {top}  {answer['prediction']['intents'][top]['score']:.3f}"
    assert "$instance" in answer["prediction"]["entities"] or not answer["prediction"]["entities"]

    (tmp_path / "queries.txt").write_text("hello\n\nfly to rome\n")
    many = cli("predict", name, "--file", tmp_path / "queries.txt", "--json")
    assert [json.loads(line)["query"] for line in many.stdout.splitlines()] == ["hello", "fly to rome"]


def test_local_evaluate_writes_json_and_html(local_app, tmp_path):
    app_id, name, _ = local_app
    gold = batch_file(tmp_path / "batch.json")
    result = cli("evaluate", name, "--file", gold, "--json", tmp_path / "report.json", "--html", tmp_path / "r.html")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Intents") and "Intent accuracy" in result.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert f"Intent accuracy       {report['intent_accuracy']:.3f}" in result.stdout
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")

    client = create_app().test_client()
    key = client.application.config["LUISLITE"].authoring_keys[0]
    responses = [client.post(PREDICT.format(app=app_id, slot="production"), json={"query": e.text},
                             query_string={"verbose": "true"}, headers={"Ocp-Apim-Subscription-Key": key}).get_json()
                 for e in load_batch(gold)]
    check_report(report, gold, responses)


def test_local_failed_training_exits_1_with_the_reason(local, tmp_path):
    app_id = import_sample(unique_name("fail"))
    result = cli("train", app_id, LUISLITE_BASE_MODEL=str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert error_line(result).startswith("error: training failed: ")


def test_unknown_app_is_one_line_and_exit_1(local):
    by_name = cli("predict", "no such app", "hello")
    assert by_name.exit_code == 1
    assert error_line(by_name) == "error: NotFound: Cannot find an application named 'no such app'."
    by_id = cli("export", str(uuid.uuid4()))
    assert by_id.exit_code == 1 and error_line(by_id).startswith("error: NotFound: ")


def test_bad_files_are_one_line(local, tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    broken = cli("import", tmp_path / "broken.json")
    assert broken.exit_code == 2 and "is not JSON" in error_line(broken)

    (tmp_path / "list.json").write_text("[1, 2]")  # JSON, but no app: the service says so
    not_an_app = cli("import", tmp_path / "list.json")
    assert not_an_app.exit_code == 1 and error_line(not_an_app).startswith("error: BadArgument: ")

    evaluate = cli("evaluate", "whatever", "--file", PIZZA_LU)
    assert evaluate.exit_code == 2 and "not a LUIS batch-test file" in error_line(evaluate)

    missing = cli("import", tmp_path / "absent.json")
    assert missing.exit_code == 2  # click's usage error


def test_usage_errors_exit_2(local):
    assert cli("predict", "app").exit_code == 2  # neither QUERY nor --file
    assert cli("predict", "app", "hi", "--slot", "staging", "--version", "0.1").exit_code == 2


# --- remote mode ------------------------------------------------------------------------------

def test_remote_import_train_publish_predict_evaluate(remote, tiny_server, tmp_path):
    name = unique_name("remote")
    app_id = import_sample(name, **remote)
    check_training_output(cli("train", name, **remote))
    published = cli("publish", name, "--staging", "--endpoint", tiny_server.url, "--key", tiny_server.key)
    assert published.exit_code == 0 and published.stdout.startswith("Published version 0.1 to staging: ")

    raw = cli("predict", app_id, "fly me to rome", "--slot", "staging", "--json", **remote)
    assert raw.exit_code == 0 and json.loads(raw.stdout)["query"] == "fly me to rome"
    pretty = cli("predict", name, "fly me to rome", "--slot", "staging", **remote)
    assert pretty.stdout.startswith("fly me to rome\n  intent  ")

    gold = batch_file(tmp_path / "batch.jsonl", jsonl=True)
    result = cli("evaluate", name, "-f", gold, "--slot", "staging", "--json", tmp_path / "r.json",
                 "--html", tmp_path / "r.html", **remote)
    assert result.exit_code == 0, result.stderr
    url = tiny_server.url + PREDICT.format(app=app_id, slot="staging")
    responses = [requests.post(url, json={"query": e.text}, params={"verbose": "true"}, timeout=30,
                               headers={"Ocp-Apim-Subscription-Key": tiny_server.key}).json() for e in load_batch(gold)]
    check_report(json.loads((tmp_path / "r.json").read_text()), gold, responses)
    assert "Confusion" in (tmp_path / "r.html").read_text() or "confusion" in (tmp_path / "r.html").read_text()

    exported = cli("export", name, "--format", "lu", **remote)
    assert exported.exit_code == 0 and "# BookFlight" in exported.stdout


def test_remote_errors(remote, tiny_server):
    unknown = cli("train", str(uuid.uuid4()), **remote)
    assert unknown.exit_code == 1 and error_line(unknown).startswith("error: NotFound: ")
    bad_key = cli("export", "x", "--endpoint", tiny_server.url, "--key", str(uuid.uuid4()))
    assert bad_key.exit_code == 1 and error_line(bad_key).startswith("error: 401: Access denied")


def test_no_server_at_endpoint_exits_2():
    endpoint = f"http://127.0.0.1:{_free_port()}"
    result = cli("predict", "app", "hi", "--endpoint", endpoint, "--key", str(uuid.uuid4()))
    assert result.exit_code == 2
    assert error_line(result) == f"error: cannot connect to {endpoint}: ConnectionError"
