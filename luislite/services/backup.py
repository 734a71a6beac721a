"""Backup and restore: the database and the trained models it references, in one tar.gz, while the server runs.

An archive holds `manifest.json` first (luislite's version, the schema's alembic revision, the size and sha256 of
every other file), then `luislite.db` (SQLite only: a copy made with SQLite's online backup API, consistent while
the server writes), the data dir's `authoring-key.json` if it has one, and `models/<artifact>/...`: the models
the copied database references (a version's last training, a slot's model), when models are kept in the data dir.
Models in the database (LUISLITE_MODEL_STORE=database) are in its copy already; on PostgreSQL the database is
backed up with `pg_dump` and the archive holds the data dir's models only.

Model directories never change once written, but one the database references may be removed once a training
supersedes it. Each is hard-linked (or copied) into a staging directory right after the database is copied; if one
is gone by then, the database is copied again and its models taken again, so the archive's models are exactly those
its database references.
"""
import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
import zlib
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from luislite import MIGRATIONS, create_app, schema_revision, store
from luislite.config import Config
from luislite.services.publishing import in_use

MANIFEST = "manifest.json"
DATABASE = "luislite.db"
KEY_FILE = "authoring-key.json"
FORMAT = 1
ATTEMPTS = 5  # database copies tried before giving up on models that keep vanishing
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


class _Vanished(Exception):
    """A model the copied database references was removed before it was taken."""


def backup(config: Config, archive: Path) -> dict:
    """Write the archive of `config`'s database and models to `archive`; its manifest."""
    staging = Path(tempfile.mkdtemp(prefix=".backup-", dir=config.data_dir))
    try:
        revision, artifacts = _snapshot_until_complete(config, staging)
        manifest = _manifest(config, staging, revision, artifacts)
        _write_archive(archive, staging, manifest)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _snapshot_until_complete(config: Config, staging: Path) -> tuple[str | None, list[str]]:
    """Copy the database and the models it references into `staging`, again while models vanish meanwhile."""
    for _ in range(ATTEMPTS):
        try:
            return _snapshot(config, staging)
        except _Vanished as vanished:
            missing = vanished
            for child in staging.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
            time.sleep(0.2)
    raise BackupError(f"the database references a model missing from {config.data_dir / 'models'}: {missing}")


def _snapshot(config: Config, staging: Path) -> tuple[str | None, list[str]]:
    """One try: the database copy (SQLite) and the models it references; its revision and those models."""
    url = config.database_url
    if _is_sqlite(url):
        _copy_sqlite(_sqlite_path(url), staging / DATABASE)
        url = f"sqlite:///{staging / DATABASE}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        revision = schema_revision(engine)
        with engine.connect() as connection:
            artifacts = sorted(in_use(connection))
    finally:
        engine.dispose()
    if (config.data_dir / KEY_FILE).exists():
        shutil.copy2(config.data_dir / KEY_FILE, staging / KEY_FILE)
    if _models_in_data_dir(config):
        for artifact in artifacts:
            _take_model(config.data_dir / "models" / artifact, staging / "models" / artifact)
    return revision, artifacts


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while other processes read and write."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    live, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        live.backup(copy)
    finally:
        live.close()
        copy.close()


def _take_model(source: Path, target: Path) -> None:
    """Hard-link (or copy) a model directory's files: a link keeps them even if the model is removed next."""
    try:
        shutil.copytree(source, target, copy_function=_link_or_copy)
    except (FileNotFoundError, shutil.Error):
        raise _Vanished(source.name) from None
    if not source.is_dir():  # removed while being taken: some files may be missing
        raise _Vanished(source.name)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _manifest(config: Config, staging: Path, revision: str | None, artifacts: list[str]) -> dict:
    files = {path.relative_to(staging).as_posix(): _describe(path)
             for path in sorted(staging.rglob("*")) if path.is_file()}
    return {"format": FORMAT, "luislite": version("luislite"), "alembicRevision": revision,
            "database": "sqlite" if _is_sqlite(config.database_url) else "postgresql",
            "modelStore": "datadir" if _models_in_data_dir(config) else "database",
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "artifacts": artifacts, "files": files}


def _describe(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


def _write_archive(archive: Path, staging: Path, manifest: dict) -> None:
    """The tar.gz, owner-readable only (it may hold the authoring key), written beside `archive` then renamed."""
    partial = archive.with_name(archive.name + ".part")
    body = json.dumps(manifest, indent=2).encode()
    try:
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file, \
                tarfile.open(fileobj=file, mode="w:gz") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            tar.addfile(info, fileobj=io.BytesIO(body))
            for name in manifest["files"]:
                tar.add(staging / name, arcname=name, recursive=False)
        os.replace(partial, archive)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write {archive}: {error}") from None


def restore(config: Config, archive: Path) -> tuple[dict, str | None]:
    """Unpack `archive` into `config`'s empty data dir, checking every file, and migrate the database if it is
    older; the manifest and the revision the database is at now."""
    _require_empty(config)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=config.data_dir))
    try:
        manifest = _unpack(archive, staging)
        _check_compatible(config, manifest)
        _move_into_place(config, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    app = create_app(config)  # migrates an older database
    with app.app_context():
        from luislite.db import db

        return manifest, schema_revision(db.engine)


def _require_empty(config: Config) -> None:
    entries = sorted(p.name for p in config.data_dir.iterdir()) if config.data_dir.is_dir() else []
    if entries:
        raise BackupError(f"{config.data_dir} is not empty ({', '.join(entries[:5])}): restore needs an empty data "
                          "directory (a new LUISLITE_DATA_DIR)")
    if _is_sqlite(config.database_url) and _sqlite_path(config.database_url).exists():
        raise BackupError(f"a database already exists at {_sqlite_path(config.database_url)}")


def _unpack(archive: Path, staging: Path) -> dict:
    """Extract the archive into `staging`, each file checked against the manifest; the manifest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = _read_manifest(tar)
            seen = {member.name: _extract(tar, member, staging, manifest) for member in tar}
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, ValueError, KeyError) as error:
        raise BackupError(f"{archive} is truncated, damaged or not a luislite backup ({error})") from None
    except OSError as error:
        raise BackupError(f"cannot read {archive}: {error}") from None
    missing = sorted(set(manifest["files"]) - set(seen))
    if missing:
        raise BackupError(f"{archive} lacks files its manifest lists: {', '.join(missing[:5])}")
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError("the archive does not start with a luislite manifest: not a luislite backup")
    manifest = json.loads(tar.extractfile(first).read())
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, staging: Path, manifest: dict) -> None:
    """Write one member under `staging`, refusing one the manifest does not list or whose checksum differs."""
    if member.name == MANIFEST:
        return
    expected = manifest["files"].get(member.name)
    if expected is None or not member.isfile() or not _safe(member.name):
        raise BackupError(f"the archive holds {member.name!r}, which its manifest does not list")
    target = staging / member.name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tar.extractfile(member) as source, open(target, "wb") as output:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            output.write(chunk)
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(f"{member.name} fails its checksum: the archive was altered or damaged")


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and path.parts[0] in (DATABASE, KEY_FILE, "models")


def _check_compatible(config: Config, manifest: dict) -> None:
    """The archive's database suits the configured one, and this luislite knows its schema."""
    wanted = "sqlite" if _is_sqlite(config.database_url) else "postgresql"
    if manifest.get("database") != wanted:
        raise BackupError(f"the archive was made on {manifest.get('database')}, but LUISLITE_DATABASE_URL is {wanted}"
                          + ("; restore the pg_dump first, then the models with LUISLITE_DATABASE_URL set"
                             if wanted == "sqlite" else ""))
    try:
        ScriptDirectory(str(MIGRATIONS)).get_revision(manifest.get("alembicRevision"))
    except CommandError:
        raise BackupError(f"the archive's schema {manifest['alembicRevision']} is newer than this luislite "
                          f"({version('luislite')}); upgrade luislite to {manifest['luislite']} or later") from None


def _move_into_place(config: Config, staging: Path) -> None:
    for entry in staging.iterdir():
        target = _sqlite_path(config.database_url) if entry.name == DATABASE else config.data_dir / entry.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(entry, target)


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path:
    return Path(sa.engine.make_url(url).database)


def _models_in_data_dir(config: Config) -> bool:
    return isinstance(store.from_config(config), store.DataDirStore)
