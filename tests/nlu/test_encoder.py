import os
import subprocess
import sys

import pytest

from luislite.nlu import encoder
from luislite.nlu.encoder import EncoderError, base_model_dir, packaged_model_dir, verify


def test_packaged_encoder_is_the_default_and_verifies():
    assert base_model_dir() == base_model_dir(None) == packaged_model_dir()
    assert (packaged_model_dir() / "model.safetensors").is_file()
    verify(packaged_model_dir())


def test_tampered_packaged_weights_are_refused(monkeypatch):
    monkeypatch.setattr(encoder, "PACKAGED_SHA256", "0" * 64)
    with pytest.raises(EncoderError, match="sha256"):
        verify(packaged_model_dir())


def test_configured_checkpoint_directory(tiny_model, tmp_path):
    assert base_model_dir(tiny_model) == tiny_model
    verify(tiny_model)  # only the packaged weights have a known digest
    with pytest.raises(EncoderError, match="config.json"):
        base_model_dir(tmp_path)


def test_loading_is_offline_without_hub_settings(tiny_model):
    """Importing changes no environment variable, and loading opens no connection even with HF_HUB_OFFLINE unset."""
    code = f"""
import os, socket
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("no network in this test")
socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse
before = dict(os.environ)
from luislite.nlu.encoder import load_encoder
encoder, tokenizer = load_encoder({str(tiny_model)!r})
assert dict(os.environ) == before and not attempts and tokenizer.encode("hello").ids
"""
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_OFFLINE")}
    subprocess.run([sys.executable, "-c", code], check=True, env=environment)
