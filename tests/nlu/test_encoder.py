import pytest

from luislite.nlu import encoder
from luislite.nlu.encoder import EncoderError, base_model_dir, packaged_model_dir, verify


def test_packaged_encoder_is_the_default_and_verifies(monkeypatch):
    monkeypatch.delenv("LUISLITE_BASE_MODEL", raising=False)
    assert base_model_dir() == packaged_model_dir()
    assert (packaged_model_dir() / "model.safetensors").is_file()
    verify(packaged_model_dir())


def test_tampered_packaged_weights_are_refused(monkeypatch):
    monkeypatch.setattr(encoder, "PACKAGED_SHA256", "0" * 64)
    with pytest.raises(EncoderError, match="sha256"):
        verify(packaged_model_dir())


def test_configured_checkpoint_directory(monkeypatch, tiny_model, tmp_path):
    monkeypatch.setenv("LUISLITE_BASE_MODEL", str(tiny_model))
    assert base_model_dir() == tiny_model
    verify(tiny_model)  # only the packaged weights have a known digest
    monkeypatch.setenv("LUISLITE_BASE_MODEL", str(tmp_path))
    with pytest.raises(EncoderError, match="config.json"):
        base_model_dir()
