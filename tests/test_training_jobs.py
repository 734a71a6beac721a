"""Training jobs after a crash: a job left InProgress by a dead worker is failed, never stuck, and the queue goes on.

`jobs.recover_stale` fails InProgress jobs whose heartbeat is older than 60 s. The database-level tests check
that threshold directly; the live test kills a real worker mid-training, ages the heartbeat in the stopped
server's database (standing in for a minute of downtime) and restarts the server on the same data dir.
"""
import os
import signal
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from conftest import Http
from luislite import create_app
from luislite.config import Config
from luislite.db import TrainingJob, Version, db
from luislite.services import clu
from luislite.training import jobs, worker
from tiny_app import signal_all, stop_in_training, training_workers

KEY = "00000000-1111-4222-8333-444444444444"
AUTHORING = "/luis/authoring/v3.0-preview"


@pytest.fixture
def flask_app(tmp_path, database_url):
    app = create_app(Config(tmp_path, database_url(tmp_path), [KEY]))
    with app.app_context():
        from luislite.services import authoring
        authoring.create_app("jobs", "en-us")
        db.session.commit()
        yield app


def _running_job(age: timedelta) -> int:
    """A claimed job of the only version whose last heartbeat is `age` old, as a worker would leave it."""
    version = db.session.scalar(db.select(Version))
    assert jobs.enqueue(version) == "Queued"
    db.session.commit()
    job_id = jobs.claim_next()
    job = db.session.get(TrainingJob, job_id)
    job.heartbeat = (datetime.now(timezone.utc) - age).replace(tzinfo=None)
    db.session.commit()
    return job_id


def test_recent_heartbeat_is_left_alone(flask_app):
    job_id = _running_job(jobs.STALE_AFTER - timedelta(seconds=10))
    assert jobs.recover_stale() == 0
    assert db.session.get(TrainingJob, job_id).status == "InProgress"


def test_stale_heartbeat_fails_the_job(flask_app):
    job_id = _running_job(jobs.STALE_AFTER + timedelta(seconds=10))
    worker.run(flask_app, once=True)  # what a restarted worker does first; the queue is then empty
    db.session.expire_all()
    job = db.session.get(TrainingJob, job_id)
    assert job.status == "Fail" and "Interrupted" in job.failure_reason and job.finished is not None
    version = db.session.get(Version, job.version_pk)
    statuses = jobs.model_statuses(version)
    assert statuses and {s["details"]["status"] for s in statuses} == {"Fail"}
    assert all(s["details"]["failureReason"] for s in statuses)
    assert jobs.enqueue(version) == "Queued"  # it can be trained again


def test_a_cancelled_job_is_not_trained_and_its_worker_stops(flask_app):
    """Cancelled while queued, no worker takes it; cancelled while training, the worker's next progress report
    stops it (jobs.Cancelled from the training loop) and its outcome is not recorded."""
    version = db.session.scalar(db.select(Version))
    jobs.enqueue(version)
    db.session.commit()
    assert jobs.cancel(jobs.latest_job(version).id)
    db.session.commit()
    assert jobs.claim_next() is None
    job_id = _running_job(timedelta(0))
    heartbeat = worker._Heartbeat(flask_app, job_id)
    heartbeat.update({"step": 10})
    assert jobs.cancel(job_id) and not jobs.cancel(job_id)
    db.session.commit()
    heartbeat._write()  # what its timer does every few seconds
    with pytest.raises(jobs.Cancelled):
        heartbeat.update({"step": 20})
    heartbeat.stop()
    jobs.finish(job_id, "late-model", 1)
    db.session.expire_all()
    job = db.session.get(TrainingJob, job_id)
    assert (job.status, job.failure_reason, job.progress) == ("Fail", jobs.CANCELLED, {"step": 10})
    assert db.session.get(Version, job.version_pk).artifact is None


def test_a_finished_job_whose_version_was_deleted_is_ignored(flask_app):
    """The version (and its job rows) may be deleted while the worker trains: finishing must not crash the worker."""
    job_id = _running_job(timedelta(0))
    version = db.session.scalar(db.select(Version))
    db.session.delete(version.app)
    db.session.commit()
    jobs.finish(job_id, "some-artifact", 1)
    assert db.session.get(TrainingJob, job_id) is None


def _written_by_another_connection(job_id: int) -> None:
    """What the training's heartbeat thread (or a request) does while the worker holds a read transaction."""
    with db.engine.connect() as other:
        other.execute(sa.update(TrainingJob).where(TrainingJob.id == job_id).values(progress={"step": 1}))
        other.commit()


def test_a_job_ends_though_another_connection_wrote_since_the_worker_read(flask_app):
    """The worker reads the job and its version (deleted, superseded?), its heartbeat writes, then the worker ends
    the job: on SQLite that read transaction could not become the write ("database is locked" ended the worker)."""
    job_id = _running_job(timedelta(0))
    assert db.session.get(Version, db.session.get(TrainingJob, job_id).version_pk) is not None  # a read begins
    _written_by_another_connection(job_id)
    jobs.finish(job_id, None, 0, jobs.SUPERSEDED)
    assert db.session.get(TrainingJob, job_id).status == "Fail"


def test_a_clu_poll_ends_its_job_though_another_connection_wrote_since_it_read(flask_app):
    """A CLU training poll reads its job and the LUIS training's, then records how it ended: on SQLite that read
    could not become the write when the worker had written meanwhile (the poll answered 503)."""
    job_id = _running_job(timedelta(0))
    jobs.finish(job_id, None, 0, "TrainingFailed: the disk caught fire")
    poll = clu.new_job("train", "jobs", versionPk=db.session.get(TrainingJob, job_id).version_pk)
    poll.status, poll.training_job_id = "running", job_id
    db.session.commit()
    assert db.session.get(clu.CluJob, poll.id).status == "running"  # a read begins
    _written_by_another_connection(job_id)
    ended = clu.get_job(poll.id, "train")
    assert (ended.status, ended.errors[0]["message"]) == ("failed", "TrainingFailed: the disk caught fire")


def test_an_older_job_finishing_last_keeps_the_newer_model(flask_app):
    """With several workers, the job of an older revision may finish after the newer one: the newer model stays."""
    from luislite.services import authoring

    version = db.session.scalar(db.select(Version))
    jobs.enqueue(version)
    db.session.commit()
    older = jobs.claim_next()
    version = db.session.scalar(db.select(Version))
    authoring.touch(version)  # an edit while the first worker trains
    jobs.enqueue(version)
    db.session.commit()
    newer = jobs.claim_next()
    jobs.finish(newer, "model-2", 2)
    jobs.finish(older, "model-1", 1)
    version = db.session.scalar(db.select(Version))
    assert (version.artifact, version.trained_revision) == ("model-2", 2)
    assert authoring.training_status(version) == "Trained"


def test_a_quick_model_is_refined_where_it_still_serves(flask_app):
    """A training that answered with a quick model queues its refinement, which waits behind trainings; once done,
    the version and every slot that served the quick model serve the refined one, and the status says so."""
    from luislite.db import Publication
    from luislite.services import authoring

    version = db.session.scalar(db.select(Version))
    jobs.enqueue(version)
    db.session.commit()
    trained = jobs.claim_next()
    jobs.finish(trained, "quick-model", version.revision, refine=True)
    db.session.add(Publication(app_id=version.app_id, slot="production", version_id="0.1", artifact="quick-model"))
    db.session.add(Publication(app_id=version.app_id, slot="staging", version_id="0.1", artifact="older-model"))
    other = db.session.scalar(db.select(Version))
    db.session.commit()
    assert jobs.model_statuses(other)[0]["details"]["refinement"] == {"status": "Queued"}
    refinement = jobs.latest_job(other, "refine")
    assert (refinement.replaces, refinement.revision) == ("quick-model", version.revision)
    assert authoring.training_status(other) == "Trained"  # a refinement is not a training: the version is trained
    assert jobs.claim_next() == refinement.id
    jobs.refined(refinement.id, "refined-model")
    db.session.expire_all()
    version = db.session.scalar(db.select(Version))
    assert version.artifact == "refined-model"
    slots = dict(db.session.execute(db.select(Publication.slot, Publication.artifact)).all())
    assert slots == {"production": "refined-model", "staging": "older-model"}
    assert jobs.model_statuses(version)[0]["details"]["refinement"] == {"status": "Success"}


def test_training_again_supersedes_a_queued_refinement(flask_app):
    from luislite.services import authoring

    version = db.session.scalar(db.select(Version))
    jobs.enqueue(version)
    db.session.commit()
    jobs.finish(jobs.claim_next(), "quick-model", version.revision, refine=True)
    version = db.session.scalar(db.select(Version))
    authoring.touch(version)
    assert jobs.enqueue(version) == "Queued"
    db.session.commit()
    refinement = jobs.latest_job(version, "refine")
    assert (refinement.status, refinement.failure_reason) == ("Fail", jobs.SUPERSEDED)
    assert jobs.claim_next() == jobs.latest_job(version).id  # the new training, not the refinement


def _yielding_refinement(flask_app, queue_work) -> tuple[Version, int]:
    """The version's quick model being refined, then `queue_work(version)`: the refinement yields to it and is
    queued again; (the version, the refinement's id)."""
    version = db.session.scalar(db.select(Version))
    jobs.enqueue(version)
    db.session.commit()
    jobs.finish(jobs.claim_next(), "quick-model", version.revision, refine=True)
    refinement = jobs.claim_next()
    heartbeat = worker._Heartbeat(flask_app, refinement, yields=True)
    heartbeat.update({"step": 10})  # nothing waits: it goes on
    queue_work(version)
    db.session.commit()
    heartbeat._write()
    with pytest.raises(jobs.Yielded):
        heartbeat.update({"step": 20})
    heartbeat.stop()
    jobs.requeue(refinement)
    return version, refinement


def test_a_refinement_yields_to_a_waiting_training_and_is_queued_again(flask_app):
    from luislite.services import authoring

    def another_training(version):
        authoring.create_app("another", "en-us")
        db.session.commit()
        jobs.enqueue(db.session.scalar(db.select(Version).where(Version.pk != version.pk)))

    version, refinement = _yielding_refinement(flask_app, another_training)
    other = db.session.scalar(db.select(Version).where(Version.pk != version.pk))
    db.session.expire_all()
    assert (db.session.get(TrainingJob, refinement).status, db.session.get(TrainingJob, refinement).started) == \
        ("Queued", None)
    assert jobs.claim_work() == (TrainingJob, jobs.latest_job(other).id)
    assert jobs.claim_work() == (TrainingJob, refinement)


def test_a_batch_test_goes_before_a_refinement_and_a_running_one_yields_to_it(flask_app, monkeypatch):
    """A refinement can take minutes: a batch test queued meanwhile runs first, as a training does."""
    from luislite.db import BatchTest

    _yielding_refinement(flask_app, lambda version: db.session.add(
        BatchTest(app_id=version.app_id, version_id="0.1", utterances=[])))
    ran = []  # what the worker takes, in order (each job ended at once)

    def ended(kind, table):
        def run(app, job_id):
            ran.append(kind)
            db.session.execute(db.update(table).where(table.id == job_id).values(status="Fail"))
            db.session.commit()
        return run
    monkeypatch.setattr(worker, "batch_test_job", ended("test", BatchTest))
    monkeypatch.setattr(worker, "train_job", ended("refine", TrainingJob))
    worker.run(flask_app, once=True)
    assert ran == ["test", "refine"]


def _status(server, app_id: str) -> dict:
    response = requests.get(f"{server.url}{AUTHORING}/apps/{app_id}/versions/0.1/train",
                            headers={"Ocp-Apim-Subscription-Key": server.key}, timeout=30)
    entries = response.json()
    return entries[0]["details"] if entries else {}


def _wait(server, app_id: str, until, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        details = _status(server, app_id)
        if until(details):
            return details
        time.sleep(0.2)
    pytest.fail(f"training status stayed {details} for {timeout} s")




def _app_with_examples(http, name: str, count: int) -> str:
    """A new app of one intent and `count` examples, untrained."""
    app_id = http.post("/apps/", json={"name": f"{name}-{uuid.uuid4().hex[:8]}", "culture": "en-us"}).json()
    assert http.post(f"/apps/{app_id}/versions/0.1/intents", json={"name": "Greet"}).status_code == 201
    examples = [{"text": f"hello number {i}", "intentName": "Greet"} for i in range(count)]
    assert http.post(f"/apps/{app_id}/versions/0.1/examples", json=examples).status_code == 201
    return app_id


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker process through /proc")
def test_deleting_an_app_while_it_trains_leaves_the_worker_running(tiny_server):
    """The job row goes with the app; the worker must shrug that off and train the next job."""
    with Http(tiny_server, tiny_server.key) as http:
        doomed = _app_with_examples(http, "gone", 30)
        workers = stop_in_training(http, tiny_server, doomed)
        try:
            assert http.delete(f"/apps/{doomed}").status_code == 200
        finally:
            signal_all(workers, signal.SIGCONT)
        survivor = _app_with_examples(http, "survivor", 3)
        assert http.post(f"/apps/{survivor}/versions/0.1/train").json()["status"] == "Queued"
    done = _wait(tiny_server, survivor, lambda d: d.get("status") not in ("Queued", "InProgress"))
    assert done["status"] == "Success", done


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker process through /proc")
def test_a_killed_worker_is_replaced_and_its_job_fails(start_server, tiny_model, tmp_path, sql):
    server = start_server(data_dir=tmp_path, LUISLITE_BASE_MODEL=str(tiny_model), LUISLITE_TRAIN_THREADS="1")
    http = Http(server, server.key)
    app_id = _app_with_examples(http, "crash", 30)
    killed = stop_in_training(http, server, app_id)
    assert len(killed) == 1, "one training worker expected"
    os.kill(killed[0], signal.SIGKILL)
    latest = "SELECT status FROM training_jobs ORDER BY id DESC LIMIT 1"
    assert sql(tmp_path, latest) == [("InProgress",)]  # the killed worker could not record anything
    stale = (datetime.now(timezone.utc) - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S.000000")
    sql(tmp_path, "UPDATE training_jobs SET heartbeat = :stale WHERE status = 'InProgress'",  # a minute has passed
        stale=stale)

    failed = _wait(server, app_id, lambda d: d.get("status") != "InProgress")  # by the worker `serve` started
    assert (failed["statusId"], failed["status"]) == (1, "Fail") and "Interrupted" in failed["failureReason"]
    assert set(training_workers(server)).isdisjoint(killed) and "starting another" in server.output()
    assert http.post(f"/apps/{app_id}/versions/0.1/train").json()["status"] == "Queued"
    done = _wait(server, app_id, lambda d: d.get("status") not in ("Queued", "InProgress"))
    assert done["status"] == "Success", done


def test_the_worker_returns_freed_memory_once_its_queue_is_empty(flask_app, monkeypatch):
    """glibc keeps what a training freed; the worker hands it back after its last job, not while idle."""
    trims = []
    monkeypatch.setattr(worker, "_return_freed_memory", lambda: trims.append(True))
    worker.run(flask_app, once=True)
    assert trims == []  # nothing ran
    version = db.session.scalar(db.select(Version))
    assert jobs.enqueue(version) == "Queued"  # an app without examples: the job fails at once
    db.session.commit()
    worker.run(flask_app, once=True)
    assert trims == [True] and jobs.latest_job(version).status == "Fail"
    monkeypatch.undo()
    worker._return_freed_memory()  # glibc's malloc_trim here, or nothing elsewhere; never an error
