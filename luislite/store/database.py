"""Models in the database, so that nodes sharing nothing but the database serve each other's trainings.

`write` lets the trainer fill a local temporary directory, then inserts one `stored_models` row: the files serving
needs (`base.serving_files`: not the torch weights nor the fp32 graph) as an uncompressed tar, with its
size and sha256. One INSERT, so a reader finds a whole model or none.

`open_for_serving` unpacks the row into `<data dir>/model-cache/<artifact>`, once per node: the tar's checksum is
verified, it is unpacked into a temporary directory renamed into place (processes of one node fetching at once
each write their own; the first rename wins). Each fetch then trims the cache: copies of models no longer in the
database go, and the least recently opened ones beyond `cache_bytes`.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path

import sqlalchemy as sa

from luislite.db import StoredModel, db, utcnow
from luislite.store.base import GRACE_SECONDS, ArtifactNotFound, ArtifactStore, serving_files

log = logging.getLogger(__name__)
_TABLE = StoredModel.__table__


@dataclass(frozen=True)
class DatabaseStore(ArtifactStore):
    data_dir: Path
    cache_bytes: int = 2 << 30

    def __post_init__(self):
        self.cache.mkdir(parents=True, exist_ok=True)

    @property
    def cache(self) -> Path:
        return self.data_dir / "model-cache"

    def write(self, save: Callable[[Path], object], prefix: str) -> str:
        artifact = self.new_id(prefix)
        with tempfile.TemporaryDirectory(prefix=f".{artifact}.", dir=self.cache) as tmp:
            save(Path(tmp))
            content = pack(Path(tmp))
        with db.engine.begin() as connection:
            connection.execute(_TABLE.insert().values(
                artifact=artifact, size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                created=utcnow()))
        log.info("stored model %s (%d bytes)", artifact, len(content))
        return artifact

    def open_for_serving(self, artifact: str) -> Path:
        path = self.cache / artifact
        if not path.is_dir():
            self._fetch(artifact, path)
            self._trim(keep=path)
        os.utime(path)  # recently opened: trimmed last
        return path

    def _fetch(self, artifact: str, path: Path) -> None:
        with db.engine.connect() as connection:
            row = connection.execute(sa.select(_TABLE.c.size, _TABLE.c.sha256, _TABLE.c.content)
                                     .where(_TABLE.c.artifact == artifact)).first()
        if row is None:
            raise ArtifactNotFound(artifact)
        content = bytes(row.content)
        if len(content) != row.size or hashlib.sha256(content).hexdigest() != row.sha256:
            raise ArtifactNotFound(f"{artifact}: stored model fails its checksum")
        tmp = Path(tempfile.mkdtemp(prefix=f".{artifact}.", dir=self.cache))
        try:
            with tarfile.open(fileobj=io.BytesIO(content)) as tar:
                _unpack(tar, tmp, artifact)
            os.replace(tmp, path)
        except OSError:
            if not path.is_dir():  # else another process of this node fetched it first
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _trim(self, keep: Path) -> None:
        """Remove cached copies of deleted models, then the least recently opened beyond `cache_bytes`."""
        stored = set(self.artifacts())
        copies = sorted((p for p in self.cache.iterdir() if not p.name.startswith(".")),
                        key=_opened, reverse=True)
        total = 0
        for path in copies:
            total += _size(path)
            if path != keep and (path.name not in stored or total > self.cache_bytes):
                log.info("dropping cached model %s", path.name)
                shutil.rmtree(path, ignore_errors=True)

    def cached_bytes(self) -> int:
        return sum(_size(path) for path in self.cache.iterdir() if not path.name.startswith("."))

    def delete(self, artifact: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(_TABLE.delete().where(_TABLE.c.artifact == artifact))
        shutil.rmtree(self.cache / artifact, ignore_errors=True)

    def artifacts(self) -> dict[str, float]:
        with db.engine.connect() as connection:
            rows = connection.execute(sa.select(_TABLE.c.artifact, _TABLE.c.created)).all()
        return {artifact: created.replace(tzinfo=timezone.utc).timestamp() for artifact, created in rows}

    def collect_abandoned(self) -> None:
        """Nothing is half-written in the database; in the cache, temporary directories of killed writers go."""
        now = time.time()
        for path in self.cache.iterdir():
            if path.name.startswith(".") and now - _opened(path) > GRACE_SECONDS:
                shutil.rmtree(path, ignore_errors=True)


def pack(directory: Path) -> bytes:
    """The serving files of a model directory as an uncompressed tar (ONNX weights hardly compress)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in serving_files(directory):
            tar.add(path, arcname=path.name)
    return buffer.getvalue()


def _unpack(tar: tarfile.TarFile, into: Path, artifact: str) -> None:
    """What `pack` writes, regular files by bare name, and nothing else. Not `extractall(filter="data")`: Pythons
    before 3.10.12 and 3.11.4 lack the filter (Debian bookworm's 3.11.2, the container image's base where Docker
    Hub is out of reach)."""
    for member in tar:
        if not member.isfile() or member.name != Path(member.name).name or member.name in ("", ".", ".."):
            raise ArtifactNotFound(f"{artifact}: stored model holds {member.name!r}, which no model has")
        with tar.extractfile(member) as source, open(into / member.name, "wb") as target:
            shutil.copyfileobj(source, target)


def _opened(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")


def _size(path: Path) -> int:
    try:
        return sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    except OSError:  # trimmed by another process meanwhile
        return 0
