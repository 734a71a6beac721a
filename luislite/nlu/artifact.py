"""Writing a trained model as an artifact directory: the app's own small weights, label maps and rules.

    adapters.safetensors  the adapter matrices (as the shared graph takes them), heads, phrase-list weights and
                          (small apps) the intents' prototypes
    labels.json           intents, tag layers, settings, and the base model whose shared graph serves it
    rules.json            what the rule recognizers need of the version (lists, regexes, prebuilts, patterns)

The encoder itself is not in it: every app of a base model is served by that base model's one graph
(`luislite.nlu.shared`). Artifacts of format 1 (before adapters) held a whole fine-tuned encoder as ONNX
graphs (`model.onnx`, `model.int8.onnx`) with its tokenizer; they are still served as they were.

The directory is the caller's: making a half-written one invisible to readers is the artifact store's work
(`luislite.store`), not this module's.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import torch
from safetensors.torch import save_file

from luislite.nlu import adapters
from luislite.nlu.model import JointBert

FORMAT = 2
ADAPTERS = "adapters.safetensors"
ONNX, ONNX_INT8 = "model.onnx", "model.int8.onnx"  # format 1's graphs


def save(model: JointBert, labels: dict, out_dir: Path, rules: dict | None = None,
         weights: dict[str, torch.Tensor] | None = None) -> None:
    """Write the artifact's files into `out_dir` (owner only), created if need be; an artifact there is replaced.
    `weights` are more to serve beside the model's own (the intents' prototypes)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):  # retraining into the same directory: nothing stale stays
        shutil.rmtree(out_dir)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    save_file(app_weights(model) | {name: w.contiguous() for name, w in (weights or {}).items()}, out_dir / ADAPTERS)
    (out_dir / "labels.json").write_text(json.dumps({"format": FORMAT, "serve": ADAPTERS} | labels, indent=1))
    if rules is not None:
        (out_dir / "rules.json").write_text(json.dumps(rules))


def app_weights(model: JointBert) -> dict[str, torch.Tensor]:
    """What an app owns: its adapter matrices by graph input, its heads and (masked) phrase-list weights."""
    weights = adapters.weights(model.encoder) | {"intent.weight": model.intent_head.weight,  # adapters in fp16
                                                 "intent.bias": model.intent_head.bias}
    for depth, head in enumerate(model.slot_heads):
        weights |= {f"slots.{depth}.weight": head.weight, f"slots.{depth}.bias": head.bias}
    if model.features:
        weights["intent.features"] = model.intent_features.masked()
        weights |= {f"slots.{depth}.features": f.masked() for depth, f in enumerate(model.slot_features)}
    return {name: tensor.detach().contiguous() for name, tensor in weights.items()}


def quantize(source: Path, target: Path) -> None:
    """Int8 weights, one scale per output channel (per-tensor scales cost ~2.4 slot-F1 points on small data)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quieter = _QuantizerAtDebug()
    logging.getLogger().addFilter(quieter)
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.getLogger().removeFilter(quieter)


class _QuantizerAtDebug(logging.Filter):
    """onnxruntime's quantizer logs on the root logger, at INFO, every tensor it leaves alone (~70 lines for a
    BERT): below ERROR, its records go to the `onnxruntime.quantization` logger at DEBUG instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR or f"{os.sep}onnxruntime{os.sep}" not in record.pathname:
            return True
        logging.getLogger("onnxruntime.quantization").debug(record.getMessage())
        return False


def load_model(artifact_dir: Path) -> JointBert:
    """An artifact's model back in torch (for checks): its adapters and heads on the base model it names."""
    from safetensors.torch import load_file

    from luislite.nlu.encoder import load_encoder
    from luislite.nlu.features import CHANNELS

    labels = json.loads((Path(artifact_dir) / "labels.json").read_text())
    weights = load_file(Path(artifact_dir) / ADAPTERS)
    encoder, _ = load_encoder(Path(labels["encoder"]["path"]))
    recipe = labels["recipe"]
    adapters.add(encoder, recipe["rank"], recipe["alpha"], recipe["adapter_layers"])
    model = JointBert(encoder, len(labels["intents"]), [1 + 2 * len(layer) for layer in labels["tags"]["layers"]],
                      labels["pooling"], features=CHANNELS * len(labels["phraselists"]))
    with torch.no_grad():
        for name, adapter in adapters.adapters(encoder).items():
            a, b = adapters.input_names(name)
            adapter.A.copy_(weights[a])
            adapter.B.copy_(weights[b] / adapter.scale)
        heads = [("intent", model.intent_head, model.features and model.intent_features)]
        heads += [(f"slots.{d}", head, model.features and model.slot_features[d])
                  for d, head in enumerate(model.slot_heads)]
        for name, head, features in heads:
            head.weight.copy_(weights[f"{name}.weight"])
            head.bias.copy_(weights[f"{name}.bias"])
            if features:
                features.weight.copy_(weights[f"{name}.features"])
    return model.eval()
