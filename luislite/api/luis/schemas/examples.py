"""Labeled examples: the ExampleLabelObject of requests, the LabeledUtterance of listings."""
from marshmallow import fields

from luislite.api.luis.schemas.common import ErrorBody, LuisSchema
from luislite.domain.appversion import Label, Utterance
from luislite.domain import cultures
from luislite.domain.tokens import snap_label, token_span, tokenize


class EntityLabel(LuisSchema):
    entityName = fields.String(required=True)
    startCharIndex = fields.Integer(required=True, strict=True)
    endCharIndex = fields.Integer(required=True, strict=True)
    role = fields.String(allow_none=True, load_default=None)
    children = fields.List(fields.Nested(lambda: EntityLabel()), load_default=list, allow_none=True)


class ExampleLabel(LuisSchema):
    text = fields.String(required=True)
    intentName = fields.String(required=True)
    entityLabels = fields.List(fields.Nested(EntityLabel), load_default=list, allow_none=True)


def to_utterance(body: dict, culture: str = "en-us") -> Utterance:
    """An ExampleLabelObject as an Utterance of an app of `culture`, its end read as inclusive or exclusive.

    In word cultures labels snap to whole tokens; where labels must lie on token edges, a label cut inside a
    token keeps its offsets, for `AppVersion.check_utterance` to refuse.
    """
    text = body["text"]
    tokens = tokenize(text, culture)
    snap = not cultures.of(culture).labels_on_token_edges

    def label(doc: dict) -> Label:
        first, last = doc["startCharIndex"], doc["endCharIndex"]
        in_range = 0 <= first <= last <= len(text)  # end == len: exclusive end
        span = snap_label(tokens, first, last) if in_range else None
        if span is None:
            start, end = first, -1
        elif snap:
            start, end = tokens[span[0]].start, tokens[span[1]].end
        else:
            start, end = first, tokens[span[1]].end if tokens[span[1]].end in (last, last + 1) else last + 1
        return Label(doc["entityName"], start, end, doc.get("role"), [label(c) for c in doc.get("children") or []])

    return Utterance(text, body["intentName"], [label(d) for d in body.get("entityLabels") or []])


def labeled_utterance_json(example_id: int, utterance: Utterance, culture: str = "en-us") -> dict:
    """A LabeledUtterance of the examples listing: token indices, inclusive end."""
    tokens = tokenize(utterance.text, culture)

    def label(lab: Label) -> dict:
        first, last = token_span(tokens, lab.start, lab.end) or (0, 0)
        return {"entityName": lab.entity, "startTokenIndex": first, "endTokenIndex": last, "role": lab.role,
                "roleId": None, "children": [label(c) for c in lab.children]}

    return {"id": example_id, "text": utterance.text, "tokenizedText": [t.text for t in tokens],
            "intentLabel": utterance.intent, "entityLabels": [label(lab) for lab in utterance.labels],
            "intentPredictions": [], "entityPredictions": []}


class EntityLabelInfo(LuisSchema):
    entityName = fields.String(required=True)
    startTokenIndex = fields.Integer(required=True)
    endTokenIndex = fields.Integer(required=True)
    role = fields.String(required=True, allow_none=True)
    roleId = fields.String(required=True, allow_none=True)
    children = fields.List(fields.Nested(lambda: EntityLabelInfo()), required=True)


class LabeledUtterance(LuisSchema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    tokenizedText = fields.List(fields.String(), required=True)
    intentLabel = fields.String(required=True)
    entityLabels = fields.List(fields.Nested(EntityLabelInfo), required=True)
    intentPredictions = fields.List(fields.Dict(), required=True)
    entityPredictions = fields.List(fields.Dict(), required=True)


class LabelExampleResponse(LuisSchema):
    """A stored example, as adding it answers."""
    UtteranceText = fields.String(required=True, attribute="text")
    ExampleId = fields.Integer(required=True, attribute="id")


class BatchLabelExample(LuisSchema):
    """One result of a batch: `value` (the example) or `error`."""
    value = fields.Nested(LabelExampleResponse)
    hasError = fields.Boolean(required=True)
    error = fields.Nested(ErrorBody)
