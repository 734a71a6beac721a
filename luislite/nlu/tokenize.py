"""Words with character offsets, and their sub-tokens aligned on each word's first sub-token.

Words are LUIS tokens (`luislite.domain.tokens`), so a label or a predicted span is always a run of whole words and
its offsets come straight from the original text. A word the WordPiece normaliser erases (a zero-width space)
or one cut off by the length limit has no sub-token; it is never part of an entity. Read in runs (`encode_runs`, the
multilingual encoder), a word inside a piece begun by the word before it is that word's: an entity takes whole pieces.
"""
from __future__ import annotations

import bisect
from pathlib import Path
from typing import NamedTuple

from tokenizers import Tokenizer

from luislite.domain.tokens import Token, tokenize

MAX_TOKENS = 512  # BERT's positions; 500 characters of LUIS text rarely need more than ~300
MARK = "▁"  # SentencePiece's mark of a word that follows whitespace
# How an artifact's words reach its tokenizer (labels.json "word_input"): one by one (WordPiece); one by one, marked
# as running text marks them (the multilingual encoder's first artifacts); in runs of glued words (`encode_runs`).
WORDS, MARKED, RUNS = "words", "marked", "runs"


class Boundaries(NamedTuple):
    """Where an app's labels begin or end inside a piece (`fit.boundary_characters`): its words cut any piece
    before each character of `before` and after each of `after` (`encode_runs`)."""
    before: str = ""
    after: str = ""


NO_BOUNDARIES = Boundaries()


class Encoding(NamedTuple):
    input_ids: list[int]
    first: list[int]  # per word: position of its first sub-token, or -1 when it has none
    joined: list[bool]  # per word: whether its first piece began with a word before it (then -1 in first)


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
    return Encoding(ids, first, [False] * len(words))


def encode_runs(tokenizer: Tokenizer, words: list[str], spaces: list[bool], max_tokens: int = MAX_TOKENS,
                boundaries: Boundaries = NO_BOUNDARIES) -> Encoding:
    """As `encode`, for a Metaspace tokenizer that marks nothing itself (`luislite.nlu.vocabulary`): each run of
    glued words (a Chinese sentence's characters, a word and its punctuation) is segmented as one, as the encoder
    read running text in pre-training, except that a piece holding one of the app's label `boundaries` is cut
    there, its parts segmented anew. A word whose first character falls inside a piece begun by a word before it
    has no sub-token of its own (`joined`)."""
    runs, where = _runs(words, spaces)
    encoding = tokenizer.encode(runs, is_pretokenized=True)
    cut = _cut(runs, where, encoding, boundaries) if boundaries.before or boundaries.after else None
    if cut:
        runs, where = cut
        encoding = tokenizer.encode(runs, is_pretokenized=True)
    ids, word_ids, offsets = encoding.ids, encoding.word_ids, encoding.offsets
    if len(ids) > max_tokens:
        ids, word_ids = ids[:max_tokens - 1] + ids[-1:], word_ids[:max_tokens - 1] + [None]
    pieces = {}  # (run, offset of a character in it) -> position of the piece holding it, and where that began
    for position, (run, (a, b)) in enumerate(zip(word_ids, offsets)):
        if run is not None:
            for offset in range(a, b):
                pieces.setdefault((run, offset), (position, a))
    first, joined = [-1] * len(words), [False] * len(words)
    for word, (run, offset, start) in enumerate(where):
        position, began = pieces.get((run, offset), (-1, offset))
        joined[word] = began < start
        first[word] = -1 if joined[word] else position
    return Encoding(ids, first, joined)


def _runs(words: list[str], spaces: list[bool]) -> tuple[list[str], list[tuple[int, int, int]]]:
    """The runs' texts, a word after whitespace marked; per word, (its run, where its first character is, where it
    begins: its mark, if it has one)."""
    runs, where = [], []
    for word, space in zip(words, spaces):
        if space or not runs:
            runs.append(MARK + word)
            where.append((len(runs) - 1, 1, 0))
        else:
            where.append((len(runs) - 1, len(runs[-1]), len(runs[-1])))
            runs[-1] += word
    return runs, where


def _cut(runs: list[str], where: list[tuple[int, int, int]], encoding, boundaries: Boundaries):
    """`_runs`' result with its runs cut inside the pieces that hold `boundaries`, the parts glued (unmarked); None
    where no piece holds one."""
    cuts = [{0, len(run)} for run in runs]
    for run, (a, b) in zip(encoding.word_ids, encoding.offsets):
        if run is not None:
            text = runs[run]
            cuts[run].update(k for k in range(a + 1, b) if text[k] in boundaries.before or
                             text[k - 1] in boundaries.after)
    if all(len(found) == 2 for found in cuts):
        return None
    parts, bounds, firsts = [], [sorted(c) for c in cuts], []  # the new runs; per run, its cuts, its first part
    for run, text in enumerate(runs):
        firsts.append(len(parts))
        parts += [text[a:b] for a, b in zip(bounds[run], bounds[run][1:])]
    located = []
    for run, offset, start in where:
        part = bisect.bisect_right(bounds[run], offset) - 1
        begins = bounds[run][part]
        located.append((firsts[run] + part, offset - begins, start - begins))
    return parts, located


def encode_words(tokenizer: Tokenizer, words: list[str], spaces: list[bool], word_input: str = WORDS,
                 max_tokens: int = MAX_TOKENS, boundaries: Boundaries = NO_BOUNDARIES) -> Encoding:
    """`words` (with the `spaces` before them) encoded as an artifact of `word_input` reads them."""
    if word_input == RUNS:
        return encode_runs(tokenizer, words, spaces, max_tokens, boundaries)
    return encode(tokenizer, mark(words, spaces) if word_input == MARKED else words, max_tokens)


def covering(tokens: list[Token], encoding: Encoding) -> list[Token]:
    """Per word with a sub-token, its token stretched over the words joined to its piece (`encode_runs`)."""
    covered = []
    for token, position, glued in zip(tokens, encoding.first, encoding.joined):
        if position >= 0:
            covered.append(token)
        elif glued and covered:
            covered[-1] = covered[-1]._replace(end=token.end)
    return covered
