"""The multilingual tokenizer as apps use it (`luislite.nlu.vocabulary`): words marked as SentencePiece marks
running text, and the tokenizer marking none itself."""
import pytest
from transformers import AutoTokenizer

from luislite.domain.tokens import tokenize
from luislite.nlu import vocabulary
from luislite.nlu.encoder import multilingual_model_dir
from luislite.nlu.tokenize import mark, spaces


@pytest.fixture(scope="module")
def full():
    return AutoTokenizer.from_pretrained(multilingual_model_dir(), local_files_only=True).backend_tokenizer


def test_words_marked_by_the_text_encode_as_the_running_text_does(full):
    text = "Reserva un vuelo a Sevilla mañana"
    tokens = tokenize(text, "es-es")
    words = vocabulary.for_words(full)
    marked = words.encode(mark([t.text for t in tokens], spaces(tokens)), is_pretokenized=True)
    assert vocabulary.is_unigram(words)
    assert marked.ids == full.encode(text).ids
    glued = words.encode(["去", "上海"], is_pretokenized=True, add_special_tokens=False).tokens
    assert not any(piece.startswith("▁") for piece in glued)  # the full tokenizer would mark each word


def test_marks_follow_the_spaces_of_the_text():
    tokens = tokenize("去上海 now", "zh-cn")
    assert mark([t.text for t in tokens], spaces(tokens)) == ["▁去", "上", "海", "▁now"]
