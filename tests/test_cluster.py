"""A cluster sharing nothing but PostgreSQL: two API nodes (`luislite serve --workers 0`) and two training nodes
(`luislite worker`), each with its own empty data dir, started at once. Authored through node A with the official
SDK, trained by either worker, published through node B, served alike by both; a worker killed mid-training; an
API node killed; a cold node's first prediction timed. Runs with `--database postgres` only."""
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
from azure.cognitiveservices.language.luis.authoring.models import ExampleLabelObject
from msrest.authentication import CognitiveServicesCredentials

from conftest import luislite_process

INTENTS = {"Greet": ["hello there", "hi friend", "good morning", "hey you"],
           "Order": ["order a pizza", "i want two pizzas", "get me a pizza please", "pizza for dinner"]}
QUERIES = ["hello friend", "order pizza now", "good evening"]


@pytest.fixture(scope="module")
def cluster(postgres_server, start_server, tiny_model, tmp_path_factory):
    if postgres_server is None:
        pytest.skip("a cluster shares a PostgreSQL database: run with --database postgres")
    from postgres import create_database

    url = create_database(postgres_server, f"luislite_cluster_{uuid.uuid4().hex[:8]}")
    env = {"LUISLITE_DATABASE_URL": url, "LUISLITE_BASE_MODEL": str(tiny_model), "LUISLITE_TRAIN_THREADS": "1"}
    workers = []

    def worker():
        data_dir = tmp_path_factory.mktemp("worker")
        workers.append(Worker(data_dir, luislite_process(data_dir / "worker.log", data_dir, "worker", **env)))

    def api():
        return start_server("--workers", "0", data_dir=tmp_path_factory.mktemp("api"), **env)

    with ThreadPoolExecutor(4) as pool:  # four nodes starting at once on an empty database
        starting = [pool.submit(worker), pool.submit(worker), pool.submit(api), pool.submit(api)]
        a, b = starting[2].result(), starting[3].result()
    yield {"a": a, "b": b, "workers": workers, "env": env, "url": url}
    for node in workers:
        node.process.kill()


class Worker:
    def __init__(self, data_dir, process):
        self.data_dir, self.process = data_dir, process

    def output(self) -> str:
        return (self.data_dir / "worker.log").read_text(errors="replace")


def sdk(server) -> LUISAuthoringClient:
    return LUISAuthoringClient(server.url, CognitiveServicesCredentials(server.key))


def train(client: LUISAuthoringClient, app_id: str, timeout: float = 120, version: str = "0.1") -> str:
    assert client.train.train_version(app_id, version).status == "Queued"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = client.train.get_status(app_id, version)
        if statuses and statuses[0].details.status not in ("Queued", "InProgress"):
            return statuses[0].details.status
        time.sleep(0.3)
    pytest.fail(f"training still {statuses[0].details.status} after {timeout} s")


def predict(server, app_id: str, query: str, target: str = "slots/production") -> dict:
    response = requests.get(f"{server.url}/luis/prediction/v3.0/apps/{app_id}/{target}/predict",
                            params={"query": query, "show-all-intents": "true"},
                            headers={"Ocp-Apim-Subscription-Key": server.endpoint_key}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def published(cluster):
    """An app authored through A with the SDK, trained by a worker, published through B."""
    a = sdk(cluster["a"])
    app_id = a.apps.add({"name": f"cluster-{uuid.uuid4().hex[:8]}", "culture": "en-us", "initial_version_id": "0.1"})
    for intent, texts in INTENTS.items():
        a.model.add_intent(app_id, "0.1", name=intent)
        assert not any(r.has_error for r in a.examples.batch(
            app_id, "0.1", [ExampleLabelObject(text=text, intent_name=intent) for text in texts]))
    assert train(a, app_id) == "Success"
    started = time.monotonic()
    sdk(cluster["b"]).apps.publish(app_id, version_id="0.1", is_staging=False)
    predict(cluster["a"], app_id, QUERIES[0])
    print(f"\npublish through B served by A after {time.monotonic() - started:.2f} s (model fetched from the database)")
    return app_id


def test_four_nodes_starting_together_migrate_once(cluster):
    logs = [node.output() for node in (cluster["a"], cluster["b"], *cluster["workers"])]
    assert sum(log.count("Migrated the database schema from nothing to") for log in logs) == 1, logs
    assert all(node.process.poll() is None for node in cluster["workers"])


def test_a_publish_through_b_is_served_alike_by_both_api_nodes(cluster, published):
    for query in QUERIES:
        assert predict(cluster["a"], published, query) == predict(cluster["b"], published, query)
    for node in ("a", "b"):
        data_dir = cluster[node].log.parent
        assert not (data_dir / "models").exists() and len(list((data_dir / "model-cache").iterdir())) == 1


def test_a_publish_through_b_is_served_by_a_within_a_second(cluster, published):
    """A reads a slot again at most every `publishing.SLOT_SECONDS`: here it has just served the slot's old model."""
    a, b = sdk(cluster["a"]), sdk(cluster["b"])
    assert a.versions.clone(published, "0.1", version="0.2") == "0.2"
    a.model.add_intent(published, "0.2", name="Farewell")
    a.examples.batch(published, "0.2", [ExampleLabelObject(text=text, intent_name="Farewell")
                                        for text in ("bye now", "goodbye friend", "see you later", "farewell")])
    assert train(a, published, version="0.2") == "Success"
    predict(cluster["a"], published, QUERIES[0], "versions/0.2")  # A has loaded the new model: only the slot waits
    b.apps.publish(published, version_id="0.1", is_staging=True)
    assert "Farewell" not in predict(cluster["a"], published, QUERIES[0], "slots/staging")["prediction"]["intents"]
    b.apps.publish(published, version_id="0.2", is_staging=True)
    started = time.monotonic()
    while "Farewell" not in predict(cluster["a"], published, QUERIES[0], "slots/staging")["prediction"]["intents"]:
        assert time.monotonic() - started < 1, "A still serves the staging slot's previous model after 1 s"
        time.sleep(0.02)
    print(f"\npublish through B served by A (model loaded) after {time.monotonic() - started:.2f} s")


def test_a_worker_killed_mid_training_fails_its_job_and_the_other_retrains(cluster, published):
    """As documented: a job whose worker sends no heartbeat for 45 s fails as Interrupted (found by any worker
    within 10 s more); the wait is skipped here by ageing the heartbeat."""
    a, workers = sdk(cluster["a"]), cluster["workers"]
    a.examples.batch(published, "0.1", [ExampleLabelObject(text=f"hello number {i}", intent_name="Greet")
                                        for i in range(30)])
    trained = f"training app {published} version 0.1"
    before = [w.output().count(trained) for w in workers]
    assert a.train.train_version(published, "0.1").status == "Queued"
    deadline = time.monotonic() + 60
    while not (busy := [w for w, n in zip(workers, before) if w.output().count(trained) > n]):
        assert time.monotonic() < deadline, "no worker took the job"
        time.sleep(0.05)
    [killed] = busy
    killed.process.kill()
    killed.process.wait()
    engine = sa.create_engine(cluster["url"], poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        assert connection.scalar(sa.text("SELECT status FROM training_jobs ORDER BY id DESC LIMIT 1")) == "InProgress"
        connection.execute(sa.text("UPDATE training_jobs SET heartbeat = now() - interval '2 minutes' "
                                   "WHERE status = 'InProgress'"))
    engine.dispose()
    status = a.train.get_status(published, "0.1")[0].details
    deadline = time.monotonic() + 45
    while status.status == "InProgress" and time.monotonic() < deadline:
        time.sleep(0.5)
        status = a.train.get_status(published, "0.1")[0].details
    assert status.status == "Fail" and "Interrupted" in status.failure_reason
    [other] = [w for w in workers if w is not killed]
    before = other.output().count(trained)
    assert train(a, published) == "Success" and other.output().count(trained) == before + 1


def test_a_cold_node_answers_its_first_prediction_within_3_seconds(cluster, published, start_server,
                                                                   tmp_path_factory):
    cold = start_server("--workers", "0", data_dir=tmp_path_factory.mktemp("cold"), **cluster["env"])
    started = time.monotonic()
    first = predict(cold, published, QUERIES[1])
    elapsed = time.monotonic() - started
    print(f"\ncold node's first prediction: {elapsed:.2f} s")
    assert first == predict(cluster["b"], published, QUERIES[1])
    assert elapsed < 3


def test_killing_an_api_node_leaves_the_other_answering(cluster, published):
    os.kill(cluster["a"].process.pid, signal.SIGKILL)
    cluster["a"].process.wait()
    assert predict(cluster["b"], published, QUERIES[2])["query"] == QUERIES[2]
