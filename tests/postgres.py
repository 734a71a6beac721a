"""A throwaway PostgreSQL cluster for the suite: initdb + pg_ctl in a temp dir, on a free loopback port.

The server runs as the invoking user, or as `postgres` (or `nobody`) when that is root, as in CI: PostgreSQL
refuses to run as root. `make postgres` installs Debian's `postgresql` package, whose binaries live in
/usr/lib/postgresql/<version>/bin.
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def binary(name: str) -> str:
    """`initdb` or `pg_ctl`: from PATH, else from the newest Debian install."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is missing: run `make postgres` (or set LUISLITE_TEST_DATABASE_URL)")
    return found


class Cluster:
    """A PostgreSQL server on 127.0.0.1:`port`, trusting local connections, removed by `stop`."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="luislite-pg-"))
        self.port = free_port()
        self.user = _unprivileged_user()
        if self.user:
            record = pwd.getpwnam(self.user)
            os.chown(self.root, record.pw_uid, record.pw_gid)
        data = self.root / "data"
        self._run(binary("initdb"), "-D", str(data), "-U", "luislite", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c max_connections=300"
        self._run(binary("pg_ctl"), "-D", str(data), "-l", str(self.root / "log"), "-o", options, "-w", "start")
        self.url = f"postgresql+psycopg://luislite@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        if self.user:
            command = ("runuser", "-u", self.user, "--", *command)
        subprocess.run(command, check=True, capture_output=True, cwd=self.root)

    def stop(self) -> None:
        self._run(binary("pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root without a `postgres` or `nobody` user to run PostgreSQL as")


def create_database(server_url: str, name: str) -> str:
    """Create database `name` on the server (if absent) and return its URL."""
    url = sa.make_url(server_url)
    url = url.set(drivername="postgresql+psycopg") if url.drivername in ("postgresql", "postgres") else url
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
