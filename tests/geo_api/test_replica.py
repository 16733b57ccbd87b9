"""A real primary and streaming replica (a cluster of this test's own, and a `pg_basebackup` of it): reads go to
the replica, sign-ins and sessions to the primary, and a read that must see a write just made goes to the primary
until the replica has replayed it (a client's own load, a tile of the data version just notified)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import mapbox_vector_tile
import psycopg
import pytest

from etl.load import LoadRequest, libpq_conninfo, load
from geo_api.app import create_app
from geo_api.replica import WROTE_COOKIE
from mujun.db import upgrade
from mujun.localdb import LocalCluster, ensure_database
from mujun.settings import DatabaseSettings, RuleSettings, Settings
from tests.access import PASSWORD, SHELL, add_account, bearer
from tests.conftest import own_cluster, serving
from tests.geo_api.test_tiles import tile_at
from tests.geodata import write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_projects

REPLICATING = {"wal_level": "replica", "max_wal_senders": "4", "hot_standby": "on", "wal_keep_size": "64MB"}


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[LocalCluster, LocalCluster]]:
    primary, replica = own_cluster("primary", REPLICATING), own_cluster("replica", REPLICATING)
    try:
        primary.start()
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()
        for cluster in (primary, replica):
            shutil.rmtree(cluster.directory, ignore_errors=True)


def wait_for(predicate: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def status_of(url: str, code: str) -> str:
    with psycopg.connect(libpq_conninfo(url)) as conn:
        row = conn.execute("SELECT status FROM parcels WHERE parcel_code = %s", [code]).fetchone()
    return str(row[0]) if row else ""


def test_reads_on_the_replica_writes_and_fresh_reads_on_the_primary(clusters: tuple[LocalCluster, LocalCluster],
                                                                      world: LoadRequest, tmp_path: Path) -> None:
    primary, replica = clusters
    primary_url = primary.url("mujun")
    ensure_database(primary_url)
    upgrade(primary_url)
    load(libpq_conninfo(primary_url), world, POLICY, RuleSettings(), actor=SHELL)
    auth = bearer(primary_url, "analyst")
    viewer = add_account(primary_url, "viewer")
    replica.follow(primary)
    replica.start()
    replica_url = replica.url("mujun")
    wait_for(lambda: status_of(replica_url, "P2") == "below")
    with psycopg.connect(libpq_conninfo(replica_url)) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)

    settings = Settings(database=DatabaseSettings(url=primary_url, read_url=replica_url))
    x, y = tile_at(350, 133, 14)  # P2's tile
    with serving(create_app(settings)) as base, httpx.Client(base_url=base, headers=auth, timeout=30) as client:
        assert client.get("/api/parcels/P2").json()["status"] == "below"
        first_tile = client.get(f"/tiles/parcels/14/{x}/{y}.mvt")
        # The replica stops replaying; project B (P2) then meets its threshold on the primary: 4 000 万元 on 10 亩.
        with psycopg.connect(libpq_conninfo(replica_url), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
        projects = write_xlsx(tmp_path / "projects.xlsx", PROJECT_HEADER, [row for row in world_projects(B=4000) if row[0] == "B"])
        load(libpq_conninfo(primary_url), LoadRequest(projects=projects), POLICY, RuleSettings(), actor=SHELL)
        assert status_of(primary_url, "P2") == "meets" and status_of(replica_url, "P2") == "below"

        assert client.get("/api/parcels/P2").json()["status"] == "below"  # a read: the replica's, a step behind
        with psycopg.connect(libpq_conninfo(primary_url)) as conn:
            written = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        assert written is not None
        client.cookies.set(WROTE_COOKIE, written[0])
        assert client.get("/api/parcels/P2").json()["status"] == "meets"  # whoever wrote reads the primary until the replica has it
        client.cookies.set(WROTE_COOKIE, "forged")
        assert client.get("/api/lookup", params={"lon": 119.9515, "lat": 31.7}).status_code == 200
        client.cookies.clear()

        # The tile of the new data version is drawn from the primary: its ETag and its band are the new ones.
        wait_for(lambda: client.get(f"/tiles/parcels/14/{x}/{y}.mvt").headers["etag"] != first_tile.headers["etag"], 5)
        bands = {f["properties"]["parcel_code"]: f["properties"]["band"]
                 for f in mapbox_vector_tile.decode(client.get(f"/tiles/parcels/14/{x}/{y}.mvt").content)["parcels"]["features"]}
        assert bands["P2"] == "meets"

        # Signing in writes a session and the audit on the primary while the replica is read-only.
        client.cookies.clear()
        signed = client.post("/api/auth/login", json={"username": viewer, "password": PASSWORD}, headers={"Authorization": ""})
        assert signed.status_code == 200, signed.text

        with psycopg.connect(libpq_conninfo(replica_url), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")
        wait_for(lambda: client.get("/api/parcels/P2").json()["status"] == "meets")

        replica.stop()  # reads need the replica; sign-ins do not
        assert client.get("/api/parcels/P2").status_code == 503
        assert client.post("/api/auth/login", json={"username": viewer, "password": PASSWORD}, headers={"Authorization": ""}).status_code == 200
