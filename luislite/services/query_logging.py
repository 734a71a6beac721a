"""The endpoint query log: predictions asked with `log=true`, LUIS's CSV export of them, and the review list; and
the count of each app's endpoint hits (its slots' predictions, `endpointHitsCount`).

The review list is LUIS's "review endpoint utterances" (active learning): logged queries the model was
unsure of (top score below a threshold, or the top two intents within a margin), newest first, one per
distinct text, leaving out texts already labeled as examples. Accepting one adds it as a labeled example;
accepting or dismissing takes every logged query with that text off the list (the log itself is kept).
"""
import logging

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from luislite.services import authoring
from luislite.domain.appversion import Label, Utterance
from luislite.db import App, Example, Publication, QueryLog, Version, db, has_database, utcnow
from luislite.errors import AppVersionError, NotFound
from luislite.nlu.prediction import EntitySpan, Prediction

log = logging.getLogger(__name__)
CSV_HEADER = '"Query","UTC DateTime","Response"\r\n'
LABELED_KINDS = ("ml", "composite")  # what an example can label; list, regex and prebuilt entities find themselves
_NOT_ON_LIST = "Cannot find an utterance with the specified ID on the review list."


# --- after a prediction (the prediction hot path: one short transaction) --------------------------

def record(app_id: str, query: str, prediction: Prediction, response: str, *, logged: bool, slot: str | None = None,
           version_id: str | None = None) -> None:
    """Count a slot's prediction as one of the app's endpoint hits (`endpointHitsCount`) and, if `logged`, store it
    in the query log, a slot's version looked up inside the INSERT. A failure only warns.

    One short Core transaction of its own (through the ORM session it took twice as long); a version's prediction
    (the test panel's) is no endpoint hit, and unlogged, needs none.
    """
    if slot is None and not logged or not has_database():  # a prediction-only node keeps no log
        return
    row = _row(app_id, query, prediction, response, slot) if logged else None
    try:
        db.session.rollback()  # end the request's read transaction, if any, before the write's own
        with db.engine.begin() as connection:
            if slot is not None:
                connection.execute(_HIT, {"hit_app": app_id.lower()})
            if row and slot is None:
                connection.execute(_INSERT, row | {"version_id": version_id})
            elif row:
                connection.execute(_INSERT_FOR_SLOT, row | {"served_app": row["app_id"], "served_slot": row["slot"]})
    except SQLAlchemyError:  # the answer matters more than its count and log entry
        log.warning("could not count or log the query for app %s", app_id, exc_info=True)


def _row(app_id: str, query: str, prediction: Prediction, response: str, slot: str | None) -> dict:
    scores = iter(prediction.intents.values())
    score, second = next(scores), next(scores, 0.0)
    return {"app_id": app_id.lower(), "slot": slot.lower() if slot else None, "query": query,
            "text_key": query.lower(), "response": response, "top_intent": prediction.top_intent, "score": score,
            "second_score": second, "entities": [_span_json(s, query) for s in prediction.entities],
            "created": utcnow()}


# built once: a plain Core INSERT compiles once and is cached (an ORM insert with values() is ~5x slower)
_INSERT = QueryLog.__table__.insert()
_SLOT_VERSION = sa.select(Publication.version_id).where(Publication.app_id == sa.bindparam("served_app"),
                                                        Publication.slot == sa.bindparam("served_slot"))
_INSERT_FOR_SLOT = QueryLog.__table__.insert().values(version_id=_SLOT_VERSION.scalar_subquery())
_HIT = sa.update(App).where(App.id == sa.bindparam("hit_app")).values(endpoint_hits=App.endpoint_hits + 1)


def _span_json(span: EntitySpan, text: str) -> dict:
    doc = {"entity": span.entity, "startPos": span.start, "endPos": span.end - 1, "text": text[span.start:span.end],
           "kind": span.kind}
    if span.role:
        doc["role"] = span.role
    if span.children:
        doc["children"] = [_span_json(c, text) for c in span.children]
    return doc


# --- the CSV export ---------------------------------------------------------------------------

def csv_lines(app_id: str):
    """`GET /apps/{appId}/querylogs`: a header row, then one quoted row per logged query, oldest first."""
    yield CSV_HEADER
    rows = db.session.execute(sa.select(QueryLog.query, QueryLog.created, QueryLog.response)
                              .where(QueryLog.app_id == app_id).order_by(QueryLog.id)
                              .execution_options(yield_per=500))
    for query, created, response in rows:
        yield f"{_quote(query)},{created:%m/%d/%Y %H:%M:%S},{_quote(response)}\r\n"


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


# --- the review list --------------------------------------------------------------------------

def _pending(version: Version):
    return sa.and_(QueryLog.app_id == version.app_id, QueryLog.version_id == version.version_id,
                   QueryLog.review.is_(None))


def review_list(version: Version, skip: int, take: int, threshold: float, margin: float) -> list[QueryLog]:
    """Unsure predictions of this version waiting for review, newest first, the latest one per distinct text."""
    latest = sa.select(sa.func.max(QueryLog.id)).where(_pending(version)).group_by(QueryLog.text_key)
    labeled = sa.select(Example.id).where(Example.version_pk == version.pk, Example.text_key == QueryLog.text_key)
    unsure = sa.or_(QueryLog.score < threshold, QueryLog.score - QueryLog.second_score < margin)
    return db.session.scalars(sa.select(QueryLog).where(QueryLog.id.in_(latest), unsure, ~labeled.exists())
                              .order_by(QueryLog.id.desc()).offset(skip).limit(take)).all()


def pending(version: Version, log_id: int) -> QueryLog:
    """A logged query of this version still on the review list, or NotFound."""
    entry = db.session.get(QueryLog, log_id) if -2 ** 63 <= log_id < 2 ** 63 else None
    if entry is None or entry.app_id != version.app_id or entry.version_id != version.version_id or entry.review:
        raise NotFound(_NOT_ON_LIST)
    return entry


def predicted_utterance(entry: QueryLog, intent: str | None = None) -> Utterance:
    """The logged query labeled as the model predicted it (entities an example can label), or with `intent`."""
    def label(doc: dict) -> Label:
        return Label(doc["entity"], doc["startPos"], doc["endPos"] + 1, doc.get("role"),
                     [label(c) for c in doc.get("children") or []])

    labels = [label(d) for d in entry.entities if d.get("kind", "ml") in LABELED_KINDS]
    return Utterance(entry.query, intent or entry.top_intent, labels)


def accept(version: Version, entry: QueryLog, utterance: Utterance) -> Example:
    """Add the reviewed utterance as a labeled example and take its text off the review list."""
    [result] = authoring.add_examples(version, [utterance])
    if isinstance(result, AppVersionError):
        raise result
    _mark(version, entry.text_key, "accepted")
    return result


def dismiss(version: Version, text: str) -> int:
    """Take every logged query with this text (any case) off the review list; how many there were."""
    return _mark(version, text.lower(), "dismissed")


def _mark(version: Version, text_key: str, review: str) -> int:
    return db.session.execute(sa.update(QueryLog).where(_pending(version), QueryLog.text_key == text_key)
                              .values(review=review)).rowcount
