"""The shared encoders: one served graph per base model and process, which every app of that base model feeds
its own adapters to (`luislite.nlu.adapters`).

A base model's graph lives in the encoder cache as a directory named by the digest of the base model's weights:

    encoder.int8.onnx   the encoder with every adapter matrix an fp16 input, int8 weights (one scale per channel)
    tokenizer.json      the base model's tokenizer, as apps use it
    shared.json         the base model's name and digest, the graph's adapter inputs (and their sizes)

`export` (torch) writes it: `luislite encoders` at install, the trainer before it writes an artifact, or, on a
node that serves a model whose graph it lacks, a `luislite encoders --export` child process (the server itself
never imports torch). This module only reads it, with onnxruntime and tokenizers.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort

from luislite.nlu import encoder as encoders
from luislite.nlu.tokenize import load_tokenizer

GRAPH = 2  # bump when `export` writes something else: caches then export anew
GRAPH_FILE, META_FILE, TOKENIZER_FILE = "encoder.int8.onnx", "shared.json", "tokenizer.json"
log = logging.getLogger(__name__)
_loaded: dict[tuple[Path, int], SharedEncoder] = {}
_lock = threading.Lock()


class SharedEncoder:
    """A base model's served graph and tokenizer, loaded once per process (`get`)."""

    def __init__(self, directory: Path, threads: int = 1):
        meta = json.loads((directory / META_FILE).read_text())
        self.digest: str = meta["digest"]
        self.inputs: dict[str, int] = meta["inputs"]  # adapter input -> its side other than the rank
        self.session = session(str(directory / GRAPH_FILE), threads)
        self.tokenizer = load_tokenizer(directory / TOKENIZER_FILE)

    def hidden(self, ids: np.ndarray, mask: np.ndarray, adapters: dict[str, np.ndarray]) -> np.ndarray:
        """The last layer's hidden states (batch, tokens, hidden) under an app's adapter matrices."""
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask, **adapters})[0]


def directory(digest: str, cache: Path | None = None) -> Path:
    """Where the graph of the base model whose weights have sha256 `digest` lives."""
    return Path(cache or encoders.default_cache()).expanduser() / f"shared-{GRAPH}" / digest[:24]


def get(identity: dict, cache: Path | None = None, threads: int = 1) -> SharedEncoder:
    """The process's shared encoder for an artifact's `encoder` identity (name, digest, path), exported first
    in a child process if this node has not got it yet."""
    path = directory(identity["digest"], cache)
    with _lock:
        if (path, threads) not in _loaded:
            if not (path / META_FILE).is_file():
                _export_elsewhere(_base_model(identity, cache), cache)
            _loaded[(path, threads)] = SharedEncoder(path, threads)
        return _loaded[(path, threads)]


def _base_model(identity: dict, cache: Path | None) -> Path:
    """This node's copy of the base model an artifact was trained on: where training found it, else a shipped
    encoder with the same weights."""
    candidates = [Path(identity["path"]), encoders.packaged_model_dir()]
    try:
        candidates.append(encoders.multilingual_model_dir(cache, convert=False))
    except encoders.EncoderError:
        pass
    for candidate in candidates:
        if (candidate / "config.json").is_file() and encoders.weights_digest(candidate) == identity["digest"]:
            return candidate
    raise encoders.EncoderError(f"The base model {identity['name']} (sha256 {identity['digest']}) that this model "
                                "was trained on is not installed on this node.")


def _export_elsewhere(base_model: Path, cache: Path | None) -> None:
    """Run `luislite encoders --export` in a child process: torch stays out of the serving process."""
    env = dict(os.environ, **({"LUISLITE_ENCODER_CACHE": str(cache)} if cache else {}))
    log.info("exporting the shared encoder of %s", base_model)
    done = subprocess.run([sys.executable, "-m", "luislite.cli", "encoders", "--export", str(base_model)], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise encoders.EncoderError(f"Exporting the shared encoder of {base_model} failed: {done.stderr[-2000:]}")


def ensure(base_model: Path, cache: Path | None = None) -> Path:
    """The directory of `base_model`'s served graph, exported first if need be (needs torch)."""
    target = directory(encoders.weights_digest(base_model), cache)
    if not (target / META_FILE).is_file():
        from luislite.nlu.adapters import export

        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".exporting-", dir=target.parent))
        try:
            export(base_model, work)
            for file in [work, *work.iterdir()]:  # readable by the user a server runs as, whoever exported
                file.chmod(0o755 if file.is_dir() else 0o644)
            try:
                work.rename(target)
            except OSError:  # another process exported it meanwhile
                if not (target / META_FILE).is_file():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def session(path: str, threads: int) -> ort.InferenceSession:
    """An onnxruntime session with `threads` intra-op threads (the caller keeps it: see services/publishing.py)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
