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
from etl.load import LoadRequest, libpq_conninfo, load
from mujun.settings import RuleSettings
from tests.etl.test_load import snapshot
from tests.world import POLICY

PARCELS = 30_000  # enough that the COPY lasts long enough to be seen and killed


@pytest.fixture(autouse=True)
def _one_heavy_run_at_a_time() -> Iterator[None]:
    """Heavy for the 2-core machine: taken in turn with the benchmarks (flock /tmp/mujun-bench.lock)."""
    with Path("/tmp/mujun-bench.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _copying(conninfo: str) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid() AND query ILIKE 'COPY%%' AND state = 'active'").fetchone() != (0,)


def _others(conninfo: str) -> int:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                           "AND backend_type = 'client backend'").fetchone()
    return int(row[0]) if row else 0


def test_sigkill_mid_copy_changes_nothing_and_a_rerun_loads(empty_db: str, db_url: str, world: LoadRequest, tmp_path: Path) -> None:
    load(empty_db, world, POLICY, RuleSettings())
    before = snapshot(empty_db)
    data = generate(PARCELS, tmp_path / "synthetic")
    mujun = str(Path(sys.executable).parent / "mujun")
    args = [mujun, "load", "--zones", str(data.zones_path), "--parcels", str(data.parcels_path), "--projects", str(data.projects_path)]
    env = {**os.environ, "DATABASE_URL": db_url}
    conninfo = libpq_conninfo(db_url)
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    try:
        while not _copying(conninfo):
            assert process.poll() is None, f"the load ended before its COPY was seen: {process.stderr.read() if process.stderr else ''!r}"
            assert time.monotonic() < deadline, "no COPY seen in 300 s"
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    # The server notices the dropped connection and rolls the transaction back; wait for its backend to go.
    deadline = time.monotonic() + 60
    while _others(conninfo) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert snapshot(empty_db) == before

    rerun = subprocess.run(args, env=env, capture_output=True, check=False)
    assert rerun.returncode == 0, rerun.stderr.decode("utf-8", "replace")
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM parcels").fetchone() == (9 + PARCELS,)
        assert conn.execute("SELECT count(*) FROM loads").fetchone() == (2,)  # the world's load and the re-run; the killed one left none
