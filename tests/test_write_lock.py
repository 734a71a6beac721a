"""SQLite's write lock, on a live server: authoring writes take it up front (BEGIN IMMEDIATE), so two edits are
serialised; predictions, GET and POST on every prefix, begin with plain BEGIN and never wait for it.

Another connection holds the write lock while the requests are sent: a request that wanted it would wait (up to
the 30 s busy timeout) instead of answering.
"""
import sqlite3
import uuid

import pytest
import requests

from conftest import Http
from tiny_app import wait_until
from luislite.api.luis.prediction import V3_PREFIXES

V2 = "/luis/v2.0"


def predictions(app_id: str) -> list[tuple[str, str, dict]]:
    """(method, path, request keywords) of every prediction route: v3 slots and versions on each prefix, and v2."""
    v3 = [(method, f"{prefix}/apps/{app_id}/{path}/predict", {"params": {"query": "hi"}} if method == "GET"
           else {"json": {"query": "hi"}, "params": {"log": "true"}})
          for prefix in V3_PREFIXES for path in ("slots/production", "versions/0.1") for method in ("GET", "POST")]
    return v3 + [("GET", f"{V2}/apps/{app_id}", {"params": {"q": "hi"}}),
                 ("POST", f"{V2}/apps/{app_id}", {"json": "hi", "params": {"log": "true"}})]


@pytest.fixture
def locked(start_server, tmp_path):
    """A server (no worker), its Http session, and a function holding the database's write lock while it runs."""
    server = start_server("--workers", "0", data_dir=tmp_path)
    writer = sqlite3.connect(tmp_path / "luislite.db", isolation_level=None, timeout=30)
    with Http(server, server.key) as http:
        yield http, writer
    writer.close()


def test_predictions_never_wait_for_the_write_lock_and_authoring_writes_do(locked):
    http, writer = locked
    app_id = http.post("/apps/", json={"name": "locked", "culture": "en-us"}).json()
    writer.execute("BEGIN IMMEDIATE")
    try:
        for method, path, keywords in predictions(app_id):
            response = http.request(method, http.url(path, prefix=""), timeout=10, **keywords)
            assert response.status_code in (400, 404), (method, path, response.text)  # untrained: read, answered
        assert http.get(f"/apps/{app_id}", timeout=10).status_code == 200
        name = f"waits-{uuid.uuid4().hex[:8]}"
        with pytest.raises(requests.Timeout):
            http.post("/apps/", json={"name": name, "culture": "en-us"}, timeout=2)
    finally:
        writer.execute("ROLLBACK")
    wait_until(lambda: name in [app["name"] for app in http.get("/apps/").json()], 30, "the waiting write")
