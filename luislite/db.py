"""SQLAlchemy tables: apps, versions (definition as JSON), labeled examples, training jobs, published slots,
endpoint query logs, batch tests, trained models (when the database store keeps them), request counts against
quotas, and keys managed at run time."""
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column, relationship

db = SQLAlchemy()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def writes_lazily(view):
    """Mark a view whose transactions take the write lock at their first write, not up front: a prediction, POST
    too, whose only write is a query log. Other views that may write (not GET or HEAD) take it up front."""
    view.writes_lazily = True
    return view


def has_database() -> bool:
    """Whether the current app has a database: a prediction-only node (`services/packages.py`) has none."""
    return "sqlalchemy" in current_app.extensions


def takes_write_lock_first() -> bool:
    """Whether a transaction begun now should take the write lock up front (BEGIN IMMEDIATE): in a request that
    may write, to a view not marked `writes_lazily`. Outside requests (the worker), it begins with its write."""
    if not has_request_context() or request.method in ("GET", "HEAD"):
        return False
    return not getattr(current_app.view_functions.get(request.endpoint), "writes_lazily", False)


class App(db.Model):
    __tablename__ = "apps"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    culture: Mapped[str] = mapped_column(sa.String(20))
    domain: Mapped[str] = mapped_column(sa.String(100), default="")
    usage_scenario: Mapped[str] = mapped_column(sa.String(100), default="")
    active_version: Mapped[str] = mapped_column(sa.String(50))
    public: Mapped[bool] = mapped_column(default=False)
    publish_settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    endpoint_hits: Mapped[int] = mapped_column(default=0)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    versions: Mapped[list["Version"]] = relationship(back_populates="app", cascade="all, delete-orphan",
                                                     order_by="Version.pk", passive_deletes=True)
    publications: Mapped[list["Publication"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class Version(db.Model):
    """One version of an app. `definition` is the AppVersion without utterances (see appversion.py)."""
    __tablename__ = "versions"
    __table_args__ = (sa.UniqueConstraint("app_id", "version_id"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[str] = mapped_column(sa.ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[str] = mapped_column(sa.String(50))
    definition: Mapped[dict] = mapped_column(sa.JSON)
    revision: Mapped[int] = mapped_column(default=1)  # bumped by every edit; training is UpToDate when equal
    trained_revision: Mapped[int | None] = mapped_column(default=None)
    artifact: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    modified: Mapped[datetime] = mapped_column(default=utcnow)
    trained_at: Mapped[datetime | None] = mapped_column(default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    app: Mapped[App] = relationship(back_populates="versions")


class Example(db.Model):
    """A labeled utterance; `labels` holds LUIS export-shaped entity labels (inclusive endPos)."""
    __tablename__ = "examples"
    __table_args__ = (sa.UniqueConstraint("version_pk", "text_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_pk: Mapped[int] = mapped_column(sa.ForeignKey("versions.pk", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    text_key: Mapped[str] = mapped_column(sa.Text)
    intent: Mapped[str] = mapped_column(sa.String(100))
    labels: Mapped[list] = mapped_column(sa.JSON, default=list)


class TrainingJob(db.Model):
    """A request to train one revision of a version (`kind` "train", answering with a quick model where the
    recipe has one), or to refine the quick model it trained (`kind` "refine", replacing artifact `replaces`);
    run by the worker process."""
    __tablename__ = "training_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_pk: Mapped[int] = mapped_column(sa.ForeignKey("versions.pk", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(10), default="train", server_default="train")
    replaces: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    status: Mapped[str] = mapped_column(sa.String(20), default="Queued", index=True)
    failure_reason: Mapped[str | None] = mapped_column(sa.Text, default=None)
    progress: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    example_count: Mapped[int] = mapped_column(default=0)
    artifact: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    started: Mapped[datetime | None] = mapped_column(default=None)
    finished: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat: Mapped[datetime | None] = mapped_column(default=None)


class Publication(db.Model):
    """What a slot (production or staging) of an app serves."""
    __tablename__ = "publications"
    app_id: Mapped[str] = mapped_column(sa.ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[str] = mapped_column(sa.String(50), primary_key=True)  # or a CLU deployment name
    version_id: Mapped[str] = mapped_column(sa.String(50))
    artifact: Mapped[str] = mapped_column(sa.String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueryLog(db.Model):
    """A prediction asked with `log=true`: the query, what answered it, and the response as sent.

    `version_id` is the version that answered (for a slot, the one it served then). `top_intent`,
    `score`, `second_score` and `entities` (inclusive endPos, as in batch tests) feed the review list;
    `review` is None while the utterance waits for review, then "accepted" or "dismissed".
    """
    __tablename__ = "query_logs"
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[str] = mapped_column(sa.ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[str | None] = mapped_column(sa.String(50))
    slot: Mapped[str | None] = mapped_column(sa.String(20))
    query: Mapped[str] = mapped_column(sa.Text)
    text_key: Mapped[str] = mapped_column(sa.Text)
    response: Mapped[str] = mapped_column(sa.Text)  # the JSON body exactly as returned
    top_intent: Mapped[str] = mapped_column(sa.String(100))
    score: Mapped[float]
    second_score: Mapped[float] = mapped_column(default=0.0)
    entities: Mapped[list] = mapped_column(sa.JSON, default=list)
    review: Mapped[str | None] = mapped_column(sa.String(10), default=None)
    created: Mapped[datetime] = mapped_column(default=utcnow)


class BatchTest(db.Model):
    """A batch test of a version or a slot on labeled utterances; run by the worker process like training."""
    __tablename__ = "batch_tests"
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[str] = mapped_column(sa.ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[str | None] = mapped_column(sa.String(50))
    slot: Mapped[str | None] = mapped_column(sa.String(20))
    utterances: Mapped[list] = mapped_column(sa.JSON)  # LUIS batch-test JSON, as posted
    status: Mapped[str] = mapped_column(sa.String(20), default="Queued", index=True)
    failure_reason: Mapped[str | None] = mapped_column(sa.Text, default=None)
    progress: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    artifact: Mapped[str | None] = mapped_column(sa.String(64), default=None)  # the model that was tested
    report: Mapped[dict | None] = mapped_column(sa.JSON, default=None)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    started: Mapped[datetime | None] = mapped_column(default=None)
    finished: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat: Mapped[datetime | None] = mapped_column(default=None)


class CluProject(db.Model):
    """What Azure CLU keeps of a project beyond its app: settings, the utterances marked Test, entities' composition
    (no row: none)."""
    __tablename__ = "clu_projects"
    app_id: Mapped[str] = mapped_column(sa.ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True)
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {"confidenceThreshold": 0.7}
    multilingual: Mapped[bool] = mapped_column(default=False)
    test_texts: Mapped[list] = mapped_column(sa.JSON, default=list)
    # CLU entities' composition beyond their LUIS entities: {name: {compositionSetting, requiredComponents,
    # components, aliases}} (domain/clu.py)
    entity_specs: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    modified: Mapped[datetime] = mapped_column(default=utcnow)
    deployed: Mapped[datetime | None] = mapped_column(default=None)


class CluJob(db.Model):
    """A CLU long-running operation; a training one follows `training_job_id` and keeps its model's evaluation."""
    __tablename__ = "clu_jobs"
    id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # train, import, export, deployment, swap, deletion
    project: Mapped[str] = mapped_column(sa.String(100), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="succeeded")
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow)
    training_job_id: Mapped[int | None] = mapped_column(default=None)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # the job's own facts (model label, options...)
    result: Mapped[dict | None] = mapped_column(sa.JSON, default=None)  # an export's project file; an evaluation
    errors: Mapped[list] = mapped_column(sa.JSON, default=list)


class StoredModel(db.Model):
    """A trained model kept in the database (luislite/store/database.py): the files serving needs, as one tar."""
    __tablename__ = "stored_models"
    artifact: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created: Mapped[datetime] = mapped_column(default=utcnow)


class QuotaWindow(db.Model):
    """Requests a key made to one API (prediction or authoring) in one fixed quota window (services/quotas.py)."""
    __tablename__ = "quota_windows"
    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # sha256 of the key: never the key
    api: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    window_start: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)  # epoch seconds
    count: Mapped[int] = mapped_column(default=0)


class ApiKey(db.Model):
    """A key created (or revoked) at run time (services/keys.py): kept as its sha256, never as it is."""
    __tablename__ = "api_keys"
    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # authoring (everything) or endpoint (prediction only)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    created: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[datetime | None] = mapped_column(default=None)
