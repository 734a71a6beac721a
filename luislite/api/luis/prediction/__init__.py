"""LUIS prediction API: v3.0 (and its older prefixes) and v2.0, any authoring or endpoint key."""
import datetime as dt

from flask import Flask, request

from luislite.api.errors import LuisError, bad_argument
from luislite.api.luis import V2_PREFIX, V3_PREFIXES
from luislite.domain.appversion import LIMITS, ListEntity, SubList
from luislite.nlu.prediction import EntitySpan, ExternalValue, RequestEntities
from luislite.nlu.recognizer import Recognizer
from luislite.api.luis.schemas.prediction import RequestEntities as RequestEntitiesSchema


def check_query(query) -> str:
    """The utterance to predict: a non-empty string of at most 500 characters (414 beyond, as LUIS)."""
    if not isinstance(query, str) or not query.strip():
        raise bad_argument("The query is missing or empty.")
    if len(query) > LIMITS["text"]:
        raise LuisError(414, "414", f"The query length exceeds the maximum of {LIMITS['text']} characters.")
    return query


def request_entities(query: str, body: dict | None, recognizer: Recognizer) -> RequestEntities | None:
    """A v3 POST body's `dynamicLists` and `externalEntities`, checked against the app and the query."""
    if not body or not (body.get("dynamicLists") or body.get("externalEntities")):
        return None
    loaded = RequestEntitiesSchema().load(body)
    lists = [ListEntity(_entity(recognizer, d["listEntityName"], "list")[0],
                        sublists=[SubList(r["canonicalForm"], r["synonyms"]) for r in d["requestLists"]])
             for d in loaded["dynamicLists"] or []]
    external = [_external(query, e, recognizer) for e in loaded["externalEntities"] or []]
    options = body.get("options") if isinstance(body.get("options"), dict) else {}
    return RequestEntities(lists, external, options.get("preferExternalEntities", True) is not False)


def _entity(recognizer: Recognizer, name: str, kind: str | None = None) -> tuple[str, str]:
    """(name as the app spells it, span kind) of the app's entity `name` (of that kind); else a 400."""
    found = recognizer.entity(name)
    if found is None or (kind and found[1] != kind):
        raise bad_argument(f"The app has no {kind + ' ' if kind else ''}entity named '{name}'.")
    return found


def _external(query: str, entity: dict, recognizer: Recognizer) -> EntitySpan:
    start, end = entity["startIndex"], entity["startIndex"] + entity["entityLength"]
    if end > len(query):
        raise bad_argument(f"The external entity '{entity['entityName']}' ends past the end of the query.")
    name, kind = _entity(recognizer, entity["entityName"])
    resolution = ExternalValue(entity["resolution"]) if entity.get("resolution") is not None else None
    return EntitySpan(name, start, end, entity.get("score"), kind=kind, resolution=resolution,
                      source="externalEntities")


def datetime_reference(body=None) -> dt.datetime | None:
    """The time relative dates resolve against: v3 `datetimeReference` (query or POST `options`), v2
    `timezoneOffset` (minutes from UTC); None for the server's clock. A wall-clock time, its zone dropped."""
    options = body.get("options") if isinstance(body, dict) else None
    value = (options.get("datetimeReference") if isinstance(options, dict) else None) \
        or request.args.get("datetimeReference")
    if value:
        try:
            return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            raise bad_argument(f"The datetimeReference '{value}' is not an ISO 8601 date and time.") from None
    offset = request.args.get("timezoneOffset")
    if offset:
        try:  # nan, inf and offsets past year 9999 overflow timedelta or datetime
            return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=float(offset))).replace(tzinfo=None)
        except (ValueError, OverflowError):
            raise bad_argument(f"The timezoneOffset '{offset}' is not a time zone's minutes from UTC.") from None
    return None


def register(app: Flask) -> None:
    from luislite.api.luis.prediction import v2, v3

    for n, prefix in enumerate(V3_PREFIXES):
        app.register_blueprint(v3.bp, url_prefix=prefix, name=f"predict_v3_{n}")
    app.register_blueprint(v2.bp, url_prefix=V2_PREFIX)
