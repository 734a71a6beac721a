"""Prometheus metrics, with the official `prometheus-client`: what each process counts, and what a scrape reads.

Counted as requests pass (`api/metrics.py`): requests by surface, route template, method and status, and the
latency of predictions. Set as models load and go (`services/publishing.py`): the models a process holds loaded
and their estimated bytes. Read at each scrape (`_Snapshot`): training jobs by state and the durations of those
that ran (from the database, so the whole cluster's), and this node's model cache bytes and worker heartbeat age.

Labels hold surfaces, route templates, methods, statuses and job states: never a key, an app name or an utterance,
so their number is bounded by the URL map. Several processes (gunicorn workers) count apart; with
PROMETHEUS_MULTIPROC_DIR set before they start (an empty directory) they write their counts there and any one
of them answers for all (prometheus-client's multi-process mode; README, "Metrics").
"""
import os
import time

import prometheus_client as prom
import sqlalchemy as sa
from flask import current_app
from prometheus_client import multiprocess
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily

from luislite import store
from luislite.db import TrainingJob, db, has_database, utcnow
from luislite.services import readiness

prom.disable_created_metrics()  # no `_created` series beside every counter and histogram

REQUESTS = prom.Counter("luislite_requests", "HTTP requests answered, by surface, route template, method and status.",
                        ["surface", "route", "method", "status"])
PREDICTION_SECONDS = prom.Histogram(
    "luislite_prediction_duration_seconds", "Time to answer a prediction request whose key was accepted.",
    ["surface", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
LOADED_MODELS = prom.Gauge("luislite_loaded_models", "Trained models held loaded, summed over live processes.",
                           multiprocess_mode="livesum")
LOADED_BYTES = prom.Gauge("luislite_loaded_model_bytes", "Estimated memory of the loaded models (twice their files).",
                          multiprocess_mode="livesum")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # the format `generate_latest` writes
JOB_STATES = ("Queued", "InProgress", "Success", "Fail")
JOB_KINDS = ("train", "refine")
TRAINING_BUCKETS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


def loaded_models(count: int, estimated_bytes: int) -> None:
    """Called whenever this process's loaded models change."""
    LOADED_MODELS.set(count)
    LOADED_BYTES.set(estimated_bytes)


def exposition() -> bytes:
    """Every metric in Prometheus's text format: this process's counts (every process's in multi-process mode),
    then what `_Snapshot` reads now."""
    registry = prom.CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        counted = b""
    else:
        counted = prom.generate_latest(prom.REGISTRY)
    registry.register(_Snapshot())
    return counted + prom.generate_latest(registry)


class _Snapshot:
    """What a scrape reads now, in the app's context."""

    def collect(self):
        if has_database():  # a prediction-only node trains nothing
            yield _training_jobs()
            yield _training_durations()
            yield from _heartbeat_ages()
        cache_bytes = store.current().cached_bytes()
        if cache_bytes is not None:
            yield GaugeMetricFamily("luislite_model_cache_bytes", "Bytes of this node's local copies of "
                                    "database-stored models.", value=cache_bytes)


def _training_jobs() -> GaugeMetricFamily:
    rows = db.session.execute(sa.select(TrainingJob.kind, TrainingJob.status, sa.func.count())
                              .group_by(TrainingJob.kind, TrainingJob.status)).all()
    counts = {(kind, status): count for kind, status, count in rows}
    family = GaugeMetricFamily("luislite_training_jobs", "Training jobs in the database, by kind (a training, or "
                               "the refinement of its quick model) and state.", labels=["kind", "state"])
    for kind in JOB_KINDS:
        for state in JOB_STATES:
            family.add_metric([kind, state], counts.get((kind, state), 0))
    return family


def _training_durations() -> GaugeHistogramMetricFamily:
    """Durations of the jobs in the database that ran to an end, by kind and outcome (a gauge: deleting a version
    drops its jobs)."""
    rows = db.session.execute(sa.select(TrainingJob.kind, TrainingJob.status, TrainingJob.started,
                                        TrainingJob.finished).where(
        TrainingJob.status.in_(("Success", "Fail")), TrainingJob.started.is_not(None))).all()
    family = GaugeHistogramMetricFamily("luislite_training_duration_seconds", "Durations of the training jobs in "
                                        "the database that ran, by kind and outcome.", labels=["kind", "state"])
    for kind in JOB_KINDS:
        for state in ("Success", "Fail"):
            seconds = [(end - start).total_seconds() for k, status, start, end in rows if (k, status) == (kind, state)]
            buckets = [(str(bound), sum(s <= bound for s in seconds)) for bound in TRAINING_BUCKETS]
            family.add_metric([kind, state], buckets + [("+Inf", len(seconds))], sum(seconds))
    return family


def _heartbeat_ages():
    """Seconds since this node's training worker last beat, and since the stalest running job's worker did."""
    beat = current_app.config["LUISLITE"].data_dir / readiness.WORKER_HEARTBEAT
    if beat.exists():
        yield GaugeMetricFamily("luislite_worker_heartbeat_age_seconds", "Seconds since a training worker sharing "
                                "this node's data dir last beat.", value=max(0.0, time.time() - beat.stat().st_mtime))
    oldest = db.session.scalar(sa.select(sa.func.min(TrainingJob.heartbeat)).where(TrainingJob.status == "InProgress"))
    if oldest is not None:
        age = (utcnow() - oldest).total_seconds()
        yield GaugeMetricFamily("luislite_training_heartbeat_age_seconds", "Seconds since the worker of the "
                                "stalest running training job last beat.", value=max(0.0, age))
