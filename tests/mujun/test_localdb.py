"""Where the local cluster lives: in the checkout when the user it runs as can reach it there, in a folder named
for the checkout when not, and a sentence saying what to do when nowhere will hold it. Real clusters, started."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from mujun.localdb import SYSTEM_CLUSTERS, LocalCluster, candidate_directories, place_cluster, stop_clusters

AS_ROOT = os.geteuid() == 0


@pytest.fixture
def away(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where clusters go when a checkout cannot hold its own (as root /var/lib/mujun, else the state folder, here a
    temporary one); the clusters the test placed there are stopped and removed afterwards."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = SYSTEM_CLUSTERS if AS_ROOT else tmp_path / "state" / "mujun"
    before = set(folder.iterdir()) if folder.exists() else set()
    yield folder
    for made in set(folder.iterdir()) - before if folder.exists() else ():
        if (made / "data" / "PG_VERSION").exists():
            LocalCluster(made).stop(_bin_dir())
        shutil.rmtree(made)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A temporary folder anyone may enter, unlike pytest's and mkdtemp's (mode 700, closed to `postgres`)."""
    folder = Path(tempfile.mkdtemp(prefix="mujun-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def _bin_dir() -> Path:
    from mujun.localdb import _postgres_bin_dir

    return _postgres_bin_dir()


def _closed_checkout(parent: Path) -> Path:
    """A checkout the cluster's user cannot use in place: as root one below a folder of mode 700, which the
    `postgres` user cannot enter (as /root is); otherwise one we cannot write."""
    home = parent / "home"
    checkout = home / "mujun"
    checkout.mkdir(parents=True)
    if AS_ROOT:
        home.chmod(0o700)
    else:
        checkout.chmod(0o555)
    return checkout


def test_a_checkout_below_a_closed_folder_runs_its_cluster_away_from_it(tmp_path: Path, away: Path) -> None:
    checkout = _closed_checkout(tmp_path)
    cluster = place_cluster(None, checkout)
    assert cluster.directory.parent == away and cluster.directory.name.startswith("mujun-")
    assert not (checkout / ".var").exists()
    port = cluster.start()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres") as conn:
        assert conn.execute("SELECT current_setting('data_directory')").fetchone() == (str(cluster.data),)
        assert conn.execute("SELECT 6 * 7").fetchone() == (42,)
    again = place_cluster(None, checkout)  # the next command finds the same cluster, running
    assert again.directory == cluster.directory and again.start() == port
    assert stop_clusters(None, checkout) == [cluster.directory]  # what `mujun db stop` does, for this checkout
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=3)
    assert stop_clusters(None, checkout) == []


def test_two_checkouts_of_one_name_never_share_a_cluster_and_a_deep_one_goes_away(open_folder: Path, away: Path) -> None:
    first, second = (open_folder / side / "mujun" for side in ("a", "b"))
    assert candidate_directories(None, first)[0] == first / ".var" / "postgres"
    assert candidate_directories(None, first)[1] != candidate_directories(None, second)[1]
    assert {candidate_directories(None, c)[1].parent for c in (first, second)} == {away}
    first.mkdir(parents=True)
    assert place_cluster(None, first).directory == first / ".var" / "postgres"
    deep = open_folder / ("d" * 60) / "mujun"  # open too, but its socket .var/postgres/run/.s.PGSQL.NNNNN would pass 107 bytes
    deep.mkdir(parents=True)
    assert len(str(deep / ".var/postgres/run/.s.PGSQL.65535")) > 107
    assert place_cluster(None, deep).directory == candidate_directories(None, deep)[1]


def test_nowhere_to_live_is_one_sentence_saying_what_to_do(open_folder: Path) -> None:
    shut = open_folder / "shut"
    shut.mkdir()
    shut.chmod(0o000)  # only root may enter: neither the `postgres` user nor anyone else
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(MUJUN_LOCAL_DIR=str(shut / "pg"), COLUMNS="100")
    try:
        done = subprocess.run([str(Path(sys.executable).parent / "mujun"), "db", "up"], cwd=open_folder, env=env,
                              capture_output=True, text=True, check=False)
    finally:
        shut.chmod(0o700)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    said = " ".join(done.stderr.split())
    who = "the `postgres` user" if AS_ROOT else "we"
    assert said == (f"✗ 无法启动本地数据库 the local PostgreSQL has nowhere to live (not in {shut / 'pg'}: {who} cannot enter {shut} "
                    f"(d---------)): set MUJUN_LOCAL_DIR to a folder {'the `postgres` user' if AS_ROOT else 'you'} can enter and write, "
                    "or DATABASE_URL to a PostgreSQL with PostGIS.")
