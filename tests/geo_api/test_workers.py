"""`mujun serve --workers 2`: each worker process listens for the data version and for changes to credentials, so
a load changes the tiles' ETags and a revoked token stops, whichever worker a request reaches."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg
import pytest

from etl.load import LoadRequest, libpq_conninfo, load
from mujun import accounts
from mujun.settings import RuleSettings
from tests.access import SHELL, add_account
from tests.geo_api.test_tiles import tile_at
from tests.geodata import write_xlsx
from tests.world import POLICY, PROJECT_HEADER, world_projects

REQUESTS = 24
"""Each on a new connection: the kernel spreads them over both workers' shared socket."""


@pytest.fixture
def served(empty_db: str, db_url: str, world: LoadRequest) -> Iterator[str]:
    load(empty_db, world, POLICY, RuleSettings(), actor=SHELL)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([str(Path(sys.executable).parent / "mujun"), "serve", "--port", str(port), "--workers", "2"],
                               env={**os.environ, "DATABASE_URL": db_url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)
    time.sleep(2)  # both workers up
    yield base
    os.killpg(process.pid, 2)
    process.wait(timeout=20)


def workers_answering(base: str, path: str, headers: dict[str, str]) -> tuple[set[str], set[int]]:
    """The ETags (or statuses) seen over REQUESTS fresh connections."""
    etags, statuses = set(), set()
    for _ in range(REQUESTS):
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            response = client.get(path)
        statuses.add(response.status_code)
        etags.add(response.headers.get("etag", ""))
    return etags, statuses


def test_every_worker_follows_loads_and_revocations(served: str, db_url: str, empty_db: str, tmp_path: Path) -> None:
    name = add_account(db_url, "viewer")
    with psycopg.connect(empty_db) as conn:
        token, info = accounts.create_token(conn, name, timedelta(hours=1))
    auth = {"Authorization": f"Bearer {token}"}
    x, y = tile_at(350, 133, 14)
    path = f"/tiles/parcels/14/{x}/{y}.mvt"
    before, statuses = workers_answering(served, path, auth)
    assert statuses == {200} and len(before) == 1
    projects = write_xlsx(tmp_path / "projects.xlsx", PROJECT_HEADER, [row for row in world_projects(B=4000) if row[0] == "B"])
    load(libpq_conninfo(db_url), LoadRequest(projects=projects), POLICY, RuleSettings(), actor=SHELL)
    time.sleep(0.5)
    after, _ = workers_answering(served, path, auth)
    assert len(after) == 1 and after != before  # no worker kept the tile of before the load
    with psycopg.connect(empty_db) as conn:
        accounts.revoke_token(conn, info.prefix)
    time.sleep(0.5)
    assert workers_answering(served, path, auth)[1] == {401}
