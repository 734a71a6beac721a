"""`luislite backup` / `luislite restore`: an archive taken while a server predicts, restored into an empty data dir,
serves the same predictions and exports on a second server; a tampered, truncated or misplaced archive is refused.
SQLite only: on PostgreSQL the database is pg_dump's."""
import io
import json
import tarfile
import threading

import pytest
import requests
from click.testing import CliRunner

from conftest import Http
from luislite.cli import main
from tiny_app import V3, trained_travel_app

QUERIES = ["book a flight to paris", "weather in oslo", "hello", "fly me to rome tomorrow", "my cat is sleeping",
           "i need a ticket to berlin", "will it snow in tokyo", "good evening", "book a trip to madrid",
           "what is the forecast for london", "hi", "plane to lisbon please", "is it sunny in rome", "the sky is blue",
           "book paris", "forecast oslo", "hey there", "a flight from berlin to tokyo", "rain tomorrow?", "thanks"]


@pytest.fixture(scope="module")
def served(start_server, tiny_model, postgres_server):
    """A server on SQLite with the travel app trained and published; the app's id."""
    if postgres_server is not None:
        pytest.skip("the archive's database is SQLite's; on PostgreSQL pg_dump backs the database up")
    server = start_server(LUISLITE_BASE_MODEL=str(tiny_model), LUISLITE_TRAIN_THREADS="1")
    with Http(server, server.key) as http:
        return server, trained_travel_app(http)


def luislite(data_dir, *arguments):
    """Run the `luislite` command on `data_dir` (its SQLite database); the click result."""
    env = {"LUISLITE_DATA_DIR": str(data_dir), "LUISLITE_DATABASE_URL": f"sqlite:///{data_dir / 'luislite.db'}"}
    return CliRunner().invoke(main, list(arguments), env=env)


def predictions(server, app_id: str) -> list[dict]:
    url = f"{server.url}{V3}/apps/{app_id}/slots/production/predict"
    return [requests.post(url, params={"verbose": "true", "show-all-intents": "true"}, json={"query": query},
                          headers={"Ocp-Apim-Subscription-Key": server.endpoint_key}, timeout=30).json()
            for query in QUERIES]


def exports(server, app_id: str) -> tuple:
    with Http(server, server.key) as http:
        return (http.get(f"/apps/{app_id}/versions/0.1/export").json(),
                http.get(f"/apps/{app_id}/versions/0.1/export", params={"format": "lu"}).text)


@pytest.fixture(scope="module")
def archive(served, tmp_path_factory):
    """A backup taken while another thread predicts on the server without pause."""
    server, app_id = served
    (server.data_dir / "models" / "tiny-000000000000").mkdir()  # referenced by nothing: not archived
    path = tmp_path_factory.mktemp("backup") / "luislite.tar.gz"
    stop, answers = threading.Event(), []

    def predict():
        while not stop.is_set():
            answers.append(predictions(server, app_id)[0])

    thread = threading.Thread(target=predict)
    thread.start()
    try:
        result = luislite(server.data_dir, "backup", str(path))
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert answers and all("prediction" in answer for answer in answers)
    return path


def test_a_restored_backup_serves_the_same_predictions_and_exports(served, archive, start_server, tiny_model,
                                                                      tmp_path):
    server, app_id = served
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.getnames()[0] == "manifest.json"
    assert manifest["database"] == "sqlite" and manifest["modelStore"] == "datadir"
    assert len(manifest["artifacts"]) == 1 and "luislite.db" in manifest["files"]
    assert {name.split("/")[1] for name in manifest["files"] if name.startswith("models/")} == \
        set(manifest["artifacts"])
    target = tmp_path / "restored"
    result = luislite(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    restored = start_server("--workers", "0", data_dir=target, LUISLITE_BASE_MODEL=str(tiny_model))
    assert predictions(restored, app_id) == predictions(server, app_id)
    assert exports(restored, app_id) == exports(server, app_id)
    assert requests.get(f"{restored.url}/ready", timeout=30).json()["checks"]["migrations"] == "ok"


def rewrite(archive, target, change):
    """A copy of `archive` with `change(name, data)` applied to every member's bytes."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as output:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            output.addfile(member, io.BytesIO(data))
    return target


def flip_a_byte(name, data):
    return data[:100] + bytes([data[100] ^ 1]) + data[101:] if name == "luislite.db" else data


@pytest.mark.parametrize("damage", ["tampered", "truncated", "not empty"])
def test_a_damaged_archive_or_a_used_data_dir_is_refused(archive, tmp_path, damage):
    target = tmp_path / "data"
    if damage == "tampered":
        archive = rewrite(archive, tmp_path / "tampered.tar.gz", flip_a_byte)
        expected = "luislite.db fails its checksum"
    elif damage == "truncated":
        (tmp_path / "cut.tar.gz").write_bytes(archive.read_bytes()[:archive.stat().st_size // 2])
        archive, expected = tmp_path / "cut.tar.gz", "truncated, damaged or not a luislite backup"
    else:
        target.mkdir()
        (target / "notes.txt").write_text("mine")
        expected = "is not empty (notes.txt): restore needs an empty data directory"
    result = luislite(target, "restore", str(archive))
    assert result.exit_code == 1
    assert expected in result.output
    assert sorted(p.name for p in target.iterdir()) == (["notes.txt"] if damage == "not empty" else [])


def test_an_older_database_is_migrated_on_restore(tmp_path):
    import flask_migrate

    from luislite import MIGRATIONS, create_app
    from luislite.config import Config

    old = tmp_path / "old"
    config = Config(old, f"sqlite:///{old / 'luislite.db'}", authoring_keys=["00000000-1111-4222-8333-444444444444"])
    with create_app(config, migrate=False).app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS), revision="8f4b6d2a9c17")  # before api_keys
    assert luislite(old, "backup", str(tmp_path / "old.tar.gz")).exit_code == 0
    result = luislite(tmp_path / "new", "restore", str(tmp_path / "old.tar.gz"))
    assert result.exit_code == 0, result.output
    assert "(migrated from 8f4b6d2a9c17)" in result.output
