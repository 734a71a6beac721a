"""Liveness (`GET /health`) and readiness (`GET /ready`): no key needed, nothing secret in the answers."""
from flask import Blueprint, current_app, jsonify

from luislite import MIGRATIONS
from luislite.services import readiness as health
from luislite.api.openapi import operation
from luislite.api.schemas import Liveness, Readiness
from luislite.db import has_database

bp = Blueprint("health", __name__)


@bp.get("/health")
@operation(Liveness)
def alive():
    """Liveness: 200 while the process answers."""
    return jsonify({"status": "ok"})


@bp.get("/ready")
@operation(Readiness, also={503: Readiness})
def ready():
    """200 when every check passes, else 503; each check says "ok" or what is wrong."""
    config = current_app.config["LUISLITE"]
    problems = {}
    if has_database():  # a prediction-only node has none
        problems["database"] = health.database()
        if problems["database"] is None:
            problems["migrations"] = health.migrations(MIGRATIONS)
    problems["modelRuntime"] = health.model_runtime(config.base_model)
    if config.expect_worker:
        problems["trainingWorker"] = health.worker(config.data_dir)
    ok = not any(problems.values())
    response = jsonify({"status": "ready" if ok else "unavailable",
                        "checks": {name: problem or "ok" for name, problem in problems.items()}})
    response.status_code = 200 if ok else 503
    return response
