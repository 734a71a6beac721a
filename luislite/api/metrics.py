"""`GET /metrics` in Prometheus's text format, and the request counts behind it (`luislite/metrics.py`).

LUISLITE_METRICS says who may read it: `keyed` (the default: an authoring key, sent as LUIS's authoring routes
take it), `open` (anyone who reaches the port) or `off` (no route, nothing counted). Each answered request counts
by its surface (`service` for URLs under none), its route template (Flask's rule, never the path itself; `none`
when nothing routed it), method and status; a prediction (a request a surface admitted with a prediction key
policy, `api.auth.admit`) also times its answer.
"""
import time

from flask import Blueprint, Flask, Response, current_app, g, request

from luislite import metrics
from luislite.api.luis.auth import require_key
from luislite.api.openapi import TEXT, operation
from luislite.api.surface import Surface

bp = Blueprint("metrics", __name__)


@bp.before_request
def _guard() -> None:
    if current_app.config["LUISLITE"].metrics == "keyed":
        require_key(prediction=False)


@bp.get("/metrics")
@operation({"text/plain": TEXT})
def scrape():
    """Every metric, in Prometheus's text format (version 0.0.4)."""
    return Response(metrics.exposition(), content_type=metrics.CONTENT_TYPE)


def register(app: Flask, surfaces: list[Surface]) -> None:
    """Mount `/metrics` and count every request, unless LUISLITE_METRICS is off."""
    if app.config["LUISLITE"].metrics == "off":
        return
    app.register_blueprint(bp)

    @app.before_request
    def start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count(response):
        surface = next((s.name for s in surfaces if s.owns(request.path)), "service")
        route = request.url_rule.rule if request.url_rule else "none"
        metrics.REQUESTS.labels(surface, route, request.method, str(response.status_code)).inc()
        if g.get("api") == "prediction":
            metrics.PREDICTION_SECONDS.labels(surface, route).observe(time.perf_counter() - g.metrics_started)
        return response
