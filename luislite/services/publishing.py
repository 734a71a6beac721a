"""Publishing versions to slots, and finding the recognizer that serves a slot or a version."""
import contextlib
import ctypes
import functools
import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from luislite import metrics, store
from luislite.db import App, Publication, Version, db, utcnow
from luislite.errors import ModelUnavailable, NotFound, NotTrained
from luislite.services.authoring import get_version

_NOT_PUBLISHED = "The application wasn't found. Please make sure that the application is published to this region."
_cache_lock = threading.Lock()
_loaded: OrderedDict[str, tuple] = OrderedDict()  # artifact -> (recognizer, estimated bytes), most recent last
log = logging.getLogger(__name__)
SLOT_SECONDS = 0.5  # how long a process reuses a slot's artifact: a publish through another node serves within it
_slots: dict[tuple[str, str], tuple[float, str]] = {}  # (app id, slot) -> (read at, monotonic; artifact)
_slots_lock = threading.Lock()
_slots_generation = 0  # counts this process's commits that changed slots: a read begun before one is not kept


def publish(app_id: str, version_id: str, is_staging: bool) -> Publication:
    """Point the production or staging slot at the version's trained model."""
    version = get_version(app_id, version_id)
    if version.artifact is None:
        raise NotTrained(f"Cannot publish version '{version_id}': it has not been trained. Train it first.")
    slot = "staging" if is_staging else "production"
    publication = db.session.get(Publication, (version.app_id, slot)) or Publication(app_id=version.app_id, slot=slot)
    publication.version_id, publication.artifact, publication.published_at = version_id, version.artifact, utcnow()
    version.published_at = publication.published_at
    db.session.add(publication)
    return publication


def slot_artifact(app_id: str, slot: str) -> str:
    """The artifact served by a slot; NotFound for an unknown app or an unpublished slot.

    Read at most every SLOT_SECONDS per process, so a publish through any node serves everywhere within that;
    a publish (or an app deleted) through this process serves at once (see `_forget_slots`).
    """
    if catalog := _catalog():
        return catalog.slot(app_id, slot)
    key = (app_id.lower(), slot.lower())
    cached = _slots.get(key)
    if cached and time.monotonic() - cached[0] < SLOT_SECONDS:
        return cached[1]
    generation, read_at = _slots_generation, time.monotonic()
    artifact = _read_slot(*key)
    with _slots_lock:
        if generation == _slots_generation:
            if len(_slots) > 4096:  # apps come and go: forget them all now and then
                _slots.clear()
            _slots[key] = read_at, artifact
    return artifact


def _read_slot(app_id: str, slot: str) -> str:
    """The slot's artifact from the database: one indexed SELECT on a pooled DB-API connection, without an ORM
    session or transaction events (~20 times faster than through the session)."""
    engine = db.engine
    sql, names = _slot_query(engine.dialect)
    params = {"app_id": app_id, "slot": slot}
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, [params[name] for name in names] if names else params)
        row = cursor.fetchone()
        cursor.close()
    except engine.dialect.loaded_dbapi.Error as error:  # as SQLAlchemy raises it (a busy database answers 503)
        raise sa.exc.DBAPIError.instance(sql, params, error, engine.dialect.loaded_dbapi.Error) from None
    finally:
        connection.close()  # back to the pool, which ends any transaction the driver began
    if row is None:
        raise NotFound(_NOT_PUBLISHED)
    return row[0]


@sa.event.listens_for(Session, "after_flush")
def _note_slot_changes(session, flush_context) -> None:
    changed = session.new | session.dirty | session.deleted
    if any(isinstance(o, Publication) or isinstance(o, App) and o in session.deleted for o in changed):
        session.info["slots_changed"] = True


@sa.event.listens_for(Session, "after_commit")
def _forget_slots(session) -> None:
    """Once a publish (or an app's deletion) through this process is committed, its slots are read again."""
    global _slots_generation
    if session.info.pop("slots_changed", False):
        with _slots_lock:
            _slots_generation += 1
            _slots.clear()


@functools.lru_cache(maxsize=8)
def _slot_query(dialect) -> tuple[str, list[str] | None]:
    """The slot lookup compiled for a dialect, and its parameter order (None for named parameters)."""
    compiled = sa.select(Publication.artifact).where(Publication.app_id == sa.bindparam("app_id"),
                                                     Publication.slot == sa.bindparam("slot")).compile(dialect=dialect)
    return compiled.string, compiled.positiontup


def _catalog():
    """The packages a prediction-only node serves, in place of the database (`services/packages.Catalog`)."""
    return current_app.extensions.get("luislite.packages")


def version_artifact(app_id: str, version_id: str) -> str:
    """The artifact a version was last trained to; NotFound if it never was."""
    if catalog := _catalog():
        return catalog.version(app_id, version_id)
    version = get_version(app_id, version_id)
    if version.artifact is None:
        raise NotFound(f"The version '{version_id}' has not been trained.")
    return version.artifact


def recognizer(artifact: str):
    """The loaded recognizer of an artifact, from the one cache of this process's loaded models.

    Loading a model (a cache miss: a publish, a first request, a batch test) also releases the models nothing
    serves any more (see `in_use`), then the least recently used beyond LUISLITE_MODEL_MEMORY_MB.
    """
    with _cache_lock:
        if artifact in _loaded:
            _loaded.move_to_end(artifact)
            return _loaded[artifact][0]
        config = current_app.config["LUISLITE"]
        try:
            _loaded[artifact] = _load(store.current().open_for_serving(artifact), config)
        except Exception as error:  # store, onnxruntime, JSON and file errors alike: the model cannot serve
            log.error("cannot load model %s: %s", artifact, error)
            raise ModelUnavailable("The trained model cannot be loaded. Train and publish the version again.") from None
        _release((_catalog().artifacts() if _catalog() else in_use()) | {artifact}, config.model_memory_mb << 20)
        metrics.loaded_models(len(_loaded), sum(cost for _, cost in _loaded.values()))
        return _loaded[artifact][0]


def _load(path: Path, config) -> tuple:
    """(recognizer, its estimated memory): twice the files it reads (a format-1 MiniLM model: 23.7 MB of files,
    34 MB of memory measured once loaded). The shared encoders its adapters run on are the process's, not its."""
    from luislite.nlu.recognizer import Recognizer

    recognizer = Recognizer.load(path, threads=config.predict_threads, cache=config.encoder_cache)
    return recognizer, 2 * sum(file.stat().st_size for file in store.serving_files(path))


def _release(needed: set[str], budget: int) -> None:
    """Drop loaded models not `needed`, then the least recently used while over `budget` (keeping the newest)."""
    count = len(_loaded)
    for artifact in [a for a in _loaded if a not in needed]:
        log.info("releasing model %s: nothing serves it", artifact)
        del _loaded[artifact]
    while len(_loaded) > 1 and sum(cost for _, cost in _loaded.values()) > budget:
        artifact, _ = _loaded.popitem(last=False)
        log.info("releasing model %s: over the memory budget", artifact)
    if len(_loaded) < count:
        _trim_heap()


def _trim_heap() -> None:
    """Give the memory of released models back to the system, which glibc's malloc otherwise keeps: without this a
    server grew by ~33 MB per superseded MiniLM model in benchmarks/soak.py. Elsewhere (no malloc_trim) nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def loaded() -> list[str]:
    """The artifacts this process holds loaded, least recently used first."""
    return list(_loaded)


def in_use(connection=None) -> set[str]:
    """Artifacts a version was last trained to, or a slot serves (in the app's database, or `connection`'s)."""
    reader = connection if connection is not None else db.session
    versions = reader.scalars(sa.select(Version.artifact).where(Version.artifact.is_not(None)))
    slots = reader.scalars(sa.select(Publication.artifact))
    return set(versions) | set(slots)


def collect_garbage() -> None:
    """Remove the trained models nothing needs any more, and what killed trainings left half-written."""
    store.current().collect_garbage(keep=in_use())
