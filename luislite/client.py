"""A LUIS REST client for the command line: a running server over HTTP, or the local data directory in-process.

`Client(endpoint, key)` speaks HTTP (requests) to `endpoint`; `Client()` builds the Flask app on the
local data directory (LUISLITE_DATA_DIR, as `luislite serve` does) and calls it through its test client
with the local authoring key. Either way `request(method, path, ...)` answers the decoded body, or
raises `ServiceError` (the LUIS error envelope) or `ConnectionFailed`.
"""
from __future__ import annotations

import json as jsonlib

AUTHORING = "/luis/authoring/v3.0-preview"
PREDICTION = "/luis/prediction/v3.0"


class ServiceError(Exception):
    """An error answered by the service: `{"error": {"code", "message"}}` and its HTTP status."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


class ConnectionFailed(Exception):
    """The endpoint did not answer."""


class Client:
    def __init__(self, endpoint: str | None = None, key: str | None = None, timeout: float = 300):
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.key, self.timeout = key, timeout
        self._app = None

    @property
    def local(self) -> bool:
        return self.endpoint is None

    @property
    def app(self):
        """The in-process Flask app (local mode only), created on first use; access logs are the server's."""
        if self._app is None:
            from dataclasses import replace

            from luislite import create_app
            from luislite.config import Config

            self._app = create_app(replace(Config.from_env(), access_log=False))
            self.key = self.key or self._app.config["LUISLITE"].authoring_keys[0]
        return self._app

    def request(self, method: str, path: str, params: dict | None = None, json=None,
                text: str | None = None):
        """Send one request; the JSON (or text) answer, or ServiceError for a 4xx/5xx answer."""
        body, content_type = (None, None)
        if json is not None:
            body, content_type = jsonlib.dumps(json).encode(), "application/json"
        elif text is not None:
            body, content_type = text.encode("utf-8"), "text/plain; charset=utf-8"
        send = self._local if self.local else self._remote
        status, mimetype, data = send(method, path, params or {}, body, content_type)
        return _decode(status, mimetype, data)

    def _headers(self, content_type: str | None) -> dict:
        headers = {"Ocp-Apim-Subscription-Key": self.key} if self.key else {}
        return headers | ({"Content-Type": content_type} if content_type else {})

    def _remote(self, method, path, params, body, content_type):
        import requests

        try:
            response = requests.request(method, self.endpoint + path, params=params, data=body,
                                        headers=self._headers(content_type), timeout=self.timeout)
        except requests.RequestException as error:
            raise ConnectionFailed(f"cannot connect to {self.endpoint}: {type(error).__name__}") from None
        mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
        return response.status_code, mimetype, response.content

    def _local(self, method, path, params, body, content_type):
        app = self.app
        with app.test_client() as client:
            response = client.open(path, method=method, query_string=params, data=body,
                                   headers=self._headers(content_type))
            return response.status_code, response.mimetype, response.get_data()


def _decode(status: int, mimetype: str, data: bytes):
    text = data.decode("utf-8", errors="replace")
    body = text
    if mimetype.endswith("json") and text.strip():
        try:
            body = jsonlib.loads(text)
        except ValueError:
            pass
    if status < 400:
        return body
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        raise ServiceError(status, str(error.get("code", status)), str(error.get("message", "")))
    raise ServiceError(status, str(status), (text.strip().splitlines() or ["(no message)"])[0][:200])

