"""Trained model directories under the data dir: which are in use, and removing the rest."""
import logging
import shutil
import time
from pathlib import Path

import sqlalchemy as sa

from luislite.db import Publication, Version, db

log = logging.getLogger(__name__)
GRACE_SECONDS = 600  # a directory this young may belong to a job that has not recorded it yet


def in_use() -> set[str]:
    """Artifacts a version was last trained to, or a slot serves."""
    versions = db.session.scalars(sa.select(Version.artifact).where(Version.artifact.is_not(None)))
    slots = db.session.scalars(sa.select(Publication.artifact))
    return set(versions) | set(slots)


def collect_garbage(models_dir: Path) -> None:
    """Remove artifacts nothing needs any more (old trainings, deleted apps and versions)."""
    keep, now = in_use(), time.time()
    for path in models_dir.iterdir():
        if path.name.startswith("."):  # an artifact still being written by a training job
            continue
        if path.name not in keep and now - path.stat().st_mtime > GRACE_SECONDS:
            log.info("removing unused model %s", path.name)
            shutil.rmtree(path, ignore_errors=True)
