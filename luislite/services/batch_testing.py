"""Batch tests: a labeled test set run against a version's or a slot's model, as a job, and its report.

The server only records the test (`enqueue`); the training worker process claims it with the same
queue helpers as training (training/jobs.py) and `run`s it: it predicts every utterance with the model
the version or slot serves at that moment and stores `evaluation.report` as JSON.

Which predicted entities are scored: those an example can label (machine-learned, composite,
pattern.any, with their children) and any other entity the test set labels somewhere. A list, regex or
prebuilt entity that the test set never labels is not counted as a false positive. Intent and entity
names match the test set's spelling regardless of case.
"""
import logging
import traceback

import sqlalchemy as sa

from luislite.services import publishing
from luislite.services.authoring import get_app
from luislite.db import App, BatchTest, db, utcnow
from luislite.domain.evaluation import Example, Span, report
from luislite.errors import ModelUnavailable, NotFound
from luislite.nlu.prediction import EntitySpan, Prediction

log = logging.getLogger(__name__)
MAX_UTTERANCES = 1000  # as LUIS's batch test
LEARNED_KINDS = ("ml", "composite", "pattern.any")
_NOT_FOUND = "Cannot find a batch test with the specified ID."


# --- in the server ----------------------------------------------------------------------------

def enqueue(app_id: str, utterances: list[dict], *, version_id: str | None = None,
            slot: str | None = None) -> BatchTest:
    """Queue a batch test of a trained version or a published slot (NotFound otherwise)."""
    if slot is not None:
        publishing.slot_artifact(app_id, slot)
        test = BatchTest(app_id=get_app(app_id).id, slot=slot.lower(), utterances=utterances)
    else:
        publishing.version_artifact(app_id, version_id)
        test = BatchTest(app_id=get_app(app_id).id, version_id=version_id, utterances=utterances)
    db.session.add(test)
    db.session.flush()
    return test


def get(app_id: str, test_id: int, *, version_id: str | None = None, slot: str | None = None) -> BatchTest:
    """The batch test `test_id` of this app's version or slot, or NotFound."""
    app = get_app(app_id)
    test = db.session.get(BatchTest, test_id) if 0 <= test_id < 2 ** 63 else None
    if (test is None or test.app_id != app.id or test.version_id != version_id
            or test.slot != (slot.lower() if slot else None)):
        raise NotFound(_NOT_FOUND)
    return test


def title(test: BatchTest) -> str:
    target = f"slot {test.slot}" if test.slot else f"version {test.version_id}"
    app = db.session.get(App, test.app_id)
    return f"Batch test {test.id} of {app.name if app else test.app_id} ({target})"


# --- in the worker ----------------------------------------------------------------------------

def run(test_id: int, progress=lambda progress: None) -> None:
    """Predict every utterance of a claimed batch test and store the report (or the failure)."""
    test = db.session.get(BatchTest, test_id)
    if test is None:  # its app was deleted
        return
    try:
        artifact = (publishing.slot_artifact(test.app_id, test.slot) if test.slot
                    else publishing.version_artifact(test.app_id, test.version_id))
    except NotFound as error:
        finish(test_id, failure=str(error))
        return
    gold = [Example.from_batch_json(doc) for doc in test.utterances]
    db.session.close()  # predicting may take a while: hold no transaction until `finish`
    try:
        recognizer = publishing.recognizer(artifact)
        naming = _Naming(gold)
        predicted = []
        for done, example in enumerate(gold, 1):
            predicted.append(naming.example(example.text, recognizer.predict(example.text)))
            progress({"utterances": len(gold), "done": done})
        result = report(gold, predicted)
    except ModelUnavailable as error:
        finish(test_id, artifact=artifact, failure=str(error))
        return
    except Exception:  # a bad model or test set fails this test, not the worker
        log.error("batch test %s failed:\n%s", test_id, traceback.format_exc())
        finish(test_id, artifact=artifact, failure="BatchTestFailed: see the worker log.")
        return
    finish(test_id, artifact=artifact, result=result, progress={"utterances": len(gold), "done": len(gold)})


def finish(test_id: int, artifact: str | None = None, result: dict | None = None, failure: str | None = None,
           progress: dict | None = None) -> None:
    values = {"status": "Fail" if failure else "Success", "failure_reason": failure, "artifact": artifact,
              "report": result, "finished": utcnow()}
    db.session.rollback()
    db.session.execute(sa.update(BatchTest).where(BatchTest.id == test_id).values(
        values | ({"progress": progress} if progress else {})))
    db.session.commit()


class _Naming:
    """Predictions as `evaluation.Example`s named as the test set names intents and entities."""

    def __init__(self, gold: list[Example]):
        self.intents = {e.intent.lower(): e.intent for e in gold}
        self.entities = {s.entity.lower(): s.entity for e in gold for s in e.spans}

    def example(self, text: str, prediction: Prediction) -> Example:
        intent = self.intents.get(prediction.top_intent.lower(), prediction.top_intent)
        spans: list[Span] = []
        self._collect(prediction.entities, spans)
        return Example(text, intent, spans)

    def _collect(self, found: list[EntitySpan], spans: list[Span]) -> None:
        for span in found:
            names = [span.entity] + ([f"builtin.{span.entity}"] if span.kind == "prebuilt" else [])
            labeled = next((self.entities[n.lower()] for n in names if n.lower() in self.entities), None)
            if labeled or span.kind in LEARNED_KINDS:
                spans.append(Span(span.start, span.end, labeled or names[-1]))
            self._collect(span.children, spans)
