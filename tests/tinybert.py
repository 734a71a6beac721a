"""A tiny randomly initialised BERT checkpoint (2 layers, hidden 32) with the packaged uncased vocabulary or one given.

Shared by tests/nlu (fit, artifact) and the live-server tests (`LUISLITE_BASE_MODEL=<dir>`): training on it
takes seconds, and what it learns says nothing about accuracy, only that the machinery works.
"""
import shutil
from pathlib import Path


def build_tiny_bert(path: Path, vocab: list[str] | None = None) -> Path:
    """Write the checkpoint into `path` (created if needed) and return it; with `vocab` (tokens after BERT's
    special ones), a WordPiece tokenizer of that vocabulary instead of the packaged one."""
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from luislite.nlu.encoder import packaged_model_dir

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if vocab is None:
        for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            shutil.copy(packaged_model_dir() / name, path / name)
    else:
        (path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *vocab]) + "\n")
        BertTokenizerFast(tokenizer_object=BertWordPieceTokenizer(str(path / "vocab.txt"))._tokenizer,
                          unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]",
                          mask_token="[MASK]").save_pretrained(path)
    torch.manual_seed(0)
    size = len((path / "vocab.txt").read_text().splitlines())
    config = BertConfig(vocab_size=size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(path, safe_serialization=True)
    return path
