"""Quotas per key, as LUIS's: at most so many requests per fixed window (a second, a minute, an hour) to prediction
routes, and to authoring routes.

The counts are in the database (`quota_windows`, one row per key hash, API and window), so every node, every process
of it, counts against the same quota: one upsert per request, in its own short transaction. A key's rows of past
windows go when its next window opens. Once a process has seen a key's window spent, it refuses that key's further
requests in the window without writing (`_spent`), so an abusive key costs the database nothing more. Keys are kept
as their sha256, never as they are. Windows follow each node's clock (keep them in sync, as NTP does).
"""
import math
import time

from luislite import dialects
from luislite.config import Quota
from luislite.db import QuotaWindow, db
from luislite.services import keys

_TABLE = QuotaWindow.__table__
_spent: dict[tuple, int] = {}  # (database, key hash, api, quota) -> the start of a window this process saw spent


def hit(key: str, api: str, quota: Quota) -> int | None:
    """Count one request of `key` to `api`; None while within `quota`, else the seconds until its window ends."""
    now = time.time()
    window = int(now // quota.seconds) * quota.seconds
    identity = {"key_hash": keys.digest(key), "api": api}
    memo = (str(db.engine.url), identity["key_hash"], api, quota)
    if _spent.get(memo) != window:
        if _count(identity, window) <= quota.limit:
            return None
        _spent[memo] = window
    return max(1, math.ceil(window + quota.seconds - now))


def _count(identity: dict, window: int) -> int:
    """One more request in the key's window, counted in the database; the window's count so far."""
    upsert = dialects.insert(db.engine, _TABLE).values(**identity, window_start=window, count=1)
    upsert = upsert.on_conflict_do_update(index_elements=list(_TABLE.primary_key.columns),
                                          set_={"count": _TABLE.c.count + 1}).returning(_TABLE.c.count)
    with db.engine.begin() as connection:
        count = connection.execute(upsert).scalar_one()
        if count == 1:  # a new window: the key's older ones are done with
            connection.execute(_TABLE.delete().where(*(_TABLE.c[name] == value for name, value in identity.items()),
                                                     _TABLE.c.window_start < window))
    return count

