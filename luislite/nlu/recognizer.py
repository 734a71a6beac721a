"""A trained artifact served with onnxruntime and tokenizers only (no torch): `predict(text) -> Prediction`.

Rule-based recognizers (list, regex, prebuilt, patterns) plug in as `parsers`: objects with
`parse(text) -> list[EntitySpan]`, whose spans `merge` combines with the model's.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort

from luislite.nlu.prediction import EntitySpan, Prediction
from luislite.nlu.tags import TagSet
from luislite.nlu.tokenize import encode, load_tokenizer, words


class Parser(Protocol):
    def parse(self, text: str) -> list[EntitySpan]: ...


class Recognizer:
    def __init__(self, session: ort.InferenceSession, tokenizer, labels: dict, parsers: list[Parser] = ()):
        self.session = session
        self.tokenizer = tokenizer
        self.intents: list[str] = labels["intents"]
        self.tagset = TagSet.from_json(labels["tags"])
        self.max_tokens: int = labels["max_tokens"]
        self.parsers = list(parsers)

    @classmethod
    def load(cls, artifact_dir: Path, parsers: list[Parser] = (), model: str | None = None) -> Recognizer:
        """Serve `artifact_dir` with its default ONNX graph (`labels.json` "serve") or the file named `model`."""
        artifact_dir = Path(artifact_dir)
        labels = json.loads((artifact_dir / "labels.json").read_text())
        path = artifact_dir / (model or labels["serve"])
        stat = path.stat()
        return cls(_session(str(path), stat.st_ino, stat.st_mtime_ns), load_tokenizer(artifact_dir / "tokenizer.json"),
                   labels, parsers)

    def predict(self, text: str) -> Prediction:
        tokens = words(text)
        encoding = encode(self.tokenizer, [t.text for t in tokens], self.max_tokens)
        ids = np.array([encoding.input_ids], dtype=np.int64)
        intent_logits, *slot_logits = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        kept = [i for i, position in enumerate(encoding.first) if position >= 0]
        positions = [encoding.first[i] for i in kept]
        spans = self.tagset.decode([tokens[i] for i in kept], [_log_softmax(l[0, positions]) for l in slot_logits])
        return Prediction(self._intents(intent_logits[0]), merge(spans, [p.parse(text) for p in self.parsers]))

    def _intents(self, logits: np.ndarray) -> dict[str, float]:
        probs = np.exp(_log_softmax(logits))
        return {self.intents[i]: float(probs[i]) for i in np.argsort(-probs, kind="stable")}


def merge(learned: list[EntitySpan], parsed: list[list[EntitySpan]]) -> list[EntitySpan]:
    """The one place where the model's spans meet the rule-based parsers' spans: all of them, in text order."""
    return sorted(learned + [span for spans in parsed for span in spans], key=lambda s: (s.start, -s.end))


@lru_cache(maxsize=16)
def _session(path: str, inode: int, mtime_ns: int) -> ort.InferenceSession:
    """An onnxruntime session, cached per file version; `LUISLITE_PREDICT_THREADS` intra-op threads (default 1)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = int(os.environ.get("LUISLITE_PREDICT_THREADS") or 1)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
