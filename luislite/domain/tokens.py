"""LUIS word tokenization (tokenizer 1.0.0): whitespace splits words, punctuation stands alone.

Every token keeps its character offsets into the original text, so labels and predictions
never have to re-join tokens.
"""
from typing import NamedTuple

import regex

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+|\S")


class Token(NamedTuple):
    text: str
    start: int
    end: int  # exclusive


def tokenize(text: str) -> list[Token]:
    """Split `text` into LUIS tokens: runs of letters/digits, and every other visible character alone."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def snap_label(tokens: list[Token], start: int, end: int) -> tuple[int, int] | None:
    """Token indices (first, last inclusive) of a label given as characters start..end.

    `end` may be inclusive (the REST docs) or exclusive (Microsoft's quickstarts): a final
    punctuation token that begins exactly at `end` is taken as the exclusive convention's
    one-past-the-end and dropped, as LUIS does when it snaps labels to tokens.
    """
    span = token_span(tokens, start, end + 1)
    if span and span[1] > span[0] and tokens[span[1]].start == end and not tokens[span[1]].text.isalnum():
        span = (span[0], span[1] - 1)
    return span


def token_span(tokens: list[Token], start: int, end: int) -> tuple[int, int] | None:
    """Token indices (first, last inclusive) of the tokens overlapping characters [start, end)."""
    covered = [i for i, t in enumerate(tokens) if t.start < end and t.end > start]
    return (covered[0], covered[-1]) if covered else None
