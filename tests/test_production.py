"""`gunicorn wsgi:app` with two worker processes and a separate `luislite worker`, as README's Production section
runs it: they start together on a fresh data dir (one migration, one generated key), and an app trained and
published through one process predicts through both."""
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests

from conftest import OFFLINE, REPO, Http, _free_port
from tiny_app import trained_travel_app, wait_until


@pytest.fixture
def gunicorn(tmp_path, tiny_model):
    pytest.importorskip("gunicorn")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUISLITE_")} | OFFLINE | {
        "LUISLITE_DATA_DIR": str(tmp_path), "LUISLITE_EXPECT_WORKER": "1", "PYTHONUNBUFFERED": "1",
        "LUISLITE_BASE_MODEL": str(tiny_model), "LUISLITE_TRAIN_THREADS": "1"}
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        processes = [
            subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                              "--access-logfile", "-", "--access-logformat", "pid=%(p)s %(m)s %(U)s %(s)s",
                              "wsgi:app"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT),
            subprocess.Popen([sys.executable, "-m", "luislite.cli", "worker"], cwd=REPO, env=env,
                             stdout=out, stderr=subprocess.STDOUT)]
    url = f"http://127.0.0.1:{port}"

    def ready():
        try:
            return requests.get(f"{url}/ready", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or the workers still loading the app
            return False

    try:
        wait_until(ready, timeout=90, what=f"gunicorn's readiness:\n{log.read_text()}")
        yield SimpleNamespace(url=url, data_dir=tmp_path, log=log)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_two_gunicorn_workers_share_the_database_and_models(gunicorn):
    key = json.loads((gunicorn.data_dir / "authoring-key.json").read_text())["authoringKey"]
    http = Http(SimpleNamespace(url=gunicorn.url), key)
    app_id = trained_travel_app(http)
    url = f"{gunicorn.url}/luis/prediction/v3.0/apps/{app_id}/slots/production/predict"

    def predict(n: int) -> int:
        return requests.get(url, params={"query": f"fly to paris {n}", "subscription-key": key}, timeout=60).status_code

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(predict, range(60))) == {200}

    def served_by() -> set[str]:  # the log line of a request may come a moment after its answer
        return set(re.findall(r"pid=<?(\d+)>? GET /luis/prediction/v3.0/\S+ 200", gunicorn.log.read_text()))

    wait_until(lambda: len(served_by()) == 2, timeout=30, what="predictions served by both workers")


def test_migrate_command(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUISLITE_")} | {"LUISLITE_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "luislite.cli", "migrate"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "up to date" in done.stdout, done.stderr
    assert (tmp_path / "luislite.db").is_file() and (tmp_path / "authoring-key.json").is_file()
    key = json.loads((tmp_path / "authoring-key.json").read_text())["authoringKey"]
    assert key not in done.stdout + done.stderr


def test_the_worker_exits_at_once_and_cleanly_on_sigterm(tmp_path, tiny_model):
    """`docker stop` sends SIGTERM to the worker container's process 1, for which SIGTERM has no default action:
    without a handler the engine waits its timeout, then kills (compose.yaml)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUISLITE_")} | OFFLINE | {
        "LUISLITE_DATA_DIR": str(tmp_path), "LUISLITE_BASE_MODEL": str(tiny_model)}
    process = subprocess.Popen([sys.executable, "-m", "luislite.cli", "worker"], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: (tmp_path / "luislite.db").is_file(), timeout=90, what="the worker's migration")
        process.terminate()
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
