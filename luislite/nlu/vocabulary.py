"""A multilingual encoder's SentencePiece (Unigram) tokenizer, taking words marked as running text marks them.

XLM-R's vocabulary has 250,002 pieces (96 M of the multilingual-e5-small's 118 M weights): one shared encoder
per process holds it (`luislite.nlu.shared`), so no app needs a vocabulary cut of its own any more.

Words reach a Metaspace tokenizer one by one (pre-tokenised, so that each word's first piece is known): a word
that follows whitespace, or begins the text, is marked with "▁" as SentencePiece marks it in running text, and a
word glued to the one before (the characters of a Chinese sentence) is not.
"""
from __future__ import annotations

import json

from tokenizers import Tokenizer


def is_unigram(tokenizer: Tokenizer) -> bool:
    return json.loads(tokenizer.model.__getstate__())["type"] == "Unigram"


def for_words(tokenizer: Tokenizer) -> Tokenizer:
    """The tokenizer marking no words itself: words come marked by `tokenize.mark`."""
    spec = json.loads(tokenizer.to_str())
    spec["pre_tokenizer"]["pretokenizers"][0]["prepend_scheme"] = "never"
    marked = Tokenizer.from_str(json.dumps(spec))
    marked.no_padding()
    marked.no_truncation()
    return marked
