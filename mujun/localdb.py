"""The project's own PostGIS cluster, used when no `DATABASE_URL` is set.

It runs the machine's PostgreSQL binaries (as the `postgres` user when we are root, since initdb refuses
root), listens on a unix socket in the cluster folder and on a free 127.0.0.1 port, and trusts local
connections only: it is a developer's and CI's database, never a production one.

Where it lives: `MUJUN_LOCAL_DIR` when set; otherwise `.var/postgres` in the checkout, unless the user it runs
as cannot reach or write there (a checkout in `/root`, or below any folder of mode 700, is closed to `postgres`;
a non-root user may have a checkout it cannot write) or the socket's path would be too long. Then it lives in a
folder named for the checkout (its name and a hash of its whole path, so that two checkouts never share a
cluster) under `/var/lib/mujun` as root, under `$XDG_STATE_HOME/mujun` (`~/.local/state/mujun`) otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import socket
import stat
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

SYSTEM_CLUSTERS = Path("/var/lib/mujun")
"""Where root's clusters go when the checkout is closed to the `postgres` user."""

SOCKET_PATH_MAX = 107
"""Bytes of a unix socket's path the kernel takes (`sun_path` holds 108 with the closing NUL): PostgreSQL does not
start when its socket's path is longer."""


class LocalDatabaseError(RuntimeError):
    """The local cluster cannot be set up; the message says what to install or do."""


def _run(args: list[str], doing: str) -> subprocess.CompletedProcess[str]:
    """A tool run to its end with its output kept; one that cannot be started at all is said in a sentence."""
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise LocalDatabaseError(f"{args[0]} could not be run to {doing} ({exc.strerror}): set DATABASE_URL to use another PostgreSQL") from exc


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "it said nothing"


def _postgres_bin_dir() -> Path:
    pg_config = shutil.which("pg_config")
    candidates: list[Path] = []
    if pg_config:
        out = _run([pg_config, "--bindir"], "find PostgreSQL").stdout
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
        for args in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
            if subprocess.run(args, check=False, env=env).returncode != 0:
                raise LocalDatabaseError(f"`{' '.join(args)}` failed (its output is above): install {package} or set DATABASE_URL.")
        if control.exists():
            return
    raise LocalDatabaseError(f"PostGIS is not installed for PostgreSQL {version}: install {package} or set DATABASE_URL.")


def _cluster_user() -> pwd.struct_passwd | None:
    """The system user the cluster runs as when we are root: `postgres` (initdb refuses root). None: ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError as exc:
        raise LocalDatabaseError("there is no `postgres` system user to run the local cluster as (initdb refuses root): "
                                 "install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL.") from exc


def _may(user: pwd.struct_passwd | None, folder: Path, mode: int) -> bool:
    """Whether `user` (None: we) may enter (`os.X_OK`) or write in (`os.W_OK`) `folder`, by its permission bits."""
    if user is None:
        return os.access(folder, mode)
    info = folder.stat()
    if info.st_uid == user.pw_uid:
        bits = info.st_mode >> 6
    elif info.st_gid in os.getgrouplist(user.pw_name, user.pw_gid):
        bits = info.st_mode >> 3
    else:
        bits = info.st_mode
    return bits & mode == mode


def _why_not(directory: Path, user: pwd.struct_passwd | None) -> str | None:
    """Why the cluster cannot live in `directory`, run as `user` (None: we); None when it can.

    Every folder on the way must let the cluster's user in. As root we make what is missing, open to it, and give
    it the cluster's folder; otherwise we must be able to write where the folders are made, or in the folder."""
    if len(os.fsencode(directory / "run" / ".s.PGSQL.65535")) > SOCKET_PATH_MAX:
        return f"the path of its unix socket would pass the kernel's limit of {SOCKET_PATH_MAX} bytes"
    who = "we" if user is None else f"the `{user.pw_name}` user"
    chain = [*reversed(directory.parents), directory]
    for i, folder in enumerate(chain):
        if not os.path.exists(folder):
            above = chain[i - 1]
            if user is None and not os.access(above, os.W_OK | os.X_OK):
                return f"we cannot write in {above} ({stat.filemode(above.stat().st_mode)})"
            return None
        if folder == directory and user is not None:
            return None
        mode = os.W_OK | os.X_OK if folder == directory else os.X_OK
        if not _may(user, folder, mode):
            return f"{who} cannot {'enter' if mode == os.X_OK else 'write in'} {folder} ({stat.filemode(folder.stat().st_mode)})"
    return None


def checkout_folder(checkout: Path) -> str:
    """The name of a checkout's cluster folder away from it: the checkout's name and a hash of its whole path."""
    return f"{checkout.name[:40]}-{hashlib.sha256(os.fsencode(checkout)).hexdigest()[:12]}"


def _state_home() -> Path:
    given = os.environ.get("XDG_STATE_HOME", "")
    return Path(given) if given.startswith("/") else Path.home() / ".local" / "state"


def candidate_directories(configured: Path | None, checkout: Path) -> list[Path]:
    """Where the cluster of `checkout` may live, in order: the folder configured, or `.var/postgres` in the checkout
    and then the folder named for it under `/var/lib/mujun` (root) or the user's state folder."""
    if configured is not None:
        return [configured.absolute()]
    away = SYSTEM_CLUSTERS if os.geteuid() == 0 else _state_home() / "mujun"
    return [checkout.absolute() / ".var" / "postgres", away.absolute() / checkout_folder(checkout.absolute())]


def _make_folders(directory: Path) -> None:
    """`directory` and any folder missing above it, each one enterable by all (0755 whatever the umask): as root
    the cluster's user must pass through the folders we make."""
    missing: list[Path] = []
    folder = directory
    while not os.path.exists(folder):
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
        os.chmod(folder, 0o755)


def place_cluster(configured: Path | None, checkout: Path, settings: dict[str, str] | None = None) -> LocalCluster:
    """The local cluster of `checkout`, in the first of `candidate_directories` that can hold it, its folder made
    ready (`settings`: server settings it starts with, as `LocalCluster` takes them); when none can, a
    LocalDatabaseError that says why and what to do."""
    user = _cluster_user()
    refused: list[str] = []
    for directory in candidate_directories(configured, checkout):
        why = _why_not(directory, user)
        if why is None:
            cluster = LocalCluster(directory, settings)
            try:
                cluster.prepare(user)
            except OSError as exc:
                why = f"{exc.filename or directory}: {exc.strerror}"
            else:
                return cluster
        refused.append(f"not in {directory}: {why}")
    who = "you" if user is None else f"the `{user.pw_name}` user"
    raise LocalDatabaseError(f"the local PostgreSQL has nowhere to live ({'; '.join(refused)}): set MUJUN_LOCAL_DIR to a folder "
                             f"{who} can enter and write, or DATABASE_URL to a PostgreSQL with PostGIS.")


def stop_clusters(configured: Path | None, checkout: Path) -> list[Path]:
    """Stop the local cluster of `checkout` wherever it was placed; the folders of the clusters stopped."""
    created = [d for d in candidate_directories(configured, checkout) if os.path.exists(d / "data" / "PG_VERSION")]
    if not created:
        return []
    bin_dir = _postgres_bin_dir()
    return [directory for directory in created if LocalCluster(directory).stop(bin_dir)]


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

    def prepare(self, user: pwd.struct_passwd | None) -> None:
        """Make the cluster's folders, and give them to `user` (the `postgres` user when we are root)."""
        _make_folders(self.directory)
        self.socket_dir.mkdir(exist_ok=True)
        if user is not None:
            for path in (self.directory, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
            if self.data.exists():
                os.chown(self.data, user.pw_uid, user.pw_gid)

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
        if not os.path.exists(self.data / "PG_VERSION"):
            return False
        status = _run(self._as_owner([str(bin_dir / "pg_ctl"), "-D", str(self.data), "status"]), "ask whether the local PostgreSQL runs")
        return status.returncode == 0

    def port(self) -> int:
        return int(self.port_file.read_text().strip())

    def start(self) -> int:
        """Create the cluster if needed and start it, in a folder `prepare` made ready; return its port."""
        bin_dir = _postgres_bin_dir()
        ensure_postgis_installed(bin_dir)
        if not (self.data / "PG_VERSION").exists():
            made = _run(self._as_owner([str(bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                        "--encoding=UTF8", "--locale=C", "--no-instructions"]), "create the local cluster")
            if made.returncode != 0:
                raise LocalDatabaseError(f"initdb could not create the local cluster in {self.data} ({_last_line(made.stderr)}): set "
                                         "MUJUN_LOCAL_DIR to a folder the cluster's user can write, or DATABASE_URL to a PostgreSQL with PostGIS.")
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
        result = _run(self._as_owner([str(bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                                      "-w", "-t", "60", "start"]), "start the local PostgreSQL")
        if result.returncode != 0:
            said = self.log.read_text(errors="replace") if self.log.exists() else result.stderr
            raise LocalDatabaseError(f"the local PostgreSQL in {self.directory} did not start ({_last_line(said)}; its log: {self.log}).")
        return port

    def follow(self, primary: LocalCluster) -> None:
        """Make this cluster, placed but not yet created, a streaming replica of `primary` with `pg_basebackup -R`;
        `start` it after. The primary must run with `wal_level=replica` and WAL senders."""
        made = _run(self._as_owner([str(_postgres_bin_dir() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port()),
                                    "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream", "--checkpoint=fast"]),
                    "copy the primary for a replica")
        if made.returncode != 0:
            raise LocalDatabaseError(f"pg_basebackup could not copy the primary into {self.data} ({_last_line(made.stderr)}).")

    def stop(self, bin_dir: Path | None = None) -> bool:
        """Stop the cluster if it runs; whether it ran."""
        bin_dir = bin_dir or _postgres_bin_dir()
        if not self.running(bin_dir):
            return False
        done = _run(self._as_owner([str(bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]), "stop the local PostgreSQL")
        if done.returncode != 0:
            raise LocalDatabaseError(f"pg_ctl could not stop the local PostgreSQL in {self.directory} ({_last_line(done.stderr)}).")
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
