"""Structured request logs: one JSON line per request on the `luislite.access` logger.

A line holds the method, the path without its query string, the status, the duration and the app id
(if the URL names one): never a key, never the utterance of a prediction (it travels in the query string or body).
"""
import json
import logging
import sys
import time
from datetime import datetime, timezone

from flask import Flask, g, request

log = logging.getLogger("luislite.access")


class _Stderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (tests and tools replace it)."""

    def __init__(self):
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def register(app: Flask) -> None:
    if not log.handlers:  # its own plain handler: each line is JSON, whatever else configures logging
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    if not app.config["LUISLITE"].access_log:
        return

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        log.info(json.dumps(line(response.status_code)))
        return response


def line(status: int) -> dict:
    started = g.get("started")
    entry = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
             "method": request.method, "path": request.path, "status": status,
             "durationMs": round((time.perf_counter() - started) * 1000, 1) if started else None}
    app_id = (request.view_args or {}).get("app_id")
    if app_id:
        entry["appId"] = app_id
    return entry
