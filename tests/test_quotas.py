"""Quotas per key (LUISLITE_PREDICTION_QUOTA, LUISLITE_AUTHORING_QUOTA): LUIS's 429 with `Retry-After` past them,
counted in the database so that two servers on one database share them, and per key: another key goes on.

Windows are an hour long here, and each test starts more than a minute before its window ends, so its requests
all count in one window."""
import hashlib
import math
import time
import uuid

import pytest
import requests

from conftest import AUTHORING, AUTHORING_KEY, ENDPOINT_KEY, Http
from luislite.config import Config, Quota
from tiny_app import trained_travel_app

LIMIT = 4
KEYS = [str(uuid.uuid4()) for _ in range(4)]  # more authoring keys: one per test, so their counts stay apart
RATE_LIMITED = "Rate limit is exceeded. Try again in {} seconds."


def fresh_window(seconds: int = 3600, margin: float = 60) -> None:
    """Wait, if need be, until the current quota window has more than `margin` seconds left."""
    left = seconds - time.time() % seconds
    if left <= margin:
        time.sleep(left + 0.1)


def servers_env(**quotas) -> dict:
    return {"LUISLITE_AUTHORING_KEYS": ",".join([AUTHORING_KEY, *KEYS])} | quotas


@pytest.fixture(scope="module")
def nodes(start_server, tiny_model):
    """Two servers on one database with a prediction quota of LIMIT an hour, and an app published there."""
    env = servers_env(LUISLITE_PREDICTION_QUOTA=f"{LIMIT}/h")
    first = start_server(LUISLITE_BASE_MODEL=str(tiny_model), LUISLITE_TRAIN_THREADS="1", **env)
    second = start_server("--workers", "0", data_dir=first.data_dir, **env)
    with Http(first, first.key) as http:
        return first, second, trained_travel_app(http)


def predict(server, app_id: str, key: str) -> requests.Response:
    return requests.get(f"{server.url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict",
                        params={"query": "fly to paris"}, headers={"Ocp-Apim-Subscription-Key": key}, timeout=30)


def assert_rate_limited(response: requests.Response, window: int = 3600) -> None:
    """LUIS's 429: its error body, and a Retry-After (seconds) that is when the window ends."""
    assert response.status_code == 429, response.text
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= math.ceil(window - time.time() % window) + 1
    assert response.json() == {"error": {"code": "429", "message": RATE_LIMITED.format(wait)}}


def test_quota_settings():
    config = Config.from_env({"LUISLITE_PREDICTION_QUOTA": "50/s", "LUISLITE_AUTHORING_QUOTA": "600 / MIN"})
    assert (config.prediction_quota, config.authoring_quota) == (Quota(50, 1), Quota(600, 60))
    assert Config.from_env({"LUISLITE_PREDICTION_QUOTA": "off"}).prediction_quota is None
    assert Config.from_env({}).authoring_quota is None
    for wrong in ("50", "0/s", "ten/s", "5/day"):
        with pytest.raises(ValueError, match="LUISLITE_PREDICTION_QUOTA"):
            Config.from_env({"LUISLITE_PREDICTION_QUOTA": wrong})


def test_two_nodes_share_a_key_quota_and_other_keys_go_on(nodes, sql):
    first, second, app_id = nodes
    fresh_window()
    for n in range(LIMIT):
        assert predict((first, second)[n % 2], app_id, ENDPOINT_KEY).status_code == 200
    for node in (first, second, first, second):
        assert_rate_limited(predict(node, app_id, ENDPOINT_KEY))
    # each node counted the request that found the window spent, and no refused one after it
    spent = hashlib.sha256(ENDPOINT_KEY.encode()).hexdigest()
    assert sql(first.data_dir, "SELECT count FROM quota_windows WHERE key_hash = :h", h=spent) == [(LIMIT + 2,)]
    assert predict(second, app_id, KEYS[0]).status_code == 200  # another key
    hashes = {row[0] for row in sql(first.data_dir, "SELECT key_hash FROM quota_windows")}
    assert len(hashes) == 2 and not any(key in hashes for key in (ENDPOINT_KEY, KEYS[0]))


def test_the_sdk_raises_luis_429(nodes):
    from azure.cognitiveservices.language.luis.runtime import LUISRuntimeClient
    from azure.cognitiveservices.language.luis.runtime.models import ErrorException
    from msrest.authentication import CognitiveServicesCredentials

    first, second, app_id = nodes
    runtime = LUISRuntimeClient(first.url, CognitiveServicesCredentials(KEYS[1]))
    runtime.config.retry_policy.retries = 0  # by default the SDK waits Retry-After and tries again, as with LUIS
    fresh_window()
    for _ in range(LIMIT):
        assert runtime.prediction.get_slot_prediction(app_id, "production", {"query": "fly to rome"}).prediction
    with pytest.raises(ErrorException) as raised:
        runtime.prediction.get_slot_prediction(app_id, "production", {"query": "fly to rome"})
    assert raised.value.response.status_code == 429 and raised.value.error.error.code == "429"
    assert raised.value.error.error.message.startswith("Rate limit is exceeded. Try again in ")


def test_authoring_quota(start_server):
    from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
    from azure.cognitiveservices.language.luis.authoring.models import ErrorResponseException
    from msrest.authentication import CognitiveServicesCredentials

    server = start_server("--workers", "0", **servers_env(LUISLITE_AUTHORING_QUOTA=f"{LIMIT}/h"))
    authoring = LUISAuthoringClient(server.url, CognitiveServicesCredentials(KEYS[2]))
    authoring.config.retry_policy.retries = 0
    fresh_window()
    for _ in range(LIMIT):
        authoring.apps.list()
    with pytest.raises(ErrorResponseException) as raised:
        authoring.apps.list()
    assert raised.value.response.status_code == 429
    assert_rate_limited(requests.get(f"{server.url}{AUTHORING}/apps", headers={"Ocp-Apim-Subscription-Key": KEYS[2]},
                                     timeout=30))
    other = requests.get(f"{server.url}{AUTHORING}/apps", headers={"Ocp-Apim-Subscription-Key": KEYS[3]}, timeout=30)
    assert other.status_code == 200
