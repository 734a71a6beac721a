"""luislite: Azure LUIS's authoring and prediction REST APIs, served locally and offline."""
import contextlib
import logging
import tempfile
from pathlib import Path

import flask_migrate
from flask import Flask

from luislite import dialects
from luislite.config import Config
from luislite.db import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: Config | None = None, migrate: bool = True) -> Flask:
    """The Flask app: database brought up to date, keys ready, LUIS blueprints mounted, the console unless off."""
    from luislite import store
    from luislite.api import register_api

    config = config or Config.from_env()
    app = _flask(config)
    app.extensions["luislite.store"] = store.from_config(config)
    app.config.update(SQLALCHEMY_DATABASE_URI=config.database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    db.init_app(app)
    flask_migrate.Migrate(app, db, directory=str(MIGRATIONS))
    with app.app_context(), startup_lock(config.data_dir):
        dialects.configure(db.engine)
        if migrate:
            _migrate(db.engine)
        _ensure_keys(config)
    register_api(app)
    if config.console:
        from luislite import console

        app.register_blueprint(console.bp)
    return app


def create_prediction_app(packages: list[Path], config: Config | None = None) -> Flask:
    """A prediction-only node: the apps of `packages` (package files, or directories of them) answering LUIS's
    v3.0 and v2.0 predictions, with no database and no authoring; the keys are the environment's.

    Their models are extracted into a temporary directory of the data dir, removed when the process ends. A package
    this node cannot serve raises `services.packages.PackageError`, naming the file.
    """
    from luislite import store
    from luislite.api import register_api
    from luislite.services import packages as served

    config = config or Config.from_env()
    if config.prediction_quota or config.authoring_quota:
        raise ValueError("Quotas are counted in the database, which a prediction-only node (--package) has not: "
                         "unset LUISLITE_PREDICTION_QUOTA and LUISLITE_AUTHORING_QUOTA.")
    config.console = False
    app = _flask(config)
    with startup_lock(config.data_dir):
        _ensure_keys(config)
    models = tempfile.TemporaryDirectory(prefix=".packages-", dir=config.data_dir)
    app.extensions["luislite.package_dir"] = models  # kept while the app lives
    app.extensions["luislite.store"] = store.DataDirStore(Path(models.name))
    app.extensions["luislite.packages"] = served.load(packages, app.extensions["luislite.store"].root)
    register_api(app, prediction_only=True)
    return app


def _flask(config: Config) -> Flask:
    """The Flask app every node starts from: its settings, and JSON answered as LUIS does (keys in order, compact)."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__)
    app.config.update(LUISLITE=config, MAX_CONTENT_LENGTH=config.max_body_mb * 1024 * 1024)
    app.json.sort_keys = False
    app.json.compact = True
    return app


def _ensure_keys(config: Config) -> None:
    if config.ensure_keys():
        logging.getLogger(__name__).warning("Generated an authoring key, kept in %s",
                                            config.data_dir / "authoring-key.json")


@contextlib.contextmanager
def startup_lock(data_dir: Path):
    """One process at a time migrates and creates the key: gunicorn starts its workers together.

    A lock file in the data dir; it guards the processes of one machine (elsewhere, run `luislite migrate` first).
    """
    try:
        import fcntl
    except ImportError:  # Windows: no gunicorn there either
        yield
        return
    with open(data_dir / ".startup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _migrate(engine) -> None:
    """Bring the schema up to date, saying so when it changed (of several nodes starting together, one does)."""
    with dialects.migration_lock(engine):
        before = schema_revision(engine)
        flask_migrate.upgrade(directory=str(MIGRATIONS))
        after = schema_revision(engine)
    if before != after:
        logging.getLogger(__name__).warning("Migrated the database schema from %s to %s", before or "nothing", after)


def schema_revision(engine) -> str | None:
    """The alembic revision the database's schema is at (None: an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
