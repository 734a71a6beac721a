"""`GET /metrics`: Prometheus's text format, counting exactly what was asked, with no key, name or utterance in it;
keyed, open or off (LUISLITE_METRICS); several gunicorn processes counted as one (PROMETHEUS_MULTIPROC_DIR)."""
import json
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

import test_production
from conftest import AUTHORING, AUTHORING_KEY as KEY, ENDPOINT_KEY, Http, unique_name
from luislite import create_app
from luislite.config import Config
from tiny_app import trained_travel_app, wait_until

N = 7
UTTERANCE = "quokka zanzibar"
PREDICT = "/luis/prediction/v3.0/apps/<app_id>/slots/<slot>/predict"
APP = f"{AUTHORING}/apps/<app_id>"
gunicorn = test_production.gunicorn


def scrape(url: str, key: str | None) -> tuple[dict, str]:
    """The samples of /metrics, {(name, sorted label items): value}, and the body."""
    response = requests.get(f"{url}/metrics", headers={"Ocp-Apim-Subscription-Key": key} if key else {}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(response.text) for s in family.samples}
    return samples, response.text


def requests_of(samples: dict, route: str, status: str = "200", method: str = "GET") -> float:
    labels = (("method", method), ("route", route), ("status", status), ("surface", "luis"))
    return samples.get(("luislite_requests_total", labels), 0)


@pytest.fixture(scope="module")
def served(start_server, tiny_model):
    """A server keeping models in the database (so a local model cache), with a trained, published app."""
    server = start_server(LUISLITE_BASE_MODEL=str(tiny_model), LUISLITE_TRAIN_THREADS="1")
    with Http(server, server.key) as http:
        name = unique_name("metrics")
        app_id = trained_travel_app(http)
        assert http.put(f"/apps/{app_id}", json={"name": name}).status_code == 200
    return SimpleNamespace(server=server, app_id=app_id, name=name)


def test_counts_exactly_the_requests_made_and_nothing_secret(served):
    server = served.server
    before, _ = scrape(server.url, server.key)
    predict = f"{server.url}/luis/prediction/v3.0/apps/{served.app_id}/slots/production/predict"
    with Http(server, server.key) as http:
        for n in range(N):
            answer = requests.get(predict, params={"query": f"{UTTERANCE} {n}", "subscription-key": ENDPOINT_KEY},
                                  timeout=30)
            assert answer.status_code == 200, answer.text
            assert http.get(f"/apps/{served.app_id}").status_code == 200
        assert http.get(f"/apps/{served.app_id}/nothing").status_code == 404
    after, body = scrape(server.url, server.key)

    def moved(name: str, labels: tuple = ()) -> float:
        return after.get((name, labels), 0) - before.get((name, labels), 0)

    assert requests_of(after, PREDICT) - requests_of(before, PREDICT) == N
    assert requests_of(after, APP) - requests_of(before, APP) == N
    assert requests_of(after, "none", "404") - requests_of(before, "none", "404") == 1
    timed = (("route", PREDICT), ("surface", "luis"))
    assert moved("luislite_prediction_duration_seconds_count", timed) == N
    assert moved("luislite_prediction_duration_seconds_bucket", (("le", "+Inf"), *timed)) == N
    assert 0 < moved("luislite_prediction_duration_seconds_sum", timed) < 30 * N
    for secret in (server.key, ENDPOINT_KEY, UTTERANCE, served.name):
        assert secret not in body


def test_models_jobs_and_heartbeats(served, postgres_server):
    samples, _ = scrape(served.server.url, served.server.key)
    assert samples[("luislite_loaded_models", ())] == 1 and samples[("luislite_loaded_model_bytes", ())] > 0
    # models in the database (PostgreSQL's default) are copied into a cache; on SQLite they stay in the data dir
    cache = samples.get(("luislite_model_cache_bytes", ()))
    assert cache > 0 if postgres_server else cache is None
    # one training, whose quick model was then refined
    for kind in ("train", "refine"):
        assert samples[("luislite_training_jobs", (("kind", kind), ("state", "Success")))] == 1
        assert samples[("luislite_training_jobs", (("kind", kind), ("state", "Queued")))] == 0
        assert samples[("luislite_training_duration_seconds_gcount", (("kind", kind), ("state", "Success")))] == 1
        buckets = ("luislite_training_duration_seconds_bucket", (("kind", kind), ("le", "+Inf"), ("state", "Success")))
        assert samples[buckets] == 1
    assert 0 <= samples[("luislite_worker_heartbeat_age_seconds", ())] < 30


@pytest.mark.parametrize(("mode", "status"), [("open", 200), ("off", 404)])
def test_open_or_off(tmp_path, mode, status):
    config = Config.from_env({"LUISLITE_DATA_DIR": str(tmp_path), "LUISLITE_METRICS": mode.upper()})
    assert config.metrics == mode
    client = create_app(config).test_client()
    assert client.get("/metrics").status_code == status
    with pytest.raises(ValueError, match="LUISLITE_METRICS"):
        Config.from_env({"LUISLITE_METRICS": "public"})


def test_model_cache_bytes_of_the_database_store(tmp_path):
    config = Config(tmp_path, f"sqlite:///{tmp_path / 'luislite.db'}", [KEY], model_store="database",
                    metrics="open")
    client = create_app(config).test_client()
    copy = tmp_path / "model-cache" / "app-0123456789ab"
    copy.mkdir()
    (copy / "model.onnx").write_bytes(b"x" * 1234)
    (tmp_path / "model-cache" / ".app-being-fetched").mkdir()  # a fetch under way is not counted yet
    body = client.get("/metrics").get_data(as_text=True)
    assert "\nluislite_model_cache_bytes 1234.0\n" in body


@pytest.fixture
def multiprocess_dir(tmp_path_factory, monkeypatch):
    """PROMETHEUS_MULTIPROC_DIR for the gunicorn fixture started after it (it inherits the environment)."""
    directory = tmp_path_factory.mktemp("prometheus")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    return directory


def test_gunicorn_workers_count_as_one_in_multiprocess_mode(multiprocess_dir, gunicorn):
    key = json.loads((gunicorn.data_dir / "authoring-key.json").read_text())["authoringKey"]
    sent = 0

    def list_apps(_) -> int:
        return requests.get(f"{gunicorn.url}{AUTHORING}/apps", headers={"Ocp-Apim-Subscription-Key": key},
                            timeout=30).status_code

    def both_counted() -> bool:  # concurrent requests, until each worker has answered some
        nonlocal sent
        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(list_apps, range(4 * N))) == {200}
        sent += 4 * N
        return len(list(multiprocess_dir.glob("counter_*.db"))) == 2

    wait_until(both_counted, timeout=60, what="requests answered by both workers")
    for _ in range(4):  # whichever worker answers the scrape answers for both
        samples, _ = scrape(gunicorn.url, key)
        assert requests_of(samples, f"{AUTHORING}/apps") == sent
