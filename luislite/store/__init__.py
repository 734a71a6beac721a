"""Where trained models are kept: one `ArtifactStore` (base.py), chosen from the config by `create_app`."""
from flask import current_app

from luislite.config import Config
from luislite.store.base import ArtifactNotFound, ArtifactStore
from luislite.store.datadir import DataDirStore

__all__ = ["ArtifactNotFound", "ArtifactStore", "DataDirStore", "current", "from_config"]


def from_config(config: Config) -> ArtifactStore:
    """The store the config asks for: today, always the data dir's `models/`."""
    return DataDirStore(config.data_dir)


def current() -> ArtifactStore:
    """The store of the running app (the server's or the worker's)."""
    return current_app.extensions["luislite.store"]
