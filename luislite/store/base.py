"""The artifact store: where trained models are written, found for serving, and removed.

A model is a directory of files (see `luislite.nlu.artifact`). The trainer gets an empty directory to write it
into; the store commits it under a new artifact id only once it is complete, so a reader never sees half a model.
Serving asks for a local directory (a backend keeping models elsewhere fetches it first). The database says which
artifacts are in use; the store keeps what is in use and removes the rest.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from pathlib import Path

log = logging.getLogger(__name__)
GRACE_SECONDS = 600  # an artifact this young may be written by a job that has not recorded it yet
SERVING_FILES = ("labels.json", "tokenizer.json", "rules.json")  # and the weights labels.json names


def serving_files(directory: Path) -> list[Path]:
    """The files of a model directory that serving reads: its adapters (or, in format 1, its ONNX graph and
    tokenizer, not the torch weights nor the graph it does not serve), labels and rules."""
    names = [*SERVING_FILES, json.loads((directory / "labels.json").read_text())["serve"]]
    return [directory / name for name in names if (directory / name).exists()]


class ArtifactNotFound(LookupError):
    """No complete artifact has this id (never written, or removed)."""


class ArtifactStore(ABC):
    @abstractmethod
    def write(self, save: Callable[[Path], object], prefix: str) -> str:
        """Call `save` with an empty local directory to write a model into; once it returns, commit the model
        under a new artifact id starting with `prefix` and return the id. If `save` raises, nothing is committed,
        the directory is removed and the error propagates."""

    @abstractmethod
    def open_for_serving(self, artifact: str) -> Path:
        """A local directory holding the artifact's files, for `Recognizer.load`; ArtifactNotFound if absent."""

    @abstractmethod
    def delete(self, artifact: str) -> None:
        """Remove an artifact; nothing happens if it is already gone."""

    @abstractmethod
    def artifacts(self) -> dict[str, float]:
        """The committed artifacts, each with the time (epoch seconds) it was last written."""

    @abstractmethod
    def collect_abandoned(self) -> None:
        """Remove what writers that died (a killed training) left half-written."""

    def cached_bytes(self) -> int | None:
        """Bytes of this node's local copies of models kept elsewhere; None for a store without such copies."""
        return None

    def collect_garbage(self, keep: Collection[str]) -> None:
        """Remove the artifacts not in `keep` (old trainings, deleted apps and versions), and abandoned writes."""
        now = time.time()
        for artifact, written in self.artifacts().items():
            if artifact not in keep and now - written > GRACE_SECONDS:
                log.info("removing unused model %s", artifact)
                self.delete(artifact)
        self.collect_abandoned()

    @staticmethod
    def new_id(prefix: str) -> str:
        """A fresh artifact id: `<prefix>-<12 hex digits>`."""
        return f"{prefix}-{uuid.uuid4().hex[:12]}"
