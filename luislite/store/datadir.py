"""Models as directories under the data dir's `models/`: one directory per artifact, named by its id.

A model is written into a temporary `.<artifact>.<random>` directory beside the others and renamed into place
once complete. Nothing in a temporary directory says whether its writer still lives (it may be a worker in
another process, or on another machine sharing the data dir, writing right now), so one is abandoned only when
neither it nor a file in it has changed for GRACE_SECONDS: a live save adds or grows a file every few seconds.
An `.<artifact>.old-<pid>` directory (moved aside to be deleted by an earlier luislite, which replaced models
in place) goes at once.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from luislite.store.base import GRACE_SECONDS, ArtifactNotFound, ArtifactStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataDirStore(ArtifactStore):
    data_dir: Path

    def __post_init__(self):
        self.root.mkdir(parents=True, exist_ok=True)

    @property
    def root(self) -> Path:
        return self.data_dir / "models"

    def write(self, save: Callable[[Path], object], prefix: str) -> str:
        artifact = self.new_id(prefix)
        tmp = Path(tempfile.mkdtemp(prefix=f".{artifact}.", dir=self.root))
        try:
            save(tmp)
            os.replace(tmp, self.root / artifact)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return artifact

    def open_for_serving(self, artifact: str) -> Path:
        path = self.root / artifact
        if not path.is_dir():
            raise ArtifactNotFound(artifact)
        return path

    def delete(self, artifact: str) -> None:
        shutil.rmtree(self.root / artifact, ignore_errors=True)

    def artifacts(self) -> dict[str, float]:
        return {path.name: _last_change(path) for path in self.root.iterdir()
                if not path.name.startswith(".") and path.is_dir()}

    def collect_abandoned(self) -> None:
        now = time.time()
        for path in self.root.iterdir():
            if path.name.startswith(".") and (".old-" in path.name or now - _last_change(path) > GRACE_SECONDS):
                log.info("removing abandoned model directory %s", path.name)
                shutil.rmtree(path, ignore_errors=True)


def _last_change(path: Path) -> float:
    """The newest modification time of a directory and its files; the future if it is gone (another process's
    collection removed it)."""
    try:
        return max([path.stat().st_mtime] + [child.stat().st_mtime for child in path.iterdir()])
    except OSError:
        return float("inf")
