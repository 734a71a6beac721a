"""Training jobs in the database: enqueue, claim, report progress, finish, cancel, recover after a crash.

A job ends once: `finish` records the outcome of an InProgress job only, so a job cancelled (or failed as stale)
meanwhile keeps that status and its version keeps its former model.
"""
from datetime import timedelta

import sqlalchemy as sa

from luislite.domain.appversion import MLEntity, CompositeEntity
from luislite.services.authoring import load
from luislite.db import BatchTest, Example, Publication, TrainingJob, Version, db, utcnow

STATUS_IDS = {"Success": 0, "Fail": 1, "UpToDate": 2, "InProgress": 3, "Queued": 9}
ACTIVE = ("Queued", "InProgress")
CANCELLED = "Cancelled: the training was cancelled."
SUPERSEDED = "Superseded: the version was trained again."
# An InProgress job without a heartbeat this long belongs to a dead worker: with heartbeats every 5 s (worker.py)
# and every worker looking every 10 s, a dead worker's job fails within 55 s.
STALE_AFTER = timedelta(seconds=45)


def latest_job(version: Version, kind: str = "train") -> TrainingJob | None:
    return db.session.scalar(sa.select(TrainingJob).where(TrainingJob.version_pk == version.pk,
                                                          TrainingJob.kind == kind)
                             .order_by(TrainingJob.id.desc()).limit(1))


def enqueue(version: Version) -> str:
    """Ask for `version` to be trained; answers the LUIS status: Queued, InProgress or UpToDate."""
    if version.trained_revision == version.revision:
        return "UpToDate"
    job = latest_job(version)
    if job and job.status in ACTIVE and job.revision == version.revision:
        return job.status
    count = db.session.scalar(sa.select(sa.func.count()).where(Example.version_pk == version.pk))
    db.session.add(TrainingJob(version_pk=version.pk, revision=version.revision, example_count=count))
    db.session.execute(sa.update(TrainingJob).where(  # the model it would refine is about to be replaced anyway
        TrainingJob.version_pk == version.pk, TrainingJob.kind == "refine", TrainingJob.status.in_(ACTIVE))
        .values(status="Fail", finished=utcnow(), failure_reason=SUPERSEDED))
    return "Queued"


def model_statuses(version: Version) -> list[dict]:
    """GET .../train: one entry per trainable model (intents, ML and composite entities), all sharing the job's
    status."""
    job = latest_job(version)
    if job is None:
        return []
    details = {"statusId": STATUS_IDS[job.status], "status": job.status, "exampleCount": job.example_count}
    if job.status == "Success":
        details["trainingDateTime"] = job.finished.strftime("%Y-%m-%dT%H:%M:%SZ")
    if job.status == "Fail":
        details["failureReason"] = job.failure_reason
    if job.progress:
        details["progress"] = job.progress
    refinement = latest_job(version, "refine")
    if job.status == "Success" and refinement and refinement.replaces == job.artifact:
        details["refinement"] = {"status": refinement.status} | (  # luislite's: the quick model is being refined
            {"progress": refinement.progress} if refinement.progress else {})
    definition = load(version)
    models = definition.intents + [e for e in definition.entities if isinstance(e, (MLEntity, CompositeEntity))]
    return [{"modelId": model.id, "details": dict(details)} for model in models]


def claim_next(table=TrainingJob, kind: str | None = None) -> int | None:
    """Atomically take the oldest queued job of `table` (several workers, on any machines, may race for it), or
    of training jobs only those of `kind` ("train" or "refine"); its id, or None. On PostgreSQL the queued row is
    locked with SKIP LOCKED, so racing workers take different jobs; SQLite, which has one writer at a time, ignores
    it.

    `table` is any job table with `id`, `status`, `started` and `heartbeat` columns: training jobs or batch tests.
    """
    kinds = (table.kind == kind,) if kind else ()
    queued = db.session.scalar(sa.select(table.id).where(table.status == "Queued", *kinds).limit(1))
    db.session.rollback()  # the claim below starts with a write, so it never has to upgrade a read
    if queued is None:
        return None
    oldest = sa.select(table.id).where(table.status == "Queued", *kinds).order_by(table.id).limit(1) \
        .with_for_update(skip_locked=True)
    now = utcnow()
    job_id = db.session.scalar(sa.update(table).where(table.id == oldest.scalar_subquery(), table.status == "Queued")
                               .values(status="InProgress", started=now, heartbeat=now).returning(table.id))
    db.session.commit()
    return job_id


WORK_ORDER = ((TrainingJob, "train"), (BatchTest, None), (TrainingJob, "refine"))


def claim_work() -> tuple[type | None, int | None]:
    """The next job a worker runs, claimed: a training, else a batch test, else a refinement (minutes long, it waits
    for the others and steps aside for them: `work_waiting`); (its table, its id), or (None, None)."""
    for table, kind in WORK_ORDER:
        job_id = claim_next(table, kind)
        if job_id is not None:
            return table, job_id
    return None, None


class Cancelled(Exception):
    """Raised in a worker whose job was cancelled while it trained."""


class Yielded(Exception):
    """Raised in a worker refining a model while a training or a batch test waits: the refinement goes back to the
    queue."""


def work_waiting() -> bool:
    """Whether a training (not a refinement) or a batch test is queued: what a running refinement steps aside for."""
    training = sa.select(TrainingJob.id).where(TrainingJob.kind == "train", TrainingJob.status == "Queued")
    test = sa.select(BatchTest.id).where(BatchTest.status == "Queued")
    waiting = db.session.scalar(sa.select(sa.exists(training.union_all(test))))
    db.session.rollback()
    return waiting


def requeue(job_id: int) -> None:
    """Put an InProgress job back in the queue, to start again from the beginning."""
    db.session.execute(sa.update(TrainingJob).where(TrainingJob.id == job_id, TrainingJob.status == "InProgress")
                       .values(status="Queued", started=None, heartbeat=None, progress={}))
    db.session.commit()


def report_progress(job_id: int, progress: dict, table=TrainingJob) -> bool:
    """Record an InProgress job's progress and heartbeat; False when it is no longer InProgress (cancelled)."""
    updated = db.session.execute(sa.update(table).where(table.id == job_id, table.status == "InProgress")
                                 .values(progress=progress, heartbeat=utcnow())).rowcount
    db.session.commit()
    return updated == 1


def cancel(job_id: int) -> bool:
    """Fail a Queued or InProgress training job as cancelled (no worker takes it; the one training it stops at its
    next progress report); whether it was still active. Callers commit."""
    return db.session.execute(sa.update(TrainingJob).where(TrainingJob.id == job_id, TrainingJob.status.in_(ACTIVE))
                              .values(status="Fail", finished=utcnow(), failure_reason=CANCELLED)).rowcount == 1


def finish(job_id: int, artifact: str | None, revision: int, failure: str | None = None,
           refine: bool = False) -> None:
    """Record the outcome of an InProgress job (of either kind); on a training's success the version now serves
    `artifact`, trained at `revision`, and with `refine` (a quick model) a refinement of it is queued."""
    now = utcnow()
    ended = _end(job_id, failure, artifact)
    if ended and not failure:
        job = db.session.get(TrainingJob, job_id)
        newer = sa.or_(Version.trained_revision.is_(None), Version.trained_revision <= revision)  # never go back
        db.session.execute(sa.update(Version).where(Version.pk == job.version_pk, newer).values(
            artifact=artifact, trained_revision=revision, trained_at=now))
        if refine:
            db.session.add(TrainingJob(version_pk=job.version_pk, revision=revision, example_count=job.example_count,
                                       kind="refine", replaces=artifact))
    db.session.commit()


def refined(job_id: int, artifact: str) -> None:
    """Record the success of an InProgress refinement: what served the quick model it replaces (the version, its
    slots) now serves `artifact`. (A failed one ends with `finish`.)"""
    if _end(job_id, None, artifact):
        job = db.session.get(TrainingJob, job_id)
        db.session.execute(sa.update(Version).where(Version.pk == job.version_pk, Version.artifact == job.replaces)
                           .values(artifact=artifact))
        db.session.execute(sa.update(Publication).where(Publication.artifact == job.replaces)
                           .values(artifact=artifact))
    db.session.commit()


def _end(job_id: int, failure: str | None, artifact: str | None) -> bool:
    """End an InProgress job (Success or Fail), in a transaction begun with this write; whether it was still
    InProgress. What the worker read before is let go: on SQLite a read transaction cannot become a write one once
    another connection has written since it began ("database is locked", which would end the worker)."""
    db.session.rollback()
    active = sa.and_(TrainingJob.id == job_id, TrainingJob.status == "InProgress")
    return db.session.execute(sa.update(TrainingJob).where(active).values(
        status="Fail" if failure else "Success", finished=utcnow(), failure_reason=failure,
        artifact=artifact)).rowcount == 1


def superseded(job: TrainingJob) -> bool:
    """Whether a refinement has nothing left to refine: its version was trained again since (nor does any slot
    serve its quick model)."""
    version = db.session.get(Version, job.version_pk)
    serving = db.session.scalar(sa.select(sa.func.count()).where(Publication.artifact == job.replaces))
    return (version is None or version.artifact != job.replaces) and not serving


def recover_stale(table=TrainingJob, reason: str = "Interrupted: the training worker stopped.") -> int:
    """Fail InProgress jobs of `table` whose worker stopped sending heartbeats (crash, kill, restart)."""
    cutoff = utcnow() - STALE_AFTER
    failed = db.session.execute(
        sa.update(table).where(table.status == "InProgress",
                               sa.or_(table.heartbeat.is_(None), table.heartbeat < cutoff))
        .values(status="Fail", finished=utcnow(), failure_reason=reason)).rowcount
    db.session.commit()
    return failed
