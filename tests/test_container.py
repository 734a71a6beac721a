"""The image and compose.yaml, built and run: PostgreSQL, two API nodes and a worker; an app authored through one
node, trained by the worker, published, predicted on both, and `/ready` green on each API node.

Skipped, with the engine's own error, only where no container engine can run it: none installed, or the images
it needs (postgres:16, or the image LUISLITE_POSTGRES_IMAGE names, and `python:3.11-slim` to build luislite's unless
`make image` built it) cannot be had. Slow (the image's packaged encoder trains the app): minutes.
"""
import os
import shutil
import subprocess
import time
import uuid

import pytest
import requests

from conftest import AUTHORING, AUTHORING_KEY, ENDPOINT_KEY, REPO
from tiny_app import V3, wait_until

PROJECT = f"luislite-test-{uuid.uuid4().hex[:6]}"
PORTS = (int(os.environ.get("LUISLITE_PORT_1", 15000)), int(os.environ.get("LUISLITE_PORT_2", 15001)))
# compose.yaml's default; LUISLITE_POSTGRES_IMAGE replaces it there and here (tests/containers/postgres.Containerfile)
POSTGRES_IMAGE = os.environ.get("LUISLITE_POSTGRES_IMAGE") or "docker.io/library/postgres:16"
TRAVEL = {"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "container-travel", "culture": "en-us",
          "intents": [{"name": "BookFlight"}, {"name": "Greeting"}, {"name": "None"}], "entities": [],
          "utterances": [{"text": t, "intent": i, "entities": []} for t, i in [
              ("book a flight to paris", "BookFlight"), ("fly me to london", "BookFlight"),
              ("i need a plane ticket", "BookFlight"), ("hello", "Greeting"), ("hi there", "Greeting"),
              ("good morning", "Greeting"), ("the sky is blue", "None"), ("my cat is asleep", "None")]]}


def engine() -> tuple[str, list[str]]:
    """The engine and its compose command: podman and podman-compose, else docker and `docker compose`."""
    if shutil.which("podman") and shutil.which("podman-compose"):
        return "podman", ["podman-compose"]
    if shutil.which("docker"):
        plugin = run(["docker", "compose", "version"], timeout=60)
        if plugin.returncode:
            pytest.skip(f"docker has no compose v2 plugin: {last_error(plugin)}")
        return "docker", ["docker", "compose"]
    pytest.skip("no container engine: neither podman (with podman-compose) nor docker is installed")


def run(command: list[str], timeout: float = 1800, **env) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env=os.environ | env)


def last_error(result: subprocess.CompletedProcess) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return f"`{' '.join(result.args)}` exited with {result.returncode}: {lines[-1] if lines else 'no output'}"


def require_image(tool: str, image: str, hint: str = "") -> None:
    """Skip with the engine's error when `image` is neither present nor pullable (the engine cannot run it)."""
    if run([tool, "image", "inspect", image]).returncode == 0:
        return
    pulled = run([tool, "pull", image])
    if pulled.returncode:
        pytest.skip(f"no container engine can run compose.yaml here: {last_error(pulled)}{hint}")


@pytest.fixture(scope="module")
def cluster():
    """compose.yaml up (its API nodes on PORTS), taken down with its volumes at the end; the nodes' URLs."""
    tool, compose = engine()
    info = run([tool, "info"], timeout=120)
    if info.returncode:
        pytest.skip(f"the container engine does not run here: {last_error(info)}")
    require_image(tool, POSTGRES_IMAGE, " (LUISLITE_POSTGRES_IMAGE may name a local one: README \"Container\")")
    if run([tool, "image", "inspect", "luislite"]).returncode:
        require_image(tool, "docker.io/library/python:3.11-slim")
    env = {"LUISLITE_AUTHORING_KEYS": AUTHORING_KEY, "LUISLITE_ENDPOINT_KEYS": ENDPOINT_KEY,
           "LUISLITE_PORT_1": str(PORTS[0]), "LUISLITE_PORT_2": str(PORTS[1])}
    up = run([*compose, "-p", PROJECT, "up", "-d"], **env)
    try:
        assert up.returncode == 0, last_error(up)
        yield [f"http://127.0.0.1:{port}" for port in PORTS]
    finally:
        remove(tool, compose, env)


def remove(tool: str, compose: list[str], env: dict) -> None:
    """`down -v`, and what podman-compose 1.0's leaves: the containers' anonymous volumes (the image's /data) and
    the network. The containers go first, with their volumes; both tools label everything with the project."""
    label = f"label=com.docker.compose.project={PROJECT}"
    containers = run([tool, "ps", "-aq", "--filter", label]).stdout.split()
    if containers:
        run([tool, "rm", "-f", "-v", *containers], timeout=300)
    run([*compose, "-p", PROJECT, "down", "-v"], timeout=300, **env)
    networks = run([tool, "network", "ls", "-q", "--filter", label]).stdout.split()
    if networks:
        run([tool, "network", "rm", *networks])


def ready(url: str) -> dict | None:
    try:
        response = requests.get(f"{url}/ready", timeout=5)
    except requests.ConnectionError:
        return None
    return response.json() if response.status_code == 200 else None


def test_the_compose_cluster_authors_trains_publishes_and_predicts(cluster):
    for url in cluster:
        assert wait_until(lambda url=url: ready(url), timeout=300, what=f"{url}/ready")["status"] == "ready"
    first, second = (requests.Session() for _ in cluster)
    for session in (first, second):
        session.headers["Ocp-Apim-Subscription-Key"] = AUTHORING_KEY
    response = first.post(f"{cluster[0]}{AUTHORING}/apps/import", json=TRAVEL, timeout=60)
    assert response.status_code == 201, response.text
    app = response.json()
    assert second.post(f"{cluster[1]}{AUTHORING}/apps/{app}/versions/0.1/train", timeout=60).status_code == 202

    def trained():
        statuses = first.get(f"{cluster[0]}{AUTHORING}/apps/{app}/versions/0.1/train", timeout=60).json()
        return statuses and all(s["details"]["status"] == "Success" for s in statuses)

    wait_until(trained, timeout=900, what="training by the worker container")
    response = first.post(f"{cluster[0]}{AUTHORING}/apps/{app}/publish", json={"versionId": "0.1"}, timeout=60)
    assert response.status_code == 201, response.text
    time.sleep(1)  # a publish is served by every node within half a second
    for url in cluster:
        answer = requests.get(f"{url}{V3}/apps/{app}/slots/production/predict", params={"query": "book a flight"},
                              headers={"Ocp-Apim-Subscription-Key": ENDPOINT_KEY}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["prediction"]["topIntent"] in {"BookFlight", "Greeting", "None"}
        assert ready(url)["checks"] == {"database": "ok", "migrations": "ok", "modelRuntime": "ok"}
