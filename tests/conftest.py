"""Test fixtures on the real PostGIS: `DATABASE_URL`'s server, or the project's local cluster.

Under CI (`CI=true`) a skipped test fails the run: a missing database, browser or font is a failure there.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from etl.load import LoadRequest, libpq_conninfo, load
from mujun.db import database_url, make_engine, upgrade
from mujun.localdb import LocalCluster, LocalDatabaseError, drop_database, place_cluster
from mujun.policy import load_policy
from mujun.settings import PROJECT_ROOT, DatabaseSettings, RuleSettings, Settings
from tests.access import SHELL
from tests.geodata import write_geojson, write_xlsx
from tests.world import PROJECT_HEADER, world_parcels, world_projects, world_zones

TABLES = ("parcels", "projects", "zones", "constraints", "loads", "policy_thresholds", "policies", "project_plans", "project_changes",
          "monthly_reports", "bulletins", "approval_batches", "batch_cover", "firm_figures")
SAMPLE = Path(__file__).resolve().parent.parent / "sample_geo"
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") == "true" and _skipped:
        print(f"\nCI: {len(_skipped)} skipped test(s) fail the run: {', '.join(_skipped)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _test_url(name: str) -> str:
    try:
        base = database_url(DatabaseSettings())
    except LocalDatabaseError as exc:  # what to do, in a sentence, rather than a stack trace in every test
        pytest.exit(f"no database for the tests: {exc}", returncode=1)
    return make_url(base).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def db_url() -> Iterator[str]:
    """A fresh database for the test session, schema at head."""
    url = _test_url(f"mujun_test_{os.getpid()}")
    drop_database(url)
    upgrade(url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_db(engine: Engine, db_url: str) -> str:
    """The session database with every table emptied."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(TABLES) + " RESTART IDENTITY CASCADE"))
    return libpq_conninfo(db_url)


@pytest.fixture(scope="session")
def sample_url() -> Iterator[str]:
    """A second database holding the Changzhou sample, loaded once by the real loader."""
    url = _test_url(f"mujun_sample_{os.getpid()}")
    drop_database(url)
    upgrade(url)
    rule_settings = RuleSettings()
    load(libpq_conninfo(url), LoadRequest(zones=SAMPLE / "zones.geojson", parcels=SAMPLE / "parcels.gpkg",
                                          projects=SAMPLE / "projects.xlsx", constraints=SAMPLE / "constraints.geojson",
                                          monthly=SAMPLE / "monthly-2024.xlsx", batches=SAMPLE / "batches.geojson",
                                          evaluation=SAMPLE / "evaluation-2023.xlsx"),
         load_policy(rule_settings.policy), rule_settings, actor=SHELL)
    yield url
    drop_database(url)


def settings_for(url: str) -> Settings:
    return Settings(database=DatabaseSettings(url=url))


@pytest.fixture
def world(tmp_path: Path) -> LoadRequest:
    return LoadRequest(
        zones=write_geojson(tmp_path / "zones.geojson", world_zones()),
        parcels=write_geojson(tmp_path / "parcels.geojson", world_parcels()),
        projects=write_xlsx(tmp_path / "projects.xlsx", PROJECT_HEADER, world_projects()),
    )


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn on a free 127.0.0.1 port in a thread of this process; its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


def own_cluster(name: str, settings: dict[str, str] | None = None) -> LocalCluster:
    """A PostgreSQL cluster of a test's own (one it stops and restarts), placed beside the project's (where the
    cluster's user can reach), its folder named `name` and the test's process; the caller removes its folder."""
    beside = place_cluster(DatabaseSettings().local_dir, PROJECT_ROOT).directory.parent
    return place_cluster(beside / f"{name}-{os.getpid()}", PROJECT_ROOT, settings)
