"""What differs between the databases luislite runs on, in one place: SQLite (embedded, one machine) and
PostgreSQL (any number of nodes). Elsewhere the code is the same for both.

Both serialise the requests that may write (`db.takes_write_lock_first`), so two edits of one version never
silently overwrite each other: SQLite with `BEGIN IMMEDIATE`, PostgreSQL with an advisory lock on the request's
session; and one node at a time migrates.
"""
import contextlib

import sqlalchemy as sa
from sqlalchemy import event

from luislite.db import db, takes_write_lock_first

MIGRATION_LOCK = 0x6C7569736C697465  # "luislite": the PostgreSQL advisory lock held while migrating
WRITE_LOCK = MIGRATION_LOCK + 1  # the one taken by each transaction of a request that may write


def configure(engine) -> None:
    """Set up a new engine for its database."""
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql()


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


def insert(engine, table):
    """An INSERT of `table` in the engine's dialect, which can say what to do ON CONFLICT (both dialects' own)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(table)


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
