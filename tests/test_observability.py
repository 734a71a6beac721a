"""Health and readiness endpoints, JSON request logs, and training failures a user can follow up."""
import json
import re

import pytest
import requests

from luislite import create_app
from luislite.services import readiness as health
from luislite.config import Config
from luislite.db import TrainingJob, Version, db
from luislite.training import jobs, worker
from tiny_app import trained_travel_app

KEY = "00000000-1111-4222-8333-444444444444"


@pytest.fixture
def flask_app(tmp_path):
    return create_app(Config(tmp_path, f"sqlite:///{tmp_path / 'luislite.db'}", [KEY]))


def access_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"time"')]


def test_health_needs_no_key(server):
    response = requests.get(f"{server.url}/health", timeout=10)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_the_root_says_what_this_is_without_a_key(server, new_app):
    response = requests.get(f"{server.url}/", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    info = response.json()
    assert info["service"] == "luislite" and re.fullmatch(r"\d+\.\d+\.\d+.*", info["version"])
    key = {"Ocp-Apim-Subscription-Key": server.key}
    for prefix in info["authoring"]:
        assert requests.get(f"{server.url}{prefix}/apps/{new_app}", headers=key, timeout=10).status_code == 200
    v3, v2 = info["prediction"]["v3.0"], info["prediction"]["v2.0"]
    for path in [f"{p}/apps/{new_app}/slots/production/predict?query=hi" for p in v3] + \
            [f"{p}/apps/{new_app}?q=hi" for p in v2]:
        answer = requests.get(f"{server.url}{path}", headers=key, timeout=10)  # a LUIS answer: unpublished
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NotFound"), (path, answer.text)
    assert requests.get(f"{server.url}{info['openapi']}", timeout=10).json()["openapi"] == "3.1.0"
    assert requests.get(f"{server.url}{info['health']}", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{server.url}{info['ready']}", timeout=10).json()["status"] in ("ready", "unavailable")
    assert "README.md" in info["docs"]

    page = requests.get(f"{server.url}/", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=10)
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<div id="console">' in page.text  # a browser gets the web console (tests/test_console.py)


def test_ready_once_the_training_worker_beats(server):
    """`luislite serve` starts a worker, so readiness waits for its first heartbeat."""
    def ready():
        response = requests.get(f"{server.url}/ready", timeout=10)
        return response.status_code == 200 and response.json()

    from tiny_app import wait_until
    body = wait_until(ready, timeout=60, what="readiness")
    assert body == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "modelRuntime": "ok",
                                                  "trainingWorker": "ok"}}


def test_ready_answers_503_with_the_failing_check(flask_app, tmp_path):
    client = flask_app.test_client()
    assert client.get("/ready").status_code == 200  # no worker expected: not checked
    flask_app.config["LUISLITE"].expect_worker = True
    response = client.get("/ready")
    assert response.status_code == 503 and response.json["status"] == "unavailable"
    assert response.json["checks"]["trainingWorker"] == "no training worker has started"
    assert response.json["checks"]["database"] == "ok"
    health.beat(tmp_path)
    assert client.get("/ready").status_code == 200


def test_ready_reports_a_database_behind_the_code(flask_app):
    with flask_app.app_context():
        db.session.execute(db.text("UPDATE alembic_version SET version_num = '92090e9a118a'"))
        db.session.commit()
    response = flask_app.test_client().get("/ready")
    assert response.status_code == 503 and "luislite migrate" in response.json["checks"]["migrations"]


def test_one_json_line_per_request(server, new_app):
    url = f"{server.url}/luis/prediction/v3.0/apps/{new_app}/slots/production/predict"
    secret_query = "my secret utterance zebracorn4711"
    requests.get(url, params={"query": secret_query, "subscription-key": server.endpoint_key}, timeout=10)
    requests.post(url, json={"query": secret_query}, headers={"Ocp-Apim-Subscription-Key": server.key}, timeout=10)
    lines = [line for line in access_lines(server.output()) if line.get("appId") == new_app]
    predictions = [line for line in lines if line["path"].endswith("/predict")]
    assert [(line["method"], line["status"]) for line in predictions] == [("GET", 404), ("POST", 404)]
    assert all(line["path"] == f"/luis/prediction/v3.0/apps/{new_app}/slots/production/predict"
               and line["durationMs"] >= 0 for line in predictions)
    assert secret_query.split()[-1] not in server.output()


def test_a_training_logs_one_line_at_start_and_one_at_finish(tiny_server, tiny_http):
    app_id = trained_travel_app(tiny_http)
    output = tiny_server.output()
    lines = [line for line in output.splitlines() if app_id in line and not line.startswith('{"time"')]
    assert len(lines) == 4, lines  # the quick model's training, then its refinement
    for n, (start, end) in enumerate([("training", "trained"), ("refining", "refined")]):
        assert re.search(rf"INFO .*: {start} app {app_id} version 0\.1: 12 utterances, 4 intents$", lines[2 * n])
        assert re.search(rf"INFO .*: {end} app {app_id} version 0\.1 in [\d.]+ s: \d+ steps, \d+ epochs, "
                         r"last loss [\d.]+$", lines[2 * n + 1])
    assert not re.search("onnxruntime|Quantization parameters|Ignore MatMul|pre-processing", output)



def train_once(flask_app) -> tuple[TrainingJob, str]:
    """A new app (no example utterances) trained by the worker: its job and the failure reason GET .../train shows."""
    with flask_app.app_context():
        from luislite.services import authoring
        authoring.create_app("fails", "en-us")
        db.session.commit()
        version = db.session.scalar(db.select(Version))
        jobs.enqueue(version)
        db.session.commit()
        worker.run(flask_app, once=True)
        job = db.session.scalar(db.select(TrainingJob))
        return job, jobs.model_statuses(version)[0]["details"]["failureReason"]


@pytest.mark.parametrize("error", [RuntimeError("the disk caught fire"), ValueError("shapes (3,) and (4,) differ")])
def test_a_failed_training_points_to_its_traceback(flask_app, tmp_path, monkeypatch, error):
    """An internal error, a ValueError too, names its type and the job log file; not its message, which is there."""
    def broken_training(*args, **kwargs):
        raise error

    monkeypatch.setattr("luislite.nlu.fit.train", broken_training)
    job, reason = train_once(flask_app)
    name = f"logs/training-{job.id}.log"
    assert job.status == "Fail" and reason == (
        f"TrainingFailed: an internal error ({type(error).__name__}) in training job {job.id}; its traceback is in "
        f"{name} under the data directory and in the worker's log.")
    log = (tmp_path / name).read_text()
    assert "Traceback" in log and str(error) in log


def test_an_app_problem_is_the_failure_reason(flask_app, tmp_path):
    job, reason = train_once(flask_app)
    assert job.status == "Fail" and reason == "The application version has no example utterances to train on."
    assert not (tmp_path / "logs").exists()


def test_ready_checks_the_configured_encoder(tmp_path):
    app = create_app(Config(tmp_path, f"sqlite:///{tmp_path / 'luislite.db'}", [KEY], base_model=tmp_path))
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    assert response.json["checks"]["modelRuntime"] == f"No model checkpoint (config.json) in {tmp_path}."
