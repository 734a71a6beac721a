"""luislite: Azure LUIS's authoring and prediction REST APIs, served locally and offline."""
import contextlib
import logging
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

from luislite.config import Config
from luislite.db import db, takes_write_lock_first

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_LOCK = 0x6C7569736C697465  # "luislite": the PostgreSQL advisory lock held while migrating
WRITE_LOCK = MIGRATION_LOCK + 1  # the one taken by each transaction of a request that may write


def create_app(config: Config | None = None, migrate: bool = True) -> Flask:
    """The Flask app: database brought up to date, keys ready, LUIS blueprints mounted, the console unless off."""
    from luislite import store
    from luislite.api import register_api

    config = config or Config.from_env()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__)
    app.extensions["luislite.store"] = store.from_config(config)
    app.config.update(LUISLITE=config, SQLALCHEMY_DATABASE_URI=config.database_url,
                      MAX_CONTENT_LENGTH=config.max_body_mb * 1024 * 1024,
                      SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    app.json.sort_keys = False
    app.json.compact = True
    db.init_app(app)
    flask_migrate.Migrate(app, db, directory=str(MIGRATIONS))
    with app.app_context(), startup_lock(config.data_dir):
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            _configure_postgresql()
        if migrate:
            _migrate(db.engine)
        if config.ensure_keys():
            logging.getLogger(__name__).warning("Generated an authoring key, kept in %s",
                                                config.data_dir / "authoring-key.json")
    register_api(app)
    if config.console:
        from luislite import console

        app.register_blueprint(console.bp)
    return app


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
    with migration_lock(engine):
        before = _revision(engine)
        flask_migrate.upgrade(directory=str(MIGRATIONS))
        after = _revision(engine)
    if before != after:
        logging.getLogger(__name__).warning("Migrated the database schema from %s to %s", before or "nothing", after)


def _revision(engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextlib.contextmanager
def migration_lock(engine):
    """One node at a time migrates a PostgreSQL database, however many start together (an advisory lock; the
    others then find the schema up to date). SQLite's nodes share one machine: `startup_lock` covers them."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()


def _configure_sqlite(engine) -> None:
    """SQLite: write-ahead log, wait for locks, foreign keys, and writers that take the lock up front.

    A request that may write starts with BEGIN IMMEDIATE, so two edits of one version are serialised
    instead of one silently overwriting the other. Elsewhere (the training worker; views marked `writes_lazily`,
    predictions) a transaction that writes begins with its write, so it never needs to upgrade a read lock.
    """
    @event.listens_for(engine, "connect")
    def connect(connection, record):
        connection.isolation_level = None  # transactions are begun below, not by the driver
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
            connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock_first() else "BEGIN")


def _configure_postgresql() -> None:
    """PostgreSQL: a request that may write serialises with the others, on every node, as on SQLite: its session's
    transactions take one advisory lock first, so two edits of one version never silently overwrite each other.
    (Only the session's: the request's other connections, such as the artifact store's, must not wait for it.)"""
    if not event.contains(db.session, "after_begin", _lock_writes):
        event.listen(db.session, "after_begin", _lock_writes)


def _lock_writes(session, transaction, connection) -> None:
    if connection.dialect.name == "postgresql" and takes_write_lock_first():
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
