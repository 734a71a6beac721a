"""gunicorn's settings file, read when it starts in this directory (`gunicorn wsgi:app`): with
PROMETHEUS_MULTIPROC_DIR set, a worker that exits stops counting in /metrics' live gauges (README, "Metrics")."""
import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
