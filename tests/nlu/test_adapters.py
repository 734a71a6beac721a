"""The shared encoder (`luislite.nlu.adapters`, `luislite.nlu.shared`): one served graph per base model and process
that every app of it feeds its own adapters to; artifacts of the first format (a whole encoder per app) still
served by their own graph."""
import json
import warnings

import numpy as np
import pytest
import torch

from luislite.nlu import adapters, shared
from luislite.nlu.encoder import load_encoder, weights_digest
from luislite.nlu.fit import Recipe, train
from luislite.nlu.model import JointBert
from luislite.nlu.recognizer import GraphNetwork, Recognizer

from brace_markup import make_app

GREETINGS = {"Greet": ["hello there", "hi bob"], "Bye": ["bye now", "see you later"]}
FAST = Recipe(adapter_lr=1e-2, head_lr=1e-1, min_steps=20, min_epochs=1)


@pytest.fixture(scope="module")
def graph(tiny_model):
    return shared.SharedEncoder(shared.ensure(tiny_model))


def _hidden_in_torch(encoder, ids):
    with torch.no_grad():
        return encoder(input_ids=torch.from_numpy(ids), attention_mask=torch.ones(ids.shape, dtype=torch.long)) \
            .last_hidden_state.numpy()


@pytest.mark.parametrize("rank", [1, 8])
def test_the_graph_fed_adapters_computes_what_torch_does(tiny_model, graph, rank):
    encoder, _ = load_encoder(tiny_model)
    adapters.add(encoder, rank, alpha=2.0 * rank, layers=1)  # the top layer only: the others are fed zeros
    torch.manual_seed(rank)
    for adapter in adapters.adapters(encoder).values():
        torch.nn.init.normal_(adapter.B, std=0.5)
    ids = np.array([[101, 7592, 2045, 3960, 102]], dtype=np.int64)
    fed = {k: v.numpy() for k, v in adapters.weights(encoder).items()}
    rows = next(v for k, v in fed.items() if k.endswith(".A")).shape[0]
    fed |= {name: np.zeros((rows, side) if name.endswith(".A") else (side, rows), np.float16)
            for name, side in graph.inputs.items() if name not in fed}
    served = graph.hidden(ids, np.ones_like(ids), fed)
    reference = _hidden_in_torch(encoder, ids)
    without = graph.hidden(ids, np.ones_like(ids), {k: np.zeros_like(v) for k, v in fed.items()})
    assert np.abs(served - reference).max() < 0.1 * np.abs(reference).max()  # int8 weights
    assert np.abs(served - without).max() > 10 * np.abs(served - reference).max()  # the adapters count


def test_apps_of_one_base_model_share_its_graph_and_own_only_small_weights(tiny_model, tmp_path):
    for name in ("a", "b"):
        train(make_app(GREETINGS), tmp_path / name, tiny_model, recipe=FAST)
    first, second = (Recognizer.load(tmp_path / name) for name in "ab")
    assert first.network.encoder is second.network.encoder
    assert first.tokenizer is second.tokenizer
    assert {p.name for p in (tmp_path / "a").iterdir()} == {"adapters.safetensors", "labels.json", "rules.json"}
    identity = json.loads((tmp_path / "a" / "labels.json").read_text())["encoder"]
    assert identity == {"name": tiny_model.name, "digest": weights_digest(tiny_model), "path": str(tiny_model)}
    assert shared.directory(identity["digest"]).name == identity["digest"][:24]


def test_quick_and_full_recipes_differ_where_the_app_is_small(tiny_model, tmp_path):
    quick = train(make_app(GREETINGS), tmp_path / "q", tiny_model, quick=True)
    full = train(make_app(GREETINGS), tmp_path / "f", tiny_model, recipe=Recipe(min_steps=150))
    assert quick["quick"] and quick["steps"] == Recipe().quick_steps
    assert not full["quick"] and full["steps"] == 150
    layers = {name: json.loads((tmp_path / name / "labels.json").read_text())["recipe"]["adapter_layers"]
              for name in "qf"}
    assert layers == {"q": Recipe().quick_adapter_layers, "f": 0}
    assert Recipe(min_steps=50).quick(10) is None  # no quicker than itself: one model, no refinement


def test_a_first_format_artifact_is_served_by_its_own_graph(tiny_model, tmp_path):
    """An artifact written before the shared encoder (format 1: a whole fine-tuned JointBert as an ONNX graph, its
    tokenizer, no `encoder`) loads and predicts as it did."""
    encoder, tokenizer = load_encoder(tiny_model)
    torch.manual_seed(0)
    model = JointBert(encoder, 2, [3]).eval()
    ids = torch.ones(1, 4, dtype=torch.long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes, as luislite's own export silenced them
        torch.onnx.export(model, (ids, torch.ones_like(ids)), str(tmp_path / "model.onnx"),
                          input_names=["input_ids", "attention_mask"],
                          output_names=["intent_logits", "slot_logits_0"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask")})
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    tags = {"layers": [[{"path": ["Name"], "role": None}]], "transitions": [[[1, 0, 1, 0]] * 3]}
    (tmp_path / "labels.json").write_text(json.dumps({
        "format": 1, "intents": ["Bye", "Greet"], "tags": tags, "phraselists": [], "pooling": "mean",
        "max_tokens": 128, "serve": "model.onnx"}))
    recognizer = Recognizer.load(tmp_path)
    assert isinstance(recognizer.network, GraphNetwork)
    prediction = recognizer.predict("hello bob")
    text_ids = np.array([tokenizer.encode(["hello", "bob"], is_pretokenized=True).ids])
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy(text_ids), torch.ones(text_ids.shape, dtype=torch.long))[0],
                                 -1)[0].numpy()
    assert prediction.intents == pytest.approx(dict(zip(["Bye", "Greet"], expected.tolist())), abs=1e-5)
