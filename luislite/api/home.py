"""`GET /` (no key): what this server is, its version, and where its APIs, description and health checks are."""
from html import escape
from importlib.metadata import version

from flask import Blueprint, current_app, jsonify, request

from luislite.api.openapi import TEXT, operation
from luislite.api.schemas import ServiceInfo
from luislite.db import has_database

bp = Blueprint("home", __name__)


@bp.get("/")
@operation({"application/json": ServiceInfo, "text/html": TEXT})
def home():
    """What this server is: JSON; a client that prefers text/html (a browser) gets the web console, or an HTML
    page while the console is off (LUISLITE_CONSOLE=0)."""
    info = service_info()
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        if current_app.config["LUISLITE"].console:
            from luislite import console

            return console.index()
        return _html(info), 200, {"Content-Type": "text/html; charset=utf-8"}
    return jsonify(info)


def service_info() -> dict:
    from luislite.api.luis import AUTHORING_PREFIXES, V2_PREFIX, V3_PREFIXES

    return {"service": "luislite", "version": version("luislite"),
            "description": "Azure LUIS's authoring and prediction REST APIs, served locally and offline.",
            "authoring": list(AUTHORING_PREFIXES.values()) if has_database() else [],  # none on a package node
            "prediction": {"v3.0": list(V3_PREFIXES), "v2.0": [V2_PREFIX]},
            "keys": "Ocp-Apim-Subscription-Key header or subscription-key query parameter",
            "openapi": "/openapi.json", "health": "/health", "ready": "/ready",
            "docs": "README.md, at the root of luislite's source"}


def _html(info: dict) -> str:
    prefixes = info["authoring"] + [p for prefixes in info["prediction"].values() for p in prefixes]
    items = [f'<li><a href="{info[name]}">{info[name]}</a> {what}</li>' for name, what in
             (("openapi", "the OpenAPI 3.1 description"), ("health", "liveness"), ("ready", "readiness"))]
    return (f"<!doctype html><title>luislite {escape(info['version'])}</title>"
            f"<h1>luislite {escape(info['version'])}</h1><p>{escape(info['description'])}</p>"
            f"<p>API prefixes (key: {escape(info['keys'])}): {', '.join(f'<code>{p}</code>' for p in prefixes)}</p>"
            f"<ul>{''.join(items)}</ul><p>Documentation: {escape(info['docs'])}.</p>")
