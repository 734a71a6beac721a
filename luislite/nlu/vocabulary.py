"""A multilingual encoder's vocabulary cut to what an app of one culture needs, and words marked for it.

XLM-R's vocabulary has 250,002 pieces: as an embedding matrix, 96 M of the multilingual-e5-small's 118 M weights.
An app keeps only the pieces written in its culture's scripts (every one of them), the most likely of the
other pieces in Latin script and common characters (digits, punctuation, symbols) up to `SIZE` in all, every
single character of those scripts, and every piece its own utterances are made of. The Unigram model then splits
any text into kept pieces only (a word the cut changes is split into smaller kept pieces, the same way in training
and in prediction); its embedding rows go with them. The app's own utterances are split exactly as before.

Words reach a Metaspace tokenizer one by one (pre-tokenised, so that each word's first piece is known): a word
that follows whitespace, or begins the text, is marked with "▁" as SentencePiece marks it in running text, and a
word glued to the one before (the characters of a Chinese sentence) is not.
"""
from __future__ import annotations

import json

import regex
import torch
from tokenizers import Regex, Tokenizer, pre_tokenizers
from torch import nn

from luislite.domain import cultures
from luislite.nlu.e5 import unknown_characters
from luislite.nlu.tokenize import MARK, mark

SIZE = 40_000


def is_unigram(tokenizer: Tokenizer) -> bool:
    return json.loads(tokenizer.model.__getstate__())["type"] == "Unigram"


def prune(encoder: nn.Module, tokenizer: Tokenizer, culture: str, texts: list[list[str]],
          spaces: list[list[bool]], size: int = SIZE) -> Tokenizer:
    """The tokenizer restricted to the pieces an app of `culture` with these utterances (words and spaces) keeps,
    marking no words itself (`tokenizer` itself is switched to that); `encoder`'s word embeddings are cut to the
    same rows."""
    spec = json.loads(tokenizer.to_str())
    metaspace, split = spec["pre_tokenizer"]["pretokenizers"]
    metaspace["prepend_scheme"] = "never"
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Metaspace(MARK, "never"),
                                                       pre_tokenizers.Split(Regex(split["pattern"]["Regex"]),
                                                                            "isolated")])
    vocab = spec["model"]["vocab"]
    keep = sorted(_kept(vocab, culture, size) | _used(tokenizer, texts, spaces) | _special(spec))
    new_id = {old: new for new, old in enumerate(keep)}
    spec["model"]["vocab"] = [vocab[i] for i in keep]
    spec["model"]["unk_id"] = new_id[spec["model"]["unk_id"]]
    spec["added_tokens"] = [token | {"id": new_id[token["id"]]} for token in spec["added_tokens"]]
    for special in spec["post_processor"]["special_tokens"].values():
        special["ids"] = [new_id[i] for i in special["ids"]]
    split["pattern"]["Regex"] = unknown_characters([piece for piece, _ in spec["model"]["vocab"]])
    words = encoder.get_input_embeddings()
    with torch.no_grad():
        rows = words.weight[torch.tensor(keep)].clone()
    padding = None if words.padding_idx is None else new_id.get(words.padding_idx)
    encoder.set_input_embeddings(nn.Embedding.from_pretrained(rows, freeze=False, padding_idx=padding))
    encoder.config.vocab_size = len(keep)
    pruned = Tokenizer.from_str(json.dumps(spec))
    pruned.no_padding()
    pruned.no_truncation()
    return pruned


def _kept(vocab: list, culture: str, size: int) -> set[int]:
    """Every piece of the culture's own scripts and single character of its scripts, Latin and common ones, then
    the most likely other Latin and common pieces up to `size`."""
    own = _written_in(cultures.of(culture).scripts)
    shared = _written_in(("Latin",))
    keep, others = set(), []
    for i, (piece, score) in enumerate(vocab):
        text = piece.removeprefix(MARK)
        if cultures.of(culture).scripts and own.fullmatch(text):
            keep.add(i)
        elif shared.fullmatch(text) or own.fullmatch(text):
            (keep.add(i) if len(text) <= 1 else others.append((score, i)))
    others.sort(reverse=True)
    return keep | {i for _, i in others[:max(0, size - len(keep))]}


def _written_in(scripts: tuple[str, ...]) -> regex.Pattern:
    return regex.compile(r"[\p{Common}\p{Inherited}" + "".join(rf"\p{{{s}}}" for s in scripts) + "]*")


def _used(tokenizer: Tokenizer, texts: list[list[str]], spaces: list[list[bool]]) -> set[int]:
    """The pieces of the utterances as the full vocabulary splits them."""
    encodings = tokenizer.encode_batch([mark(words, flags) for words, flags in zip(texts, spaces)],
                                       is_pretokenized=True, add_special_tokens=False) if texts else []
    return {i for encoding in encodings for i in encoding.ids}


def _special(spec: dict) -> set[int]:
    return {token["id"] for token in spec["added_tokens"]}
