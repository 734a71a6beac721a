"""Structured request logs: one JSON line per request on stderr.

A line holds the method, the path without its query string, the status, the duration and the app id
(if the URL names one): never a key, never the utterance of a prediction (it travels in the query string or body).
Lines go straight to whatever `sys.stderr` is at the time (tests and tools replace it), one write each: through
the logging module a line cost five times as much.
"""
import json
import sys
import time
from datetime import datetime, timezone

from flask import Flask, g, request


def register(app: Flask) -> None:
    if not app.config["LUISLITE"].access_log:
        return

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        _write(json.dumps(line(response.status_code)))
        return response


def _write(text: str) -> None:
    """One line on stderr; a closed or missing stderr loses the line, never the request."""
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


def line(status: int) -> dict:
    started = g.get("started")
    entry = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
             "method": request.method, "path": request.path, "status": status,
             "durationMs": round((time.perf_counter() - started) * 1000, 1) if started else None}
    app_id = (request.view_args or {}).get("app_id")
    if app_id:
        entry["appId"] = app_id
    return entry
