"""Keys managed at run time: created, listed and revoked through any node, effective on every node within
KEYS_SECONDS.

The keys of the environment (LUISLITE_AUTHORING_KEYS, LUISLITE_ENDPOINT_KEYS, or the generated one) are the seed:
valid until revoked. Keys created here are kept in the database as their sha256 only: a new key is shown once,
to whoever created it. Revoking one (a created key, or a seed, by its id: the first 12 hex digits of its sha256)
keeps its row with the time, so it stays refused on every node, seeds included, until the row goes.
"""
import hashlib
import threading
import time
import uuid

import sqlalchemy as sa
from flask import current_app

from luislite.db import ApiKey, db, has_database, utcnow
from luislite.errors import InvalidRequest, NotFound

KINDS = ("authoring", "endpoint")
KEYS_SECONDS = 0.5  # how long a process reuses the keys it read: a change through another node counts within it
ID_DIGITS = 12
_cache: dict[str, tuple[float, dict[str, str]]] = {}  # database URL -> (read at, monotonic; {hash: kind})
_lock = threading.Lock()


def digest(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


def valid() -> dict[str, str]:
    """sha256 -> kind of every key valid now: the seeds and the created keys, less the revoked ones; read from the
    database at most every KEYS_SECONDS per process."""
    url = current_app.config["LUISLITE"].database_url
    cached = _cache.get(url)
    if cached and time.monotonic() - cached[0] < KEYS_SECONDS:
        return cached[1]
    read_at, rows = time.monotonic(), _rows()
    keys = _seeds() | {row.key_hash: row.kind for row in rows if row.revoked is None}
    for row in rows:
        if row.revoked is not None:
            keys.pop(row.key_hash, None)
    with _lock:
        _cache[url] = read_at, keys
    return keys


def _seeds() -> dict[str, str]:
    config = current_app.config["LUISLITE"]
    return {digest(key): "endpoint" for key in config.endpoint_keys} | {
        digest(key): "authoring" for key in config.authoring_keys}


def _rows() -> list[sa.Row]:
    if not has_database():  # a prediction-only node: the seeds alone
        return []
    with db.engine.connect() as connection:  # not the request's session: its transaction is the view's
        return list(connection.execute(sa.select(ApiKey.key_hash, ApiKey.kind, ApiKey.revoked)))


def create(kind: str, name: str = "") -> tuple[str, ApiKey]:
    """A new key of `kind` (a GUID, as LUIS keys are) and its row; the caller commits."""
    if kind not in KINDS:
        raise InvalidRequest(f"A key's kind is 'authoring' or 'endpoint', not '{kind}'.")
    key = str(uuid.uuid4())
    row = ApiKey(key_hash=digest(key), kind=kind, name=name, created=utcnow())
    db.session.add(row)
    return key, row


def listing() -> list[dict]:
    """Every key known, by id (never the key): the seeds, then those created here, revoked ones included."""
    rows = {row.key_hash: row for row in db.session.scalars(sa.select(ApiKey).order_by(ApiKey.created))}
    seeds = [{"id": h[:ID_DIGITS], "kind": kind, "name": "", "source": "environment", "created": None,
              "revoked": rows.pop(h).revoked if h in rows else None} for h, kind in _seeds().items()]
    return seeds + [{"id": h[:ID_DIGITS], "kind": row.kind, "name": row.name, "source": "database",
                     "created": row.created, "revoked": row.revoked} for h, row in rows.items()]


def revoke(key_id: str) -> None:
    """Refuse the key whose id is `key_id` from now on, everywhere; the caller commits."""
    key_id = key_id.strip().lower()
    known = {row.key_hash: row for row in db.session.scalars(sa.select(ApiKey))}
    matches = [h for h in {*known, *_seeds()} if len(key_id) == ID_DIGITS and h.startswith(key_id)]
    if len(matches) != 1:
        raise NotFound(f"No key has the id '{key_id}'.")
    row = known.get(matches[0]) or ApiKey(key_hash=matches[0], kind=_seeds()[matches[0]], name="seed")
    row.revoked = row.revoked or utcnow()
    db.session.add(row)


def forget() -> None:
    """Read the keys again at the next request (after a change through this process)."""
    with _lock:
        _cache.clear()
