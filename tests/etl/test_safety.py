"""A load killed with SIGKILL in the middle of its COPY leaves the database exactly as it was; re-running succeeds."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bench.synthetic import generate
from etl.load import LoadRequest, load
from mujun.settings import RuleSettings
from tests.access import SHELL
from tests.conftest import TABLES
from tests.etl.test_load import snapshot
from tests.world import POLICY

PARCELS = 30_000  # enough that the COPY lasts long enough to be seen and killed
KILLED = "mujun-load-to-kill"
"""The application name (libpq's PGAPPNAME) the killed load's sessions carry, to be told from the tests' own."""


@pytest.fixture(autouse=True)
def _one_heavy_run_at_a_time() -> Iterator[None]:
    """Heavy for the 2-core machine: taken in turn with the benchmarks (flock /tmp/mujun-bench.lock)."""
    with Path("/tmp/mujun-bench.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _copying(conninfo: str, table: str) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name = %s AND query ILIKE %s AND state = 'active'",
                            [KILLED, f'COPY "{table}" %']).fetchone() != (0,)


def _sessions_of(conninfo: str, application: str) -> int:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                           [application]).fetchone()
    return int(row[0]) if row else 0


def _schema(conninfo: str) -> list[tuple[str, ...]]:
    """The loaded tables' keys, constraints and indexes: a first load drops and rebuilds them in its transaction."""
    with psycopg.connect(conninfo) as conn:
        constraints = conn.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                   "WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2", [list(TABLES)]).fetchall()
        indexes = conn.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                               "ORDER BY 1, 2", [list(TABLES)]).fetchall()
    return constraints + indexes


def _kill_mid_copy(args: list[str], env: dict[str, str], conninfo: str, table: str) -> None:
    """Run the load and SIGKILL it while its COPY into `table` runs; return once the server has rolled it back."""
    process = subprocess.Popen(args, env={**env, "PGAPPNAME": KILLED}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    try:
        while not _copying(conninfo, table):
            assert process.poll() is None, f"the load ended before its COPY was seen: {process.stderr.read() if process.stderr else ''!r}"
            assert time.monotonic() < deadline, "no COPY seen in 300 s"
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    # The server notices the dropped connection and rolls the transaction back; wait for the load's backends to go.
    deadline = time.monotonic() + 60
    while _sessions_of(conninfo, KILLED):
        assert time.monotonic() < deadline, "the killed load's sessions were still open after 60 s"
        time.sleep(0.05)


def _load_args(tmp_path: Path) -> list[str]:
    data = generate(PARCELS, tmp_path / "synthetic")
    mujun = str(Path(sys.executable).parent / "mujun")
    return [mujun, "load", "--zones", str(data.zones_path), "--parcels", str(data.parcels_path), "--projects", str(data.projects_path)]


def test_sigkill_mid_copy_changes_nothing_and_a_rerun_loads(empty_db: str, db_url: str, world: LoadRequest, tmp_path: Path) -> None:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    before = snapshot(empty_db)
    args, env = _load_args(tmp_path), {**os.environ, "DATABASE_URL": db_url}
    _kill_mid_copy(args, env, empty_db, "stage_parcels")  # parcels are stored: they are upserted through a staging table
    assert snapshot(empty_db) == before

    rerun = subprocess.run(args, env=env, capture_output=True, check=False)
    assert rerun.returncode == 0, rerun.stderr.decode("utf-8", "replace")
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT count(*) FROM parcels").fetchone() == (9 + PARCELS,)
        assert conn.execute("SELECT count(*) FROM loads").fetchone() == (2,)  # the world's load and the re-run; the killed one left none


def test_a_first_load_killed_mid_copy_leaves_the_empty_tables_with_their_keys_and_indexes(
        empty_db: str, db_url: str, tmp_path: Path) -> None:
    """Into empty tables a load truncates them, drops their keys and indexes and COPYs frozen rows (etl.write.insert_into_empty):
    killed in the parcels' COPY, all of that is undone."""
    before, schema = snapshot(empty_db), _schema(empty_db)
    assert any(name == "parcels_pkey" for _, name, _ in schema) and any(name == "ix_parcels_geom" for _, name, _ in schema)
    args, env = _load_args(tmp_path), {**os.environ, "DATABASE_URL": db_url}
    _kill_mid_copy(args, env, empty_db, "parcels")
    assert snapshot(empty_db) == before
    assert _schema(empty_db) == schema

    rerun = subprocess.run(args, env=env, capture_output=True, check=False)
    assert rerun.returncode == 0, rerun.stderr.decode("utf-8", "replace")
    assert _schema(empty_db) == schema
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT count(*) FROM parcels").fetchone() == (PARCELS,)
        assert conn.execute("SELECT count(*) FROM loads").fetchone() == (1,)
