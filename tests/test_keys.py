"""Keys managed at run time (`/luislite/keys`, `luislite keys ...`): a key created through one node serves on another
within a second, a revoked one (created, or a seed of the environment) gets 401 on both within a second, and the
database keeps only their sha256."""
import hashlib
import time

import pytest
import requests
from click.testing import CliRunner

from conftest import AUTHORING, ENDPOINT_KEY, Http
from luislite.cli import main


@pytest.fixture(scope="module")
def nodes(start_server):
    """Two servers on one database."""
    first = start_server("--workers", "0")
    return first, start_server("--workers", "0", data_dir=first.data_dir)


def status(server, key: str, path: str = "/apps/") -> int:
    return requests.get(f"{server.url}{AUTHORING}{path}", headers={"Ocp-Apim-Subscription-Key": key},
                        timeout=30).status_code


def within_a_second(check) -> float:
    """Seconds until `check()` held, polling; fails past a second."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < 1.0, "not effective within a second"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_key_created_on_one_node_serves_on_the_other_until_revoked(nodes, sql):
    first, second = nodes
    with Http(first, first.key) as http:
        answer = http.post(http.url("/luislite/keys", prefix=""), json={"kind": "authoring", "name": "ci"}).json()
    key = answer["key"]
    assert status(first, key) == 200  # at once where it was created
    within_a_second(lambda: status(second, key) == 200)
    with Http(second, second.key) as http:
        listed = http.get(http.url("/luislite/keys", prefix="")).json()
        assert {"id": answer["id"], "kind": "authoring", "name": "ci", "source": "database", "revoked": None,
                "created": answer["created"]} in listed
        assert key not in str(listed)
        assert http.delete(http.url(f"/luislite/keys/{answer['id']}", prefix="")).status_code == 200
    assert status(second, key) == 401
    within_a_second(lambda: status(first, key) == 401)
    assert sql(first.data_dir, "SELECT key_hash, revoked IS NOT NULL FROM api_keys") == [
        (hashlib.sha256(key.encode()).hexdigest(), True)]


def test_an_endpoint_key_predicts_only(nodes):
    first, _ = nodes
    with Http(first, first.key) as http:
        key = http.post(http.url("/luislite/keys", prefix=""), json={"kind": "endpoint"}).json()["key"]
    assert status(first, key) == 401
    predict = f"{first.url}/luis/prediction/v3.0/apps/{first.key}/slots/production/predict"
    assert requests.get(predict, params={"query": "hi", "subscription-key": key}, timeout=30).status_code == 404


def test_revoking_a_seed_of_the_environment(nodes):
    first, second = nodes
    predict = f"{second.url}/luis/prediction/v3.0/apps/{first.key}/slots/production/predict"

    def predicts() -> int:
        return requests.get(predict, params={"query": "hi", "subscription-key": ENDPOINT_KEY}, timeout=30).status_code

    assert predicts() == 404  # an unknown app: the key passed
    with Http(first, first.key) as http:
        seed = next(k for k in http.get(http.url("/luislite/keys", prefix="")).json() if k["kind"] == "endpoint")
        assert seed["source"] == "environment" and seed["id"] == hashlib.sha256(ENDPOINT_KEY.encode()).hexdigest()[:12]
        assert http.delete(http.url(f"/luislite/keys/{seed['id']}", prefix="")).status_code == 200
        assert http.delete(http.url("/luislite/keys/0123456789ab", prefix="")).json()["error"]["code"] == "NotFound"
    within_a_second(lambda: predicts() == 401)


def test_the_command_line(nodes):
    first, second = nodes
    remote = ["--endpoint", first.url, "--key", first.key]

    def cli(*args) -> str:
        result = CliRunner().invoke(main, ["keys", *args, *remote], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    key = cli("create", "--name", "deploy").strip()
    assert status(first, key) == 200
    line = next(line for line in cli("list").splitlines() if line.endswith("deploy"))
    key_id = line.split()[0]
    assert key_id == hashlib.sha256(key.encode()).hexdigest()[:12] and "valid" in line and key not in line
    assert cli("revoke", key_id) == f"revoked {key_id}\n"
    within_a_second(lambda: status(second, key) == 401)
    assert "revoked" in next(line for line in cli("list").splitlines() if line.startswith(key_id))
