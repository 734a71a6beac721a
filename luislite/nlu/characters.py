"""Characters the encoder's vocabulary lacks, given embeddings of their own that training learns.

An English WordPiece vocabulary reads most Han characters (and many other scripts' characters) as `[UNK]`: a
Chinese utterance becomes a row of identical unknown tokens. Before fine-tuning, every character of the training
words that would encode as `[UNK]` becomes an added token of the app's tokenizer, with a new embedding row near
`[UNK]`'s (plus noise, so that they differ from the first step). Those rows train (at `Recipe.character_lr`)
even where the pretrained word embeddings stay frozen, and the artifact's tokenizer.json and weights carry them
to prediction; a character no training utterance had stays `[UNK]`.

While training, the rows are a small parameter of their own beside the word embeddings (`AddedCharacters`): an
English app with a few emoji or CJK titles does not drag the whole vocabulary's embeddings through the optimiser,
and drawing the rows' noise leaves the global random stream as it was, so such an app trains as it would without.
`merge_characters` makes them ordinary rows of the encoder's embeddings before the artifact is saved.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from tokenizers import AddedToken, Tokenizer
from torch import nn

UNKNOWN = "[UNK]"


def unknown_characters(tokenizer: Tokenizer, texts: list[list[str]]) -> list[str]:
    """The characters of `texts` (words) that `tokenizer` encodes as `[UNK]`, in order of appearance."""
    unknown = tokenizer.token_to_id(UNKNOWN)
    if unknown is None:
        return []
    characters = dict.fromkeys(c for words in texts for word in words for c in word if not c.isspace())
    return [c for c in characters if tokenizer.encode([c], is_pretokenized=True, add_special_tokens=False).ids
            == [unknown]]


def add_characters(encoder: nn.Module, tokenizer: Tokenizer, texts: list[list[str]], spread: float = 1.0) -> int:
    """Give each unknown character of `texts` a token and an embedding row, `[UNK]`'s plus random noise of
    `spread` times the vocabulary's spread per dimension; how many."""
    characters = unknown_characters(tokenizer, texts)
    if not characters:
        return 0
    words = encoder.get_input_embeddings()
    tokenizer.add_tokens([AddedToken(c, normalized=False) for c in characters])
    first = tokenizer.token_to_id(characters[0])  # the vocabulary's size; rows past it (padding) are never read
    if first > words.num_embeddings:
        raise ValueError("The tokenizer has tokens the encoder has no embeddings for.")
    with torch.no_grad(), torch.random.fork_rng():  # [UNK]'s row plus noise of the vocabulary's spread
        noise = torch.randn(len(characters), words.embedding_dim) * words.weight[:first].std(0) * spread
        rows = words.weight[tokenizer.token_to_id(UNKNOWN)] + noise
    encoder.set_input_embeddings(AddedCharacters(words, first, rows))
    return len(characters)


class AddedCharacters(nn.Module):
    """Word embeddings, then from id `first` on the rows of added characters, a parameter of their own (`added`)."""

    def __init__(self, words: nn.Embedding, first: int, rows: torch.Tensor):
        super().__init__()
        self.words = words
        self.first = first
        self.added = nn.Parameter(rows)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        added = ids >= self.first
        return torch.where(added.unsqueeze(-1), F.embedding((ids - self.first).clamp(min=0), self.added),
                           self.words(ids.masked_fill(added, 0)))


def merge_characters(encoder: nn.Module) -> None:
    """Make the added characters' rows ordinary rows of the encoder's word embeddings (and vocabulary size)."""
    embeddings = encoder.get_input_embeddings()
    if isinstance(embeddings, AddedCharacters):
        weight = torch.cat([embeddings.words.weight[:embeddings.first], embeddings.added]).detach()
        encoder.set_input_embeddings(nn.Embedding.from_pretrained(weight, freeze=False,
                                                                  padding_idx=embeddings.words.padding_idx))
        encoder.config.vocab_size = weight.shape[0]
