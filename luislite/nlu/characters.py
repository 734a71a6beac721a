"""Characters the encoder's vocabulary lacks, given embeddings of their own that training learns.

An English WordPiece vocabulary reads most Han characters (and many other scripts' characters) as `[UNK]`: a
Chinese utterance becomes a row of identical unknown tokens. Before fine-tuning, every character of the training
words that would encode as `[UNK]` becomes an added token of the app's tokenizer, with a new embedding row near
`[UNK]`'s (plus noise, so that they differ from the first step). Those rows train (at `Recipe.character_lr`)
even where the pretrained word embeddings stay frozen, and the artifact's tokenizer.json and weights carry them
to prediction; a character no training utterance had stays `[UNK]`.
"""
from __future__ import annotations

import torch
from tokenizers import AddedToken, Tokenizer
from torch import nn

UNKNOWN = "[UNK]"


def unknown_characters(tokenizer: Tokenizer, texts: list[list[str]]) -> list[str]:
    """The characters of `texts` (words) that `tokenizer` encodes as `[UNK]`, in order of appearance."""
    unknown = tokenizer.token_to_id(UNKNOWN)
    characters = dict.fromkeys(c for words in texts for word in words for c in word if not c.isspace())
    return [c for c in characters if tokenizer.encode([c], is_pretokenized=True, add_special_tokens=False).ids
            == [unknown]]


def add_characters(encoder: nn.Module, tokenizer: Tokenizer, texts: list[list[str]], spread: float = 1.0) -> int:
    """Give each unknown character of `texts` a token and an embedding row, `[UNK]`'s plus random noise of
    `spread` times the vocabulary's spread per dimension; how many."""
    characters = unknown_characters(tokenizer, texts) if tokenizer.token_to_id(UNKNOWN) is not None else []
    if not characters:
        return 0
    tokenizer.add_tokens([AddedToken(c, normalized=False) for c in characters])
    rows = [tokenizer.token_to_id(c) for c in characters]
    known = encoder.get_input_embeddings().num_embeddings
    if max(rows) >= known:
        encoder.resize_token_embeddings(max(rows) + 1)
    with torch.no_grad():  # [UNK]'s row plus noise of the vocabulary's spread: distinct from the first step
        weight = encoder.get_input_embeddings().weight
        noise = torch.randn(len(rows), weight.shape[1]) * weight[:known].std(0) * spread
        weight[rows] = weight[tokenizer.token_to_id(UNKNOWN)] + noise
    return len(characters)


def freeze_known_rows(embeddings: nn.Embedding, trained_from: int) -> None:
    """Freeze the word embeddings except rows from `trained_from` on (the added characters')."""
    if trained_from >= embeddings.num_embeddings:
        embeddings.weight.requires_grad_(False)
        return
    mask = torch.zeros(embeddings.num_embeddings, 1)
    mask[trained_from:] = 1
    embeddings.weight.register_hook(lambda grad: grad * mask.to(grad.dtype))
