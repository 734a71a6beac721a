"""The training worker: a separate process that takes queued jobs, fine-tunes, and stores artifacts.

Torch is CPU-bound; running it in the server process would starve requests, so the server only
enqueues (see jobs.py) and this process trains. Several workers may run; each job is claimed once.
It runs batch tests (luislite/batchtest.py) the same way, from their own table: training jobs first.
"""
import ctypes
import logging
import os
import threading
import time
import traceback

from luislite import store
from luislite.services import batch_testing as batchtest
from luislite.services import clu, publishing
from luislite.services import readiness as health
from luislite.services.authoring import load
from luislite.db import BatchTest, TrainingJob, Version, db
from luislite.errors import LuisliteError
from luislite.training import jobs

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 5  # a running job's heartbeat: 9 in jobs.STALE_AFTER, so a busy database rarely misses them all
RECOVER_SECONDS = 10  # how often a worker fails jobs whose worker died (and collects garbage)
ALIVE_SECONDS = 5  # how often the worker refreshes its heartbeat file for /ready


def run(app, once: bool = False, parent_pid: int | None = None) -> None:
    """Train queued jobs forever (or until the queue is empty, with `once`).

    With `parent_pid`, the worker exits as soon as that process is gone, even mid-training.
    """
    if parent_pid:
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    if not once:
        _warm_up(app.config["LUISLITE"])
    with app.app_context():
        recovered, beating = 0.0, once  # a long-running worker beats for /ready once it has used the database
        worked = False
        while True:
            db.session.rollback()  # no read left open: on SQLite it could not become the round's first write
            if time.monotonic() - recovered > RECOVER_SECONDS:
                jobs.recover_stale()
                jobs.recover_stale(BatchTest, "Interrupted: the worker running the batch test stopped.")
                publishing.collect_garbage()  # and what a killed training left
                recovered = time.monotonic()
            table, job_id = jobs.claim_work()
            if not beating:
                threading.Thread(target=_beat, args=(app.config["LUISLITE"].data_dir,), daemon=True).start()
                beating = True
            if table is TrainingJob:
                try:
                    train_job(app, job_id)
                except Exception as error:  # one bad job must not stop the worker (nor leave later jobs Queued)
                    db.session.rollback()
                    jobs.finish(job_id, None, 0, _failed(app, job_id, error))
            elif table is BatchTest:
                batch_test_job(app, job_id)
            if table is not None:
                worked = True
                continue
            if worked:
                _return_freed_memory()
                worked = False
            if once:
                return
            time.sleep(POLL_SECONDS)


def _return_freed_memory() -> None:
    """Hand the heap's free pages back to the system once the queue is empty: glibc keeps what a training freed
    (about 0.7 GB after a multilingual one) for the process's next allocations."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except AttributeError:  # not glibc: its allocator returns memory its own way
        pass


def _warm_up(config) -> None:
    """Import torch and transformers and load the English encoder before the first job (and before /ready), so that
    a first Train answers as fast as the next ones rather than seconds later."""
    try:
        from luislite.nlu.encoder import base_model_dir
        from luislite.nlu.fit import pretrained

        pretrained(base_model_dir(config.base_model_for("en-us"), "en-us", config.encoder_cache))
    except Exception:  # a missing encoder fails the jobs that need it, each with its reason
        log.warning("could not load the English encoder ahead of training", exc_info=True)


def _beat(data_dir) -> None:
    while True:
        try:
            health.beat(data_dir)
        except OSError:
            log.warning("cannot write the worker heartbeat file", exc_info=True)
        time.sleep(ALIVE_SECONDS)


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1)
    log.warning("the server process is gone: training worker exiting")
    os._exit(0)


def train_job(app, job_id: int) -> None:
    """Train a job's version: a quick model first where the recipe has one (then a refinement of it is queued), or
    for a refinement job the full recipe, which replaces the quick model wherever it still serves."""
    from luislite.nlu.encoder import base_model_dir
    from luislite.nlu.fit import Recipe, train  # torch loads only in the worker

    job = db.session.get(TrainingJob, job_id)
    refining, version = job.kind == "refine", db.session.get(Version, job.version_pk)
    if version is None:  # deleted while queued
        jobs.finish(job_id, None, 0, "The version was deleted.")
        return
    if refining and jobs.superseded(job):
        jobs.finish(job_id, None, 0, jobs.SUPERSEDED)
        return
    definition, revision, app_id = load(version, utterances=True), job.revision, version.app_id
    config, stats = app.config["LUISLITE"], {}
    what = f"app {version.app_id} version {version.version_id}"
    log.info("%s %s: %d utterances, %d intents", "refining" if refining else "training", what,
             len(definition.utterances), len(definition.intents))
    db.session.close()  # training takes minutes: hold no transaction (and no row) until `finish`
    heartbeat = _Heartbeat(app, job_id, yields=refining)

    def fit(out_dir):
        base_model = base_model_dir(config.base_model_for(definition.culture), definition.culture,
                                    config.encoder_cache)
        stats.update(train(definition, out_dir, base_model, heartbeat.update, threads=config.train_threads,
                           recipe=Recipe(**config.train_recipe), cache=config.encoder_cache, quick=not refining))

    try:
        artifact = store.current().write(fit, prefix=app_id)
        if not refining:
            _evaluate_for_clu(job_id, artifact)
    except jobs.Cancelled:
        log.info("training job %s cancelled", job_id)
        return
    except jobs.Yielded:  # a Train (or a batch test) answers within seconds even while the worker refines
        log.info("refinement job %s queued again: a training or a batch test waits", job_id)
        jobs.requeue(job_id)
        return
    except Exception as error:  # any failure becomes a Fail status the client can read
        jobs.finish(job_id, None, revision, _failed(app, job_id, error))
        return
    finally:
        heartbeat.stop()
    log.info("%s %s in %s", "refined" if refining else "trained", what, _figures(stats))
    if refining:
        jobs.refined(job_id, artifact)
    else:
        jobs.finish(job_id, artifact, revision, refine=stats["quick"])
    publishing.collect_garbage()


def _evaluate_for_clu(job_id: int, artifact: str) -> None:
    """The CLU evaluations of the model, while the job is still InProgress (its heartbeat goes on); a failure is
    logged and leaves them to the polls."""
    try:
        clu.evaluate_in_worker(job_id, artifact)
    except Exception:  # an evaluation must not fail the training
        db.session.rollback()
        log.warning("could not evaluate training job %s for CLU", job_id, exc_info=True)


def _figures(stats: dict) -> str:
    """A training's figures for the log: `12.3 s: 300 steps, 43 epochs, last loss 0.0123; on 40 validation ...`."""
    text = f"{stats['seconds']} s: {stats['steps']} steps, {stats['epochs']} epochs, last loss {stats['loss']}"
    kept = stats.get("kept_validation")
    if kept:
        text += (f"; on {stats['validation_examples']} validation utterances: intent accuracy "
                 f"{kept['intent_accuracy']:.3f}, entity F1 {kept['slot_f1']:.3f}")
    return text


def batch_test_job(app, test_id: int) -> None:
    heartbeat = _Heartbeat(app, test_id, BatchTest)
    try:
        batchtest.run(test_id, progress=heartbeat.update)
    except Exception:  # e.g. the database went away: the test fails, the worker goes on
        log.error("batch test %s failed:\n%s", test_id, traceback.format_exc())
        batchtest.finish(test_id, failure="BatchTestFailed: see the worker log.")
    finally:
        heartbeat.stop()


def _failed(app, job_id: int, error: Exception) -> str:
    """The failure reason of a job: a client error's message (no examples, say), else a reference to the log.

    Anything but a client error is luislite's or the machine's: its traceback is logged and kept in
    `logs/training-<job>.log` under the data dir, and the reason names the exception and that file.
    """
    if isinstance(error, LuisliteError):
        log.info("training job %s failed: %s", job_id, error)
        return str(error)[:500]
    trace = traceback.format_exc()
    log.error("training job %s failed:\n%s", job_id, trace)
    name = f"logs/training-{job_id}.log"
    try:
        path = app.config["LUISLITE"].data_dir / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(trace)
    except OSError:
        log.warning("cannot write %s", name, exc_info=True)
    return f"TrainingFailed: an internal error ({type(error).__name__}) in training job {job_id}; its traceback is " \
           f"in {name} under the data directory and in the worker's log."


class _Heartbeat:
    """Writes progress (and so a heartbeat) from the training loop at most every few seconds, plus a timer; with
    `yields`, it also looks whether a training or a batch test waits."""

    def __init__(self, app, job_id: int, table=TrainingJob, yields: bool = False):
        self.app, self.job_id, self.table, self.progress, self.last = app, job_id, table, {}, 0.0
        self.cancelled = self.yielded = False
        self.yields = yields
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._thread.start()

    def update(self, progress: dict) -> None:
        """Called from the training loop: raises jobs.Cancelled once the job was cancelled, jobs.Yielded once a
        training or a batch test waits for a job that yields."""
        if self.cancelled:
            raise jobs.Cancelled(self.job_id)
        if self.yielded:
            raise jobs.Yielded(self.job_id)
        self.progress = dict(progress)
        if time.monotonic() - self.last > 1.0:
            self._write()

    def _write(self) -> None:
        self.last = time.monotonic()
        try:
            with self.app.app_context():
                self.cancelled = not jobs.report_progress(self.job_id, self.progress, self.table)
                self.yielded = self.yields and jobs.work_waiting()
        except Exception:  # progress is informative: a busy database must not fail the training
            log.warning("could not record training progress", exc_info=True)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self._write()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._write()  # the last progress (the final step) came sooner than the write interval allowed
