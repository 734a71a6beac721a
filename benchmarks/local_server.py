"""Start `luislite serve` on a free 127.0.0.1 port with its own data dir, for the benchmark scripts."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent


def start_server(data_dir: Path, key: str, *options: str, processes: int = 0,
                 **env: str) -> tuple[subprocess.Popen, str]:
    """The server process and its URL, once `/ready` answers 200 (its training worker is up, its encoder loaded:
    a first training then takes as long as the next ones); `options` go to `luislite serve`, `env` adds LUISLITE_*
    settings. `processes` > 0: gunicorn with that many (sync) workers instead, metrics in multi-process mode, and
    no training worker (`start_worker`)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environment = _environment(data_dir, key, env)
    command = [sys.executable, "-m", "luislite.cli", "serve", "--port", str(port), *options]
    if processes:
        (data_dir / "metrics").mkdir()
        environment["PROMETHEUS_MULTIPROC_DIR"] = str(data_dir / "metrics")
        command = [sys.executable, "-m", "gunicorn", "--workers", str(processes), "--bind", f"127.0.0.1:{port}",
                   *options, "wsgi:app"]
    log = open(data_dir / "server.log", "wb")
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if requests.get(f"{url}/ready", timeout=2).status_code == 200:
                return process, url
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or busy starting
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not start; see {data_dir / 'server.log'}")


def start_worker(data_dir: Path, key: str, **env: str) -> subprocess.Popen:
    """`luislite worker` on the data dir of a server `start_server(..., processes=N)` started with the same `env`."""
    log = open(data_dir / "worker.log", "wb")
    return subprocess.Popen([sys.executable, "-m", "luislite.cli", "worker"], cwd=REPO,
                            env=_environment(data_dir, key, env), stdout=log, stderr=subprocess.STDOUT)


def _environment(data_dir: Path, key: str, env: dict) -> dict:
    return dict(os.environ, LUISLITE_DATA_DIR=str(data_dir), LUISLITE_AUTHORING_KEYS=key, HF_HUB_OFFLINE="1", **env)
