"""One cache of loaded models per process: a model goes as soon as nothing serves it (a republish), and the least
recently used go beyond LUISLITE_MODEL_MEMORY_MB, the newest always staying."""
import shutil

import pytest

from luislite import create_app, store
from luislite.config import Config
from luislite.db import db
from luislite.services import authoring, publishing

KEY = "00000000-1111-4222-8333-444444444444"


@pytest.fixture(scope="module")
def trained(tiny_model, tmp_path_factory):
    """A tiny model's artifact directory, trained once."""
    from luislite.domain.appversion import AppVersion, Intent, Utterance
    from luislite.nlu.fit import Recipe, train

    version = AppVersion(name="m", intents=[Intent("None"), Intent("Greet")],
                         utterances=[Utterance("hello", "Greet"), Utterance("the sky", "None")])
    out = tmp_path_factory.mktemp("artifact") / "m"
    train(version, out, tiny_model, recipe=Recipe(min_steps=2, min_epochs=1), threads=1)
    return out


@pytest.fixture
def node(tmp_path, database_url, trained):
    """An app context with an app whose version can be pointed at any of three copies of `trained`."""
    app = create_app(Config(tmp_path, database_url(tmp_path), [KEY], model_memory_mb=1024))
    with app.app_context():
        app_id = authoring.create_app("loaded", "en-us").id
        db.session.commit()
        models = [store.current().write(lambda d: shutil.copytree(trained, d, dirs_exist_ok=True), "m")
                  for _ in range(3)]
        yield app, app_id, models


def serve(app_id: str, artifact: str, slot: str = "production"):
    """What a training then a publish leave: the version and the slot on `artifact`."""
    version = authoring.get_version(app_id, "0.1")
    version.artifact = artifact
    publishing.publish(app_id, "0.1", is_staging=slot == "staging")
    db.session.commit()
    return publishing.recognizer(publishing.slot_artifact(app_id, slot))


def test_a_republished_model_is_released(node):
    app, app_id, (first, second, _) = node
    assert serve(app_id, first) is publishing.recognizer(first)
    assert publishing.loaded()[-1:] == [first]
    serve(app_id, second)
    assert first not in publishing.loaded() and publishing.loaded()[-1] == second


def test_models_beyond_the_memory_budget_are_released_least_recently_used_first(node):
    app, app_id, (first, second, third) = node
    serve(app_id, first, "staging")
    serve(app_id, second)  # the slots serve both; the version was trained to the second
    assert publishing.loaded()[-2:] == [first, second]
    app.config["LUISLITE"].model_memory_mb = 0
    serve(app_id, third, "staging")
    assert publishing.loaded() == [third]
