"""HTTP only: LUIS URL prefixes, keys, errors, and one blueprint per LUIS resource."""
from flask import Flask

from luislite.api import access_log, health, home, openapi
from luislite.api.luis import prediction
from luislite.api.luis.authoring import AUTHORING_BLUEPRINTS
from luislite.api.errors import register_error_handlers

AUTHORING_PREFIXES = {"v3": "/luis/authoring/v3.0-preview", "v2": "/luis/api/v2.0"}


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


def register_api(app: Flask) -> None:
    register_error_handlers(app)
    access_log.register(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    for tag, prefix in AUTHORING_PREFIXES.items():
        for blueprint in AUTHORING_BLUEPRINTS:
            app.register_blueprint(blueprint, url_prefix=prefix, name=f"{blueprint.name}_{tag}")
    prediction.register(app)
    app.wsgi_app = NormalizePath(app.wsgi_app)
