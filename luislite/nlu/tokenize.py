"""Words with character offsets, and their WordPiece sub-tokens aligned on each word's first sub-token.

Words are LUIS tokens (`luislite.domain.tokens`), so a label or a predicted span is always a run of whole words and
its offsets come straight from the original text. A word the WordPiece normaliser erases (a zero-width space)
or one cut off by the length limit has no sub-token; it is never part of an entity.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from tokenizers import Tokenizer

from luislite.domain.tokens import Token, tokenize

MAX_TOKENS = 512  # BERT's positions; 500 characters of LUIS text rarely need more than ~300
MARK = "▁"  # SentencePiece's mark of a word that follows whitespace


class Encoding(NamedTuple):
    input_ids: list[int]
    first: list[int]  # per word: position of its first sub-token, or -1 when it has none


def words(text: str, culture: str = "en-us") -> list[Token]:
    return tokenize(text, culture)


def spaces(tokens: list[Token]) -> list[bool]:
    """Per token: whether whitespace (or the start of the text) comes before it."""
    return [i == 0 or token.start > tokens[i - 1].end for i, token in enumerate(tokens)]


def mark(words: list[str], spaces: list[bool]) -> list[str]:
    """Words as a Metaspace tokenizer that marks nothing itself reads them (`luislite.nlu.vocabulary`)."""
    return [MARK + word if space else word for word, space in zip(words, spaces)]


def load_tokenizer(path: Path) -> Tokenizer:
    """A fast tokenizer (WordPiece or Unigram) from `tokenizer.json`, without the padding or truncation it may carry."""
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def encode(tokenizer: Tokenizer, words: list[str], max_tokens: int = MAX_TOKENS) -> Encoding:
    """[CLS] sub-tokens [SEP] of `words`, at most `max_tokens` long, and where each word starts."""
    encoding = tokenizer.encode(words, is_pretokenized=True)
    ids, word_ids = encoding.ids, encoding.word_ids
    if len(ids) > max_tokens:
        ids, word_ids = ids[:max_tokens - 1] + ids[-1:], word_ids[:max_tokens - 1] + [None]
    first = [-1] * len(words)
    for position in reversed(range(len(ids))):
        if word_ids[position] is not None:
            first[word_ids[position]] = position
    return Encoding(ids, first)
