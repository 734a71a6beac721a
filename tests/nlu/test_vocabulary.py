"""The multilingual tokenizer as apps use it (`luislite.nlu.vocabulary`, `tokenize.encode_runs`): runs of glued
words segmented as running text is, each word aligned on the piece holding its first character."""
import pytest
from transformers import AutoTokenizer

from luislite.domain.tokens import tokenize
from luislite.nlu import vocabulary
from luislite.nlu.encoder import multilingual_model_dir
from luislite.nlu.fit import Example, boundary_characters
from luislite.nlu.recognizer import Recognizer
from luislite.nlu.tokenize import MARKED, RUNS, covering, encode, encode_words, mark, spaces


@pytest.fixture(scope="module")
def full():
    return AutoTokenizer.from_pretrained(multilingual_model_dir(), local_files_only=True).backend_tokenizer


@pytest.fixture(scope="module")
def unmarked(full):
    return vocabulary.for_words(full)


def encoded(tokenizer, text: str, culture: str, word_input: str = RUNS, max_tokens: int = 512):
    tokens = tokenize(text, culture)
    return tokens, encode_words(tokenizer, [t.text for t in tokens], spaces(tokens), word_input, max_tokens)


@pytest.mark.parametrize("text, culture", [("Reserva un vuelo a Sevilla, mañana.", "es-es"),
                                           ("跳到下一封邮件", "zh-cn"), ("帮我订去上海的机票 now, please", "zh-cn"),
                                           ("明日の東京行きを予約して", "ja-jp")])
def test_runs_of_glued_words_encode_as_the_running_text_does(full, unmarked, text, culture):
    _, encoding = encoded(unmarked, text, culture)
    assert vocabulary.is_unigram(unmarked)
    assert encoding.input_ids == full.encode(text).ids


def test_a_word_inside_a_piece_joins_the_word_that_began_it(full, unmarked):
    tokens, encoding = encoded(unmarked, "跳到下一封邮件", "zh-cn")  # pieces: ▁ 跳 到 下一 封 邮件
    assert [t.text for t in tokens] == list("跳到下一封邮件")
    assert encoding.joined == [False, False, False, True, False, False, True]
    assert encoding.first == [2, 3, 4, -1, 5, 6, -1]  # the first word's piece, not its mark's
    assert [(t.start, t.end) for t in covering(tokens, encoding)] == [(0, 1), (1, 2), (2, 4), (4, 5), (5, 7)]


def test_a_cut_text_has_no_pieces_past_the_limit(unmarked):
    tokens, encoding = encoded(unmarked, "跳到下一封邮件", "zh-cn", max_tokens=6)
    assert len(encoding.input_ids) == 6 and encoding.input_ids[-1] == 2  # </s> kept
    assert encoding.first == [2, 3, 4, -1, -1, -1, -1]
    assert [(t.start, t.end) for t in covering(tokens, encoding)] == [(0, 1), (1, 2), (2, 4)]


def test_artifacts_of_marked_words_still_read_them_one_by_one(unmarked):
    """The multilingual encoder's first artifacts (labels.json "word_marks") read each character on its own."""
    tokens, encoding = encoded(unmarked, "去上海 now", "zh-cn", MARKED)
    assert mark([t.text for t in tokens], spaces(tokens)) == ["▁去", "上", "海", "▁now"]
    assert encoding == encode(unmarked, ["▁去", "上", "海", "▁now"])
    glued = unmarked.encode(["去", "上海"], is_pretokenized=True, add_special_tokens=False).tokens
    assert not any(piece.startswith("▁") for piece in glued)  # the full tokenizer would mark each word


def test_pieces_are_cut_where_labels_begin_or_end_inside_them(unmarked):
    """"最新的" is one piece; labeled "最新" (B I, then 的 O), the app's words cut pieces before "的" and after "新",
    so that the label's words begin and end pieces: in "重要的" too, never labeled."""
    tokens = tokenize("把最新的邮件读一下", "zh-cn")
    words, gaps = [t.text for t in tokens], spaces(tokens)
    whole = encode_words(unmarked, words, gaps, RUNS)
    assert whole.joined[1:4] == [False, True, True]  # 最 新 的: one piece
    boundaries = boundary_characters(unmarked, [Example(words, 0, [[0, 1, 2, 0, 0, 0, 0, 0, 0]], gaps)])
    assert boundaries == ("的", "新")
    pieces = encode_words(unmarked, words, gaps, RUNS, boundaries=boundaries)
    assert [unmarked.id_to_token(i) for i in pieces.input_ids[3:5]] == ["最新", "的"]
    assert pieces.joined == [False, False, True, False, False, True, False, False, True]
    other = tokenize("发一封重要的邮件", "zh-cn")
    other_words, other_gaps = [t.text for t in other], spaces(other)
    assert encode_words(unmarked, other_words, other_gaps, RUNS).joined[5] is True  # 重要的
    assert encode_words(unmarked, other_words, other_gaps, RUNS, boundaries=boundaries).joined[5] is False
    unlabeled = Example(words, 0, [[0] * 9], gaps)
    inside = Example(words, 0, [[0, 1, 2, 2, 0, 0, 0, 0, 0]], gaps)  # "最新的" labeled whole: no boundary inside
    assert boundary_characters(unmarked, [unlabeled, inside]) == ("", "")


def test_letters_of_scripts_written_with_spaces_are_never_cut_at(unmarked):
    """A label ending inside "▁casa" (one piece) would cut every piece after an "s": only punctuation is cut."""
    assert unmarked.encode(["▁casa"], is_pretokenized=True, add_special_tokens=False).tokens == ["▁casa"]
    glued = Example(["cas", "a"], 0, [[1, 0]], [True, False])
    assert boundary_characters(unmarked, [glued]) == ("", "")
    question = Example(["du", "?", "“"], 0, [[1, 2, 0]], [True, False, False])  # "?“" is one piece
    assert boundary_characters(unmarked, [question]) == ("“", "?")


def test_a_cut_at_the_start_of_a_run(unmarked):
    tokens = tokenize("最新的邮件", "zh-cn")
    words, gaps = [t.text for t in tokens], spaces(tokens)
    boundaries = boundary_characters(unmarked, [Example(words, 0, [[1, 2, 0, 0, 0]], gaps)])
    pieces = encode_words(unmarked, words, gaps, RUNS, boundaries=boundaries)
    assert boundaries == ("的", "新") and pieces.joined == [False, True, False, False, True]
    assert [(t.start, t.end) for t in covering(tokens, pieces)] == [(0, 2), (2, 3), (3, 5)]


def test_a_model_reads_text_as_its_labels_json_says(unmarked):
    """What training stored (`word_input`, `boundaries`) is how the served model reads a query; a first artifact of
    the multilingual encoder ("word_marks") still reads one character at a time."""
    labels = {"intents": ["None"], "tags": {"layers": [[]], "transitions": [[[0] * 4] * 3]}, "max_tokens": 512,
              "culture": "zh-cn", "word_input": RUNS, "boundaries": {"before": "的", "after": "新"}}
    tokens, encoding = Recognizer(None, unmarked, labels).encode("发一封重要的邮件")
    assert [t.text for t in tokens] == list("发一封重要的邮件")
    assert encoding.joined == [False, False, False, False, True, False, False, True]  # 重要 | 的 | 邮件
    assert Recognizer(None, unmarked, labels | {"boundaries": {}}).encode("发一封重要的邮件")[1].joined[5] is True
    first = {key: value for key, value in labels.items() if key not in ("word_input", "boundaries")}
    _, marked = Recognizer(None, unmarked, first | {"word_marks": True}).encode("发一封重要的邮件")
    assert marked == encode(unmarked, mark([t.text for t in tokens], spaces(tokens)))
