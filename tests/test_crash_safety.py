"""SIGKILL the server in the middle of writing, restart it on the same data dir: the stored data is the state
before or after each request, never half of it, the database passes `integrity_check`, and published slots answer.

One request is one transaction (BEGIN IMMEDIATE ... COMMIT, SQLite in WAL mode): these tests check that this
holds against a real kill, not only a clean shutdown.
"""
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import requests

from conftest import Http
from tiny_app import train, trained_travel_app, wait_until

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


def test_kill_during_batch_example_inserts(start_server, tmp_path):
    server = start_server("--workers", "0", data_dir=tmp_path)
    http = Http(server, server.key)
    app_id = http.post("/apps/", json={"name": "batches", "culture": "en-us"}).json()
    base = f"/apps/{app_id}/versions/0.1"
    assert http.post(f"{base}/intents", json={"name": "Greet"}).status_code == 201

    def batch(thread: int):
        return lambda n: Http(server, server.key).post(
            f"{base}/examples", json=[{"text": f"t{thread} b{n} hello {i}", "intentName": "Greet"} for i in range(100)])

    senders = [Sender(batch(t)) for t in range(4)]
    for sender in senders:
        sender.start()
    wait_until(lambda: sum(len(s.answered) for s in senders) >= 4, timeout=60, what="the first batches")
    kill(server)
    for sender in senders:
        sender.join(timeout=30)
    assert not any(s.failed for s in senders)
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

    senders = [Sender(publish) for _ in range(3)]
    for sender in senders:
        sender.start()
    wait_until(lambda: sum(len(s.answered) for s in senders) >= 3, timeout=60, what="the first publications")
    kill(server)
    for sender in senders:
        sender.join(timeout=30)
    assert not any(s.failed for s in senders)

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
