"""A multilingual encoder's SentencePiece (Unigram) tokenizer, taking runs of words marked as running text marks
them.

XLM-R's vocabulary has 250,002 pieces (96 M of the multilingual-e5-small's 118 M weights): one shared encoder
per process holds it (`luislite.nlu.shared`), so no app needs a vocabulary cut of its own any more.

Words reach a Metaspace tokenizer in runs (pre-tokenised, `tokenize.encode_runs`): a word that follows whitespace,
or begins the text, starts a run marked with "▁" as SentencePiece marks it in running text, and the words glued to
it (the characters of a Chinese sentence, punctuation) join its run, so that the run is segmented as the encoder
read such text in pre-training ("下一" and "邮件" as pieces, not character by character as the first artifacts of
this encoder read them).
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
