"""CLU's runtime: `POST /language/:analyze-conversations`, a Conversation task answered by a deployment's model.

Intents: every intent, best first; `topIntent` is "None" when the best score is under the project's
`confidenceThreshold`. Entities: each predicted leaf composed into CLU entities (`services.clu.entity_matches`),
confidence 1, offset and length in the request's `stringIndexType`; list matches carry a `ListKey`, regex matches a
`RegexKey`, prebuilt ones an `EntitySubtype` and their `resolutions` (a combined entity carries those of all).
"""
from flask import Blueprint, jsonify

from luislite.api.body import load
from luislite.api.clu.auth import require_key
from luislite.api.clu.schemas import ApiVersion, ConversationalTask
from luislite.api.openapi import operation
from luislite.db import writes_lazily
from luislite.domain import clu
from luislite.nlu.prediction import EntitySpan, PrebuiltValue
from luislite.services import clu as projects
from luislite.services import publishing

bp = Blueprint("clu_runtime", __name__)
bp.before_request(lambda: require_key(runtime=True))

_DATETIME_KINDS = {"date": "Date", "time": "Time", "datetime": "DateTime", "duration": "Duration", "set": "Set"}
_UNIT_RESOLUTIONS = {"money": "CurrencyResolution", "temperature": "TemperatureResolution",
                     "age": "AgeResolution", "dimension": "LengthResolution"}


@bp.post("/:analyze-conversations")
@writes_lazily
@operation({"type": "object"}, status=200, body=ConversationalTask, query=ApiVersion)
def analyze_conversations():
    """Predict the intents and entities of one conversation item with a deployed model."""
    task = load(ConversationalTask())
    parameters, text = task["parameters"], task["analysisInput"]["conversationItem"]["text"]
    index_type = clu.string_index_type(parameters.get("stringIndexType"))
    artifact, threshold, roles, specs = projects.deployment(parameters["projectName"], parameters["deploymentName"])
    prediction = publishing.recognizer(artifact).predict(text)
    intents = [{"category": name, "confidenceScore": round(score, 6)} for name, score in prediction.intents.items()]
    top = intents[0]["category"] if intents and intents[0]["confidenceScore"] >= threshold else "None"
    found = projects.entity_matches(prediction.entities, roles, specs)
    entities = [_entity(*match, text, index_type) for match in found]
    item = task["analysisInput"]["conversationItem"]
    return jsonify({"kind": "ConversationResult", "result": {
        "query": text, **({"detectedLanguage": item["language"]} if item.get("language") else {}),
        "prediction": {"projectKind": "Conversation", "topIntent": top, "intents": intents, "entities": entities}}})


def _entity(category: str, start: int, end: int, spans: list[EntitySpan], text: str, index_type: str) -> dict:
    offset, length = clu.span_units(text, start, end, index_type)
    entity = {"category": category, "text": text[start:end], "offset": offset, "length": length, "confidenceScore": 1}
    extra = [info for span in spans for info in _extra_information(category, span)]
    resolutions = [r for span in spans if isinstance(span.resolution, PrebuiltValue)
                   for r in _resolutions(span.entity, span.resolution)]
    return entity | ({"extraInformation": extra} if extra else {}) | (
        {"resolutions": resolutions} if resolutions else {})


def _extra_information(category: str, span: EntitySpan) -> list[dict]:
    if span.kind == "list":
        return [{"extraInformationKind": "ListKey", "key": key} for key in span.resolution]
    if span.kind == "regex":
        return [{"extraInformationKind": "RegexKey", "key": category}]
    if isinstance(span.resolution, PrebuiltValue):
        return [{"extraInformationKind": "EntitySubtype", "value": _subtype(span)}]
    return []


def _subtype(span: EntitySpan) -> str:
    """`datetime.date`, `quantity.number`...: the CLU prebuilt's name, with datetime's subtype."""
    if span.entity == "datetimeV2":
        return "datetime." + span.resolution.type.rsplit(".", 1)[-1]
    return clu.PREBUILTS.get(span.entity, span.entity).lower().replace(" ", "")


def _resolutions(name: str, value: PrebuiltValue) -> list[dict]:
    v3 = value.v3
    if name in ("number", "percentage"):
        kind = "Percent" if name == "percentage" else "Integer" if isinstance(v3, int) else "Decimal"
        return [{"resolutionKind": "NumberResolution", "numberKind": kind, "value": v3}]
    if name in ("ordinal", "ordinalV2"):
        offset = v3["offset"] if isinstance(v3, dict) else v3
        relative = v3["relativeTo"].capitalize() if isinstance(v3, dict) else "Start"
        return [{"resolutionKind": "OrdinalResolution", "offset": str(offset), "relativeTo": relative,
                 "value": str(offset)}]
    if name in _UNIT_RESOLUTIONS and isinstance(v3, dict):
        return [{"resolutionKind": _UNIT_RESOLUTIONS[name], "value": v3.get("number"),
                 "unit": v3.get("unit") or v3.get("units")}]
    if name == "datetimeV2":
        return [_datetime(v3["type"], group["timex"], item) for group in v3["values"] for item in group["resolution"]]
    return []


def _datetime(subtype: str, timex: str, item: dict) -> dict:
    if "value" in item:
        kind = _DATETIME_KINDS.get(subtype, "DateTime")
        return {"resolutionKind": "DateTimeResolution", "dateTimeSubKind": kind, "timex": timex,
                "value": item["value"]}
    bounds = {"begin": item.get("start"), "end": item.get("end")}
    return {"resolutionKind": "TemporalSpanResolution", "timex": timex} | {k: v for k, v in bounds.items() if v}
