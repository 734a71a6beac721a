"""Low-rank adapters: apps share one frozen encoder and each learns only small matrices beside its linear layers.

Every linear layer of the encoder's transformer layers (attention query, key, value and output, and both
feed-forward layers) gets a pair A (rank x in) and B (out x rank) and computes W x + b + B A x. Training learns
A and B with the heads (B starts at zero: a fresh app starts as the pretrained encoder); the pretrained weights
never change, so every app of a base model shares them. An app's adapters are ~1.3 MB (MiniLM, rank 16)
where a fine-tuned copy of the encoder was ~90 MB.

Serving runs one ONNX graph per base model (`export`) that takes each adapter matrix as an input beside the
tokens: an app's prediction feeds its own matrices to the process's one session (`luislite.nlu.shared`).
"""
from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import torch
from torch import nn

TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
           "intermediate.dense", "output.dense")


class Adapter(nn.Module):
    """A frozen linear layer plus a trained low-rank update, scaled by alpha / rank."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base.requires_grad_(False)
        self.scale = alpha / rank
        self.A = nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.fed: tuple[torch.Tensor, torch.Tensor] | None = None  # (A, B) as graph inputs, while exporting

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fed is not None:
            a, b = self.fed
            return self.base(x) + (x @ a.T) @ b.T
        return self.base(x) + (x @ self.A.T) @ self.B.T * self.scale

    def matrices(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(A, B scaled) in fp16: what the served graph multiplies by, with no scale of its own (half the memory of
        fp32 for every app a process serves)."""
        return self.A.detach().half(), (self.B * self.scale).detach().half()


def add(encoder: nn.Module, rank: int, alpha: float, layers: int = 0) -> None:
    """Freeze `encoder` and put an adapter on each target layer of its top `layers` transformer layers (0: all)."""
    encoder.requires_grad_(False)
    stack = encoder.encoder.layer
    first = len(stack) - layers if layers else 0
    for layer in stack[:first]:  # nothing to learn below the adapters: no dropout noise either (and less time)
        for dropout in layer.modules():
            if isinstance(dropout, nn.Dropout):
                dropout.p = 0.0
    for layer in stack[first:]:
        for target in TARGETS:
            parent_name, _, child = target.rpartition(".")
            parent = layer.get_submodule(parent_name)
            setattr(parent, child, Adapter(getattr(parent, child), rank, alpha))


def adapters(encoder: nn.Module) -> dict[str, Adapter]:
    """The encoder's adapters by name (`layer.target`), in graph-input order."""
    found = {f"{i}.{target}": layer.get_submodule(target)
             for i, layer in enumerate(encoder.encoder.layer) for target in TARGETS}
    return {name: module for name, module in found.items() if isinstance(module, Adapter)}


def input_names(name: str) -> tuple[str, str]:
    """The served graph's inputs for adapter `name`'s A and B."""
    return f"adapter.{name}.A", f"adapter.{name}.B"


def weights(encoder: nn.Module) -> dict[str, torch.Tensor]:
    """Every adapter matrix as the served graph takes it, by input name (layers without adapters have none: the
    graph is fed zeros there, `luislite.nlu.recognizer.AdaptedNetwork`)."""
    out = {}
    for name, adapter in adapters(encoder).items():
        out.update(zip(input_names(name), adapter.matrices()))
    return out


class Fed(nn.Module):
    """The encoder with every adapter matrix an input: the graph `export` writes."""

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.adapted = list(adapters(encoder).values())

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, *matrices: torch.Tensor):
        for adapter, a, b in zip(self.adapted, matrices[::2], matrices[1::2]):
            adapter.fed = a.float(), b.float()
        try:
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        finally:
            for adapter in self.adapted:
                adapter.fed = None


def export(base_model: Path, out_dir: Path) -> None:
    """Write `base_model`'s served graph, tokenizer and description into `out_dir` (see `luislite.nlu.shared`)."""
    from luislite.nlu import artifact, shared, vocabulary
    from luislite.nlu.encoder import load_encoder, weights_digest

    encoder, tokenizer = load_encoder(base_model)
    if vocabulary.is_unigram(tokenizer):
        tokenizer = vocabulary.for_words(tokenizer)
    add(encoder, rank=2, alpha=2.0)  # any rank: the graph takes matrices of every rank
    inputs = {}
    for name, adapter in adapters(encoder).items():
        a, b = input_names(name)
        inputs |= {a: adapter.base.in_features, b: adapter.base.out_features}
    ids = torch.ones(1, 4, dtype=torch.long)  # any ids in every vocabulary: the graph does not depend on them
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "hidden": {0: "batch", 1: "tokens"}}
    axes |= {name: {0 if name.endswith(".A") else 1: "rank"} for name in inputs}
    fp32 = out_dir / "encoder.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on Python-side shape checks that hold for every length
        torch.onnx.export(Fed(encoder).eval(), (ids, torch.ones_like(ids), *weights(encoder).values()), str(fp32),
                          input_names=["input_ids", "attention_mask", *inputs], output_names=["hidden"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    artifact.quantize(fp32, out_dir / shared.GRAPH_FILE)
    fp32.unlink()
    tokenizer.save(str(out_dir / shared.TOKENIZER_FILE))
    (out_dir / shared.META_FILE).write_text(json.dumps({
        "name": base_model.name, "digest": weights_digest(base_model), "inputs": inputs, "graph": shared.GRAPH}))
