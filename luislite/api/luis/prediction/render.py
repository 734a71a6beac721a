"""A Prediction as LUIS answers it: the v3.0 `prediction` object and the v2.0 response.

Values by kind (v3 / v2 `resolution`): list -> `["canonical", ...]` / `{"values": [...]}`; prebuilt -> its
`PrebuiltValue` (a number, `{"number","units"}`, datetimeV2's `{"type","values"}`) / the string-valued resolution;
regex, pattern.any and ML entities -> the text / none; ML entities with children and composites -> an object of
their children (v2: the children are listed flat, and composites again under `compositeEntities`); a request's
external entities (v3 only) -> the `resolution` it gave, or the text.
"""
from luislite.domain.appversion import ENTITY_KINDS, CompositeEntity, MLEntity
from luislite.domain.entity_kinds import EntityKind
from luislite.nlu.prediction import EntitySpan, ExternalValue, Prediction, PrebuiltValue

_KINDS = {c.kind.span_kind: c.kind for c in ENTITY_KINDS}


def _kind(span: EntitySpan) -> EntityKind:
    """The kind of the span's entity (machine-learned for a span of a role or phrase list)."""
    return _KINDS.get(span.kind, MLEntity.kind)


def span_type(span: EntitySpan) -> str:
    return span.type or _kind(span).type_prefix + span.entity


def _value(span: EntitySpan, text: str, verbose: bool):
    if span.children:
        return entities_v3(span.children, text, verbose)
    if isinstance(span.resolution, PrebuiltValue):
        return span.resolution.v3
    if isinstance(span.resolution, ExternalValue):
        return span.resolution.value
    if isinstance(span.resolution, list):  # a list entity's canonical forms
        return list(span.resolution)
    return text[span.start:span.end]


def _instance(span: EntitySpan, text: str) -> dict:
    kind = _kind(span)
    instance = {"type": span_type(span), "text": text[span.start:span.end], "startIndex": span.start,
                "length": span.end - span.start}
    if span.score is not None:
        instance["score"] = round(span.score, 6)
    instance |= {"modelTypeId": kind.type_id, "modelType": kind.model_type, "recognitionSources": [span.source]}
    if span.role:
        instance["role"] = span.role
    return instance


def entities_v3(spans: list[EntitySpan], text: str, verbose: bool) -> dict:
    """`entities`: entity (or role) name -> values in text order, plus `$instance` metadata when verbose."""
    values, instances = {}, {}
    for span in spans:
        key = span.role or span.entity
        values.setdefault(key, []).append(_value(span, text, verbose))
        instances.setdefault(key, []).append(_instance(span, text))
    return values | ({"$instance": instances} if verbose and instances else {})


def prediction_v3(query: str, prediction: Prediction, verbose: bool, show_all_intents: bool) -> dict:
    intents = prediction.intents if show_all_intents else dict([next(iter(prediction.intents.items()))])
    return {"query": query, "prediction": {
        "topIntent": prediction.top_intent,
        "intents": {name: {"score": round(score, 6)} for name, score in intents.items()},
        "entities": entities_v3(prediction.entities, query, verbose)}}


def _flat(spans: list[EntitySpan]):
    for span in spans:
        yield span
        yield from _flat(span.children)


def _entity_v2(span: EntitySpan, text: str) -> dict:
    entity = {"entity": _lower(text[span.start:span.end]), "type": span_type(span), "startIndex": span.start,
              "endIndex": span.end - 1}
    if span.score is not None:
        entity["score"] = round(span.score, 6)
    if isinstance(span.resolution, PrebuiltValue):
        entity["resolution"] = span.resolution.v2
    elif isinstance(span.resolution, list):
        entity["resolution"] = {"values": list(span.resolution)}
    if span.role:
        entity["role"] = span.role
    return entity


def _composite_v2(span: EntitySpan, text: str) -> dict:
    return {"parentType": span.entity, "value": _lower(text[span.start:span.end]),
            "children": [{"type": span_type(c), "value": _lower(text[c.start:c.end])} for c in span.children]}


def _lower(text: str) -> str:
    """`text` lowercased a character at a time, each to one character ("İ" -> "i", where `lower()` gives two): v2's
    `entity` is as long as its span, endIndex - startIndex + 1."""
    return "".join(char.lower()[0] for char in text)


def prediction_v2(query: str, prediction: Prediction, verbose: bool) -> dict:
    """v2.0: flat entities with an inclusive endIndex and lowercased text; `intents` only when verbose."""
    top, score = next(iter(prediction.intents.items()))
    response = {"query": query, "topScoringIntent": {"intent": top, "score": round(score, 6)}}
    if verbose:
        response["intents"] = [{"intent": name, "score": round(s, 6)} for name, s in prediction.intents.items()]
    response["entities"] = [_entity_v2(span, query) for span in _flat(prediction.entities)]
    composites = [_composite_v2(span, query) for span in prediction.entities
                  if span.kind == CompositeEntity.kind.span_kind]
    if composites:
        response["compositeEntities"] = composites
    return response
