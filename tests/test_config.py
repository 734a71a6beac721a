"""Every setting is read from the environment in one place, `Config.from_env`."""
from pathlib import Path

from luislite.config import Config


def test_model_settings(tmp_path):
    config = Config.from_env({"LUISLITE_DATA_DIR": str(tmp_path), "LUISLITE_BASE_MODEL": "~/bert",
                              "LUISLITE_TRAIN_THREADS": "3", "LUISLITE_PREDICT_THREADS": "2"})
    assert (config.base_model, config.train_threads, config.predict_threads) == (Path.home() / "bert", 3, 2)
    default = Config.from_env({"LUISLITE_DATA_DIR": str(tmp_path)})
    assert (default.base_model, default.train_threads, default.predict_threads) == (None, None, 1)
