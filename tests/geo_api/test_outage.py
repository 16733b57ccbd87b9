"""PostgreSQL restarted under a running API: 503 with a message while it is down, normal answers within 5 s of it
being back, the API never restarted. The database is a cluster of this test's own (the suite's stays up)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from etl.load import LoadRequest, libpq_conninfo, load
from geo_api.app import create_app
from mujun.db import upgrade
from mujun.localdb import LocalCluster, ensure_database
from mujun.settings import RuleSettings
from tests.access import SHELL, bearer
from tests.conftest import own_cluster, serving, settings_for
from tests.world import POLICY

RECOVERY_S = 5.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Beside the project's own cluster (the suite's stays up), removed after."""
    own = own_cluster("outage")
    own.start()
    try:
        yield own
    finally:
        own.stop()
        shutil.rmtree(own.directory, ignore_errors=True)


def wait_for(predicate: object, timeout: float) -> float:
    started = time.monotonic()
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_restart_answers_503_then_recovers_without_restarting_the_api(cluster: LocalCluster, world: LoadRequest, tmp_path: Path) -> None:
    url = cluster.url("mujun")
    ensure_database(url)
    upgrade(url)
    load(libpq_conninfo(url), world, POLICY, RuleSettings(), actor=SHELL)
    auth = bearer(url, "analyst")
    urls = ["/api/parcels/P3", "/api/search?q=P", "/tiles/parcels/14/13651/6663.mvt", "/api/reports/violations?limit=5",
            "/ogc/collections/parcels/items?limit=5", "/api/auth/me"]
    with serving(create_app(settings_for(url))) as base, httpx.Client(base_url=base, headers=auth, timeout=30) as client:
        assert all(client.get(u).status_code == 200 for u in urls)
        cluster.stop()
        for u in urls:
            down = client.get(u)
            assert down.status_code == 503, f"{u}: {down.status_code} {down.text[:200]}"
            assert down.json()["error"]["code"] == "database_unavailable" and down.headers["retry-after"] == "5"
            assert down.json()["error"]["message"]["zh"]
        assert client.get("/healthz").status_code == 200  # the process itself is up
        assert client.get("/readyz").status_code == 503
        cluster.start()
        assert cluster.url("mujun") == url  # the same port again, whatever connections linger on it
        back = wait_for(lambda: all(client.get(u).status_code == 200 for u in urls), timeout=30)
        assert back < RECOVERY_S, f"answers came back {back:.1f} s after the database"
