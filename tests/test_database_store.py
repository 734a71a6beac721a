"""The database artifact store: a model is one row holding what serving needs, with its size and sha256; a node
fetches it into its own cache once (checksum verified), several processes fetching at once each get a whole copy,
and models nothing uses leave the database and the caches."""
import hashlib
import io
import json
import tarfile
from datetime import datetime, timedelta, timezone
from concurrent.futures import ProcessPoolExecutor

import pytest
import sqlalchemy as sa

from luislite import create_app
from luislite.config import Config
from luislite.db import StoredModel, db
from luislite.store import ArtifactNotFound, DatabaseStore, from_config
from luislite.store.base import GRACE_SECONDS

KEY = "00000000-1111-4222-8333-444444444444"


def save(directory, serve="model.int8.onnx"):
    (directory / "labels.json").write_text(json.dumps({"serve": serve}))
    (directory / "tokenizer.json").write_text("{}")
    (directory / serve).write_bytes(b"graph" * 1000)
    (directory / "weights.safetensors").write_bytes(b"training only" * 1000)
    (directory / "model.onnx").write_bytes(b"the other graph")


@pytest.fixture
def url(tmp_path, database_url):
    (tmp_path / "shared").mkdir()
    return database_url(tmp_path / "shared")


def node(tmp_path, url, name: str, **settings):
    """A node's app: its own data dir, the shared database, the database store."""
    app = create_app(Config(tmp_path / name, url, [KEY], model_store="database", **settings))
    return app, app.extensions["luislite.store"]


def test_sqlite_keeps_models_in_the_data_dir_elsewhere_the_database_does(tmp_path):
    assert type(from_config(Config(tmp_path, "sqlite:///x.db"))).__name__ == "DataDirStore"
    assert type(from_config(Config(tmp_path, "postgresql+psycopg://h/db"))) is DatabaseStore
    assert type(from_config(Config(tmp_path, "postgresql+psycopg://h/db", model_store="datadir"))).__name__ == \
        "DataDirStore"
    with pytest.raises(ValueError, match="LUISLITE_MODEL_STORE"):
        from_config(Config(tmp_path, "sqlite:///x.db", model_store="s3"))


def test_a_model_written_on_one_node_is_served_by_another(tmp_path, url):
    trainer, trainer_store = node(tmp_path, url, "trainer")
    with trainer.app_context():
        artifact = trainer_store.write(save, prefix="app")
        row = db.session.get(StoredModel, artifact)
        assert row.size == len(row.content) and row.sha256 == hashlib.sha256(row.content).hexdigest()
        with tarfile.open(fileobj=io.BytesIO(row.content)) as tar:
            assert sorted(tar.getnames()) == ["labels.json", "model.int8.onnx", "tokenizer.json"]  # serving only
    server, server_store = node(tmp_path, url, "server")
    with server.app_context():
        path = server_store.open_for_serving(artifact)
        assert path.parent == tmp_path / "server" / "model-cache"
        assert (path / "model.int8.onnx").read_bytes() == b"graph" * 1000
        assert server_store.open_for_serving(artifact) == path
        with pytest.raises(ArtifactNotFound):
            server_store.open_for_serving("app-0123456789ab")


def test_a_failed_write_stores_nothing(tmp_path, url):
    app, store = node(tmp_path, url, "trainer")

    def fail(directory):
        save(directory)
        raise ValueError("no examples")

    with app.app_context(), pytest.raises(ValueError, match="no examples"):
        store.write(fail, prefix="app")
    with app.app_context():
        assert store.artifacts() == {} and list(store.cache.iterdir()) == []


def test_a_corrupt_row_is_not_served(tmp_path, url):
    app, store = node(tmp_path, url, "node")
    with app.app_context():
        artifact = store.write(save, prefix="app")
        db.session.execute(sa.update(StoredModel).values(sha256="0" * 64))
        db.session.commit()
        with pytest.raises(ArtifactNotFound, match="checksum"):
            store.open_for_serving(artifact)
        assert not (store.cache / artifact).exists()


@pytest.mark.parametrize("name, kind", [("../escaped", tarfile.REGTYPE), ("/etc/escaped", tarfile.REGTYPE),
                                        ("sub/model.int8.onnx", tarfile.REGTYPE), ("link", tarfile.SYMTYPE)])
def test_a_row_holding_anything_but_plain_files_is_not_served(tmp_path, url, name, kind):
    app, store = node(tmp_path, url, "node")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        member = tarfile.TarInfo(name)
        member.type, member.linkname, member.size = kind, "/etc/passwd" if kind == tarfile.SYMTYPE else "", 0
        tar.addfile(member, io.BytesIO())
    content = buffer.getvalue()
    with app.app_context():
        artifact = store.write(save, prefix="app")
        db.session.execute(sa.update(StoredModel).values(content=content, size=len(content),
                                                          sha256=hashlib.sha256(content).hexdigest()))
        db.session.commit()
        with pytest.raises(ArtifactNotFound, match="which no model has"):
            store.open_for_serving(artifact)
        assert not (store.cache / artifact).exists() and not (store.cache / "escaped").exists()
        assert not (tmp_path / "node" / "escaped").exists()


def _open(data_dir, url, artifact):
    app = create_app(Config(data_dir, url, [KEY], model_store="database"), migrate=False)
    with app.app_context():
        return (app.extensions["luislite.store"].open_for_serving(artifact) / "model.int8.onnx").read_bytes()


def test_processes_of_one_node_fetching_at_once_each_get_the_whole_model(tmp_path, url):
    app, store = node(tmp_path, url, "node")
    with app.app_context():
        artifact = store.write(save, prefix="app")
    with ProcessPoolExecutor(4) as pool:
        copies = list(pool.map(_open, [tmp_path / "node"] * 8, [url] * 8, [artifact] * 8))
    assert copies == [b"graph" * 1000] * 8
    assert [p.name for p in store.cache.iterdir()] == [artifact]


def test_the_cache_keeps_recent_models_within_its_size_and_drops_deleted_ones(tmp_path, url):
    app, store = node(tmp_path, url, "node", model_cache_mb=0)  # room for the model just opened only
    with app.app_context():
        first, second = store.write(save, prefix="app"), store.write(save, prefix="app")
        store.open_for_serving(first)
        store.open_for_serving(second)
        assert [p.name for p in store.cache.iterdir()] == [second]
    roomy, roomy_store = node(tmp_path, url, "roomy")
    with roomy.app_context():
        roomy_store.open_for_serving(first)
        roomy_store.delete(first)
        assert not (roomy_store.cache / first).exists()
        roomy_store.open_for_serving(second)
        assert [p.name for p in roomy_store.cache.iterdir()] == [second]


def test_garbage_collection_keeps_models_in_use_and_young_ones(tmp_path, url):
    app, store = node(tmp_path, url, "node")
    with app.app_context():
        used, unused, young = (store.write(save, prefix="app") for _ in range(3))
        old = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=GRACE_SECONDS + 60)
        db.session.execute(sa.update(StoredModel).where(StoredModel.artifact != young).values(created=old))
        db.session.commit()
        store.collect_garbage(keep={used})
        assert set(store.artifacts()) == {used, young}
