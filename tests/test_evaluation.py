"""Batch-test report: figures checked against a tiny set computed by hand, edge cases, loaders, rendering."""
import json
from pathlib import Path

import pytest
from pytest import approx

from luislite.domain.evaluation import Example, Span, format_html, format_text, load_batch, report

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Eight utterances: (text, gold intent, gold spans, predicted intent, predicted spans)
CASES = [
    ("book a flight to paris", "Book", [(17, 22, "City")], "Book", [(17, 22, "City")]),           # exact
    ("fly to new york tomorrow", "Book", [(7, 15, "City"), (16, 24, "Date")],
     "Book", [(7, 10, "City"), (16, 24, "Date")]),                                                  # City partial
    ("cancel my trip to rome", "Cancel", [(18, 22, "City")], "Book", [(18, 22, "City")]),          # intent wrong
    ("cancel it", "Cancel", [], "Cancel", []),                                                      # exact
    ("hello there", "None", [], "None", [(6, 11, "City")]),                                         # spurious City
    ("book for monday", "Book", [(9, 15, "Date")], "Book", []),                                     # missed Date
    ("what is the weather", "None", [], "Cancel", []),                                              # intent wrong
    ("book paris and rome", "Book", [(5, 10, "City"), (15, 19, "City")], "Book", [(5, 19, "City")]),  # one wide span
]
GOLD = [(text, intent, spans) for text, intent, spans, _, _ in CASES]
PREDICTED = [(text, intent, spans) for text, _, _, intent, spans in CASES]


@pytest.fixture(scope="module")
def result():
    return report(GOLD, PREDICTED)


def scores(figures):
    return approx((figures["precision"], figures["recall"], figures["f1"]))


def test_headline_figures(result):
    assert result["utterances"] == 8
    assert result["intent_accuracy"] == approx(6 / 8)      # all but utterances 3 and 7
    assert result["sentence_exact_match"] == approx(2 / 8)  # utterances 1 and 4


def test_per_intent_figures(result):
    intents = result["intents"]
    assert list(intents) == ["Book", "Cancel", "None"]
    # Book: gold 1,2,6,8; predicted 1,2,3,6,8; correct 4
    assert (intents["Book"]["support"], intents["Book"]["predicted"], intents["Book"]["correct"]) == (4, 5, 4)
    assert scores(intents["Book"]) == (4 / 5, 4 / 4, 8 / 9)
    # Cancel: gold 3,4; predicted 4,7; correct 4
    assert scores(intents["Cancel"]) == (1 / 2, 1 / 2, 1 / 2)
    # None: gold 5,7; predicted 5; correct 5
    assert scores(intents["None"]) == (1 / 1, 1 / 2, 2 / 3)
    assert intents["None"]["support"] == 2


def test_intent_averages(result):
    micro, macro = result["intent_averages"]["micro"], result["intent_averages"]["macro"]
    assert scores(micro) == (6 / 8, 6 / 8, 6 / 8)
    assert scores(macro) == ((4 / 5 + 1 / 2 + 1) / 3, (1 + 1 / 2 + 1 / 2) / 3, (8 / 9 + 1 / 2 + 2 / 3) / 3)
    assert macro["support"] == 8


def test_per_entity_exact_and_partial_figures(result):
    city, date = result["entities"]["City"], result["entities"]["Date"]
    assert list(result["entities"]) == ["City", "Date"]
    # City: gold 5 spans, predicted 5, exact matches in utterances 1 and 3
    assert (city["support"], city["predicted"], city["correct"]) == (5, 5, 2)
    assert scores(city) == (2 / 5, 2 / 5, 2 / 5)
    # partial: 4 of 5 predictions overlap a gold City (not "there"); all 5 gold Cities are overlapped
    assert (city["partial"]["overlapping_predicted"], city["partial"]["overlapping_gold"]) == (4, 5)
    assert scores(city["partial"]) == (4 / 5, 5 / 5, 8 / 9)
    # Date: gold 2, predicted 1, correct 1
    assert (date["support"], date["predicted"], date["correct"]) == (2, 1, 1)
    assert scores(date) == (1, 1 / 2, 2 / 3)
    assert scores(date["partial"]) == (1, 1 / 2, 2 / 3)


def test_entity_averages(result):
    averages = result["entity_averages"]
    # micro: 3 correct of 6 predicted and 7 labeled
    assert scores(averages["micro"]) == (3 / 6, 3 / 7, 6 / 13)
    assert scores(averages["macro"]) == ((2 / 5 + 1) / 2, (2 / 5 + 1 / 2) / 2, (2 / 5 + 2 / 3) / 2)
    # partial micro: 5 of 6 predictions overlap, 6 of 7 gold spans overlapped
    assert scores(averages["partial_micro"]) == (5 / 6, 6 / 7, 60 / 71)
    assert scores(averages["partial_macro"]) == ((4 / 5 + 1) / 2, (1 + 1 / 2) / 2, (8 / 9 + 2 / 3) / 2)


def test_confusion_matrix(result):
    assert result["confusion"] == {
        "Book": {"Book": 4, "Cancel": 0, "None": 0},
        "Cancel": {"Book": 1, "Cancel": 1, "None": 0},
        "None": {"Book": 0, "Cancel": 1, "None": 1},
    }


def test_wrong_utterances_list_expected_and_predicted(result):
    errors = result["errors"]
    assert [e["text"] for e in errors] == [CASES[i][0] for i in (1, 2, 4, 5, 6, 7)]
    fly = errors[0]
    assert (fly["expected_intent"], fly["predicted_intent"]) == ("Book", "Book")
    assert fly["expected_entities"] == [{"entity": "City", "startPos": 7, "endPos": 14, "text": "new york"},
                                        {"entity": "Date", "startPos": 16, "endPos": 23, "text": "tomorrow"}]
    assert fly["predicted_entities"][0] == {"entity": "City", "startPos": 7, "endPos": 9, "text": "new"}
    assert (errors[1]["expected_intent"], errors[1]["predicted_intent"]) == ("Cancel", "Book")


def test_report_is_json(result):
    assert json.loads(json.dumps(result)) == result


# --- edge cases -------------------------------------------------------------------------------

def test_no_entities_at_all():
    result = report([("hi", "Greet", []), ("bye", "Leave", [])], [("hi", "Greet", []), ("bye", "Greet", [])])
    assert result["entities"] == {}
    assert result["entity_averages"] is None
    assert result["sentence_exact_match"] == result["intent_accuracy"] == 0.5
    assert "no entities" in format_text(result)
    assert "Entities" not in format_html(result)


def test_a_class_never_predicted_scores_zero_and_a_class_never_labeled_too():
    result = report([("a", "Greet", [(0, 1, "X")]), ("b", "Book", [])],
                    [("a", "Book", []), ("b", "Book", [(0, 1, "Y")])])
    assert result["intents"]["Greet"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1,
                                         "predicted": 0, "correct": 0}
    assert scores(result["intents"]["Book"]) == (1 / 2, 1, 2 / 3)
    assert scores(result["entities"]["X"]) == (0, 0, 0)  # never predicted
    assert scores(result["entities"]["Y"]) == (0, 0, 0)  # never labeled
    assert result["entities"]["Y"]["support"] == 0


def test_empty_or_mismatched_input_is_a_clear_error():
    with pytest.raises(ValueError, match="no utterances"):
        report([], [])
    with pytest.raises(ValueError, match="2 labeled utterances but 1 predictions"):
        report([("a", "A", []), ("b", "A", [])], [("a", "A", [])])
    with pytest.raises(ValueError, match="Utterance 1 differs"):
        report([("a", "A", [])], [("b", "A", [])])


def test_examples_accept_tuples_and_dataclasses():
    example = Example.of(("fly to rome", "Book", [(7, 11, "City")]))
    assert example == Example("fly to rome", "Book", [Span(7, 11, "City")])
    assert Example.of(example) == example
    assert report([example], [example])["sentence_exact_match"] == 1.0


# --- loaders ----------------------------------------------------------------------------------

BATCH = [{"text": "fly to rome", "intent": "Book", "entities": [{"entity": "City", "startPos": 7, "endPos": 10}]},
         {"text": "hello", "intent": "None", "entities": []}]


def test_load_batch_reads_luis_batch_json_with_inclusive_end(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(BATCH, indent=2))
    examples = load_batch(path)
    assert examples == [Example("fly to rome", "Book", [Span(7, 11, "City")]), Example("hello", "None", [])]
    assert examples[0].text[7:11] == "rome"


def test_load_batch_reads_json_lines(tmp_path):
    path = tmp_path / "test.jsonl"
    path.write_text("\n".join(json.dumps(doc) for doc in BATCH) + "\n\n")
    assert load_batch(path) == [Example("fly to rome", "Book", [Span(7, 11, "City")]), Example("hello", "None", [])]


def test_load_batch_reads_a_slice_of_the_snips_test_set():
    path = FIXTURES / "snips" / "test.jsonl"
    examples = load_batch(path)
    docs = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(examples) == len(docs) == 26
    for example, doc in zip(examples, docs):
        assert [example.text[s.start:s.end] for s in example.spans] == [e["text"] for e in doc["entities"]]
    perfect = report(examples, examples)
    assert perfect["intent_accuracy"] == perfect["sentence_exact_match"] == 1
    assert perfect["entity_averages"]["micro"]["f1"] == 1


# --- rendering --------------------------------------------------------------------------------

def test_format_text_is_an_aligned_classification_report(result):
    text = format_text(result)
    lines = text.splitlines()
    width = len("entity partial micro avg") + 2
    assert lines[0] == "Intents"
    assert lines[1] == " " * width + " precision    recall  f1-score   support"
    assert f"{'Book':<{width}}     0.800     1.000     0.889         4" in lines
    assert f"{'City':<{width}}     0.400     0.400     0.400         5       0.889" in lines
    assert f"{'intent macro avg':<{width}}     0.767     0.667     0.685         8" in lines
    assert f"{'entity micro avg':<{width}}     0.500     0.429     0.462         7" in lines
    assert lines.index("Intents") < lines.index("Entities (exact span)") < lines.index("Averages")
    assert "Intent accuracy       0.750" in lines and "Sentence exact match  0.250" in lines
    for title in ("Intents", "Entities (exact span)", "Averages"):  # every row of a table is as wide as its header
        start = lines.index(title) + 1
        table = lines[start:lines.index("", start)]
        assert len({len(line) for line in table}) == 1, title


def test_format_html_is_self_contained_with_bars_heat_map_and_errors(result):
    page = format_html(result)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "http" not in page and "<link" not in page
    assert "75.0%" in page and "25.0%" in page                  # intent accuracy, exact match
    assert 'style="width:80.0%"' in page                        # Book precision bar
    assert 'class="cm"' in page and 'title="Cancel → Book"' in page
    assert page.count("<tr>") >= 3 + 2 + 6 + 4 + 6             # classes, averages, matrix, errors
    assert "fly to new york tomorrow" in page


def test_format_html_escapes_user_text():
    text = "<script>alert('x')</script> & more"
    gold = [(text, "<b>Intent</b>", [(0, 8, "<i>entity</i>")])]
    page = format_html(report(gold, [(text, "Other", [])]), title="<title>")
    assert "<script>" not in page and "<b>Intent" not in page and "<i>entity" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page
    assert "&lt;b&gt;Intent&lt;/b&gt;" in page and "&lt;i&gt;entity&lt;/i&gt;" in page
