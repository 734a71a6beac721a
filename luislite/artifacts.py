"""Trained model directories under the data dir: which are in use, and removing the rest.

Besides artifacts nothing needs any more, this removes what a killed training left: the temporary
`.<artifact>.<random>` directories `nlu.artifact.save` writes a model into, and the `.<artifact>.old-<pid>`
directories it moves aside. Nothing in a temporary directory says whether its writer still lives (it may be a
worker in another process, or on another machine sharing the data dir, writing right now), so one goes only when
neither it nor a file in it has changed for GRACE_SECONDS: a live save adds or grows a file every few seconds.
An `.old-` directory is only ever renamed aside to be deleted: it goes at once.
"""
import logging
import shutil
import time
from pathlib import Path

import sqlalchemy as sa

from luislite.db import Publication, Version, db

log = logging.getLogger(__name__)
GRACE_SECONDS = 600  # a directory this young may belong to a job that is writing it, or has not recorded it yet


def in_use() -> set[str]:
    """Artifacts a version was last trained to, or a slot serves."""
    versions = db.session.scalars(sa.select(Version.artifact).where(Version.artifact.is_not(None)))
    slots = db.session.scalars(sa.select(Publication.artifact))
    return set(versions) | set(slots)


def collect_garbage(models_dir: Path) -> None:
    """Remove artifacts nothing needs any more (old trainings, deleted apps and versions) and abandoned temporaries."""
    keep, now = in_use(), time.time()
    for path in models_dir.iterdir():
        if path.name.startswith("."):
            unused = ".old-" in path.name or now - _last_change(path) > GRACE_SECONDS
        else:
            unused = path.name not in keep and now - _last_change(path) > GRACE_SECONDS
        if unused:
            log.info("removing unused model directory %s", path.name)
            shutil.rmtree(path, ignore_errors=True)


def _last_change(path: Path) -> float:
    """The newest modification time of a directory and its files; the future if it is gone (another process's
    collection removed it)."""
    try:
        return max([path.stat().st_mtime] + [child.stat().st_mtime for child in path.iterdir()])
    except OSError:
        return float("inf")
