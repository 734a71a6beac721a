"""luislite: Azure LUIS's authoring and prediction REST APIs, served locally and offline."""
import logging
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from luislite.config import Config
from luislite.db import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: Config | None = None, migrate: bool = True) -> Flask:
    """The Flask app: database brought up to date, keys ready, LUIS blueprints mounted."""
    from luislite.api import register_api

    config = config or Config.from_env()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    config.models_dir.mkdir(exist_ok=True)
    app = Flask(__name__)
    app.config.update(LUISLITE=config, SQLALCHEMY_DATABASE_URI=config.database_url,
                      MAX_CONTENT_LENGTH=config.max_body_mb * 1024 * 1024,
                      SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    app.json.sort_keys = False
    app.json.compact = True
    db.init_app(app)
    flask_migrate.Migrate(app, db, directory=str(MIGRATIONS))
    if migrate:
        with app.app_context():
            flask_migrate.upgrade(directory=str(MIGRATIONS))
    generated = config.ensure_keys()
    if generated:
        logging.getLogger(__name__).warning("Generated authoring key %s (kept in %s)", generated, config.data_dir)
    register_api(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(connection, record):
    """SQLite: write-ahead log, wait for locks instead of failing, enforce foreign keys."""
    if type(connection).__module__.startswith("sqlite3"):
        cursor = connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
