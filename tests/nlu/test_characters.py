"""Characters the encoder's vocabulary lacks get embeddings of their own: added at training, learned, served."""
import torch

from luislite.domain.appversion import AppVersion, Intent, Label, MLEntity, Utterance
from luislite.nlu.characters import add_characters, merge_characters, unknown_characters
from luislite.nlu.encoder import load_encoder
from luislite.nlu.fit import Recipe, train
from luislite.nlu.recognizer import Recognizer

TRAIN = [("帮我订去北京的机票", "BookFlight", "北京"), ("我想飞上海", "BookFlight", "上海"),
         ("订一张去广州的票", "BookFlight", "广州"), ("深圳天气怎么样", "GetWeather", "深圳"),
         ("明天北京会下雨吗", "GetWeather", "北京"), ("上海冷不冷", "GetWeather", "上海")]


def _app() -> AppVersion:
    version = AppVersion(culture="zh-cn", intents=[Intent("None"), Intent("BookFlight"), Intent("GetWeather")],
                         entities=[MLEntity("City")])
    version.utterances = [Utterance(t, i, [Label("City", t.index(v), t.index(v) + len(v))]) for t, i, v in TRAIN]
    return version


def test_unknown_characters_become_tokens_with_the_unknown_embedding(tiny_model):
    encoder, tokenizer = load_encoder(tiny_model)
    texts = [["帮", "议", "室", "book"]]  # three characters the uncased English vocabulary lacks
    unknown = unknown_characters(tokenizer, texts)
    assert unknown == ["帮", "议", "室"]
    words = encoder.get_input_embeddings().weight.detach().clone()
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    assert add_characters(encoder, tokenizer, texts) == len(unknown)
    assert torch.rand(1) == expected  # the noise leaves the global random stream as it was
    rows = len(words)
    assert tokenizer.encode([unknown[0]], is_pretokenized=True, add_special_tokens=False).ids == [rows]
    assert unknown_characters(tokenizer, texts) == []
    ids = torch.tensor([[tokenizer.token_to_id("book"), rows, rows + 1]])
    embedded = encoder.get_input_embeddings()(ids)[0]
    assert (embedded[0] == words[ids[0, 0]]).all()
    assert not (embedded[1] == embedded[2]).all()  # [UNK]'s row plus noise: distinct from the start

    merge_characters(encoder)
    weight = encoder.get_input_embeddings().weight
    assert weight.shape[0] == encoder.config.vocab_size == rows + len(unknown) == tokenizer.get_vocab_size()
    assert (weight[:rows] == words).all() and (weight[rows:rows + 2] == embedded[1:]).all()
    assert (encoder.get_input_embeddings()(ids)[0] == embedded).all()
    quiet = load_encoder(tiny_model)
    add_characters(*quiet, texts, spread=0)
    merge_characters(quiet[0])
    assert (quiet[0].get_input_embeddings().weight[rows:] == words[tokenizer.token_to_id("[UNK]")]).all()


def test_an_embedding_matrix_padded_past_the_vocabulary_takes_them_too(tiny_model):
    encoder, tokenizer = load_encoder(tiny_model)
    vocabulary = tokenizer.get_vocab_size()
    encoder.resize_token_embeddings(vocabulary + 8)  # rows no token reads, as some checkpoints carry
    assert add_characters(encoder, tokenizer, [["帮", "议"]]) == 2
    assert tokenizer.token_to_id("帮") == vocabulary
    merge_characters(encoder)
    assert encoder.get_input_embeddings().weight.shape[0] == encoder.config.vocab_size == vocabulary + 2


def test_training_learns_them_and_the_artifact_serves_them(tiny_model, tmp_path):
    recipe = Recipe(encoder_lr=2e-3, head_lr=5e-3, min_steps=60, min_epochs=1)
    stats = train(_app(), tmp_path / "zh", tiny_model, recipe=recipe, threads=1)
    assert stats["characters"] > 5
    recognizer = Recognizer.load(tmp_path / "zh")
    unknown = recognizer.tokenizer.token_to_id("[UNK]")
    assert unknown not in recognizer.tokenizer.encode(list("北京"), is_pretokenized=True).ids
    prediction = recognizer.predict("我想去北京")
    assert all("我想去北京"[s.start:s.end] for s in prediction.entities)
