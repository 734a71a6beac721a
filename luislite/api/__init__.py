"""HTTP: the API surfaces, and what they share.

Each surface is a package under `luislite/api/` (LUIS's: `api/luis/`) declaring a `Surface` (`api/surface.py`):
its URL root and prefixes, key policy, error envelope and OpenAPI part; `SURFACES` lists them, the first one
answering for URLs under none. Shared here: the error handling that picks the request's surface (`errors.py`),
the keys store (`auth.py`), request bodies (`body.py`), success answers (`responses.py`), liveness and readiness
(`health.py`), the aggregated OpenAPI document (`openapi.py`), the access log, Prometheus metrics (`metrics.py`),
run-time keys (`keys.py`) and path normalisation.
"""
from flask import Flask

from luislite.api import access_log, clu, health, home, keys, luis, metrics, openapi
from luislite.api.errors import register_error_handlers
from luislite.api.luis import prediction

SURFACES = [luis.SURFACE, clu.SURFACE]


class NormalizePath:
    """WSGI middleware: collapse `//` and drop a trailing `/`, so every route answers both forms without redirects."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        while "//" in path:
            path = path.replace("//", "/")
        environ["PATH_INFO"] = path.rstrip("/") or "/"
        return self.wsgi_app(environ, start_response)


def register_api(app: Flask, prediction_only: bool = False) -> None:
    """Every surface's routes; on a prediction-only node (packages, no database) LUIS's prediction routes alone."""
    register_error_handlers(app, SURFACES)
    access_log.register(app)
    metrics.register(app, SURFACES)
    for blueprint in (home.bp, health.bp, openapi.bp):
        app.register_blueprint(blueprint)
    if prediction_only:
        prediction.register(app)
    else:
        app.register_blueprint(keys.bp)
        for surface in SURFACES:
            surface.register(app)
    app.wsgi_app = NormalizePath(app.wsgi_app)
