"""A small travel app authored over plain HTTP on `tiny_server`, trained and published (seconds with tiny BERT).

Shared by test_query_logs.py and test_batch_tests.py. Its one entity, City, is machine-learned, so every
entity span a prediction holds is one a batch test scores. Also the training helpers of the crash tests: a
server's training workers, and `stop_in_training`, which makes a training's InProgress state last.
"""
import os
import signal
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

V3 = "/luis/prediction/v3.0"
V2 = "/luis/v2.0"
INTENTS = ["BookFlight", "GetWeather", "Greeting"]
EXAMPLES = [
    ("book a flight to paris", "BookFlight", "paris"),
    ("fly me to london tomorrow", "BookFlight", "london"),
    ("i need a plane ticket to berlin", "BookFlight", "berlin"),
    ("book a trip to rome", "BookFlight", "rome"),
    ("what is the weather in madrid", "GetWeather", "madrid"),
    ("will it rain in oslo", "GetWeather", "oslo"),
    ("weather forecast for tokyo", "GetWeather", "tokyo"),
    ("hello", "Greeting", None),
    ("hi there", "Greeting", None),
    ("good morning", "Greeting", None),
    ("the sky is blue", "None", None),
    ("my cat is sleeping", "None", None),
]


def example_json(text: str, intent: str, city: str | None) -> dict:
    labels = []
    if city:
        start = text.index(city)
        labels = [{"entityName": "City", "startCharIndex": start, "endCharIndex": start + len(city) - 1}]
    return {"text": text, "intentName": intent, "entityLabels": labels}


def wait_until(check, timeout: float = 180, what: str = "the job"):
    """Poll `check()` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"{what} did not finish within {timeout} s")


def train(http, app_id: str, version: str = "0.1") -> None:
    assert http.post(f"/apps/{app_id}/versions/{version}/train").status_code == 202

    def done():
        statuses = http.get(f"/apps/{app_id}/versions/{version}/train").json()
        return statuses and all(s["details"]["status"] not in ("Queued", "InProgress") for s in statuses)

    wait_until(done, what="training")
    assert http.get(f"/apps/{app_id}/versions/{version}").json()["trainingStatus"] == "Trained"


def wait_refined(http, app_id: str, version: str = "0.1") -> None:
    """Wait until the version's quick model is refined (the worker's job after a training's `Success`)."""
    def refined():
        details = http.get(f"/apps/{app_id}/versions/{version}/train").json()[0]["details"]
        return details.get("refinement", {}).get("status") == "Success"

    wait_until(refined, what="the refinement")


def trained_travel_app(http) -> str:
    """The id of a new travel app, version 0.1 trained, published to production and refined: what it serves no
    longer changes."""
    response = http.post("/apps/", json={"name": f"travel-{uuid.uuid4().hex[:8]}", "culture": "en-us"})
    assert response.status_code == 201, response.text
    app_id = response.json()
    for intent in INTENTS:
        assert http.post(f"/apps/{app_id}/versions/0.1/intents", json={"name": intent}).status_code == 201
    assert http.post(f"/apps/{app_id}/versions/0.1/entities", json={"name": "City"}).status_code == 201
    response = http.post(f"/apps/{app_id}/versions/0.1/examples", json=[example_json(*e) for e in EXAMPLES])
    assert response.status_code == 201, response.text
    train(http, app_id)
    response = http.post(f"/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": False})
    assert response.status_code == 201, response.text
    wait_refined(http, app_id)
    return app_id


def training_status(http, app_id: str, version: str = "0.1") -> str | None:
    statuses = http.get(f"/apps/{app_id}/versions/{version}/train").json()
    return statuses[0]["details"]["status"] if statuses else None


def training_workers(server) -> list[int]:
    """The pids of the server's training workers (multiprocessing's resource tracker is another child)."""
    workers = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == \
                    server.process.pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                workers.append(int(entry.name))
        except (OSError, ValueError, IndexError):  # a process that has just exited
            continue
    return workers


def stop_in_training(http, server, app_id: str, version: str = "0.1") -> list[int]:
    """Train `version` and stop the server's training workers (SIGSTOP) while it trains, holding no database lock:
    its job then stays InProgress until they continue (SIGCONT) or are killed. Their pids.

    Polling cannot be sure to see a training in progress (a fast machine may finish one between two polls), so a
    training that ended first is done again, on an edited version, until one is caught in progress.
    """
    workers = wait_until(lambda: training_workers(server), 30, "a training worker (`serve` replaces one that died)")
    for attempt in range(10):
        if training_status(http, app_id, version) not in ("Queued", "InProgress"):
            if attempt:  # the last training ended before the workers stopped: a new revision to train
                edit = {"text": f"one more example {attempt}", "intentName": "None"}
                assert http.post(f"/apps/{app_id}/versions/{version}/example", json=edit).status_code == 201
            assert http.post(f"/apps/{app_id}/versions/{version}/train").status_code == 202
        wait_until(lambda: training_status(http, app_id, version) != "Queued", what="the training's start")
        signal_all(workers, signal.SIGSTOP)
        if training_status(http, app_id, version) == "InProgress" and _writable(server.data_dir / "luislite.db"):
            return workers
        signal_all(workers, signal.SIGCONT)
    pytest.fail(f"every training of {app_id} ended before the workers could be stopped")


def signal_all(pids: list[int], number: int) -> None:
    for pid in pids:
        os.kill(pid, number)


def _writable(database: Path) -> bool:
    """Whether no one holds SQLite's write lock on `database` (a worker stopped while writing would)."""
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
