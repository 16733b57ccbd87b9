"""The `mujun` command line against the test database (DATABASE_URL is honoured by every command)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.load import LoadRequest
from geo_api.cli import app
from tests.geodata import write_geojson
from tests.world import world_parcels

runner = CliRunner()


@pytest.fixture
def env(empty_db: str, db_url: str) -> dict[str, str]:
    return {"DATABASE_URL": db_url, "COLUMNS": "200"}


def test_load_prints_counts_and_loads_lists_it(env: dict[str, str], world: LoadRequest) -> None:
    args = ["load", "--zones", str(world.zones), "--parcels", str(world.parcels), "--projects", str(world.projects)]
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    assert "parcels" in first.output and "rule results changed on 9 parcels" in first.output
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 0 and "rule results changed on 0 parcels" in again.output
    history = runner.invoke(app, ["loads"], env=env)
    assert history.exit_code == 0 and "parcels.geojson" in history.output and "changzhou-2018" in history.output


def test_a_refused_load_names_the_problem_and_exits_non_zero(env: dict[str, str], tmp_path: Path) -> None:
    parcels = world_parcels()
    parcels[1][0]["recorded_area_m2"] = "很大"
    bad = write_geojson(tmp_path / "bad.geojson", parcels)
    result = runner.invoke(app, ["load", "--parcels", str(bad)], env=env)
    assert result.exit_code == 1
    assert "bad.geojson" in result.output and "recorded_area_m2" in result.output
    assert "nothing was loaded: the database is unchanged" in result.output


def test_load_without_files_says_what_to_give(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["load"], env=env)
    assert result.exit_code == 1 and "--zones" in result.output
