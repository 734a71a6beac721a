"""Batch testing: compare predicted intents and entity spans with a labeled test set.

`report(gold, predicted)` returns plain JSON-ready figures; `format_text` and `format_html` render
them for people. Examples are `(text, intent, spans)` with spans `(start, end_exclusive, entity)`.
Conventions (as scikit-learn's classification report): classes are the union of gold and
predicted labels, sorted; a ratio with a zero denominator is 0.0; macro averages are plain means
of the per-class figures (macro F1 is the mean of per-class F1s); for single-label intents the
micro precision, recall and F1 all equal the accuracy.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Span(NamedTuple):
    start: int
    end: int  # exclusive
    entity: str


@dataclass
class Example:
    """One labeled (gold) or predicted utterance."""
    text: str
    intent: str
    spans: list[Span] = field(default_factory=list)

    @classmethod
    def of(cls, item) -> Example:
        """An Example from an Example or a `(text, intent, spans)` tuple."""
        text, intent, spans = (item.text, item.intent, item.spans) if isinstance(item, Example) else item
        return cls(text, intent, [Span(int(s), int(e), str(n)) for s, e, n in spans or []])

    @classmethod
    def from_batch_json(cls, doc: dict) -> Example:
        """From `{"text", "intent", "entities": [{"entity", "startPos", "endPos"}]}` (endPos inclusive)."""
        return cls(doc["text"], doc["intent"],
                   [Span(e["startPos"], e["endPos"] + 1, e["entity"]) for e in doc.get("entities") or []])


def load_batch(path) -> list[Example]:
    """Read a LUIS batch-test file: a JSON array, or JSON lines as in `datasets/*/test.jsonl`."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("["):
        docs = json.loads(text)
    else:
        docs = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [Example.from_batch_json(doc) for doc in docs]


# --- the report -------------------------------------------------------------------------------

def report(gold, predicted) -> dict:
    """The batch-test report of `predicted` against `gold` (same utterances, same order)."""
    gold, predicted = [Example.of(g) for g in gold], [Example.of(p) for p in predicted]
    if not gold:
        raise ValueError("The batch test has no utterances.")
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} labeled utterances but {len(predicted)} predictions.")
    for number, (g, p) in enumerate(zip(gold, predicted), 1):
        if g.text != p.text:
            raise ValueError(f"Utterance {number} differs: labeled '{g.text}', predicted '{p.text}'.")
    intents = intent_scores(gold, predicted)
    entities = entity_scores(gold, predicted)
    exact = [g.intent == p.intent and set(g.spans) == set(p.spans) for g, p in zip(gold, predicted)]
    correct = sum(g.intent == p.intent for g, p in zip(gold, predicted))
    return {
        "utterances": len(gold),
        "intent_accuracy": correct / len(gold),
        "sentence_exact_match": sum(exact) / len(gold),
        "intents": intents,
        "intent_averages": {"micro": _micro(intents), "macro": _macro(intents)},
        "entities": entities,
        "entity_averages": _entity_averages(entities),
        "confusion": confusion_matrix(gold, predicted),
        "errors": [_error(g, p) for g, p, ok in zip(gold, predicted, exact) if not ok],
    }


def intent_scores(gold: list[Example], predicted: list[Example]) -> dict:
    """Per intent: precision, recall, F1, support (gold count), predicted count, correct count."""
    names = sorted({e.intent for e in gold + predicted}, key=str.lower)
    return {name: _scores(correct=sum(g.intent == p.intent == name for g, p in zip(gold, predicted)),
                          predicted=sum(p.intent == name for p in predicted),
                          support=sum(g.intent == name for g in gold)) for name in names}


def entity_scores(gold: list[Example], predicted: list[Example]) -> dict:
    """Per entity: exact-span scores, plus `partial` scores where same-type overlapping spans count."""
    names = sorted({s.entity for e in gold + predicted for s in e.spans}, key=str.lower)
    result = {}
    for name in names:
        counts = dict.fromkeys(("correct", "predicted", "support", "overlapping_predicted", "overlapping_gold"), 0)
        for g, p in zip(gold, predicted):
            gold_spans = {s for s in g.spans if s.entity == name}
            predicted_spans = {s for s in p.spans if s.entity == name}
            counts["correct"] += len(gold_spans & predicted_spans)
            counts["predicted"] += len(predicted_spans)
            counts["support"] += len(gold_spans)
            counts["overlapping_predicted"] += sum(any(_overlap(s, t) for t in gold_spans) for s in predicted_spans)
            counts["overlapping_gold"] += sum(any(_overlap(s, t) for t in predicted_spans) for s in gold_spans)
        scores = _scores(counts["correct"], counts["predicted"], counts["support"])
        scores["partial"] = _partial(counts["overlapping_predicted"], counts["overlapping_gold"],
                                     counts["predicted"], counts["support"])
        result[name] = scores
    return result


def confusion_matrix(gold: list[Example], predicted: list[Example]) -> dict:
    """Gold intent -> predicted intent -> count, over every intent seen (zeros included)."""
    names = sorted({e.intent for e in gold + predicted}, key=str.lower)
    matrix = {g: dict.fromkeys(names, 0) for g in names}
    for g, p in zip(gold, predicted):
        matrix[g.intent][p.intent] += 1
    return matrix


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0


def _scores(correct: int, predicted: int, support: int) -> dict:
    precision, recall = _ratio(correct, predicted), _ratio(correct, support)
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall),
            "support": support, "predicted": predicted, "correct": correct}


def _partial(overlapping_predicted: int, overlapping_gold: int, predicted: int, support: int) -> dict:
    precision, recall = _ratio(overlapping_predicted, predicted), _ratio(overlapping_gold, support)
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "support": support,
            "predicted": predicted, "overlapping_predicted": overlapping_predicted,
            "overlapping_gold": overlapping_gold}


def _micro(classes: dict) -> dict:
    totals = {k: sum(c[k] for c in classes.values()) for k in ("correct", "predicted", "support")}
    return _scores(totals["correct"], totals["predicted"], totals["support"])


def _macro(classes: dict) -> dict:
    """Plain means of the per-class precision, recall and F1."""
    means = {k: sum(c[k] for c in classes.values()) / len(classes) for k in ("precision", "recall", "f1")}
    return means | {"support": sum(c["support"] for c in classes.values())}


def _entity_averages(entities: dict) -> dict | None:
    """Micro and macro averages of the exact and partial entity scores; None when no span was labeled or predicted."""
    if not entities:
        return None
    partial = {name: s["partial"] for name, s in entities.items()}
    return {"micro": _micro(entities), "macro": _macro(entities),
            "partial_micro": _partial(sum(p["overlapping_predicted"] for p in partial.values()),
                                      sum(p["overlapping_gold"] for p in partial.values()),
                                      sum(s["predicted"] for s in entities.values()),
                                      sum(s["support"] for s in entities.values())),
            "partial_macro": _macro(partial)}


def _error(gold: Example, predicted: Example) -> dict:
    return {"text": gold.text, "expected_intent": gold.intent, "predicted_intent": predicted.intent,
            "expected_entities": [_span_json(gold.text, s) for s in sorted(gold.spans)],
            "predicted_entities": [_span_json(gold.text, s) for s in sorted(predicted.spans)]}


def _span_json(text: str, span: Span) -> dict:
    return {"entity": span.entity, "startPos": span.start, "endPos": span.end - 1, "text": text[span.start:span.end]}


# --- text -------------------------------------------------------------------------------------

def format_text(result: dict) -> str:
    """An aligned table in the manner of scikit-learn's classification_report."""
    names = list(result["intents"]) + list(result["entities"]) + ["entity partial micro avg"]
    width = max(len(n) for n in names) + 2
    header = f"{'':<{width}}{'precision':>10}{'recall':>10}{'f1-score':>10}{'support':>10}"

    def row(name: str, s: dict) -> str:
        return f"{name:<{width}}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>10.3f}{s['support']:>10}"

    lines = ["Intents", header] + [row(n, s) for n, s in result["intents"].items()]
    if result["entities"]:
        lines += ["", "Entities (exact span)", header + f"{'partial-f1':>12}"]
        lines += [row(n, s) + f"{s['partial']['f1']:>12.3f}" for n, s in result["entities"].items()]
    lines += ["", "Averages", header]
    lines += [row(f"intent {kind} avg", s) for kind, s in result["intent_averages"].items()]
    averages = result["entity_averages"]
    if averages:
        lines += [row(f"entity {kind.replace('_', ' ')} avg", s) for kind, s in averages.items()]
    errors = len(result["errors"])
    lines += ["", f"Utterances            {result['utterances']}",
              f"Intent accuracy       {result['intent_accuracy']:.3f}",
              f"Sentence exact match  {result['sentence_exact_match']:.3f}",
              "Entity micro F1       " + (f"{averages['micro']['f1']:.3f}" if averages else "no entities"),
              f"Wrong utterances      {errors}"]
    return "\n".join(lines) + "\n"


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.8em 1.2em}
.card b{display:block;font-size:1.6em}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .6em;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;width:120px;height:10px;background:#eee;margin-right:.5em;vertical-align:middle}
.bar span{display:block;height:100%;background:#4c78a8}
table.cm td{text-align:center;min-width:2.5em;border:1px solid #fff}
.cm th.col{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal}
.bad{color:#b00020}.ok{color:#1b7f3b}
"""


def format_html(result: dict, title: str = "Batch test report") -> str:
    """A self-contained HTML page: headline figures, per-class bars, confusion heat map, wrong utterances."""
    body = [f"<h1>{_e(title)}</h1>", _html_cards(result),
            "<h2>Intents</h2>", _html_classes(result["intents"])]
    if result["entities"]:
        body += ["<h2>Entities (exact span)</h2>", _html_classes(result["entities"], partial=True)]
    body += ["<h2>Averages</h2>", _html_classes(_averages(result)),
             "<h2>Intent confusion (rows: expected, columns: predicted)</h2>", _html_confusion(result["confusion"]),
             f"<h2>Wrong utterances ({len(result['errors'])})</h2>", _html_errors(result["errors"])]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _averages(result: dict) -> dict:
    rows = {f"intent {k}": s for k, s in result["intent_averages"].items()}
    rows |= {f"entity {k.replace('_', ' ')}": s for k, s in (result["entity_averages"] or {}).items()}
    return rows


def _html_cards(result: dict) -> str:
    averages = result["entity_averages"]
    cards = [("Intent accuracy", f"{result['intent_accuracy']:.1%}"),
             ("Sentence exact match", f"{result['sentence_exact_match']:.1%}"),
             ("Entity micro F1", f"{averages['micro']['f1']:.1%}" if averages else "–"),
             ("Entity partial F1", f"{averages['partial_micro']['f1']:.1%}" if averages else "–"),
             ("Utterances", result["utterances"]), ("Wrong", len(result["errors"]))]
    cells = "".join(f'<div class="card">{_e(k)}<b>{_e(v)}</b></div>' for k, v in cards)
    return f'<div class="cards">{cells}</div>'


def _bar(value: float) -> str:
    return f'<td><span class="bar"><span style="width:{value * 100:.1f}%"></span></span>{value:.3f}</td>'


def _html_classes(classes: dict, partial: bool = False) -> str:
    head = "<tr><th></th><th>precision</th><th>recall</th><th>F1</th><th>support</th>"
    head += "<th>partial F1</th></tr>" if partial else "</tr>"
    rows = []
    for name, s in classes.items():
        cells = _bar(s["precision"]) + _bar(s["recall"]) + _bar(s["f1"]) + f'<td class="num">{s["support"]}</td>'
        if partial:
            cells += _bar(s["partial"]["f1"])
        rows.append(f"<tr><th>{_e(name)}</th>{cells}</tr>")
    return "<table>" + head + "".join(rows) + "</table>"


def _html_confusion(matrix: dict) -> str:
    names = list(matrix)
    head = "<tr><th></th>" + "".join(f'<th class="col">{_e(n)}</th>' for n in names) + "</tr>"
    rows = []
    for gold in names:
        total = sum(matrix[gold].values()) or 1
        cells = []
        for predicted in names:
            count = matrix[gold][predicted]
            hue = "27,127,59" if gold == predicted else "176,0,32"
            alpha = count / total
            color = "#fff" if alpha > 0.6 else "#222"
            cells.append(f'<td style="background:rgba({hue},{alpha:.2f});color:{color}" '
                         f'title="{_e(gold)} → {_e(predicted)}">{count or ""}</td>')
        rows.append(f"<tr><th>{_e(gold)}</th>{''.join(cells)}</tr>")
    return '<table class="cm">' + head + "".join(rows) + "</table>"


def _html_spans(spans: list[dict]) -> str:
    lines = [f"{_e(s['entity'])}: “{_e(s['text'])}” [{s['startPos']}–{s['endPos']}]" for s in spans]
    return "<br>".join(lines) or "–"


def _html_errors(errors: list[dict]) -> str:
    if not errors:
        return "<p>None: every utterance matched exactly.</p>"
    rows = []
    for error in errors:
        intent_class = "ok" if error["expected_intent"] == error["predicted_intent"] else "bad"
        rows.append(f"<tr><td>{_e(error['text'])}</td><td>{_e(error['expected_intent'])}</td>"
                    f'<td class="{intent_class}">{_e(error["predicted_intent"])}</td>'
                    f"<td>{_html_spans(error['expected_entities'])}</td>"
                    f"<td>{_html_spans(error['predicted_entities'])}</td></tr>")
    return ("<table><tr><th>utterance</th><th>expected intent</th><th>predicted intent</th>"
            "<th>expected entities</th><th>predicted entities</th></tr>" + "".join(rows) + "</table>")
