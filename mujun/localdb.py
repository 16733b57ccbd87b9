"""The project's own PostGIS cluster under `.var/postgres`, used when no `DATABASE_URL` is set.

It runs the machine's PostgreSQL binaries (as the `postgres` user when we are root, since initdb refuses
root), listens on a unix socket in the cluster folder and on a free 127.0.0.1 port, and trusts local
connections only: it is a developer's and CI's database, never a production one.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql


class LocalDatabaseError(RuntimeError):
    """The local cluster cannot be set up; the message says what to install or do."""


def _postgres_bin_dir() -> Path:
    pg_config = shutil.which("pg_config")
    candidates: list[Path] = []
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout
        candidates.append(Path(out.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise LocalDatabaseError(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install PostgreSQL "
        "(Debian/Ubuntu: apt-get install postgresql postgresql-15-postgis-3) or set DATABASE_URL."
    )


def _share_dir(bin_dir: Path) -> Path:
    version = bin_dir.parent.name
    return Path("/usr/share/postgresql") / version


def ensure_postgis_installed(bin_dir: Path) -> None:
    """Install PostGIS with apt where it is missing and we may (Debian, root); else say what to install."""
    version = bin_dir.parent.name
    control = _share_dir(bin_dir) / "extension" / "postgis.control"
    if control.exists():
        return
    package = f"postgresql-{version}-postgis-3"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)
        if control.exists():
            return
    raise LocalDatabaseError(f"PostGIS is not installed for PostgreSQL {version}: install {package} or set DATABASE_URL.")


class LocalCluster:
    """A PostgreSQL cluster in `directory`: data, socket, log and the port it listens on.

    `settings` override the server settings it starts with (a replication test's primary needs
    `wal_level=replica` and WAL senders, where the project's own cluster runs with the least WAL)."""

    def __init__(self, directory: Path, settings: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.settings = settings or {}
        self.data = directory / "data"
        self.socket_dir = directory / "run"
        self.log = directory / "postgres.log"
        self.port_file = directory / "port"

    def _as_owner(self, args: list[str]) -> list[str]:
        # initdb and postgres refuse to run as root: run them as the `postgres` system user.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def _prepare_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise LocalDatabaseError("there is no `postgres` system user to run the local cluster") from exc
            for path in (self.directory, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            if self.data.exists():
                os.chown(self.data, owner.pw_uid, owner.pw_gid)

    def _free_port(self) -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    def _port_is_free(self, port: int) -> bool:
        with socket.socket() as sock:
            # As PostgreSQL binds: a port whose last connections linger in TIME_WAIT is still the cluster's to take
            # again, so a restart keeps its port (and the URLs a running API holds).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True

    def running(self, bin_dir: Path) -> bool:
        if not (self.data / "PG_VERSION").exists():
            return False
        status = subprocess.run(self._as_owner([str(bin_dir / "pg_ctl"), "-D", str(self.data), "status"]),
                                capture_output=True, check=False)
        return status.returncode == 0

    def port(self) -> int:
        return int(self.port_file.read_text().strip())

    def start(self) -> int:
        """Create the cluster if needed and start it; return its port."""
        bin_dir = _postgres_bin_dir()
        ensure_postgis_installed(bin_dir)
        self._prepare_directory()
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(
                self._as_owner([str(bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                "--encoding=UTF8", "--locale=C", "--no-instructions"]),
                check=True, capture_output=True,
            )
        if self.running(bin_dir):
            return self.port()
        port = self.port() if self.port_file.exists() and self._port_is_free(self.port()) else self._free_port()
        self.port_file.write_text(f"{port}\n")
        # A single node with nothing to replay or replicate: no fsync, and the least WAL (a first load's rows,
        # written to a table truncated in its transaction, then skip WAL altogether; see etl.write). An index
        # build's parallel workers and its leader no more than the machine's cores (PostgreSQL's default of two
        # workers puts three processes on a two-core machine: a million parcels' B-trees took 0.1 s longer).
        workers = max(0, (os.cpu_count() or 1) - 1)
        options = (f"-p {port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c wal_level=minimal -c max_wal_senders=0 -c max_parallel_maintenance_workers={workers}"
                   + "".join(f" -c {name}={value}" for name, value in self.settings.items()))
        result = subprocess.run(
            self._as_owner([str(bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                            "-w", "-t", "60", "start"]),
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else result.stderr
            raise LocalDatabaseError(f"the local PostgreSQL did not start:\n{tail}")
        return port

    def follow(self, primary: LocalCluster) -> None:
        """Make this (not yet created) cluster a streaming replica of `primary` with `pg_basebackup -R`; `start` it
        after. The primary must run with `wal_level=replica` and WAL senders."""
        bin_dir = _postgres_bin_dir()
        self._prepare_directory()
        subprocess.run(self._as_owner([str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port()), "-U", "postgres",
                                       "-D", str(self.data), "-R", "-X", "stream", "--checkpoint=fast"]),
                       check=True, capture_output=True)

    def stop(self) -> bool:
        bin_dir = _postgres_bin_dir()
        if not self.running(bin_dir):
            return False
        subprocess.run(self._as_owner([str(bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       check=True, capture_output=True)
        return True

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port()}/{database}"


def ensure_database(url: str) -> None:
    """Create the database of `url` (on its server) with PostGIS, if it does not exist yet."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    name = psycopg.conninfo.conninfo_to_dict(conninfo)["dbname"]
    if not isinstance(name, str) or not name:
        raise LocalDatabaseError(f"the database URL names no database: {url}")
    admin = psycopg.conninfo.make_conninfo(conninfo, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def drop_database(url: str) -> None:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    name = psycopg.conninfo.conninfo_to_dict(conninfo)["dbname"]
    admin = psycopg.conninfo.make_conninfo(conninfo, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(name))))
