"""Training jobs in the database: enqueue, claim, report progress, finish, cancel, recover after a crash.

A job ends once: `finish` records the outcome of an InProgress job only, so a job cancelled (or failed as stale)
meanwhile keeps that status and its version keeps its former model.
"""
from datetime import timedelta

import sqlalchemy as sa

from luislite.domain.appversion import MLEntity, CompositeEntity
from luislite.services.authoring import load
from luislite.db import Example, TrainingJob, Version, db, utcnow

STATUS_IDS = {"Success": 0, "Fail": 1, "UpToDate": 2, "InProgress": 3, "Queued": 9}
ACTIVE = ("Queued", "InProgress")
CANCELLED = "Cancelled: the training was cancelled."
# An InProgress job without a heartbeat this long belongs to a dead worker: with heartbeats every 5 s (worker.py)
# and every worker looking every 10 s, a dead worker's job fails within 55 s.
STALE_AFTER = timedelta(seconds=45)


def latest_job(version: Version) -> TrainingJob | None:
    return db.session.scalar(sa.select(TrainingJob).where(TrainingJob.version_pk == version.pk)
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
    definition = load(version)
    models = definition.intents + [e for e in definition.entities if isinstance(e, (MLEntity, CompositeEntity))]
    return [{"modelId": model.id, "details": dict(details)} for model in models]


def claim_next(table=TrainingJob) -> int | None:
    """Atomically take the oldest queued job of `table` (several workers, on any machines, may race for it); its
    id, or None. On PostgreSQL the queued row is locked with SKIP LOCKED, so racing workers take different jobs;
    SQLite, which has one writer at a time, ignores it.

    `table` is any job table with `id`, `status`, `started` and `heartbeat` columns: training jobs or batch tests.
    """
    queued = db.session.scalar(sa.select(table.id).where(table.status == "Queued").limit(1))
    db.session.rollback()  # the claim below starts with a write, so it never has to upgrade a read
    if queued is None:
        return None
    oldest = sa.select(table.id).where(table.status == "Queued").order_by(table.id).limit(1) \
        .with_for_update(skip_locked=True)
    now = utcnow()
    job_id = db.session.scalar(sa.update(table).where(table.id == oldest.scalar_subquery(), table.status == "Queued")
                               .values(status="InProgress", started=now, heartbeat=now).returning(table.id))
    db.session.commit()
    return job_id


class Cancelled(Exception):
    """Raised in a worker whose job was cancelled while it trained."""


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


def finish(job_id: int, artifact: str | None, revision: int, failure: str | None = None) -> None:
    """Record the outcome of an InProgress job; on success the version now serves `artifact`, trained at `revision`."""
    now = utcnow()
    active = sa.and_(TrainingJob.id == job_id, TrainingJob.status == "InProgress")
    ended = db.session.execute(sa.update(TrainingJob).where(active).values(
        status="Fail" if failure else "Success", finished=now, failure_reason=failure, artifact=artifact)).rowcount
    if ended and not failure:
        version_pk = sa.select(TrainingJob.version_pk).where(TrainingJob.id == job_id).scalar_subquery()
        newer = sa.or_(Version.trained_revision.is_(None), Version.trained_revision <= revision)  # never go back
        db.session.execute(sa.update(Version).where(Version.pk == version_pk, newer).values(
            artifact=artifact, trained_revision=revision, trained_at=now))
    db.session.commit()


def recover_stale(table=TrainingJob, reason: str = "Interrupted: the training worker stopped.") -> int:
    """Fail InProgress jobs of `table` whose worker stopped sending heartbeats (crash, kill, restart)."""
    cutoff = utcnow() - STALE_AFTER
    failed = db.session.execute(
        sa.update(table).where(table.status == "InProgress",
                               sa.or_(table.heartbeat.is_(None), table.heartbeat < cutoff))
        .values(status="Fail", finished=utcnow(), failure_reason=reason)).rowcount
    db.session.commit()
    return failed
