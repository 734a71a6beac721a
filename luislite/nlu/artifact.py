"""Writing a trained model as an artifact directory: weights, label maps, tokenizer and ONNX.

    weights.safetensors   the JointBert state dict        config.json      the encoder's config
    labels.json           intents, tag layers, settings   tokenizer.json   the WordPiece tokenizer
    model.onnx            fp32 graph                      model.int8.onnx  dynamically quantised graph
    rules.json            what the rule recognizers need of the version (lists, regexes, prebuilts, patterns)

The directory is the caller's: making a half-written one invisible to readers is the artifact store's work
(`luislite.store`), not this module's.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import warnings
from pathlib import Path

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer

from luislite.nlu.features import CHANNELS
from luislite.nlu.model import JointBert

FORMAT = 1
ONNX, ONNX_INT8 = "model.onnx", "model.int8.onnx"


def save(model: JointBert, tokenizer: Tokenizer, labels: dict, out_dir: Path, rules: dict | None = None) -> None:
    """Write the artifact's files into `out_dir` (owner only), created if need be; an artifact there is replaced."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):  # retraining into the same directory: nothing stale stays
        shutil.rmtree(out_dir)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, out_dir / "weights.safetensors")
    model.encoder.config.to_json_file(out_dir / "config.json")
    tokenizer.save(str(out_dir / "tokenizer.json"))
    export_onnx(model, out_dir / ONNX)
    quantize(out_dir / ONNX, out_dir / ONNX_INT8)
    (out_dir / "labels.json").write_text(json.dumps({"format": FORMAT} | labels, indent=1))
    if rules is not None:
        (out_dir / "rules.json").write_text(json.dumps(rules))


def export_onnx(model: JointBert, path: Path) -> None:
    """Export the fp32 network with dynamic batch and length; outputs `intent_logits`, `slot_logits_{depth}`."""
    model.eval()
    ids = torch.ones(1, 4, dtype=torch.long)  # any ids in every vocabulary: the graph does not depend on them
    inputs, names = (ids, torch.ones_like(ids)), ["input_ids", "attention_mask"]
    if model.features:
        inputs, names = inputs + (torch.zeros(1, 4, model.features),), names + ["features"]
    outputs = ["intent_logits"] + [f"slot_logits_{d}" for d in range(len(model.slot_heads))]
    axes = {name: {0: "batch", 1: "tokens"} for name in names + outputs[1:]} | {"intent_logits": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on Python-side shape checks that hold for every length
        torch.onnx.export(model, inputs, str(path), input_names=names, output_names=outputs, dynamic_axes=axes,
                          opset_version=17, dynamo=False)


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
    """The trained JointBert back in torch (for checks and further training), from config and safetensors."""
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModel

    artifact_dir = Path(artifact_dir)
    labels = json.loads((artifact_dir / "labels.json").read_text())
    encoder = AutoModel.from_config(AutoConfig.from_pretrained(artifact_dir), add_pooling_layer=False)
    layers = [1 + 2 * len(layer) for layer in labels["tags"]["layers"]]
    model = JointBert(encoder, len(labels["intents"]), layers, labels["pooling"],
                      features=CHANNELS * len(labels.get("phraselists", [])))
    model.load_state_dict(load_file(artifact_dir / "weights.safetensors"))
    return model.eval()
