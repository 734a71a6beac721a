"""A multilingual vocabulary cut to an app (`luislite.nlu.vocabulary`): the app's own utterances split into the
same pieces as before with the same embedding rows, the culture's scripts kept whole, the size bounded, and words
marked as SentencePiece marks running text."""
import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertModel

from luislite.domain.tokens import tokenize
from luislite.nlu import vocabulary
from luislite.nlu.encoder import multilingual_model_dir
from luislite.nlu.tokenize import mark, spaces

UTTERANCES = ["帮我订一张去北京的机票", "明天广州天气怎么样", "我想买iPhone 15", "提醒我给Anna发邮件"]


@pytest.fixture(scope="module")
def full():
    return AutoTokenizer.from_pretrained(multilingual_model_dir(), local_files_only=True).backend_tokenizer


def _cut(full_tokenizer, culture="zh-cn", utterances=UTTERANCES, size=vocabulary.SIZE):
    """(pruned tokenizer, encoder with a small random hidden size, its embedding rows before the cut, words)."""
    torch.manual_seed(0)
    encoder = BertModel(BertConfig(vocab_size=full_tokenizer.get_vocab_size(), hidden_size=8, num_hidden_layers=1,
                                   num_attention_heads=1, intermediate_size=8, pad_token_id=1))
    before = encoder.get_input_embeddings().weight.detach().clone()
    tokens = [tokenize(text, culture) for text in utterances]
    words = [[t.text for t in ts] for ts in tokens]
    pruned = vocabulary.prune(encoder, full_tokenizer.__class__.from_str(full_tokenizer.to_str()), culture, words,
                              [spaces(ts) for ts in tokens], size)
    return pruned, encoder, before, words, [spaces(ts) for ts in tokens]


def test_the_apps_utterances_keep_their_pieces_and_rows(full):
    pruned, encoder, before, words, flags = _cut(full)
    never = full.__class__.from_str(full.to_str().replace('"prepend_scheme":"always"', '"prepend_scheme":"never"'))
    for text_words, text_spaces in zip(words, flags):
        marked = mark(text_words, text_spaces)
        old = never.encode(marked, is_pretokenized=True)
        new = pruned.encode(marked, is_pretokenized=True)
        assert new.tokens == old.tokens and new.word_ids == old.word_ids
        assert torch.equal(encoder.get_input_embeddings().weight[new.ids], before[old.ids])
    assert encoder.config.vocab_size == pruned.get_vocab_size() == encoder.get_input_embeddings().num_embeddings


def test_the_cut_is_bounded_and_keeps_the_cultures_script(full):
    pruned, *_ = _cut(full)
    size = pruned.get_vocab_size()
    assert vocabulary.SIZE <= size < vocabulary.SIZE + 200
    kept = pruned.get_vocab()
    assert all(c in kept for c in "龍鳳麟") and "▁Hello" in kept and "明天" in kept
    assert not any(piece.strip("▁").isalpha() and "\u0400" <= piece.strip("▁")[0] <= "\u04ff" and len(piece) > 2
                   for piece in kept)  # Cyrillic words are another script: gone
    text = pruned.encode(mark(["Жук", "去", "ЖЖ"], [True, True, True]), is_pretokenized=True)
    assert text.ids.count(pruned.token_to_id("<unk>")) == 5 and text.tokens[0] == "<s>"  # one <unk> a character


def test_latin_cultures_keep_the_likeliest_latin_pieces(full):
    pruned, *_ = _cut(full, "es-es", ["reservar un vuelo a Málaga", "qué tiempo hace en Sevilla"], size=20_000)
    kept = pruned.get_vocab()
    assert 20_000 <= len(kept) < 20_100 and "▁vuelo" in kept and "▁Sevilla" in kept and "明" not in kept


def test_marks_follow_the_spaces_of_the_text():
    tokens = tokenize("去上海 now", "zh-cn")
    assert mark([t.text for t in tokens], spaces(tokens)) == ["▁去", "上", "海", "▁now"]
