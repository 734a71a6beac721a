"""Where trained models are kept: one `ArtifactStore` (base.py), chosen from the config by `create_app`."""
from flask import current_app

from luislite.config import Config
from luislite.store.base import ArtifactNotFound, ArtifactStore, serving_files
from luislite.store.database import DatabaseStore
from luislite.store.datadir import DataDirStore

__all__ = ["ArtifactNotFound", "ArtifactStore", "DatabaseStore", "DataDirStore", "current", "from_config",
           "serving_files"]


def from_config(config: Config) -> ArtifactStore:
    """The store the config asks for (LUISLITE_MODEL_STORE); by default the database, unless it is SQLite (one
    machine: the data dir's `models/`)."""
    choice = config.model_store or ("datadir" if config.database_url.startswith("sqlite") else "database")
    if choice == "database":
        return DatabaseStore(config.data_dir, config.model_cache_mb << 20)
    if choice == "datadir":
        return DataDirStore(config.data_dir)
    raise ValueError(f"LUISLITE_MODEL_STORE must be 'database' or 'datadir', not {config.model_store!r}")


def current() -> ArtifactStore:
    """The store of the running app (the server's or the worker's)."""
    return current_app.extensions["luislite.store"]
