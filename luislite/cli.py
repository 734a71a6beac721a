"""`luislite` command line: serve the LUIS APIs, or run a training worker on its own."""
import logging
import multiprocessing
import os
import signal
import sys

import click


@click.group()
def main():
    """luislite: LUIS authoring and prediction, local and offline."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads.")
@click.option("--workers", default=1, show_default=True, type=int, help="Training worker processes (0: none).")
def serve(host: str, port: int, threads: int, workers: int):
    """Start the service and its training worker on HOST:PORT."""
    import waitress

    from luislite import create_app

    app = create_app()
    config = app.config["LUISLITE"]
    click.echo(f"luislite on http://{host}:{port}  data: {config.data_dir}")
    click.echo(f"authoring key: {config.authoring_keys[0]}")
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=run_worker, args=(os.getpid(),), daemon=True) for _ in range(workers)]
    for process in processes:
        process.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the clean-up below on `kill` too
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="luislite")
    finally:
        for process in processes:
            process.terminate()


@main.command()
def worker():
    """Run a training worker only (next to `gunicorn wsgi:app`, for example)."""
    run_worker()


def run_worker(parent_pid: int | None = None):
    from luislite import create_app
    from luislite.training import worker as training_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    training_worker.run(create_app(migrate=False), parent_pid=parent_pid)


if __name__ == "__main__":
    main()
