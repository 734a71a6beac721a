"""Keys compared in constant time and never logged, no CORS, no debug pages or tracebacks in answers.

Authoring keys only for authoring and endpoint keys for prediction are checked in test_errors.py
(`test_endpoint_key_is_refused_on_authoring`) and test_prediction.py (`test_endpoint_key_predicts_but_cannot_author`).
"""
import hmac
import re

import requests

from conftest import AUTHORING
from luislite import create_app, errors
from luislite.api import auth
from luislite.config import Config

WRONG_KEY = "f00dcafe-dead-4bee-8f00-0bad5eed1e55"


def test_keys_never_reach_the_server_log(server, new_app):
    for key in (WRONG_KEY, server.key, server.endpoint_key):
        requests.get(f"{server.url}{AUTHORING}/apps/{new_app}", headers={"Ocp-Apim-Subscription-Key": key}, timeout=10)
        requests.get(f"{server.url}{AUTHORING}/apps/{new_app}", params={"subscription-key": key}, timeout=10)
        requests.get(f"{server.url}/luis/v2.0/apps/{new_app}", params={"subscription-key": key, "q": "hi"}, timeout=10)
    output = server.output().lower()
    assert f"/apps/{new_app}" in output  # the requests were logged ...
    for key in (WRONG_KEY, server.key, server.endpoint_key):  # ... but not one key
        assert key not in output
    assert not any(part in output for part in WRONG_KEY.split("-")[::4])  # nor a part of one


def test_every_key_is_compared_in_constant_time(monkeypatch, tmp_path):
    """hmac.compare_digest of sha256s against every valid key (seeds and run-time keys), with no early exit."""
    calls, original = [], hmac.compare_digest

    def compare(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", compare)
    keys = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"]
    app = create_app(Config(tmp_path, f"sqlite:///{tmp_path / 'luislite.db'}", keys[:1], keys[1:]))
    with app.app_context():
        assert auth.is_valid(keys[0], prediction=True) and len(calls) == 2
        assert not auth.is_valid(WRONG_KEY, prediction=True) and len(calls) == 4
    assert all(len(a) == len(b) == 64 and keys[0] not in (a, b) for a, b in calls)  # their sha256, not the keys


def test_cors_is_off(server, new_app):
    origin = {"Origin": "https://evil.example"}
    for method in ("GET", "OPTIONS"):
        for path in (f"{AUTHORING}/apps/{new_app}", f"/luis/prediction/v3.0/apps/{new_app}/slots/production/predict",
                     "/health"):
            response = requests.request(method, f"{server.url}{path}", timeout=10,
                                        headers=origin | {"Ocp-Apim-Subscription-Key": server.key,
                                                          "Access-Control-Request-Method": "POST"})
            assert not any(h.lower().startswith("access-control-") for h in response.headers), response.headers


def test_an_unexpected_error_shows_no_traceback(tmp_path, capsys):
    """A 500 answer holds a reference to the server's log line with the traceback, not the traceback."""
    app = create_app(Config(tmp_path, f"sqlite:///{tmp_path / 'luislite.db'}", [WRONG_KEY]))
    assert not app.debug and not app.testing

    @app.get("/boom")
    def boom():
        raise ValueError("secret internals at /etc/luislite")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and response.json["error"]["code"] == "InternalServerError"
    message = response.json["error"]["message"]
    reference = re.fullmatch(r"An unexpected error occurred \(reference (\w{12})\)\.", message)
    assert reference and "secret" not in response.text
    logged = capsys.readouterr().err  # the migration's logging configuration writes to stderr
    assert re.search(rf"unexpected error, reference {reference[1]}\nTraceback .*secret internals", logged, re.S)


def test_every_client_error_is_a_luis_error(tmp_path):
    """Each kind of client error answers its message with a LUIS code and status, never a 500."""
    app = create_app(Config(tmp_path, f"sqlite:///{tmp_path / 'luislite.db'}", [WRONG_KEY]))
    kinds = [k for k in vars(errors).values() if isinstance(k, type) and issubclass(k, errors.LuisliteError)]

    @app.get("/fail/<int:n>")
    def fail(n: int):
        raise kinds[n](f"message of {kinds[n].__name__}")

    client = app.test_client()
    answers = {kind.__name__: client.get(f"/fail/{n}") for n, kind in enumerate(kinds)
               if kind is not errors.LuisliteError}
    assert {name: (r.status_code, r.json["error"]["code"]) for name, r in answers.items()} == {
        "InvalidRequest": (400, "BadArgument"), "AppVersionError": (400, "BadArgument"),
        "NotFound": (404, "NotFound"), "Conflict": (400, "BadArgument"), "LimitReached": (400, "BadArgument"),
        "NotTrained": (400, "BadArgument"), "ModelUnavailable": (503, "ServiceUnavailable")}
    assert all(r.json["error"]["message"] == f"message of {name}" for name, r in answers.items())


def test_the_server_runs_without_debug(server):
    response = requests.get(f"{server.url}/no/such/page", timeout=10)
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/json"
    assert "Werkzeug" not in response.text and "Traceback" not in response.text
