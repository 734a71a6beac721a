"""SIGKILL the server in the middle of writing, restart it on the same data dir: the stored data is the state
before or after each request, never half of it, the database passes `integrity_check`, and published slots answer.

One request is one transaction (BEGIN IMMEDIATE ... COMMIT, SQLite in WAL mode): these tests check that this
holds against a real kill, not only a clean shutdown. A kill in the middle of training leaves the job InProgress
until the restarted worker sees its heartbeat is stale (`jobs.STALE_AFTER`, 45 s: the test ages it instead of
waiting) and fails it; the model a slot served before keeps serving. Model directories half-written by a killed
training are removed by the next worker (luislite/store/datadir.py says when a temporary directory is abandoned).
"""
import contextlib
import os
import signal
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from conftest import Http
from tiny_app import (signal_all, stop_in_training, train, trained_travel_app, training_status,
                      wait_until)

INTENTS = ["AddToPlaylist", "BookRestaurant", "GetWeather", "PlayMusic", "RateBook", "SearchCreativeWork",
           "SearchScreeningEvent"]
CITIES = ["paris", "berlin", "new york", "tokyo", "oslo", "madrid", "rome", "lima", "cairo", "seoul"]
SNIPS_SIZE = 13_084  # utterances in SNIPS's training split


def snips_like(count: int) -> dict:
    """A LUIS app as big as SNIPS: seven intents, one entity labeled in every utterance (made up here)."""
    utterances = []
    for i in range(count):
        intent, city = INTENTS[i % len(INTENTS)], CITIES[i % len(CITIES)]
        text = f"{intent.lower()} request number {i} near {city} please"
        start = text.index(city)
        utterances.append({"text": text, "intent": intent,
                           "entities": [{"entity": "city", "startPos": start, "endPos": start + len(city) - 1}]})
    return {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "snips-like", "desc": "", "culture": "en-us",
            "intents": [{"name": n} for n in ["None", *INTENTS]], "entities": [{"name": "city", "roles": []}],
            "utterances": utterances}


def kill(server) -> None:
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()


def query(data_dir: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(data_dir / "luislite.db") as connection:
        return connection.execute(sql, args).fetchall()


def assert_intact(data_dir: Path) -> None:
    assert query(data_dir, "PRAGMA integrity_check") == [("ok",)]
    assert query(data_dir, "PRAGMA foreign_key_check") == []


class Sender(threading.Thread):
    """Sends requests in a loop until the server dies; remembers which were answered and which were cut off."""

    def __init__(self, send):
        super().__init__(daemon=True)
        self.send, self.answered, self.cut, self.failed, self.number = send, [], [], [], 0

    def run(self):
        while True:
            self.number += 1
            try:
                response = self.send(self.number)
            except requests.RequestException:
                self.cut.append(self.number)
                return
            (self.answered if response.status_code == 201 else self.failed).append(self.number)


def kill_while_sending(server, sends: list, answered: int, what: str) -> list[Sender]:
    """A Sender per `sends`, running until `answered` requests are answered; then SIGKILL the server.
    No request may have failed before the kill."""
    senders = [Sender(send) for send in sends]
    for sender in senders:
        sender.start()
    wait_until(lambda: sum(len(s.answered) for s in senders) >= answered, timeout=60, what=what)
    kill(server)
    for sender in senders:
        sender.join(timeout=30)
    assert not any(s.failed for s in senders)
    return senders


def test_kill_during_batch_example_inserts(start_server, tmp_path):
    server = start_server("--workers", "0", data_dir=tmp_path)
    http = Http(server, server.key)
    app_id = http.post("/apps/", json={"name": "batches", "culture": "en-us"}).json()
    base = f"/apps/{app_id}/versions/0.1"
    assert http.post(f"{base}/intents", json={"name": "Greet"}).status_code == 201

    def batch(thread: int):
        return lambda n: Http(server, server.key).post(
            f"{base}/examples", json=[{"text": f"t{thread} b{n} hello {i}", "intentName": "Greet"} for i in range(100)])

    senders = kill_while_sending(server, [batch(t) for t in range(4)], 4, "the first batches")
    assert any(s.cut for s in senders), "no request was in flight when the server died"

    assert_intact(tmp_path)
    per_batch = dict(query(tmp_path, "SELECT substr(text, 1, instr(text, ' hello') - 1), count(*) FROM examples "
                                     "GROUP BY 1"))
    assert set(per_batch.values()) == {100}, "a batch was stored in part"
    for thread, sender in enumerate(senders):
        assert all(f"t{thread} b{n}" in per_batch for n in sender.answered), "an acknowledged batch was lost"
    restarted = start_server("--workers", "0", data_dir=tmp_path)
    listed = Http(restarted, restarted.key).get(f"{base}/examples", params={"take": 500})
    assert listed.status_code == 200 and len(listed.json()) == min(500, sum(per_batch.values()))


def test_kill_during_a_snips_sized_import(start_server, tmp_path):
    """The kill comes when the import's transaction is writing (the write-ahead log grows), before its answer."""
    server = start_server("--workers", "0", data_dir=tmp_path)
    http = Http(server, server.key)
    assert http.post("/apps/", json={"name": "before", "culture": "en-us"}).status_code == 201
    wal = tmp_path / "luislite.db-wal"
    wal_before = wal.stat().st_size
    result = {}

    def send():
        try:
            result["response"] = Http(server, server.key).post(
                "/apps/import", params={"appName": "snips-like"}, json=snips_like(SNIPS_SIZE))
        except requests.RequestException as error:
            result["error"] = error

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    deadline = time.monotonic() + 60
    while wal.stat().st_size < wal_before + (1 << 20) and "response" not in result and time.monotonic() < deadline:
        time.sleep(0.002)
    kill(server)
    sender.join(timeout=30)

    assert_intact(tmp_path)
    apps = dict(query(tmp_path, "SELECT name, id FROM apps"))
    examples = query(tmp_path, "SELECT count(*) FROM examples")[0][0]
    assert set(apps) in ({"before"}, {"before", "snips-like"})
    assert examples == (SNIPS_SIZE if "snips-like" in apps else 0)
    assert query(tmp_path, "SELECT count(*) FROM versions")[0][0] == len(apps)
    if "response" in result:  # the answer beat the kill: then the app must be there
        assert result["response"].status_code == 201 and "snips-like" in apps

    restarted = start_server("--workers", "0", data_dir=tmp_path)
    http = Http(restarted, restarted.key)
    assert sorted(a["name"] for a in http.get("/apps/").json()) == sorted(apps)
    again = http.post("/apps/import", params={"appName": "snips-like"}, json=snips_like(SNIPS_SIZE))
    assert again.status_code == (400 if "snips-like" in apps else 201), again.text


def test_kill_during_publishing_keeps_the_slots_answering(start_server, tiny_model, tmp_path):
    env = {"LUISLITE_BASE_MODEL": str(tiny_model), "LUISLITE_TRAIN_THREADS": "1"}
    server = start_server(data_dir=tmp_path, **env)
    http = Http(server, server.key)
    app_id = trained_travel_app(http)  # 0.1 trained and serving production
    assert http.post(f"/apps/{app_id}/versions/0.1/clone", json={"version": "0.2"}).status_code == 201
    assert http.post(f"/apps/{app_id}/versions/0.2/example",
                     json={"text": "book a seat to lima", "intentName": "BookFlight"}).status_code == 201
    train(http, app_id, "0.2")
    assert http.post(f"/apps/{app_id}/publish", json={"versionId": "0.1", "isStaging": True}).status_code == 201
    artifacts = dict(query(tmp_path, "SELECT version_id, artifact FROM versions WHERE app_id = ?", app_id))

    def publish(n: int):
        body = {"versionId": "0.2" if n % 2 else "0.1", "isStaging": n % 3 == 0}
        return Http(server, server.key).post(f"/apps/{app_id}/publish", json=body)

    kill_while_sending(server, [publish] * 3, 3, "the first publications")

    assert_intact(tmp_path)
    slots = query(tmp_path, "SELECT slot, version_id, artifact FROM publications WHERE app_id = ?", app_id)
    assert {slot for slot, _, _ in slots} == {"production", "staging"}
    assert all(artifacts[version] == artifact and (tmp_path / "models" / artifact).is_dir()
               for _, version, artifact in slots)
    restarted = start_server(data_dir=tmp_path, **env)
    for slot in ("production", "staging"):
        response = requests.get(f"{restarted.url}/luis/prediction/v3.0/apps/{app_id}/slots/{slot}/predict",
                                params={"query": "fly me to paris"},
                                headers={"Ocp-Apim-Subscription-Key": restarted.endpoint_key}, timeout=60)
        assert response.status_code == 200, response.text
        assert response.json()["prediction"]["topIntent"]


def predict(server, app_id: str, query: str = "fly me to paris") -> dict:
    response = requests.get(f"{server.url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict",
                            params={"query": query, "verbose": "true", "show-all-intents": "true"},
                            headers={"Ocp-Apim-Subscription-Key": server.endpoint_key}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"  # a zombie does nothing
    except FileNotFoundError:
        return True


@contextlib.contextmanager
def write_lock(data_dir: Path):
    """Hold SQLite's write lock on the database: every other writer waits (luislite's for up to 30 s)."""
    connection = sqlite3.connect(data_dir / "luislite.db", isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the training worker through /proc")
def test_kill_during_training_fails_the_job_and_keeps_the_published_model(start_server, tiny_model, tmp_path):
    env = {"LUISLITE_BASE_MODEL": str(tiny_model), "LUISLITE_TRAIN_THREADS": "1"}
    server = start_server(data_dir=tmp_path, **env)
    http = Http(server, server.key)
    app_id = trained_travel_app(http)  # 0.1 trained and serving production
    served = predict(server, app_id)
    assert http.post(f"/apps/{app_id}/versions/0.1/clone", json={"version": "0.2"}).status_code == 201
    examples = [{"text": f"book flight number {n} to lima", "intentName": "BookFlight"} for n in range(100)]
    assert http.post(f"/apps/{app_id}/versions/0.2/examples", json=examples).status_code == 201
    workers = stop_in_training(http, server, app_id, "0.2")
    kill(server)
    with write_lock(tmp_path):  # the orphaned worker, continued, exits within a second, unable to record an end
        signal_all(workers, signal.SIGCONT)
        wait_until(lambda: all(map(gone, workers)), timeout=30, what="the training worker's exit")

    assert_intact(tmp_path)
    assert query(tmp_path, "SELECT status FROM training_jobs ORDER BY id DESC LIMIT 1") == [("InProgress",)]
    served_by = query(tmp_path, "SELECT slot, version_id, artifact FROM publications")
    stale = (datetime.now(timezone.utc) - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S.000000")
    query(tmp_path, "UPDATE training_jobs SET heartbeat = ? WHERE status = 'InProgress'", stale)  # a minute passed
    restarted = start_server(data_dir=tmp_path, **env)
    http = Http(restarted, restarted.key)
    wait_until(lambda: training_status(http, app_id, "0.2") == "Fail", timeout=60, what="the interrupted job's end")
    assert "Interrupted" in http.get(f"/apps/{app_id}/versions/0.2/train").json()[0]["details"]["failureReason"]
    assert http.get(f"/apps/{app_id}/versions/0.2").json()["trainingStatus"] == "NeedsTraining"
    assert query(tmp_path, "SELECT slot, version_id, artifact FROM publications") == served_by
    assert predict(restarted, app_id) == served  # the same model, the same scores


def test_the_worker_removes_model_directories_a_killed_training_left(start_server, tmp_path):
    models = tmp_path / "models"

    def model_dir(name: str, age: float = 0) -> Path:
        path = models / name
        path.mkdir(parents=True)
        (path / "weights.safetensors").write_bytes(b"half-written")
        for item in (path / "weights.safetensors", path):
            os.utime(item, (time.time() - age, time.time() - age))
        return path

    abandoned = [model_dir(".0f1c4a0e-0000-4000-8000-000000000001-0123456789ab.k3j4h5g6", age=3600),
                 model_dir(".0f1c4a0e-0000-4000-8000-000000000001-0123456789ab.old-4194303"),
                 model_dir("0f1c4a0e-0000-4000-8000-000000000002-0123456789ab", age=3600)]  # trained, never recorded
    busy = [model_dir(".0f1c4a0e-0000-4000-8000-000000000003-0123456789ab.a1b2c3d4"),  # another worker writing it
            model_dir(".0f1c4a0e-0000-4000-8000-000000000004-0123456789ab.e5f6g7h8", age=3600)]
    (busy[1] / "model.onnx").write_bytes(b"being written now")  # an old directory, but a file in it grows now
    os.utime(busy[1], (time.time() - 3600, time.time() - 3600))
    start_server(data_dir=tmp_path)  # with one training worker
    wait_until(lambda: not any(p.exists() for p in abandoned), timeout=30, what="the removal of abandoned models")
    assert all(p.is_dir() for p in busy)
