from luislite.nlu.tokenize import encode, load_tokenizer, words
from luislite.nlu.encoder import packaged_model_dir


def test_first_sub_tokens_and_offsets_of_weird_text():
    tokenizer = load_tokenizer(packaged_model_dir() / "tokenizer.json")
    text = "  Héllo,\u200b wörld!!  naïve😀 日本  x "
    tokens = words(text)
    assert [text[t.start:t.end] for t in tokens] == [t.text for t in tokens]
    assert [t.text for t in tokens] == ["Héllo", ",", "\u200b", "wörld", "!", "!", "naïve", "😀", "日本", "x"]
    encoding = encode(tokenizer, [t.text for t in tokens])
    assert encoding.input_ids[0] == 101 and encoding.input_ids[-1] == 102
    assert encoding.first[2] == -1  # the zero-width space has no sub-token
    kept = [p for p in encoding.first if p >= 0]
    assert kept == sorted(kept) and kept[0] == 1


def test_long_text_is_cut_at_the_token_limit():
    tokenizer = load_tokenizer(packaged_model_dir() / "tokenizer.json")
    text = ". " * 250
    encoding = encode(tokenizer, [t.text for t in words(text)], max_tokens=100)
    assert len(encoding.input_ids) == 100 and encoding.input_ids[-1] == 102
    assert encoding.first[97] == 98 and encoding.first[98:] == [-1] * 152
