"""Shared fixtures: one live luislite server per test session, and clients to drive it.

* `server`           the running server: `.url`, `.key` (authoring), `.endpoint_key` (prediction only), `.data_dir`
* `authoring`        the official SDK's `LUISAuthoringClient`, pointed at `server`
* `http`             a `requests.Session` sending the authoring key; a path starting with "/" is taken
                     under the authoring v3.0-preview prefix (`http.get("/apps/")`), and
                     `http.url(path, prefix=...)` builds any other URL
* `new_app`          the id of a fresh app (unique name, version "0.1") for one test
* `tiny_model`       a tiny random BERT checkpoint dir (tests/tinybert.py), built once per session
* `tiny_server`      a server whose worker fine-tunes `tiny_model`: training takes seconds; `tiny_http` drives it
* `real_app`         an app of `server` trained on the packaged encoder (tests/real_app.py): once per session

`start_server(*serve_options, data_dir=None, **env)` starts an extra server with other settings, e.g.
`start_server("--workers", "0", LUISLITE_MAX_BODY_MB="1")`; pass the `data_dir` of a stopped server to restart it.

Databases: SQLite in each server's data dir, or with `--database postgres` one PostgreSQL database per data dir,
on a throwaway cluster started once per session (tests/postgres.py) or on the server LUISLITE_TEST_DATABASE_URL
names. `database_url(data_dir)` is the URL a server of that data dir uses; `sql(data_dir, statement, **params)`
runs one statement there and returns its rows. `make test` runs the files that touch the database a second
time with `--database postgres`.
The servers run offline: no network, and only the worker of `tiny_server` (or of a test's own server) trains.
Data files the tests read live in `FIXTURES` (tests/fixtures, provenance in its SOURCES.md), nowhere else.
"""
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
AUTHORING = "/luis/authoring/v3.0-preview"
AUTHORING_V2 = "/luis/api/v2.0"
AUTHORING_KEY = "00000000-1111-4222-8333-444444444444"
ENDPOINT_KEY = "99999999-8888-4777-8666-555555555555"
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
os.environ.update(OFFLINE)  # nothing in the suite may reach the network, here or in the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pytest_addoption(parser):
    parser.addoption("--database", choices=("sqlite", "postgres"), default="sqlite",
                     help="the servers' database (postgres: a throwaway cluster, or LUISLITE_TEST_DATABASE_URL's)")


@pytest.fixture(scope="session")
def postgres_server(request) -> str | None:
    """The URL of the PostgreSQL server the suite runs against, or None for SQLite."""
    if request.config.getoption("--database") != "postgres":
        yield None
    elif os.environ.get("LUISLITE_TEST_DATABASE_URL"):
        yield os.environ["LUISLITE_TEST_DATABASE_URL"]
    else:
        from postgres import Cluster

        cluster = Cluster()
        yield cluster.url
        cluster.stop()


@pytest.fixture(scope="session")
def database_url(postgres_server):
    """The database URL of the servers of a data dir: its SQLite file, or a PostgreSQL database of its own."""
    def url(data_dir: Path) -> str:
        if postgres_server is None:
            return f"sqlite:///{data_dir / 'luislite.db'}"
        from postgres import create_database

        return create_database(postgres_server, "luislite_" + hashlib.sha1(str(data_dir).encode()).hexdigest()[:16])

    return url


@pytest.fixture(scope="session")
def sql(database_url):
    """Run one SQL statement (named `:parameters`) on a data dir's database; its rows, if it returns any."""
    def run(data_dir: Path, statement: str, **params) -> list[tuple]:
        engine = sa.create_engine(database_url(data_dir), poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as connection:
                result = connection.execute(sa.text(statement), params)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    return run


def luislite_process(log: Path, data_dir: Path, *arguments: str, **env: str) -> subprocess.Popen:
    """`luislite ARGUMENTS` with the suite's keys, offline, on `data_dir`, its output going to `log`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("LUISLITE_")}
    environment = inherited | {
        "LUISLITE_DATA_DIR": str(data_dir), "LUISLITE_AUTHORING_KEYS": AUTHORING_KEY,
        "LUISLITE_ENDPOINT_KEYS": ENDPOINT_KEY, "PYTHONUNBUFFERED": "1"} | OFFLINE | env
    with open(log, "wb") as output:
        return subprocess.Popen([sys.executable, "-m", "luislite.cli", *arguments], cwd=REPO, env=environment,
                                stdout=output, stderr=subprocess.STDOUT)


class Server:
    """A `luislite serve` subprocess on a free 127.0.0.1 port."""

    def __init__(self, data_dir: Path, *serve_options: str, **env: str):
        self.port, self.data_dir = _free_port(), data_dir
        self.url = f"http://127.0.0.1:{self.port}"
        self.key, self.endpoint_key = AUTHORING_KEY, ENDPOINT_KEY
        self.log = data_dir / "server.log"
        self.process = luislite_process(self.log, data_dir, "serve", "--port", str(self.port), *serve_options, **env)
        self._wait(timeout=60)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"luislite exited with {self.process.returncode}:\n{self.output()}", pytrace=False)
            try:
                requests.get(f"{self.url}{AUTHORING}/apps/cultures", headers={"Ocp-Apim-Subscription-Key": self.key},
                             timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"luislite did not answer within {timeout} s:\n{self.output()}", pytrace=False)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def url_map():
    """The URL map of an app built in-process (no server): every route with its methods."""
    from luislite import create_app
    from luislite.config import Config

    with tempfile.TemporaryDirectory() as data_dir:
        return create_app(Config(Path(data_dir), "sqlite://", [AUTHORING_KEY]), migrate=False).url_map


@pytest.fixture(scope="session")
def start_server(tmp_path_factory, database_url):
    """A factory for extra servers with their own data dir and environment, stopped at the end of the session."""
    servers = []

    def start(*serve_options, data_dir: Path | None = None, **env) -> Server:
        data_dir = data_dir or tmp_path_factory.mktemp("luislite")
        env.setdefault("LUISLITE_DATABASE_URL", database_url(data_dir))
        servers.append(Server(data_dir, *serve_options, **env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def server(start_server) -> Server:
    return start_server()


class Http(requests.Session):
    """requests, with the authoring key sent and "/..." paths taken under the authoring v3.0-preview prefix."""

    def __init__(self, server: Server, key: str | None):
        super().__init__()
        self.server = server
        if key:
            self.headers["Ocp-Apim-Subscription-Key"] = key

    def url(self, path: str, prefix: str = AUTHORING) -> str:
        return f"{self.server.url}{prefix}{path}"

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.url(url)
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def http(server):
    with Http(server, server.key) as session:
        yield session


@pytest.fixture(scope="session")
def authoring(server):
    from azure.cognitiveservices.language.luis.authoring import LUISAuthoringClient
    from msrest.authentication import CognitiveServicesCredentials

    return LUISAuthoringClient(server.url, CognitiveServicesCredentials(server.key))


def unique_name(prefix: str = "app") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def new_app(server) -> str:
    """The id of a fresh app with version "0.1" holding only the None intent."""
    with Http(server, server.key) as session:
        response = session.post("/apps/", json={"name": unique_name(), "culture": "en-us"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A randomly initialised 2-layer BERT (hidden 32) with the packaged uncased vocabulary, as a checkpoint dir."""
    from tinybert import build_tiny_bert

    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_server(start_server, tiny_model) -> Server:
    """A server training on `tiny_model` (LUISLITE_BASE_MODEL): seconds per training, predictions of no quality
    (so no second try of a model that underfit its slots: a random 2-layer BERT seldom fits 90 % of them)."""
    server = start_server(LUISLITE_BASE_MODEL=str(tiny_model), LUISLITE_TRAIN_THREADS="1",
                          LUISLITE_TRAIN_RECIPE='{"underfit_slot_f1": 0}')
    yield server
    assert "starting another" not in server.output(), "a training worker died (no test here kills one)"


@pytest.fixture
def tiny_http(tiny_server):
    with Http(tiny_server, tiny_server.key) as session:
        yield session


@pytest.fixture(scope="session")
def real_app(server, authoring) -> str:
    """The id of tests/real_app.py's app, trained on the packaged encoder and published: about a minute, once."""
    from real_app import trained_and_published

    return trained_and_published(authoring)

