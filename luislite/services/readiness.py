"""Readiness: cheap checks that this process can serve. Each answers None when all is well, else what is wrong."""
import functools
import importlib.util
import time
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from luislite.db import db

WORKER_HEARTBEAT = "worker.heartbeat"  # a file in the data dir whose mtime each live training worker refreshes
WORKER_STALE_SECONDS = 30


def database() -> str | None:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return f"unreachable ({type(error).__name__})"
    return None


def migrations(directory: Path) -> str | None:
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    head = _heads(str(directory))
    return None if current == head else f"at {sorted(current)}, not {sorted(head)}: run `luislite migrate`"


@functools.cache
def _heads(directory: str) -> set[str]:
    return set(ScriptDirectory(directory).get_heads())


def model_runtime(base_model: Path | None) -> str | None:
    """The packages that load and serve trained models are installed, and the encoder checkpoint is there."""
    from luislite.nlu.encoder import EncoderError, base_model_dir  # only importlib and paths: no torch

    missing = [name for name in ("onnxruntime", "tokenizers", "safetensors") if importlib.util.find_spec(name) is None]
    if missing:
        return f"not installed: {', '.join(missing)}"
    try:
        base_model_dir(base_model)
    except EncoderError as error:
        return str(error)
    return None


def beat(data_dir: Path) -> None:
    """Called by a training worker: it is alive."""
    (data_dir / WORKER_HEARTBEAT).touch()


def worker(data_dir: Path) -> str | None:
    path = data_dir / WORKER_HEARTBEAT
    if not path.exists():
        return "no training worker has started"
    age = time.time() - path.stat().st_mtime
    return None if age < WORKER_STALE_SECONDS else f"no training worker heartbeat for {age:.0f} s"
