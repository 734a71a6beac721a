"""LUIS tokenization per culture; every token keeps its character offsets into the original text.

Word cultures (tokenizer 1.0.0 as LUIS had it for English, and every culture without its own segmentation):
runs of letters/digits are tokens and every other visible character stands alone. Character cultures (zh-cn,
ko-kr): every character is a token, except runs of Latin letters or digits, kept whole. Japanese: morphemes of
MeCab with the UniDic dictionary (fugashi + unidic-lite, both from PyPI; loaded at the first Japanese text).
Labels and predictions never have to re-join tokens.
"""
from functools import cache
from typing import NamedTuple

import regex

from luislite.domain import cultures

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+|\S")
_CHARACTER = regex.compile(r"[\p{Latin}\p{N}][\p{Latin}\p{N}\p{M}]*|\S\p{M}*")


class Token(NamedTuple):
    text: str
    start: int
    end: int  # exclusive


def tokenize(text: str, culture: str = "en-us") -> list[Token]:
    """Split `text` into the LUIS tokens of `culture` (a code; unknown codes split as English)."""
    segmentation = cultures.of(culture).segmentation
    if segmentation == "morphemes":
        return _morphemes(text)
    pattern = _CHARACTER if segmentation == "characters" else _WORD
    return [Token(m.group(), m.start(), m.end()) for m in pattern.finditer(text)]


@cache
def _tagger():
    import fugashi  # the ja-jp extra

    return fugashi.Tagger()


def _morphemes(text: str) -> list[Token]:
    """MeCab's morphemes located in `text` (MeCab drops whitespace), whitespace-free pieces kept as LUIS tokens."""
    tokens, at = [], 0
    for node in _tagger()(text):
        start = text.find(node.surface, at)
        if not node.surface or start < 0:
            continue
        at = start + len(node.surface)
        tokens.append(Token(node.surface, start, at))
    return tokens


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


def on_token_edges(tokens: list[Token], start: int, end: int) -> bool:
    """Whether characters [start, end) begin where a token begins and end where one ends."""
    return any(t.start == start for t in tokens) and any(t.end == end for t in tokens)
