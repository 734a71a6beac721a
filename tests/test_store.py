"""The data-dir artifact store: a model becomes visible only once complete, under a fresh id; a failed write
leaves nothing; garbage collection keeps what is in use and what is too young to judge."""
import os
import time

import pytest

from luislite.store import ArtifactNotFound, DataDirStore
from luislite.store.base import GRACE_SECONDS


def test_a_model_is_committed_only_once_written(tmp_path):
    store, seen = DataDirStore(tmp_path), []

    def save(directory):
        (directory / "labels.json").write_text("{}")
        seen.append((directory, store.artifacts()))

    artifact = store.write(save, prefix="app")
    [(directory, during)] = seen
    assert during == {} and directory.parent == tmp_path / "models" and not directory.exists()
    assert artifact.startswith("app-") and list(store.artifacts()) == [artifact]
    assert (store.open_for_serving(artifact) / "labels.json").read_text() == "{}"
    assert store.write(save, prefix="app") != artifact


def test_a_failed_write_leaves_nothing(tmp_path):
    store = DataDirStore(tmp_path)

    def save(directory):
        (directory / "weights.safetensors").write_bytes(b"half")
        raise ValueError("no examples")

    with pytest.raises(ValueError, match="no examples"):
        store.write(save, prefix="app")
    assert list((tmp_path / "models").iterdir()) == []
    with pytest.raises(ArtifactNotFound):
        store.open_for_serving("app-0123456789ab")


def test_garbage_collection_keeps_models_in_use_and_young_ones(tmp_path):
    store = DataDirStore(tmp_path)
    used, unused, young = (store.write(lambda d: (d / "labels.json").write_text("{}"), "app") for _ in range(3))
    old = time.time() - GRACE_SECONDS - 60
    for artifact in (used, unused):
        for path in (store.root / artifact / "labels.json", store.root / artifact):
            os.utime(path, (old, old))
    store.collect_garbage(keep={used})
    assert set(store.artifacts()) == {used, young}
    store.delete(young)
    assert set(store.artifacts()) == {used}
